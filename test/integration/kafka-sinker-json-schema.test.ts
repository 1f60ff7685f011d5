// JSON Schema values through the Schema Registry, against the real registry (Apicurio's
// Confluent-compatible API at SCHEMA_REGISTRY_URL, started by scripts/registry.sh) and the real broker:
// numbers kept exact, keywords JSON Schema leaves open, the drafts a schema declares (04, 06, 2019-09,
// 2020-12) and the Connect types Kafka Connect's JsonSchemaConverter names. Skipped, saying so, when
// the registry is not running. Avro, Protobuf and keys: kafka-sinker-schema-registry.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

import { PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { consumeWithRegistry, registerOverRest } from './registry-support';

let reachable = false;
const broker = useKafkaAdmin({ when: async () => (reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false)) });

describe('sinker consumer: Schema Registry, JSON Schema values', () => {
	it('decodes JSON Schema values exactly: an integer beyond 2^53 and a long decimal keep every digit; a value the schema refuses is still refused', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const schema = { type: 'object', properties: { id: { type: 'integer' }, amount: { type: 'number' } }, required: ['id'] };
		const { id } = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(schema) }, { subject: `${uniqueName('snowflakes')}-value` });
		const header = Buffer.alloc(5);
		header.writeInt32BE(id, 1);
		const value = (json: string) => Buffer.concat([header, Buffer.from(json)]);
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		// Two snowflake ids a double cannot tell apart (both would read 1234567890123456800).
		assert.deepEqual(await decoder.decode(value('{"id":1234567890123456789,"amount":12345678901234.5678}')), { id: '1234567890123456789', amount: '12345678901234.5678' });
		assert.deepEqual(await decoder.decode(value('{"id":1234567890123456790}')), { id: '1234567890123456790' });
		assert.deepEqual(await decoder.decode(value('{"id":7,"amount":1.5}')), { id: 7, amount: 1.5 });
		await assert.rejects(decoder.decode(value('{"id":"seven"}')), /invalid payload/);
	});

	it("decodes JSON Schema values whose schema has keywords JSON Schema leaves open (Kafka Connect's connect.type / connect.index, format date-time), as every Confluent deserializer does", async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const schema = {
			type: 'object',
			title: 'shop.Event',
			properties: {
				id: { type: 'integer', 'connect.index': 0, 'connect.type': 'int64' },
				at: { type: 'string', format: 'date-time', 'connect.index': 1 },
			},
		};
		// The library's register() compiles the schema with the same strict settings: registered through the REST API.
		const header = await registerOverRest(`${uniqueName('open-keywords')}-value`, { schemaType: 'JSON', schema: JSON.stringify(schema) });
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		assert.deepEqual(await decoder.decode(Buffer.concat([header, Buffer.from('{"id":9007199254740993,"at":"2024-05-01T10:00:00Z"}')])), { id: '9007199254740993', at: '2024-05-01T10:00:00Z' });
		await assert.rejects(decoder.decode(Buffer.concat([header, Buffer.from('{"id":"seven","at":"x"}')])), /invalid payload/);
	});

	it('decodes JSON Schema values whose schema declares draft 2019-09 or 2020-12 ($schema), and checks them by that draft', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		// Also as Confluent's serializer writes them with json.schema.spec.version (its generator, mbknor-jackson-jsonSchema): http, with '#'.
		for (const draft of [
			'https://json-schema.org/draft/2020-12/schema',
			'https://json-schema.org/draft/2019-09/schema',
			'http://json-schema.org/draft/2020-12/schema#',
			'http://json-schema.org/draft/2019-09/schema#',
		]) {
			// $defs and dependentRequired are keywords of these drafts (draft-07 has neither).
			const schema = {
				$schema: draft,
				type: 'object',
				$defs: { id: { type: 'integer' } },
				properties: { id: { $ref: '#/$defs/id' }, card: { type: 'string' }, cvc: { type: 'string' } },
				dependentRequired: { card: ['cvc'] },
			};
			const header = await registerOverRest(`${uniqueName('drafts')}-value`, { schemaType: 'JSON', schema: JSON.stringify(schema) });
			const value = (json: string) => Buffer.concat([header, Buffer.from(json)]);
			assert.deepEqual(await decoder.decode(value('{"id":9007199254740993,"card":"4111","cvc":"123"}')), { id: '9007199254740993', card: '4111', cvc: '123' }, draft);
			await assert.rejects(decoder.decode(value('{"id":"seven"}')), /invalid payload/, draft);
			await assert.rejects(decoder.decode(value('{"id":1,"card":"4111"}')), /invalid payload/, `${draft}: dependentRequired is checked`);
		}
	});

	it("decodes JSON Schema values by the Connect types Kafka Connect's JsonSchemaConverter names in each schema's title (Debezium's dates, times, timestamps, decimals)", async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		// As io.confluent.connect.json.JsonSchemaData writes a Debezium row's schema: the Connect name as
		// "title", connect.type / connect.parameters / connect.index, an optional field as oneOf with null.
		const date = { type: 'integer', title: 'io.debezium.time.Date', 'connect.version': 1, 'connect.type': 'int32' };
		const schema = {
			type: 'object',
			title: 'shop.inventory.orders.Value',
			properties: {
				id: { type: 'integer', 'connect.index': 0, 'connect.type': 'int32' },
				order_date: { ...date, 'connect.index': 1 },
				created: { oneOf: [{ type: 'null' }, { type: 'integer', title: 'io.debezium.time.MicroTimestamp', 'connect.version': 1, 'connect.type': 'int64' }], 'connect.index': 2 },
				amount: {
					type: 'number',
					title: 'org.apache.kafka.connect.data.Decimal',
					'connect.version': 1,
					'connect.parameters': { scale: '2', 'connect.decimal.precision': '10' },
					'connect.index': 3,
					'connect.type': 'bytes',
				},
				at_time: { type: 'integer', title: 'io.debezium.time.MicroTime', 'connect.version': 1, 'connect.index': 4, 'connect.type': 'int64' },
				doc: { oneOf: [{ type: 'null' }, { type: 'string', title: 'io.debezium.data.Json', 'connect.version': 1 }], 'connect.index': 5 },
				dates: { type: 'array', items: date, 'connect.index': 6 },
				nested: { type: 'object', title: 'shop.Nested', properties: { d: { ...date, title: 'org.apache.kafka.connect.data.Date', 'connect.index': 0 } }, 'connect.index': 7 },
			},
		};
		const header = await registerOverRest(`${uniqueName('connect-json')}-value`, { schemaType: 'JSON', schema: JSON.stringify(schema) });
		const decoder = createSchemaRegistryDecoder({ url: schemaRegistryUrl });
		const row = '{"id":1,"order_date":19844,"created":1714557600123456,"amount":1234.56,"at_time":36930250123,"doc":"{\\"a\\": 9007199254740993}","dates":[19844,0],"nested":{"d":19844}}';
		assert.deepEqual(await decoder.decode(Buffer.concat([header, Buffer.from(row)])), {
			id: 1,
			order_date: '2024-05-01',
			created: '2024-05-01 10:00:00.123456',
			amount: '1234.56',
			at_time: '10:15:30.250123',
			doc: '{"a": 9007199254740993}',
			dates: ['2024-05-01', '1970-01-01'],
			nested: { d: '2024-05-01' },
		});
		const nulls = '{"id":2,"order_date":0,"created":null,"amount":0,"at_time":0,"doc":null,"dates":[],"nested":{"d":-1}}';
		assert.deepEqual(await decoder.decode(Buffer.concat([header, Buffer.from(nulls)])), {
			id: 2,
			order_date: '1970-01-01',
			created: null,
			// The Decimal of scale 2, as its base64 and Avro forms give it (a JSON number 0 parses as 0).
			amount: '0.00',
			at_time: '00:00:00.000000',
			doc: null,
			dates: [],
			nested: { d: '1969-12-31' },
		});
	});

	it("decodes JSON Schema values of draft-04 and draft-06 schemas (Confluent's .NET serializer registers draft-04, its Java one with json.schema.spec.version), by each draft's rules, through the broker: rows as items, refused values on Invalid with the reason", async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		// Draft-04: id, and exclusiveMaximum / exclusiveMinimum as booleans making maximum / minimum strict; const is no draft-04 keyword.
		const draft04 = {
			$schema: 'http://json-schema.org/draft-04/schema#',
			id: 'http://shop.test/order.json',
			type: 'object',
			properties: {
				id: { type: 'integer' },
				price: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 100, exclusiveMaximum: true },
				kind: { const: 'order' },
			},
			required: ['id'],
		};
		// Draft-06: exclusiveMaximum is a number of its own, const applies, if / then (draft-07) do not.
		const draft06 = {
			$schema: 'http://json-schema.org/draft-06/schema#',
			type: 'object',
			properties: { id: { type: 'integer' }, qty: { type: 'integer', exclusiveMaximum: 10 }, kind: { const: 'order' } },
			required: ['id'],
			if: { required: ['qty'] },
			then: { required: ['note'] },
		};
		const header04 = await registerOverRest(`${uniqueName('draft-04')}-value`, { schemaType: 'JSON', schema: JSON.stringify(draft04) });
		const header06 = await registerOverRest(`${uniqueName('draft-06')}-value`, { schemaType: 'JSON', schema: JSON.stringify(draft06) });
		const draftTopic = await broker.topic(1);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({
			topic: draftTopic,
			messages: [
				{ value: Buffer.concat([header04, Buffer.from('{"id":9007199254740993,"price":99.5,"kind":"refund"}')]) },
				{ value: Buffer.concat([header04, Buffer.from('{"id":2,"price":100}')]) },
				{ value: Buffer.concat([header06, Buffer.from('{"id":3,"qty":9,"kind":"order"}')]) },
				{ value: Buffer.concat([header06, Buffer.from('{"id":4,"qty":10,"kind":"order"}')]) },
				{ value: Buffer.concat([header06, Buffer.from('{"id":5,"kind":"refund"}')]) },
			],
		});
		await producer.disconnect();
		await consumeWithRegistry(broker.admin, draftTopic, 5, 'registry-drafts', (items, consumer) => {
			const reason = (item: Record<string, unknown>) => {
				const error = item[PARSE_ERROR_FIELD] as { kind: string; message: string } | undefined;
				return error && `${error.kind}: ${error.message}`;
			};
			assert.equal(items.length, 5, JSON.stringify(items));
			assert.deepEqual(items[0], { id: '9007199254740993', price: 99.5, kind: 'refund' }, 'draft-04: below the strict maximum; const ignored');
			assert.equal(reason(items[1]), 'schema_registry: invalid payload: /price 100 must be < 100 (maximum)');
			assert.deepEqual(items[2], { id: 3, qty: 9, kind: 'order' }, 'draft-06: no note needed, if / then are no draft-06 keywords');
			assert.equal(reason(items[3]), 'schema_registry: invalid payload: /qty 10 must be < 10 (exclusiveMaximum)');
			assert.equal(reason(items[4]), 'schema_registry: invalid payload: /kind "refund" must be equal to constant (const)');
			assert.equal(consumer.stats.parseErrors, 3);
		});
	});
});
