/**
 * HLL, BITMAP, QUANTILE_STATE and AGG_STATE columns take no value from a JSON row (the Doris Schema
 * node leaves them out of rows): a Stream Load fills them only from a `columns` expression
 * (`uv = hll_hash(user_id)`) or, when the `columns` list leaves them out, from their default. Without
 * one Doris refuses the whole load, so every execution into such a table would fail. Said at
 * activation instead, naming the column and the expression to add.
 *
 * What Doris does (fe-core, the Stream Load planner of 2.1, 3.0 and 3.1):
 * - no `columns` header: Load.initColumns makes every column of the table a field of the data, so the
 *   column's value is the field as read (a VARCHAR slot). FileLoadScanNode.finalizeParamsForLoad then
 *   refuses it for an HLL column ("HLL column must use hll_hash function, like uv=hll_hash(xxx)"), a
 *   BITMAP_UNION one ("bitmap column uv require the function return type is BITMAP") and a
 *   QUANTILE_UNION one; the same for a column the header lists as a plain field.
 * - a `columns` header leaving the column out: Load.initColumns takes the column's default, else NULL
 *   when nullable, else fails "Column has no default value. column: x". CREATE TABLE gives every BITMAP
 *   column an empty bitmap as default (nereids ColumnDefinition, DefaultValue.BITMAP_EMPTY_DEFAULT_VALUE),
 *   so it loads empty. Every HLL column gets HLL_EMPTY_DEFAULT_VALUE too, but as a plain value the
 *   planner refuses like a field ("HLL column must use hll_hash function"); apache/doris PR #34447
 *   (May 2024: in 3.0 and 3.1, unconfirmed in which 2.1 patch release) gave it hll_empty() as its
 *   expression. Without the version at hand, an HLL column left out is refused here, and
 *   `uv = hll_empty()` loads it empty on every version.
 * - a partial update leaves unlisted columns as they are (Load.initColumns skips them).
 */
import { columnExpression, columnName } from '../stream-load/columns';
import type { ColumnSchema, TableSchema } from './types';

export interface LoadColumns {
	/** The entries of the Columns option the Stream Load node sends (`[]` = none). */
	columns: readonly string[];
	/** A partial update (fixed or flexible): unlisted columns keep their stored value. */
	partialUpdate?: boolean;
}

/** Doris' functions that make a value of each type from a field of the data, then the empty value. */
const MAKERS: Record<string, string> = {
	HLL: '{c} = hll_hash(<field>), or {c} = hll_empty() to leave it empty',
	BITMAP: '{c} = to_bitmap(<field>), or {c} = bitmap_empty() to leave it empty',
	QUANTILE_STATE: '{c} = to_quantile_state(<field>, 2048)',
	AGG_STATE: '{c} = <function>_state(<field>), the state function of its aggregate (e.g. sum_state)',
};

/** Types whose every column Doris creates with an empty default that every release loads (see the header). */
const EMPTY_BY_DEFAULT = new Set(['BITMAP']);

/** One message per such column the load gives Doris nothing it accepts for (empty when all are fine). */
export function opaqueColumnProblems(schema: TableSchema, load: LoadColumns): string[] {
	if (load.partialUpdate === true) return [];
	const entries = new Map(load.columns.map((entry) => [columnName(entry).toLowerCase(), entry]));
	const problems: string[] = [];
	for (const column of schema.columns) {
		if (column.type.kind !== 'opaque' || column.generated === true) continue;
		const type = column.type.name.toUpperCase();
		const entry = entries.get(column.name.toLowerCase());
		if (entry !== undefined && columnExpression(entry) !== undefined) continue;
		let why: string;
		if (load.columns.length === 0) why = 'the Stream Load node sends no Columns, so Doris reads it as a field of the row and refuses every load into the table';
		else if (entry !== undefined) why = 'it is listed in Columns without an expression, so Doris reads it as a field of the row and refuses every load into the table';
		else if (type === 'HLL') {
			why = 'it is left out of Columns, which Doris fills with an empty HLL only since apache/doris PR #34447 (3.0; releases without it refuse every load into the table)';
		} else if (EMPTY_BY_DEFAULT.has(type) || column.nullable || column.hasDefault) continue;
		else why = 'it is left out of Columns and has no default value, so Doris refuses every load into the table ("Column has no default value")';
		problems.push(`column "${column.name}" (${type}) takes no value from a JSON row: ${why}. ${fix(column, type)}`);
	}
	return problems;
}

function fix(column: ColumnSchema, type: string): string {
	const maker = (MAKERS[type] ?? '{c} = <expression of its type>').replaceAll('{c}', column.name);
	// The field must reach the load: a Doris Schema node keeps only the table's columns in its rows, and a
	// load none of whose rows carries the field is refused (src/batch/expression-fields.ts).
	return `Add to the Stream Load node's Columns an expression for it, e.g. ${maker}, and list the row's other columns there too (with Columns, Doris reads only the fields it lists); the field must reach the Stream Load node: rows from a Doris Schema node hold only the table's columns`;
}
