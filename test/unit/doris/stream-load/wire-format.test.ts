import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ByteBuffer } from '../../../../src/batch/byte-buffer';
import { createSerializer, csvRowCheck, decodeSeparator, packedLineSerializer } from '../../../../src/doris/stream-load/wire-format';

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

	// Review session 17, leftover 3: a table column named `_doris` never got the row's own value per message.
	it('the row\'s own _doris (the item\'s _doris.ownFields) loads as the field _doris, in JSON or CSV; a packed line\'s _doris is its own data', () => {
		const own = { id: 1, _doris: { loadBy: 1, table: 't', ownFields: { _doris: 'mine', _kafka: { offset: '9' } } } };
		assert.equal(createSerializer({ format: 'json' })(own), '{"id":1,"_doris":"mine"}\n');
		assert.equal(createSerializer({ format: 'csv', columns: ['id', '_doris'] })(own), '1\x01mine\n');
		assert.equal(createSerializer({ format: 'csv', columns: ['id', '_doris'] })({ id: 2, _doris: { table: 't' } }), '2\x01\\N\n', 'none: NULL, never the information');
		assert.equal(createSerializer({ format: 'json' })({ id: 1, _doris: { ownFields: { _doris: null } } }), '{"id":1,"_doris":null}\n');
		assert.equal(packedLineSerializer(false)({ id: 1, _doris: 'line' }), '{"id":1,"_doris":"line"}\n');
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
		assert.throws(() => s({ id: 1, name: '\\N' }), /Column "name" is the text \\N, which Doris' CSV reader loads as NULL.*JSON format/);
		assert.equal(s({ id: 1, name: '\\N.' }), '1\x01\\N.\n', 'only the whole field is NULL');
	});

	it('csvRowCheck names the column, the value and why a row cannot be a CSV line as Doris reads it back; a writable row passes', () => {
		const check = csvRowCheck({ format: 'csv', columns: ['id', 'note', 'tag'], csv: { columnSeparator: ',', lineDelimiter: '\\n' } });
		assert.ok(check !== undefined);
		const why = (row: Record<string, unknown>) => {
			const found = check(row);
			return found === undefined ? undefined : { column: found.column, value: found.value, why: found.why };
		};
		assert.equal(why({ id: 1, note: 'plain', tag: null }), undefined);
		assert.deepEqual(why({ id: 1, note: 'a,b', tag: 'x' }), { column: 'note', value: 'a,b', why: 'holds the column separator ","' });
		assert.deepEqual(why({ id: 1, note: 'x', tag: 'line\nbreak' }), { column: 'tag', value: 'line\nbreak', why: 'holds a line break' });
		assert.deepEqual(why({ id: 1, note: '\\N', tag: 'x' }), { column: 'note', value: '\\N', why: "is the text \\N, which Doris' CSV reader loads as NULL" });
		assert.match(why({ id: 1, note: 'x', tag: 'windows\r' })?.why ?? '', /ends in a carriage return, which Doris' CSV reader drops before the line break/);
		assert.equal(why({ id: 1, note: 'a\rb', tag: 'x' }), undefined, 'a carriage return inside the line is read as written');
		assert.match(why({ id: '\uFEFF1', note: 'x', tag: 'y' })?.why ?? '', /starts with a byte-order mark/);
		// A lone surrogate has no UTF-8: the line would carry U+FFFD in its place (as Buffer writes it), and Doris load that.
		assert.deepEqual(why({ id: 1, note: 'a\ud800b', tag: 'x' }), { column: 'note', value: 'a\ud800b', why: 'holds a lone surrogate (U+D800), which UTF-8 cannot carry' });
		assert.match(why({ id: 1, note: 'x', tag: '\udc00' })?.why ?? '', /lone surrogate \(U\+DC00\)/);
		assert.equal(why({ id: 1, note: 'a\ud83d\ude00b', tag: 'x' }), undefined, 'a surrogate pair is one character');
		// An object is written as its JSON text, where JSON.stringify escapes a lone surrogate: the text loads as written.
		assert.equal(why({ id: 1, note: { s: '\ud800' }, tag: 'x' }), undefined);
		// An object is written as its JSON text, which may hold the separator.
		assert.equal(why({ id: 1, note: { a: 1, b: 2 }, tag: 'x' })?.column, 'note');
		// A field outside the CSV columns is a configuration mistake the serializer fails on, not a row to hand back.
		assert.equal(why({ id: 1, other: 'a,b' }), undefined);
		assert.equal(csvRowCheck({ format: 'json' }), undefined);
	});

	it('csvRowCheck reads a multi-character separator and delimiter as Doris finds them (leftmost match): a value ending in part of the separator is refused', () => {
		const check = csvRowCheck({ format: 'csv', columns: ['a', 'b'], csv: { columnSeparator: 'xx', lineDelimiter: '||' } });
		assert.ok(check !== undefined);
		assert.match(check({ a: 'x', b: 'y' })?.why ?? '', /ends in "x", which with the column separator "xx" after it/);
		assert.equal(check({ a: 'y', b: 'x' }), undefined, 'the last field is followed by the line delimiter, not the separator');
		assert.equal(check({ a: 'xa', b: 'ax' }), undefined);
		assert.match(check({ a: 'p', b: 'q|' })?.why ?? '', /ends in "\|", which with what follows it reads as the line delimiter "\|\|"/);
		assert.match(check({ a: 'p||q', b: 'q' })?.why ?? '', /holds the line delimiter "\|\|"/);
	});

	it('the CSV serializer fails on an unwritable row with the same reason (a row never reaches the batch half-written)', () => {
		const s = createSerializer({ format: 'csv', columns: ['id', 'note'], csv: { columnSeparator: ',', lineDelimiter: '\\n' } });
		assert.throws(() => s({ id: 1, note: 'a,b' }), /Column "note" holds the column separator ","/);
		assert.equal(s({ id: 1, note: 'a;b' }), '1,a;b\n');
	});

	it('a row csvRowCheck passed is written once: the serializer takes its line, unless it writes another shape (the delete sign column added)', () => {
		const options = { format: 'csv' as const, columns: ['id', 'note'] };
		const check = csvRowCheck(options);
		const row = { id: 1, note: 'a' };
		assert.equal(check?.(row), undefined);
		assert.equal(createSerializer({ ...options, columns: ['id', 'note', '__DORIS_DELETE_SIGN__'] })(row), '1\x01a\x010\n');
		assert.equal(check?.(row), undefined);
		assert.equal(createSerializer(options)(row), '1\x01a\n');
		assert.equal(createSerializer(options)(row), '1\x01a\n', 'and again without the check');
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

	it('a JSON line written without its "\\n" and the byte after it is the line the serializer writes, across chunk ends', () => {
		for (const deleteSign of [false, true]) {
			const s = createSerializer({ format: 'json', deleteSign });
			const rows = Array.from({ length: 20000 }, (_, i) => (i % 7 === 0 ? {} : { i, s: 'é漢'.repeat(i % 5), __DORIS_DELETE_SIGN__: i % 3 === 0 ? 1 : undefined }));
			const joined = new ByteBuffer();
			const apart = new ByteBuffer();
			let sizes = 0;
			for (const row of rows) {
				const line = s(row);
				assert.equal(`${s.withoutNewline?.(row)}\n`, line);
				joined.append(line);
				sizes += apart.append(s.withoutNewline?.(row) ?? '', true);
			}
			assert.equal(sizes, joined.byteLength);
			assert.equal(apart.byteLength, joined.byteLength);
			assert.ok(Buffer.concat(apart.finish()).equals(Buffer.concat(joined.finish())));
		}
		// A line that fills the rest of a chunk to the byte: its "\n" opens the next chunk, not lost past the end.
		const edge = new ByteBuffer();
		const first = 'x'.repeat((64 << 10) - 10);
		edge.append(first, true);
		assert.equal(edge.append('y'.repeat(9), true), 10);
		assert.equal(Buffer.concat(edge.finish()).toString(), `${first}\n${'y'.repeat(9)}\n`);
	});
});
