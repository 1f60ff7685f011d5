/**
 * kafkajs moves a partition's position by itself, without eachBatch, over offsets that hold nothing
 * to hand out (consumer/batch.js: a record batch whose tail compaction removed, a fetch of filtered
 * records only): after a seek of ours that is no reset, and the executions still running keep holding
 * the commit. And a redelivered execution cut at its range's end resolves kafkajs up to that end, so
 * the next fetch does not start below the tracker's floor (review session 18, F8).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { emitterWorld as world, fetchOf as batch } from './emitter-support';

import { offsetBeforeKafkaReset } from '../../../src/kafka/position-reset';

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
