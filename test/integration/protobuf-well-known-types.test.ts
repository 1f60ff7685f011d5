// Protobuf values that use Google's well-known types (google/protobuf/timestamp.proto and friends),
// through the real broker, the real Schema Registry (Apicurio's Confluent-compatible API), the
// trigger's message parser, the Doris Schema mapper and Stream Load into the Doris test server.
// Confluent's serializer registers no reference for these files (it treats them as built in), so the
// schema is registered here as such producers do: the imports and no references. Values are written as
// Confluent's serializers write them: magic byte, schema id, message indexes ([0] = one 0 byte), payload.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import protobuf from 'protobufjs';

import { loadIntoDoris } from '../../src/batch/doris-target';
import { parseJsonExact } from '../../src/common/exact-json';
import { INVALID_FIELD, routeItems, type InvalidInfo } from '../../src/doris/schema/route-items';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { usePipelineDoris } from './pipeline-support';

const SCHEMA = [
	'syntax = "proto3";',
	'package sinker.wkt;',
	'import "google/protobuf/any.proto";',
	'import "google/protobuf/duration.proto";',
	'import "google/protobuf/empty.proto";',
	'import "google/protobuf/field_mask.proto";',
	'import "google/protobuf/struct.proto";',
	'import "google/protobuf/timestamp.proto";',
	'import "google/protobuf/wrappers.proto";',
	'message Event {',
	'  int64 id = 1;',
	'  google.protobuf.Timestamp at = 2;',
	'  google.protobuf.Duration took = 3;',
	'  google.protobuf.StringValue note = 4;',
	'  google.protobuf.Int32Value qty = 5;',
	'  google.protobuf.Int64Value big = 6;',
	'  google.protobuf.BoolValue flag = 7;',
	'  google.protobuf.DoubleValue price = 8;',
	'  google.protobuf.Struct attrs = 9;',
	'  google.protobuf.ListValue tags = 10;',
	'  google.protobuf.Any payload = 11;',
	'  google.protobuf.FieldMask mask = 12;',
	'  google.protobuf.Empty nothing = 13;',
	'  repeated google.protobuf.Timestamp seen = 14;',
	'}',
	'message Item { string sku = 1; google.protobuf.Timestamp made = 2; }',
].join('\n');

const DDL = `CREATE TABLE demo.events (
	id BIGINT, at DATETIME(6), took BIGINT, note VARCHAR(64), qty INT, big BIGINT, flag BOOLEAN, price DOUBLE,
	attrs JSON, tags JSON, payload JSON, mask VARCHAR(200), nothing JSON, seen JSON
) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`;

// A table as Kafka Connect's ProtobufConverter writes it (Debezium with decimal.handling.mode=precise and
// time.precision.mode=connect): Connect's INT16, Decimal, Date and Time, with the custom options the converter adds.
const CONNECT_SCHEMA = [
	'syntax = "proto3";',
	'package sinker.connect;',
	'import "confluent/meta.proto";',
	'import "confluent/type/decimal.proto";',
	'import "google/type/date.proto";',
	'import "google/type/timeofday.proto";',
	'message Value {',
	'  int32 id = 1;',
	'  int32 small = 2 [(confluent.field_meta) = {',
	'    params: [',
	'      {',
	'        key: "connect.type",',
	'        value: "int16"',
	'      }',
	'    ]',
	'  }];',
	'  confluent.type.Decimal amount = 3 [(confluent.field_meta) = {',
	'    params: [',
	'      {',
	'        key: "precision",',
	'        value: "10"',
	'      },',
	'      {',
	'        key: "scale",',
	'        value: "2"',
	'      }',
	'    ]',
	'  }];',
	'  google.type.Date day = 4;',
	'  google.type.TimeOfDay at = 5;',
	'  float weight = 6;',
	'}',
].join('\n');

const CONNECT_DDL = `CREATE TABLE demo.connect_rows (id INT, small SMALLINT, amount DECIMAL(10,2), day DATE, at VARCHAR(20), weight DOUBLE) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`;

/** The schema as a producer using protobuf.js builds it: the well-known types from protobuf.js' own definitions. */
function producerTypes(): { event: protobuf.Type; item: protobuf.Type } {
	const parsed = protobuf.parse(SCHEMA);
	for (const file of parsed.imports ?? []) parsed.root.addJSON(protobuf.common.get(file)?.nested ?? {});
	return { event: parsed.root.lookupType('sinker.wkt.Event'), item: parsed.root.lookupType('sinker.wkt.Item') };
}

/** protobufjs takes 64-bit values as { low, high } words. */
const long = (n: bigint) => ({ low: Number(BigInt.asIntN(32, n)), high: Number(BigInt.asIntN(32, n >> 32n)), unsigned: false });

function wire(schemaId: number, type: protobuf.Type, value: Record<string, unknown>): Buffer {
	const header = Buffer.alloc(6);
	header.writeInt32BE(schemaId, 1);
	return Buffer.concat([header, type.encode(type.fromObject(value)).finish()]);
}

let registryUp = false;
const broker = useKafkaAdmin({ when: async () => ((registryUp = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false)), true) });
const doris = usePipelineDoris(async (server) => {
	await server.sql(DDL);
	await server.sql(CONNECT_DDL);
});

/** Trigger → Doris Schema → Stream Load into `table`, until every offset of a fresh topic holding `values` is committed; the invalid output's items. */
async function sink(table: string, values: Buffer[]): Promise<{ invalid: Array<Record<string, unknown>> }> {
	const topic = await broker.topic(1);
	const producer = broker.kafka.producer();
	await producer.connect();
	await producer.send({ topic, messages: values.map((value) => ({ value })) });
	await producer.disconnect();
	const mapper = await doris.mapper(table);
	const target = doris.target(table, 'wkt');
	const invalid: Array<Record<string, unknown>> = [];
	const n8n = new FakeN8n(async (execution, signal) => {
		const routed = routeItems(execution.items, mapper, { workflow: 'wkt', node: 'Doris Schema' });
		invalid.push(...routed.invalid.map((r) => r.json));
		if (routed.rows.length > 0) await loadIntoDoris(target, routed.rows.map((r) => r.json), { signal });
		return { ok: true };
	});
	const group = uniqueName('wkt');
	const parser = { format: 'schemaRegistry', includeMetadata: false, tombstones: 'skip', schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) } as const;
	const consumer = await SinkerConsumer.start(testOptions(topic, group, { parser, executionsInFlight: 1 }), n8n.run);
	try {
		await waitFor(`offset ${values.length} committed`, async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(values.length));
	} finally {
		await consumer.close();
	}
	return { invalid };
}

describe('Protobuf well-known types, Kafka to Doris', () => {
	it('Timestamp, Duration, wrappers, Struct, ListValue, Any, FieldMask and Empty land in Doris; out-of-range values go to the invalid output with their reason', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const { id: schemaId } = await registry.register({ type: SchemaType.PROTOBUF, schema: SCHEMA }, { subject: `${uniqueName('wkt-events')}-value` });
		const { event, item } = producerTypes();
		const itemBytes = item.encode(item.fromObject({ sku: 'a1', made: { seconds: 0, nanos: 1000 } })).finish();
		const values = [
			wire(schemaId, event, {
				id: 1,
				at: { seconds: 1714557600, nanos: 123456000 },
				took: { seconds: 3723, nanos: 500_000_000 },
				note: { value: 'fragile' },
				qty: { value: 0 },
				big: { value: long(2n ** 62n + 1n) },
				flag: { value: false },
				price: { value: 2.5 },
				attrs: { fields: { a: { numberValue: 1.5 }, b: { stringValue: 'x' }, c: { nullValue: 0 }, d: { listValue: { values: [{ boolValue: true }] } }, e: { structValue: { fields: { f: { stringValue: 'g' } } } } } },
				tags: { values: [{ stringValue: 'red' }, { numberValue: 7 }] },
				payload: { type_url: 'type.googleapis.com/sinker.wkt.Item', value: itemBytes },
				mask: { paths: ['ship_to.city', 'note'] },
				nothing: {},
				seen: [{ seconds: -1, nanos: 500_000_000 }, { seconds: 0 }],
			}),
			// Nothing set: every message-typed field is absent, so NULL (a wrapper's absence is its point).
			wire(schemaId, event, { id: 2 }),
			// A type the schema does not know, packed in Any: kept as its type URL and bytes.
			wire(schemaId, event, { id: 3, payload: { type_url: 'type.googleapis.com/other.Thing', value: Buffer.from([8, 1]) } }),
			// One second past 9999-12-31T23:59:59.999999999Z: beyond what a Timestamp may hold.
			wire(schemaId, event, { id: 4, at: { seconds: long(253402300800n), nanos: 0 } }),
			// A Duration whose seconds and nanos have opposite signs.
			wire(schemaId, event, { id: 5, took: { seconds: 1, nanos: -1 } }),
			// Nanoseconds a DATETIME(6) cannot keep: Doris would round them, so the row goes to Invalid.
			wire(schemaId, event, { id: 6, at: { seconds: 1714557600, nanos: 123456789 } }),
			// A Duration finer than the microseconds it loads as.
			wire(schemaId, event, { id: 7, took: { seconds: 0, nanos: 1500 } }),
		];
		const { invalid: allInvalid } = await sink('events', values);
		const invalid = allInvalid.filter((i) => i._parseError !== undefined);
		const refused = allInvalid.filter((i) => i._parseError === undefined);
		assert.deepEqual(
			refused.map((i) => (i[INVALID_FIELD] as InvalidInfo).reasons.map((r) => [r.column, r.value, r.rule])),
			[[['at', '2024-05-01T10:00:00.123456789Z', 'precision']]],
		);

		const json = (v: unknown) => (v === null ? null : parseJsonExact(String(v)));
		const rows = doris.server
			.tableRows('demo', 'events')
			.map((r): Record<string, unknown> => ({ ...r, id: Number(r.id), attrs: json(r.attrs), tags: json(r.tags), payload: json(r.payload), nothing: json(r.nothing), seen: json(r.seen) }))
			.sort((a, b) => Number(a.id) - Number(b.id));
		assert.equal(invalid.length, 3, JSON.stringify(invalid));
		const empty = { at: null, took: null, note: null, qty: null, big: null, flag: null, price: null, attrs: null, tags: null, payload: null, mask: null, nothing: null, seen: [] };
		assert.deepEqual(rows.map((r) => ({ ...r, big: r.big === null ? null : String(r.big) })), [
			{
				id: 1,
				at: '2024-05-01 10:00:00.123456',
				took: 3723500000,
				note: 'fragile',
				qty: 0,
				big: '4611686018427387905',
				flag: 0,
				price: 2.5,
				attrs: { a: 1.5, b: 'x', c: null, d: [true], e: { f: 'g' } },
				tags: ['red', 7],
				payload: { '@type': 'type.googleapis.com/sinker.wkt.Item', sku: 'a1', made: '1970-01-01T00:00:00.000001Z' },
				mask: 'shipTo.city,note',
				nothing: {},
				seen: ['1969-12-31T23:59:59.500Z', '1970-01-01T00:00:00Z'],
			},
			{ id: 2, ...empty },
			{ id: 3, ...empty, payload: { '@type': 'type.googleapis.com/other.Thing', value: 'CAE=' } },
		]);
		// Nothing lost: each refused message keeps its bytes and its offset, and says which field broke which rule.
		const errors = invalid.map((i) => i._parseError as { message: string; raw: string });
		assert.deepEqual(errors.map((e) => e.raw), [values[3].toString('base64'), values[4].toString('base64'), values[6].toString('base64')]);
		assert.deepEqual(invalid.map((i) => (i._kafka as { offset: string }).offset), ['3', '4', '6']);
		assert.match(errors[0].message, /sinker\.wkt\.Event field "at": google\.protobuf\.Timestamp seconds 253402300800, nanos 0 is not a Timestamp: seconds must be from .* to 253402300799 \(9999-12-31T23:59:59Z\)/);
		assert.match(errors[1].message, /sinker\.wkt\.Event field "took": google\.protobuf\.Duration seconds 1, nanos -1 is not a Duration: .*same sign as the seconds/);
		assert.match(errors[2].message, /sinker\.wkt\.Event field "took": google\.protobuf\.Duration seconds 0, nanos 1500 has nanoseconds below a microsecond/);
	});

	it('a schema that registers google/protobuf/timestamp.proto as a reference (Confluent serializers with skip.known.types=false) decodes the same', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const timestampSubject = uniqueName('google/protobuf/timestamp.proto');
		// The file as protobuf's own distribution writes it (options kept, comments left out).
		const timestampProto = [
			'syntax = "proto3";',
			'package google.protobuf;',
			'option cc_enable_arenas = true;',
			'option go_package = "google.golang.org/protobuf/types/known/timestamppb";',
			'option java_package = "com.google.protobuf";',
			'option java_outer_classname = "TimestampProto";',
			'option java_multiple_files = true;',
			'option objc_class_prefix = "GPB";',
			'option csharp_namespace = "Google.Protobuf.WellKnownTypes";',
			'message Timestamp { int64 seconds = 1; int32 nanos = 2; }',
		].join('\n');
		await registry.register({ type: SchemaType.PROTOBUF, schema: timestampProto }, { subject: timestampSubject });
		const schema = ['syntax = "proto3";', 'package sinker.ref;', 'import "google/protobuf/timestamp.proto";', 'import "google/protobuf/wrappers.proto";', 'message Tick { google.protobuf.Timestamp at = 1; google.protobuf.StringValue note = 2; }'].join('\n');
		const { id } = await registry.register(
			{ type: SchemaType.PROTOBUF, schema, references: [{ name: 'google/protobuf/timestamp.proto', subject: timestampSubject, version: 1 }] },
			{ subject: `${uniqueName('wkt-ticks')}-value` },
		);
		const parsed = protobuf.parse(schema);
		for (const file of parsed.imports ?? []) parsed.root.addJSON(protobuf.common.get(file)?.nested ?? {});
		const tick = parsed.root.lookupType('sinker.ref.Tick');
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		// wrappers.proto is imported without a reference, timestamp.proto with one: both resolve.
		assert.deepEqual(await decoder.decode(wire(id, tick, { at: { seconds: 1714557600, nanos: 5_000_000 }, note: { value: 'n' } })), { at: '2024-05-01T10:00:00.005Z', note: 'n' });
		assert.deepEqual(await decoder.decode(wire(id, tick, {})), { at: null, note: null });
	});

	it('a table written by Kafka Connect\'s ProtobufConverter (INT16 options, confluent.type.Decimal, google.type.Date and TimeOfDay, a FLOAT32 as float) lands value for value; a partial date goes to the invalid output', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		// Registered over HTTP as the converter does (this client would parse the schema with protobufjs first, and fail on its options).
		const registered = await fetch(`${schemaRegistryUrl}/subjects/${uniqueName('dbserver1.inventory.rows')}-value/versions`, {
			method: 'POST',
			headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
			body: JSON.stringify({ schemaType: 'PROTOBUF', schema: CONNECT_SCHEMA }),
		});
		const { id: schemaId } = (await registered.json()) as { id: number };
		// The converter's own types, encoded as it encodes them (field numbers of confluent/type/decimal.proto and google/type/*.proto).
		const producerRoot = protobuf.parse(
			[
				'syntax = "proto3"; package sinker.connect;',
				'message Decimal { bytes value = 1; uint32 precision = 2; int32 scale = 3; }',
				'message Date { int32 year = 1; int32 month = 2; int32 day = 3; }',
				'message TimeOfDay { int32 hours = 1; int32 minutes = 2; int32 seconds = 3; int32 nanos = 4; }',
				'message Value { int32 id = 1; int32 small = 2; Decimal amount = 3; Date day = 4; TimeOfDay at = 5; float weight = 6; }',
			].join('\n'),
		).root;
		const value = producerRoot.lookupType('sinker.connect.Value');
		// BigDecimal("-1234.56").unscaledValue().toByteArray() = -123456 = 0xfe 0x1d 0xc0.
		const values = [
			wire(schemaId, value, { id: 1, small: -300, amount: { value: Buffer.from([0xfe, 0x1d, 0xc0]), precision: 6, scale: 2 }, day: { year: 2024, month: 2, day: 29 }, at: { hours: 23, minutes: 59, seconds: 59, nanos: 999_000_000 }, weight: 10.22 }),
			wire(schemaId, value, { id: 2 }),
			wire(schemaId, value, { id: 3, day: { year: 0, month: 12, day: 25 } }),
		];
		const { invalid } = await sink('connect_rows', values);
		const rows = doris.server.tableRows('demo', 'connect_rows').map((r) => ({ ...r, id: Number(r.id), small: r.small === null ? null : Number(r.small), amount: r.amount === null ? null : String(r.amount) })).sort((a, b) => a.id - b.id);
		assert.deepEqual(rows, [
			// A FLOAT32 (a MySQL FLOAT 10.22) is a protobuf float: 10.22 as the JSON converter writes it, not 10.220000267028809.
			{ id: 1, small: -300, amount: '-1234.56', day: '2024-02-29', at: '23:59:59.999', weight: 10.22 },
			{ id: 2, small: 0, amount: null, day: null, at: null, weight: 0 },
		]);
		assert.equal(invalid.length, 1, JSON.stringify(invalid));
		assert.match((invalid[0]._parseError as { message: string }).message, /sinker\.connect\.Value field "day": google\.type\.Date year 0, month 12, day 25 is not a calendar date/);
	});
});
