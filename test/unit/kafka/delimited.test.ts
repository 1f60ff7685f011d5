import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseJsonExact } from '../../../src/common/exact-json';
import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { createDelimitedDecoder, decodeSeparatorNotation, validateDelimitedFormat, type DelimitedFormat } from '../../../src/kafka/delimited';
import { message, parse } from './message-support';

const FORMAT: DelimitedFormat = { columns: ['id', 'name', 'amount', 'note'], separator: ',', quote: '"', emptyAsNull: false };
const decode = createDelimitedDecoder(FORMAT);

describe('delimited text (CSV) records', () => {
	it('fields named by Column Names; \\N is NULL; quoted fields hold separators, doubled quotes and line breaks', () => {
		assert.deepEqual(decode('1,Ann,12.50,hi'), { row: { id: '1', name: 'Ann', amount: '12.50', note: 'hi' } });
		assert.deepEqual(decode('2,"Doe, ""J""",\\N,"two\nlines"\r\n'), { row: { id: '2', name: 'Doe, "J"', amount: null, note: 'two\nlines' } });
		assert.deepEqual(decode('3,,"",x\n'), { row: { id: '3', name: '', amount: '', note: 'x' } }, 'one trailing line break tolerated; empty is text');
		assert.deepEqual(createDelimitedDecoder({ ...FORMAT, emptyAsNull: true })('3,,"",x'), { row: { id: '3', name: null, amount: '', note: 'x' } });
		assert.deepEqual(createDelimitedDecoder({ ...FORMAT, quote: '' })('4,"a,b'), { error: 'the record has 3 field(s), expected 4 (id, name, amount, note)' });
	});

	it('multi-character and control separators in Doris notation', () => {
		assert.equal(decodeSeparatorNotation('\\t'), '\t');
		assert.equal(decodeSeparatorNotation('\\x01'), '\u0001');
		assert.equal(decodeSeparatorNotation('||'), '||');
		const piped = createDelimitedDecoder({ ...FORMAT, separator: '||' });
		assert.deepEqual(piped('1||a|b||2||'), { row: { id: '1', name: 'a|b', amount: '2', note: '' } });
		const tabbed = createDelimitedDecoder({ ...FORMAT, separator: decodeSeparatorNotation('\\x01') });
		assert.deepEqual(tabbed('1\u0001a\u0001\u0001z'), { row: { id: '1', name: 'a', amount: '', note: 'z' } });
	});

	it('malformed records say why', () => {
		assert.match(decode('1,Ann,12.50').error ?? '', /has 3 field\(s\), expected 4 \(id, name, amount, note\)/);
		assert.match(decode('1,Ann,12.50,hi,extra').error ?? '', /has 5 field\(s\)/);
		assert.match(decode('1,"Ann,12.50,hi').error ?? '', /field 2 opens a quote at character 3 that is never closed/);
		assert.match(decode('1,"Ann"x,12.50,hi').error ?? '', /text after the closing quote of field 2, at character 8/);
		assert.match(decode('1,Ann,1,hi\n2,Bob,2,yo').error ?? '', /line break at character 11 outside quotes: a message must hold exactly one record/);
	});

	it('settings that cannot work are named', () => {
		assert.throws(() => validateDelimitedFormat({ ...FORMAT, columns: [] }), /Column Names is empty/);
		assert.throws(() => validateDelimitedFormat({ ...FORMAT, columns: ['a', 'a'] }), /"a" twice/);
		assert.throws(() => validateDelimitedFormat({ ...FORMAT, columns: ['a', ''] }), /an empty name/);
		assert.throws(() => validateDelimitedFormat({ ...FORMAT, separator: '' }), /Separator is empty/);
		assert.throws(() => validateDelimitedFormat({ ...FORMAT, separator: '"' }), /must not hold the quote/);
		for (const name of ['packedRows', '_doris', '_kafka']) {
			assert.throws(() => validateDelimitedFormat({ ...FORMAT, columns: ['id', name] }), new RegExp(`Column Names has "${name}", a name the Doris nodes read as the item's own`));
		}
	});

	it('a UTF-8 byte-order mark at the very start of a message is skipped, as on the JSON path', () => {
		assert.deepEqual(decode('\uFEFF42,abc,1,x').row, { id: '42', name: 'abc', amount: '1', note: 'x' });
		assert.deepEqual(decode('\uFEFF"42",abc,1,x').row, { id: '42', name: 'abc', amount: '1', note: 'x' });
		// Only at the very start: elsewhere it is text of its field.
		assert.deepEqual(decode('42,\uFEFFabc,1,x').row, { id: '42', name: '\uFEFFabc', amount: '1', note: 'x' });
	});
});

describe('message parser: delimited text', () => {
	const options = { format: 'csv' as const, delimited: FORMAT };

	it('One Item per Message: a row per message; a malformed one is a csv parse error with the raw text and its position', () => {
		const chunk = parse(options, [message(0, '1,Ann,12.50,hi'), message(1, '2,Bob'), message(2, Buffer.from([0xff]))]);
		assert.deepEqual(chunk.items[0].json, { id: '1', name: 'Ann', amount: '12.50', note: 'hi' });
		const bad = chunk.items[1].json;
		assert.deepEqual(bad[PARSE_ERROR_FIELD], {
			kind: 'csv',
			message: 'the record has 2 field(s), expected 4 (id, name, amount, note)',
			raw: '2,Bob',
			rawEncoding: 'utf8',
		});
		assert.equal((bad[KAFKA_METADATA_FIELD] as { offset: string }).offset, '1');
		assert.equal((chunk.items[2].json[PARSE_ERROR_FIELD] as { kind: string }).kind, 'csv');
		assert.equal(chunk.parseErrors, 2);
	});

	it('One Item per Batch: rows as JSON lines (with Add Kafka Fields); a malformed record is the error item in its place', () => {
		const chunk = parse({ ...options, output: 'batch', kafkaFields: [{ source: 'key', name: 'k' }] }, [
			message(0, '1,Ann,12.50,hi\n'),
			message(1, '2,"Bob'),
			message(2, '3,Cy,\\N,"a ""q"""'),
		]);
		assert.equal(chunk.items.length, 3);
		const line = (i: number) => (chunk.items[i].json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines.trimEnd().split('\n').map((l) => parseJsonExact(l));
		assert.deepEqual(line(0), [{ k: 'k0', id: '1', name: 'Ann', amount: '12.50', note: 'hi' }]);
		assert.match((chunk.items[1].json[PARSE_ERROR_FIELD] as { message: string }).message, /never closed/);
		assert.deepEqual(line(2), [{ k: 'k2', id: '3', name: 'Cy', amount: null, note: 'a "q"' }]);
	});
});
