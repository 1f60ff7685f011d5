/**
 * The drain before a rejoin (rejoin-drain.ts): one per rebalance wherever it was met, executions in
 * flight waited for (bounded) with heartbeats meanwhile, what finished committed, and over at the
 * next group join.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExecutionWindow } from '../../../src/kafka/execution-window';
import { RejoinDrain } from '../../../src/kafka/rejoin-drain';

function drainOf(window: ExecutionWindow, rebalanceDrainMs: number, closing = () => false) {
	const seen: string[] = [];
	const drain = new RejoinDrain({
		options: { groupId: 'g', rebalanceDrainMs },
		logger: { info: () => {} },
		window,
		pollMs: 5,
		closeSignal: new AbortController().signal,
		isClosing: closing,
		syncPaused: () => seen.push('paused'),
		commitFinished: async () => void seen.push(`committed with ${window.inFlight} in flight`),
	});
	return { drain, seen };
}

describe('RejoinDrain', () => {
	it('one drain per rebalance: a second heartbeat that meets it joins the first; over at the next join', async () => {
		const window = new ExecutionWindow(2);
		const { drain, seen } = drainOf(window, 1_000);
		assert.equal(drain.active, false);
		const first = drain.drainBeforeRejoin(async () => {});
		assert.equal(drain.drainBeforeRejoin(async () => {}), first);
		assert.equal(drain.active, true, 'pause/resume and the emit path see it at once');
		await first;
		assert.deepEqual(seen, ['committed with 0 in flight', 'paused']);
		assert.equal(drain.active, true, 'still draining until the group is joined again');
		drain.joined();
		assert.equal(drain.active, false);
		assert.notEqual(drain.drainBeforeRejoin(async () => {}), first, 'the next rebalance drains anew');
	});

	it('waits for executions in flight, heartbeating, then commits what finished', async () => {
		const window = new ExecutionWindow(2);
		window.acquire();
		const { drain, seen } = drainOf(window, 5_000);
		let heartbeats = 0;
		const drained = drain.drainBeforeRejoin(async () => {
			heartbeats++;
			if (heartbeats === 3) window.release();
		});
		await drained;
		assert.equal(heartbeats, 3);
		assert.deepEqual(seen, ['paused', 'committed with 0 in flight']);
	});

	it('gives up at the bound (or on close) and commits what finished by then', async () => {
		const window = new ExecutionWindow(2);
		window.acquire();
		const started = Date.now();
		const { drain, seen } = drainOf(window, 40);
		await drain.drainBeforeRejoin(() => Promise.reject(new Error('REBALANCE_IN_PROGRESS')));
		assert.ok(Date.now() - started >= 39, 'waited for the bound');
		assert.deepEqual(seen, ['paused', 'committed with 1 in flight']);
		const closing = drainOf(window, 60_000, () => true);
		await closing.drain.drainBeforeRejoin(async () => {});
		assert.deepEqual(closing.seen, ['committed with 1 in flight', 'paused'], 'closing: committed at once, before the drain is seen');
	});
});
