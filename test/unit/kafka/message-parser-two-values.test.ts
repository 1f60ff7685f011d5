/**
 * A Kafka value holding two JSON values back to back (`{"id":1}{"id":2}`, a blank or a comma between)
 * is not packed as a line in One Item per Batch: Doris' JSON line reader loads its first value and never
 * looks past it (src/kafka/trailing-json.ts), so straight into the Stream Load node the second was lost
 * without a word (review session 21, P2). It becomes the `_parseError` item the per-message output makes
 * of it, in its place; values whose braces only look alike (an array of objects, braces in a string) pack.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { someLineHoldsMoreThanOneValue } from '../../../src/kafka/trailing-json';
import { message, parse } from './message-support';

const TWO_VALUES = ['{"id":1}{"id":2}', '{"id":1} {"id":2}', '{"id":1},{"id":2}', '{"id":1}\t, {"id":2}', '{"a":{"b":1}}{"c":2}', '{"a":"}{"}{"b":1}', '{"a":1}1}', '\ufeff{"id":1}{"id":2}'];
const ONE_VALUE = ['{"id":1}', '{"a":[{"b":1},{"c":2}]}', '{"a":[{"b":1}, {"c":2}]}', '{"a":"}{"}', '{"a":"x}y"}', '{"d":"{\\"a\\":{\\"b\\":1}}"}', '{"a":{"b":1} }', '{"a":"}\\"{"}', '{"a":{}}', '{"a":{"b":1} , "c":2}', ''];

describe('a JSON line holding more than one value', () => {
	it('is found, whatever stands between the values', () => {
		for (const text of TWO_VALUES) assert.equal(someLineHoldsMoreThanOneValue(text), true, text);
		assert.equal(someLineHoldsMoreThanOneValue('{"ok":1}\n{"id":1}{"id":2}\n{"ok":2}\n'), true, 'in the middle of several lines');
	});

	it('is not confused with one value whose braces look alike (arrays of objects, braces in strings, blanks)', () => {
		for (const text of ONE_VALUE) assert.equal(someLineHoldsMoreThanOneValue(text), false, text);
		assert.equal(someLineHoldsMoreThanOneValue('{"a":1}\n{"b":[{"c":1},{"d":2}]}\n'), false, 'lines of one value each');
	});

	it('shapes Doris refuses on its own (visible) may pass: the line does not end by closing what it opened, or garbage follows the value (no second row)', () => {
		for (const text of ['{"id":1}"x"', '[1]{"a":2}', '{"id":1}x', '{"a":1}x}', '{"id":1}\ufeff']) assert.equal(someLineHoldsMoreThanOneValue(text), false, text);
	});
});

describe('One Item per Batch: a value of two JSON values', () => {
	for (const kafkaFields of [[], [{ source: 'offset', name: 'kafka_offset' }]] as const) {
		it(`is its _parseError item in its place, as per message${kafkaFields.length > 0 ? ' (Add Kafka Fields)' : ''}; the values around it pack`, () => {
			const values = ['{"id":"a"}', '{"id":1,"v":"a"}{"id":2,"v":"b"}', '{"id":"b","parts":[{"x":1},{"y":2}]}'];
			const chunk = parse({ output: 'batch', includeMetadata: true, kafkaFields: [...kafkaFields] }, values.map((value, offset) => message(offset, value)));
			assert.equal(chunk.items.length, 3);
			assert.equal(chunk.parseErrors, 1);
			const [first, bad, last] = chunk.items.map((item) => item.json);
			assert.equal((first[PACKED_ROWS_FIELD] as unknown as PackedRows).count, 1);
			const error = bad[PARSE_ERROR_FIELD] as { kind: string; raw: string };
			assert.equal(error.kind, 'json');
			assert.equal(error.raw, values[1]);
			assert.equal((bad[KAFKA_METADATA_FIELD] as { offset: string }).offset, '1');
			assert.equal((last[PACKED_ROWS_FIELD] as unknown as PackedRows).count, 1);
			assert.deepEqual(parse({ includeMetadata: true }, [message(1, values[1])]).items[0].json[PARSE_ERROR_FIELD], bad[PARSE_ERROR_FIELD], 'the per-message item');
		});
	}
});

describe('One Item per Batch behind a Doris Schema node (checkPackedValues false)', () => {
	it('packs such a value as it is: the Doris Schema node parses each line exactly and sends it to Invalid', () => {
		for (const kafkaFields of [[], [{ source: 'offset' as const, name: 'kafka_offset' }]]) {
			const chunk = parse({ output: 'batch', checkPackedValues: false, kafkaFields }, [message(0, '{"id":1}{"id":2}'), message(1, '{"id":3}')]);
			assert.equal(chunk.items.length, 1);
			assert.equal(chunk.parseErrors, 0);
			assert.equal((chunk.items[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines.split('\n')[0], '{"id":1}{"id":2}');
		}
	});
});
