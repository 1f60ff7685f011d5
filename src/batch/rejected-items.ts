/**
 * The items the Doris Stream Load node hands to its Rejected output, shaped as the Doris Schema node's
 * invalid items so that one dead-letter branch serves both nodes: the item's JSON (for a packed line,
 * the parsed line and `_kafka` with where it came from) plus
 * `_invalid: {table, reasons: [{column, value, expected, rule, message}]}`. They are the rows Doris
 * refused at load time (`rejectedItems`, rule `doris_rejected`), the rows taken out before the load
 * (`takenOutItems`: see load-items.ts), and the rows that did not load with their execution
 * (`notLoadedItems`, rule `doris_not_loaded`; refusal.ts); a row Doris 2.1 / 3.0 refused for its new key in a
 * partial update in strict mode has rule `doris_new_key` (new-keys.ts).
 */
import { KAFKA_METADATA_FIELD, type PackedRows } from '../common/item-contract';
import { parseJsonExact } from '../common/exact-json';
import { packedLine, packedLineOrigin, readPackedRows } from '../common/packed-rows';
import { INVALID_FIELD, type InvalidInfo } from '../doris/schema/route-items';
import type { Rejection } from '../doris/schema/row-mapper';
import { isRows } from './batch-parts';
import type { RejectedRow } from './batcher';
import type { SortedItems } from './load-items';
import { notLoadedRefusal, type DorisRefusal } from './refusal';

/** An item made from a row Doris refused: `index` is the input item it came from (pairedItem). */
export interface RejectedItem {
	json: Record<string, unknown>;
	index: number;
}

/** The refused row's value of the column Doris named, when the row has that field. */
function valueOf(row: Readonly<Record<string, unknown>>, column: string | null): unknown {
	if (column === null) return null;
	if (column in row) return row[column] ?? null;
	const lower = column.toLowerCase();
	const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
	return key === undefined ? null : (row[key] ?? null);
}

function rejectedJson(row: Record<string, unknown>, table: string, refusal: DorisRefusal): Record<string, unknown> {
	const reason: Rejection = {
		column: refusal.column,
		value: valueOf(row, refusal.column),
		expected:
			refusal.uncounted === true
				? 'a row Doris counts in the load it commits'
				: refusal.notLoaded === true
					? `a row loaded with its execution's other rows`
					: refusal.newKey === true
						? `a key stored in table ${table} (a partial update in strict mode, Doris 2.1 / 3.0)`
						: `a row table ${table} accepts`,
		rule: refusal.uncounted === true ? 'doris_uncounted' : refusal.notLoaded === true ? 'doris_not_loaded' : refusal.newKey === true ? 'doris_new_key' : 'doris_rejected',
		message: refusal.notLoaded === true || refusal.uncounted === true ? refusal.message : `Doris refused the row: ${refusal.message}`,
	};
	const info: InvalidInfo = { table, reasons: [reason] };
	return { ...row, [INVALID_FIELD]: info };
}

/** A refused line of a packed item: parsed (or kept as text when it does not parse), with `_kafka`. */
function rejectedLine(packed: PackedRows, line: number, table: string, refusal: DorisRefusal): Record<string, unknown> {
	const text = packedLine(packed.jsonLines, line) ?? '';
	let row: Record<string, unknown>;
	try {
		const value = parseJsonExact(text);
		row = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { line: text };
	} catch {
		row = { line: text };
	}
	return { ...rejectedJson(row, table, refusal), [KAFKA_METADATA_FIELD]: packedLineOrigin(packed.sources, line) };
}

/**
 * The execution's items Doris refused, in item order: each refused row of an ordinary item is that
 * item plus `_invalid`, each refused line of a packed item a new item (the parsed line, `_invalid`,
 * `_kafka`). `rejected` numbers the rows as the load counted them: the parts' rows in order.
 */
export function rejectedItems(
	items: ReadonlyArray<{ json: Record<string, unknown> }>,
	sorted: SortedItems,
	rejected: ReadonlyArray<RejectedRow<DorisRefusal>>,
	table: string,
): RejectedItem[] {
	const out: RejectedItem[] = [];
	if (rejected.length === 0) return out;
	let next = 0;
	let rowBase = 0;
	let itemBase = 0;
	for (const part of sorted.parts) {
		const rows = isRows(part) ? part.length : part.rows;
		for (; next < rejected.length && rejected[next].row < rowBase + rows; next++) {
			const { row, reason } = rejected[next];
			const offset = row - rowBase;
			if (isRows(part)) {
				const index = sorted.loadable[itemBase + offset];
				out.push({ json: rejectedJson(items[index].json, table, reason), index });
			} else {
				const index = sorted.loadable[itemBase];
				const packed = readPackedRows(items[index].json) as PackedRows;
				out.push({ json: rejectedLine(packed, sorted.lineMaps.get(part)?.[offset] ?? offset, table, reason), index });
			}
		}
		rowBase += rows;
		itemBase += isRows(part) ? part.length : 1;
	}
	return out;
}

/**
 * The rows and packed lines taken out before the load (the Sequence Column and CSV checks), as rejected
 * items in item order: the row (a packed line parsed, with `_kafka`) plus `_invalid` naming the column and the rule.
 */
export function takenOutItems(items: ReadonlyArray<{ json: Record<string, unknown> }>, sorted: SortedItems, table: string): RejectedItem[] {
	return sorted.takenOut.map(({ index, row, reason, line }) => {
		const info: InvalidInfo = { table, reasons: [reason] };
		if (line === undefined) return { index, json: { ...row, [INVALID_FIELD]: info } };
		const packed = readPackedRows(items[index].json) as PackedRows;
		return { index, json: { ...row, [INVALID_FIELD]: info, [KAFKA_METADATA_FIELD]: packedLineOrigin(packed.sources, line) } };
	});
}

/**
 * Every row of `sorted` as a rejected item that did not load because of `error`: the execution's
 * rows for another table loaded, so it is not redelivered (the node decides; see refusal.ts).
 */
export function notLoadedItems(items: ReadonlyArray<{ json: Record<string, unknown> }>, sorted: SortedItems, error: unknown, table: string): RejectedItem[] {
	const reason = notLoadedRefusal(error, 'failed');
	const total = sorted.parts.reduce((n, part) => n + (isRows(part) ? part.length : part.rows), 0);
	return rejectedItems(items, sorted, Array.from({ length: total }, (_, row) => ({ row, reason })), table);
}
