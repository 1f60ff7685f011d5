/**
 * The Doris Stream Load node's Sequence Column (`function_column.sequence_col`): which rows would
 * load without a sequence value, and so vanish. For a table with a hidden sequence column
 * (`function_column.sequence_type`) the header names the source column that fills
 * `__DORIS_SEQUENCE_COL__` (FE LoadScanProvider: `SEQUENCE_COL = SlotRef(sequence_col)`). That
 * hidden column is nullable without a default (ColumnDefinition.newSequenceColumnDefinition), so a
 * row whose source column is null or missing loads with a NULL sequence value, is counted as loaded,
 * and Doris keeps any stored row of its key over it: NULL sorts below every sequence value
 * (be/src/olap/memtable.cpp `_aggregate_two_row_in_block` compares with `compare_at(..., -1)`;
 * merge-on-write encodes a NULL sequence as the smallest key, segment_writer.cpp
 * `_encode_seq_column`, and marks the new row deleted when a stored one is higher, segment.cpp
 * `lookup_row_key` "key with higher sequence id exists"). A delete without a value deletes nothing.
 *
 * Such rows are taken out before the load and handed back on the Rejected output with the reason,
 * or, when Rejected leads nowhere, refuse their item (the execution fails, nothing is committed).
 * An upsert whose JSON lacks the field (not null) when a table column of the field's name has a
 * DEFAULT: Doris fills the missing field with it, so the sequence value is that default, not NULL
 * (`missingDefault`, sequenceDefault). A constant default is a value like any other, and a stored row
 * of the key with a higher one keeps the row out as surely as NULL: rule `missing_sequence`. Only a
 * DEFAULT CURRENT_TIMESTAMP, the load's time, lets such a row load (row-rejections.ts isLoadTimeDefault).
 *
 * A partial update changes nothing here, unlike for the table's own sequence column the Doris Schema node
 * checks (src/doris/schema/sequence-partial-update.ts): with this header FE StreamLoadPlanner puts the
 * hidden column among the updated ones (`taskInfo.hasSequenceCol()` adds `__DORIS_SEQUENCE_COL__` to the
 * partial update's input columns; 2.1, 3.0, 3.1), so the BE reads each row's value and compares it as in
 * any load (segment_writer.cpp / vertical_segment_writer.cpp `have_input_seq_column` true); the field must
 * then be among the Columns (sequenceReader). Flexible partial updates refuse the option (options.ts).
 */
import { DELETE_SIGN_COLUMN } from '../common/item-contract';
import type { Rejection } from '../doris/schema/row-mapper';
import { constantDefaultSequence, isLoadTimeDefault } from '../doris/schema/row-rejections';
import type { TableSchema } from '../doris/schema/types';
import { columnExpression, columnName, sourceColumns } from '../doris/stream-load/columns';
import { followPath, pathSteps } from '../doris/stream-load/json-paths';
import { signDeletes } from './delete-rows';

export interface SequenceCheck {
	/** The source column the Sequence Column option names. */
	column: string;
	/** Every row deletes (`merge_type: DELETE`), whatever its delete sign says. */
	deletesAll: boolean;
	/** Where a row holds that column's value when the load maps it (sequenceReader); default: the field of its name. */
	read?: (row: Readonly<Record<string, unknown>>) => unknown;
	/**
	 * The load reads JSON and a table column of the field's name has this DEFAULT: an upsert lacking the
	 * field loads with it as its sequence value (sequenceDefault). It may, when that is the load's time
	 * (CURRENT_TIMESTAMP); a constant one goes to Rejected (`missing_sequence`). A delete still needs a
	 * value of its own, as the Doris Schema node asks (src/doris/schema/row-rejections.ts missingSequence).
	 */
	missingDefault?: string;
}

/** How the load reads its rows: the `columns` entries, JSON Paths and json_root, as sent to Doris. */
export interface SequenceLoadShape {
	columns?: readonly string[];
	jsonpaths?: string;
	jsonRoot?: string;
}

/** The source column the hidden sequence column is filled from: the Columns entry of that name, else the name itself. */
export function sequenceSourceField(column: string, columns: readonly string[] | undefined): string {
	const entry = (columns ?? []).find((e) => columnName(e).toLowerCase() === column.toLowerCase());
	return entry === undefined ? column : columnName(entry);
}

/**
 * The DEFAULT Doris fills a JSON line's missing `field` with, or undefined: the FE puts each table column's
 * DEFAULT on the source slot of its name (FileLoadScanNode / LoadScanProvider,
 * `putToDefaultValueOfSrcSlot`) and the BE's JSON reader writes it for a field the line lacks
 * (be/src/vec/exec/format/json/new_json_reader.cpp `_fill_missing_column`; 2.1, 3.0, 3.1), so
 * `__DORIS_SEQUENCE_COL__ = SlotRef(field)` gets it. Not AUTO_INCREMENT: that value is made at the
 * table sink, after the sequence value was taken from the slot. A CSV line has every field. A schema
 * that cannot be read answers undefined: the rows stay refused, never loaded with a NULL sequence.
 */
export async function sequenceDefault(readSchema: () => Promise<TableSchema>, field: string): Promise<string | undefined> {
	try {
		const column = (await readSchema()).columns.find((c) => c.name.toLowerCase() === field.toLowerCase());
		return column === undefined || column.defaultValue === null || column.defaultValue.toUpperCase() === 'NULL' ? undefined : column.defaultValue;
	} catch {
		return undefined;
	}
}

/**
 * Where a row holds the value Doris puts in the hidden sequence column, with the load's Columns, JSON
 * Paths and json_root: FE Load.initColumns takes `function_column.sequence_col` as one of the data's
 * columns, which JSON Paths fill by position among the Columns' plain names (stream-load manual,
 * "jsonpaths"), under json_root. Undefined when the row's field of that name is read (no mapping); an
 * Error for a computed column (Doris refuses it) or a path this node cannot follow: checking the field
 * of that name instead would refuse rows that load well, or pass rows that vanish.
 */
export function sequenceReader(column: string, load: SequenceLoadShape): SequenceCheck['read'] | Error {
	const root = load.jsonRoot === undefined || load.jsonRoot === '' ? [] : pathSteps(load.jsonRoot);
	if (root === undefined) return new Error(`Sequence Column "${column}": the json_root header "${load.jsonRoot}" is not a JSON path this node can follow ($.a.b, $['a'], $.a[0]) to check which rows lack the value`);
	const entries = load.columns ?? [];
	const folded = column.toLowerCase();
	let field = column;
	const entry = entries.find((e) => columnName(e).toLowerCase() === folded);
	// Columns that do not name it: for a hidden sequence column Doris maps `SlotRef(sequence_col)` over the
	// Columns' fields only and refuses the load (FE Load.initColumns, "unknown reference column"; 2.1, 3.0,
	// 3.1); for a mapped one (function_column.sequence_col) a load of whole rows is refused ("need to
	// specify the sequence column", LoadScanProvider) and a fixed partial update does not take the value
	// from the rows. Checking rows by a field Doris does not read sent them to Rejected for nothing.
	if (entries.length > 0 && entry === undefined) {
		return new Error(
			`Sequence Column "${column}" is not among the Columns (${entries.join(', ')}): Doris fills its hidden sequence column only from a field the load reads and refuses the load (unknown reference column); ` +
				`a table whose own sequence column is mapped (function_column.sequence_col) refuses a load of whole rows without it too, and a partial update then takes no value from the rows. ` +
				`List "${column}" in Columns, or, for a partial update that leaves a mapped sequence column to Doris (it keeps the stored value), leave Sequence Column empty`,
		);
	}
	if (entry !== undefined) {
		// FE Load.initColumns maps the hidden column to a slot of the data (`SlotRef(sequence_col)` among
		// the source slots): a computed column is none, and Doris refuses the load with "unknown reference
		// column"; said here before any row is judged by a field the load does not read.
		if (columnExpression(entry) !== undefined) {
			return new Error(
				`Sequence Column "${column}" is computed by the Columns entry "${entry}", and Doris fills its hidden sequence column only from a field of the data (it refuses the load: unknown reference column); name such a field, listed in Columns, as the Sequence Column`,
			);
		}
		field = columnName(entry);
	}
	if (load.jsonpaths !== undefined && load.jsonpaths !== '') {
		let paths: unknown;
		try {
			paths = JSON.parse(load.jsonpaths);
		} catch {
			paths = undefined;
		}
		const sources = sourceColumns(entries);
		const at = sources.findIndex((name) => name.toLowerCase() === field.toLowerCase());
		const path = Array.isArray(paths) && at >= 0 && typeof paths[at] === 'string' ? pathSteps(paths[at] as string) : undefined;
		if (path === undefined) {
			return new Error(
				`Sequence Column "${column}": with JSON Paths, this node finds its value through the path in the position of "${field}" among the Columns (the plain names), and that is ${at < 0 ? 'no column listed' : `not a path it can follow: ${JSON.stringify(Array.isArray(paths) ? paths[at] : load.jsonpaths)}`}`,
			);
		}
		return (row) => followPath(followPath(row, root), path);
	}
	if (root.length === 0 && field.toLowerCase() === folded) return undefined;
	return (row) => {
		const at = followPath(row, root);
		return at !== null && typeof at === 'object' && !Array.isArray(at) ? fieldValue(at as Record<string, unknown>, field) : undefined;
	};
}

/** A row's value for `column` as Doris' JSON reader finds it: the key itself, else another case of it. */
export function fieldValue(row: Readonly<Record<string, unknown>>, column: string): unknown {
	if (Object.prototype.hasOwnProperty.call(row, column)) return row[column];
	const lower = column.toLowerCase();
	let value: unknown;
	for (const key of Object.keys(row)) if (key.toLowerCase() === lower) value = row[key];
	return value;
}

/** Whether the row deletes its key: the delete sign as Doris reads it, or merge_type DELETE. */
function isDelete(row: Readonly<Record<string, unknown>>, deletesAll: boolean): boolean {
	return deletesAll || signDeletes(row[DELETE_SIGN_COLUMN]);
}

/** Why the row cannot load with this Sequence Column, or undefined when it has a value for it. */
export function missingSequence(row: Readonly<Record<string, unknown>>, check: SequenceCheck): Rejection | undefined {
	const value = check.read === undefined ? fieldValue(row, check.column) : check.read(row);
	if (value !== undefined && value !== null) return undefined;
	const state = value === null ? 'null' : 'missing';
	const deletes = isDelete(row, check.deletesAll);
	if (value === undefined && check.missingDefault !== undefined && !deletes) {
		if (isLoadTimeDefault(check.missingDefault)) return undefined;
		const what = `the Sequence Column "${check.column}" (function_column.sequence_col, Doris' sequence value) is missing in this row`;
		return { column: check.column, value: null, expected: `a value for the Sequence Column "${check.column}"`, rule: 'missing_sequence', message: constantDefaultSequence(what, check.missingDefault) };
	}
	return {
		column: check.column,
		value: null,
		expected: `a value for the Sequence Column "${check.column}"`,
		rule: deletes ? 'delete_sequence' : 'null_sequence',
		message:
			`the Sequence Column "${check.column}" (function_column.sequence_col, Doris' sequence value) is ${state} in this ${deletes ? 'delete' : 'row'}, ` +
			`and Doris keeps a stored row of the same key whose sequence value is higher (NULL is below every value): ` +
			`${deletes ? 'the delete would delete nothing' : 'the row would load and be ignored'}; give every row a value for "${check.column}"`,
	};
}

