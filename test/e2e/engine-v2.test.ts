// n8n's Engine 2.0 (workflow setting engineType "v2") refuses every execution a trigger waits for, so
// the Kafka trigger would activate, fail each execution and redeliver it forever. In real n8n:
// publishing such a workflow fails with a message naming the setting, no consumer joins the group,
// nothing is committed; the same workflow on the default engine activates and loads.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DATABASE } from './support/doris';
import { orderEvents } from './support/events';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { timeUntil } from '../support/wait-for';

describe('Engine 2.0 in n8n', { timeout: 300_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('engine-v2');
	});
	after(async () => {
		await world?.close();
	});

	it('refuses activation on Engine 2.0 with a clear message, and activates on the default engine', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(20, 1);
		await world.kafka.produce(scenario.topic, orders);
		const { id: _exampleId, ...body } = scenario.workflow;
		const { id } = await world.n8n.rest.createWorkflow({ ...body, settings: { ...body.settings, engineType: 'v2' } });

		const started = Date.now();
		await assert.rejects(world.n8n.activate(id), /publication is failed/);
		const failedMs = Date.now() - started;
		const status = await world.n8n.rest.publicationStatus(id);
		const message = status.triggers.map((tr) => tr.errorMessage ?? '').join('\n');
		assert.match(message, /Engine 2\.0 \(workflow setting engineType "v2"\), which cannot run a trigger that waits for its executions to finish/);
		const members = async () => (await world.kafka.admin.describeGroups([scenario.groupId])).groups[0]?.members.length ?? 0;
		assert.equal(await members(), 0, 'no consumer joined the group');
		assert.equal((await world.kafka.admin.fetchOffsets({ groupId: scenario.groupId, topics: [scenario.topic] }))[0]?.partitions[0]?.offset, '-1', 'nothing committed');
		const executions = await world.n8n.rest.executions({ workflowId: id });
		assert.equal(executions.length, 0, 'no execution was started (and failed)');

		// The same workflow on the default engine (the example's own setting) activates and loads.
		const onDefault = await world.n8n.rest.createWorkflow({ ...body, name: `${body.name} default engine` });
		await world.n8n.activate(onDefault.id);
		const tookMs = await timeUntil(`${orders.length} orders in ${scenario.table}`, async () => world.doris.tableRows(DATABASE, scenario.table).length === orders.length, {
			timeoutMs: 60_000,
			progress: () => `${world.doris.tableRows(DATABASE, scenario.table).length} rows`,
			intervalMs: 250,
		});
		await world.n8n.deactivate(onDefault.id);
		t.diagnostic(`activation on Engine 2.0 failed after ${failedMs} ms with: ${message}; on the default engine ${orders.length} orders loaded in ${tookMs} ms`);
	});
});
