// Waiting for the first group join (src/kafka/group-join.ts), with mock timers: the bound is the
// rebalance timeout, a crash fails the wait, and a late join after either changes nothing.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';

import { isRebalanceInProgress, joinWaiter } from '../../../src/kafka/group-join';

describe('joinWaiter', () => {
	it('resolves on the join, and a later failure is ignored', async () => {
		const waiter = joinWaiter(1000, 'g');
		waiter.done();
		waiter.fail(new Error('late'));
		await waiter.promise;
	});

	it('fails with the crash, and a later join is ignored', async () => {
		const waiter = joinWaiter(1000, 'g');
		waiter.fail(new Error('crashed in consumer.run()'));
		waiter.done();
		await assert.rejects(waiter.promise, /crashed in consumer\.run\(\)/);
	});

	it('fails naming the group once the bound passes without a join', async () => {
		mock.timers.enable({ apis: ['setTimeout'] });
		try {
			const waiter = joinWaiter(60_000, 'orders-group');
			mock.timers.tick(59_999);
			let settled = false;
			waiter.promise.then(
				() => (settled = true),
				() => (settled = true),
			);
			await Promise.resolve();
			assert.equal(settled, false);
			mock.timers.tick(1);
			await assert.rejects(waiter.promise, /^Error: Kafka consumer group "orders-group" was not joined within 60000 ms$/);
		} finally {
			mock.timers.reset();
		}
	});

	it('a waiter failed before anyone awaits it raises no unhandled rejection', async () => {
		joinWaiter(1000, 'g').fail(new Error('early'));
		await new Promise((resolve) => setImmediate(resolve));
	});
});

describe('isRebalanceInProgress', () => {
	it('is true only for REBALANCE_IN_PROGRESS', () => {
		assert.equal(isRebalanceInProgress({ type: 'REBALANCE_IN_PROGRESS' }), true);
		assert.equal(isRebalanceInProgress({ type: 'NOT_COORDINATOR_FOR_GROUP' }), false);
		assert.equal(isRebalanceInProgress(new Error('REBALANCE_IN_PROGRESS')), false);
		assert.equal(isRebalanceInProgress(null), false);
	});
});
