// `_kafka.valueSchema` in real n8n (review session 18, R4): with Message Format Schema Registry and
// Include Metadata, every item carried the value's Kafka Connect schema (kilobytes for a wide table), so
// every dead letter (an Invalid item keeps the whole item) and, wired trigger → Doris Stream Load, every
// JSON line sent to Doris carried it. The trigger now reads the workflow at activation and attaches it only
// for a Doris Schema node with Create Missing Tables or Add New Columns (src/common/metadata-needs.ts):
// examples/orders-low-frequency.json maps rows to one table with neither, so its dead letters carry the
// message's position alone. Needs `npm run build`, the broker and the registry (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

import { schemaRegistryUrl } from '../ground/kafka/env';
import { registerAvroRecord } from '../integration/kafka-sinker-helpers';
import { waitFor } from '../support/wait-for';
import { ORDER_AVRO_FIELDS as FIELDS } from './support/events';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';


describe('Schema Registry metadata in n8n', { timeout: 300_000 }, () => {
	let world: E2eWorld;
	let reachable = false;

	before(async () => {
		reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false);
		if (reachable) world = await startWorld('registry-metadata');
	});
	after(async () => {
		await world?.close();
	});

	it('no Doris Schema node creates tables or adds columns: the dead letter carries `_kafka` without valueSchema', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const schemaId = await registerAvroRecord(registry, 'Order', 'e2e.metadata', FIELDS, 'e2e-registry-metadata');
		const scenario = await prepareScenario(world, 'orders-low-frequency', {
			partitions: 1,
			tableFrom: 'orders',
			ddl: 'orders',
			overrides: { trigger: { format: 'schemaRegistry', schemaRegistryUrl, schemaRegistryUsername: '', schemaRegistryPassword: '' } },
		});
		await scenario.deploy();
		const order = (id: number, createdAt: string) => ({ order_id: id, customer_id: 7, status: 'paid', amount: '1.50', currency: 'EUR', created_at: createdAt });
		// The second order's created_at is no DATETIME: the Doris Schema node sends it to Invalid → Dead Letters.
		const sent = [order(1, '2026-03-01 12:00:00.000'), order(2, 'not a date'), order(3, '2026-03-02 12:00:00.000')];
		await world.kafka.produce(scenario.topic, await Promise.all(sent.map(async (o) => ({ id: String(o.order_id), partition: 0, value: await registry.encode(schemaId, o) }))));
		await waitFor('2 orders in Doris and 1 dead letter', async () => world.doris.tableRows('demo', scenario.table).length >= 2 && (await world.kafka.readAll(scenario.deadLetterTopic)).length >= 1, {
			timeoutMs: 90_000,
			intervalMs: 500,
			progress: () => `${world.doris.tableRows('demo', scenario.table).length} rows; log ${world.n8n.logPath}`,
		});
		const [letter] = await world.kafka.readAll(scenario.deadLetterTopic);
		const json = JSON.parse(letter.value) as { order_id?: unknown; _kafka?: Record<string, unknown> };
		assert.equal(json.order_id, 2);
		assert.equal(json._kafka?.topic, scenario.topic, 'the position is there (Include Metadata)');
		assert.equal(json._kafka?.valueSchema, undefined, `before: the Connect schema rode along (${letter.value.length} chars)`);
		assert.equal(json._kafka?.decodedKey, undefined);
		await world.n8n.deactivate(scenario.workflowId ?? '');
	});
});
