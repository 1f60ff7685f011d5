// Compacted topics where Tombstones "Skip" would lose a Debezium delete (src/kafka/compacted-topics.ts),
// against the real broker (KAFKA_BROKERS). First what the refusal prevents, as the broker does it: the
// log cleaner removes an op d event and keeps its tombstone, and a consumer behind it reads the
// tombstone alone. Then the guard: activation refused naming the topic, a compacted topic a pattern
// finds later left out with a warning, and topics that are not compacted read as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SinkerLogger } from '../../src/kafka/client';
import { compactedTopics } from '../../src/kafka/compacted-topics';
import { FollowingConsumer } from '../../src/kafka/following-consumer';
import { waitFor } from '../support/wait-for';
import { createTopicsReady, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

/** A topic the log cleaner compacts soon after its segment rolls (small segments, no dirty-ratio wait). */
const COMPACT_FAST = [
	{ name: 'cleanup.policy', value: 'compact' },
	{ name: 'segment.ms', value: '100' },
	{ name: 'min.cleanable.dirty.ratio', value: '0.01' },
	{ name: 'delete.retention.ms', value: '86400000' },
];

function recordingLogger(): SinkerLogger & { warnings: string[] } {
	const warnings: string[] = [];
	const quiet = () => undefined;
	return { warnings, debug: quiet, info: quiet, error: quiet, warn: (message: string) => void warnings.push(message) };
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
			// Keep rolling segments with other keys until the cleaner has run over the first three offsets.
			await waitFor(
				'the log cleaner removed the op c and op d events of id 1',
				async () => {
					await new Promise((resolve) => setTimeout(resolve, 150));
					await producer.send({ topic, messages: [{ key: JSON.stringify({ id: 'roll' }), value: JSON.stringify({ op: 'u', after: { id: 'roll' } }) }] });
					const low = (await broker.admin.fetchTopicOffsets(topic))[0];
					const consumer = broker.kafka.consumer({ groupId: uniqueName('peek') });
					await consumer.connect();
					const seen: Array<{ offset: string; value: string | null }> = [];
					try {
						await consumer.subscribe({ topic, fromBeginning: true });
						await new Promise<void>((resolve) => {
							void consumer.run({
								eachMessage: async ({ message }) => {
									seen.push({ offset: message.offset, value: message.value?.toString() ?? null });
									if (BigInt(message.offset) >= BigInt(low.high) - 1n) resolve();
								},
							});
						});
					} finally {
						await consumer.disconnect();
					}
					const ofId1 = seen.filter((m) => Number(m.offset) <= 2);
					return ofId1.length === 1 && ofId1[0].offset === '2' && ofId1[0].value === null ? ofId1 : undefined;
				},
				{ timeoutMs: 60_000, intervalMs: 0 },
			);
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
});
