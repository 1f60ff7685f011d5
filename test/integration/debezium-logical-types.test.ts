// A Debezium-shaped MySQL change stream (test/fixtures/debezium: DATE, DATETIME(6), DATETIME(3),
// DECIMAL(20,4), JSON, TIME(6), TIMESTAMP(6); snapshot read, inserts, an update, a delete and its
// tombstone) through the real broker, the trigger's message parser, the Doris Schema mapper and Stream
// Load into the Doris test server: the table must equal the source table, value for value. Once as
// Kafka Connect JSON with schemas, once as Avro through the real Schema Registry (Apicurio), with the
// schema Confluent's AvroConverter registers for it (connect.name on every logical type).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

import { loadIntoDoris } from '../../src/batch/doris-target';
import { parseJsonExact } from '../../src/common/exact-json';
import { decimalText, integerFromTwosComplement } from '../../src/common/logical-values';
import type { MessageParserOptions } from '../../src/kafka/message-parser';
import { logicalTypeHook } from '../../src/kafka/avro-logical-types';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { dorisDdl, expectedDorisRow, FINAL_SOURCE_ROWS, type Variant } from '../fixtures/debezium/rows';
import { avroSchemaOf, avroSchemaOfValue, avroValueOf } from '../fixtures/debezium/avro';
import { fixtureMessages } from '../fixtures/debezium/read';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { routeToRows, usePipelineDoris } from './pipeline-support';

const MYSQL: Variant = { connector: 'mysql', time: 'adaptive_time_microseconds', decimal: 'precise' };

let registryUp = false;
const broker = useKafkaAdmin({ when: async () => ((registryUp = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false)), true) });
const doris = usePipelineDoris();

/** Doris' rows as comparable values: JSON parsed (Doris stores JSON as a document, not as text). */
function tableRows(table: string): Array<Record<string, unknown>> {
	return doris.server
		.tableRows('demo', table)
		.map((r) => ({ ...r, id: Number(r.id), ...('doc' in r ? { doc: r.doc === null ? null : parseJsonExact(String(r.doc)) } : {}) }))
		.sort((a, b) => a.id - b.id);
}

function expected(v: Variant): Array<Record<string, unknown>> {
	return FINAL_SOURCE_ROWS.map((r) => expectedDorisRow(r, v)).map((r) => ({ ...r, doc: r.doc === null ? null : parseJsonExact(String(r.doc)) }));
}

/** A fixture value (decimal.handling.mode precise) as the JSON converter writes it with decimal.format=NUMERIC: each `amount` a JSON number of its scale. */
function numericDecimals(text: string): string {
	const value = parseJsonExact(text) as { payload: Record<string, Record<string, unknown> | null> };
	for (const image of [value.payload.before, value.payload.after]) {
		if (image?.amount === undefined || image.amount === null) continue;
		image.amount = `NUMBER:${decimalText(integerFromTwosComplement(Buffer.from(String(image.amount), 'base64')), 4)}`;
	}
	return JSON.stringify(value).replace(/"NUMBER:([^"]+)"/g, '$1');
}

/** Trigger → Doris Schema (CDC) → Stream Load, until every offset of the topic is committed. */
async function sink(topic: string, table: string, parser: MessageParserOptions, messages: number): Promise<Array<Record<string, unknown>>> {
	const mapper = await doris.mapper(table, { cdc: true });
	const target = doris.target(table, 'logical', { deleteSign: true });
	const invalid: unknown[] = [];
	const labels = { workflow: 'logical', node: 'Doris Schema' };
	const n8n = new FakeN8n(async (execution, signal) => {
		const rows = routeToRows(execution.items, mapper, labels, invalid);
		if (rows.length > 0) await loadIntoDoris(target, rows, { signal });
		return { ok: true };
	});
	const group = uniqueName('logical');
	const consumer = await SinkerConsumer.start(testOptions(topic, group, { parser, executionsInFlight: 1 }), n8n.run);
	try {
		await waitFor(`offset ${messages} committed`, async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(messages));
	} finally {
		await consumer.close();
	}
	assert.deepEqual(invalid, [], 'no change event on the invalid output');
	return tableRows(table);
}

describe('Debezium logical types, Kafka to Doris', () => {
	it('JSON converter with schemas: every value of the MySQL source table lands in Doris', async () => {
		const topic = await broker.topic(1);
		await doris.server.sql(dorisDdl('demo', 'orders_json', 'mysql'));
		const messages = fixtureMessages(MYSQL);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value })) });
		await producer.disconnect();
		const rows = await sink(topic, 'orders_json', { format: 'json', includeMetadata: true, tombstones: 'skip' }, messages.length);
		assert.deepEqual(rows, expected(MYSQL));
	});

	it('JSON converter with decimal.format=NUMERIC: a Decimal written as a JSON number keeps its scale in a VARCHAR column, as the base64 form does', async () => {
		// Kafka's JsonConverter with decimal.format=NUMERIC writes a Decimal as a JSON number with its scale
		// (BigDecimal 1234.5600 as 1234.5600, not 1234.56); the schema still names the Decimal and its scale.
		const topic = await broker.topic(1);
		const table = 'orders_numeric';
		await doris.server.sql(dorisDdl('demo', table, 'mysql').replace('amount DECIMAL(20, 4) NOT NULL', 'amount VARCHAR(40) NOT NULL'));
		const messages = fixtureMessages(MYSQL).map((m) => ({ key: m.key, value: m.value === null ? null : numericDecimals(m.value) }));
		assert.ok(messages.some((m) => m.value?.includes('"amount":1234.5600')), 'the fixture rewritten with JSON numbers');
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic, messages });
		await producer.disconnect();
		const rows = await sink(topic, table, { format: 'json', includeMetadata: true, tombstones: 'skip' }, messages.length);
		assert.deepEqual(rows, expected(MYSQL));
	});

	for (const time of ['adaptive_time_microseconds', 'connect'] as const) {
		it(`Avro through the Schema Registry (time.precision.mode ${time}): every value lands as in the source`, async (t) => {
			if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
			const v: Variant = { ...MYSQL, time };
			const topic = await broker.topic(1);
			const table = `orders_avro_${time}`;
			await doris.server.sql(dorisDdl('demo', table, 'mysql'));
			// Encoding int64 values beyond 2^53 (a DATETIME(6) of 9999) needs the BigInt long the hook gives.
			const registry = new SchemaRegistry({ host: schemaRegistryUrl }, { [SchemaType.AVRO]: { typeHook: logicalTypeHook } });
			const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOf(v)) }, { subject: `${uniqueName('dbserver1.inventory.orders')}-value` });
			const messages = fixtureMessages(v);
			const values = await Promise.all(messages.map(async (m) => (m.value === null ? null : registry.encode(id, avroValueOf(m.value)))));
			const producer = broker.kafka.producer();
			await producer.connect();
			await producer.send({ topic, messages: messages.map((m, i) => ({ key: m.key, value: values[i] })) });
			await producer.disconnect();
			const parser: MessageParserOptions = { format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) };
			const rows = await sink(topic, table, parser, messages.length);
			assert.deepEqual(rows, expected(v));
		});
	}
});

/**
 * MySQL FLOAT / REAL and PostgreSQL real columns are single precision: Debezium gives them Connect's
 * FLOAT32 (its MySQL and PostgreSQL data type mappings), the JSON converter writes the value as Java's
 * Float.toString does (Jackson's writeNumber(float)), 10.22 as `10.22`, and Confluent's AvroConverter
 * as an Avro `float`, its four bytes. Both are the same source value and must load the same row.
 */
// Float.toString (JDK 19+) of singles where the digits are not the closest of their length by
// toPrecision: 32009.3125 and 2077940.25 lie halfway (Java takes the even digit), and 2^-96's closest
// eight digits are another single (Java takes the eight above).
const FLOAT_TEXTS = ['10.22', '0.1', '-7.5', '123456.79', '1.6777216E7', '3.4028235E38', '1.4E-45', '-1.5E-7', '2.5E-5', '32009.312', '-2077940.2', '1.2621775E-29'];
/** The same kind of column for a DECIMAL(12, 2) sink column, where the values must fit. */
const FLOAT_DECIMAL_TEXTS = ['10.22', '0.1', '-7.5', '123456.79', '99.99', '0.3', null, '1234567.9', '0.7', null, null, null];

function floatColumn(field: string, optional: boolean): Record<string, unknown> {
	return { type: 'float', optional, field };
}

/** The Debezium MySQL event (op c) of row `i` of a `readings` table with FLOAT columns, as the JSON converter writes it. */
function floatEventText(i: number): string {
	const row = { type: 'struct', name: 'dbserver1.inventory.readings.Value', optional: true, fields: [{ type: 'int32', optional: false, field: 'id' }, floatColumn('f_float', false), floatColumn('f_double', false), floatColumn('f_text', false), floatColumn('f_decimal', true)] };
	const schema = {
		type: 'struct',
		name: 'dbserver1.inventory.readings.Envelope',
		version: 1,
		optional: false,
		fields: [{ ...row, field: 'before' }, { ...row, field: 'after' }, { type: 'string', optional: false, field: 'op' }, { type: 'int64', optional: true, field: 'ts_ms' }],
	};
	const x = FLOAT_TEXTS[i];
	const after = `{"id":${i},"f_float":${x},"f_double":${x},"f_text":${x},"f_decimal":${FLOAT_DECIMAL_TEXTS[i] ?? 'null'}}`;
	// Connect's float32 is `float` in its JSON schema; AvroConverter writes it as Avro `float`.
	return `{"schema":${JSON.stringify(schema).replaceAll('"float"', '"float32"')},"payload":{"before":null,"after":${after},"op":"c","ts_ms":1700000000000}}`;
}

function floatTableDdl(table: string): string {
	return `CREATE TABLE demo.${table} (
	id INT NOT NULL,
	f_float FLOAT NOT NULL,
	f_double DOUBLE NOT NULL,
	f_text VARCHAR(40) NOT NULL,
	f_decimal DECIMAL(12, 2) NULL
)
UNIQUE KEY(id)
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ("replication_num" = "1", "enable_unique_key_merge_on_write" = "true")`;
}

describe('Debezium FLOAT32 columns (MySQL FLOAT / REAL, PostgreSQL real), Kafka to Doris', () => {
	it('Avro `float` values load the rows the JSON converter\'s text loads: 10.22 stays 10.22 in DOUBLE, VARCHAR and DECIMAL columns', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const texts = FLOAT_TEXTS.map((_, i) => floatEventText(i));
		const jsonTopic = await broker.topic(1);
		const avroTopic = await broker.topic(1);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl }, { [SchemaType.AVRO]: { typeHook: logicalTypeHook } });
		const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOfValue(texts[0])) }, { subject: `${uniqueName('dbserver1.inventory.readings')}-value` });
		const avroValues = await Promise.all(texts.map((text) => registry.encode(id, avroValueOf(text))));
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic: jsonTopic, messages: texts.map((value) => ({ value })) });
		await producer.send({ topic: avroTopic, messages: avroValues.map((value) => ({ value })) });
		await producer.disconnect();

		await doris.server.sql(floatTableDdl('readings_json'));
		await sink(jsonTopic, 'readings_json', { format: 'json', includeMetadata: false, tombstones: 'skip' }, texts.length);
		const fromJson = tableRows('readings_json');
		// The JSON converter's text is the source value: Doris holds 10.22, not the single's binary expansion.
		assert.deepEqual(
			fromJson.map((r) => [r.f_double, r.f_decimal]),
			FLOAT_TEXTS.map((x, i) => [Number(x), FLOAT_DECIMAL_TEXTS[i] === null ? null : Number(FLOAT_DECIMAL_TEXTS[i]).toFixed(2)]),
		);
		for (const output of ['message', 'batch'] as const) {
			const table = `readings_avro_${output}`;
			await doris.server.sql(floatTableDdl(table));
			const parser: MessageParserOptions = { format: 'schemaRegistry', includeMetadata: false, tombstones: 'skip', output, schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) };
			await sink(avroTopic, table, parser, texts.length);
			assert.deepEqual(tableRows(table), fromJson, `Avro, One Item per ${output === 'batch' ? 'Batch' : 'Message'}: the rows the JSON converter's text loads`);
		}
	});
});
