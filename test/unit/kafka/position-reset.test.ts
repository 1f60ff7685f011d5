/**
 * Telling kafkajs' own position resets from the sinker's seeks (src/kafka/position-reset.ts), and
 * what a reset above the expected offset reports: the offsets gone, by name and in
 * kafka_messages_lost_total.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Consumer } from 'kafkajs';

import { metrics } from '../../../src/metrics/metrics';
import { offsetBeforeKafkaReset, startOverAfterKafkaReset } from '../../../src/kafka/position-reset';
import { Assignment, PartitionState } from '../../../src/kafka/partition-state';
import { committerWithoutBroker } from './sinker-internals';

const quiet = () => {};

test('a fetch that continues where the sinker is, or starts where a redelivery sought, is no reset', () => {
	const fresh = new PartitionState('t', 0);
	assert.equal(offsetBeforeKafkaReset(fresh, 500n), undefined, 'nothing tracked yet: nothing tells');
	const going = new PartitionState('t', 0);
	going.tracker.add(0n, 10n);
	assert.equal(offsetBeforeKafkaReset(going, 10n), undefined);
	assert.equal(offsetBeforeKafkaReset(going, 15n), undefined, 'above the floor without a rewind: records filtered out (markers, compaction)');
	const rewound = new PartitionState('t', 0);
	rewound.tracker.fail(rewound.tracker.add(10n, 20n));
	rewound.tracker.takeFailed();
	assert.equal(offsetBeforeKafkaReset(rewound, 10n), undefined, 'the redelivery starts where it sought');
	// kafkajs walked past a compacted record batch's tail, or filtered records, without eachBatch
	// (review session 18, F8): taken for a reset, the executions still running were forgotten.
	assert.equal(offsetBeforeKafkaReset(rewound, 15n), undefined, 'above the rewind, inside the failed range, no out-of-range reset');
	assert.equal(offsetBeforeKafkaReset(rewound, 50n), undefined, 'above the rewind and the floor, no out-of-range reset');
});

test('kafkajs moved the position: below the floor, or named by its out-of-range reset', () => {
	const below = new PartitionState('t', 0);
	below.tracker.add(100n, 110n);
	assert.deepEqual(offsetBeforeKafkaReset(below, 0n), { expected: 110n });
	const rewound = new PartitionState('t', 0);
	rewound.tracker.fail(rewound.tracker.add(10n, 20n));
	rewound.tracker.takeFailed();
	rewound.outOfRangeFrom = 10n;
	assert.deepEqual(offsetBeforeKafkaReset(rewound, 50n), { expected: 10n }, 'above a rewind after kafkajs met OffsetOutOfRange: retention removed the messages');
	const behind = new PartitionState('t', 0);
	behind.outOfRangeFrom = 30n;
	assert.deepEqual(offsetBeforeKafkaReset(behind, 70n), { expected: 30n }, 'the offset kafkajs reset from, with no floor at all');
});

test('a reset above the expected offset names the offsets gone, counts them, and the partition starts over there', async () => {
	const state = new PartitionState('lost_topic', 3);
	state.outOfRangeFrom = 30n;
	const errors: string[] = [];
	const logger = { error: (message: string) => errors.push(message), warn: quiet, info: quiet, debug: quiet };
	const before = await lostCount();
	startOverAfterKafkaReset(logger, 'wf', state, 70n, 30n);
	assert.equal(errors.length, 1);
	assert.match(errors[0], /lost_topic\[3\] was reset to offset 70, above offset 30 .*the log no longer holds offsets 30 to 69.*40 messages lost/);
	assert.equal((await lostCount()) - before, 40);
	assert.equal(state.outOfRangeFrom, undefined, 'reported once');
	assert.equal(offsetBeforeKafkaReset(state, 70n), undefined, 'the partition goes on from the new start');
});

async function lostCount(): Promise<number> {
	const { values } = await metrics.kafkaMessagesLost.get();
	return values.filter((v) => v.labels.topic === 'lost_topic').reduce((sum, v) => sum + v.value, 0);
}

test('after a reset the start pinned on the old log is not committed: the new log commits from its own executions', async () => {
	const assignment = new Assignment();
	assignment.replace({ t: [0] }, 'member-1');
	const state = assignment.get('t', 0) as PartitionState;
	// Read From Beginning off, a new group: started at the end of the log, 1000, then loaded to 1200.
	state.pinnedStart = 1000n;
	state.tracker.succeed(state.tracker.add(1000n, 1200n));
	state.committed = 1200n;
	const sent: string[] = [];
	const consumer = {
		commitOffsets: async (offsets: Array<{ partition: number; offset: string }>) => {
			for (const o of offsets) {
				sent.push(o.offset);
				if (state.committed === undefined || BigInt(o.offset) > state.committed) state.committed = BigInt(o.offset);
			}
		},
	} as unknown as Consumer;
	const committer = committerWithoutBroker(consumer, assignment);
	const settle = () => new Promise((resolve) => setImmediate(resolve));
	// The topic was deleted and created again: kafkajs reset the position to 0 (startOverAfterKafkaReset).
	state.resetPosition();
	const running = state.tracker.add(0n, 100n);
	committer.request(); // another partition's success runs a round over every partition
	await settle();
	assert.deepEqual(sent, [], 'offset 1000 of the old log committed while 0..99 of the new one are loading: a restart would skip them');
	state.tracker.succeed(running);
	committer.request();
	await settle();
	committer.cancelRetry();
	assert.deepEqual(sent, ['100']);
});
