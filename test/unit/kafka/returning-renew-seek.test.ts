/**
 * A returning partition renewed after all (returning-partitions.ts) must start at the group's offset.
 * kafkajs 2.2.4 keeps a seek until the partition's next fetch, across a join (consumerGroup.js: the
 * `seekOffset` map is made in the constructor only and popped in seekOffsets at a fetch): a redelivery
 * due while the restarted consumer was joining (the partition not yet returning) sought the failed
 * range, and left so, the renewed partition started there, past the executions below it whose outcome
 * no longer counts. Drives the consumer's own group-join handling with a consumer that keeps seeks as
 * kafkajs does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Consumer } from 'kafkajs';

import type { PartitionState } from '../../../src/kafka/partition-state';
import { sinkerWithoutBroker } from './sinker-internals';

test('a returning partition renewed starts at the group\'s offset, not at a seek kafkajs kept from before the join', async () => {
	const pendingSeeks = new Map<string, string>();
	const kafkajs = {
		seek: ({ topic, partition, offset }: { topic: string; partition: number; offset: string }) => pendingSeeks.set(`${topic}:${partition}`, offset),
		pause: () => {},
		resume: () => {},
		commitOffsets: async () => {},
	} as unknown as Consumer;
	// The group still holds 120: a commit of this process whose answer was lost.
	const sinker = sinkerWithoutBroker(kafkajs, { fetchOffsets: async () => [{ topic: 't', partitions: [{ partition: 0, offset: '120', metadata: null }] }] });

	sinker.onGroupJoin({ t: [0] }, 'member-1');
	const state = sinker.assignment.get('t', 0) as PartitionState;
	const running = state.tracker.add(100n, 150n);
	state.tracker.fail(state.tracker.add(150n, 200n));
	state.committed = 100n;
	// The failed range's redelivery comes due while kafkajs restarts the consumer and joins again.
	assert.equal(sinker.partitions.seek(state, 150n), true);
	state.tracker.takeFailed();

	sinker.onGroupJoin({ t: [0] }, 'member-2');
	assert.equal(state.returning, true);
	await new Promise((resolve) => setImmediate(resolve));
	assert.equal(state.revoked, true, 'renewed: the group\'s offset is not where this process left it');
	assert.notEqual(sinker.assignment.get('t', 0), state);
	assert.equal(pendingSeeks.get('t:0'), '120', 'fetched from the group\'s offset: offsets 120 to 149, whose execution no longer counts, come again');
	assert.equal(state.tracker.running, 1, `the old execution [${running.first}, ${running.end}) is still running, its outcome ignored`);
});
