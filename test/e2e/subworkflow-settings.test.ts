// Settings that lose rows, in a sub-workflow, in real n8n 2.40.7. The Kafka trigger refuses them at
// activation in its own workflow (nodes/KafkaTrigger/refuse-lossy-settings.ts), but n8n loads a
// sub-workflow only when its Execute Workflow node calls it, so the trigger never sees one. Its
// success commits the parent's offsets: n8n passing rows on past a disabled Doris Stream Load node,
// dropping the items a node on "Continue" fails on, or handing a node on Execute Once the first item
// only, committed offsets of rows neither in Doris nor anywhere visible. The Doris nodes now run the
// same check when they run (nodes/shared/lossy-settings.ts) and fail the execution before loading
// anything, naming the node and the setting; the parent execution fails and nothing is committed.
import { after, before, describe, it } from 'node:test';

import assert from 'node:assert/strict';

import { logEvents } from './support/events';
import { handOffToSubWorkflow, NODE_TYPES, nodeOfType, type ExampleWorkflow, type WorkflowNode } from './support/examples';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { waitForCommitted } from './support/progress';
import { inSubWorkflow } from './support/sub-workflow';

/** A node of n8n-nodes-base put between the sub-workflow's start and the Doris Schema node. */
function beforeSchema(workflow: ExampleWorkflow, added: Omit<WorkflowNode, 'position' | 'id'> & Record<string, unknown>): void {
	const schema = workflow.nodes.find((n) => n.name === 'Doris Schema') as WorkflowNode;
	workflow.nodes.push({ id: 'before-schema', position: [schema.position[0] - 150, schema.position[1] + 150], ...added } as WorkflowNode);
	const connections = workflow.connections as Record<string, { main: unknown[][] }>;
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-doris-sinker.kafkaTrigger') as WorkflowNode;
	connections[added.name] = { main: [connections[trigger.name].main[0]] };
	connections[trigger.name].main[0] = [{ node: added.name, type: 'main', index: 0 }];
}

// Each case has its own topic, table and workflow: three at a time in the one n8n, as they mostly wait.
describe('settings that lose rows in a sub-workflow, refused when the Doris nodes run (real n8n)', { timeout: 600_000, concurrency: 3 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('subworkflow-settings');
	});
	after(async () => {
		await world?.close();
	});

	// n8n-core WorkflowExecute.handleDisabledNode passes the node's input on as its Loaded output.
	it('a disabled Doris Stream Load node after the Doris Schema node: the execution fails naming it, nothing is committed', async (t) => {
		const change = (workflow: ExampleWorkflow) => {
			Object.assign(workflow.nodes.find((n) => n.name === 'Doris Stream Load') as WorkflowNode, { disabled: true });
		};
		await inSubWorkflow(world, t, change, { refused: [], invalid: [] }, /Doris Stream Load node \\*"Doris Stream Load\\*" is disabled/);
	});

	// An Edit Fields node before the Doris Schema node fails on seq 150 (its latency_ms becomes "slow",
	// not the number the field's type asks for). Under "Continue (regular output)" n8n's node puts
	// `{ error }` in its place; under "Continue (using error output)" n8n moves it to the error output,
	// wired to nothing here.
	for (const onError of ['continueRegularOutput', 'continueErrorOutput'] as const)
		it(`a node before the Doris nodes on On Error "${onError}"${onError === 'continueErrorOutput' ? ' with its error output leading nowhere' : ''}: the execution fails naming it and the setting, nothing is committed`, async (t) => {
			const change = (workflow: ExampleWorkflow) =>
				beforeSchema(workflow, {
					name: 'Enrich',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					onError,
					parameters: {
						mode: 'manual',
						includeOtherFields: true,
						assignments: { assignments: [{ id: 'latency', name: 'latency_ms', type: 'number', value: '={{ $json.seq === 150 ? "slow" : $json.latency_ms }}' }] },
						options: {},
					},
				});
			const message =
				onError === 'continueErrorOutput'
					? /Node \\*"Enrich\\*": On Error is \\*"Continue \(using error output\)\\*" but its error output leads nowhere/
					: /Node \\*"Enrich\\*": On Error is \\*"Continue \(regular output\)\\*"/;
			await inSubWorkflow(world, t, change, { refused: [], invalid: [] }, message, { output: 'message' });
		});

	// n8n-core WorkflowExecute.handleExecuteOnce hands the node the first item of the execution only.
	it('Execute Once on a No Operation node before the Doris nodes (One Item per Message): the execution fails naming it and the setting, nothing is committed', async (t) => {
		const change = (workflow: ExampleWorkflow) => beforeSchema(workflow, { name: 'Pass On', type: 'n8n-nodes-base.noOp', typeVersion: 1, executeOnce: true, parameters: {} });
		await inSubWorkflow(world, t, change, { refused: [], invalid: [] }, /Node \\*"Pass On\\*" has the setting Execute Once on/, { output: 'message' });
	});

	// What must not be refused: Execute Once on a node that gets one item per execution loses nothing.
	// The example's trigger hands on One Item per Batch, so the sub-workflow gets one item each time;
	// the check reads from n8n's run data that the node's input held one item (before, it refused the
	// setting whatever the input: every execution failed and nothing was committed).
	// Always Output Data likewise, on a node that outputs rows: the check reads from n8n's run data that
	// it made up no empty item (before, it refused the setting whatever the node output).
	for (const setting of ['executeOnce', 'alwaysOutputData'] as const)
		it(`${setting === 'executeOnce' ? 'Execute Once' : 'Always Output Data'} on a No Operation node before the Doris nodes (One Item per Batch, one item per execution): not refused, every row loads, every offset commits`, async (t) => {
			const scenario = await prepareScenario(world, 'logs-high-frequency', {
				partitions: 1,
				tableFrom: 'app_logs',
				ddl: 'logs',
				overrides: { trigger: { maxRecordsPerExecution: 100, executionsInFlight: 1, output: 'batch' }, streamLoad: { batchRows: 1000, batchIntervalSeconds: 1 } },
			});
			beforeSchema(scenario.workflow, { name: 'Pass On', type: 'n8n-nodes-base.noOp', typeVersion: 1, [setting]: true, parameters: {} });
			handOffToSubWorkflow(scenario.workflow);
			const workflowId = await scenario.deploy();
			const events = logEvents(300, 1).filter((e) => !e.invalid);
			await world.kafka.produce(scenario.topic, events);
			await waitForCommitted(world, scenario, 120_000);
			const stored = new Set(world.doris.tableRows('demo', scenario.table).map((r) => Number(r.seq)));
			const failed = await world.n8n.rest.executions({ workflowId, status: ['error'], limit: 1 });
			t.diagnostic(`${events.length} events, ${stored.size} rows in Doris, ${failed.length} failed executions`);
			assert.deepEqual(failed, [], 'no execution failed');
			assert.deepEqual(events.map((e) => Number(e.id)).filter((seq) => !stored.has(seq)), [], 'every row is in Doris');
		});

	// What must not be refused: a sub-workflow that only maps, its Doris Schema node's Rows output
	// leading nowhere, is the sub-workflow's result (n8n hands the parent the last node's output), which
	// the parent's Execute Workflow node hands on to its Doris Stream Load node. The activation check
	// refuses Rows leading nowhere in the trigger's own workflow, where the rows must load; here the
	// check the Doris Schema node runs must let it through.
	it('a sub-workflow that only maps (Doris Schema, Rows leading nowhere) for a parent that loads its result (Execute Workflow → Doris Stream Load): not refused, every row loads, every offset commits', async (t) => {
		const scenario = await prepareScenario(world, 'logs-high-frequency', {
			partitions: 1,
			tableFrom: 'app_logs',
			ddl: 'logs',
			overrides: { trigger: { maxRecordsPerExecution: 100, executionsInFlight: 1 }, streamLoad: { batchRows: 1000, batchIntervalSeconds: 1 } },
		});
		const workflow = scenario.workflow;
		const load = nodeOfType(workflow, NODE_TYPES.streamLoad);
		const deadLetters = nodeOfType(workflow, NODE_TYPES.deadLetters);
		const schema = nodeOfType(workflow, NODE_TYPES.schema);
		workflow.nodes = workflow.nodes.filter((n) => n !== load && n !== deadLetters && n.type !== 'n8n-nodes-base.stickyNote');
		(workflow.connections as Record<string, { main: unknown[][] }>)[schema.name] = { main: [[], []] };
		handOffToSubWorkflow(workflow);
		workflow.nodes.push(load, deadLetters);
		workflow.connections = {
			...workflow.connections,
			'Hand Off': { main: [[{ node: load.name, type: 'main', index: 0 }]] },
			[load.name]: { main: [[], [{ node: deadLetters.name, type: 'main', index: 0 }]] },
		};
		const workflowId = await scenario.deploy();
		const events = logEvents(300, 1).filter((e) => !e.invalid);
		await world.kafka.produce(scenario.topic, events);
		await waitForCommitted(world, scenario, 120_000);
		const stored = new Set(world.doris.tableRows('demo', scenario.table).map((r) => Number(r.seq)));
		const failed = await world.n8n.rest.executions({ workflowId, status: ['error'], limit: 1 });
		t.diagnostic(`${events.length} events, ${stored.size} rows in Doris, ${failed.length} failed executions`);
		assert.deepEqual(failed, [], 'no execution failed');
		assert.deepEqual(events.map((e) => Number(e.id)).filter((seq) => !stored.has(seq)), [], 'every row is in Doris');
	});
});
