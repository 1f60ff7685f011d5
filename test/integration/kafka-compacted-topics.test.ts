// Compacted topics where Tombstones "Skip" would lose a Debezium delete (src/kafka/compacted-topics.ts),
// against the real broker (KAFKA_BROKERS). First what the refusal prevents, as the broker does it: the
// log cleaner removes an op d event and keeps its tombstone, and a consumer behind it reads the
// tombstone alone. Then the guard: activation refused naming the topic, a compacted topic a pattern
// finds later left out with a warning, a subscribed topic whose policy is altered to compact while the
// consumer runs held (compacted-topic-hold.ts) until released, also once its policy is delete again (the
// cleaner may have compacted its unread messages meanwhile) and across activations (the hold is kept in the
// group's offsets: test/reliability/compacted-hold-restart.test.ts), and topics that are not compacted read as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigResourceTypes } from 'kafkajs';

import type { SinkerLogger } from '../../src/kafka/client';
import { parseReleasedHolds } from '../../src/kafka/compacted-hold-mark';
import { cleanupPolicies, compactedTopics } from '../../src/kafka/compacted-topics';
import type { ExecutionOutcome } from '../../src/kafka/consumer-options';
import { FollowingConsumer } from '../../src/kafka/following-consumer';
import { metrics } from '../../src/metrics/metrics';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

/** A topic the log cleaner compacts soon after its segment rolls (small segments, no dirty-ratio wait). */
const COMPACT_FAST = [
	{ name: 'cleanup.policy', value: 'compact' },
	{ name: 'segment.ms', value: '100' },
	{ name: 'min.cleanable.dirty.ratio', value: '0.01' },
	{ name: 'delete.retention.ms', value: '86400000' },
];

function recordingLogger(): SinkerLogger & { warnings: string[]; errors: string[] } {
	const warnings: string[] = [];
	const errors: string[] = [];
	const quiet = () => undefined;
	return { warnings, errors, debug: quiet, info: quiet, error: (message: string) => void errors.push(message), warn: (message: string) => void warnings.push(message) };
}

/** Sets the topic's cleanup.policy, as `kafka-configs --alter --add-config cleanup.policy=…` does. */
async function alterCleanupPolicy(topic: string, policy: 'compact' | 'delete'): Promise<void> {
	await broker.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: policy }] }] });
}

/** Partition 0 of `topic` as a new consumer reads it from its first message to its end: offset and value. */
async function logOf(topic: string): Promise<Array<{ offset: string; value: string | null }>> {
	const high = BigInt((await broker.admin.fetchTopicOffsets(topic))[0].high);
	const consumer = broker.kafka.consumer({ groupId: uniqueName('peek') });
	await consumer.connect();
	const seen: Array<{ offset: string; value: string | null }> = [];
	try {
		await consumer.subscribe({ topic, fromBeginning: true });
		await new Promise<void>((resolve) => {
			void consumer.run({
				eachMessage: async ({ message }) => {
					seen.push({ offset: message.offset, value: message.value?.toString() ?? null });
					if (BigInt(message.offset) >= high - 1n) resolve();
				},
			});
		});
	} finally {
		await consumer.disconnect();
	}
	return seen;
}

/** Writes messages of another key, a segment rolling every 100 ms (COMPACT_FAST), until the log cleaner removed `offsets`. */
async function untilCleanerRemoved(topic: string, offsets: readonly string[]): Promise<void> {
	const producer = broker.kafka.producer();
	await producer.connect();
	try {
		await waitFor(
			`the log cleaner removed offsets ${offsets.join(', ')} of ${topic}`,
			async () => {
				await new Promise((resolve) => setTimeout(resolve, 150));
				await producer.send({ topic, messages: [{ key: JSON.stringify({ id: 'roll' }), value: JSON.stringify({ op: 'u', after: { id: 'roll' } }) }] });
				return !(await logOf(topic)).some((m) => offsets.includes(m.offset)) || undefined;
			},
			{ timeoutMs: 90_000, intervalMs: 0 },
		);
	} finally {
		await producer.disconnect();
	}
}

/** The group's committed offset of partition 0 of `topic`, -1 while none. */
async function committedOf(group: string, topic: string): Promise<bigint> {
	return (await committedOffsets(broker.admin, group, topic)).get(0) ?? -1n;
}

describe('a compacted Debezium topic under Tombstones "Skip"', () => {
	it('what the broker does: the op d event is compacted away and only its tombstone is left to read', async () => {
		const topic = uniqueName('compacted-cdc');
		await createTopicsReady(broker.admin, [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: COMPACT_FAST }]);
		const producer = broker.kafka.producer();
		await producer.connect();
		try {
			const key = JSON.stringify({ id: 1 });
			await producer.send({ topic, messages: [{ key, value: JSON.stringify({ op: 'c', before: null, after: { id: 1 } }) }] });
			await producer.send({ topic, messages: [{ key, value: JSON.stringify({ op: 'd', before: { id: 1 }, after: null }) }] });
			await producer.send({ topic, messages: [{ key, value: null }] });
			// Segments roll with other keys until the cleaner has run over the first three offsets.
			await untilCleanerRemoved(topic, ['0', '1']);
			const ofId1 = (await logOf(topic)).filter((m) => Number(m.offset) <= 2);
			assert.deepEqual(ofId1, [{ offset: '2', value: null }], 'the op c and op d events of id 1 are gone, its tombstone left');
		} finally {
			await producer.disconnect();
			await broker.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
		}
	});

	it('activation is refused naming the compacted topic and the fix; no member joins the group; a topic with cleanup.policy delete starts', async () => {
		const compacted = uniqueName('compacted-refused');
		const plain = uniqueName('not-compacted');
		await createTopicsReady(broker.admin, [
			{ topic: compacted, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
			{ topic: plain, numPartitions: 1, replicationFactor: 1 },
		]);
		const group = uniqueName('compacted-group');
		try {
			assert.deepEqual(await compactedTopics(broker.admin, [plain, compacted]), [compacted]);
			// The broker answers an unknown topic with an error that kafkajs raises for the whole request: asked alone, it is missing, the others read.
			const gone = uniqueName('never-created');
			const policies = await cleanupPolicies(broker.admin, [plain, gone, compacted]);
			assert.deepEqual({ ...policies, unreadable: [...policies.unreadable] }, { compacted: [compacted], unreadable: [], missing: [gone] });
			await assert.rejects(
				FollowingConsumer.start(testOptions(compacted, group, { topics: { names: [plain, compacted] }, refuseCompactedTopics: true, topicCheckIntervalMs: 0 }), new FakeN8n().run),
				(error: Error) => {
					assert.match(error.message, new RegExp(`Kafka topic ${compacted} is compacted \\(cleanup.policy compact\\), and Tombstones is "Skip"`));
					assert.match(error.message, /Delete the Row of Its Key/);
					assert.doesNotMatch(error.message, new RegExp(plain));
					return true;
				},
			);
			const described = (await broker.admin.describeGroups([group])).groups[0];
			assert.equal(described?.members.length ?? 0, 0, 'no consumer joined');
			// The same without the Debezium deletes (refuseCompactedTopics off), and a plain topic with them, start.
			for (const options of [{ topics: { names: [compacted] }, refuseCompactedTopics: false }, { topics: { names: [plain] }, refuseCompactedTopics: true }]) {
				const consumer = await FollowingConsumer.start(testOptions(compacted, uniqueName('compacted-ok'), { ...options, topicCheckIntervalMs: 0 }), new FakeN8n().run);
				await consumer.close();
			}
		} finally {
			await broker.admin.deleteTopics({ topics: [compacted, plain] }).catch(() => undefined);
		}
	});

	it('a compacted topic that a pattern finds later is left out with one warning; the pattern\'s other topics go on', async () => {
		const prefix = uniqueName('compacted-pattern');
		const [first, compacted, third] = [`${prefix}.db.first`, `${prefix}.db.compacted`, `${prefix}.db.third`];
		await createTopicsReady(broker.admin, [{ topic: first, numPartitions: 1, replicationFactor: 1 }]);
		const n8n = new FakeN8n();
		const logger = recordingLogger();
		const pattern = new RegExp(`^${prefix.replace(/[-.]/g, '\\$&')}\\.db\\.[^.]+$`);
		const consumer = await FollowingConsumer.start(testOptions(first, uniqueName('compacted-pattern-group'), { topics: { pattern }, refuseCompactedTopics: true, topicCheckIntervalMs: 500, logger }), n8n.run);
		try {
			await createTopicsReady(broker.admin, [{ topic: compacted, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
			await produce(broker.kafka, compacted, 1, 5, (i) => JSON.stringify({ op: 'c', after: { id: i } }));
			await waitFor('the warning naming the compacted topic', () => logger.warnings.some((w) => w.includes(compacted)), 20_000);
			// A topic after it is still subscribed, and read.
			await createTopicsReady(broker.admin, [{ topic: third, numPartitions: 1, replicationFactor: 1 }]);
			await produce(broker.kafka, third, 1, 5, (i) => JSON.stringify({ i }));
			await waitFor('the third topic read', () => n8n.executions.filter((e) => e.topic === third).reduce((n, e) => n + e.messages, 0) === 5, 30_000);
			assert.equal(consumer.assigned().has(compacted), false, 'the compacted topic is not subscribed');
			assert.equal(n8n.executions.filter((e) => e.topic === compacted).length, 0, 'none of its messages handed out');
			const about = logger.warnings.filter((w) => w.includes(compacted));
			assert.equal(about.length, 1, about.join('\n'));
			assert.match(about[0], /Not subscribed: their messages stay unread and uncommitted/);
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [first, compacted, third] }).catch(() => undefined);
		}
	});

	it('a subscribed topic altered to compact while the consumer runs is held: the execution in flight commits, nothing after it is read or committed, the other topic goes on; altered back, it stays held; activated again with the hold released by name, it is read on', async () => {
		const orders = uniqueName('altered-compact');
		const plain = uniqueName('altered-plain');
		await createTopicsReady(broker.admin, [
			{ topic: orders, numPartitions: 1, replicationFactor: 1 },
			{ topic: plain, numPartitions: 1, replicationFactor: 1 },
		]);
		const group = uniqueName('altered-group');
		const logger = recordingLogger();
		// The first execution of orders stays in flight until released; one execution at a time, so nothing else is handed out meanwhile.
		let release: (outcome: ExecutionOutcome) => void = () => undefined;
		const firstInFlight = new Promise<ExecutionOutcome>((resolve) => (release = resolve));
		const n8n = new FakeN8n(async (execution) => (execution.topic === orders && execution.firstOffset === '0' ? firstInFlight : { ok: true }));
		const handed = (topic: string) => n8n.executions.filter((e) => e.topic === topic).map((e) => `${e.firstOffset}+${e.messages}`);
		const held = async () => (await metrics.kafkaCompactedTopicHeld.get()).values.find((v) => v.labels.group === group && v.labels.topic === orders)?.value;
		// New Topics Check at 0: the policy is read on its own loop (every 300 ms here, 60 s by default).
		const options = { topics: { names: [orders, plain] }, refuseCompactedTopics: true, topicCheckIntervalMs: 0, compactedTopicCheckMs: 300, executionsInFlight: 1, logger };
		let consumer = await FollowingConsumer.start(testOptions(orders, group, options), n8n.run);
		try {
			await produce(broker.kafka, orders, 1, 5, (i) => JSON.stringify({ op: 'c', after: { id: i } }));
			await waitFor('the first execution of orders in flight', () => handed(orders).length === 1, 20_000);

			await alterCleanupPolicy(orders, 'compact');
			await waitFor('the error naming orders (before: nothing read its policy again, and it went on being read with Skip)', () => logger.errors.find((e) => e.includes(orders)), 20_000);
			const error = logger.errors.find((e) => e.includes(orders)) ?? '';
			assert.match(error, /is compacted \(cleanup.policy compact\), and Tombstones is "Skip"/);
			assert.match(error, /changed to compact while the workflow ran: its partitions are paused/);
			assert.match(error, /Delete the Row of Its Key/);
			assert.equal(await held(), 1);

			// Written while it is held (the cleaner could remove an op d event among them): neither read nor committed.
			await produce(broker.kafka, orders, 1, 5, (i) => JSON.stringify({ op: 'u', after: { id: i } }));
			await produce(broker.kafka, plain, 1, 5, (i) => JSON.stringify({ i }));
			release({ ok: true });
			await waitFor('the execution in flight committed, and the other topic read and committed', async () => (await committedOf(group, orders)) === 5n && (await committedOf(group, plain)) === 5n, 30_000);
			assert.deepEqual(handed(orders), ['0+5'], 'nothing of orders handed out after the hold');
			assert.equal(await committedOf(group, orders), 5n, 'nothing past the execution in flight committed');
			assert.deepEqual(consumer.assigned().get(orders), [0], 'still assigned: held, not left');

			// Back to delete: still held (the cleaner may have run meanwhile; here it did not, see the next test).
			await alterCleanupPolicy(orders, 'delete');
			const stays = await waitFor('the warning that orders stays held', () => logger.warnings.find((w) => w.includes(orders)), 20_000);
			assert.match(stays, /no longer compacts \(cleanup.policy read again\), but stays held until the hold is released/);
			assert.match(stays, /safe only if the log cleaner has not run over the unread messages/);
			await produce(broker.kafka, plain, 1, 5, (i) => JSON.stringify({ i }));
			await waitFor('the other topic read on', async () => (await committedOf(group, plain)) === 10n, 30_000);
			assert.deepEqual(handed(orders), ['0+5'], 'nothing more of orders handed out');
			assert.equal(await committedOf(group, orders), 5n);
			assert.equal(await held(), 1);

			// Activated again with the hold released by its name (the messages written while held were never compacted here): read on from offset 5, each message once.
			await consumer.close();
			assert.equal(await held(), undefined, 'no series once closed');
			const name = /\(hold ([^)]+)\)/.exec(error)?.[1] ?? '';
			consumer = await FollowingConsumer.start(testOptions(orders, group, { ...options, releasedCompactedHolds: parseReleasedHolds(name) }), n8n.run);
			await waitFor('orders read on from where it was held', async () => (await committedOf(group, orders)) === 10n, 30_000);
			assert.deepEqual(handed(orders), ['0+5', '5+5'], 'read on from offset 5, each message once');
			await waitFor('not held after the activation', async () => (await held()) === 0, 20_000);
		} finally {
			release({ ok: true });
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [orders, plain] }).catch(() => undefined);
		}
	});
	it('a held topic the cleaner compacted stays held when altered back to delete (its op d event is gone, Skip would drop its tombstone); activated again with Tombstones "Delete the Row of Its Key", the tombstone deletes the row', async () => {
		const topic = uniqueName('held-cleaned');
		const plain = uniqueName('held-cleaned-plain');
		await createTopicsReady(broker.admin, [
			{ topic, numPartitions: 1, replicationFactor: 1 },
			{ topic: plain, numPartitions: 1, replicationFactor: 1 },
		]);
		const group = uniqueName('held-cleaned-group');
		const logger = recordingLogger();
		const n8n = new FakeN8n();
		const skip = { topics: { names: [topic, plain] }, refuseCompactedTopics: true, topicCheckIntervalMs: 0, compactedTopicCheckMs: 300, executionsInFlight: 1, logger };
		let consumer = await FollowingConsumer.start(testOptions(topic, group, skip), n8n.run);
		const key = JSON.stringify({ id: 1 });
		try {
			await produce(broker.kafka, topic, 1, 1, () => JSON.stringify({ op: 'c', before: null, after: { id: 1 } }));
			await waitFor('the op c event committed', async () => (await committedOf(group, topic)) === 1n, 20_000);
			await broker.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: COMPACT_FAST }] });
			await waitFor('held', () => logger.errors.find((e) => e.includes(topic)), 20_000);

			// Deleted at the source while held: the op d event (offset 1) and its tombstone (offset 2); the cleaner then removes the event.
			const producer = broker.kafka.producer();
			await producer.connect();
			await producer.send({ topic, messages: [{ key, value: JSON.stringify({ op: 'd', before: { id: 1 }, after: null }) }, { key, value: null }] }).finally(() => producer.disconnect());
			await untilCleanerRemoved(topic, ['1']);
			assert.deepEqual((await logOf(topic)).filter((m) => m.offset === '1' || m.offset === '2'), [{ offset: '2', value: null }], 'the op d event gone, its tombstone left');

			await alterCleanupPolicy(topic, 'delete');
			await waitFor('the warning that it stays held (before: released, the tombstone skipped and committed past, the row left in Doris without a word)', () => logger.warnings.find((w) => w.includes(topic) && w.includes('stays held')), 20_000);
			await produce(broker.kafka, plain, 1, 3, (i) => JSON.stringify({ i }));
			await waitFor('the other topic read', async () => (await committedOf(group, plain)) === 3n, 30_000);
			assert.equal(await committedOf(group, topic), 1n, 'nothing past the op c event committed');
			assert.equal(n8n.executions.filter((e) => e.topic === topic).length, 1, 'nothing more of it handed out');

			// Activated again with the tombstones deleting (the trigger refuses no compacted topic then; Keep Order is their rule).
			await consumer.close();
			const deletes = { ...skip, refuseCompactedTopics: false, keepPartitionOrder: true, parser: { format: 'json' as const, includeMetadata: false, tombstones: 'delete' as const } };
			consumer = await FollowingConsumer.start(testOptions(topic, group, deletes), n8n.run);
			const high = BigInt((await broker.admin.fetchTopicOffsets(topic))[0].high);
			await waitFor('read to its end and committed', async () => (await committedOf(group, topic)) === high, 30_000);
			const [first, ...after] = n8n.executions.filter((e) => e.topic === topic).map((e) => e.items.map((item) => item.json));
			assert.deepEqual(first, [{ op: 'c', before: null, after: { id: 1 } }], 'before the hold');
			assert.deepEqual(
				after.flat().filter((row) => row.id === 1),
				[{ id: 1, __DORIS_DELETE_SIGN__: 1, _doris: after.flat()[0]._doris }],
				'after it: the delete of id 1, by its tombstone',
			);
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [topic, plain] }).catch(() => undefined);
		}
	});
});
