// The CDC example (Tombstones "Skip" behind Debezium Envelopes) in a running n8n, reading two listed
// topics, one of which has its cleanup.policy altered to compact while the workflow runs: Kafka's log
// cleaner could then remove an op d event and keep only its tombstone, which Skip drops
// (src/kafka/compacted-topics.ts). The trigger holds that topic (src/kafka/compacted-topic-hold.ts):
// nothing written to it afterwards is loaded or committed while the other topic goes on, an error in
// n8n's log names it; altered back to delete, the rest loads and the table ends at the source's final
// state. Before, nothing read the policy after activation and the topic went on being read with Skip.
// Needs `npm run build` and the broker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigResourceTypes } from 'kafkajs';
import { assertTableEquals } from './support/doris';
import { cdcEvents, datetime3, type TestEvent } from './support/events';
import { NODE_TYPES, nodeOfType } from './support/examples';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { waitForCommitted } from './support/progress';
import { waitFor } from '../support/wait-for';

const CUSTOMER_COLUMNS = ['id', 'name', 'email', 'tier', 'balance', 'updated_at'];

describe('a CDC topic altered to compact while the workflow runs, in n8n', { timeout: 300_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('compacted-topic-hold');
	});
	after(async () => {
		await world?.close();
	});

	it('holds the topic: nothing written after the change loads or commits while the other topic loads; altered back, the table ends at the final state', async (t) => {
		// New Topics Check every second: the policy is read at every check (else at least every 60 s).
		const scenario = await prepareScenario(world, 'cdc-debezium', {
			partitions: 1,
			tableFrom: 'customers',
			ddl: 'cdc',
			overrides: { trigger: { options: { topicCheckSeconds: 1 } }, streamLoad: { batchIntervalSeconds: 1 } },
		});
		const other = `${scenario.topic}.other`;
		await world.kafka.createTopic(other, 1);
		(nodeOfType(scenario.workflow, NODE_TYPES.trigger).parameters as { topics: string }).topics = `${scenario.topic},${other}`;
		const { events, finalRows } = cdcEvents(40, 1);
		// The first 40 events create the rows; the updates, deletes (op d, then its tombstone) and re-creations follow.
		const [creates, changes] = [events.slice(0, 40), events.slice(40)];
		const opOf = (e: TestEvent) => (e.value === null ? 'tombstone' : ((JSON.parse(e.value as string) as { payload?: { op: string }; op?: string }).payload?.op ?? (JSON.parse(e.value as string) as { op?: string }).op));
		assert.ok(creates.every((e) => opOf(e) === 'c') && changes.some((e) => opOf(e) === 'd'), 'creates first, then changes with deletes');
		const others = Array.from({ length: 5 }, (_, i): { event: TestEvent; row: Record<string, unknown> } => {
			const after = { id: 1001 + i, name: `Other ${i}`, email: null, tier: 'gold', balance: '1.00', updated_at: Date.UTC(2026, 10, 25, 9, 0, i) };
			const event = { id: `other-${i}`, key: JSON.stringify({ id: after.id }), partition: 0, value: JSON.stringify({ before: null, after, op: 'c', ts_ms: 1, source: { connector: 'mysql', db: 'inventory', table: 'customers' } }) };
			return { event, row: { ...after, updated_at: datetime3(after.updated_at) } };
		});
		const committed = async (topic: string) => (await world.kafka.offsets(scenario.groupId, topic)).get(0)?.committed ?? -1;

		await scenario.deploy();
		await world.kafka.produce(scenario.topic, creates, 100, 1);
		await waitForCommitted(world, scenario, 60_000);
		assert.equal(world.doris.tableRows('demo', scenario.table).length, 40);

		await world.kafka.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: scenario.topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
		const held = await waitFor(
			'the error naming the topic in n8n\'s log (before: nothing read its policy again)',
			() => world.n8n.logText().split('\n').find((line) => line.includes(`Kafka topic ${scenario.topic} is compacted`)),
			{ timeoutMs: 30_000, progress: () => `log ${world.n8n.logPath}` },
		);
		assert.match(held, /changed to compact while the workflow ran: its partitions are paused/);
		assert.match(held, /Delete the Row of Its Key/);

		// Written while held, then the other topic's rows: once those are committed, a fetch of the held topic would have come first.
		await world.kafka.produce(scenario.topic, changes, 100, 1);
		await world.kafka.produce(other, others.map((o) => o.event), 100, 1);
		await waitFor('the other topic loaded and committed', async () => (await committed(other)) === others.length, { timeoutMs: 60_000, progress: () => `log ${world.n8n.logPath}` });
		assert.equal(await committed(scenario.topic), creates.length, 'nothing of the held topic committed past the change');
		const rows = world.doris.tableRows('demo', scenario.table);
		assert.equal(rows.length, 45, 'the 40 rows created before the change and the other topic\'s 5');
		assert.ok(rows.every((r) => r.tier !== 'silver'), 'no update written after the change loaded');

		await world.kafka.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: scenario.topic, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
		await waitForCommitted(world, scenario, 60_000);
		assertTableEquals(world.doris.tableRows('demo', scenario.table), [...finalRows.values(), ...others.map((o) => o.row)], 'id', CUSTOMER_COLUMNS);
		assert.match(world.n8n.logText(), new RegExp(`topics ${scenario.topic} are not compacted \\(cleanup.policy read again\\): reading them on`));
		t.diagnostic(`${events.length} change events, ${changes.length} of them held until the policy was delete again; ${finalRows.size + others.length} rows as expected`);
	});
});
