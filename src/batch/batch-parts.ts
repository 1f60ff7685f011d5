/**
 * What an execution hands the batcher, and how it becomes lines: parts of rows (serialised here, once)
 * or chunks of lines already in the wire format (cut here, at line ends only, when one is over the
 * batch limits on its own). Kept apart from batcher.ts, which decides which batch each line joins and
 * when a batch loads, so these rules are tested without timers or loads: a bad row fails its call
 * before any of its rows is shared, named by its index; a chunk is never cut inside a line.
 */
import type { RowSerializer } from '../doris/stream-load/wire-format';
import type { BatchLimits } from './batch-limits';

export type Row = Readonly<Record<string, unknown>>;

/** Rows already in the wire format: `text` holds `rows` lines, each ending in "\n". */
export interface LineChunk {
	text: string;
	rows: number;
	/**
	 * The UTF-8 length of `text` when the caller knows it (src/common/encoded-lines.ts), so it need not
	 * be measured. It must be exact: the batch's size is counted with it, and the load fails when the
	 * text does not encode to it.
	 */
	byteLength?: number;
}

/**
 * One part of what an execution adds: rows to serialise (an array), or a chunk of lines loaded as
 * they are. An array of rows rather than one part per row: the per-message path stays one part.
 */
export type BatchPart = ReadonlyArray<Row> | LineChunk;

const NEWLINE = 0x0a;

/** Whether a part holds rows (else it is a chunk of lines). */
export function isRows(part: BatchPart): part is ReadonlyArray<Row> {
	return Array.isArray(part);
}

/**
 * Serialises every row of `parts`: one array of lines per part of rows, in part order, and `total`,
 * the call's row count (chunks' lines included). Everything is serialised before any of it joins a
 * batch, so a bad row fails its execution alone. A bad row is named by its index among the rows to
 * serialise (chunks' lines not counted). `newline`: the lines lack their final "\n", which whoever writes
 * them adds (RowSerializer.withoutNewline).
 */
export function serialiseParts(parts: ReadonlyArray<BatchPart>, serialize: RowSerializer): { serialised: string[][]; total: number; newline: boolean } {
	// Lines without their "\n" where the serializer gives them so (`newline`: the writer adds it).
	const line = serialize.withoutNewline ?? serialize;
	const serialised: string[][] = [];
	let total = 0;
	let rowIndex = 0;
	for (const part of parts) {
		if (!isRows(part)) {
			const unended = unendedChunkError(part, total);
			if (unended !== undefined) throw unended;
			total += part.rows;
			continue;
		}
		const lines = new Array<string>(part.length);
		for (let i = 0; i < part.length; i++) {
			try {
				lines[i] = line(part[i]);
			} catch (error) {
				throw new Error(`Row ${rowIndex + i}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		serialised.push(lines);
		rowIndex += part.length;
		total += part.length;
	}
	return { serialised, total, newline: serialize.withoutNewline !== undefined };
}

/**
 * Why a chunk cannot join a batch as LineChunk says it is, or undefined: its last line must end in "\n",
 * else the next row appended (another execution's, in a shared batch) joins that line and Doris reads
 * one row fewer than the batch counts (the whole batch then comes back as uncounted). Checked here, with
 * every part, before any of the call's rows joins a batch; one endsWith per chunk.
 */
function unendedChunkError(chunk: LineChunk, rowsBefore: number): Error | undefined {
	if (chunk.text.length === 0 || chunk.text.endsWith('\n')) return undefined;
	return new Error(`A chunk of ${chunk.rows} JSON line(s) after row ${rowsBefore} does not end in "\\n": its last line would be glued to the next row in the batch, so Doris would count a row fewer (a bug in the caller; packed items are ended where the Stream Load node reads them)`);
}

/** A chunk's UTF-8 length: the one its caller said, else measured. */
export function chunkByteLength(chunk: LineChunk): number {
	return chunk.byteLength ?? Buffer.byteLength(chunk.text, 'utf8');
}

/** A chunk's UTF-8 bytes (for a chunk that must be cut at line ends). */
export function chunkBytes(chunk: LineChunk): Buffer {
	return Buffer.from(chunk.text, 'utf8');
}

/** Whether a chunk joins a batch whole: within max rows and max bytes on its own (else chunkPiece cuts it). */
export function chunkFitsWhole(rows: number, byteLength: number, limits: Pick<BatchLimits, 'maxRows' | 'maxBytes'>): boolean {
	return rows <= limits.maxRows && byteLength <= limits.maxBytes;
}

/**
 * The next piece of a chunk (`bytes`, `rows` lines) from byte `start`: it ends at byte `end` and holds
 * `lines` lines. The whole chunk when it is within the limits; else as many whole lines as fit within
 * max rows and max bytes, at least one (a single line over max bytes goes alone).
 */
export function chunkPiece(bytes: Buffer, rows: number, start: number, limits: Pick<BatchLimits, 'maxRows' | 'maxBytes'>): { end: number; lines: number } {
	const { maxRows, maxBytes } = limits;
	let end = bytes.length;
	let lines = rows;
	if (start > 0 || rows > maxRows || bytes.length > maxBytes) {
		// UTF-8 never has the newline byte inside a multi-byte character: after 0x0A is a line end.
		end = start;
		lines = 0;
		while (end < bytes.length && lines < maxRows) {
			const newline = bytes.indexOf(NEWLINE, end);
			const next = newline < 0 ? bytes.length : newline + 1;
			if (lines > 0 && next - start > maxBytes) break;
			end = next;
			lines += 1;
		}
	}
	return { end, lines };
}
