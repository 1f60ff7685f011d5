/**
 * A value nested deeper than MAX_JSON_DEPTH (src/common/json-depth.ts) becomes its `_parseError` item:
 * as an item it parsed, then overflowed the stack wherever it was serialised (n8n saving the
 * execution), so every execution carrying it failed and its partition stalled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { createMessageParser } from '../../../src/kafka/message-parser';
import { nestedJson } from '../../support/deep-json';
import { message, parse } from './message-support';

const deep = nestedJson(8000);

function errorOf(json: Record<string, unknown>): { kind: string; message: string; raw: string } {
	return json[PARSE_ERROR_FIELD] as { kind: string; message: string; raw: string };
}

describe('message parser: values nested too deep', () => {
	it('per message: the deep value is a json parse error item with its raw text and reason, the others rows', () => {
		const chunk = parse({}, [message(0, '{"id":"a"}'), message(1, deep), message(2, '{"id":"b"}')]);
		assert.equal(chunk.parseErrors, 1);
		assert.deepEqual(chunk.items[0].json, { id: 'a' });
		const error = errorOf(chunk.items[1].json);
		assert.equal(error.kind, 'json');
		assert.equal(error.raw, deep);
		assert.match(error.message, /nests 8000 levels of arrays\/objects, deeper than the 1024 allowed/);
		assert.equal((chunk.items[1].json[KAFKA_METADATA_FIELD] as { offset: string }).offset, '1');
		assert.deepEqual(chunk.items[2].json, { id: 'b' });
		// What failed before: the item could not be serialised on a 1 MB stack.
		assert.doesNotThrow(() => JSON.stringify(chunk.items));
	});

	for (const kafkaFields of [[], [{ source: 'offset', column: 'kafka_offset' }]] as const) {
		it(`One Item per Batch${kafkaFields.length ? ' with Add Kafka Fields' : ''}: the deep value is not packed but its error item, in its place`, () => {
			const chunk = parse({ output: 'batch', kafkaFields: [...kafkaFields] as never }, [message(0, '{"id":"a"}'), message(1, deep), message(2, '{"id":"b"}')]);
			assert.equal(chunk.items.length, 3);
			assert.equal(chunk.parseErrors, 1);
			const [first, bad, last] = chunk.items.map((item) => item.json);
			assert.equal((first[PACKED_ROWS_FIELD] as unknown as PackedRows).count, 1);
			assert.match(errorOf(bad).message, /nests 8000 levels/);
			assert.equal(errorOf(bad).raw, deep);
			assert.deepEqual((last[PACKED_ROWS_FIELD] as unknown as PackedRows).sources, [{ topic: 'orders', partition: 2, firstOffset: '2', lastOffset: '2', lines: 1 }]);
		});
	}

	it('Schema Registry: a decoded record nested too deep (an Avro recursive record) is a schema_registry error item', async () => {
		let record: Record<string, unknown> = { id: 1, next: null };
		for (let i = 0; i < 1500; i++) record = { id: 1, next: record };
		const parser = createMessageParser({
			format: 'schemaRegistry',
			includeMetadata: false,
			tombstones: 'skip',
			schemaRegistry: { decode: async (value) => (value.length > 100 ? record : { id: 2 }) as never },
		});
		const chunk = await parser.parse([message(0, Buffer.alloc(3000, 2)), message(1, Buffer.from([0, 1]))], 0, 2, 't', 0);
		assert.equal(chunk.parseErrors, 1);
		const error = errorOf(chunk.items[0].json);
		assert.equal(error.kind, 'schema_registry');
		assert.match(error.message, /decoded value nests 1501 levels/);
		assert.deepEqual(chunk.items[1].json, { id: 2 });
	});
});
