/**
 * The UTF-8 bytes of a packed item's JSON lines, when the code that wrote the lines already has them:
 * the Doris Schema node's worker thread encodes its output off n8n's main thread and hands the bytes
 * over without a copy, so the Stream Load node need not encode the text again on the main thread.
 *
 * A cache, never a channel: keyed by the PackedRows object itself and valid only while its
 * `jsonLines` is still the text the bytes were made from. Wherever the item was copied (n8n's queue
 * mode, a Code node in between) there is no entry, and the Stream Load node encodes the text as it
 * always did; what loads is the text either way.
 */
import type { PackedRows } from './item-contract';

const cache = new WeakMap<PackedRows, { text: string; count: number; bytes: Uint8Array }>();

/**
 * Records that `bytes` is `rows.jsonLines` in UTF-8 (as Buffer.from(text, 'utf8') writes it), for
 * rows the Doris Schema node's mapPackedLines wrote: `count` lines, each one serialised row.
 */
export function rememberEncodedLines(rows: PackedRows, bytes: Uint8Array): void {
	cache.set(rows, { text: rows.jsonLines, count: rows.count, bytes });
}

/**
 * Whether `rows` still hold exactly the lines and count mapPackedLines wrote: then none is empty and
 * they are `count`, and the Stream Load node need not walk ~5,000 lines again on n8n's main thread
 * to check it (src/common/packed-rows.ts packedLinesError). A changed text or count is checked.
 */
export function linesAsWritten(rows: PackedRows): boolean {
	const entry = cache.get(rows);
	return entry !== undefined && entry.count === rows.count && entry.text === rows.jsonLines;
}

/** The bytes of `rows.jsonLines`, when they were recorded for exactly this text. */
export function encodedLines(rows: PackedRows): Uint8Array | undefined {
	const entry = cache.get(rows);
	// Usually the same string object (a pointer comparison); a replaced text compares by content.
	return entry !== undefined && entry.text === rows.jsonLines ? entry.bytes : undefined;
}

