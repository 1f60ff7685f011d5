// The Schema Registry in a credential, in real n8n: a workflow saved before the credential existed
// (trigger version 1, registry URL as a node parameter) still decodes Avro orders into Doris; a new
// trigger (version 1.1) decodes through the credential's basic-auth login, and neither the stored
// workflow nor its parameters hold the registry password. n8n's credential test calls the trigger's.
// Needs `npm run build` (n8n loads dist/), the broker and the registry (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

import { schemaRegistryUrl } from '../ground/kafka/env';
import { startRegistryGate, type RegistryGate } from '../ground/registry-gate';
import { registerAvroRecord } from '../integration/kafka-sinker-helpers';
import { assertTableEquals } from './support/doris';
import { ORDER_AVRO_FIELDS as FIELDS } from './support/events';
import { NODE_TYPES, nodeOfType } from './support/examples';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { waitFor } from '../support/wait-for';

const LOGIN = { username: 'sr-reader', password: 'Registry-Secret-e2e-7' };
const COLUMNS = ['order_id', 'customer_id', 'status', 'amount', 'currency', 'created_at'] as const;

function orders(count: number, base: number) {
	return Array.from({ length: count }, (_, i) => ({
		order_id: base + i,
		customer_id: 1000 + (i % 7),
		status: i % 3 === 0 ? 'paid' : 'open',
		amount: `${(i * 13) % 500}.${String(i % 100).padStart(2, '0')}`,
		currency: 'EUR',
		created_at: `2026-03-0${1 + (i % 9)} 12:00:0${i % 10}.000`,
	}));
}

describe('Schema Registry credential in n8n', { timeout: 420_000 }, () => {
	let world: E2eWorld;
	let gate: RegistryGate;
	let registry: SchemaRegistry;
	let schemaId: number;
	let reachable = false;

	before(async () => {
		reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false);
		if (!reachable) return;
		world = await startWorld('schema-registry-credential');
		gate = await startRegistryGate(schemaRegistryUrl, LOGIN);
		registry = new SchemaRegistry({ host: schemaRegistryUrl });
		schemaId = await registerAvroRecord(registry, 'Order', 'e2e.credential', FIELDS, 'e2e-credential');
	});
	after(async () => {
		await world?.close();
		await gate?.close();
	});

	async function runOrders(overrides: { trigger: Record<string, unknown> }, edit: (trigger: ReturnType<typeof nodeOfType>) => void, base: number) {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders', overrides });
		edit(nodeOfType(scenario.workflow, NODE_TYPES.trigger));
		const id = await scenario.deploy();
		const sent = orders(40, base);
		await world.kafka.produce(
			scenario.topic,
			await Promise.all(sent.map(async (order) => ({ id: String(order.order_id), partition: 0, value: await registry.encode(schemaId, order) }))),
		);
		await waitFor(`${sent.length} orders in demo.${scenario.table}`, () => world.doris.tableRows('demo', scenario.table).length >= sent.length, {
			timeoutMs: 90_000,
			progress: () => `${world.doris.tableRows('demo', scenario.table).length} rows`,
			intervalMs: 250,
		});
		assertTableEquals(world.doris.tableRows('demo', scenario.table), sent, 'order_id', COLUMNS);
		return id;
	}

	it('a version-1 workflow with the registry URL as a node parameter still decodes', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const id = await runOrders(
			{ trigger: { format: 'schemaRegistry', schemaRegistryUrl, schemaRegistryUsername: '', schemaRegistryPassword: '' } },
			(trigger) => assert.equal(trigger.typeVersion, 1, 'the example is a version-1 workflow'),
			1,
		);
		await world.n8n.deactivate(id);
	});

	it('a version-1.1 trigger decodes through the credential, and the workflow holds no registry password', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const data = { url: gate.url, authentication: 'basicAuth', username: LOGIN.username, password: LOGIN.password };
		const type = 'schemaRegistryDorisSinkApi';
		const credential = await world.n8n.rest.createCredential({ name: 'Schema Registry (e2e)', type, data });
		const test = (password: string) =>
			world.n8n.rest.request<{ status: string; message: string }>('POST', '/rest/credentials/test', {
				credentials: { id: credential.id, name: credential.name, type, data: { ...data, password } },
			});
		const tested = await test(LOGIN.password);
		assert.deepEqual([tested.status, /^Connected: \d+ subject\(s\)$/.test(tested.message)], ['OK', true], tested.message);
		const refused = await test('wrong');
		assert.equal(refused.status, 'Error');
		assert.match(refused.message, /refused user "sr-reader" \(HTTP 401\)/);

		const id = await runOrders(
			{ trigger: { format: 'schemaRegistry' } },
			(trigger) => {
				trigger.typeVersion = 1.1;
				trigger.credentials = { ...trigger.credentials, [type]: { id: credential.id, name: credential.name } };
			},
			1001,
		);
		const stored = JSON.stringify(await world.n8n.rest.workflow(id));
		assert.doesNotMatch(stored, new RegExp(LOGIN.password));
		assert.doesNotMatch(stored, /schemaRegistryPassword/);
		await world.n8n.deactivate(id);
	});
});
