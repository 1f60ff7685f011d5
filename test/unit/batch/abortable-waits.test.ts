/**
 * Waits an execution can give up on: a waiter wakes at the next wakeAll() only (not a later one), an
 * aborted waiter rejects with AbortError and is not woken afterwards, and settleAll gives up on abort.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { settleAll, Waiters } from '../../../src/batch/abortable-waits';
import { AbortError } from '../../../src/doris/stream-load/errors';

const tick = () => new Promise((res) => setImmediate(res));

describe('abortable waits', () => {
	it('wakes every caller waiting at wakeAll(), and a caller that comes later waits for the next one', async () => {
		const waiters = new Waiters();
		const woken: string[] = [];
		void waiters.next().then(() => woken.push('a'));
		void waiters.next().then(() => woken.push('b'));
		waiters.wakeAll();
		void waiters.next().then(() => woken.push('late'));
		await tick();
		assert.deepEqual(woken, ['a', 'b']);
		waiters.wakeAll();
		await tick();
		assert.deepEqual(woken, ['a', 'b', 'late']);
	});

	it('rejects with AbortError when the signal aborts (or had aborted); other callers still wake', async () => {
		const waiters = new Waiters();
		await assert.rejects(waiters.next(AbortSignal.abort()), AbortError);
		const controller = new AbortController();
		const waiting = waiters.next(controller.signal);
		controller.abort();
		await assert.rejects(waiting, AbortError);
		const other = new AbortController();
		let resolved = false;
		void waiters.next(other.signal).then(() => (resolved = true));
		waiters.wakeAll();
		await tick();
		assert.equal(resolved, true);
		other.abort();
	});

	it('settleAll gives every outcome, or AbortError once the signal aborts first', async () => {
		const settled = await settleAll([Promise.resolve(1), Promise.reject(new Error('no'))]);
		assert.deepEqual(
			settled.map((s) => s.status),
			['fulfilled', 'rejected'],
		);
		const controller = new AbortController();
		const pending = settleAll([new Promise<number>(() => undefined)], controller.signal);
		controller.abort();
		await assert.rejects(pending, AbortError);
		await assert.rejects(settleAll([Promise.resolve(1)], AbortSignal.abort()), AbortError);
	});
});
