// Where a topic the group meets after its first activation starts, against the real broker
// (KAFKA_BROKERS). Read From Beginning off means "do not replay the history of the topics there when
// the group started", not "skip the first rows of a table created later": a change stream creates a
// table's topic with its first change and writes the change at once, before any check can see it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kafka, type Consumer } from 'kafkajs';

import { parseTopics } from '../../src/kafka/consumer-options';
import { FollowingConsumer } from '../../src/kafka/following-consumer';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { RELEASED } from '../../src/kafka/partition-fence';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { createPartitionsReady } from '../support/kafka-topics';

const broker = useKafkaAdmin();

function topicPattern(prefix: string): RegExp {
	return new RegExp(`^${prefix.replace(/[-.]/g, '\\$&')}\\.db\\.[^.]+$`);
}

function messagesOf(n8n: FakeN8n, topic: string): number {
	return n8n.executions.filter((e) => e.topic === topic).reduce((sum, e) => sum + e.messages, 0);
}

describe('a topics pattern', () => {
	it('written with the flag g, subscribes every matching topic: kafkajs tests each name with the same RegExp, and g made every second one fail', async () => {
		const prefix = uniqueName('flagged');
		const topics = [1, 2, 3, 4].map((k) => `${prefix}.db.t${k}`);
		await createTopicsReady(broker.admin, topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })));
		for (const topic of topics) await produce(broker.kafka, topic, 1, 10, (i) => JSON.stringify({ topic, i }));
		const n8n = new FakeN8n();
		const subscription = parseTopics(`/${topicPattern(prefix).source}/g`, true);
		const consumer = await FollowingConsumer.start(testOptions(topics[0], uniqueName('flagged-group'), { topics: subscription, topicCheckIntervalMs: 0 }), n8n.run);
		try {
			await waitFor('10 messages of each of the 4 topics', () => topics.every((topic) => messagesOf(n8n, topic) === 10), {
				timeoutMs: 15_000,
				progress: async () => topics.map((topic) => `${topic}: ${messagesOf(n8n, topic)}`).join(', '),
			});
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics }).catch(() => {});
		}
	});
});

describe('Read From Beginning off: topics the group meets later start at their beginning', () => {
	it('a topic the New Topics Check finds is read from its first message, not from the moment it was found', async () => {
		const prefix = uniqueName('newtopic');
		const first = `${prefix}.db.t1`;
		const second = `${prefix}.db.t2`;
		await createTopicsReady(broker.admin, [{ topic: first, numPartitions: 1, replicationFactor: 1 }]);
		// History the user chose not to replay.
		await produce(broker.kafka, first, 1, 50, (i) => JSON.stringify({ t: 1, old: i }));
		const group = uniqueName('newtopic-group');
		const n8n = new FakeN8n();
		const consumer = await FollowingConsumer.start(
			testOptions(first, group, { topics: { pattern: topicPattern(prefix) }, fromBeginning: false, keepPartitionOrder: true, topicCheckIntervalMs: 1_000, executionTimeoutMs: 20_000 }),
			n8n.run,
		);
		try {
			// Keep Order per Partition: the start is committed RELEASED, having handed nothing out, so a
			// consumer taking over after a crash need not wait for this one.
			const start = await waitFor('the start position committed', async () => (await broker.admin.fetchOffsets({ groupId: group, topics: [first] }))[0]?.partitions.find((p) => p.offset === '50'));
			assert.equal(start.metadata, RELEASED);
			await produce(broker.kafka, first, 1, 10, (i) => JSON.stringify({ t: 1, i }));
			await waitFor('the new messages of the first topic', () => messagesOf(n8n, first) >= 10);
			// A table gets its first changes: its topic is created and written at once.
			await createTopicsReady(broker.admin, [{ topic: second, numPartitions: 1, replicationFactor: 1 }]);
			await produce(broker.kafka, second, 1, 100, (i) => JSON.stringify({ t: 2, i }));
			await waitFor('the consumer subscribed to the new topic', () => consumer.assigned().has(second), 30_000);
			await produce(broker.kafka, second, 1, 5, (i) => JSON.stringify({ t: 2, i: 100 + i }));
			await waitFor('the last message of the new topic handed over', () => n8n.executions.some((e) => e.topic === second && e.lastOffset === '104'), 30_000);
			await waitFor('the new topic committed to its end', async () => (await committedOffsets(broker.admin, group, second)).get(0) === 105n);
			assert.equal(messagesOf(n8n, second), 105, 'every message of the new topic reached n8n once');
			assert.equal(messagesOf(n8n, first), 10, 'the history of the topic present at activation was not replayed');
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [first, second] }).catch(() => undefined);
		}
	});

	it('at the next activation (New Topics Check off) a topic created meanwhile is read from its beginning, a quiet topic present at the first is not replayed', async () => {
		const prefix = uniqueName('newtopic');
		const [busy, quiet, created] = [`${prefix}.db.busy`, `${prefix}.db.quiet`, `${prefix}.db.created`];
		await createTopicsReady(broker.admin, [busy, quiet].map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })));
		await produce(broker.kafka, busy, 2, 40, (i) => JSON.stringify({ old: i }));
		await produce(broker.kafka, quiet, 2, 40, (i) => JSON.stringify({ old: i }));
		const group = uniqueName('newtopic-group');
		const n8n = new FakeN8n();
		const options = testOptions(busy, group, { topics: { pattern: topicPattern(prefix) }, fromBeginning: false, topicCheckIntervalMs: 0 });
		try {
			const firstRun = await FollowingConsumer.start(options, n8n.run);
			await produce(broker.kafka, busy, 2, 10, (i) => JSON.stringify({ i }));
			await waitFor('the new messages of the busy topic', () => messagesOf(n8n, busy) >= 10);
			await waitFor('the busy topic committed to its end', async () => [...(await committedOffsets(broker.admin, group, busy)).values()].reduce((a, b) => a + b, 0n) === 50n);
			await firstRun.close();
			// While the workflow is inactive: a table gets its first changes, another one more.
			await createTopicsReady(broker.admin, [{ topic: created, numPartitions: 2, replicationFactor: 1 }]);
			await produce(broker.kafka, created, 2, 20, (i) => JSON.stringify({ i }));
			await produce(broker.kafka, busy, 2, 6, (i) => JSON.stringify({ i: 10 + i }));
			const secondRun = await FollowingConsumer.start(options, n8n.run);
			try {
				await waitFor('the topic created meanwhile committed to its end', async () => [...(await committedOffsets(broker.admin, group, created)).values()].reduce((a, b) => a + b, 0n) === 20n);
				await waitFor('the busy topic committed to its end', async () => [...(await committedOffsets(broker.admin, group, busy)).values()].reduce((a, b) => a + b, 0n) === 56n);
				assert.equal(messagesOf(n8n, created), 20, 'every message of the topic created while inactive reached n8n');
				assert.equal(messagesOf(n8n, busy), 16, 'the busy topic resumed where it was committed');
				assert.equal(messagesOf(n8n, quiet), 0, 'the quiet topic present at the first activation was not replayed');
				assert.deepEqual([...(await committedOffsets(broker.admin, group, quiet)).values()], [20n, 20n], 'its start was remembered');
			} finally {
				await secondRun.close();
			}
		} finally {
			await broker.admin.deleteTopics({ topics: [busy, quiet, created] }).catch(() => undefined);
		}
	});

	it('a partition added while the workflow was inactive is read from its beginning at the next activation (topic list)', async () => {
		const topic = uniqueName('newpartition');
		await createTopicsReady(broker.admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
		await produce(broker.kafka, topic, 1, 30, (i) => JSON.stringify({ old: i }));
		const group = uniqueName('newpartition-group');
		const n8n = new FakeN8n();
		const options = testOptions(topic, group, { fromBeginning: false });
		try {
			const firstRun = await FollowingConsumer.start(options, n8n.run);
			await produce(broker.kafka, topic, 1, 5, (i) => JSON.stringify({ i }));
			await waitFor('the topic committed to its end', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 35n);
			await firstRun.close();
			await createPartitionsReady(broker.admin, topic, 2);
			await produce(broker.kafka, topic, 2, 20, (i) => JSON.stringify({ i: 5 + i }));
			const secondRun = await FollowingConsumer.start(options, n8n.run);
			try {
				await waitFor('both partitions committed to their ends', async () => {
					const committed = await committedOffsets(broker.admin, group, topic);
					return committed.get(0) === 45n && committed.get(1) === 10n;
				});
				assert.equal(messagesOf(n8n, topic), 25, 'the 5 of the first run, then the 20 written while inactive; no history');
			} finally {
				await secondRun.close();
			}
		} finally {
			await broker.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
		}
	});
});

describe('New Topics Check: the restart that subscribes a new topic', () => {
	it('loads what is buffered before it closes: executions waiting for their Stream Load batch finish and commit, none is handed over again', async () => {
		const prefix = uniqueName('newtopic');
		const [first, second] = [`${prefix}.db.t1`, `${prefix}.db.t2`];
		await createTopicsReady(broker.admin, [{ topic: first, numPartitions: 1, replicationFactor: 1 }]);
		const group = uniqueName('newtopic-group');
		// Each execution waits for its batch: loaded when the batch is flushed, or when its interval (4 s)
		// ends, longer than the Close Timeout (0.5 s). An execution the restart gave up on still loads then.
		const waiting: Array<() => void> = [];
		const flushBuffered = async () => {
			for (const load of waiting.splice(0)) load();
		};
		const n8n = new FakeN8n(
			() =>
				new Promise((resolve) => {
					const load = () => resolve({ ok: true });
					waiting.push(load);
					setTimeout(load, 4_000);
				}),
		);
		const consumer = await FollowingConsumer.start(
			testOptions(first, group, { topics: { pattern: topicPattern(prefix) }, topicCheckIntervalMs: 500, closeTimeoutMs: 500, flushBuffered }),
			n8n.run,
		);
		try {
			await produce(broker.kafka, first, 1, 20, (i) => JSON.stringify({ i }));
			await waitFor('the first topic in flight', () => messagesOf(n8n, first) >= 20);
			await createTopicsReady(broker.admin, [{ topic: second, numPartitions: 1, replicationFactor: 1 }]);
			await produce(broker.kafka, second, 1, 5, (i) => JSON.stringify({ i }));
			await waitFor('the new topic handed over', () => messagesOf(n8n, second) >= 5, 30_000);
			await flushBuffered();
			await waitFor('both topics committed to their end', async () => (await committedOffsets(broker.admin, group, first)).get(0) === 20n && (await committedOffsets(broker.admin, group, second)).get(0) === 5n, 10_000);
			assert.equal(messagesOf(n8n, first), 20, 'every message of the first topic reached n8n once (one handed over again loads twice)');
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [first, second] }).catch(() => undefined);
		}
	});
});

describe('Read From Beginning off: two consumers starting a new group together', () => {
	it('one that joins after the other started the partitions continues from its commits, not from the end it read before joining', async () => {
		const topic = uniqueName('pins');
		await createTopicsReady(broker.admin, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
		await produce(broker.kafka, topic, 2, 20, (i) => JSON.stringify({ old: i }));
		const group = uniqueName('pins-group');
		const a = new FakeN8n();
		const b = new FakeN8n();
		// The second consumer reads where uncommitted partitions start (the ends, 10 and 10), and only then
		// joins: held at consumer.run until the first one has started and loaded newer messages.
		let reachedRun!: () => void;
		const atRun = new Promise<void>((resolve) => (reachedRun = resolve));
		let openGate!: () => void;
		const gate = new Promise<void>((resolve) => (openGate = resolve));
		const makeConsumer = Object.getOwnPropertyDescriptor(Kafka.prototype, 'consumer')?.value as (this: Kafka, config: object) => Consumer;
		Kafka.prototype.consumer = function (this: Kafka, config) {
			const consumer = makeConsumer.call(this, config);
			const run = consumer.run.bind(consumer);
			consumer.run = async (options) => {
				reachedRun();
				await gate;
				return run(options);
			};
			return consumer;
		};
		let second: Promise<SinkerConsumer>;
		try {
			second = SinkerConsumer.start(testOptions(topic, group, { fromBeginning: false }), b.run);
		} finally {
			Kafka.prototype.consumer = makeConsumer;
		}
		let first: SinkerConsumer | undefined;
		try {
			await atRun;
			first = await SinkerConsumer.start(testOptions(topic, group, { fromBeginning: false }), a.run);
			await produce(broker.kafka, topic, 2, 20, (i) => JSON.stringify({ i }));
			await waitFor('the first consumer committed both partitions to 20', async () => [...(await committedOffsets(broker.admin, group, topic)).values()].join() === '20,20');
			openGate();
			await second;
			await produce(broker.kafka, topic, 2, 20, (i) => JSON.stringify({ i: 20 + i }));
			await waitFor('both partitions committed to 30', async () => [...(await committedOffsets(broker.admin, group, topic)).values()].join() === '30,30');
			const delivered = [...a.executions, ...b.executions].flatMap((e) => e.items.map((item) => item.json.i as number)).sort((x, y) => x - y);
			assert.deepEqual(delivered, Array.from({ length: 40 }, (_, i) => i), 'each new message once (one handed over again loads twice), no history');
		} finally {
			openGate();
			await Promise.all([first?.close(), second.then((c) => c.close(), () => undefined)]);
			await broker.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
		}
	});
});
