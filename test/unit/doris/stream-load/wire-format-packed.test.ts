import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ByteBuffer } from '../../../../src/batch/byte-buffer';
import { addDeleteSignToLines, linesMentionDeleteSign } from '../../../../src/doris/stream-load/wire-format';

describe('wire format of packed lines', () => {
	it('a delete-sign load gives lines without the sign 0 (upsert), leaves the others as they are', () => {
		const lines = ['{"id":1}', '{"id":2,"__DORIS_DELETE_SIGN__":1}', '{}', '{"id":3} ', '{"s":"a \\"__DORIS_DELETE_SIGN__\\" b"}', 'not json', '{"id":4,"__DORIS_DELETE_SIGN__":0}'];
		const out = addDeleteSignToLines(lines.join('\n') + '\n');
		assert.deepEqual(out.split('\n'), [
			'{"id":1,"__DORIS_DELETE_SIGN__":0}',
			'{"id":2,"__DORIS_DELETE_SIGN__":1}',
			'{"__DORIS_DELETE_SIGN__":0}',
			'{"id":3,"__DORIS_DELETE_SIGN__":0} ',
			'{"s":"a \\"__DORIS_DELETE_SIGN__\\" b","__DORIS_DELETE_SIGN__":0}',
			'not json',
			'{"id":4,"__DORIS_DELETE_SIGN__":0}',
			'',
		]);
		for (const line of out.split('\n').slice(0, 5)) assert.equal(typeof JSON.parse(line), 'object');
		const signed = '{"a":1,"__DORIS_DELETE_SIGN__":0}\n{"a":2,"__DORIS_DELETE_SIGN__":1}\n';
		assert.equal(addDeleteSignToLines(signed), signed, 'nothing to add: the same text');
		assert.equal(addDeleteSignToLines('{"id":9}'), '{"id":9,"__DORIS_DELETE_SIGN__":0}', 'last line without a newline');
	});

	it('detects the sign by its quoted name, not by a mention inside a string', () => {
		assert.equal(linesMentionDeleteSign('{"a":1}\n{"__DORIS_DELETE_SIGN__":1}\n'), true);
		assert.equal(linesMentionDeleteSign('{"a":"\\"__DORIS_DELETE_SIGN__\\""}\n'), false);
		assert.equal(linesMentionDeleteSign('{"a":1}\n'), false);
		// A string value equal to the name is a value, not the key.
		assert.equal(linesMentionDeleteSign('{"msg":"__DORIS_DELETE_SIGN__"}\n'), false);
		assert.equal(linesMentionDeleteSign('{"__DORIS_DELETE_SIGN__" : 1}\n'), true);
		assert.equal(addDeleteSignToLines('{"msg":"__DORIS_DELETE_SIGN__"}\n'), '{"msg":"__DORIS_DELETE_SIGN__","__DORIS_DELETE_SIGN__":0}\n');
	});

	it('reads the sign through any JSON whitespace before its colon, a carriage return too, as Doris does', () => {
		// Missed, Deletes Auto sent no hidden_columns (the delete loaded as an upsert) and Always gave the
		// line a second sign key, 0, which Doris' reader writes into the column as well.
		const line = '{"id":1,"__DORIS_DELETE_SIGN__"\r:1}';
		assert.equal(linesMentionDeleteSign(`${line}\n`), true);
		assert.equal(addDeleteSignToLines(`${line}\n`), `${line}\n`);
		assert.equal(addDeleteSignToLines('{\r}\n'), '{\r"__DORIS_DELETE_SIGN__":0}\n', 'no comma after the brace: the line stays JSON');
	});

	it('ByteBuffer.appendBytes copies small pieces, keeps large ones, in order, counting bytes', () => {
		const b = new ByteBuffer();
		const parts: Buffer[] = [];
		let total = 0;
		b.append('{"row":0}\n');
		parts.push(Buffer.from('{"row":0}\n'));
		for (let i = 0; i < 40; i++) {
			const text = `{"i":${i},"s":"${'é'.repeat(i % 2 === 0 ? 10 : 20_000)}"}\n`;
			const piece = Buffer.from(text);
			parts.push(piece);
			total += b.appendBytes(piece);
			if (i % 7 === 0) {
				b.append('{"row":1}\n');
				parts.push(Buffer.from('{"row":1}\n'));
			}
		}
		assert.equal(total, parts.slice(1).filter((p) => p.toString() !== '{"row":1}\n').reduce((s, p) => s + p.length, 0));
		assert.equal(b.byteLength, parts.reduce((s, p) => s + p.length, 0));
		const chunks = b.finish();
		assert.ok(Buffer.concat(chunks).equals(Buffer.concat(parts)));
		assert.ok(chunks.some((c) => parts.includes(c)), 'a large piece is kept as it is');
	});
});
