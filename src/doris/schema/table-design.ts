/**
 * The DDL the Doris Schema node issues: CREATE TABLE for a table a change stream names but Doris does
 * not have yet, ALTER TABLE … ADD COLUMN for fields a source gained. Pure: statements are built here
 * and run by ddl-runner.ts.
 *
 * CREATE TABLE, as Doris requires it (fe-core CreateTableInfo / ColumnDef, Doris 2.1 / 3.0 / 3.1):
 * key columns first and in key order ("Key columns should be a ordered prefix of the schema"), none of
 * STRING / FLOAT / DOUBLE / JSON / ARRAY (column-types.ts), NOT NULL; UNIQUE KEY on the source's
 * primary key with merge-on-write (`enable_unique_key_merge_on_write`, the default only since 2.1, so
 * said explicitly) and light schema change (ADD COLUMN then changes metadata only, no data rewrite);
 * DISTRIBUTED BY HASH(keys) BUCKETS AUTO; an optional sequence column (`function_column.sequence_col`,
 * UNIQUE KEY tables only, integer or date types).
 *
 * ADD COLUMN adds value columns only, nullable (the rows already loaded have no value for them), at
 * the end: a light schema change. Nothing is ever dropped, renamed or narrowed.
 */
import { decodeConnectPayload, isConnectEnvelope } from '../../common/connect-envelope';
import { ITEM_OWN_FIELDS } from '../../common/item-contract';
import { columnFromConnect, inferColumn, isSequenceType, schemaAt, structFields, type ColumnSpec, type ConnectSchema, type TypeRefusal } from './column-types';
import { FLATTENED_DELETED_FIELD, flattenedDeleteMark, unwrapDebezium, type EnvelopeResult } from './debezium';
import { messageKeyOf, type MessageKey } from './message-key';
import { valueSchemaOf } from './new-columns';

export { keyColumnsOf } from './message-key';
import type { DorisTarget } from './target';

export interface TableDesign extends DorisTarget {
	keys: ColumnSpec[];
	values: ColumnSpec[];
	sequenceColumn?: string;
	properties: ReadonlyArray<readonly [string, string]>;
}

export interface CreateOptions {
	/** Debezium envelopes: the row is `after` (or `before` for a delete). */
	cdc: boolean;
	/** Dot path to the record inside the item, as the row mapper reads it. */
	sourcePath: string;
	/** Key columns when the messages carry no Kafka key to read them from (packed lines never do). */
	keyColumns: string[];
	sequenceColumn?: string;
	/** PROPERTIES beyond the ones the design sets (replication_num on a small cluster, …); these win. */
	properties: ReadonlyArray<readonly [string, string]>;
}

/** Backtick-quoted identifier (a backtick inside doubled, as MySQL and Doris read it). */
export function quoteName(name: string): string {
	return `\`${name.replace(/`/g, '``')}\``;
}

function quoteText(text: string): string {
	return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function columnDefinition(column: ColumnSpec): string {
	const definition = `${quoteName(column.name)} ${column.type} ${column.nullable ? 'NULL' : 'NOT NULL'}`;
	return column.defaultValue === undefined ? definition : `${definition} DEFAULT ${quoteText(column.defaultValue)}`;
}

export function createTableStatement(design: TableDesign): string {
	const keys = design.keys.map((k) => quoteName(k.name)).join(', ');
	const properties = new Map<string, string>([
		['enable_unique_key_merge_on_write', 'true'],
		['light_schema_change', 'true'],
	]);
	if (design.sequenceColumn !== undefined) properties.set('function_column.sequence_col', design.sequenceColumn);
	for (const [name, value] of design.properties) properties.set(name, value);
	return [
		`CREATE TABLE IF NOT EXISTS ${quoteName(design.database)}.${quoteName(design.table)} (`,
		[...design.keys, ...design.values].map((c) => `  ${columnDefinition(c)}`).join(',\n'),
		`) UNIQUE KEY(${keys})`,
		`DISTRIBUTED BY HASH(${keys}) BUCKETS AUTO`,
		`PROPERTIES (${[...properties].map(([k, v]) => `${quoteText(k)} = ${quoteText(v)}`).join(', ')})`,
	].join('\n');
}

export function addColumnsStatement(target: DorisTarget, columns: readonly ColumnSpec[]): string {
	const list = columns.map((c) => columnDefinition({ ...c, nullable: true })).join(', ');
	return `ALTER TABLE ${quoteName(target.database)}.${quoteName(target.table)} ADD COLUMN (${list})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The key columns of a table to create: Key Columns, else the message's Kafka key. Both given and
 * naming different columns, the table is refused with both named: neither can be trusted over the
 * other, and a UNIQUE KEY on the wrong one loses rows without a word. Key Columns narrower than a
 * Debezium key (`id` for a source keyed on `tenant_id, id`) made rows of different tenants overwrite and
 * delete each other; a Kafka key that only partitions the stream (events keyed by user) would keep one
 * event per user. The same columns in another order are one key, in Key Columns' order.
 */
function keyOfTable(target: DorisTarget, keyColumns: readonly string[], key: MessageKey): readonly string[] | TypeRefusal {
	if (keyColumns.length === 0) {
		if ('columns' in key) return key.columns;
		return { refused: `cannot create table ${target.database}.${target.table}: its primary key is unknown (${key.unknown}); set Key Columns to name it` };
	}
	if (!('columns' in key)) return keyColumns;
	const messageKey = key.columns;
	const same = keyColumns.length === messageKey.length && keyColumns.every((name) => messageKey.includes(name));
	if (same) return keyColumns;
	return {
		refused:
			`cannot create table ${target.database}.${target.table}: Key Columns (${keyColumns.join(', ')}) and this message's Kafka key (${messageKey.join(', ')}) name different columns, ` +
			"and a UNIQUE KEY on the wrong ones would merge rows of different keys: clear Key Columns to take each message's key, or make it name the same columns",
	};
}

/**
 * A Kafka key naming a column the record does not have is no key of this record: it names no key column,
 * saying which. A key decoded with a schema that is not the topic's (a LongSerializer key that looks like
 * the registry's wire format, src/kafka/key-subjects.ts) or a key that only partitions the stream refused a
 * right Key Columns as "name different columns"; without Key Columns the refusal now says why.
 */
function keyOfRecord(key: MessageKey, fields: readonly string[]): MessageKey {
	if (!('columns' in key)) return key;
	const missing = key.columns.filter((name) => !fields.includes(name));
	if (missing.length === 0) return key;
	return { unknown: `its Kafka key names ${missing.map((name) => `"${name}"`).join(', ')}, which ${missing.length === 1 ? 'is not a field' : 'are not fields'} of the message, so it is not this record's key` };
}

/** The record of a message and the Connect schema that declares it (if the message has one). */
function recordOf(json: Record<string, unknown>, options: CreateOptions): { record: Record<string, unknown>; schema?: ConnectSchema; deleted: boolean } | TypeRefusal {
	let item: Record<string, unknown> = json;
	let schema: unknown;
	const envelope = isConnectEnvelope(json);
	if (envelope) {
		const decoded = decodeConnectPayload(json.schema, json.payload);
		if (!decoded.ok) return { refused: decoded.failure.message };
		schema = json.schema;
		item = { ...json, payload: decoded.value };
	} else {
		// A Schema Registry value: the Connect schema of its writer schema (item-contract.ts), which describes the item itself.
		schema = valueSchemaOf(json);
	}
	let path = options.sourcePath.split('.').map((s) => s.trim()).filter((s) => s !== '');
	let record: unknown = item;
	for (const segment of path) record = isObject(record) ? record[segment] : undefined;
	// An envelope's schema describes its payload: a path through the item starts with "payload".
	if (envelope && path[0] === 'payload') path = path.slice(1);
	let recordSchema: unknown = schema === undefined ? undefined : path.length === 0 ? schema : schemaAt(schema, path);
	let deleted = false;
	if (options.cdc) {
		const out: EnvelopeResult = { ok: false, record: null, deleted: false, detail: '', connector: undefined, previous: null };
		const env = unwrapDebezium(record, out);
		if (!env.ok || env.record === null) return { refused: env.detail };
		recordSchema = recordSchema === undefined ? undefined : structFields(recordSchema).get(env.deleted ? 'before' : 'after');
		record = env.record;
		deleted = env.deleted;
	}
	if (!isObject(record)) return { refused: 'the message holds no record to take the columns from' };
	// A flattened Debezium delete (debezium.ts) is a "before" image too, maybe of the key alone.
	if (!options.cdc && flattenedDeleteMark(record[FLATTENED_DELETED_FIELD]) === true) deleted = true;
	return { record, schema: isObject(recordSchema) ? (recordSchema as ConnectSchema) : undefined, deleted };
}

/**
 * The table the first message holding a row asks for. Messages without one (a truncate, a Debezium
 * message event, an undecodable message) are passed over, so they do not refuse the rows after them;
 * a delete's design is taken only when no other message has a row, as its "before" image may hold the
 * key alone (PostgreSQL's default REPLICA IDENTITY, schemaless JSON). When none designs a table, the
 * first refusal.
 */
export function designTableFrom(target: DorisTarget, messages: Iterable<Record<string, unknown>>, options: CreateOptions): TableDesign | TypeRefusal {
	let firstRefusal: TypeRefusal | undefined;
	let fromDelete: TableDesign | undefined;
	for (const json of messages) {
		const found = recordOf(json, options);
		if (!('refused' in found) && found.deleted && fromDelete !== undefined) continue;
		const design = designTable(target, json, options, found);
		if ('refused' in design) firstRefusal ??= design;
		else if ('refused' in found || !found.deleted) return design;
		else fromDelete = design;
	}
	return fromDelete ?? firstRefusal ?? { refused: `cannot create table ${target.database}.${target.table}: no message to take its columns from` };
}

/**
 * The table a message asks for: columns from its Connect schema (or its values), UNIQUE KEY on the
 * Kafka key's columns (or the Key Columns option). Refused, with the reason, when the key is unknown
 * or a column cannot be a key.
 */
export function designTable(target: DorisTarget, json: Record<string, unknown>, options: CreateOptions, read?: ReturnType<typeof recordOf>): TableDesign | TypeRefusal {
	const found = read ?? recordOf(json, options);
	if ('refused' in found) return { refused: `cannot create table ${target.database}.${target.table} from this message: ${found.refused}` };
	const { record, schema } = found;
	const declared = schema === undefined ? undefined : structFields(schema);
	// The record's own fields after the declared ones (Add Kafka Fields' beside a Schema Registry value's);
	// never the item's own `_kafka` / `_doris`, which are never loaded: a table got JSON columns of them, NULL for good.
	const fields = [...new Set([...(declared?.keys() ?? []), ...Object.keys(record)])].filter((name) => !ITEM_OWN_FIELDS.has(name));
	// A flattened Debezium record's delete marker is no column: with one, the table would store each
	// delete as a row flagged "true" instead of deleting (RowMapper.flattenedDeletes).
	const names = options.cdc ? fields : fields.filter((name) => name !== FLATTENED_DELETED_FIELD || options.keyColumns.includes(name) || name === options.sequenceColumn);
	const keyNames = keyOfTable(target, options.keyColumns, keyOfRecord(messageKeyOf(json), names));
	if ('refused' in keyNames) return keyNames;
	const column = (name: string, key: boolean): ColumnSpec | TypeRefusal => {
		const fieldSchema = declared?.get(name);
		// A field without a Connect type (an Avro union of several types) is known by its value.
		if (fieldSchema !== undefined && typeof fieldSchema.type === 'string') return columnFromConnect(name, fieldSchema, key);
		// A null value says nothing about the type: STRING holds whatever comes later.
		return inferColumn(name, record[name], key) ?? (key ? { refused: `key column "${name}" is null in this message` } : { name, type: 'STRING', nullable: true });
	};
	const keys: ColumnSpec[] = [];
	for (const name of keyNames) {
		if (!names.includes(name)) return { refused: `cannot create table ${target.database}.${target.table}: key column "${name}" is not a field of the message` };
		const spec = column(name, true);
		if ('refused' in spec) return { refused: `cannot create table ${target.database}.${target.table}: ${spec.refused}` };
		keys.push(spec);
	}
	const values: ColumnSpec[] = [];
	for (const name of names) {
		if (keyNames.includes(name)) continue;
		const spec = column(name, false);
		if ('refused' in spec) return { refused: `cannot create table ${target.database}.${target.table}: ${spec.refused}` };
		values.push(spec);
	}
	const sequence = options.sequenceColumn;
	if (sequence !== undefined) {
		const spec = [...keys, ...values].find((c) => c.name === sequence);
		if (spec === undefined) return { refused: `cannot create table ${target.database}.${target.table}: sequence column "${sequence}" is not a field of the message` };
		if (!isSequenceType(spec.type)) return { refused: `cannot create table ${target.database}.${target.table}: sequence column "${sequence}" would be ${spec.type}; Doris takes only integer, DATE and DATETIME sequence columns` };
	}
	return { ...target, keys, values, sequenceColumn: sequence, properties: options.properties };
}
