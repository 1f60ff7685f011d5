/**
 * The timers that seal an open batch (open-batch.ts): max interval from its opening, max idle since the
 * last add (refreshed, not restarted from the first add), and ahead of the earliest deadline of its rows.
 * A batch sealed late past a deadline fails those rows; one sealed early loads small batches.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { armIdle, createOpenBatch, stopTimers, takeDeadline, type OpenBatch } from '../../../src/batch/open-batch';

const NOW = 1_000_000;

function clock(t: TestContext) {
	t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: NOW });
	const seals: number[] = [];
	const sealIfOpen = (_batch: OpenBatch<unknown, unknown>) => seals.push(Date.now() - NOW);
	return { seals, sealIfOpen, tick: (ms: number) => t.mock.timers.tick(ms) };
}

describe('open batch timers', () => {
	it('seals at max interval after opening', (t) => {
		const { seals, sealIfOpen, tick } = clock(t);
		createOpenBatch(1, 1_000, sealIfOpen);
		tick(999);
		assert.deepEqual(seals, []);
		tick(1);
		assert.deepEqual(seals, [1_000]);
	});

	it('max idle: one timer per batch, refreshed by each add (counting from the last add), none without max idle', (t) => {
		const { seals, sealIfOpen, tick } = clock(t);
		const batch = createOpenBatch(1, 600_000, sealIfOpen);
		armIdle(batch, 100, sealIfOpen);
		const timer = batch.idleTimer!;
		// Node 24's mock timers do not reschedule a refreshed timer (it runs at its first time): the refresh
		// is watched instead of the clock.
		const refresh = t.mock.method(timer, 'refresh');
		armIdle(batch, 100, sealIfOpen);
		assert.equal(batch.idleTimer, timer);
		assert.equal(refresh.mock.callCount(), 1);
		tick(100);
		assert.deepEqual(seals, [100], 'sealed once the batch was idle for max idle');
		const without = createOpenBatch(2, 600_000, sealIfOpen);
		armIdle(without, undefined, sealIfOpen);
		assert.equal(without.idleTimer, undefined);
	});

	it('seals 5 s ahead of the earliest deadline (half the time left when less); a later deadline changes nothing', (t) => {
		const { seals, sealIfOpen, tick } = clock(t);
		const batch = createOpenBatch(1, 600_000, sealIfOpen);
		takeDeadline(batch, NOW + 60_000, true, sealIfOpen);
		takeDeadline(batch, NOW + 20_000, true, sealIfOpen);
		takeDeadline(batch, NOW + 40_000, true, sealIfOpen);
		assert.equal(batch.deadline, NOW + 20_000);
		tick(14_999);
		assert.deepEqual(seals, []);
		tick(1);
		assert.deepEqual(seals, [15_000], 'only the earliest deadline seals it');
		tick(45_000);
		assert.deepEqual(seals, [15_000]);
		const soon = createOpenBatch(2, 600_000, sealIfOpen);
		takeDeadline(soon, Date.now() + 4_000, true, sealIfOpen);
		tick(2_000);
		assert.deepEqual(seals, [15_000, 62_000], 'half of the 4 s left');
	});

	it('a sealed batch keeps the deadline its rows bring (its loader is told) without a timer; stopped timers seal nothing', (t) => {
		const { seals, sealIfOpen, tick } = clock(t);
		const sealed = createOpenBatch(1, 1_000, sealIfOpen);
		stopTimers(sealed);
		takeDeadline(sealed, NOW + 20_000, false, sealIfOpen);
		assert.equal(sealed.deadline, NOW + 20_000);
		assert.equal(sealed.deadlineTimer, undefined);
		const idle = createOpenBatch(2, 1_000, sealIfOpen);
		armIdle(idle, 100, sealIfOpen);
		takeDeadline(idle, NOW + 500, true, sealIfOpen);
		stopTimers(idle);
		tick(60_000);
		assert.deepEqual(seals, []);
	});
});
