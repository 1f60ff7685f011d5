/**
 * What an execution hands the batcher, as lines: rows serialised up front (a bad row named by its
 * index among the rows, chunks not counted), and a chunk cut only at line ends, within max rows and
 * max bytes, a single line over max bytes alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { chunkPiece, isRows, serialiseParts, type BatchPart } from '../../../src/batch/batch-parts';
import { json } from './batcher-support';

/** Every piece chunkPiece cuts `text` into, as text and line count. */
function pieces(text: string, rows: number, maxRows: number, maxBytes: number): Array<{ text: string; lines: number }> {
	const bytes = Buffer.from(text, 'utf8');
	const out: Array<{ text: string; lines: number }> = [];
	for (let start = 0; start < bytes.length; ) {
		const { end, lines } = chunkPiece(bytes, rows, start, { maxRows, maxBytes });
		out.push({ text: bytes.subarray(start, end).toString('utf8'), lines });
		start = end;
	}
	return out;
}

describe('batch parts', () => {
	it('serialises each part of rows in order, counts chunk lines in the total, and tells rows from chunks', () => {
		const parts: BatchPart[] = [[{ id: 1 }, { id: 2 }], { text: '{"id":3}\n', rows: 1 }, [{ id: 4 }]];
		const { serialised, total, newline } = serialiseParts(parts, json);
		// The JSON lines come without their "\n", which the batch's buffer writes (ByteBuffer.append).
		assert.equal(newline, true);
		assert.deepEqual(
			serialised.map((lines) => lines.map((line) => `${line}\n`)),
			[[json({ id: 1 }), json({ id: 2 })], [json({ id: 4 })]],
		);
		assert.equal(total, 4);
		assert.deepEqual(parts.map(isRows), [true, false, true]);
	});

	it('keeps the lines a serializer gives whole when it has no form without the newline', () => {
		const whole = (row: Readonly<Record<string, unknown>>) => `${JSON.stringify(row)};`;
		assert.deepEqual(serialiseParts([[{ id: 1 }]], whole), { serialised: [['{"id":1};']], total: 1, newline: false });
	});

	it('names a bad row by its index among the rows to serialise, not counting chunk lines', () => {
		const bad = { big: 1n } as unknown as Record<string, unknown>;
		const parts: BatchPart[] = [[{ id: 1 }], { text: '{"id":2}\n{"id":3}\n', rows: 2 }, [{ id: 4 }, bad]];
		assert.throws(() => serialiseParts(parts, json), /^Error: Row 2: .*BigInt/);
	});

	it('keeps a chunk within the limits whole', () => {
		assert.deepEqual(pieces('a\nb\n', 2, 2, 4), [{ text: 'a\nb\n', lines: 2 }]);
	});

	it('cuts a chunk over max rows or max bytes at line ends only, each piece within both', () => {
		assert.deepEqual(pieces('a\nb\nc\n', 3, 2, 100), [
			{ text: 'a\nb\n', lines: 2 },
			{ text: 'c\n', lines: 1 },
		]);
		assert.deepEqual(pieces('aa\nbb\ncc\n', 3, 100, 7), [
			{ text: 'aa\nbb\n', lines: 2 },
			{ text: 'cc\n', lines: 1 },
		]);
	});

	it('sends a single line over max bytes alone, and a last line without a newline as a line', () => {
		assert.deepEqual(pieces('a\nlonger line\nb', 3, 100, 4), [
			{ text: 'a\n', lines: 1 },
			{ text: 'longer line\n', lines: 1 },
			{ text: 'b', lines: 1 },
		]);
	});

	it('never cuts inside a multi-byte character', () => {
		const text = 'é€\n😀\nü\n';
		const cut = pieces(text, 3, 100, 6);
		assert.equal(cut.map((p) => p.text).join(''), text);
		for (const piece of cut) assert.ok(piece.text.endsWith('\n') && !piece.text.includes('\uFFFD'), JSON.stringify(piece));
	});
});
