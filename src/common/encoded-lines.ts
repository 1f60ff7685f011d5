/**
 * What the Doris Schema node wrote into a packed item, remembered for the Stream Load node:
 * - the UTF-8 length of its JSON lines, when its worker thread encoded them, so the Stream Load node
 *   need not measure the text. Not the bytes themselves: the batch encodes the text when it loads
 *   (src/batch/byte-buffer.ts), and bytes kept here would live as long as n8n holds the item, ~1.8 MB
 *   per 5,000-line execution in flight besides its text;
 * - that the lines are exactly the ones it wrote (count, none empty), so they need no second walk;
 * - that its `deleteSign` flag is the one it set after reading every line, so a flag false needs no
 *   search of the lines for the delete sign.
 *
 * A cache, never a channel: keyed by the PackedRows object itself and valid only while its
 * `jsonLines`, `count` and `deleteSign` are still what the node wrote. Wherever the item was copied
 * (n8n's queue mode, a Code node in between) or built by hand there is no entry, and the Stream Load
 * node checks and searches the text as it always did; what loads is the text either way.
 */
import type { PackedRows } from './item-contract';

interface Written {
	text: string;
	count: number;
	deleteSign: boolean | undefined;
	byteLength?: number;
}

const cache = new WeakMap<PackedRows, Written>();

/**
 * Records that `rows.jsonLines` takes `byteLength` bytes in UTF-8 (as Buffer.from(text, 'utf8') writes
 * it), for rows the Doris Schema node's mapPackedLines wrote: `count` lines, each one serialised row.
 */
export function rememberEncodedLines(rows: PackedRows, byteLength: number): void {
	cache.set(rows, { text: rows.jsonLines, count: rows.count, deleteSign: rows.deleteSign, byteLength });
}

/** rememberEncodedLines without bytes: rows mapPackedLines wrote in the calling thread. */
export function rememberWrittenLines(rows: PackedRows): void {
	cache.set(rows, { text: rows.jsonLines, count: rows.count, deleteSign: rows.deleteSign });
}

function written(rows: PackedRows): Written | undefined {
	const entry = cache.get(rows);
	// Usually the same string object (a pointer comparison); a replaced text compares by content.
	return entry !== undefined && entry.count === rows.count && entry.text === rows.jsonLines ? entry : undefined;
}

/**
 * Whether `rows` still hold exactly the lines and count mapPackedLines wrote: then none is empty and
 * they are `count`, and the Stream Load node need not walk ~5,000 lines again on n8n's main thread
 * to check it (src/common/packed-rows.ts packedLinesError). A changed text or count is checked.
 */
export function linesAsWritten(rows: PackedRows): boolean {
	return written(rows) !== undefined;
}

/**
 * Whether the Doris Schema node wrote these very lines and said none carries the delete sign (flag
 * false, unchanged since). Only then is a flag false believed without a search of the lines: a
 * packed item built by hand (a Code node) may say false while its lines carry the sign 1.
 */
export function writtenWithoutDeleteSign(rows: PackedRows): boolean {
	return rows.deleteSign === false && written(rows)?.deleteSign === false;
}

/** The UTF-8 length of `rows.jsonLines`, when it was recorded for exactly this text. */
export function encodedByteLength(rows: PackedRows): number | undefined {
	const entry = cache.get(rows);
	return entry !== undefined && entry.text === rows.jsonLines ? entry.byteLength : undefined;
}
