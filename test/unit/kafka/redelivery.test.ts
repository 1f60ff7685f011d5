/**
 * When a failed range is fetched again (redelivery.ts): after the capped backoff, or, with Keep Order
 * per Partition, not before the failed execution's rows can no longer load; retried while the
 * partition is returning or the group is being drained; a hold (registry unreachable) fetches again
 * where the sinker is, counting no redelivery.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import type { SinkExecution } from '../../../src/kafka/consumer-options';
import { FENCE_MARGIN_MS } from '../../../src/kafka/partition-fence';
import { PartitionState } from '../../../src/kafka/partition-state';
import { Redelivery } from '../../../src/kafka/redelivery';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

function setUp(t: TestContext) {
	t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
	const seeks: string[] = [];
	const stats = { redeliveries: 0 };
	const flags = { draining: false };
	const redelivery = new Redelivery({
		options: { redeliveryBackoff: { initialMs: 1_000, maxMs: 60_000 }, labels: { workflow: 'w', node: 'n' } },
		logger: quiet,
		stats,
		partitions: { seek: (_state, offset) => seeks.push(String(offset)) > 0 },
		isClosing: () => false,
		isDraining: () => flags.draining,
		syncPaused: () => {},
	});
	// [0, 10) failed, [10, 20) still running.
	const state = new PartitionState('t', 0);
	const failed = state.tracker.add(0n, 10n);
	state.tracker.add(10n, 20n);
	const result = state.tracker.fail(failed);
	assert.equal(result.kind, 'failed');
	const execution = (loadBy?: number): SinkExecution => ({ topic: 't', partition: 0, firstOffset: '0', lastOffset: '9', items: [], bytes: 0, messages: 10, attempt: 0, loadBy });
	return { redelivery, state, result: result as Extract<typeof result, { kind: 'failed' }>, execution, seeks, stats, flags };
}

describe('Redelivery', () => {
	it('after the backoff, from the first failed offset, counted', (t) => {
		const { redelivery, state, result, execution, seeks, stats } = setUp(t);
		redelivery.afterFailure(state, execution(), { ok: false, reason: 'boom', settled: true }, result);
		assert.equal(state.attempt, 1);
		assert.equal(state.failedFrom, 0n);
		assert.equal(state.inBackoff, true);
		t.mock.timers.tick(999);
		assert.deepEqual(seeks, []);
		t.mock.timers.tick(1);
		assert.deepEqual(seeks, ['0']);
		assert.equal(stats.redeliveries, 1);
		assert.equal(state.inBackoff, false);
	});

	it('Keep Order per Partition: an execution whose rows may still load waits out its deadline and the fence margin', (t) => {
		const { redelivery, state, result, execution, seeks } = setUp(t);
		const loadBy = Date.now() + 30_000;
		redelivery.afterFailure(state, execution(loadBy), { ok: false, reason: 'timed out' }, result);
		t.mock.timers.tick(30_000 + FENCE_MARGIN_MS - 1);
		assert.deepEqual(seeks, [], 'not before its rows can no longer load');
		t.mock.timers.tick(1);
		assert.deepEqual(seeks, ['0']);
	});

	it('a settled failure waits only the backoff, unless it came within a second of the deadline', (t) => {
		const early = setUp(t);
		early.redelivery.afterFailure(early.state, early.execution(Date.now() + 30_000), { ok: false, reason: 'refused', settled: true }, early.result);
		t.mock.timers.tick(1_000);
		assert.deepEqual(early.seeks, ['0']);
		t.mock.timers.reset();
		const late = setUp(t);
		late.redelivery.afterFailure(late.state, late.execution(Date.now() + 500), { ok: false, reason: 'gave up at the deadline', settled: true }, late.result);
		t.mock.timers.tick(1_000);
		assert.deepEqual(late.seeks, [], 'the node giving up at the deadline: its last attempt may still commit');
		t.mock.timers.tick(500 + FENCE_MARGIN_MS);
		assert.deepEqual(late.seeks, ['0']);
	});

	it('no seek while the partition is returning or a rebalance is drained: tried again every second', (t) => {
		const { redelivery, state, result, execution, seeks, flags } = setUp(t);
		redelivery.afterFailure(state, execution(), { ok: false, reason: 'boom', settled: true }, result);
		state.returning = true;
		t.mock.timers.tick(1_000);
		state.returning = false;
		flags.draining = true;
		t.mock.timers.tick(1_000);
		assert.deepEqual(seeks, []);
		assert.equal(state.inBackoff, true, 'still paused');
		flags.draining = false;
		t.mock.timers.tick(1_000);
		assert.deepEqual(seeks, ['0']);
	});

	it('hold: fetched again where the sinker is after the backoff, no redelivery counted', (t) => {
		const { redelivery, seeks, stats } = setUp(t);
		const state = new PartitionState('t', 1);
		state.tracker.succeed(state.tracker.add(0n, 40n));
		redelivery.hold(state, '40', new Error('Schema Registry unreachable'));
		assert.equal(state.attempt, 1);
		assert.equal(state.failedFrom, 40n);
		t.mock.timers.tick(1_000);
		assert.deepEqual(seeks, ['40']);
		assert.equal(stats.redeliveries, 0);
	});
});
