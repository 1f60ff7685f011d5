// The CDC example (Tombstones "Skip" behind Debezium Envelopes) in a running n8n, reading two listed
// topics, one of which has its cleanup.policy altered to compact while the workflow runs: Kafka's log
// cleaner then removes op d events and keeps only their tombstones, which Skip drops
// (src/kafka/compacted-topics.ts). The trigger holds that topic (src/kafka/compacted-topic-hold.ts):
// nothing written to it afterwards is loaded or committed while the other topic goes on, an error in
// n8n's log names it. Here the cleaner runs while it is held (small segments), removing the op d events
// written meanwhile; the policy set back to delete does not release it (before: it was read on with Skip,
// the tombstones skipped and committed past, and the deleted rows stayed in Doris with no word), nor does
// deactivating and activating the workflow again with Skip, as an n8n restart does (the hold is kept in the
// group's committed offsets, src/kafka/compacted-hold-mark.ts; before, that activation read on with Skip), nor does
// activating it with Debezium Envelopes and Keep Order per Partition off, so that the workflow no longer refuses compacted
// topics (late review session 20, H2; before, that activation read no mark and its first commit dropped it without a word). Activated
// again with Tombstones "Delete the Row of Its Key", as the error says: the example's table has a sequence
// column, so Doris would ignore a delete without its value and each tombstone goes to Invalid (the dead-letter
// topic) naming its key; every other row ends at the source's final state. And the same example with Debezium
// Envelopes off (records flattened by ExtractNewRecordState, deleted by __deleted "true") is refused on a compacted
// topic like the envelopes are (review session 20, F4). Needs `npm run build` and the broker.
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

/** The log cleaner compacts soon after a segment rolls (small segments, no dirty-ratio wait). */
const COMPACT_FAST = [
	{ name: 'cleanup.policy', value: 'compact' },
	{ name: 'segment.ms', value: '100' },
	{ name: 'min.cleanable.dirty.ratio', value: '0.01' },
	{ name: 'delete.retention.ms', value: '86400000' },
];

/** The op d events left in partition 0 of `topic`, read to its end by a new consumer (readAll counts offsets, which compaction leaves gaps in). */
async function opDEventsIn(world: E2eWorld, topic: string): Promise<number> {
	const high = BigInt((await world.kafka.admin.fetchTopicOffsets(topic))[0].high);
	const consumer = world.kafka.kafka.consumer({ groupId: `peek-${topic}-${high}-${Math.random().toString(36).slice(2)}` });
	await consumer.connect();
	let found = 0;
	try {
		await consumer.subscribe({ topic, fromBeginning: true });
		await new Promise<void>((resolve) => {
			void consumer.run({
				eachMessage: async ({ message }) => {
					if (/"op":"d"/.test(message.value?.toString('utf8') ?? '')) found++;
					if (BigInt(message.offset) >= high - 1n) resolve();
				},
			});
		});
	} finally {
		await consumer.disconnect();
	}
	return found;
}

describe('compacted CDC topics under Tombstones "Skip", in n8n', { timeout: 300_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('compacted-topic-hold');
	});
	after(async () => {
		await world?.close();
	});

	it('holds the topic while the cleaner removes op d events, also once its policy is delete again and after the workflow is deactivated and activated again with Skip; activated again with Tombstones "Delete the Row of Its Key", every row deleted for good is named in a dead letter (sequence column), the rest at the final state', async (t) => {
		// New Topics Check every second: the policy is read at every check (else at least every 60 s).
		const scenario = await prepareScenario(world, 'cdc-debezium', {
			partitions: 1,
			tableFrom: 'customers',
			ddl: 'cdc',
			overrides: { trigger: { options: { topicCheckSeconds: 1 } }, streamLoad: { batchIntervalSeconds: 1 } },
		});
		const other = `${scenario.topic}.other`;
		await world.kafka.createTopic(other, 1);
		const trigger = nodeOfType(scenario.workflow, NODE_TYPES.trigger);
		(trigger.parameters as { topics: string }).topics = `${scenario.topic},${other}`;
		const { events, finalRows } = cdcEvents(40, 1);
		const opOf = (e: TestEvent) => (e.value === null ? 'tombstone' : ((JSON.parse(e.value as string) as { payload?: { op: string }; op?: string }).payload?.op ?? (JSON.parse(e.value as string) as { op?: string }).op));
		// The first 40 events create the rows; the updates, deletes and re-creations follow, each op d event followed by its tombstone, as Debezium writes them.
		const creates = events.slice(0, 40);
		const changes = events.slice(40).flatMap((e) => (opOf(e) === 'd' ? [e, { id: `${e.id}-tombstone`, key: e.key, partition: 0, value: null }] : [e]));
		assert.ok(creates.every((e) => opOf(e) === 'c') && changes.some((e) => opOf(e) === 'd'), 'creates first, then changes with deletes');
		const others = Array.from({ length: 6 }, (_, i): { event: TestEvent; row: Record<string, unknown> } => {
			const after = { id: 1001 + i, name: `Other ${i}`, email: null, tier: 'gold', balance: '1.00', updated_at: Date.UTC(2026, 10, 25, 9, 0, i) };
			const event = { id: `other-${i}`, key: JSON.stringify({ id: after.id }), partition: 0, value: JSON.stringify({ before: null, after, op: 'c', ts_ms: 1, source: { connector: 'mysql', db: 'inventory', table: 'customers' } }) };
			return { event, row: { ...after, updated_at: datetime3(after.updated_at) } };
		});
		const committed = async (topic: string) => (await world.kafka.offsets(scenario.groupId, topic)).get(0)?.committed ?? -1;
		const alterTopic = (configEntries: Array<{ name: string; value: string }>) => world.kafka.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: scenario.topic, configEntries }] });
		const logLine = (pattern: string, what: string) => waitFor(what, () => world.n8n.logText().split('\n').find((line) => line.includes(pattern)), { timeoutMs: 30_000, progress: () => `log ${world.n8n.logPath}` });

		const workflowId = await scenario.deploy();
		await world.kafka.produce(scenario.topic, creates, 100, 1);
		await waitForCommitted(world, scenario, 60_000);
		assert.equal(world.doris.tableRows('demo', scenario.table).length, 40);

		await alterTopic(COMPACT_FAST);
		const held = await logLine(`Kafka topic ${scenario.topic} is compacted`, 'the error naming the topic in n8n\'s log (before: nothing read its policy again)');
		assert.match(held, /changed to compact while the workflow ran: its partitions are paused.*until the hold is released: it is kept in group .*'s committed offsets/);
		assert.match(held, /Delete the Row of Its Key/);

		// Written while held; then the cleaner runs over it (segments rolled by messages of a key no row has) until no op d event is left.
		await world.kafka.produce(scenario.topic, changes, 100, 1);
		const deletes = changes.filter((e) => opOf(e) === 'd').length;
		const roll = { id: 'roll', key: JSON.stringify({ id: 999_999 }), partition: 0, value: null };
		await waitFor(
			`the log cleaner removed the ${deletes} op d events`,
			async () => {
				await new Promise((resolve) => setTimeout(resolve, 150));
				await world.kafka.produce(scenario.topic, [roll], 1, 1);
				return (await opDEventsIn(world, scenario.topic)) === 0 || undefined;
			},
			{ timeoutMs: 120_000, intervalMs: 0 },
		);

		await alterTopic([{ name: 'cleanup.policy', value: 'delete' }]);
		const stays = await logLine(`held topic ${scenario.topic} no longer compacts`, 'the warning that it stays held (before: released, and read on with Skip)');
		assert.match(stays, /stays held until the hold is released/);
		// The other topic's rows after that warning: once committed, a fetch of the held topic would have come first.
		await world.kafka.produce(other, others.slice(0, 5).map((o) => o.event), 100, 1);
		await waitFor('the other topic loaded and committed', async () => (await committed(other)) === 5, { timeoutMs: 60_000, progress: () => `log ${world.n8n.logPath}` });
		assert.equal(await committed(scenario.topic), creates.length, 'nothing of the held topic committed past the change');
		const rows = world.doris.tableRows('demo', scenario.table);
		assert.equal(rows.length, 45, 'the 40 rows created before the change and the other topic\'s 5');
		assert.ok(rows.every((r) => r.tier !== 'silver'), 'no update written after the change loaded');

		// Deactivated and activated again with Skip and the policy delete, as an n8n restart activates it: still held.
		await world.n8n.deactivate(workflowId);
		await world.n8n.activate(workflowId);
		const restored = await logLine(`its hold (${scenario.topic}@`, 'the hold found in the group\'s committed offsets (before: read on with Skip from offset 40)');
		assert.match(restored, /is kept in group .*'s committed offsets: its partitions are paused, nothing more of it read or committed, whatever its cleanup.policy reads now, until the hold is released/);
		await world.kafka.produce(other, others.slice(5).map((o) => o.event), 100, 1);
		await waitFor('the other topic read on after the activation', async () => (await committed(other)) === others.length, { timeoutMs: 60_000, progress: () => `log ${world.n8n.logPath}` });
		assert.equal(await committed(scenario.topic), creates.length, 'nothing of the held topic committed after the activation');
		assert.equal(world.doris.tableRows('demo', scenario.table).length, 46, 'the other topic\'s sixth row, nothing of the held topic');

		// Debezium Envelopes off (flattened records, deleted by __deleted "true") and Keep Order per Partition switched off, Tombstones
		// still "Skip": the workflow no longer refuses compacted topics (a flattened delete counts only behind Keep Order), activated
		// again: still held, the error naming the hold and its release (late review session 20, H2; before: that activation read no
		// mark, read on with Skip, and its first commit dropped the mark without a word). (A disabled Doris Schema node, the other
		// case the review names, is refused at activation.)
		type StoredNode = { type: string; parameters: { options?: Record<string, unknown> } };
		const withOptions = (node: StoredNode, options: Record<string, unknown>) => ({ ...node, parameters: { ...node.parameters, options: { ...node.parameters.options, ...options } } });
		const patchNodes = async (change: (node: StoredNode) => StoredNode) => {
			const stored = await world.n8n.rest.workflow(workflowId);
			const nodes = (stored as unknown as { nodes: StoredNode[] }).nodes.map(change);
			await world.n8n.rest.request('PATCH', `/rest/workflows/${workflowId}`, { ...stored, nodes });
		};
		await world.n8n.deactivate(workflowId);
		await patchNodes((node) => (node.type === NODE_TYPES.schema ? withOptions(node, { cdc: false }) : node.type === trigger.type ? withOptions(node, { keepPartitionOrder: false }) : node));
		await world.n8n.activate(workflowId);
		const unrefused = await logLine('The workflow does not refuse compacted topics now', 'the hold found by a workflow that no longer refuses compacted topics (before: not looked for)');
		assert.match(unrefused, new RegExp(`a hold is released only on purpose, and its hold \\(${scenario.topic.replace(/[.]/g, '\\.')}@[^)]+\\) is kept in group .*'s committed offsets: its partitions are paused`));
		assert.match(unrefused, /"Release Compacted-Topic Holds"/);
		assert.equal(await committed(scenario.topic), creates.length, 'nothing of the held topic committed');
		const [mark] = (await world.kafka.admin.fetchOffsets({ groupId: scenario.groupId, topics: [scenario.topic] }))[0].partitions;
		assert.match(mark?.metadata ?? '', /n8n-doris-sinker:compacted-hold:\d+/, 'the mark stays in the group\'s offsets');

		// As the error says: Tombstones "Delete the Row of Its Key" (with Keep Order per Partition, as the example has it; Envelopes on again), activated again.
		await world.n8n.deactivate(workflowId);
		await patchNodes((node) => (node.type === NODE_TYPES.schema ? withOptions(node, { cdc: true }) : node.type === trigger.type ? withOptions(node, { keepPartitionOrder: true, tombstones: 'delete' }) : node));
		await world.n8n.activate(workflowId);
		await waitForCommitted(world, scenario, 60_000);
		// The example's table has a sequence column (updated_at): Doris ignores a delete without its value, so a
		// tombstone cannot delete there; each one goes to Invalid (the dead-letter topic) naming its key and why.
		// The rows whose op d event the cleaner removed stay, each of them named there: visible, not lost quietly.
		const deletedIds = new Set(changes.filter((e) => opOf(e) === 'd').map((e) => (JSON.parse(e.key as string) as { id: number }).id));
		const gone = [...deletedIds].filter((id) => !finalRows.has(id));
		const deadLetters = (await world.kafka.readAll(scenario.deadLetterTopic)).map((m) => JSON.parse(m.value) as { id: number; __DORIS_DELETE_SIGN__?: number; _invalid?: { reasons: Array<{ rule: string }> } });
		const namedDeletes = deadLetters.filter((d) => d.__DORIS_DELETE_SIGN__ === 1 && d._invalid?.reasons.some((r) => r.rule === 'delete_sequence'));
		// (A row created again after its delete, id 6, kept only its op c event: the cleaner removed its tombstone too.)
		assert.deepEqual([...new Set(namedDeletes.map((d) => d.id).filter((id) => deletedIds.has(id)))].sort((a, b) => a - b), gone.sort((a, b) => a - b), 'the tombstone of every row deleted for good is a dead letter naming the sequence column');
		const rowsNow = world.doris.tableRows('demo', scenario.table);
		assert.deepEqual(rowsNow.map((r) => Number(r.id)).filter((id) => gone.includes(id)).sort((a, b) => a - b), gone.sort((a, b) => a - b), 'the rows whose op d event the cleaner removed are still there');
		const expected = [...finalRows.values(), ...others.map((o) => o.row)];
		assertTableEquals(rowsNow.filter((r) => !gone.includes(Number(r.id))), expected, 'id', CUSTOMER_COLUMNS);
		t.diagnostic(`${changes.length} change messages (${deletes} op d events, all removed by the cleaner while held, their tombstones kept); ${expected.length} rows as expected, ${gone.length} deleted ones left and named in ${namedDeletes.length} dead letters`);
	});
	// Review session 20, F4: the CDC example with Debezium Envelopes off reads records flattened by
	// ExtractNewRecordState (rewrite-with-tombstone: a delete is the row with __deleted "true", then its
	// tombstone); the Doris Schema node deletes by them (row-mapper.ts flattenedDeletes). On a compacted topic
	// the cleaner removes such a record and keeps the tombstone, which Skip drops. Before, only Debezium
	// Envelopes made the trigger read the policy: this workflow activated and the topic was never looked at.
	it('refuses activation of a flattened Debezium stream (Debezium Envelopes off) on a compacted topic with Skip, naming the topic, both forms of delete event and the fix; nothing is committed', async (t) => {
		const scenario = await prepareScenario(world, 'cdc-debezium', { partitions: 1, tableFrom: 'customers', ddl: 'cdc' });
		const schema = nodeOfType(scenario.workflow, NODE_TYPES.schema).parameters as { options: Record<string, unknown> };
		schema.options = { ...schema.options, cdc: false };
		await world.kafka.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: scenario.topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
		const row = { id: 7, name: 'Ann', email: null, tier: 'gold', balance: '1.00', updated_at: Date.UTC(2026, 10, 25, 9, 0, 0) };
		const flattened: TestEvent[] = [
			{ id: 'create', key: JSON.stringify({ id: 7 }), partition: 0, value: JSON.stringify({ ...row, __deleted: 'false' }) },
			{ id: 'delete', key: JSON.stringify({ id: 7 }), partition: 0, value: JSON.stringify({ ...row, __deleted: 'true' }) },
			{ id: 'tombstone', key: JSON.stringify({ id: 7 }), partition: 0, value: null },
		];
		await world.kafka.produce(scenario.topic, flattened, 100, 1);
		const { id: _exampleId, ...body } = scenario.workflow;
		const { id } = await world.n8n.rest.createWorkflow(body);
		const activated = await world.n8n.activate(id).then(
			() => true,
			(error: unknown) => (assert.match(String(error), /publication is failed/), false),
		);
		if (activated) {
			await world.n8n.deactivate(id);
			assert.fail('activated: the flattened stream was read on a compacted topic with Skip (before: the policy was never read for it)');
		}
		const message = (await world.n8n.rest.publicationStatus(id)).triggers.map((tr) => tr.errorMessage ?? '').join('\n');
		assert.match(message, new RegExp(`Kafka topic ${scenario.topic} is compacted \\(cleanup.policy compact\\), and Tombstones is "Skip" while a Doris Schema node deletes rows by Debezium's delete events`));
		assert.match(message, /a record flattened by ExtractNewRecordState with __deleted "true"/);
		assert.match(message, /Delete the Row of Its Key/);
		assert.equal((await world.kafka.admin.describeGroups([scenario.groupId])).groups[0]?.members.length ?? 0, 0, 'no consumer joined the group');
		assert.equal((await world.kafka.admin.fetchOffsets({ groupId: scenario.groupId, topics: [scenario.topic] }))[0]?.partitions[0]?.offset, '-1', 'nothing committed');
		t.diagnostic(`refused: ${message}`);
	});
});
