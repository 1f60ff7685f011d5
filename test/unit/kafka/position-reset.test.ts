/**
 * Telling kafkajs' own position resets from the sinker's seeks (src/kafka/position-reset.ts), and
 * what a reset above the expected offset reports: the offsets gone, by name and in
 * kafka_messages_lost_total.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { metrics } from '../../../src/metrics/metrics';
import { offsetBeforeKafkaReset, startOverAfterKafkaReset } from '../../../src/kafka/position-reset';
import { PartitionState } from '../../../src/kafka/partition-state';

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
});

test('kafkajs moved the position: below the floor, away from a rewind, or named by its out-of-range reset', () => {
	const below = new PartitionState('t', 0);
	below.tracker.add(100n, 110n);
	assert.deepEqual(offsetBeforeKafkaReset(below, 0n), { expected: 110n });
	const rewound = new PartitionState('t', 0);
	rewound.tracker.fail(rewound.tracker.add(10n, 20n));
	rewound.tracker.takeFailed();
	assert.deepEqual(offsetBeforeKafkaReset(rewound, 50n), { expected: 10n });
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
