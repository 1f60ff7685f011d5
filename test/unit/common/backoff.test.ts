import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backoffDelay } from '../../../src/common/backoff';
import { redeliveryDelay } from '../../../src/kafka/consumer-options';
import { backoffDelay as retryDelay } from '../../../src/doris/stream-load/retry';

describe('backoffDelay: the one backoff formula', () => {
	const steps = { initialMs: 100, maxMs: 1000 };

	it('doubles from the initial wait and stops at the cap, exactly without jitter', () => {
		assert.deepEqual([1, 2, 3, 4, 5, 1000].map((n) => backoffDelay(steps, n)), [100, 200, 400, 800, 1000, 1000]);
		assert.equal(backoffDelay(steps, 0), 100, 'a step below 1 is the first');
	});

	it('equal jitter keeps half of the step and draws the other half', () => {
		assert.equal(backoffDelay(steps, 3, 'equal', () => 0), 200);
		assert.equal(backoffDelay(steps, 3, 'equal', () => 1), 400);
		assert.equal(backoffDelay(steps, 9, 'equal', () => 0.5), 750);
	});

	it('is what both the redelivery and the Stream Load retry use', () => {
		for (const n of [1, 2, 5, 40]) {
			assert.equal(redeliveryDelay(n, steps), backoffDelay(steps, n));
			assert.equal(retryDelay({ maxRetries: 9, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 1e9 }, n, () => 0.25), backoffDelay(steps, n, 'equal', () => 0.25));
		}
	});
});
