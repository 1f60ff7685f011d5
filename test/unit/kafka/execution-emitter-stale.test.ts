/**
 * A batch fetched before a redelivery's seek (kafkajs' isStale) is no position reset: it must leave
 * the partition's tracked executions alone. Before, one fetched above the rewound offset was taken
 * for kafkajs' own reset after OffsetOutOfRange: the tracker forgot an earlier execution still in
 * flight, so when that one failed its rows were never redelivered and the redelivery's commit
 * passed them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EachBatchPayload } from 'kafkajs';

import { ExecutionEmitter, type EmitterContext } from '../../../src/kafka/execution-emitter';
import { PartitionState } from '../../../src/kafka/partition-state';

function staleBatch(fetchedOffset: string, offsets: string[]): EachBatchPayload {
	const messages = offsets.map((offset) => ({ offset, key: null, value: Buffer.from('{}'), timestamp: '0', attributes: 0, headers: {} }));
	return {
		batch: { topic: 't', partition: 0, fetchedOffset, messages, highWatermark: '100' },
		isStale: () => true,
		isRunning: () => true,
		heartbeat: async () => {},
		resolveOffset: () => {},
	} as unknown as EachBatchPayload;
}

test('a batch fetched before the redelivery seek leaves earlier executions in flight tracked', async () => {
	const errors: string[] = [];
	const log = () => {};
	const context = {
		options: { keepPartitionOrder: false, manual: false, maxRecordsPerExecution: 10, maxBytesPerExecution: 1_000_000 },
		logger: { error: (message: string) => errors.push(message), warn: log, info: log, debug: log },
		window: { hasRoom: true },
		isClosing: () => false,
		isDraining: () => false,
	} as unknown as EmitterContext;
	const emitter = new ExecutionEmitter(context);
	const state = new PartitionState('t', 0);
	const earlier = state.tracker.add(0n, 10n);
	const failed = state.tracker.add(10n, 20n);
	state.tracker.add(20n, 30n);
	state.tracker.fail(failed);
	state.tracker.takeFailed(); // the redelivery sought back to 10

	await emitter.emit(state, staleBatch('30', ['30', '31']));

	assert.deepEqual(errors, []);
	assert.equal(state.tracker.rewoundTo, 10n);
	// The one before the failed range and the one after it (a failure no longer supersedes it).
	assert.equal(state.tracker.running, 2);
	// The earlier execution still holds the commit: its failure asks for a redelivery from 0.
	const result = state.tracker.fail(earlier);
	assert.equal(result.kind, 'failed');
});
