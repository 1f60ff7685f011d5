/**
 * How each column of a table is filled from a record, compiled once per schema and options: the
 * column's source field (its own name, or the field Field Mapping names, maybe a dot path), its type
 * handler (with the column's own epoch unit), whether it is nullable or has a default, and whether
 * another case of its name may fill it. RowMapper.map reads these plans for every item, and so does
 * the packed rows' fast path (column-writer.ts, line-transcoder.ts).
 *
 * It lives apart from the mapper because it runs once, before any row: it settles the options against
 * the table (an Epoch Unit per Column or a Field Mapping naming no column, or two fields mapped onto
 * one column, is an error here, not a rejected row), and the mapper's per-row code stays about rows.
 */
import { DELETE_SIGN_COLUMN, DORIS_FIELD, KAFKA_METADATA_FIELD, PARSE_ERROR_FIELD } from '../../common/item-contract';
import { compileType, makeCompileContext, type CompileContext, type TypeHandler } from './coerce-type';
import { unavailableValue } from './unavailable-value';
import type { RowMapperOptions } from './row-mapper';
import type { TableSchema } from './types';

/** How one column is filled: compiled once per schema and options. */
export interface ColumnPlan {
	column: string;
	/** The field's whole name: a column's own name (dots and all), or a Field Mapping's field. */
	key: string;
	/**
	 * A Field Mapping's field with a dot, as segments (null otherwise): read through objects when the
	 * record has no key of the whole name (`key`), which wins when present.
	 */
	path: string[] | null;
	/**
	 * `key` names a property every object has (`constructor`, `toString`, `valueOf`, …): read only as the
	 * record's own field (ownField). Else a record without it gave the column that function, and the row
	 * went to Invalid as a wrong type instead of leaving the column out.
	 */
	inherited: boolean;
	handler: TypeHandler;
	nullable: boolean;
	hasDefault: boolean;
	/**
	 * A NOT NULL column whose default is a value (not AUTO_INCREMENT, not an opaque type): a missing
	 * field takes the default (new_json_reader.cpp _fill_missing_column), an explicit null reaches the
	 * column as NULL (Stream Load's source slots are nullable, Load.java) and Doris filters the row
	 * ("column(x) values is null while columns is not nullable", vfile_scanner.cpp
	 * _convert_to_output_block; 2.1, 3.0, 3.1), so such a row goes to Invalid rather than load the default
	 * in place of the null it carried.
	 */
	refusesNull: boolean;
	/** The column's name in lower case when it is read by its own name (another case of it may fill it); null when it is read from a mapped field. */
	folded: string | null;
}

/** The compiled columns of a mapper. */
export interface ColumnPlans {
	/** In column order, the delete sign excluded. */
	plans: ColumnPlan[];
	/** Fields map() reads or deliberately ignores by their exact name (else a field is unmatched). */
	knownFields: Set<string>;
	/** Plans of columns read by their own name, by the name in lower case. */
	foldedPlans: Map<string, ColumnPlan>;
}

export function splitPath(path: string): string[] {
	return path
		.split('.')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

/** Throws, naming the option and the table, when Epoch Unit per Column or Field Mapping names no column, or Field Mapping maps two fields onto one. */
export function compileColumnPlans(schema: TableSchema, options: RowMapperOptions): ColumnPlans {
	const ctx = makeCompileContext(options.dates, options.limits, options.extraDigits, unavailableValue(options.unavailableValue));
	const byColumn = new Map(schema.columns.map((c) => [c.name.toLowerCase(), c]));
	const contextFor = new Map<string, CompileContext>();
	for (const u of options.epochUnits ?? []) {
		const col = byColumn.get(u.column.trim().toLowerCase());
		if (col === undefined) {
			throw new Error(`Epoch Unit per Column "${u.column}": table ${schema.database}.${schema.table} has no such column`);
		}
		// Same zone clock: only the unit differs.
		contextFor.set(col.name, { ...ctx, dates: { ...ctx.dates, epochUnit: u.unit } });
	}
	const fieldFor = new Map<string, string>();
	for (const m of options.mapping) {
		const col = byColumn.get(m.column.trim().toLowerCase());
		if (col === undefined) {
			throw new Error(`Field mapping "${m.field}" → "${m.column}": table ${schema.database}.${schema.table} has no column "${m.column}"`);
		}
		if (m.field.trim() === '') throw new Error(`Field mapping → "${m.column}": the field name is empty`);
		// A row holds one value per column: with two fields the last would win and the other's value be
		// dropped without a word, so the setting is refused before any row.
		const earlier = fieldFor.get(col.name);
		if (earlier !== undefined && earlier !== m.field.trim()) {
			throw new Error(
				`Field Mapping: column "${col.name}" of ${schema.database}.${schema.table} is mapped from two fields, "${earlier}" and "${m.field.trim()}"; a row keeps one value per column, so the other field's value would be dropped: map each field to a column of its own`,
			);
		}
		fieldFor.set(col.name, m.field.trim());
	}
	const knownFields = new Set([KAFKA_METADATA_FIELD, PARSE_ERROR_FIELD, DELETE_SIGN_COLUMN, DORIS_FIELD]);
	const plans: ColumnPlan[] = [];
	const foldedPlans = new Map<string, ColumnPlan>();
	for (const col of schema.columns) {
		if (col.name === DELETE_SIGN_COLUMN) continue;
		const mapped = fieldFor.get(col.name);
		if (col.generated === true) {
			// Doris computes it at load and would not load a value sent for it: the field of its name is
			// left out of the row, and is no field without a column.
			if (mapped !== undefined) {
				throw new Error(`Field mapping "${mapped}" → "${col.name}": column "${col.name}" of ${schema.database}.${schema.table} is generated, Doris computes its value`);
			}
			knownFields.add(col.name);
			continue;
		}
		// Only a Field Mapping's field is a dot path ("a dot path reaches into objects"). A column read by
		// its own name takes the key of that whole name, dots and all: Doris allows dots in a column name
		// (fe-core common/FeNameFormat.java COLUMN_NAME_REGEX `^[_a-zA-Z@0-9\s/][.a-zA-Z0-9_+-/?@#$%^&*"\s,:]{0,255}$`)
		// and its JSON reader matches a key to a column by the whole name, never through a nested object
		// (be/src/vec/exec/format/json/new_json_reader.cpp: `_slot_desc_index[col_name()]`, `_column_index`).
		// Split, the field "http.status" filled no column (dropped, or an ADD COLUMN that stayed NULL)
		// and `{"http":{"status":404}}` filled one Doris would leave empty.
		const field = mapped ?? col.name;
		const path = mapped === undefined ? [] : splitPath(field);
		// A mapped path is read from its first segment; its whole name too (an exact key of it wins, RowMapper.map).
		knownFields.add(field);
		if (path.length > 1) knownFields.add(path[0]);
		const plan: ColumnPlan = {
			column: col.name,
			key: field,
			path: path.length > 1 ? path : null,
			inherited: field in Object.prototype,
			handler: compileType(col.type, contextFor.get(col.name) ?? ctx),
			nullable: col.nullable,
			// HLL / BITMAP / QUANTILE_STATE / AGG_STATE take no plain value: Doris fills them from a Stream
			// Load `columns` expression (`uv = to_bitmap(user_id)`) or their default, and refuses the whole
			// load without either; the trigger's table check names such a column (opaque-columns.ts).
			hasDefault: col.hasDefault || col.autoIncrement || col.type.kind === 'opaque',
			refusesNull: !col.nullable && col.hasDefault && !col.autoIncrement && col.type.kind !== 'opaque',
			folded: mapped === undefined ? col.name.toLowerCase() : null,
		};
		plans.push(plan);
		if (plan.folded !== null) foldedPlans.set(plan.folded, plan);
	}
	return { plans, knownFields, foldedPlans };
}

/**
 * How many plans read a record field an earlier plan may read too: two Field Mappings from `a.b` and
 * `a.c` both read the key `a`; a Field Mapping from `a.b` reads the key `a` a column of that name reads;
 * one from `name` onto a second column reads the first column's own field. The other plans each read
 * a key of their own, so a record's columns filled, less this, are at most its keys that fill a column
 * (RowMapper.mapRecord's first test for fields no column takes). Counted as one key per column, the two
 * mappings from `a` made `{"a":{"b":1,"c":2},"extra":3}` look fully read: `extra` went uncounted
 * (sinker_fields_unmatched_total) and the new field re-read no schema (drift-signals.ts).
 */
export function plansSharingAField(plans: readonly ColumnPlan[]): number {
	const read = new Set<string>();
	let sharing = 0;
	for (const p of plans) {
		// What a plan may take: the key of its whole name, else its path's first segment (RowMapper.mapRecord).
		// Another case of a column's own name is a key no plan names (knownFields): never shared.
		const fields = p.path === null ? [p.key] : [p.key, p.path[0]];
		if (fields.some((f) => read.has(f))) sharing++;
		for (const f of fields) read.add(f);
	}
	return sharing;
}
