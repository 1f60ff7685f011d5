/**
 * kafkajs moves a partition's position by itself, without eachBatch, over offsets that hold nothing
 * to hand out (consumer/batch.js: a record batch whose tail compaction removed, a fetch of filtered
 * records only): after a seek of ours that is no reset, and the executions still running keep holding
 * the commit. And a redelivered execution cut at its range's end resolves kafkajs up to that end, so
 * the next fetch does not start below the tracker's floor (review session 18, F8).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EachBatchPayload } from 'kafkajs';

import type { ExecutionOutcome, SinkExecution } from '../../../src/kafka/consumer-options';
import { ExecutionEmitter, type EmitterContext } from '../../../src/kafka/execution-emitter';
import { PartitionState } from '../../../src/kafka/partition-state';
import { offsetBeforeKafkaReset } from '../../../src/kafka/position-reset';

/** A fetch from `fetchedOffset` whose messages are `offsets` and whose last record is `lastRecord`; resolves land in `resolved`. */
function batch(fetchedOffset: string, offsets: string[], lastRecord: string, resolved: string[] = []): EachBatchPayload {
	const messages = offsets.map((offset) => ({ offset, key: null, value: Buffer.from('{}'), timestamp: '0', attributes: 0, headers: {} }));
	return {
		batch: { topic: 't', partition: 0, fetchedOffset, messages, highWatermark: '100', lastOffset: () => lastRecord },
		isStale: () => false,
		isRunning: () => true,
		heartbeat: async () => {},
		resolveOffset: (offset: string) => resolved.push(offset),
	} as unknown as EachBatchPayload;
}

function world(keepPartitionOrder: boolean) {
	const executions: SinkExecution[] = [];
	const seeks: bigint[] = [];
	const errors: string[] = [];
	const log = () => {};
	const state = new PartitionState('t', 0);
	// Keep Order per Partition: HELD already committed with a lease far ahead (no fencing here).
	state.announced = true;
	state.leaseCommitted = Date.now() + 3_600_000;
	state.heldUntil = state.leaseCommitted;
	const context = {
		options: { keepPartitionOrder, manual: false, maxRecordsPerExecution: 100, maxBytesPerExecution: 1_000_000, labels: { workflow: 'w', node: 'n' }, executionTimeoutMs: 0 },
		logger: { error: (message: string) => errors.push(message), warn: log, info: log, debug: log },
		stats: { messages: 0, parseErrors: 0, tombstonesSkipped: 0, executionsStarted: 0, executionsSucceeded: 0, executionsFailed: 0 },
		parser: { parse: (messages: Array<{ offset: string }>, from: number, to: number) => ({ items: messages.slice(from, to).map((m) => ({ json: { offset: m.offset } })), parseErrors: 0, tombstonesSkipped: 0 }) },
		window: { hasRoom: true, acquire: () => {}, release: () => {} },
		partitions: {
			seek: (_state: PartitionState, offset: bigint) => {
				seeks.push(offset);
				state.positionEpoch++;
				return true;
			},
		},
		committer: { request: () => {}, announce: async () => true },
		runExecution: async (execution: SinkExecution): Promise<ExecutionOutcome> => {
			executions.push(execution);
			return new Promise<ExecutionOutcome>(() => {}); // still running
		},
		executionsSignal: new AbortController().signal,
		isClosing: () => false,
		isDraining: () => false,
		syncPaused: () => {},
	} as unknown as EmitterContext;
	return { emitter: new ExecutionEmitter(context), state, executions, seeks, errors };
}

test('after a seek into a compacted tail, the fetch kafkajs moved on to is no reset: the execution still running keeps holding the commit', async () => {
	const { emitter, state, executions, seeks, errors } = world(false);
	const a = state.tracker.add(0n, 5n);
	const b = state.tracker.add(10n, 15n); // still running
	state.tracker.fail(a);
	state.tracker.takeFailed(); // the redelivery sought back to 0

	await emitter.emit(state, batch('0', ['0', '1', '2', '3', '4'], '4'));
	assert.deepEqual(seeks, [15n], 'on past B');
	// kafkajs fetched 15..19 (records of the batch all below the fetch offset) and moved on by itself.
	await emitter.emit(state, batch('20', ['20', '21'], '21'));

	assert.deepEqual(errors, [], 'no "removed by retention" error');
	assert.deepEqual(executions.map((e) => [e.firstOffset, e.lastOffset]), [['0', '4'], ['20', '21']]);
	assert.equal(state.tracker.running, 3, "A's redelivery, B and the execution from 20");
	assert.equal(state.tracker.fail(b).kind, 'failed', "B's failure is delivered again, not ignored");
});

test('a real reset (kafkajs met OffsetOutOfRange) after a seek is still reported as lost messages', async () => {
	const { emitter, state, errors } = world(false);
	state.tracker.fail(state.tracker.add(0n, 5n));
	state.tracker.takeFailed();
	state.outOfRangeFrom = 0n;

	await emitter.emit(state, batch('20', ['20', '21'], '21'));

	assert.equal(errors.length, 1);
	assert.match(errors[0], /was reset to offset 20, above offset 0 .* removed by retention/);
});

test('Keep Order: a redelivered execution cut at the commit marker closing its range resolves kafkajs to that end, and the next fetch is no reset', async () => {
	const { emitter, state, executions, errors } = world(true);
	// Offsets 0-2 and the marker 3 ran as one execution, [0, 4); it failed.
	state.tracker.fail(state.tracker.add(0n, 4n));
	state.tracker.takeFailed();
	const resolved: string[] = [];

	// The next transaction came meanwhile: 0,1,2,[3],4,5,[6].
	await emitter.emit(state, batch('0', ['0', '1', '2', '4', '5'], '6', resolved));

	assert.deepEqual(executions.map((e) => [e.firstOffset, e.lastOffset]), [['0', '2']]);
	assert.deepEqual(resolved, ['3'], 'kafkajs continues at 4, where the tracker does');
	assert.equal(state.tracker.nextOffset, 4n);
	assert.equal(offsetBeforeKafkaReset(state, 4n), undefined, 'a fetch from 4 is no reset');
	assert.deepEqual(errors, []);
});
