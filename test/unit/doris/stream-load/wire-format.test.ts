import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ByteBuffer } from '../../../../src/batch/byte-buffer';
import { createSerializer, decodeSeparator } from '../../../../src/doris/stream-load/wire-format';

describe('wire format', () => {
	it('JSON lines, one object per line', () => {
		const s = createSerializer({ format: 'json' });
		assert.equal(s({ a: 1, b: 'x\ny', c: null }), '{"a":1,"b":"x\\ny","c":null}\n');
		assert.throws(() => s([1] as unknown as Record<string, unknown>), /JSON object/);
	});

	it('the Doris nodes\' own field (_doris: deadline, table) never reaches Doris, in JSON or CSV', () => {
		const json = createSerializer({ format: 'json', deleteSign: true });
		assert.equal(json({ id: 1, _doris: { table: 't', loadBy: 1 } }), '{"id":1,"__DORIS_DELETE_SIGN__":0}\n');
		const csv = createSerializer({ format: 'csv', columns: ['id'] });
		assert.equal(csv({ id: 1, _doris: { table: 't' } }), '1\n');
	});

	it('in delete-sign mode rows without the sign load as upserts (0)', () => {
		const s = createSerializer({ format: 'json', deleteSign: true });
		assert.equal(s({ id: 1 }), '{"id":1,"__DORIS_DELETE_SIGN__":0}\n');
		assert.equal(s({}), '{"__DORIS_DELETE_SIGN__":0}\n');
		assert.equal(s({ id: 1, __DORIS_DELETE_SIGN__: 1 }), '{"id":1,"__DORIS_DELETE_SIGN__":1}\n');
	});

	it('CSV in column order with \\N for null, refusing unknown columns and separator clashes', () => {
		const s = createSerializer({ format: 'csv', columns: ['id', 'name', 'tags'] });
		assert.equal(s({ id: 1, name: null, tags: [1, 2] }), '1\x01\\N\x01[1,2]\n');
		assert.throws(() => s({ id: 1, other: 2 }), /column "other"/);
		assert.throws(() => s({ id: 1, name: 'a\nb' }), /Column "name".*JSON format/);
		assert.throws(() => createSerializer({ format: 'csv' }), /column list/);
		// An empty line, which Doris skips uncounted; two columns make a separator, one null makes \N.
		assert.throws(() => createSerializer({ format: 'csv', columns: ['v', 'id = 1'] })({ v: '' }), /Column "v" is an empty string.*empty line/);
		assert.equal(createSerializer({ format: 'csv', columns: ['v'] })({ v: null }), '\\N\n');
		assert.equal(s({ id: '', name: '', tags: '' }), '\x01\x01\n');
		assert.equal(decodeSeparator('\\x01|\\t'), '\x01|\t');
	});

	it('JSON with a Columns list refuses a row field the list lacks, which Doris would not load; not with JSON Paths, json_root or a partial update', () => {
		const s = createSerializer({ format: 'json', columns: ['id', 'ts', 'dt = from_unixtime(ts)'] });
		assert.equal(s({ id: 1, ts: 5, _kafka: { offset: '1' }, _doris: { table: 't' } }), '{"id":1,"ts":5,"_kafka":{"offset":"1"}}\n');
		assert.throws(() => s({ id: 1, ts: 5, name: 'ann' }), /field "name" is not in Columns \(id, ts, dt = from_unixtime\(ts\)\): Doris would not load it/);
		assert.throws(() => s({ id: 1, dt: '2024-01-01' }), /field "dt" is not in Columns/, 'a computed column takes no field');
		assert.doesNotThrow(() => createSerializer({ format: 'json', columns: ['id'], deleteSign: true })({ id: 1, __DORIS_DELETE_SIGN__: 1 }));
		assert.doesNotThrow(() => createSerializer({ format: 'json', columns: ['id', 'v'], jsonpaths: '["$.a","$.b"]' })({ a: 1, b: 2 }));
		assert.doesNotThrow(() => createSerializer({ format: 'json', columns: ['id'], extraHeaders: { json_root: '$.p' } })({ p: { id: 1 } }));
		assert.doesNotThrow(() => createSerializer({ format: 'json', columns: ['id', 'v'], partialUpdate: 'fixed' })({ id: 1, v: 2, w: 3 }));
	});

	it('CSV refuses the text \\N, which Doris reads as NULL (csv_reader.cpp), naming the column', () => {
		const s = createSerializer({ format: 'csv', columns: ['id', 'name'] });
		assert.throws(() => s({ id: 1, name: '\\N' }), /Column "name" holds the text \\N, which Doris' CSV reader loads as NULL.*JSON format/);
		assert.equal(s({ id: 1, name: '\\N.' }), '1\x01\\N.\n', 'only the whole field is NULL');
	});

	it('ByteBuffer counts UTF-8 bytes and returns replayable chunks', () => {
		const b = new ByteBuffer();
		let total = 0;
		for (let i = 0; i < 30000; i++) total += b.append(`{"i":${i},"s":"é漢"}\n`);
		assert.equal(b.byteLength, total);
		const chunks = b.finish();
		assert.ok(chunks.length > 1);
		const text = Buffer.concat(chunks).toString();
		assert.equal(Buffer.byteLength(text), total);
		assert.ok(text.endsWith('{"i":29999,"s":"é漢"}\n'));
		const big = new ByteBuffer();
		big.append('x'.repeat(3 << 20));
		assert.equal(big.finish()[0].length, 3 << 20);
	});
});
