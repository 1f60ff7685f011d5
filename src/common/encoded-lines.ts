/**
 * What the Doris Schema node wrote into a packed item, remembered for the Stream Load node:
 * - the UTF-8 bytes of its JSON lines, when its worker thread encoded them off n8n's main thread and
 *   handed them over without a copy, so the Stream Load node need not encode the text again;
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
	bytes?: Uint8Array;
}

const cache = new WeakMap<PackedRows, Written>();

/**
 * Records that `bytes` is `rows.jsonLines` in UTF-8 (as Buffer.from(text, 'utf8') writes it), for
 * rows the Doris Schema node's mapPackedLines wrote: `count` lines, each one serialised row.
 */
export function rememberEncodedLines(rows: PackedRows, bytes: Uint8Array): void {
	cache.set(rows, { text: rows.jsonLines, count: rows.count, deleteSign: rows.deleteSign, bytes });
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

/** The bytes of `rows.jsonLines`, when they were recorded for exactly this text. */
export function encodedLines(rows: PackedRows): Uint8Array | undefined {
	const entry = cache.get(rows);
	return entry !== undefined && entry.text === rows.jsonLines ? entry.bytes : undefined;
}
