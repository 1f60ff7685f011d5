// Create Missing Tables behind a Schema Registry, on the real broker and registry (Apicurio) into the
// Doris test server: Debezium change events written by Confluent's AvroConverter as key AND value
// converter. The trigger (Include Metadata, One Item per Message) must carry the key decoded
// (`_kafka.decodedKey`) and the value's Connect schema (`_kafka.valueSchema`), so the table gets
// UNIQUE KEY(id) and the declared types: before, `_kafka.key` was the key's bytes as base64 and every new
// table was refused as having "no Kafka key", and a double of 3.0 (decoded as 3) made a BIGINT column
// that refused the 3.5 after it for good. A key the registry cannot decode is named in the refusal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

import { loadIntoDoris } from '../../src/batch/doris-target';
import { parseJsonExact } from '../../src/common/exact-json';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../src/common/item-contract';
import type { DorisConnection } from '../../src/doris/connection';
import { tableSchemaOrCreate } from '../../src/doris/schema/ddl-runner';
import { mapItemsToTargets } from '../../src/doris/schema/map-targets';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../src/doris/schema/row-mapper';
import { designTableFrom, type CreateOptions } from '../../src/doris/schema/table-design';
import { logicalTypeHook } from '../../src/kafka/avro-logical-types';
import type { MessageParserOptions, OutputMode } from '../../src/kafka/message-parser';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { avroSchemaOfValue, avroValueOf } from '../fixtures/debezium/avro';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { routeToRows, usePipelineDoris } from './pipeline-support';

let registryUp = false;
const broker = useKafkaAdmin({ when: async () => ((registryUp = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false)), true) });
const doris = usePipelineDoris();

const ROW_FIELDS = [
	{ type: 'int64', optional: false, field: 'id' },
	{ type: 'float64', optional: false, field: 'price' },
	{ type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' }, field: 'amount' },
	{ type: 'int32', optional: true, name: 'io.debezium.time.Date', version: 1, field: 'placed_on' },
	{ type: 'int64', optional: true, name: 'io.debezium.time.MicroTimestamp', version: 1, field: 'placed_at' },
	{ type: 'string', optional: true, field: 'note' },
];
const ROW = { type: 'struct', name: 'dbserver1.inventory.orders.Value', optional: true, fields: ROW_FIELDS };
const ENVELOPE = {
	type: 'struct',
	name: 'dbserver1.inventory.orders.Envelope',
	optional: false,
	fields: [{ ...ROW, field: 'before' }, { ...ROW, field: 'after' }, { type: 'string', optional: false, field: 'op' }, { type: 'int64', optional: true, field: 'ts_ms' }],
};
const KEY = { type: 'struct', name: 'dbserver1.inventory.orders.Key', optional: false, fields: [{ type: 'int64', optional: false, field: 'id' }] };

/** The columns a table created from these events gets: the types the Avro writer schema declares. */
const DECLARED_TYPES = {
	id: { kind: 'integer', name: 'BIGINT' },
	price: { kind: 'float', name: 'DOUBLE' },
	amount: { kind: 'decimal', precision: 10, scale: 2 },
	placed_on: { kind: 'date' },
	placed_at: { kind: 'datetime', precision: 6 },
	note: { kind: 'string' },
};

/** A Debezium create event of the orders table as the JSON converter writes it (the fixture helpers turn it into Avro). */
function eventText(id: number, price: string): string {
	// 12.50 as Decimal(10,2): unscaled 1250, big-endian, base64; 19844 days is 2024-05-01.
	const after = `{"id":${id},"price":${price},"amount":"BOI=","placed_on":19844,"placed_at":1714564800123456,"note":"n${id}"}`;
	return `{"schema":${JSON.stringify(ENVELOPE)},"payload":{"before":null,"after":${after},"op":"c","ts_ms":1714564800000}}`;
}

function keyText(id: number): string {
	return `{"schema":${JSON.stringify(KEY)},"payload":{"id":${id}}}`;
}

function connection(): DorisConnection {
	const s = doris.server;
	return { feUrls: s.feUrls, queryHost: s.mysqlHost, queryPort: s.mysqlPort, user: s.user, password: s.password, database: 'demo' };
}

/**
 * A new topic holding the orders table's create events (eventText), key and value written as Confluent's
 * AvroConverter writes them, the schemas registered under TopicNameStrategy as Debezium's converters do:
 * `<topic>-value` and `<topic>-key` (a key is trusted only under `<topic>-key`, key-subjects.ts). An
 * event's own `key` bytes are sent in place of its encoded key.
 */
async function produceDebeziumAvro(events: ReadonlyArray<{ id: number; price: string; key?: Buffer }>): Promise<string> {
	const registry = new SchemaRegistry({ host: schemaRegistryUrl }, { [SchemaType.AVRO]: { typeHook: logicalTypeHook } });
	const topic = await broker.topic(1);
	const values = events.map((event) => eventText(event.id, event.price));
	const { id: valueId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOfValue(values[0])) }, { subject: `${topic}-value` });
	const { id: keyId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOfValue(keyText(events[0].id))) }, { subject: `${topic}-key` });
	const producer = broker.kafka.producer();
	await producer.connect();
	await producer.send({
		topic,
		messages: await Promise.all(events.map(async (event, i) => ({ key: event.key ?? (await registry.encode(keyId, avroValueOf(keyText(event.id)))), value: await registry.encode(valueId, avroValueOf(values[i])) }))),
	});
	await producer.disconnect();
	return topic;
}

/** The trigger's items of every message of `topic` (Include Metadata, One Item per Message unless told). */
async function triggerItems(topic: string, messages: number, output: OutputMode = 'message'): Promise<Array<Record<string, unknown>>> {
	const parser: MessageParserOptions = { format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', output, schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) };
	const group = uniqueName('registry-create');
	const n8n = new FakeN8n();
	const consumer = await SinkerConsumer.start(testOptions(topic, group, { parser, executionsInFlight: 1 }), n8n.run);
	try {
		await waitFor(`offset ${messages} committed`, async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(messages));
	} finally {
		await consumer.close();
	}
	return n8n.executions.flatMap((e) => e.items.map((i) => i.json as Record<string, unknown>));
}

describe('Create Missing Tables behind a Schema Registry (Debezium, AvroConverter for keys and values)', () => {
	it('the table gets UNIQUE KEY on the decoded key and the Avro types (a double of 3.0 is DOUBLE), and a later 3.5 loads', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const topic = await produceDebeziumAvro([
			{ id: 1, price: '3.0' },
			{ id: 2, price: '3.5' },
			// A key whose schema id the registry does not have: the row is whole, the key unknown.
			{ id: 3, price: '1.0', key: Buffer.from([0, 0x7f, 0xff, 0xff, 0xfe, 0x02]) },
		]);

		const items = await triggerItems(topic, 3);
		assert.equal(items.length, 3);
		const meta = items.map((json) => json._kafka as Record<string, unknown>);
		assert.deepEqual(meta[0].decodedKey, { id: 1 }, '`_kafka.decodedKey`: the key record decoded');
		assert.match(String(meta[0].key), /^AAAAA/, '`_kafka.key` keeps the bytes (base64)');
		assert.strictEqual(meta[0].valueSchema, meta[1].valueSchema, 'one Connect schema object per schema id');
		assert.match(String(meta[2].keyError), /the message key \(in the Schema Registry's wire format, schema id 2147483646\) could not be decoded/);
		assert.equal((items[2].after as Record<string, unknown>).id, 3, 'the row of a key that did not decode is still a row');

		const options: CreateOptions = { cdc: true, sourcePath: '', keyColumns: [], properties: [['replication_num', '1']] };
		const refused = designTableFrom({ database: 'demo', table: 'orders_unknown_key' }, [items[2]], options);
		assert.match('refused' in refused ? refused.refused : '', /its primary key is unknown \(the message key \(in the Schema Registry's wire format, schema id 2147483646\) could not be decoded: .+\); set Key Columns/);

		const target = { database: 'demo', table: 'orders_created' };
		const schema = await tableSchemaOrCreate(connection(), target, 0, { design: () => designTableFrom(target, items.slice(0, 2), options) });
		assert.ok(!('refused' in schema), 'refused' in schema ? schema.refused : '');
		const types = Object.fromEntries(schema.columns.map((c) => [c.name, c.type]));
		assert.deepEqual(types, DECLARED_TYPES);
		assert.deepEqual(schema.keyColumns, ['id']);

		const invalid: unknown[] = [];
		const rows = routeToRows(items.slice(0, 2).map((json) => ({ json })), new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true }), { workflow: 'registry-create', node: 'Doris Schema' }, invalid);
		assert.deepEqual(invalid, [], 'the 3.5 after a 3.0 is a row, not Invalid');
		await loadIntoDoris(doris.target('orders_created', 'registry_create', { deleteSign: true }), rows, {});
		const loaded = doris.server.tableRows('demo', 'orders_created').map((r) => [Number(r.id), Number(r.price), String(r.amount), String(r.placed_on)]);
		assert.deepEqual(loaded.sort(), [[1, 3, '12.50', '2024-05-01'], [2, 3.5, '12.50', '2024-05-01']]);
	});

	it("a LongSerializer key that looks like the wire format and decodes with another topic's key schema is not trusted: no decodedKey, the refusal names the subject", async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl }, { [SchemaType.AVRO]: { typeHook: logicalTypeHook } });
		const topic = await broker.topic(1);
		const { id: valueId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOfValue(eventText(1, '3.0'))) }, { subject: `${topic}-value` });
		// Another topic's Debezium key record {id: long}; this topic has no key subject at all.
		const other = uniqueName('dbserver1.inventory.customers');
		const { id: otherKeyId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOfValue(keyText(1))) }, { subject: `${other}-key` });
		// Kafka's LongSerializer: 8 bytes big-endian. This long's bytes are 0, the other key's schema id, and
		// 81 81 01, one complete Avro long (-8257): it decodes as {"id": -8257} with that schema.
		const longKey = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), Buffer.from([0x81, 0x81, 0x01])]);
		longKey.writeInt32BE(otherKeyId, 1);
		assert.equal(String(((await registry.decode(longKey)) as { id: bigint }).id), '-8257', "the key does decode with the other topic's schema");
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic, messages: [{ key: longKey, value: await registry.encode(valueId, avroValueOf(eventText(1, '3.0'))) }] });
		await producer.disconnect();

		const [item] = await triggerItems(topic, 1);
		const meta = item._kafka as Record<string, unknown>;
		assert.equal(meta.decodedKey, undefined, 'before: {"id": -8257}');
		const notRegistered = new RegExp(`schema id ${otherKeyId} is not registered for subject "${topic}-key"`);
		assert.match(String(meta.keyError), notRegistered);
		const options: CreateOptions = { cdc: true, sourcePath: '', keyColumns: [], properties: [] };
		const refused = designTableFrom({ database: 'demo', table: 'orders_long_key' }, [item], options);
		assert.ok('refused' in refused, 'before: created with UNIQUE KEY(id) from the garbage key');
		assert.match(refused.refused, /its primary key is unknown \(.*; set Key Columns/);
		assert.match(refused.refused, notRegistered);
		const keyed = designTableFrom({ database: 'demo', table: 'orders_long_key' }, [item], { ...options, keyColumns: ['id'] });
		assert.deepEqual('refused' in keyed ? keyed.refused : keyed.keys.map((c) => c.name), ['id'], 'Key Columns still create it');
	});

	it('JSON Schema and Protobuf keys are decoded into `_kafka.decodedKey` too; a Protobuf value carries its declared types (a double of 3.0 is DOUBLE), a JSON Schema value none', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const subject = uniqueName('keyed');
		// Keys are trusted only under `<topic>-key` (key-subjects.ts), and a registry subject holds one schema
		// type (Apicurio refuses a Protobuf version of a JSON Schema artifact): one topic per key type.
		const [jsonTopic, protoTopic] = [await broker.topic(1), await broker.topic(1)];
		const jsonKey = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }) }, { subject: `${jsonTopic}-key` });
		const jsonValue = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify({ type: 'object', properties: { id: { type: 'integer' }, price: { type: 'number' } } }) }, { subject: `${subject}-json-value` });
		const protoKey = await registry.register({ type: SchemaType.PROTOBUF, schema: 'syntax = "proto3";\npackage sinker.keys;\nmessage Key { int64 id = 1; }' }, { subject: `${protoTopic}-key` });
		const protoValue = await registry.register(
			{ type: SchemaType.PROTOBUF, schema: 'syntax = "proto3";\npackage sinker.keys;\nmessage Row { int64 id = 1; double price = 2; float weight = 3; Kind kind = 4; enum Kind { A = 0; B = 1; } }' },
			{ subject: `${subject}-proto-value` },
		);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic: jsonTopic, messages: [{ key: await registry.encode(jsonKey.id, { id: 1 }), value: await registry.encode(jsonValue.id, { id: 1, price: 3 }) }] });
		await producer.send({ topic: protoTopic, messages: [{ key: await registry.encode(protoKey.id, { id: 2 }), value: await registry.encode(protoValue.id, { id: 2, price: 3, weight: 2, kind: 1 }) }] });
		await producer.disconnect();
		const items = [...(await triggerItems(jsonTopic, 1)), ...(await triggerItems(protoTopic, 1))];
		assert.deepEqual(items.map((json) => (json._kafka as Record<string, unknown>).decodedKey), [{ id: 1 }, { id: 2 }]);
		assert.equal((items[0]._kafka as Record<string, unknown>).valueSchema, undefined, 'no Connect schema from a JSON Schema');
		const designs = items.map((json, index) => designTableFrom({ database: 'demo', table: `keyed_${index}` }, [json], { cdc: false, sourcePath: '', keyColumns: [], properties: [] }));
		const columns = designs.map((d) => ('refused' in d ? d.refused : [...d.keys, ...d.values].map((c) => `${c.name} ${c.type}`).join(', ')));
		assert.deepEqual(columns, ['id BIGINT, price BIGINT', 'id BIGINT, price DOUBLE, weight FLOAT, kind STRING']);
	});

	it('One Item per Batch: the packed item carries the Connect schemas of its runs, so the table gets UNIQUE KEY(id) from the key schema and DOUBLE for a 3.0, and a later 3.5 loads', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const topic = await produceDebeziumAvro([
			{ id: 1, price: '3.0' },
			{ id: 2, price: '3.5' },
			{ id: 3, price: '4.0' },
		]);

		const items = await triggerItems(topic, 3, 'batch');
		const packed = items.map((json) => json[PACKED_ROWS_FIELD] as unknown as PackedRows);
		assert.ok(packed.every((p) => p !== undefined), 'every message a packed line');
		assert.equal(packed.reduce((n, p) => n + p.count, 0), 3);
		for (const p of packed) {
			assert.ok(p.connectSchemas !== undefined && p.connectSchemas.length === 2, 'one value and one key schema per item, not one per line');
			assert.ok(p.sources.every((run) => run.valueSchema !== undefined && run.keySchema !== undefined), JSON.stringify(p.sources));
			assert.doesNotMatch(p.jsonLines, /_kafka/, 'the lines are the rows alone');
		}

		// The Doris Schema node's Map Rows with Create Missing Tables: the table is designed from the packed lines' samples.
		const options: CreateOptions = { cdc: true, sourcePath: '', keyColumns: [], properties: [['replication_num', '1']] };
		const target = { database: 'demo', table: 'orders_packed_created' };
		let mapper: RowMapper | undefined;
		const routed = await mapItemsToTargets(
			items.map((json) => ({ json })),
			{
				rules: { database: { kind: 'parameter' }, table: { kind: 'parameter' } },
				parameters: () => target,
				tagTargets: false,
				mapperFor: async (to, samples) => {
					const schema = await tableSchemaOrCreate(connection(), to, 0, { design: () => designTableFrom(to, samples(), options) });
					if ('refused' in schema) return schema;
					return (mapper = new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true }));
				},
			},
			{ labels: { workflow: 'registry-create', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false },
		);
		assert.deepEqual(routed.invalid.map((r) => r.json._invalid), [], 'the 3.5 after a 3.0 is a row, not Invalid; the table was created');
		assert.ok(mapper !== undefined);
		const types = Object.fromEntries(mapper.schema.columns.map((c) => [c.name, c.type]));
		assert.deepEqual(types, DECLARED_TYPES);
		assert.deepEqual(mapper.schema.keyColumns, ['id'], 'the key from the packed run\'s key schema, without Key Columns');

		const rows = routed.rows.flatMap((item) => ((item.json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines.split('\n').slice(0, -1)).map((line) => parseJsonExact(line) as Record<string, unknown>));
		await loadIntoDoris(doris.target('orders_packed_created', 'registry_packed', { deleteSign: true }), rows, {});
		const loaded = doris.server.tableRows('demo', 'orders_packed_created').map((r) => [Number(r.id), Number(r.price), String(r.placed_on)]);
		assert.deepEqual(loaded.sort(), [[1, 3, '2024-05-01'], [2, 3.5, '2024-05-01'], [3, 4, '2024-05-01']]);
	});
});
