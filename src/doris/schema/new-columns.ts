/**
 * Schema evolution's reasons (RowMapper with the option `evolve`): the fields of a record that have no
 * column, each with the type to add, as rule `new_column` reasons the caller turns into ADD COLUMN and
 * maps the row again. The type is the one the Connect schema declares for the field (the record's
 * struct, found along the source path and the Debezium envelope), else one inferred from a non-null
 * value. The schema is looked up only when a field is unknown, which is rare.
 */
import { INVALID_FIELD, KAFKA_METADATA_FIELD } from '../../common/item-contract';
import { columnFromConnect, inferColumn, schemaAt, structFields, widerColumnType, type ColumnSpec, type ConnectSchema } from './column-types';
import type { Rejection } from './row-mapper-options';
import { safeValue } from './row-rejections';
import type { TableSchema } from './types';

/** What of the RowMapper newColumnReasons reads. */
export interface NewColumnsMapper {
	readonly schema: TableSchema;
	readonly options: { cdc: boolean };
	readonly sourcePathSegments: readonly string[];
	isUnknown(field: string, aliases: ReadonlyMap<string, string>): boolean;
	isCaseVariantOfColumn(field: string): boolean;
}

/**
 * `reasons` with one `new_column` reason per field of `rec` no column takes (`aliases`: the record's,
 * RowMapper.aliasesIn). `connectSchema` describes a `{schema, payload}` envelope's payload, or with
 * `schemaOfItem` the item itself (a Schema Registry value's `_kafka.valueSchema`, valueSchemaOf).
 */
export function newColumnReasons(
	mapper: NewColumnsMapper,
	rec: Record<string, unknown>,
	connectSchema: unknown,
	schemaOfItem: boolean,
	deleted: boolean,
	aliases: ReadonlyMap<string, string>,
	reasons: Rejection[] | null,
): Rejection[] | null {
	let declared: Map<string, ConnectSchema> | undefined;
	for (const k of Object.keys(rec)) {
		// Another case of a column's name: Doris has that column already, so there is none to add.
		if (!mapper.isUnknown(k, aliases) || mapper.isCaseVariantOfColumn(k)) continue;
		if (connectSchema !== undefined) declared ??= structFields(recordSchema(mapper, connectSchema, schemaOfItem, deleted));
		const fieldSchema = declared?.get(k);
		// A field without a Connect type (an Avro union of several types) is known by its value.
		const spec = fieldSchema !== undefined && typeof fieldSchema.type === 'string' ? columnFromConnect(k, fieldSchema, false) : inferColumn(k, rec[k], false);
		// A null field without a declared type: nothing to add yet, and nothing lost (null is the default).
		if (spec === undefined || 'refused' in spec) continue;
		(reasons ??= []).push({
			column: k,
			value: safeValue(rec[k]),
			expected: spec.type,
			rule: 'new_column',
			message: `field "${k}" has no column in ${mapper.schema.database}.${mapper.schema.table}; schema evolution adds it as ${spec.type}${spec.defaultValue === undefined ? '' : ` DEFAULT ${JSON.stringify(spec.defaultValue)}`}`,
			...(spec.defaultValue === undefined ? {} : { columnDefault: spec.defaultValue }),
		});
	}
	return reasons;
}

/** The Connect schema of the record: the payload's (or the item's), along the source path, then `after` / `before`. */
export function recordSchema(mapper: NewColumnsMapper, connectSchema: unknown, schemaOfItem: boolean, deleted: boolean): unknown {
	const segments = mapper.sourcePathSegments;
	// An envelope's schema describes its payload: a path through the item starts with "payload".
	const path = !schemaOfItem && segments[0] === 'payload' ? segments.slice(1) : segments;
	let schema: unknown = path.length === 0 ? connectSchema : schemaAt(connectSchema, path);
	if (mapper.options.cdc) schema = structFields(schema).get(deleted ? 'before' : 'after');
	return schema;
}

/** A Schema Registry value's Connect schema, which the Kafka trigger puts in `_kafka.valueSchema` (item-contract.ts). */
export function valueSchemaOf(json: Record<string, unknown>): unknown {
	const meta = json[KAFKA_METADATA_FIELD];
	return typeof meta === 'object' && meta !== null ? (meta as { valueSchema?: unknown }).valueSchema : undefined;
}

function reasonsOf(item: { json: Record<string, unknown> }): Rejection[] {
	return ((item.json[INVALID_FIELD] as { reasons?: Rejection[] } | undefined)?.reasons ?? []) as Rejection[];
}

/**
 * The columns schema evolution asked for in these Invalid items, once each, typed by every row that
 * asked (the widest of their types, widerColumnType): the same whatever order the rows come in, and
 * whichever thread mapped them.
 */
export function columnsAskedFor(invalid: ReadonlyArray<{ json: Record<string, unknown> }>): ColumnSpec[] {
	const columns = new Map<string, ColumnSpec>();
	for (const item of invalid) {
		for (const r of reasonsOf(item)) {
			if (r.rule !== 'new_column' || r.column === null) continue;
			const asked = columns.get(r.column);
			const spec: ColumnSpec = { name: r.column, type: asked === undefined ? r.expected : widerColumnType(asked.type, r.expected), nullable: true };
			// The source's DEFAULT, from the first row that declares one (rows of one execution share the schema).
			const columnDefault = asked?.defaultValue ?? r.columnDefault;
			if (columnDefault !== undefined) spec.defaultValue = columnDefault;
			columns.set(r.column, spec);
		}
	}
	return [...columns.values()];
}

/** The rows wait for a column that could not be added: their reasons say why. */
export function explainFailedEvolution(invalid: ReadonlyArray<{ json: Record<string, unknown> }>, why: string): void {
	for (const item of invalid) {
		for (const r of reasonsOf(item)) if (r.rule === 'new_column') r.message = `${r.message}, but adding it failed: ${why}`;
	}
}
