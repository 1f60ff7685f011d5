/**
 * The value a delete row carries for a NOT NULL value column without a default that it has no value
 * for (a tombstone's key row, a Debezium "before" image of the key only). Without one Doris filters
 * the delete, so the row the source deleted stays: the load's source slots are all nullable, a field
 * the JSON line lacks is NULL (or the column's default), and the scanner filters a row with NULL in a
 * NOT NULL column, the delete sign notwithstanding ("column(x) values is null while columns is not
 * nullable", be/src/vec/exec/scan/vfile_scanner.cpp `_convert_to_output_block` in 2.1 and 3.0,
 * be/src/vec/exec/scan/file_scanner.cpp in 3.1, where only a flexible partial update's unmentioned
 * columns are exempt).
 *
 * A value column's cell in a delete row is never read: a query reads a UNIQUE KEY row only when its
 * sign is 0 (the FE adds `__DORIS_DELETE_SIGN__ = 0` to the scan; merge-on-read applies it after
 * merging a key's versions, merge-on-write has marked the stored row deleted), and base compaction
 * drops delete rows (be/src/vec/olap/block_reader.cpp `_delete_sign_available`). Doris itself
 * writes such a cell: a partial update's delete row gets "arbitrary values" for the NOT NULL columns
 * without a default it lacks ("the row's delete sign is marked, and the value columns are useless and
 * won't be read", `insert_default()`, be/src/olap/rowset/segment_v2/segment_writer.cpp
 * `fill_missing_columns` in 2.1, be/src/olap/partial_update_info.cpp `FixedReadPlan::fill_missing_columns`
 * in 3.0 and 3.1). So the placeholder is the type's zero (0, '', 1970-01-01, [], {}), sent as a value
 * of the row, and the delete applies in both merge modes of 2.1, 3.0 and 3.1. A value column never
 * routes the row: a UNIQUE KEY table's partition and bucket columns are key columns (fe-core
 * PartitionDesc: "unique table's partition column must be key column"; DistributionDesc: "is not key
 * column").
 *
 * None for a table with a sequence column (`function_column.sequence_col` or `sequence_type`): Doris
 * applies a delete there only when its sequence value is at least the stored row's, and a placeholder
 * in the sequence column (or in the field the Doris Stream Load node's Sequence Column reads for a
 * hidden one, which this node cannot see) would be a low value that silently loses: the delete loaded,
 * counted, and the row stayed. Such a delete stays on Invalid (not_null, delete_sequence). None for a
 * key column (the delete must name its key, row-rejections.ts deleteKeyMissing) nor for a type whose
 * zero this node cannot write (HLL, BITMAP, QUANTILE_STATE, AGG_STATE, an unknown type). None when the
 * table's keys and sequence are not known (a manual schema, SHOW CREATE TABLE unreadable): a zero in
 * what is in truth a key column would delete the row of another key, and in a sequence column lose.
 *
 * None unless the table is known to have the hidden delete sign column (TableSchema.deleteSign, read
 * by reader.ts): a UNIQUE KEY table created while the FE config enable_batch_delete_by_default was
 * false has none, and a load drops `hidden_columns: __DORIS_DELETE_SIGN__` without a word (fe-core
 * Load.initColumns / NereidsLoadScanProvider add a hidden column only when `column != null &&
 * !column.isVisible()`; a Columns entry naming it is a source column no table column takes). The
 * placeholder row then loads as an upsert: the row the source deleted stays, its values zeroed.
 */
import { INVALID, type FailSlot } from './coerce-type';
import type { ColumnPlan } from './column-plans';
import type { DorisType, TableSchema } from './types';

/** Why a delete row cannot carry a placeholder for a column, for the not_null reason. */
export type NoPlaceholder = 'sequence' | 'key' | 'type' | 'unknown' | 'sign';

/** Per column plan: the coerced placeholder, or why there is none (a nullable or defaulted column needs none). */
export type DeletePlaceholder = { value: unknown } | { none: NoPlaceholder } | null;

/** The zero of a type, as a record would carry it; undefined when this node cannot write one. */
function zeroOf(type: DorisType): unknown {
	switch (type.kind) {
		case 'boolean':
			return false;
		case 'integer':
		case 'float':
		case 'decimal':
			return 0;
		case 'date':
			return '1970-01-01';
		case 'datetime':
			return '1970-01-01 00:00:00';
		case 'char':
		case 'varchar':
		case 'string':
			return '';
		case 'json':
		case 'variant':
		case 'map':
		case 'struct':
			return {};
		case 'array':
			return [];
		case 'ipv4':
			return '0.0.0.0';
		case 'ipv6':
			return '::';
		case 'opaque':
		case 'unknown':
			return undefined;
	}
}

/** The placeholders of a table's column plans, in plan order (compiled once per mapper). */
export function deletePlaceholders(schema: TableSchema, plans: readonly ColumnPlan[]): DeletePlaceholder[] {
	const sequenced = schema.sequenceColumn !== null || schema.hasSequenceType;
	const keys = new Set(schema.keyColumns);
	for (const c of schema.columns) if (c.isKey) keys.add(c.name);
	const known = schema.keyModel === 'UNIQUE' && keys.size > 0;
	const types = new Map(schema.columns.map((c) => [c.name, c.type]));
	const fail: FailSlot = { rule: 'type', detail: '', path: '' };
	return plans.map((p) => {
		if (p.nullable || p.hasDefault) return null;
		if (keys.has(p.column)) return { none: 'key' };
		if (!known) return { none: 'unknown' };
		if (sequenced) return { none: 'sequence' };
		if (schema.deleteSign !== true) return { none: 'sign' };
		const type = types.get(p.column);
		const zero = type === undefined ? undefined : zeroOf(type);
		if (zero === undefined) return { none: 'type' };
		const value = p.handler.coerce(zero, fail);
		return value === INVALID ? { none: 'type' } : { value };
	});
}
