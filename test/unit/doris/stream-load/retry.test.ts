import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AbortError } from '../../../../src/doris/stream-load/errors';
import { backoffDelay, sleep, withRetry } from '../../../../src/doris/stream-load/retry';

const policy = { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 4, maxElapsedMs: 10_000 };

describe('retry policy', () => {
	it('backs off exponentially with jitter between half and all of the step, capped', () => {
		const p = { maxRetries: 10, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 1e9 };
		assert.equal(backoffDelay(p, 1, () => 0), 50);
		assert.equal(backoffDelay(p, 1, () => 1), 100);
		assert.equal(backoffDelay(p, 3, () => 1), 400);
		assert.equal(backoffDelay(p, 9, () => 1), 1000);
		assert.equal(backoffDelay(p, 9, () => 0), 500);
	});

	it('retries retryable errors up to the count, then throws the last one', async () => {
		let calls = 0;
		await assert.rejects(
			withRetry(policy, async () => {
				calls++;
				throw new Error(`boom ${calls}`);
			}, () => ({ retryable: true })),
			/boom 4/,
		);
		assert.equal(calls, 4);
	});

	it('does not retry permanent errors', async () => {
		let calls = 0;
		await assert.rejects(withRetry(policy, async () => {
			calls++;
			throw new Error('permanent');
		}, () => ({ retryable: false })));
		assert.equal(calls, 1);
	});

	it('stops when the total time would pass the bound', async () => {
		let calls = 0;
		let clock = 0;
		await assert.rejects(
			withRetry({ maxRetries: 100, initialDelayMs: 1000, maxDelayMs: 1000, maxElapsedMs: 2500 }, async () => {
				calls++;
				clock += 1000;
				throw new Error('x');
			}, () => ({ retryable: true, delayMs: 1 }), { now: () => clock }),
		);
		assert.equal(calls, 3);
	});

	it('returns the first success and reports each retry', async () => {
		const seen: number[] = [];
		const value = await withRetry(policy, async (n) => {
			if (n < 3) throw new Error('again');
			return n;
		}, () => ({ retryable: true }), { onRetry: (_e, retry) => seen.push(retry) });
		assert.equal(value, 3);
		assert.deepEqual(seen, [1, 2]);
	});

	it('an abort ends a backoff wait at once', async () => {
		const controller = new AbortController();
		const started = Date.now();
		const run = withRetry({ ...policy, initialDelayMs: 60_000, maxDelayMs: 60_000, maxElapsedMs: 600_000 }, async () => {
			throw new Error('x');
		}, () => ({ retryable: true }), { signal: controller.signal });
		setTimeout(() => controller.abort(), 20);
		await assert.rejects(run, AbortError);
		assert.ok(Date.now() - started < 5000);
		await assert.rejects(sleep(10, AbortSignal.abort()), AbortError);
	});
});
