// The Kafka broker goes away after activation and stays away longer than the trigger's Report Stalled
// Consumer After, in a running n8n. kafkajs restarts the consumer without limit; before the stall
// watch, n8n showed nothing (no failed execution, no Error Workflow run), only log lines. Now n8n records
// a failed execution naming the broker and runs the workflow's Error Workflow, once; the workflow stays
// active, and when the broker is back the same trigger loads what was produced meanwhile, every order
// once. The broker is this file's own (test/ground/kafka/private-broker.ts), stopped and started on the
// same data; the shared test broker only carries the (unused) dead-letter topic. Needs `npm run build`.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { startPrivateBroker, type PrivateBroker } from '../ground/kafka/private-broker';
import { uniqueName } from '../ground/kafka/helpers';
import { waitFor } from '../support/wait-for';
import { assertTableEquals, createTableLike, DATABASE } from './support/doris';
import { orderEvents, type TestEvent } from './support/events';
import { exampleFor } from './support/examples';
import { startWorld, type E2eWorld } from './support/fixture';
import { KafkaTestClient } from './support/kafka';
import { deployWorkflow } from './support/n8n-setup';

const ORDER_COLUMNS = ['order_id', 'customer_id', 'status', 'amount', 'currency', 'created_at', 'items', 'shipping_address', 'note'] as const;
const PARTITIONS = 2;
const THRESHOLD_S = 10;
/**
 * The group timeouts of the integration suites' consumer (test/integration/kafka-sinker-helpers.ts), with
 * the broker's smallest session (group.min.session.timeout.ms, 6 s): with the defaults (a heartbeat every
 * 3 s, a 30 s session) the trigger took ~31 s after the broker was back to commit again, and the stall's
 * 'not before' window needed a 20 s threshold. After the broker is back, kafkajs rejoins under a new member
 * id and the group waits for the old one's session to expire: 6 s rather than the suites' 10 s.
 */
const GROUP_TIMEOUTS = { heartbeatIntervalMs: 1_000, sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 15_000 };
/**
 * How much older than the stop the coordinator's last answer may be: four Heartbeat Intervals, since a
 * heartbeat goes out once per interval at most, after a fetch, and n8n's process is busy under CI's load.
 */
const LAST_ANSWER_SLACK_MS = 4 * GROUP_TIMEOUTS.heartbeatIntervalMs;
/** How long the broker stays away after the report, for a second report to show (the watch checks every second). */
const ONCE_WINDOW_MS = 5_000;
const STALL_TEXT = 'has had no answer from its group coordinator';

function validRows(events: TestEvent[]): Record<string, unknown>[] {
	return events.filter((e) => e.row).map((e) => e.row as Record<string, unknown>);
}

describe('Kafka brokers unreachable after activation, in n8n', { timeout: 420_000 }, () => {
	let broker: PrivateBroker | undefined;
	let world: E2eWorld | undefined;
	let kafka: KafkaTestClient | undefined;

	before(async () => {
		// Side by side: each start is mostly waiting (the broker's JVM, n8n's boot).
		const [started, opened] = await Promise.allSettled([startPrivateBroker('e2e-broker-stall'), startWorld('broker-stall')]);
		if (started.status === 'fulfilled') broker = started.value;
		if (opened.status === 'fulfilled') world = opened.value;
		if (started.status === 'rejected') throw started.reason;
		if (opened.status === 'rejected') throw opened.reason;
		assert.ok(broker);
		kafka = new KafkaTestClient(uniqueName('e2e-stall'), broker.brokers);
		await kafka.connect();
	});

	after(async () => {
		try {
			// n8n first: its consumer must not outlive the broker client.
			await world?.close();
			await kafka?.close();
		} finally {
			await broker?.stop();
		}
	});

	it('n8n records the stall as a failed execution and runs the Error Workflow, once; the workflow stays active and the same trigger loads the rest when the broker is back', async (t) => {
		assert.ok(broker && world && kafka);
		const { rest } = world.n8n;
		// The Error Workflow: an Error Trigger and a node after it, as an ops team wires its alerting.
		const errorWorkflow = await rest.createWorkflow({
			name: `e2e stall alerts ${uniqueName('alerts')}`,
			nodes: [
				{ id: 'error-trigger', name: 'Error Trigger', type: 'n8n-nodes-base.errorTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'alert', name: 'Alert', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
			],
			connections: { 'Error Trigger': { main: [[{ node: 'Alert', type: 'main', index: 0 }]] } },
			settings: {},
		});
		// n8n 2.40 runs an Error Workflow only when it is published (workflow-execution.service.js loadErrorWorkflowData).
		await world.n8n.activate(errorWorkflow.id);

		const credential = await rest.createCredential({
			name: 'Kafka (the test broker that stops)',
			type: 'kafkaDorisSinkApi',
			data: { brokers: broker.brokers.join(','), clientId: 'n8n-doris-sinker', ssl: false, authentication: false },
		});
		const topic = uniqueName('e2e-stall');
		const groupId = `${topic}-group`;
		const table = `orders_${topic.slice(-6).replace(/[^a-z0-9]/gi, '')}`;
		const deadLetterTopic = `${topic}.dlq`;
		await kafka.createTopic(topic, PARTITIONS);
		await world.kafka.createTopic(deadLetterTopic, 1);
		await createTableLike(world.doris, 'orders', 'orders', table);
		const workflow = exampleFor('orders-low-frequency', {
			name: `e2e stall ${topic}`,
			topic,
			groupId,
			deadLetterTopic,
			database: DATABASE,
			table,
			credentials: { ...world.credentials, kafka: { id: credential.id, name: credential.name } },
			trigger: { options: { stallReportSeconds: THRESHOLD_S, ...GROUP_TIMEOUTS } },
		});
		workflow.settings = { ...workflow.settings, errorWorkflow: errorWorkflow.id };
		const workflowId = await deployWorkflow(world.n8n, workflow);

		const first = orderEvents(300, PARTITIONS);
		await kafka.produce(topic, first);
		await waitFor('the first 300 orders loaded and committed', async () => (await kafka?.lag(groupId, topic)) === 0, { timeoutMs: 60_000, intervalMs: 250 });
		assert.deepEqual(await rest.executions({ workflowId, status: ['error'] }), [], 'a failed execution before the broker stopped');

		const logFrom = world.n8n.logOffset();
		const haltBegan = Date.now();
		await broker.halt();
		// Not before the threshold: the coordinator's last answer came shortly before the stop began.
		await sleep(Math.max(haltBegan - LAST_ANSWER_SLACK_MS + THRESHOLD_S * 1000 - 1_000 - Date.now(), 0));
		assert.deepEqual(await rest.executions({ workflowId, status: ['error'] }), [], 'the stall was recorded before the threshold');
		assert.deepEqual(await rest.executions({ workflowId: errorWorkflow.id }), [], 'the Error Workflow ran before the threshold');

		const failed = await waitFor(
			'n8n to record the stall as a failed execution',
			async () => {
				const list = await rest.executions({ workflowId, status: ['error'] });
				return list.length > 0 ? list : undefined;
			},
			{ timeoutMs: 90_000, intervalMs: 500, progress: () => `n8n log: ${world?.n8n.logPath}` },
		);
		const recordedAfterMs = Date.now() - haltBegan;
		const failedText = JSON.stringify(await world.n8n.executionData(failed[0].id));
		assert.ok(failedText.includes(STALL_TEXT), `the failed execution says what happened: ${failedText.slice(0, 2000)}`);
		assert.ok(failedText.includes(broker.brokers[0]), `the failed execution names the broker ${broker.brokers[0]}`);
		assert.ok(failedText.includes(groupId), 'the failed execution names the consumer group');

		const alerts = await waitFor(
			'the Error Workflow to run',
			async () => {
				const list = await rest.executions({ workflowId: errorWorkflow.id });
				return list.some((e) => e.status === 'success') ? list : undefined;
			},
			{ timeoutMs: 30_000, intervalMs: 500 },
		);
		assert.equal(alerts.length, 1, 'the Error Workflow ran once');
		assert.equal(alerts[0].mode, 'error');
		const alertText = JSON.stringify(await world.n8n.executionData(alerts[0].id));
		assert.ok(alertText.includes(STALL_TEXT), 'the Error Workflow got the stall report');
		assert.ok(alertText.includes(workflowId), 'the Error Workflow got the failed workflow');
		assert.ok((await rest.activeWorkflowIds()).includes(workflowId), 'the workflow stays active');

		// Once per stall: the broker stays away a while longer, nothing new is recorded.
		await sleep(ONCE_WINDOW_MS);
		assert.equal((await rest.executions({ workflowId, status: ['error'] })).length, 1, 'the stall was recorded more than once');

		await broker.resume();
		const resumedAt = Date.now();
		const second = orderEvents(300, PARTITIONS, 301);
		await kafka.produce(topic, second);
		await waitFor('every order loaded and committed after the broker came back', async () => (await kafka?.lag(groupId, topic)) === 0, {
			timeoutMs: 120_000,
			intervalMs: 500,
			progress: async () => `lag ${await kafka?.lag(groupId, topic)}, n8n log ${world?.n8n.logPath}`,
		});
		const settledMs = Date.now() - resumedAt;
		assertTableEquals(world.doris.tableRows(DATABASE, table), validRows([...first, ...second]), 'order_id', ORDER_COLUMNS);
		assert.equal((await rest.executions({ workflowId, status: ['error'] })).length, 1, 'the recovery was recorded as a failure');
		assert.equal((await rest.executions({ workflowId: errorWorkflow.id })).length, 1, 'the Error Workflow ran again');
		assert.match(world.n8n.logSince(logFrom), /reached its group coordinator again after a reported stall/, 'the recovery is logged');
		t.diagnostic(`stall recorded ${recordedAfterMs} ms after the stop began (threshold ${THRESHOLD_S} s); all 600 orders committed ${settledMs} ms after the broker was back`);
	});
});
