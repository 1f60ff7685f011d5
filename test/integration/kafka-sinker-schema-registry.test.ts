// Schema Registry decoding against the real registry (Apicurio's Confluent-compatible API at
// SCHEMA_REGISTRY_URL, started by scripts/registry.sh) and the real broker: Avro and Protobuf values,
// keys in the wire format, values the registry cannot decode. Skipped, saying so, when the registry is
// not running. JSON Schema's own rules (exact numbers, drafts, Connect types) are in
// kafka-sinker-json-schema.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';

import { PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, registerAvroRecord, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { consumeWithRegistry, registerOverRest } from './registry-support';

let topic: string;
let protoTopic: string;
let keyTopic: string;
let reachable = false;

const broker = useKafkaAdmin({
	when: async () => (reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false)),
	setup: async () => {
		topic = await broker.topic(1);
		protoTopic = await broker.topic(1);
		keyTopic = await broker.topic(1);
	},
});

describe('sinker consumer: Schema Registry', () => {
	it('decodes Avro and JSON Schema values; a value without the wire header is an error item', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const avroId = await registerAvroRecord(registry, 'Order', 'sinker.test', [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }, { name: 'raw', type: 'bytes' }], 'orders');
		const json = await registry.register(
			{ type: SchemaType.JSON, schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) },
			{ subject: `${uniqueName('cities')}-value` },
		);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({
			topic,
			messages: [
				{ value: await registry.encode(avroId, { id: 42, item: 'tea', raw: Buffer.from([1, 2, 3]) }) },
				{ value: await registry.encode(json.id, { city: 'Lyon' }) },
				{ value: '{"not":"wire format"}' },
			],
		});
		await producer.disconnect();
		await consumeWithRegistry(broker.admin, topic, 3, 'registry', (items, consumer) => {
			assert.deepEqual(items[0], { id: 42, item: 'tea', raw: 'AQID' });
			assert.deepEqual(items[1], { city: 'Lyon' });
			assert.equal((items[2][PARSE_ERROR_FIELD] as { kind: string }).kind, 'schema_registry');
			assert.equal(consumer.stats.parseErrors, 1);
		});
	});

	it('decodes Protobuf: int64 beyond 2^53 exact, nested message, enum by name, proto3 zero values present', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const proto = await registry.register(
			{
				type: SchemaType.PROTOBUF,
				schema: [
					'syntax = "proto3";',
					'package sinker.test;',
					'message Shipment {',
					'  int64 id = 1;',
					'  string item = 2;',
					'  Address ship_to = 3;',
					'  repeated string tags = 4;',
					'  int32 qty = 5;',
					'  Status status = 6;',
					'  bytes raw = 7;',
					'  optional string note = 8;',
					'  message Address { string city = 1; sint64 zip_plus = 2; }',
					'  enum Status { UNKNOWN = 0; PACKED = 1; SHIPPED = 2; }',
					'}',
				].join('\n'),
			},
			{ subject: `${uniqueName('shipments')}-value` },
		);
		const big = 2n ** 62n + 12345n;
		const negative = -(2n ** 60n) - 7n;
		// protobufjs takes 64-bit values as { low, high } words (what its Long carries).
		const long = (n: bigint) => ({ low: Number(BigInt.asIntN(32, n)), high: Number(BigInt.asIntN(32, n >> 32n)), unsigned: false });
		// qty 0 and status UNKNOWN (0) are left out: proto3 writes no zero values, as any producer would.
		const first = await registry.encode(proto.id, {
			id: long(big),
			item: 'tea',
			shipTo: { city: 'Lyon', zipPlus: long(negative) },
			tags: ['a', 'b'],
			raw: Buffer.from([1, 2, 3]),
		});
		// Confluent's serializers put the message indexes after the schema id: [0] (first message) is one 0 byte.
		const plain = await registry.encode(proto.id, { id: long(7n), status: 2, qty: 3, note: 'fragile' });
		const confluent = Buffer.concat([plain.subarray(0, 5), Buffer.from([0]), plain.subarray(5)]);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic: protoTopic, messages: [{ value: first }, { value: confluent }] });
		await producer.disconnect();

		await consumeWithRegistry(broker.admin, protoTopic, 2, 'registry-proto', (items, consumer) => {
			assert.equal(consumer.stats.parseErrors, 0, JSON.stringify(items));
			assert.deepEqual(items, [
				{
					id: '4611686018427400249',
					item: 'tea',
					shipTo: { city: 'Lyon', zipPlus: '-1152921504606846983' },
					tags: ['a', 'b'],
					qty: 0,
					status: 'UNKNOWN',
					raw: 'AQID',
				},
				{ id: 7, item: '', shipTo: null, tags: [], qty: 3, status: 'SHIPPED', raw: '', note: 'fragile' },
			]);
			assert.equal(String(big), '4611686018427400249');
			assert.equal(String(negative), '-1152921504606846983');
		});
	});

	it('a value whose schema id the registry says it does not have is undecodable (Invalid), not an outage that holds the partition', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		const unknown = Buffer.from([0, 0x7f, 0xff, 0xff, 0xfd, 0x02, 0x41]);
		await assert.rejects(decoder.decode(unknown), (error: Error) => error.name !== 'SchemaRegistryUnavailableError');
	});

	it('a JSON Schema or Avro value whose text is not UTF-8 is refused with the reason, as on the plain JSON path, not loaded with U+FFFD in its place', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const json = await registry.register(
			{ type: SchemaType.JSON, schema: JSON.stringify({ type: 'object', properties: { name: { type: 'string' } } }) },
			{ subject: `${uniqueName('latin1')}-value` },
		);
		const header = Buffer.alloc(5);
		header.writeInt32BE(json.id, 1);
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		// "café" as a Latin-1 producer writes it: é is the single byte 0xE9.
		const latin1 = Buffer.from('{"name":"café"}', 'latin1');
		await assert.rejects(decoder.decode(Buffer.concat([header, latin1])), /not valid UTF-8/);
		assert.deepEqual(await decoder.decode(Buffer.concat([header, Buffer.from('{"name":"café"}')])), { name: 'café' });
		const avroId = await registerAvroRecord(registry, 'Named', 'sinker.utf8', [{ name: 'name', type: 'string' }, { name: 'raw', type: 'bytes' }], 'latin1-avro');
		const avroHeader = Buffer.alloc(5);
		avroHeader.writeInt32BE(avroId, 1);
		// Avro string "café" (length 4, zigzag 8) in Latin-1; the bytes field may hold anything.
		const avroLatin1 = Buffer.concat([avroHeader, Buffer.from([8]), Buffer.from('café', 'latin1'), Buffer.from([2, 0xe9])]);
		await assert.rejects(decoder.decode(avroLatin1), /Avro string "caf\uFFFD" is not valid UTF-8 text \(bytes 636166e9\)/);
		assert.deepEqual(await decoder.decode(await registry.encode(avroId, { name: 'café', raw: Buffer.from([0xe9]) })), { name: 'café', raw: '6Q==' });
	});

	it('decodes Protobuf by the message indexes Confluent serializers write: a second or nested message type, and an all-defaults message', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const proto = await registry.register(
			{
				type: SchemaType.PROTOBUF,
				schema: [
					'syntax = "proto3";',
					'package sinker.test;',
					'message Address { string city = 1; int32 zip = 2; }',
					'message Order {',
					'  int64 id = 1;',
					'  string item = 2;',
					'  int32 qty = 3;',
					'  message Line { string sku = 1; int32 count = 2; }',
					'}',
				].join('\n'),
			},
			{ subject: `${uniqueName('orders-proto')}-value` },
		);
		const header = Buffer.alloc(5);
		header.writeInt32BE(proto.id, 1);
		// Hand-written proto3 bytes. Order {id: 42, item: "tea", qty: 7}: field 1 varint, field 2 string, field 3 varint.
		const order = Buffer.from([0x08, 42, 0x12, 3, ...Buffer.from('tea'), 0x18, 7]);
		// Order.Line {sku: "a1", count: 2}.
		const line = Buffer.from([0x0a, 2, ...Buffer.from('a1'), 0x10, 2]);
		// The message indexes are zigzag varints: a count, then the path ([1] = 0x02 0x02, [1, 0] = 0x04 0x02 0x00);
		// [0] is the single byte 0 (Confluent's wire format, kafka-protobuf-serializer MessageIndexes).
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		assert.deepEqual(await decoder.decode(Buffer.concat([header, Buffer.from([0x02, 0x02]), order])), { id: 42, item: 'tea', qty: 7 }, 'the second message type, [1]');
		assert.deepEqual(await decoder.decode(Buffer.concat([header, Buffer.from([0x04, 0x02, 0x00]), line])), { sku: 'a1', count: 2 }, 'a nested message type, [1, 0]');
		// proto3 writes nothing for a message of zero values: the value is the header and the index byte.
		assert.deepEqual(await decoder.decode(Buffer.concat([header, Buffer.from([0x00])])), { city: '', zip: 0 }, 'an all-defaults Address, [0]');
		// @kafkajs/confluent-schema-registry's own encode writes no indexes: still the first message type.
		assert.deepEqual(await decoder.decode(await registry.encode(proto.id, { city: 'Lyon', zip: 69001 })), { city: 'Lyon', zip: 69001 });
		await assert.rejects(decoder.decode(Buffer.concat([header, Buffer.from([0x02, 0x08]), order])), /message index(es)? \[4\].*no message type/);
	});

	it('decodes a Protobuf schema as Kafka Connect\'s ProtobufConverter writes it: custom options holding lists of messages', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		// An INT16 and an INT8 column as the converter marks them; confluent/meta.proto is imported without a reference, as Confluent's serializer does.
		const schema = [
			'syntax = "proto3";',
			'package sinker.connect;',
			'import "confluent/meta.proto";',
			'message Row {',
			'  int32 small = 1 [(confluent.field_meta) = {',
			'    params: [',
			'      {',
			'        key: "connect.type",',
			'        value: "int16"',
			'      }',
			'    ]',
			'  }];',
			'  int32 tiny = 2 [(confluent.field_meta) = { params: [ { key: "connect.type", value: "int8" } ] }];',
			'  string name = 3;',
			'}',
		].join('\n');
		// Registered over HTTP as the converter does: this client would parse the schema with protobufjs first, and fail.
		const header = await registerOverRest(`${uniqueName('connect-rows')}-value`, { schemaType: 'PROTOBUF', schema }, 6);
		// Row {small: 300, tiny: -1, name: "x"}: field 1 varint 300 (0xac 0x02), field 2 varint -1 (ten bytes), field 3 string.
		const payload = Buffer.from([0x08, 0xac, 0x02, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x1a, 0x01, 0x78]);
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		assert.deepEqual(await decoder.decode(Buffer.concat([header, payload])), { small: 300, tiny: -1, name: 'x' });
	});
	it('decodes a top-level Avro union of records (several event types in one topic) and ambiguous field unions to the branch value', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const amount = { name: 'amount', type: ['null', 'float', 'double'] };
		const customer = { type: 'record', name: 'Customer', namespace: 'sinker.union', fields: [{ name: 'id', type: 'long' }, amount] };
		const product = { type: 'record', name: 'Product', namespace: 'sinker.union', fields: [{ name: 'sku', type: ['null', 'string', { type: 'enum', name: 'Sku', symbols: ['T1'] }] }] };
		const schema = [customer, product];
		// The library's register() refuses a schema without a top-level name: registered through the REST API.
		const header = await registerOverRest(`${uniqueName('events')}-value`, { schema: JSON.stringify(schema) });
		// As a producer writes the union: the branch's index, then the record.
		const writer = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: true });
		const value = (event: unknown) => Buffer.concat([header, writer.toBuffer(event)]);
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		assert.deepEqual(await decoder.decode(value({ 'sinker.union.Customer': { id: 5, amount: { double: 1.5 } } })), { id: 5, amount: 1.5 });
		assert.deepEqual(await decoder.decode(value({ 'sinker.union.Product': { sku: { string: 'T-1' } } })), { sku: 'T-1' });
		assert.deepEqual(await decoder.decode(value({ 'sinker.union.Product': { sku: { 'sinker.union.Sku': 'T1' } } })), { sku: 'T1' });
	});
	it('Add Kafka Fields: a key written in the wire format is decoded through the registry; one that cannot be decoded sends its message to Invalid', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const valueId = await registerAvroRecord(registry, 'Order', 'sinker.keys', [{ name: 'item', type: 'string' }], 'keyed-orders');
		// Debezium's AvroConverter writes the key as a record of the primary key's columns.
		const keyId = await registerAvroRecord(registry, 'Key', 'sinker.keys', [{ name: 'id', type: 'long' }], 'keyed-orders-key');
		const unknownSchema = Buffer.from([0, 0x7f, 0xff, 0xff, 0xfe, 0x02]);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({
			topic: keyTopic,
			messages: [
				{ key: await registry.encode(keyId, { id: 42 }), value: await registry.encode(valueId, { item: 'tea' }) },
				{ key: 'plain-key', value: await registry.encode(valueId, { item: 'cake' }) },
				{ key: unknownSchema, value: await registry.encode(valueId, { item: 'jam' }) },
			],
		});
		await producer.disconnect();
		for (const output of ['message', 'batch'] as const) {
			const group = uniqueName('registry-keys');
			const n8n = new FakeN8n();
			const consumer = await SinkerConsumer.start(
				testOptions(keyTopic, group, {
					parser: {
						format: 'schemaRegistry',
						includeMetadata: false,
						tombstones: 'skip',
						output,
						kafkaFields: [{ source: 'key', name: 'order_key' }],
						schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }),
					},
				}),
				n8n.run,
			);
			try {
				await waitFor(`${output}: offset 3 committed`, async () => (await committedOffsets(broker.admin, group, keyTopic)).get(0) === 3n);
				const items = n8n.executions.flatMap((e) => e.items.map((i) => i.json));
				const rows = items.flatMap((json) =>
					json.packedRows ? (json.packedRows as { jsonLines: string }).jsonLines.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>) : [json],
				);
				// Each decoded item (each packed item) names the fields the trigger added, for the Doris Schema node.
				for (const json of items) {
					const doris = (json.packedRows as { doris?: unknown } | undefined)?.doris ?? json._doris;
					if (json[PARSE_ERROR_FIELD] === undefined) assert.deepEqual(doris, { kafkaFields: ['order_key'] }, output);
					delete json._doris;
				}
				assert.deepEqual(rows[0], { order_key: { id: 42 }, item: 'tea' }, output);
				assert.deepEqual(rows[1], { order_key: 'plain-key', item: 'cake' }, output);
				const error = rows[2][PARSE_ERROR_FIELD] as { kind: string; message: string };
				assert.equal(error.kind, 'schema_registry', output);
				assert.match(error.message, /the message key \(in the Schema Registry's wire format, schema id 2147483646\) could not be decoded/, output);
				assert.equal(rows.length, 3, output);
			} finally {
				await consumer.close();
			}
		}
	});
});
