/**
 * What crosses to the worker thread and back (packed-worker-protocol.ts): the row mapper as plain
 * data it can rebuild the mapper from, under a key that is the same exactly when the mapper would be,
 * and the item's text as transferred bytes that read back to exactly the text, both ways.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, type TransferListItem } from 'node:worker_threads';

import fc from 'fast-check';

import { RequestBuffers, requestedItem, requestedUnits, routedOf, routedResponse, routeRequest, textBytes, textOf, type PackedWorkerRequest, type PackedWorkerResponse } from '../../../../src/doris/schema/packed-worker-protocol';
import { LineSink } from '../../../../src/doris/schema/line-sink';
import type { PackedRows } from '../../../../src/common/item-contract';
import { emptyInvalidLineCounts, mapPackedLinesToBytes, routePacked, type RoutedPacked } from '../../../../src/doris/schema/route-packed';
import { RowMapper } from '../../../../src/doris/schema/row-mapper';
import { labels, mapper, pack } from './packed-support';

const item = pack(['{"id":1}', '{"id":2}']);

function keyOf(m: RowMapper): string {
	const { request } = routeRequest(1, m, item, 0);
	assert.equal(request.kind, 'route');
	return request.key;
}

/** `message` as the other thread receives it: posted through a real port, `transfer` moved. */
async function posted<T>(message: T, transfer: TransferListItem[]): Promise<T> {
	const { port1, port2 } = new MessageChannel();
	try {
		const received = new Promise<T>((resolve) => port2.once('message', resolve));
		port1.postMessage(message, transfer);
		return await received;
	} finally {
		port1.close();
		port2.close();
	}
}

/** Texts of every kind of character: ASCII, Latin-1, the rest of the BMP, pairs and lone surrogates. */
const anyText = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
	fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
);

describe('routeRequest', () => {
	it("carries the item, its index and the mapper's schema and options, all of which survive a structured clone", () => {
		const m = mapper();
		const { request } = routeRequest(7, m, item, 3);
		assert.ok(request.kind === 'route');
		assert.equal(request.id, 7);
		assert.equal(request.index, 3);
		const cloned = structuredClone(request);
		assert.deepEqual(requestedItem(cloned), item);
		assert.deepEqual({ ...cloned, text: null }, { ...request, text: null });
		const rebuilt = new RowMapper(request.schema, request.options);
		assert.deepEqual(rebuilt.map({ id: 1 }), m.map({ id: 1 }), "the worker's mapper maps as this thread's does");
	});

	it('gives mappers of the same schema and options one key, so the worker compiles them once', () => {
		assert.equal(keyOf(mapper()), keyOf(mapper()));
		const m = mapper();
		assert.equal(keyOf(m), keyOf(m));
	});

	it('gives mappers that map differently different keys', () => {
		assert.notEqual(keyOf(mapper()), keyOf(mapper({ cdc: true })));
	});

	it("moves the item's text as bytes, not a string: the other thread reads exactly the item back, this thread's item is untouched", async () => {
		const packed = pack(['{"id":1,"name":"Grüße ✓ 😀"}', '{"id":2}'], undefined);
		const { request, transfer } = routeRequest(1, mapper(), packed, 0);
		assert.ok(request.kind === 'route');
		assert.equal(request.packed.jsonLines, '', 'no copy of the text is cloned');
		assert.deepEqual(transfer, [request.text.bytes.buffer]);
		const received = (await posted(request, transfer)) as Extract<PackedWorkerRequest, { kind: 'route' }>;
		assert.equal(request.text.bytes.byteLength, 0, 'the bytes were moved, not copied');
		assert.deepEqual(requestedItem(received), packed);
		assert.equal(packed.jsonLines, '{"id":1,"name":"Grüße ✓ 😀"}\n{"id":2}\n');
	});

	it('property: any text, lone surrogates included, reads back exactly from its bytes', () => {
		fc.assert(
			fc.property(anyText, (text) => {
				const bytes = textBytes(text);
				if (!/[\u0080-\uffff]/.test(text)) assert.equal(bytes.encoding, 'latin1', 'one byte per character for ASCII');
				assert.equal(textOf(bytes), text);
			}),
			{ numRuns: 500 },
		);
	});

	it('a text of one-byte characters past the first few hundred goes as Latin-1; one with a character above U+00FF as UTF-16', () => {
		const ascii = 'a'.repeat(300);
		assert.equal(textBytes(`${ascii}ü`).encoding, 'latin1');
		assert.equal(textBytes(`${ascii}✓`).encoding, 'utf16le');
		assert.equal(textOf(textBytes(`${ascii}✓`)), `${ascii}✓`);
	});

	it("property: the code units read straight from a request's bytes are the line sink's own (ASCII as bytes, else UTF-16 or none)", () => {
		const latin1Late = fc.string({ unit: 'binary-ascii', minLength: 300, maxLength: 400 }).map((t) => `${t}ü`);
		fc.assert(
			fc.property(fc.oneof(anyText, latin1Late), (text) => {
				const units = requestedUnits(textBytes(text));
				const own = new LineSink(text).inputUnits;
				if (units === undefined) assert.ok(!/[\u0100-\uffff]/.test(text), 'only Latin-1 text that is not ASCII is left to the sink');
				else {
					assert.equal(units.BYTES_PER_ELEMENT, own.BYTES_PER_ELEMENT, text);
					assert.deepEqual([...units], [...own]);
				}
				// Given them, the sink writes what it writes when it reads the text itself.
				const given = new LineSink(text, units);
				const itself = new LineSink(text);
				for (const sink of [given, itself]) {
					sink.copy(0, text.length >> 1);
					sink.copyQuoted(text.length >> 1, text.length);
				}
				assert.deepEqual(given.finish(), itself.finish());
			}),
			{ numRuns: 300 },
		);
	});

	it('never lends a slice of the shared Buffer pool: transferring it would take the pool from every other Buffer', () => {
		const small = textBytes('{"id":1}\n');
		assert.equal(small.bytes.buffer.byteLength, small.bytes.byteLength);
	});
});

describe('routedResponse / routedOf', () => {
	it("moves the rows' text as their UTF-8 bytes, and reads back the worker's text exactly (ASCII, other characters)", async () => {
		for (const lines of [['{"id":1,"ts":0}', '{"id":2,"ts":0}'], ['{"id":1,"name":"ü✓😀","ts":0}', '{"id":2,"name":"\\u2028","ts":0}']]) {
			const m = mapper();
			const mapped = mapPackedLinesToBytes(pack(lines), m, 0, emptyInvalidLineCounts());
			assert.ok(mapped.routed.packed !== null);
			const expected = structuredClone(mapped.routed);
			const { response, transfer } = routedResponse(4, mapped.routed, emptyInvalidLineCounts(), new Map(), mapped.bytes);
			assert.ok(response.ok && response.routed.packed !== null);
			assert.equal(response.routed.packed.jsonLines, '', 'no copy of the text is cloned');
			const received = (await posted(response, transfer)) as Extract<PackedWorkerResponse, { ok: true }>;
			// Not said unchanged here: the text is read from the bytes, whatever the request's text was.
			assert.deepEqual(routedOf(received, 'another text'), expected);
		}
	});

	it('an item with no loadable line goes back as it is', async () => {
		const mapped = mapPackedLinesToBytes(pack(['{oops']), mapper(), 0, emptyInvalidLineCounts());
		const { response, transfer } = routedResponse(5, mapped.routed, emptyInvalidLineCounts(), new Map(), mapped.bytes);
		assert.deepEqual(transfer, []);
		const received = (await posted(response, transfer)) as Extract<PackedWorkerResponse, { ok: true }>;
		assert.deepEqual(routedOf(received, '{oops\n'), mapped.routed);
	});

	/** An item there and back as the worker thread does it (packed-worker-thread.ts), through real ports. */
	async function roundTrip(packed: PackedRows): Promise<{ response: Extract<PackedWorkerResponse, { ok: true }>; routed: RoutedPacked }> {
		const m = mapper();
		const { request, transfer } = routeRequest(1, m, packed, 0);
		assert.ok(request.kind === 'route');
		const inWorker = (await posted(request, transfer)) as Extract<PackedWorkerRequest, { kind: 'route' }>;
		const mapped = mapPackedLinesToBytes(requestedItem(inWorker), m, 0, emptyInvalidLineCounts(), true, requestedUnits(inWorker.text));
		const requestBuffer = inWorker.text.bytes.buffer;
		const back = routedResponse(1, mapped.routed, emptyInvalidLineCounts(), new Map(), mapped.bytes, mapped.unchanged, requestBuffer);
		const response = (await posted(back.response, back.transfer)) as Extract<PackedWorkerResponse, { ok: true }>;
		if (response.spare !== undefined) {
			assert.equal(requestBuffer.byteLength, 0, 'handed back: moved out of the worker, not copied');
		}
		return { response, routed: routedOf(response, packed.jsonLines) };
	}

	it('lines kept as they stood: said unchanged, the text is the request\'s own and the bytes its UTF-8 (ASCII: the request\'s buffer handed back)', async () => {
		for (const lines of [
			['{"id":1,"ts":"2024-01-02 03:04:05"}', '{"id":2,"name":"bo","ts":"2024-01-02 03:04:05"}', '{"id":3,"name":"a\\"b\\\\","ts":"2024-01-02 03:04:05"}'],
			['{"id":1,"name":"ü✓😀","ts":"2024-01-02 03:04:05"}'],
		]) {
			const packed = pack(lines);
			const expected = routePacked(packed, mapper(), labels, 0);
			assert.equal(expected.packed?.jsonLines, packed.jsonLines, 'these lines load as they stand');
			const { response, routed } = await roundTrip(packed);
			assert.equal(response.unchanged, true);
			assert.deepEqual(routed, expected);
			assert.deepEqual(Buffer.from(response.bytes ?? []), Buffer.from(packed.jsonLines, 'utf8'));
			// The request's buffer holds exactly the text; a buffer of the sink's own has room to spare (256 bytes at least).
			if (Buffer.byteLength(packed.jsonLines) === packed.jsonLines.length) {
				assert.equal(response.bytes?.buffer.byteLength, packed.jsonLines.length, 'ASCII: the request\'s bytes came back');
				assert.equal(response.spare, undefined, 'as the answer, not also as a spare');
			} else assert.ok(response.spare !== undefined, 'not ASCII: the answer has bytes of its own, the request\'s buffer comes back as a spare');
		}
	});

	it('lines that change (a value rewritten, a space dropped, an escape written otherwise, a line dropped, a last line given its "\\n"): not said unchanged, the text read from the bytes', async () => {
		for (const packed of [
			pack(['{"id":1,"ts":0}']),
			pack(['{"id":1,"ts":"2024-01-02 03:04:05"}', '{oops', '{"id":2,"ts":"2024-01-02 03:04:05"}']),
			pack(['{"id":1, "ts":"2024-01-02 03:04:05"}']),
			// An escape JSON.stringify does not write: the value is written as it would write it.
			pack(['{"id":1,"name":"a\\u0062","ts":"2024-01-02 03:04:05"}']),
			{ jsonLines: '{"id":1,"ts":"2024-01-02 03:04:05"}', count: 1, sources: [] },
		]) {
			const expected = routePacked(packed, mapper(), labels, 0);
			const { response, routed } = await roundTrip(packed);
			assert.equal(response.unchanged, undefined, packed.jsonLines);
			assert.notEqual(expected.packed?.jsonLines, packed.jsonLines);
			assert.deepEqual(routed, expected);
			assert.ok(response.spare !== undefined && response.spare.byteLength >= Buffer.byteLength(packed.jsonLines), 'the request\'s buffer comes back for the next request');
		}
	});
});

describe('RequestBuffers', () => {
	it("a request's text goes into a spare that fits (not one less than its size, nor one over twice it), else into a new buffer", () => {
		const buffers = new RequestBuffers(3);
		const small = new ArrayBuffer(100);
		const fits = new ArrayBuffer(200_000);
		const huge = new ArrayBuffer(1_000_000);
		for (const b of [small, fits, huge]) buffers.give(b);
		const text = '{"id":1}\n'.repeat(15_000); // 135,000 bytes
		const bytes = textBytes(text, buffers);
		assert.equal(bytes.bytes.buffer, fits);
		assert.equal(bytes.bytes.byteLength, text.length);
		assert.equal(textOf(bytes), text);
		assert.equal(buffers.size, 2);
		const fresh = textBytes(text, buffers);
		assert.ok(fresh.bytes.buffer !== small && fresh.bytes.buffer !== huge, 'no spare fits: a new buffer');
		assert.equal(textOf(fresh), text);
	});

	it('keeps the newest `keep` spares, none over 16 MB', () => {
		const buffers = new RequestBuffers(2);
		const [a, b, c] = [new ArrayBuffer(10), new ArrayBuffer(10), new ArrayBuffer(10)];
		for (const x of [a, b, c, new ArrayBuffer(17 * 1024 * 1024)]) buffers.give(x);
		assert.equal(buffers.size, 2);
		assert.equal(buffers.take(10), b);
		assert.equal(buffers.take(10), c);
		assert.equal(buffers.take(10), undefined);
	});
});
