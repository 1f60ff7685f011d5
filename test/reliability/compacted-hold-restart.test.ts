// The compacted-topic hold across a restart, on the real broker (KAFKA_BROKERS). A CDC trigger (Tombstones
// "Skip" behind Debezium Envelopes: refuseCompactedTopics) holds a topic whose cleanup.policy turned compact
// while it ran (src/kafka/compacted-topic-hold.ts). Before, the hold lived in the running trigger only: n8n
// restarted (or activating the workflow again by itself) with the policy back to delete, the new trigger
// read on from the committed offset with Skip, and every delete the log cleaner had removed meanwhile was
// lost without a word. Now the hold is kept in the group's committed offsets (src/kafka/compacted-hold-mark.ts):
// the trigger is closed and a new one started with the policy back to delete, and the topic is still held,
// nothing past the committed offsets read or committed; another consumer of the group given its partitions
// in a rebalance holds it too; a partition the group had no offset for is held as well; released by its
// name ("Release Compacted-Topic Holds"), it is read on from where it was held, each message once, and the
// mark leaves the group's offsets. And started again by a workflow that no longer refuses compacted topics
// (refuseCompactedTopics off: Keep Order switched off under flattened deletes, __deleted mapped as data,
// the graph unreadable), still with Tombstones "Skip": held all the same, the mark kept (late review session 20, H2;
// before, that trigger read no mark, read on with Skip and its first commit dropped the mark without a word).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigResourceTypes } from 'kafkajs';

import type { SinkerLogger } from '../../src/kafka/client';
import { COMPACTED_HOLD, parseReleasedHolds } from '../../src/kafka/compacted-hold-mark';
import type { SinkerConsumerOptions } from '../../src/kafka/consumer-options';
import { FollowingConsumer, type TriggerConsumer } from '../../src/kafka/following-consumer';
import { metrics } from '../../src/metrics/metrics';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from '../integration/kafka-sinker-helpers';

const broker = useKafkaAdmin();

function recordingLogger(): SinkerLogger & { errors: string[]; warnings: string[] } {
	const errors: string[] = [];
	const warnings: string[] = [];
	const quiet = () => undefined;
	return { errors, warnings, debug: quiet, info: quiet, error: (message: string) => void errors.push(message), warn: (message: string) => void warnings.push(message) };
}

describe('the compacted-topic hold across a restart', { timeout: 240_000 }, () => {
	it('survives the trigger closed and started again with the policy back to delete, and a rebalance to another consumer; a partition without an offset is held too; released by name, it is read on from where it was held, each message once', async () => {
		const orders = uniqueName('hold-restart');
		const plain = uniqueName('hold-restart-plain');
		await createTopicsReady(broker.admin, [
			{ topic: orders, numPartitions: 2, replicationFactor: 1 },
			{ topic: plain, numPartitions: 1, replicationFactor: 1 },
		]);
		const group = uniqueName('hold-restart-group');
		const n8n = new FakeN8n();
		const alterPolicy = (policy: string) => broker.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: orders, configEntries: [{ name: 'cleanup.policy', value: policy }] }] });
		const groupOffsets = async (topic: string) => (await broker.admin.fetchOffsets({ groupId: group, topics: [topic] }))[0].partitions.sort((a, b) => a.partition - b.partition);
		const committed = async (topic: string) => Object.fromEntries([...(await committedOffsets(broker.admin, group, topic))].map(([p, o]) => [p, Number(o)]));
		const handed = () => n8n.executions.filter((e) => e.topic === orders).map((e) => `${e.partition}:${e.firstOffset}+${e.messages}`);
		const handedOffsets = () => n8n.executions.filter((e) => e.topic === orders).flatMap((e) => Array.from({ length: e.messages }, (_, i) => `${e.partition}:${BigInt(e.firstOffset) + BigInt(i)}`));
		const held = async () => (await metrics.kafkaCompactedTopicHeld.get()).values.filter((v) => v.labels.group === group && v.labels.topic === orders).map((v) => v.value);
		const options = (logger: SinkerLogger, more: Partial<SinkerConsumerOptions> = {}) =>
			testOptions(orders, group, { topics: { names: [orders, plain] }, refuseCompactedTopics: true, topicCheckIntervalMs: 0, compactedTopicCheckMs: 300, logger, ...more });
		let plainSent = 0;
		/** Messages to the other topic, read and committed: by then a fetch of the held topic would have come first. */
		const plainReadOn = async (what: string) => {
			plainSent += 3;
			await produce(broker.kafka, plain, 1, 3, (i) => JSON.stringify({ i }));
			await waitFor(what, async () => (await committed(plain))[0] === plainSent, 30_000);
		};
		const open = new Set<TriggerConsumer>();
		const start = async (logger: SinkerLogger, more: Partial<SinkerConsumerOptions> = {}) => {
			const consumer = await FollowingConsumer.start(options(logger, more), n8n.run);
			open.add(consumer);
			return consumer;
		};
		const close = async (consumer: TriggerConsumer) => {
			open.delete(consumer);
			await consumer.close();
		};
		try {
			const first = recordingLogger();
			const a = await start(first);
			// Partition 0 read and committed; partition 1 gets nothing before the hold: the group has no offset for it.
			await produce(broker.kafka, orders, 1, 5, (i) => JSON.stringify({ op: 'c', after: { id: i } }));
			await waitFor('orders[0] committed', async () => (await committed(orders))[0] === 5, 30_000);

			await alterPolicy('compact');
			const error = await waitFor('the hold\'s error', () => first.errors.find((e) => e.includes(orders)), 20_000);
			const name = /\(hold ([^)]+)\)/.exec(error)?.[1] ?? '';
			assert.match(name, new RegExp(`^${orders}@\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`), error);
			await waitFor('both partitions marked in the group\'s offsets (orders[1] at the log\'s start)', async () => {
				const found = await groupOffsets(orders);
				return found.every((p) => p.metadata?.startsWith(COMPACTED_HOLD)) && found.map((p) => p.offset).join() === '5,0';
			}, 20_000);

			// Back to delete, messages written to both partitions, and the trigger closed and started again, as an n8n restart does.
			await alterPolicy('delete');
			await produce(broker.kafka, orders, 2, 4, (i) => JSON.stringify({ op: 'u', after: { id: i } }));
			await close(a);
			const second = recordingLogger();
			const a2 = await start(second);
			const restored = await waitFor('the hold found in the group\'s offsets', () => second.errors.find((e) => e.includes(orders)), 20_000);
			assert.match(restored, new RegExp(`its hold \\(${name.replace(/[.]/g, '\\.')}\\) is kept in group ${group}'s committed offsets: its partitions are paused, nothing more of it read or committed, whatever its cleanup.policy reads now`));
			await plainReadOn('the other topic read on after the restart');
			assert.deepEqual(handed(), ['0:0+5'], 'nothing of orders handed out after the restart (before: read on from offset 5 and 0 with Skip)');
			assert.deepEqual(await committed(orders), { 0: 5, 1: 0 }, 'nothing past the committed offsets');
			assert.deepEqual(await held(), [1]);

			// Another consumer of the group: the rebalance gives it partitions, whose marks it honours too.
			const third = recordingLogger();
			const b = await start(third);
			await waitFor('the group shared between both', () => b.assigned().size > 0 && a2.assigned().size > 0, 30_000);
			await close(a2);
			await waitFor('every partition with the second consumer', () => b.assigned().get(orders)?.length === 2 && b.assigned().has(plain), 30_000);
			await plainReadOn('the other topic read on by the second consumer');
			await waitFor('the second consumer holding it from the marks', () => third.errors.some((e) => e.includes(`its hold (${name})`)), 20_000);
			assert.deepEqual(handed(), ['0:0+5'], 'nothing of orders handed out by the second consumer');
			assert.deepEqual(await committed(orders), { 0: 5, 1: 0 });

			// Released by name: read on from where it was held, each message once; the mark leaves the group's offsets.
			await close(b);
			const fourth = recordingLogger();
			const c = await start(fourth, { releasedCompactedHolds: parseReleasedHolds(name) });
			await waitFor('orders read on to its end', async () => JSON.stringify(await committed(orders)) === JSON.stringify({ 0: 7, 1: 2 }), 30_000);
			const offsets = handedOffsets().slice(5).sort();
			assert.deepEqual(offsets, ['0:5', '0:6', '1:0', '1:1'], 'from offsets 5 and 0, each message once');
			assert.ok(fourth.warnings.some((w) => w.includes(`compacted-topic hold ${name} released`)), fourth.warnings.join('\n'));
			assert.deepEqual((await groupOffsets(orders)).map((p) => p.metadata), [null, null], 'the mark left with the next commits');
			await close(c);
		} finally {
			for (const consumer of open) await consumer.close();
			await broker.admin.deleteTopics({ topics: [orders, plain] }).catch(() => undefined);
		}
	});
	it('is held all the same by a trigger started again with Skip whose workflow no longer refuses compacted topics: nothing past the hold read or committed, the mark stays, the error names the hold and its release; released by name, read on and unmarked', async () => {
		const orders = uniqueName('hold-unrefused');
		const plain = uniqueName('hold-unrefused-plain');
		await createTopicsReady(broker.admin, [
			{ topic: orders, numPartitions: 1, replicationFactor: 1 },
			{ topic: plain, numPartitions: 1, replicationFactor: 1 },
		]);
		const group = uniqueName('hold-unrefused-group');
		const n8n = new FakeN8n();
		const alterPolicy = (policy: string) => broker.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: orders, configEntries: [{ name: 'cleanup.policy', value: policy }] }] });
		const metadataOf = async () => (await broker.admin.fetchOffsets({ groupId: group, topics: [orders] }))[0].partitions[0]?.metadata ?? null;
		const committed = async (topic: string) => Number((await committedOffsets(broker.admin, group, topic)).get(0) ?? -1);
		const handed = () => n8n.executions.filter((e) => e.topic === orders).flatMap((e) => Array.from({ length: e.messages }, (_, i) => Number(BigInt(e.firstOffset) + BigInt(i))));
		const start = (logger: SinkerLogger, more: Partial<SinkerConsumerOptions>) =>
			FollowingConsumer.start(testOptions(orders, group, { topics: { names: [orders, plain] }, topicCheckIntervalMs: 0, compactedTopicCheckMs: 300, logger, ...more }), n8n.run);
		const open = new Set<TriggerConsumer>();
		try {
			const first = recordingLogger();
			const a = await start(first, { refuseCompactedTopics: true });
			open.add(a);
			await produce(broker.kafka, orders, 1, 5, (i) => JSON.stringify({ id: i, __deleted: 'false' }));
			await waitFor('orders committed', async () => (await committed(orders)) === 5, 30_000);
			await alterPolicy('compact');
			const error = await waitFor('the hold\'s error', () => first.errors.find((e) => e.includes(orders)), 20_000);
			const name = /\(hold ([^)]+)\)/.exec(error)?.[1] ?? '';
			await waitFor('the hold marked in the group\'s offsets', async () => (await metadataOf())?.startsWith(COMPACTED_HOLD), 20_000);
			const mark = await metadataOf();
			await alterPolicy('delete');
			await produce(broker.kafka, orders, 1, 3, (i) => JSON.stringify({ id: 10 + i, __deleted: 'true' }));
			open.delete(a);
			await a.close();

			// The workflow changed so that it no longer refuses compacted topics; Tombstones still "Skip".
			const second = recordingLogger();
			const b = await start(second, { refuseCompactedTopics: false });
			open.add(b);
			// The other topic's messages read and committed: by then a fetch of orders would have come first.
			await produce(broker.kafka, plain, 1, 3, (i) => JSON.stringify({ i }));
			await waitFor('the other topic read on and committed', async () => (await committed(plain)) === 3, 30_000);
			assert.deepEqual(handed(), [0, 1, 2, 3, 4], 'nothing past the hold handed out (before: offsets 5-7 read with Skip)');
			assert.equal(await committed(orders), 5, 'nothing past the hold committed');
			assert.equal(await metadataOf(), mark, 'the mark stays in the group\'s offsets (before: dropped by the first commit, without a log line)');
			const held = second.errors.find((e) => e.includes(orders)) ?? '';
			assert.match(held, new RegExp(`a hold is released only on purpose, and its hold \\(${name.replace(/[.]/g, '\\.')}\\) is kept in group ${group}'s committed offsets: its partitions are paused`), second.errors.join('\n'));
			assert.match(held, /"Release Compacted-Topic Holds"/);
			open.delete(b);
			await b.close();

			// Released by name: read on from where it was held, and the mark leaves.
			const third = recordingLogger();
			const c = await start(third, { refuseCompactedTopics: false, releasedCompactedHolds: parseReleasedHolds(name) });
			open.add(c);
			await waitFor('orders read on to its end', async () => (await committed(orders)) === 8, 30_000);
			assert.deepEqual(handed(), [0, 1, 2, 3, 4, 5, 6, 7], 'each message once');
			assert.ok(third.warnings.some((w) => w.includes(`compacted-topic hold ${name} released`)), third.warnings.join('\n'));
			assert.equal(await metadataOf(), null, 'the mark left with the next commit');
		} finally {
			for (const consumer of open) await consumer.close();
			await broker.admin.deleteTopics({ topics: [orders, plain] }).catch(() => undefined);
		}
	});
});
