// With Message Format Schema Registry and Include Metadata, `_kafka` carries the key decoded
// (decodedKey) or why it was not (keyError), and the value's Connect schema (valueSchema), for the Doris
// Schema node's Create Missing Tables (src/doris/schema/message-key.ts, table-design.ts). One Item per
// Batch lines carry no `_kafka`; a registry that cannot be asked for the key holds the partition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { JsonObject, JsonValue } from '../../../src/common/exact-json';
import { createMessageParser, type MessageParserOptions, type ParsedChunk } from '../../../src/kafka/message-parser';
import type { SchemaRegistryDecoder } from '../../../src/kafka/schema-registry';
import { SchemaRegistryUnavailableError } from '../../../src/kafka/schema-registry-errors';
import { message } from './message-support';

function wire(schemaId: number, body = 0): Buffer {
	const bytes = Buffer.alloc(6);
	bytes.writeInt32BE(schemaId, 1);
	bytes[5] = body;
	return bytes;
}

const VALUE_SCHEMA: JsonObject = { type: 'struct', fields: [{ field: 'price', type: 'float64' }] };

/** Schema ids: 1 a key record, 2 a key whose bytes do not fit, 9 a registry that cannot be asked, 7 a value. */
const registry: SchemaRegistryDecoder = {
	decode: async (bytes): Promise<JsonValue> => {
		await Promise.resolve();
		const id = bytes.readInt32BE(1);
		if (id === 9) throw new SchemaRegistryUnavailableError('Schema Registry http://r did not answer schema id 9: connect ECONNREFUSED');
		if (id === 2) throw new Error('truncated buffer');
		if (id === 1) return { id: bytes[5] };
		return { price: 3 };
	},
	connectSchema: (bytes) => (bytes.readInt32BE(1) === 7 ? VALUE_SCHEMA : undefined),
	// Key schema id 1 is registered under "orders-key" and "keyed-key" (key-subjects.ts), no other topic's.
	keySubject: async (topic, schemaId) =>
		schemaId === 1 && (topic === 'orders' || topic === 'keyed')
			? { registered: true }
			: { registered: false, reason: `the message key's schema id ${schemaId} is not registered for subject "${topic}-key"` },
};

async function parse(options: Partial<MessageParserOptions>, keys: Array<Buffer | null>): Promise<ParsedChunk> {
	const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: registry, ...options });
	return await parser.parse(keys.map((key, i) => message(i, wire(7), { key })), 0, keys.length, 'orders', 0);
}

describe('`_kafka` with Message Format Schema Registry', () => {
	it('the key decoded, or why not (the row itself loads), and the value\'s Connect schema; `key` keeps the bytes', async () => {
		const chunk = await parse({}, [wire(1, 42), wire(2), Buffer.from('plain'), null]);
		const meta = chunk.items.map((item) => item.json._kafka as JsonObject);
		assert.deepEqual(meta.map((m) => m.decodedKey), [{ id: 42 }, undefined, undefined, undefined]);
		assert.equal(meta[0].key, wire(1, 42).toString('base64'));
		assert.match(String(meta[1].keyError), /^the message key \(in the Schema Registry's wire format, schema id 2\) could not be decoded: truncated buffer$/);
		assert.deepEqual(meta.map((m) => m.keyError === undefined), [true, false, true, true]);
		assert.ok(meta.every((m) => m.valueSchema === VALUE_SCHEMA), 'the same schema object on every item');
		assert.deepEqual(chunk.items.map((item) => item.json.price), [3, 3, 3, 3], 'every row is a row');
		assert.equal(chunk.parseErrors, 0);
	});

	it('Include Metadata off, or One Item per Batch: neither decoded key nor schema (lines carry no `_kafka`)', async () => {
		const off = await parse({ includeMetadata: false }, [wire(1, 42), wire(2)]);
		assert.deepEqual(off.items.map((item) => item.json._kafka), [undefined, undefined]);
		const batch = await parse({ output: 'batch' }, [wire(1, 42), wire(2)]);
		assert.equal(batch.items.length, 1);
		assert.equal((batch.items[0].json.packedRows as { jsonLines: string }).jsonLines, '{"price":3}\n{"price":3}\n');
	});

	it('no node downstream reads them (metadata-needs.ts): no valueSchema and no key decoded; Add New Columns alone: the schema only', async () => {
		let keyLookups = 0;
		const counting: SchemaRegistryDecoder = { ...registry, decode: async (bytes) => ((keyLookups += bytes.readInt32BE(1) === 7 ? 0 : 1), await registry.decode(bytes)) };
		const none = await parse({ schemaRegistry: counting, metadataNeeds: { valueSchema: false, decodedKey: false } }, [wire(1, 42), wire(2), null]);
		const meta = none.items.map((item) => item.json._kafka as JsonObject);
		assert.deepEqual(
			meta.map((m) => Object.keys(m).sort()),
			Array.from({ length: 3 }, () => ['headers', 'key', 'offset', 'partition', 'timestamp', 'topic']),
			'the position only',
		);
		assert.equal(keyLookups, 0, 'no key sent to the registry for metadata');
		assert.deepEqual(none.items.map((item) => item.json.price), [3, 3, 3]);
		const schemaOnly = await parse({ metadataNeeds: { valueSchema: true, decodedKey: false } }, [wire(1, 42)]);
		const only = schemaOnly.items[0].json._kafka as JsonObject;
		assert.equal(only.valueSchema, VALUE_SCHEMA);
		assert.equal(only.decodedKey, undefined);
	});

	it("a key decoded with a schema id not of the topic's key subject (a LongSerializer key read as the wire format) is not trusted: keyError, no decodedKey", async () => {
		const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: registry });
		const chunk = await parser.parse([message(0, wire(7), { key: wire(1, 42) })], 0, 1, 'payments', 0);
		const meta = chunk.items[0].json._kafka as JsonObject;
		assert.equal(meta.decodedKey, undefined);
		assert.match(String(meta.keyError), /no key of topic "payments" has decoded yet \(1 tried, the last: the message key's schema id 1 is not registered for subject "payments-key"\)$/);
		assert.equal(chunk.items[0].json.price, 3, 'the row itself is a row');
	});

	it('an untrusted key proves nothing: after 5 such tries no key of the topic is sent for metadata', async () => {
		let keyLookups = 0;
		const counting: SchemaRegistryDecoder = { ...registry, decode: async (bytes) => ((keyLookups += bytes.readInt32BE(1) === 1 ? 1 : 0), await registry.decode(bytes)) };
		const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: counting });
		const messages = Array.from({ length: 40 }, (_, i) => message(i, wire(7), { key: wire(1, i) }));
		const items = [];
		for (let from = 0; from < 40; from += 5) items.push(...(await parser.parse(messages, from, from + 5, 'payments', 0)).items);
		assert.equal(keyLookups, 5, 'one key per batch, five batches, then none');
		assert.ok(items.every((item) => (item.json._kafka as JsonObject).decodedKey === undefined));
	});

	it("Add Kafka Fields' key: the row's field still gets the key decoded, `_kafka` only the reason it is not trusted", async () => {
		const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: registry, kafkaFields: [{ source: 'key', name: 'k' }] });
		const chunk = await parser.parse([message(0, wire(7), { key: wire(1, 42) })], 0, 1, 'payments', 0);
		assert.deepEqual(chunk.items[0].json.k, { id: 42 });
		const meta = chunk.items[0].json._kafka as JsonObject;
		assert.equal(meta.decodedKey, undefined);
		assert.match(String(meta.keyError), /schema id 1 is not registered for subject "payments-key"/);
	});

	it('a registry that cannot be asked for the key holds the partition, as for a value', async () => {
		await assert.rejects(async () => await parse({}, [wire(9)]), SchemaRegistryUnavailableError);
	});

	it('a topic whose keys only look like the wire format (LongSerializer keys of 2^32 or more): one key per batch is tried, none after 5 failed, each row saying why', async () => {
		let keyLookups = 0;
		const failing: SchemaRegistryDecoder = {
			...registry,
			decode: async (bytes) => {
				if (bytes.length !== 8) return await registry.decode(bytes);
				keyLookups++;
				throw new Error(`no schema with id ${bytes.readInt32BE(1)}`);
			},
		};
		// Kafka's LongSerializer: 8 bytes big-endian; 2^40 + i·2^32 reads as "schema id" 65536 + 256·i, which no registry has.
		const longKey = (i: number) => {
			const bytes = Buffer.alloc(8);
			bytes.writeBigInt64BE(2n ** 40n + BigInt(i) * 2n ** 32n);
			return bytes;
		};
		const messages = Array.from({ length: 40 }, (_, i) => message(i, wire(7), { key: longKey(i) }));
		const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: failing });
		const items = [];
		for (let from = 0; from < 40; from += 5) items.push(...(await parser.parse(messages, from, from + 5, 'longs', 0)).items);
		assert.equal(keyLookups, 5, 'one key per batch, five batches, then none: not 40');
		const errors = items.map((item) => String((item.json._kafka as JsonObject).keyError));
		assert.match(errors[0], /^the message key was not decoded: no key of topic "longs" has decoded yet \(1 tried, the last: schema id 65536: no schema with id 65536\)$/);
		assert.match(errors[39], /\(5 tried, the last: schema id 70656: no schema with id 70656\), so its keys are no longer sent to the Schema Registry/);
		assert.ok(items.every((item) => item.json.price === 3), 'every row is a row');
		// Add Kafka Fields' key needs the key itself: it is always decoded (and its failures go to Invalid).
		keyLookups = 0;
		const fields = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: failing, kafkaFields: [{ source: 'key', name: 'k' }] });
		await fields.parse(messages, 0, 40, 'longs', 0);
		assert.equal(keyLookups, 40);
	});

	it('a topic whose first key decodes: every key of the batch is decoded', async () => {
		let keyLookups = 0;
		const counting: SchemaRegistryDecoder = { ...registry, decode: async (bytes) => ((keyLookups += bytes.readInt32BE(1) === 1 ? 1 : 0), await registry.decode(bytes)) };
		const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: counting });
		const chunk = await parser.parse([1, 2, 3].map((i) => message(i, wire(7), { key: wire(1, i) })), 0, 3, 'keyed', 0);
		assert.deepEqual(chunk.items.map((item) => (item.json._kafka as JsonObject).decodedKey), [{ id: 1 }, { id: 2 }, { id: 3 }]);
		assert.equal(keyLookups, 4, 'the first key tried alone, then all three');
	});
});
