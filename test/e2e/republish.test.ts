// What n8n 2.40.7 does with a workflow published while the Kafka trigger is active (review session 19):
// - F1: a version whose Kafka trigger node is unchanged is published without activating the trigger
//   again (workflows/publication/trigger-diff.js, workflow-publication-applier.js publish: "0 to add,
//   0 to remove"), and each emit runs it. Published with the Doris Stream Load node disabled, it loaded
//   nothing while the offsets committed. Now the Doris Schema node runs the trigger's activation checks
//   on the running version and fails the execution naming the change: nothing commits past the rows it
//   did not load. A harmless publish (a node added after Loaded) loads and commits as before.
// - F2: a node that puts the execution to wait (here a Wait node of 70 s after Loaded) made n8n hand the
//   trigger status "waiting": redelivered for ever, every parked copy later loading again. Activation is refused.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { DATABASE } from './support/doris';
import { orderEvents } from './support/events';
import { insertAfterTrigger, NODE_TYPES, nodeOfType } from './support/examples';
import { prepareScenario, startWorld, type E2eWorld, type Scenario } from './support/fixture';
import { waitForCommitted, watchNoCommitPast } from './support/progress';
import { waitFor } from '../support/wait-for';

interface StoredWorkflow {
	name: string;
	versionId: string;
	nodes: Array<{ name: string; type: string; disabled?: boolean; position: [number, number]; parameters: Record<string, unknown> }>;
	connections: Record<string, { main: unknown[][] }>;
	settings: unknown;
}

describe('a workflow published while its Kafka trigger is active', { timeout: 300_000, concurrency: 3 }, () => {
	let world: E2eWorld;
	before(async () => {
		world = await startWorld('republish');
	});
	after(async () => {
		await world?.close();
	});

	/** Saves `change` of the stored workflow as a new version and publishes it, as the editor does. */
	/** The orders example deployed with a short redelivery backoff, its first 10 orders loaded and committed. */
	async function ordersLoaded(prepare?: (scenario: Scenario) => void): Promise<{ scenario: Scenario; id: string }> {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		prepare?.(scenario);
		const trigger = nodeOfType(scenario.workflow, NODE_TYPES.trigger);
		trigger.parameters.options = { ...(trigger.parameters.options as object), redeliveryBackoffMs: 1000, redeliveryBackoffMaxMs: 2000 };
		const id = await scenario.deploy();
		await world.kafka.produce(scenario.topic, orderEvents(10, 1, 1));
		await waitForCommitted(world, scenario, 60_000);
		return { scenario, id };
	}

	async function publishChanged(id: string, change: (workflow: StoredWorkflow) => void): Promise<void> {
		const stored = (await world.n8n.rest.workflow(id)) as unknown as StoredWorkflow;
		change(stored);
		await world.n8n.rest.request('PATCH', `/rest/workflows/${id}`, { name: stored.name, nodes: stored.nodes, connections: stored.connections, settings: stored.settings, versionId: stored.versionId });
		await world.n8n.activate(id);
	}

	it('F1: a harmless publish loads as before; one with the Doris Stream Load node disabled fails its executions naming the change, and nothing commits past the rows it did not load', async (t) => {
		const { scenario, id } = await ordersLoaded();

		// Harmless: a No Operation node after Loaded.
		await publishChanged(id, (workflow) => {
			const load = workflow.nodes.find((n) => n.type === NODE_TYPES.streamLoad);
			assert.ok(load);
			workflow.nodes.push({ name: 'Done', type: 'n8n-nodes-base.noOp', position: [load.position[0] + 250, load.position[1] - 150], parameters: {} } as never);
			workflow.connections[load.name].main[0] = [{ node: 'Done', type: 'main', index: 0 }];
		});
		await world.kafka.produce(scenario.topic, orderEvents(10, 1, 11));
		await waitForCommitted(world, scenario, 60_000);
		assert.equal(world.doris.tableRows(DATABASE, scenario.table).length, 20);
		assert.equal((await world.n8n.rest.executions({ workflowId: id, status: ['error'] })).length, 0, 'the harmless publish failed no execution');

		// Lossy: the Doris Stream Load node disabled. n8n publishes it without activating the trigger again.
		const logFrom = world.n8n.logOffset();
		await publishChanged(id, (workflow) => {
			const load = workflow.nodes.find((n) => n.type === NODE_TYPES.streamLoad);
			assert.ok(load);
			load.disabled = true;
		});
		assert.match(world.n8n.logSince(logFrom), /Calculated trigger diff for workflow publication: 0 to add, 0 to remove/);
		await world.kafka.produce(scenario.topic, orderEvents(10, 1, 21));
		// Offsets 20..29 are the unloaded orders: nothing may commit past 20 while three executions fail.
		const committed = await watchNoCommitPast(world.n8n, world.kafka, { workflowId: id, groupId: scenario.groupId, topic: scenario.topic, partition: 0 }, 20, 3);
		assert.equal(committed, 20);
		assert.equal(world.doris.tableRows(DATABASE, scenario.table).length, 20);
		const [failed] = await world.n8n.rest.executions({ workflowId: id, status: ['error'], limit: 1 });
		const detail = (await world.n8n.rest.execution(failed.id)).data;
		assert.match(detail, /published after its Kafka trigger \\*"Kafka Trigger\\*" was activated/);
		assert.match(detail, /Doris Stream Load node \\*"Doris Stream Load\\*" is disabled/);
		t.diagnostic(`committed ${committed}; ${world.doris.tableRows(DATABASE, scenario.table).length} rows`);

		// Enabled again and published: the held orders load and commit.
		await publishChanged(id, (workflow) => {
			const load = workflow.nodes.find((n) => n.type === NODE_TYPES.streamLoad);
			assert.ok(load);
			load.disabled = false;
		});
		await waitForCommitted(world, scenario, 60_000);
		assert.equal(new Set(world.doris.tableRows(DATABASE, scenario.table).map((row) => JSON.stringify(row))).size, 30);
		await world.n8n.deactivate(id);
	});

	/** Published with both Doris nodes disabled, the next 10 orders are held (nothing commits), and load once they are enabled again. */
	async function heldWhileNoDorisNodeRuns(t: TestContext, prepare?: (scenario: Scenario) => void): Promise<void> {
		const { scenario, id } = await ordersLoaded(prepare);

		const logFrom = world.n8n.logOffset();
		const setDisabled = (disabled: boolean) => (workflow: StoredWorkflow) => {
			for (const node of workflow.nodes) if (node.type === NODE_TYPES.schema || node.type === NODE_TYPES.streamLoad) node.disabled = disabled;
		};
		await publishChanged(id, setDisabled(true));
		await world.kafka.produce(scenario.topic, orderEvents(10, 1, 11));
		// n8n's executions succeed (no Doris node ran to fail them); the trigger redelivers each.
		await waitFor('three deliveries not counted as loaded', async () => (world.n8n.logSince(logFrom).match(/did not check it/g) ?? []).length >= 3, { timeoutMs: 60_000, intervalMs: 250 });
		assert.equal((await world.kafka.offsets(scenario.groupId, scenario.topic)).get(0)?.committed, 10);
		assert.equal(world.doris.tableRows(DATABASE, scenario.table).length, 10);
		const failed = await world.n8n.rest.executions({ workflowId: id, status: ['error'] });
		assert.equal(failed.length, 1, 'recorded once as a failed execution');
		assert.match((await world.n8n.rest.execution(failed[0].id)).data, /Doris node \\*"Doris Schema\\*" that every execution reached when the trigger was activated did not check it: the workflow was published after the trigger was activated/);

		await publishChanged(id, setDisabled(false));
		await waitForCommitted(world, scenario, 60_000);
		assert.equal(world.doris.tableRows(DATABASE, scenario.table).length, 20);
		t.diagnostic('held while no Doris node ran; loaded once enabled');
		await world.n8n.deactivate(id);
	}

	it('F1: a version in which no Doris node runs (both disabled) is not counted as loaded: nothing commits, one failed execution says why', (t) => heldWhileNoDorisNodeRuns(t));

	// Before session 20 only a Doris node right after the trigger marked executions: with an Edit Fields
	// node first, the version with the Doris nodes disabled committed its 10 orders, none in Doris.
	it('the same with an Edit Fields node between the trigger and Doris Schema (it hands on an item for every item)', (t) =>
		heldWhileNoDorisNodeRuns(t, (scenario) =>
			insertAfterTrigger(scenario.workflow, {
				id: 'tag',
				name: 'Tag',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				parameters: { mode: 'manual', includeOtherFields: true, assignments: { assignments: [] }, options: {} },
			}),
		));

	it('F2: activation is refused with a Wait node of 70 s after the Doris Stream Load node, naming it and why; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const load = nodeOfType(scenario.workflow, NODE_TYPES.streamLoad);
		scenario.workflow.nodes.push({ id: 'wait-after-load', name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [load.position[0] + 250, load.position[1] - 150], parameters: { resume: 'timeInterval', amount: 70, unit: 'seconds' } } as never);
		(scenario.workflow.connections as Record<string, { main: unknown[][] }>)[load.name].main[0] = [{ node: 'Wait', type: 'main', index: 0 }];
		await world.kafka.produce(scenario.topic, orderEvents(5, 1, 1));
		const { id: _exampleId, ...body } = scenario.workflow;
		const { id } = await world.n8n.rest.createWorkflow(body);
		// "partial": n8n registers the Wait node's own resume webhook, and the Kafka trigger fails.
		const message = await world.n8n.activate(id).then(
			() => assert.fail('activated'),
			(error: unknown) => String(error),
		);
		assert.match(message, /publication is (failed|partial)/);
		assert.match(message, /Wait node "Wait": a wait of 70 seconds: n8n waits in-process only below 65 s/);
		assert.equal((await world.kafka.offsets(scenario.groupId, scenario.topic)).get(0)?.committed ?? -1, -1, 'nothing committed');
		assert.equal(world.doris.loads.filter((l) => l.table === scenario.table).length, 0, 'nothing loaded');
		t.diagnostic(`refused: ${message}`);
		await world.n8n.deactivate(id);
	});
});
