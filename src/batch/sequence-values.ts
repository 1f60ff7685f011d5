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
 */
import { DELETE_SIGN_COLUMN } from '../common/item-contract';
import { parseJsonExact } from '../common/exact-json';
import type { Rejection } from '../doris/schema/row-mapper';

export interface SequenceCheck {
	/** The source column the Sequence Column option names. */
	column: string;
	/** Every row deletes (`merge_type: DELETE`), whatever its delete sign says. */
	deletesAll: boolean;
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
	if (deletesAll) return true;
	const sign = row[DELETE_SIGN_COLUMN];
	return sign === 1 || sign === true || sign === '1' || sign === 'true';
}

/** Why the row cannot load with this Sequence Column, or undefined when it has a value for it. */
export function missingSequence(row: Readonly<Record<string, unknown>>, check: SequenceCheck): Rejection | undefined {
	const value = fieldValue(row, check.column);
	if (value !== undefined && value !== null) return undefined;
	const state = value === null ? 'null' : 'missing';
	const deletes = isDelete(row, check.deletesAll);
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

/** A packed line taken out of its item: its index, the row it holds, why. */
export interface RefusedLine {
	line: number;
	row: Record<string, unknown>;
	reason: Rejection;
}

/**
 * Packed JSON lines without the lines that have no sequence value: the lines kept (`text`, in order),
 * the index of each kept line in the item, and the lines taken out; undefined when every line has a
 * value. A line that does not parse stays: Doris refuses it with its own reason. Cost, only with the
 * option set: one JSON.parse per line (a scan of the text without parsing, tried, was no faster).
 */
export function splitBySequence(jsonLines: string, check: SequenceCheck): { text: string; kept: number[]; refused: RefusedLine[] } | undefined {
	const refused: RefusedLine[] = [];
	const kept: number[] = [];
	let text = '';
	let start = 0;
	let copied = 0;
	for (let line = 0; start < jsonLines.length; line++) {
		const newline = jsonLines.indexOf('\n', start);
		const end = newline < 0 ? jsonLines.length : newline + 1;
		const reason = lineReason(jsonLines.slice(start, newline < 0 ? end : newline), check);
		if (reason === undefined) kept.push(line);
		else {
			text += jsonLines.slice(copied, start);
			copied = end;
			refused.push({ line, row: reason.row, reason: reason.reason });
		}
		start = end;
	}
	if (refused.length === 0) return undefined;
	return { text: text + jsonLines.slice(copied), kept, refused };
}

function lineReason(text: string, check: SequenceCheck): { row: Record<string, unknown>; reason: Rejection } | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
	const reason = missingSequence(value as Record<string, unknown>, check);
	// The row handed back keeps big numbers exact (JSON.parse would round them).
	return reason === undefined ? undefined : { row: parseJsonExact(text) as Record<string, unknown>, reason };
}
