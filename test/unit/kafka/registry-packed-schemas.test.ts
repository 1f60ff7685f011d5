// One Item per Batch with Message Format Schema Registry and Include Metadata: the packed item carries
// its lines' Connect schemas, one object per schema id (packedRows.connectSchemas), named by index from
// each source run (valueSchema / keySchema); a line whose schema differs starts a new run. The lines are
// the same bytes as without; with Include Metadata off the item is as before (no schemas).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { JsonObject, JsonValue } from '../../../src/common/exact-json';
import type { PackedRows } from '../../../src/common/item-contract';
import { createMessageParser, type MessageParserOptions } from '../../../src/kafka/message-parser';
import type { SchemaRegistryDecoder } from '../../../src/kafka/schema-registry';
import { message } from './message-support';

function wire(schemaId: number, body = 0): Buffer {
	const bytes = Buffer.alloc(6);
	bytes.writeInt32BE(schemaId, 1);
	bytes[5] = body;
	return bytes;
}

const KEY_SCHEMA: JsonObject = { type: 'struct', fields: [{ field: 'id', type: 'int64' }] };
const V7: JsonObject = { type: 'struct', fields: [{ field: 'price', type: 'float64' }] };
const V8: JsonObject = { type: 'struct', fields: [{ field: 'price', type: 'float64' }, { field: 'note', type: 'string' }] };

/** Schema ids: 1 a key record, 7 and 8 values; a key's schema is known once a key of its id was decoded. */
function registryCounting(): { registry: SchemaRegistryDecoder; keyDecodes: () => number } {
	let keyDecodes = 0;
	const fetched = new Set<number>();
	const registry: SchemaRegistryDecoder = {
		decode: async (bytes): Promise<JsonValue> => {
			await Promise.resolve();
			const id = bytes.readInt32BE(1);
			fetched.add(id);
			if (id === 1) {
				keyDecodes++;
				return { id: bytes[5] };
			}
			return { price: 3 };
		},
		connectSchema: (bytes) => {
			const id = bytes.readInt32BE(1);
			if (!fetched.has(id)) return undefined;
			return id === 1 ? KEY_SCHEMA : id === 7 ? V7 : id === 8 ? V8 : undefined;
		},
	};
	return { registry, keyDecodes: () => keyDecodes };
}

async function packed(options: Partial<MessageParserOptions>, values: number[], registry: SchemaRegistryDecoder, key: (i: number) => Buffer | null = (i) => wire(1, i)): Promise<PackedRows> {
	const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', output: 'batch', schemaRegistry: registry, ...options });
	const chunk = await parser.parse(values.map((id, i) => message(i, wire(id), { key: key(i) })), 0, values.length, 'orders', 0);
	assert.equal(chunk.items.length, 1);
	return chunk.items[0].json.packedRows as unknown as PackedRows;
}

describe('One Item per Batch with Message Format Schema Registry: the lines\' Connect schemas', () => {
	it('one schema object per schema id, named by index from the runs; a schema change starts a new run; one key decoded for its schema', async () => {
		const { registry, keyDecodes } = registryCounting();
		const rows = await packed({}, [7, 7, 8, 8, 7], registry);
		assert.equal(rows.jsonLines, '{"price":3}\n'.repeat(5));
		assert.deepEqual(rows.connectSchemas, [V7, KEY_SCHEMA, V8]);
		assert.equal(rows.connectSchemas?.[0], V7, 'the very object, not a copy per line');
		assert.deepEqual(rows.sources, [
			{ topic: 'orders', partition: 0, firstOffset: '0', lastOffset: '1', lines: 2, valueSchema: 0, keySchema: 1 },
			{ topic: 'orders', partition: 0, firstOffset: '2', lastOffset: '3', lines: 2, valueSchema: 2, keySchema: 1 },
			{ topic: 'orders', partition: 0, firstOffset: '4', lastOffset: '4', lines: 1, valueSchema: 0, keySchema: 1 },
		]);
		assert.equal(keyDecodes(), 1, 'the keys are not decoded for the lines: one, for its schema');
	});

	it('lines without a key schema (null or plain keys) do not split a run; Include Metadata off: the item as before', async () => {
		const { registry } = registryCounting();
		const rows = await packed({}, [7, 7, 7], registry, (i) => (i === 1 ? null : i === 2 ? Buffer.from('plain') : wire(1, i)));
		assert.deepEqual(rows.sources, [{ topic: 'orders', partition: 0, firstOffset: '0', lastOffset: '2', lines: 3, valueSchema: 0, keySchema: 1 }]);
		const off = await packed({ includeMetadata: false }, [7, 8], registryCounting().registry);
		assert.deepEqual(off, { jsonLines: '{"price":3}\n{"price":3}\n', count: 2, sources: [{ topic: 'orders', partition: 0, firstOffset: '0', lastOffset: '1', lines: 2 }] });
	});

	it("a key schema id not registered under the topic's key subject (key-subjects.ts) gives no keySchema: a LongSerializer key decoded with another topic's key record named the key columns", async () => {
		const { registry } = registryCounting();
		const asked: Array<[string, number]> = [];
		const elsewhere: SchemaRegistryDecoder = {
			...registry,
			keySubject: async (topic, schemaId) => (asked.push([topic, schemaId]), { registered: false, reason: `schema id ${schemaId} is not registered for subject "${topic}-key"` }),
		};
		const rows = await packed({}, [7, 7], elsewhere);
		assert.deepEqual(rows.sources, [{ topic: 'orders', partition: 0, firstOffset: '0', lastOffset: '1', lines: 2, valueSchema: 0 }]);
		assert.deepEqual(rows.connectSchemas, [V7]);
		assert.ok(asked.length > 0 && asked.every(([topic, id]) => topic === 'orders' && id === 1));
	});
});
