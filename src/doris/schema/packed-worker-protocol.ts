/**
 * What crosses the thread boundary between packed-worker-pool.ts (n8n's main thread) and
 * packed-worker-thread.ts: the messages, and a row mapper described as plain data. A RowMapper
 * holds compiled column plans (functions), which cannot be posted; the worker rebuilds it from its
 * schema and options and keeps it under their key, so a request names the key and the worker
 * compiles each schema + options once.
 *
 * An item's text crosses as bytes in a transferred buffer, both ways, never as a cloned string: the
 * clone of a ~1.7 MB string cost n8n's main thread about twice a plain copy into bytes going out
 * (the serialiser's buffer grows as it writes), and coming back the string it rebuilt cost about
 * twice one read from the worker's UTF-8 bytes (bench/micro/packed-worker.ts, pool).
 */
import { isAscii } from 'node:buffer';
import type { TransferListItem } from 'node:worker_threads';

import type { PackedRows } from '../../common/item-contract';
import type { RoutedItem } from './route-items';
import type { InvalidLineCounts, RoutedPacked } from './route-packed';
import type { RowMapper, RowMapperOptions } from './row-mapper';
import type { TableSchema } from './types';

/**
 * A text as bytes: Latin-1 (one byte per character) when no character is above U+00FF, as is every
 * character of the usual, ASCII JSON; else UTF-16 (two bytes per unit, lone surrogates kept). Both
 * read back to exactly the text.
 */
export interface TextBytes {
	bytes: Uint8Array<ArrayBuffer>;
	encoding: 'latin1' | 'utf16le';
}

/** Main → worker. `packed` is the item with jsonLines "": its text is `text`. */
export type PackedWorkerRequest =
	| { kind: 'route'; id: number; key: string; schema: TableSchema; options: RowMapperOptions; packed: PackedRows; text: TextBytes; index: number }
	/**
	 * Test hooks: 'exit' ends the worker at once, 'throw' makes its next route fail, 'exit-after-part' ends it once that route has sent a part,
	 * 'unreadable-part' makes the next part it sends one the main thread cannot read (a value nested deeper than its stack reads back).
	 */
	| { kind: 'test'; hook: PackedWorkerTestHook };

export type PackedWorkerTestHook = 'exit' | 'throw' | 'exit-after-part' | 'unreadable-part';

/**
 * Worker → main. `bytes`: the rows' JSON lines in UTF-8, transferred (src/common/encoded-lines.ts);
 * when it is there, routed.packed.jsonLines is "" and the text is those bytes read as UTF-8, or, with
 * `unchanged`, the request's own text (every line kept as it stood): the main thread has that string
 * already and keeps it instead of reading a copy back (for ASCII text the bytes are then the request's
 * own buffer, handed back). `spare`: the request's buffer, handed back for the next request when the
 * worker is done with it (RequestBuffers).
 */
export type PackedWorkerResponse =
	| { id: number; ok: true; routed: RoutedPacked; counts: InvalidLineCounts; unmatched: Map<string, number>; bytes?: Uint8Array; unchanged?: true; spare?: ArrayBuffer }
	| { id: number; ok: false; message: string };

/**
 * Worker → main, before the response of item `id`: the next of its invalid items, in order
 * (route-packed.ts INVALID_PART_ITEMS). The response's `routed.invalid` holds those after the last
 * part. Kept only with the response: a worker that stops or fails before it answers, or sends a
 * message the main thread cannot read (a part, maybe), has its item mapped again from the start, and
 * the parts go.
 */
export interface PackedWorkerInvalidPart {
	id: number;
	invalidPart: RoutedItem[];
}

export type PackedWorkerMessage = PackedWorkerResponse | PackedWorkerInvalidPart;

interface MapperSpec {
	key: string;
	schema: TableSchema;
	options: RowMapperOptions;
}

/** Schema + options of a mapper as the worker needs them; the key is computed once per mapper. */
const specs = new WeakMap<RowMapper, MapperSpec>();
function specOf(mapper: RowMapper): MapperSpec {
	let spec = specs.get(mapper);
	if (spec === undefined) {
		spec = { key: JSON.stringify([mapper.schema, mapper.options]), schema: mapper.schema, options: mapper.options };
		specs.set(mapper, spec);
	}
	return spec;
}

/** A character above U+00FF. On a string V8 stores one byte per character, the test ends at once. */
const ABOVE_LATIN1 = /[\u0100-\uffff]/;
const NOT_ASCII = /[\u0080-\uffff]/;
/**
 * Characters looked at before a text is taken for one V8 stores two bytes per character (as it stores
 * any text with a character that is not ASCII decoded from UTF-8): the test for a character above
 * U+00FF would read all of such a text when it has none, ~0.13 µs per 335-byte line.
 */
const PROBE = 256;

/** How `text` travels: Latin-1 when that holds every character, else UTF-16. */
function encodingOf(text: string): TextBytes['encoding'] {
	if (NOT_ASCII.test(text.slice(0, PROBE))) return 'utf16le';
	return ABOVE_LATIN1.test(text) ? 'utf16le' : 'latin1';
}

/**
 * Buffers the worker handed back (`spare`), for the next requests' text. A fresh buffer per request,
 * ~1.7 MB per 5,000 benchmark lines, was freed only when the worker's garbage collector got to it,
 * while n8n's main thread allocated the next ones: malloc memory that piled up on both threads.
 */
export class RequestBuffers {
	private readonly spares: ArrayBuffer[] = [];

	constructor(private readonly keep: number) {}

	/** A spare of at least `size` bytes and not more than twice that (a much bigger one is not held for a small text), or undefined. */
	take(size: number): ArrayBuffer | undefined {
		const at = this.spares.findIndex((b) => b.byteLength >= size && b.byteLength <= 2 * size + 64 * 1024);
		return at < 0 ? undefined : this.spares.splice(at, 1)[0];
	}

	/** Keeps a buffer handed back, the newest `keep` of them (none bigger than KEEP_SPARE_BYTES). */
	give(buffer: ArrayBuffer): void {
		if (buffer.byteLength > KEEP_SPARE_BYTES || buffer.byteLength === 0) return;
		this.spares.push(buffer);
		if (this.spares.length > this.keep) this.spares.shift();
	}

	get size(): number {
		return this.spares.length;
	}
}

/** A buffer handed back larger than this is not kept: the rare huge item does not pin its memory. */
const KEEP_SPARE_BYTES = 16 * 1024 * 1024;

/**
 * `text` as bytes in a buffer of their own, to transfer (Buffer.from may lend a slice of a shared
 * pool): a spare from `buffers` when one fits, else a new one.
 */
export function textBytes(text: string, buffers?: RequestBuffers): TextBytes {
	const encoding = encodingOf(text);
	const size = encoding === 'latin1' ? text.length : 2 * text.length;
	const spare = buffers?.take(size);
	const bytes = spare === undefined ? Buffer.allocUnsafeSlow(size) : Buffer.from(spare, 0, size);
	bytes.write(text, encoding);
	return { bytes, encoding };
}

/** The text `textBytes` was given. */
export function textOf({ bytes, encoding }: TextBytes): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
}

/** The request that routes item `index` (`packed`) with `mapper` in a worker, and what it transfers. */
export function routeRequest(id: number, mapper: RowMapper, packed: PackedRows, index: number, buffers?: RequestBuffers): { request: PackedWorkerRequest; transfer: TransferListItem[] } {
	const { key, schema, options } = specOf(mapper);
	const text = textBytes(packed.jsonLines, buffers);
	const request: PackedWorkerRequest = { kind: 'route', id, key, schema, options, packed: { ...packed, jsonLines: '' }, text, index };
	return { request, transfer: [text.bytes.buffer] };
}

/**
 * The code units of a request's text as the line sink reads them, straight from the bytes it came
 * in, when they are: Latin-1 bytes that are all ASCII (then they are its UTF-8 too), or UTF-16 (sent
 * so only for a text that is not ASCII). Else undefined, and the sink encodes the text itself.
 */
export function requestedUnits({ bytes, encoding }: TextBytes): Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | undefined {
	if (encoding === 'latin1') return isAscii(bytes) ? bytes : undefined;
	return bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1) : undefined;
}

/** The item a route request carries, with its text. */
export function requestedItem(request: Extract<PackedWorkerRequest, { kind: 'route' }>): PackedRows {
	return { ...request.packed, jsonLines: textOf(request.text) };
}

/**
 * The response for `routed`, whose lines are `bytes` in UTF-8: the text travels only as those bytes,
 * or not at all when it is the request's own text (`unchanged`).
 */
export function routedResponse(
	id: number,
	routed: RoutedPacked,
	counts: InvalidLineCounts,
	unmatched: Map<string, number>,
	bytes: Buffer<ArrayBuffer> | undefined,
	unchanged = false,
	requestBuffer?: ArrayBuffer,
): { response: PackedWorkerResponse; transfer: TransferListItem[] } {
	// The request's buffer goes back unless it is the answer's own bytes (lines unchanged, ASCII).
	const spare = requestBuffer !== undefined && requestBuffer !== bytes?.buffer ? requestBuffer : undefined;
	let response: PackedWorkerResponse;
	const transfer: TransferListItem[] = [];
	if (bytes === undefined || routed.packed === null) response = { id, ok: true, routed, counts, unmatched };
	else {
		const packed: PackedRows = { ...routed.packed, jsonLines: '' };
		response = { id, ok: true, routed: { packed, invalid: routed.invalid }, counts, unmatched, bytes };
		if (unchanged) response.unchanged = true;
		transfer.push(bytes.buffer);
	}
	if (spare !== undefined) {
		response.spare = spare;
		transfer.push(spare);
	}
	return { response, transfer };
}

/**
 * The routed item of a response to routing `requestText`: its text read back from the bytes (the
 * worker's text is those bytes read as UTF-8, src/doris/schema/line-sink.ts, so this is the same text),
 * or `requestText` itself when the worker found the lines unchanged (no copy: n8n holds a node's
 * output until its execution ends, so a second ~1.7 MB string per execution in flight).
 */
export function routedOf(response: Extract<PackedWorkerResponse, { ok: true }>, requestText: string): RoutedPacked {
	const { routed, bytes } = response;
	if (bytes === undefined || routed.packed === null) return routed;
	routed.packed.jsonLines = response.unchanged === true ? requestText : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
	return routed;
}
