/**
 * A failed execution is delivered again alone (commit-tracker.ts): the emitter cuts the redelivered
 * fetch at the failed range's end and seeks past the executions still tracked after it, also when the
 * log no longer holds the range's messages (compaction) or only records kafkajs filters out. Before,
 * every execution after the failed one was delivered again, those that had succeeded too: their rows
 * loaded twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { emitterWorld as world, fetchOf as batch } from './emitter-support';

function range(from: number, to: number): string[] {
	return Array.from({ length: to - from }, (_, k) => String(from + k));
}

test('the failed range comes again alone, cut at its end; the partition then skips past the executions after it', async () => {
	const { emitter, state, executions, seeks, errors } = world();
	state.tracker.add(0n, 10n);
	const failed = state.tracker.add(10n, 20n);
	const later = state.tracker.add(20n, 30n);
	state.tracker.succeed(later);
	state.tracker.fail(failed);
	state.tracker.takeFailed(); // the redelivery sought back to 10

	await emitter.emit(state, batch('10', range(10, 30)));

	assert.deepEqual(errors, []);
	assert.deepEqual(executions.map((e) => [e.firstOffset, e.lastOffset]), [['10', '19']]);
	assert.deepEqual(seeks, [30n], 'on after the execution that succeeded, not through it');
	assert.equal(state.tracker.rewoundTo, 30n);
});

test('a failed range whose messages the log no longer holds (compaction) is passed, and the partition skips on', async () => {
	const { emitter, state, executions, seeks, errors } = world();
	const failed = state.tracker.add(10n, 20n);
	state.tracker.add(20n, 30n);
	state.tracker.fail(failed);
	state.tracker.takeFailed();

	await emitter.emit(state, batch('10', range(20, 25)));

	assert.deepEqual(errors, []);
	assert.deepEqual(executions, []);
	assert.deepEqual(seeks, [30n]);
	assert.equal(state.tracker.failedAt, undefined);
});

test('a failed range holding only records kafkajs filters out (an aborted transaction) is passed up to its end', () => {
	const { emitter, state, seeks } = world();
	const failed = state.tracker.add(10n, 20n);
	state.tracker.add(20n, 30n);
	state.tracker.fail(failed);
	state.tracker.takeFailed();

	emitter.passFiltered(state, 10n, 25n);

	assert.equal(state.tracker.failedAt, undefined);
	assert.deepEqual(seeks, [30n]);
});

test('two failed ranges with an execution between them: each comes again, the one between does not', async () => {
	const { emitter, state, executions, seeks } = world();
	const a = state.tracker.add(0n, 10n);
	state.tracker.add(10n, 20n);
	const c = state.tracker.add(20n, 30n);
	state.tracker.fail(a);
	state.tracker.fail(c);
	state.tracker.takeFailed();

	await emitter.emit(state, batch('0', range(0, 30)));
	assert.deepEqual(seeks, [20n]);
	await emitter.emit(state, batch('20', range(20, 40)));

	// The last range ends where the partition continues: no seek, the messages after it are new.
	assert.deepEqual(executions.map((e) => [e.firstOffset, e.lastOffset]), [
		['0', '9'],
		['20', '29'],
		['30', '39'],
	]);
	assert.deepEqual(seeks, [20n]);
	assert.equal(state.tracker.nextOffset, 40n);
});
