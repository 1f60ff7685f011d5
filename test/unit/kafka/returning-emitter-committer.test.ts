/**
 * A partition returning after kafkajs restarted the consumer (returning-partitions.ts) is left where
 * kafkajs put it until the group's offset is read: it may yet be newly assigned and start from that
 * offset. A redelivery due meanwhile waits instead of seeking (a seek past executions whose outcome
 * would then be ignored skips their messages), and nothing of it is committed (the group's offset may
 * be another consumer's, higher than this process' prefix).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Consumer, EachBatchPayload } from 'kafkajs';

import type { ExecutionOutcome, SinkerConsumerOptions, SinkerStats } from '../../../src/kafka/consumer-options';
import { ExecutionEmitter, type EmitterContext } from '../../../src/kafka/execution-emitter';
import { OffsetCommitter } from '../../../src/kafka/offset-committer';
import { Assignment, PartitionState } from '../../../src/kafka/partition-state';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

function batch(offsets: string[]): EachBatchPayload {
	const messages = offsets.map((offset) => ({ offset, key: null, value: Buffer.from('{}'), timestamp: '0', attributes: 0, headers: {} }));
	return {
		batch: { topic: 't', partition: 0, fetchedOffset: offsets[0], messages, highWatermark: '100', lastOffset: () => offsets[offsets.length - 1] },
		isStale: () => false,
		isRunning: () => true,
		heartbeat: async () => {},
		resolveOffset: () => {},
	} as unknown as EachBatchPayload;
}

/**
 * An emitter of partition t/0 whose every execution fails (Doris refused), redelivered after 100 ms;
 * `seeks` are the offsets its redeliveries seek to, `isDraining` whether a rebalance is drained.
 */
function failingEmitter(isDraining: () => boolean = () => false): { emitter: ExecutionEmitter; seeks: bigint[] } {
	const seeks: bigint[] = [];
	const context = {
		options: { keepPartitionOrder: false, manual: false, maxRecordsPerExecution: 10, maxBytesPerExecution: 1_000_000, labels: { workflow: 'w', node: 'n' }, executionTimeoutMs: 0, redeliveryBackoff: { initialMs: 100, maxMs: 100 } },
		logger: quiet,
		stats: { messages: 0, parseErrors: 0, tombstonesSkipped: 0, executionsStarted: 0, executionsSucceeded: 0, executionsFailed: 0, redeliveries: 0 },
		parser: { parse: (messages: Array<{ offset: string }>, from: number, to: number) => ({ items: messages.slice(from, to).map((m) => ({ json: { offset: m.offset } })), parseErrors: 0, tombstonesSkipped: 0 }) },
		window: { hasRoom: true, acquire: () => {}, release: () => {} },
		partitions: {
			seek: (_state: PartitionState, offset: bigint) => {
				seeks.push(offset);
				return true;
			},
		},
		committer: { request: () => {} },
		runExecution: async (): Promise<ExecutionOutcome> => ({ ok: false, reason: 'Doris refused' }),
		executionsSignal: new AbortController().signal,
		isClosing: () => false,
		isDraining,
		syncPaused: () => {},
	} as unknown as EmitterContext;
	return { emitter: new ExecutionEmitter(context), seeks };
}

test('a redelivery due while the partition is returning waits for the answer, then seeks to the failed range', async (t) => {
	t.mock.timers.enable({ apis: ['setTimeout'] });
	const assignment = new Assignment();
	assignment.replace({ t: [0] }, 'member-1');
	const state = assignment.get('t', 0) as PartitionState;
	const { emitter, seeks } = failingEmitter();
	await emitter.emit(state, batch(['0', '1', '2']));
	await new Promise((resolve) => setImmediate(resolve));
	assert.equal(state.tracker.failedAt, 0n);
	assert.equal(state.inBackoff, true);
	// kafkajs restarted the consumer: the partition comes back under a new member id.
	const change = assignment.replace({ t: [0] }, 'member-2', true);
	assert.deepEqual(change.returned, [state]);
	t.mock.timers.tick(100);
	assert.deepEqual(seeks, [], 'no seek while returning');
	assert.equal(state.inBackoff, true, 'tried again later');
	state.returning = false;
	t.mock.timers.tick(1_000);
	assert.deepEqual(seeks, [0n], 'kept: the failed range is delivered again');
	assert.equal(state.inBackoff, false);
});

// kafkajs keeps a seek of a partition the join gave away until the partition is assigned to it again
// (consumerGroup.js seekOffsets pops only assigned partitions' seeks): back later as new, it started at
// the failed range sought here, not at the group's offset, past executions given up with it.
test('a redelivery due while a rebalance is drained waits for the join instead of seeking', async (t) => {
	t.mock.timers.enable({ apis: ['setTimeout'] });
	const state = new PartitionState('t', 0);
	let draining = false;
	const { emitter, seeks } = failingEmitter(() => draining);
	await emitter.emit(state, batch(['0', '1', '2']));
	await new Promise((resolve) => setImmediate(resolve));
	assert.equal(state.tracker.failedAt, 0n);
	draining = true;
	t.mock.timers.tick(100);
	assert.deepEqual(seeks, [], 'no seek while the group is rejoined');
	assert.equal(state.inBackoff, true, 'tried again later');
	draining = false; // joined, the partition kept
	t.mock.timers.tick(1_000);
	assert.deepEqual(seeks, [0n], 'the failed range is delivered again');
	assert.equal(state.inBackoff, false);
});

test('nothing of a returning partition is committed, the rest is', async () => {
	const assignment = new Assignment();
	assignment.replace({ t: [0, 1] }, 'member-1');
	for (const partition of [0, 1]) {
		const state = assignment.get('t', partition) as PartitionState;
		state.tracker.succeed(state.tracker.add(0n, 10n));
	}
	(assignment.get('t', 0) as PartitionState).returning = true;
	const sent: string[] = [];
	const consumer = {
		commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
			for (const o of offsets) sent.push(`${o.topic}:${o.partition}@${o.offset}`);
		},
	} as unknown as Consumer;
	const stats = { commits: 0 } as SinkerStats;
	const options = { labels: { workflow: 'w', node: 'n' }, groupId: 'g' } as unknown as SinkerConsumerOptions;
	const committer = new OffsetCommitter(consumer, assignment, options, quiet, stats, () => true);
	committer.request();
	await committer.flush(1);
	assert.deepEqual(sent, ['t:1@10']);
});
