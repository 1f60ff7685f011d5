// Schema Registry decoding against the real registry (Apicurio's Confluent-compatible API at
// SCHEMA_REGISTRY_URL, started by scripts/registry.sh) and the real broker. Skipped, saying so, when
// the registry is not running.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka } from 'kafkajs';

import { PARSE_ERROR_FIELD } from '../../src/item-contract';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { committedOffsets, createTopic, FakeN8n, testKafka, testOptions, uniqueName, waitFor } from './kafka-sinker-helpers';

let kafka: Kafka;
let admin: Admin;
let topic: string;
let reachable = false;

before(async () => {
	reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false);
	if (!reachable) return;
	kafka = testKafka();
	admin = kafka.admin();
	await admin.connect();
	topic = await createTopic(admin, 1);
});

after(async () => {
	if (!reachable) return;
	await admin.deleteTopics({ topics: [topic] }).catch(() => {});
	await admin.disconnect();
});

describe('sinker consumer: Schema Registry', () => {
	it('decodes Avro and JSON Schema values; a value without the wire header is an error item', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const avro = await registry.register(
			{
				type: SchemaType.AVRO,
				schema: JSON.stringify({
					type: 'record',
					name: 'Order',
					namespace: 'sinker.test',
					fields: [
						{ name: 'id', type: 'long' },
						{ name: 'item', type: 'string' },
						{ name: 'raw', type: 'bytes' },
					],
				}),
			},
			{ subject: `${uniqueName('orders')}-value` },
		);
		const json = await registry.register(
			{ type: SchemaType.JSON, schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) },
			{ subject: `${uniqueName('cities')}-value` },
		);
		const producer = kafka.producer();
		await producer.connect();
		await producer.send({
			topic,
			messages: [
				{ value: await registry.encode(avro.id, { id: 42, item: 'tea', raw: Buffer.from([1, 2, 3]) }) },
				{ value: await registry.encode(json.id, { city: 'Lyon' }) },
				{ value: '{"not":"wire format"}' },
			],
		});
		await producer.disconnect();
		const group = uniqueName('registry');
		const n8n = new FakeN8n();
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, {
				parser: { format: 'schemaRegistry', includeMetadata: false, tombstones: 'skip', schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) },
			}),
			n8n.run,
		);
		try {
			await waitFor('offset 3 committed', async () => (await committedOffsets(admin, group, topic)).get(0) === 3n);
			const items = n8n.executions.flatMap((e) => e.items.map((i) => i.json));
			assert.deepEqual(items[0], { id: 42, item: 'tea', raw: 'AQID' });
			assert.deepEqual(items[1], { city: 'Lyon' });
			assert.equal((items[2][PARSE_ERROR_FIELD] as { kind: string }).kind, 'schema_registry');
			assert.equal(consumer.stats.parseErrors, 1);
		} finally {
			await consumer.close();
		}
	});
});
