/**
 * A returning partition renewed (returning-partitions.ts: another member committed it while it was
 * away, or the group's offset could not be read) must be fetched again. kafkajs pauses by topic and
 * partition (consumerGroup.js subscriptionState); the join pauses the returning partition under its old
 * state, and the renewal puts a new state in its place. When pause/resume was tracked per state
 * object, the new state counted as never paused, so settling resumed nothing: the partition stayed
 * paused in kafkajs with nothing in flight, never fetched again (test/reliability/broker-restart.test.ts
 * under the renewal path: 800 and 1,000 of 2,000 rows, then nothing for 120 s). Drives the consumer's
 * own group-join handling with a consumer that keeps pauses and seeks as kafkajs does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Admin, Consumer } from 'kafkajs';

import type { PartitionState } from '../../../src/kafka/partition-state';
import { sinkerWithoutBroker } from './sinker-internals';

type TopicPartitions = { topic: string; partitions: number[] }[];

for (const [why, fetchOffsets] of [
	['another member committed it further while it was away', async () => [{ topic: 't', partitions: [{ partition: 0, offset: '180', metadata: '' }] }]],
	['the group\'s offset could not be read', async () => Promise.reject(new Error('coordinator not available'))],
] as const) {
	test(`a returning partition renewed (${why}) is resumed, not left paused by the join`, async () => {
		// kafkajs' subscriptionState: pauses are kept per topic and partition, whatever state object asked.
		const paused = new Set<string>();
		const seeks = new Map<string, string>();
		const each = (list: TopicPartitions, apply: (key: string) => void) => list.forEach(({ topic, partitions }) => partitions.forEach((p) => apply(`${topic}:${p}`)));
		const kafkajs = {
			seek: ({ topic, partition, offset }: { topic: string; partition: number; offset: string }) => seeks.set(`${topic}:${partition}`, offset),
			pause: (list: TopicPartitions) => each(list, (key) => paused.add(key)),
			resume: (list: TopicPartitions) => each(list, (key) => paused.delete(key)),
			commitOffsets: async () => {},
		} as unknown as Consumer;
		const sinker = sinkerWithoutBroker(kafkajs, { fetchOffsets } as unknown as Pick<Admin, 'fetchOffsets'>);

		sinker.onGroupJoin({ t: [0, 1] }, 'member-1');
		assert.deepEqual([...paused], [], 'both partitions fetched after the first join');
		const state = sinker.assignment.get('t', 0) as PartitionState;
		state.tracker.succeed(state.tracker.add(100n, 150n));
		state.committed = 150n;
		state.committedMetadata = '';

		// kafkajs restarts the consumer (a new ConsumerGroup, pauses forgotten) and joins under a new member id.
		paused.clear();
		sinker.onGroupJoin({ t: [0, 1] }, 'member-2');
		assert.equal(state.returning, true);
		assert.ok(paused.has('t:0'), 'returning: paused until the group\'s offset is read');
		await new Promise((resolve) => setImmediate(resolve));

		const renewed = sinker.assignment.get('t', 0) as PartitionState;
		assert.equal(state.revoked, true, 'renewed: newly assigned after all');
		assert.notEqual(renewed, state);
		assert.equal(seeks.get('t:0'), why.startsWith('another') ? '180' : '150', 'sought to the group\'s offset (else this process\' last confirmed commit)');
		assert.equal(sinker.inFlight, 0, 'nothing in flight that could resume it later');
		assert.deepEqual([...paused], [], 'the renewed partition is fetched again: nothing left paused');
	});
}
