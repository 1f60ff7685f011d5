// Validate on Start at activation: with the Kafka trigger's "Check Doris Tables on
// Activation" on, publishing a workflow whose Doris Schema node maps to a missing column, or whose
// Stream Load node loads into a missing table, fails in real n8n, and the error n8n reports for the
// trigger names the table and the column. Once they exist, the same workflow activates. And n8n's
// Engine 2.0 (workflow setting engineType "v2") refuses every execution a trigger waits for, so the
// Kafka trigger would activate, fail each execution and redeliver it forever: publishing such a
// workflow fails with a message naming the setting, no consumer joins the group, nothing is
// committed; the same workflow on the default engine activates and loads.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigResourceTypes } from 'kafkajs';
import { createTableLike, DATABASE } from './support/doris';
import { orderEvents } from './support/events';
import { gateBeforeSchema, handOffToSubWorkflow, insertAfterTrigger, NODE_TYPES, nodeOfType } from './support/examples';
import { prepareScenario, startWorld, type E2eWorld, type Scenario } from './support/fixture';
import { timeUntil } from '../support/wait-for';

// The cases run all at once (each on its own topic, table and workflow): a refused activation takes
// n8n's five attempts (1 + 2 + 4 + 8 s apart, not configurable) before it reports the failure, time
// spent waiting, not working. n8n publishes up to N8N_WORKFLOW_PUBLICATION_CONCURRENCY workflows at once
// (5 by default): raised to the number of cases, so no refusal waits behind another's 15 s of retries.
// Three at a time with n8n's default took 82-95 s, four rounds of those retries.
const CASES = 24;
describe('activation refused in n8n: Check Doris Tables on Activation, Engine 2.0', { timeout: 300_000, concurrency: CASES }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('activation-check', { env: { N8N_WORKFLOW_PUBLICATION_CONCURRENCY: String(CASES) } });
	});
	after(async () => {
		await world?.close();
	});

	/**
	 * Publishes the scenario's workflow expecting n8n to refuse it, and returns the error n8n reports for
	 * the trigger, after checking that no consumer joined the group and nothing was committed. Should it
	 * activate, the test fails with what became of the `produced` messages: `whatHappened` says it once
	 * their offsets have committed (or `commitWaitMs` passed).
	 */
	async function publishExpectingRefusal(scenario: Scenario, produced: number, whatHappened: () => Promise<string>, commitWaitMs = 60_000): Promise<string> {
		const { id: _exampleId, ...body } = scenario.workflow;
		const { id } = await world.n8n.rest.createWorkflow(body);
		const committed = async () => (await world.kafka.admin.fetchOffsets({ groupId: scenario.groupId, topics: [scenario.topic] }))[0]?.partitions[0]?.offset;
		const activated = await world.n8n.activate(id).then(
			() => true,
			(error: unknown) => (assert.match(String(error), /publication is failed/), false),
		);
		if (activated) {
			// What happened before the refusal: the offsets commit with rows missing from Doris.
			await timeUntil('the offsets committed', async () => (await committed()) === String(produced), { timeoutMs: commitWaitMs, intervalMs: 250 }).catch(() => undefined);
			const what = await whatHappened();
			await world.n8n.deactivate(id);
			assert.fail(`activated: ${what}, committed offset ${await committed()}`);
		}
		const message = (await world.n8n.rest.publicationStatus(id)).triggers.map((tr) => tr.errorMessage ?? '').join('\n');
		assert.equal((await world.kafka.admin.describeGroups([scenario.groupId])).groups[0]?.members.length ?? 0, 0, 'no consumer joined the group');
		assert.equal(await committed(), '-1', 'nothing committed');
		return message;
	}

	it('fails activation naming the missing table and column, and activates once they exist', async (t) => {
		const missingTable = 'orders_later';
		const scenario = await prepareScenario(world, 'orders-low-frequency', {
			partitions: 1,
			tableFrom: 'orders',
			ddl: 'orders',
			overrides: {
				trigger: { checkDorisTables: true },
				schema: { options: { timeZone: 'UTC', mapping: { mapping: [{ field: 'ref', column: 'customer_ref' }] } } },
				streamLoad: { table: missingTable },
			},
		});
		// The trigger reads the tables with a Doris credential of its own.
		const trigger = nodeOfType(scenario.workflow, NODE_TYPES.trigger);
		trigger.credentials = { ...trigger.credentials, dorisApi: { id: world.credentials.doris?.id ?? '', name: world.credentials.doris?.name ?? '' } };
		const { id: _exampleId, ...body } = scenario.workflow;
		const { id } = await world.n8n.rest.createWorkflow(body);

		const started = Date.now();
		await assert.rejects(world.n8n.activate(id), /publication is failed/);
		const failedMs = Date.now() - started;
		const status = await world.n8n.rest.publicationStatus(id);
		const message = status.triggers.map((tr) => tr.errorMessage ?? '').join('\n');
		assert.match(message, new RegExp(`Doris Schema node "Doris Schema": table ${DATABASE}\\.${scenario.table} has no column "customer_ref" \\(mapped from field "ref"\\)`));
		assert.match(message, new RegExp(`Doris Stream Load node "Doris Stream Load": table ${DATABASE}\\.${missingTable} does not exist`));
		assert.equal(status.status, 'failed');
		const members = async () => (await world.kafka.admin.describeGroups([scenario.groupId])).groups[0]?.members.length ?? 0;
		assert.equal(await members(), 0, 'the check runs before the consumer joins its group');

		await world.doris.sql(`ALTER TABLE ${DATABASE}.${scenario.table} ADD COLUMN customer_ref BIGINT NULL`);
		await createTableLike(world.doris, 'orders', 'orders', missingTable);
		const again = Date.now();
		await world.n8n.activate(id);
		assert.equal((await world.n8n.rest.publicationStatus(id)).status, 'published');
		assert.equal(await members(), 1, 'the trigger\'s consumer joined');
		t.diagnostic(`activation failed in ${failedMs} ms with: ${message}; after ALTER + CREATE it activated in ${Date.now() - again} ms`);
		await world.n8n.deactivate(id);
	});

	// n8n swallows the error of a node on On Error "Continue" and runs on (nodes/shared/outputs.ts),
	// and under "Continue (regular output)" its regular output is Loaded, whose items whatever follows
	// takes for loaded rows: a Doris Stream Load node there with Rejected leading nowhere has no place
	// for rows it cannot load, Loaded wired or not, so the trigger refuses to activate the workflow.
	// Here Loaded is wired to a No Operation node and the table does not exist, so every load fails.
	// Before, this activated: the failed rows went to Loaded, each with an `error` field, the
	// executions succeeded and the trigger committed their offsets.
	it('refuses a Doris Stream Load node on On Error "Continue (regular output)" whose Rejected output leads nowhere, even with Loaded wired; with Rejected wired, it activates', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(20, 1);
		await world.kafka.produce(scenario.topic, orders);
		const load = nodeOfType(scenario.workflow, NODE_TYPES.streamLoad) as ReturnType<typeof nodeOfType> & { onError?: string };
		load.onError = 'continueRegularOutput';
		const table = load.parameters.table;
		load.parameters.table = 'no_such_table';
		scenario.workflow.nodes.push({ id: 'loaded-summary', name: 'Loaded Summary', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [load.position[0] + 250, load.position[1] - 150], parameters: {} });
		const connections = scenario.workflow.connections as Record<string, { main: unknown[][] }>;
		const rejected = connections[load.name].main[1];
		connections[load.name].main = [[{ node: 'Loaded Summary', type: 'main', index: 0 }], []];
		const message = await publishExpectingRefusal(scenario, orders.length, async () => {
			const letters = await world.kafka.readAll(scenario.deadLetterTopic);
			return `${world.doris.tableRows(DATABASE, scenario.table).length} of ${orders.length} orders in Doris, ${letters.length} dead letters`;
		});
		assert.match(message, /Doris Stream Load node "Doris Stream Load": On Error is "Continue \(regular output\)" but its Rejected output leads nowhere; the regular output is Loaded, which holds loaded rows only, so rows it cannot load would be lost/);
		t.diagnostic(`refused: ${message}`);

		// The same workflow with Rejected wired to the dead-letter branch (and the real table) activates.
		load.parameters.table = table;
		connections[load.name].main = [[{ node: 'Loaded Summary', type: 'main', index: 0 }], rejected];
		const { id: _exampleId, ...body } = scenario.workflow;
		const { id: wired } = await world.n8n.rest.createWorkflow({ ...body, name: `${body.name} wired` });
		await world.n8n.activate(wired);
		assert.equal((await world.n8n.rest.publicationStatus(wired)).status, 'published');
		await world.n8n.deactivate(wired);
	});

	// Session 16: settings under which one valid row fails every delivery and holds its partition for
	// good (src/common/stalling-settings.ts), each with the orders example's Rejected output unwired:
	// - Keep Order per Partition off and Deletes (CDC) Auto, both defaults: a flattened Debezium delete
	//   (`__deleted: "true"`) into the UNIQUE KEY orders table goes to Rejected (rule delete_unordered);
	// - JSON Paths (Keep Order on): an order with a field no path reads goes to Rejected (field_not_read).
	// Before, both activated, and the execution holding that message failed on every delivery: nothing
	// committed past it, for good.
	// - Sequence Column (Keep Order on; session 17): an order whose field of that name is null or missing
	//   goes to Rejected (null_sequence / missing_sequence); none of these orders has `updated_at`.
	//   Before, it activated, and the first order failed every delivery of its execution.
	for (const setting of ['Keep Order off with Deletes Auto', 'JSON Paths', 'Sequence Column'] as const)
		it(`refuses activation with ${setting} and the Doris Stream Load node's Rejected output leading nowhere, naming the settings and the fix; nothing is committed`, async (t) => {
			const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
			const orders = orderEvents(5, 1);
			const deleted = { ...(JSON.parse(orders[2].value as string) as Record<string, unknown>), __deleted: 'true' };
			orders.push({ id: 'deleted', partition: 0, value: JSON.stringify(deleted) });
			await world.kafka.produce(scenario.topic, orders);
			(scenario.workflow.connections as Record<string, { main: unknown[][] }>)['Doris Stream Load'].main[1] = [];
			if (setting !== 'Keep Order off with Deletes Auto') {
				const trigger = nodeOfType(scenario.workflow, NODE_TYPES.trigger);
				trigger.parameters.options = { ...(trigger.parameters.options as object), keepPartitionOrder: true, executionTimeoutSeconds: 120 };
				const load = nodeOfType(scenario.workflow, NODE_TYPES.streamLoad);
				const options = setting === 'JSON Paths' ? { columns: 'order_id, status', jsonpaths: '["$.order_id", "$.status"]' } : { sequenceColumn: 'updated_at' };
				load.parameters.options = { ...(load.parameters.options as object), ...options };
			}
			const message = await publishExpectingRefusal(scenario, orders.length, async () => `${world.doris.tableRows(DATABASE, scenario.table).length} of ${orders.length - 1} orders in Doris`, 30_000);
			assert.match(
				message,
				{
					'JSON Paths': /Doris Stream Load node "Doris Stream Load" loads JSON with Columns order_id, status and JSON Paths \["\$\.order_id", "\$\.status"\], but its Rejected output leads nowhere: a row with a field none of them reads/,
					'Sequence Column': /Doris Stream Load node "Doris Stream Load" has the Sequence Column updated_at, but its Rejected output leads nowhere: a row whose updated_at is null or missing.*hold its partition for good; connect its Rejected output/,
					'Keep Order off with Deletes Auto': /Keep Order per Partition \(trigger options\) is off and Doris Stream Load node "Doris Stream Load" has Deletes \(CDC\) Auto \(the default\), but its Rejected output leads nowhere: .*__deleted "true".*turn Keep Order per Partition on, or connect its Rejected output/,
				}[setting],
			);
			t.diagnostic(`refused: ${message}`);
		});

	// Session 19 (review F3): n8n cancels an execution at the workflow's Timeout while its rows wait in the
	// Doris Stream Load node's batch; the rows load with the batch and again with the redelivery (in real
	// n8n a Timeout of 3 s against a Batch Max Interval of 8 s made 800 rows of 200 messages). Refused now.
	it("refuses activation when n8n's workflow Timeout is not above the Doris Stream Load node's Batch Max Interval, naming both; nothing is committed", async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(5, 1);
		await world.kafka.produce(scenario.topic, orders);
		const workflow = scenario.workflow as { settings?: Record<string, unknown> };
		workflow.settings = { ...workflow.settings, executionTimeout: 3 };
		nodeOfType(scenario.workflow, NODE_TYPES.streamLoad).parameters.batchIntervalSeconds = 8;
		const message = await publishExpectingRefusal(scenario, orders.length, async () => `${world.doris.tableRows(DATABASE, scenario.table).length} rows for ${orders.length} orders in Doris`, 30_000);
		assert.match(message, /n8n cancels each execution after 3 s \(the workflow's Timeout setting\), but Doris Stream Load node "Doris Stream Load" may hold rows for 8 s \(Batch Max Interval\)/);
		t.diagnostic(`refused: ${message}`);
	});

	// n8n drops rows of an execution that still succeeds in these shapes (n8n-core WorkflowExecute):
	// Execute Once hands a node the first item only, and a disabled node passes its input on untouched,
	// so a disabled Doris Stream Load node loads nothing; a Doris Schema node whose Rows output is wired
	// to nothing drops every row it maps. The trigger would commit those rows' offsets:
	// publishing such a workflow fails naming the node and the setting, and no consumer joins.
	// So do nodes that drop items by what they do (src/common/dropping-nodes.ts): an IF output wired to
	// nothing, a dead-letter Kafka node with Acks off (the broker's refusal unseen); and a disabled Doris
	// Schema node hands the messages on unmapped.
	for (const setting of [
		'Execute Once on the Doris Schema node',
		'the Doris Stream Load node disabled',
		"the Doris Schema node's Rows output wired to nothing",
		'the Doris Schema node disabled, with a Source Path',
		'an IF node whose false output leads nowhere',
		'the dead-letter Kafka node on Acks off',
	] as const)
		it(`refuses activation with ${setting}, naming it; nothing is committed`, async (t) => {
			const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
			const orders = orderEvents(20, 1);
			await world.kafka.produce(scenario.topic, orders);
			if (setting === 'Execute Once on the Doris Schema node') (nodeOfType(scenario.workflow, NODE_TYPES.schema) as ReturnType<typeof nodeOfType> & { executeOnce?: boolean }).executeOnce = true;
			else if (setting === 'the Doris Stream Load node disabled') (nodeOfType(scenario.workflow, NODE_TYPES.streamLoad) as ReturnType<typeof nodeOfType> & { disabled?: boolean }).disabled = true;
			else if (setting === 'the Doris Schema node disabled, with a Source Path') {
				const schema = nodeOfType(scenario.workflow, NODE_TYPES.schema) as ReturnType<typeof nodeOfType> & { disabled?: boolean };
				schema.disabled = true;
				schema.parameters.options = { ...(schema.parameters.options as object), sourcePath: 'order' };
			}
			else if (setting === 'an IF node whose false output leads nowhere') gateBeforeSchema(scenario.workflow);
			else if (setting === 'the dead-letter Kafka node on Acks off') (nodeOfType(scenario.workflow, NODE_TYPES.deadLetters).parameters.options as Record<string, unknown>).acks = false;
			else (scenario.workflow.connections as Record<string, { main: unknown[][] }>)['Doris Schema'].main[0] = [];
			const message = await publishExpectingRefusal(scenario, orders.length, async () => `${world.doris.tableRows(DATABASE, scenario.table).length} of ${orders.length} orders in Doris`);
			assert.match(
				message,
				{
					'Execute Once on the Doris Schema node': /Node "Doris Schema" has the setting Execute Once on/,
					'the Doris Stream Load node disabled': /Doris Stream Load node "Doris Stream Load" is disabled/,
					"the Doris Schema node's Rows output wired to nothing": /Doris Schema node "Doris Schema": its Rows output leads nowhere/,
					'the Doris Schema node disabled, with a Source Path': /Doris Schema node "Doris Schema" is disabled: n8n passes the messages that reach it on unmapped, without its Source Path \(order\)/,
					'an IF node whose false output leads nowhere': /IF node "Only Orders": its false output leads nowhere/,
					'the dead-letter Kafka node on Acks off': /Kafka node "Dead Letters": Acks is off/,
				}[setting],
			);
			t.diagnostic(`refused: ${message}`);
		});

	// Under On Error "Continue (using error output)" n8n moves the items a node fails on to its error
	// output (WorkflowExecute.handleNodeErrorOutput) and the execution succeeds: with that output wired
	// to nothing, those rows are gone while the trigger commits. Under "Continue (regular output)" the
	// node puts `{ error }` in place of the item, and the row is gone too. Here an Edit Fields node
	// before Doris Schema fails on order 7 (its amount becomes "twelve", not the number the field's
	// type asks for).
	for (const onError of ['continueErrorOutput', 'continueRegularOutput'] as const)
	it(`refuses activation with a node on On Error "${onError}" that would drop the rows it fails on; nothing is committed`, async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(20, 1);
		await world.kafka.produce(scenario.topic, orders);
		// Under "Continue (using error output)" its second output is that error output, wired to nothing.
		insertAfterTrigger(
			scenario.workflow,
			{
				id: 'enrich',
				name: 'Enrich',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				onError,
				parameters: {
					mode: 'manual',
					includeOtherFields: true,
					assignments: { assignments: [{ id: 'amount', name: 'amount', type: 'number', value: '={{ $json.order_id === 7 ? "twelve" : $json.amount }}' }] },
					options: {},
				},
			},
			2,
		);
		const message = await publishExpectingRefusal(scenario, orders.length, async () => {
			const loaded = world.doris.tableRows(DATABASE, scenario.table).map((r) => Number(r.order_id));
			const letters = (await world.kafka.readAll(scenario.deadLetterTopic)).map((m) => m.value.slice(0, 200));
			return `${loaded.length} of ${orders.length} orders in Doris (order 7 ${loaded.includes(7) ? 'loaded' : 'missing'}), dead letters ${JSON.stringify(letters)}`;
		});
		assert.match(
			message,
			onError === 'continueErrorOutput'
				? /Node "Enrich": On Error is "Continue \(using error output\)" but its error output leads nowhere/
				: /Node "Enrich": On Error is "Continue \(regular output\)"/,
		);
		t.diagnostic(`refused: ${message}`);
	});

	// Always Output Data: when a node's first output is empty, n8n puts one empty item there
	// (WorkflowExecute.ensureAlwaysOutputData). On Doris Schema that happens whenever every row of an
	// execution is invalid, and the Doris Stream Load node would load that {} as a row of NULLs and
	// defaults, or Doris refuses it and a row that never existed goes to the dead-letter topic.
	it('refuses activation with Always Output Data on the Doris Schema node, naming it; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		// Order 997 is invalid (its amount is text): the execution's Rows output is empty.
		const orders = orderEvents(1, 1, 997);
		await world.kafka.produce(scenario.topic, orders);
		(nodeOfType(scenario.workflow, NODE_TYPES.schema) as ReturnType<typeof nodeOfType> & { alwaysOutputData?: boolean }).alwaysOutputData = true;
		const message = await publishExpectingRefusal(
			scenario,
			orders.length,
			async () => {
				const rows = world.doris.tableRows(DATABASE, scenario.table);
				const letters = (await world.kafka.readAll(scenario.deadLetterTopic)).map((m) => m.value.slice(0, 300));
				return `${rows.length} row(s) in Doris ${JSON.stringify(rows)}, dead letters ${JSON.stringify(letters)}`;
			},
			30_000,
		);
		assert.match(message, /Node "Doris Schema" has the setting Always Output Data on/);
		t.diagnostic(`refused: ${message}`);
	});

	// An Execute Workflow node with Wait For Sub-Workflow Completion off starts its sub-workflow and
	// returns at once (n8n-nodes-base ExecuteWorkflow: executeWorkflow with doNotWaitToFinish), so the
	// parent execution succeeds and the trigger commits while the sub-workflow's Doris Stream Load node
	// still batches the rows: n8n stopping then loses them. Here the Doris nodes run in the sub-workflow
	// (given inline), whose Stream Load loads after its 10 s batch interval.
	it('refuses activation with an Execute Workflow node that does not wait for its sub-workflow, naming it; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(20, 1);
		await world.kafka.produce(scenario.topic, orders);
		handOffToSubWorkflow(scenario.workflow, { options: { waitForSubWorkflow: false } });
		const message = await publishExpectingRefusal(scenario, orders.length, async () => {
			// At the commit, then once the sub-workflow has loaded them (the rows were in flight, not gone).
			const atCommit = world.doris.tableRows(DATABASE, scenario.table).length;
			const laterMs = await timeUntil('the sub-workflow loaded the orders', async () => world.doris.tableRows(DATABASE, scenario.table).length === orders.length, { timeoutMs: 30_000, intervalMs: 250 }).catch(() => undefined);
			return `${atCommit} of ${orders.length} orders in Doris at the commit, ${world.doris.tableRows(DATABASE, scenario.table).length} ${laterMs === undefined ? '30 s' : `${laterMs} ms`} later`;
		});
		assert.match(message, /Execute Workflow node "Hand Off": Wait For Sub-Workflow Completion is off/);
		t.diagnostic(`refused: ${message}`);
	});

	// A disabled node passes its input on (n8n-core WorkflowExecute): a disabled Execute Workflow node
	// never starts its sub-workflow, the execution succeeds and the trigger commits rows loaded nowhere.
	it('refuses activation with a disabled Execute Workflow node the rows end at, naming it; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(20, 1);
		await world.kafka.produce(scenario.topic, orders);
		handOffToSubWorkflow(scenario.workflow, {}, { disabled: true });
		const message = await publishExpectingRefusal(
			scenario,
			orders.length,
			async () => `${world.doris.tableRows(DATABASE, scenario.table).length} of ${orders.length} orders in Doris at the commit`,
		);
		assert.match(message, /Execute Workflow node "Hand Off" is disabled/);
		t.diagnostic(`refused: ${message}`);
	});

	// One Item per Batch hands the Doris nodes packed JSON lines, which a Stream Load node with Format CSV
	// refuses item by item: every execution fails and is redelivered, and the partition loads nothing.
	it('refuses activation with One Item per Batch into a Doris Stream Load node with Format CSV, naming both; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(20, 1);
		await world.kafka.produce(scenario.topic, orders);
		nodeOfType(scenario.workflow, NODE_TYPES.trigger).parameters.output = 'batch';
		Object.assign(nodeOfType(scenario.workflow, NODE_TYPES.streamLoad).parameters, { format: 'csv', csvColumns: 'order_id, customer_id, status, amount, currency, created_at, items, shipping_address, note' });
		const message = await publishExpectingRefusal(
			scenario,
			orders.length,
			async () => `${world.doris.tableRows(DATABASE, scenario.table).length} of ${orders.length} orders in Doris after 20 s`,
			20_000,
		);
		assert.match(message, /Output is "One Item per Batch" but Doris Stream Load node "[^"]+" has Format CSV/);
		t.diagnostic(`refused: ${message}`);
	});

	// The CDC example with Keep Order per Partition off (the trigger's default): two executions of a
	// partition could load in either order, and an update land after the delete that followed it.
	it('refuses activation with Debezium Envelopes and Keep Order per Partition off, naming both; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'cdc-debezium', { partitions: 1, tableFrom: 'customers', ddl: 'cdc' });
		const orders = orderEvents(5, 1);
		await world.kafka.produce(scenario.topic, orders);
		const trigger = nodeOfType(scenario.workflow, NODE_TYPES.trigger).parameters as { options: Record<string, unknown> };
		delete trigger.options.keepPartitionOrder;
		const message = await publishExpectingRefusal(scenario, orders.length, async () => 'the CDC workflow ran without Keep Order', 10_000);
		assert.match(message, /Keep Order per Partition \(trigger options\) is off, but Doris Schema node "[^"]+" has Debezium Envelopes \(CDC\) on/);
		t.diagnostic(`refused: ${message}`);
	});

	// On a compacted topic Kafka's log cleaner can remove an op d event and keep its tombstone alone,
	// which Tombstones "Skip" drops (src/kafka/compacted-topics.ts): the CDC example on such a topic.
	it('refuses activation with Debezium Envelopes, Tombstones "Skip" and a compacted topic, naming the topic and the fix; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'cdc-debezium', { partitions: 1, tableFrom: 'customers', ddl: 'cdc' });
		await world.kafka.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: scenario.topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
		const orders = orderEvents(5, 1);
		await world.kafka.produce(scenario.topic, orders);
		const message = await publishExpectingRefusal(scenario, orders.length, async () => 'the CDC workflow ran on a compacted topic', 10_000);
		assert.match(message, new RegExp(`Kafka topic ${scenario.topic} is compacted \\(cleanup.policy compact\\), and Tombstones is "Skip"`));
		assert.match(message, /Delete the Row of Its Key/);
		t.diagnostic(`refused: ${message}`);
	});

	// A tombstone's key row has no Debezium source block (src/common/tombstone-targets.ts): with Table From
	// "Debezium Source" every tombstone delete went to Invalid (review session 20, F7); before, this activated.
	it('refuses activation with Tombstones "Delete the Row of Its Key" and Table From "Debezium Source", naming both and the fix; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'cdc-database', {
			partitions: 1,
			tableFrom: 'customers',
			ddl: 'cdc',
			overrides: { trigger: { options: { tombstones: 'delete' } }, schema: { tableFrom: 'debezium' } },
		});
		const orders = orderEvents(5, 1);
		await world.kafka.produce(scenario.topic, orders);
		const message = await publishExpectingRefusal(scenario, orders.length, async () => 'the whole-database workflow ran with tombstones it cannot place', 10_000);
		assert.match(message, /Tombstones is "Delete the Row of Its Key", but Doris Schema node "[^"]+" has Table From "Debezium Source": a tombstone has no value/);
		t.diagnostic(`refused: ${message}`);
	});

	// Without strict mode Doris loads NULL in place of a value it cannot convert and counts nothing
	// (src/common/strict-mode-off.ts): the setting is refused like the others, naming the node.
	it('refuses activation with Strict Mode off on the Doris Stream Load node, naming it and why; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
		const orders = orderEvents(5, 1);
		await world.kafka.produce(scenario.topic, orders);
		const load = nodeOfType(scenario.workflow, NODE_TYPES.streamLoad).parameters as { options?: Record<string, unknown> };
		load.options = { ...(load.options ?? {}), strictMode: false };
		const message = await publishExpectingRefusal(scenario, orders.length, async () => `${world.doris.tableRows(DATABASE, scenario.table).length} of ${orders.length} orders loaded without strict mode`, 10_000);
		assert.match(message, /Doris Stream Load node "Doris Stream Load": Strict Mode off is refused: Doris then loads NULL in place of a value its column cannot take, counting nothing/);
		t.diagnostic(`refused: ${message}`);
	});

	// Partial Update on Doris before 3.1 (the e2e Doris test server imitates 3.0): strict mode refuses new
	// keys there and off would hide bad values, so only Strict Mode added (on) loads; n8n stores the option
	// only when the user adds it (src/doris/stream-load/strict-mode.ts). Check Doris Tables on Activation
	// reads the release and refuses, instead of every execution failing.
	it('refuses activation with Partial Update and Strict Mode not added on Doris 3.0, naming the setting and the release; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', {
			partitions: 1,
			tableFrom: 'orders',
			ddl: 'orders',
			overrides: { trigger: { checkDorisTables: true } },
		});
		const trigger = nodeOfType(scenario.workflow, NODE_TYPES.trigger);
		trigger.credentials = { ...trigger.credentials, dorisApi: { id: world.credentials.doris?.id ?? '', name: world.credentials.doris?.name ?? '' } };
		const orders = orderEvents(5, 1);
		await world.kafka.produce(scenario.topic, orders);
		const load = nodeOfType(scenario.workflow, NODE_TYPES.streamLoad).parameters as { options?: Record<string, unknown> };
		const { strictMode: _unset, ...options } = load.options ?? {};
		load.options = { ...options, partialUpdate: 'fixed', columns: 'order_id, customer_id, status, amount, created_at, note' };
		const message = await publishExpectingRefusal(scenario, orders.length, async () => `${world.doris.tableRows(DATABASE, scenario.table).length} of ${orders.length} orders loaded by a partial update`, 10_000);
		assert.match(message, /Partial Update on Doris 3\.0\.\d+ needs Strict Mode set explicitly/);
		t.diagnostic(`refused: ${message}`);
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
