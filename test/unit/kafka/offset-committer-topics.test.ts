/**
 * A commit round sends one request per topic (offset-committer.ts): kafkajs fails a whole commit over
 * one refused partition (a deleted topic's, UNKNOWN_TOPIC_OR_PARTITION) and retries it all for ~6 s,
 * so with one request the other topics' offsets went unconfirmed, and each retry committed them again
 * at the older offsets it carried. A forgotten topic's request (hanging in kafkajs' retries) no longer
 * holds the next rounds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { KafkaJSProtocolError, type Consumer } from 'kafkajs';

import { committerWithoutBroker } from './sinker-internals';
import { Assignment, type PartitionState } from '../../../src/kafka/partition-state';

/** kafkajs builds its protocol errors from the broker's error code entry (its typings say Error). */
function protocolError(entry: { type: string; code: number; retriable: boolean; message: string }): KafkaJSProtocolError {
	return new KafkaJSProtocolError(entry as unknown as Error);
}


function finished(assignment: Assignment, topic: string, partition: number, end: bigint): void {
	const state = assignment.get(topic, partition) as PartitionState;
	state.tracker.succeed(state.tracker.add(state.tracker.committableOffset ?? 0n, end));
}

test("a deleted topic's refused commit neither stops the other topics' commit nor holds later rounds once forgotten", async () => {
	const assignment = new Assignment();
	assignment.replace({ keep: [0, 1], gone: [0] }, 'member-1');
	finished(assignment, 'keep', 0, 10n);
	finished(assignment, 'keep', 1, 10n);
	finished(assignment, 'gone', 0, 5n);
	const requests: string[] = [];
	let unknownTopics = 0;
	const consumer = {
		commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
			requests.push(offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`).join(' '));
			if (offsets.some((o) => o.topic === 'gone')) {
				// kafkajs retrying the refused commit: it hangs far beyond this test.
				await new Promise(() => {});
			}
			for (const o of offsets) committer.confirm(o.topic, o.partition, o.offset);
		},
	} as unknown as Consumer;
	const committer = committerWithoutBroker(consumer, assignment, { onUnknownTopic: () => unknownTopics++ });
	const settle = () => new Promise((resolve) => setImmediate(resolve));
	committer.request();
	await settle();
	assert.deepEqual(requests, ['keep:0@10 keep:1@10', 'gone:0@5'], 'one request per topic');
	assert.equal((assignment.get('keep', 0) as PartitionState).committed, 10n, "keep's offsets confirmed beside gone's hanging request");
	// More of keep finished while gone's request hangs: its commit waits for the round...
	finished(assignment, 'keep', 0, 20n);
	committer.request();
	await settle();
	assert.equal(requests.length, 2);
	// ...until gone is forgotten (its partitions dropped, following-consumer.ts).
	assignment.dropTopics(['gone']);
	committer.forget(['gone']);
	await settle();
	await settle();
	assert.deepEqual(requests.slice(2), ['keep:0@20']);
	assert.equal((assignment.get('keep', 0) as PartitionState).committed, 20n);
	committer.cancelRetry();
	assert.equal(unknownTopics, 0, 'the request never failed here: nothing told');
});

test('a commit refused over an unknown topic tells onUnknownTopic; the other topic is confirmed all the same', async () => {
	const assignment = new Assignment();
	assignment.replace({ keep: [0], gone: [0] }, 'member-1');
	finished(assignment, 'keep', 0, 3n);
	finished(assignment, 'gone', 0, 4n);
	let unknownTopics = 0;
	const consumer = {
		commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
			if (offsets.some((o) => o.topic === 'gone')) {
				throw protocolError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true, message: 'This server does not host this topic-partition' });
			}
			for (const o of offsets) committer.confirm(o.topic, o.partition, o.offset);
		},
	} as unknown as Consumer;
	const committer = committerWithoutBroker(consumer, assignment, { onUnknownTopic: () => unknownTopics++ });
	committer.request();
	await new Promise((resolve) => setImmediate(resolve));
	committer.cancelRetry();
	assert.equal(unknownTopics, 1);
	assert.equal((assignment.get('keep', 0) as PartitionState).committed, 3n);
	assert.equal((assignment.get('gone', 0) as PartitionState).committed, undefined);
});
