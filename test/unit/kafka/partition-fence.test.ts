import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FENCE_MARGIN_MS, fenceWait, HELD, heldMark, leaseCovers, leaseUntil, MAX_FENCE_WAIT_MS, parseMark, RELEASED } from '../../../src/kafka/partition-fence';

const own = { executionTimeoutMs: 2_000, heartbeatIntervalMs: 1_000 };
const now = 1_800_000_000_000;

describe('partition fence marks', () => {
	it('reads the deadline a HELD mark carries, a plain HELD of an older version as held without one, anything else as not held', () => {
		assert.deepEqual(parseMark(heldMark(now + 1234.4)), { held: true, until: now + 1235 });
		assert.deepEqual(parseMark(HELD), { held: true, until: undefined });
		assert.deepEqual(parseMark(`${HELD}:soon`), { held: true, until: undefined }, 'an unreadable time still holds');
		assert.deepEqual(parseMark(RELEASED), { held: false });
		assert.deepEqual(parseMark(null), { held: false });
		assert.deepEqual(parseMark('another tool'), { held: false });
	});

	it('a new owner waits for the previous owner\'s deadline + margin, not its own Execution Timeout', () => {
		assert.deepEqual(fenceWait({ held: true, until: now + 60_000 }, now, own), { waitMs: 60_000 + FENCE_MARGIN_MS, until: now + 60_000, capped: false });
		assert.equal(fenceWait({ held: true, until: now - FENCE_MARGIN_MS - 1 }, now, own).waitMs, 0, 'a deadline long past: start at once');
		assert.equal(fenceWait({ held: false }, now, own).waitMs, 0);
	});

	it('a mark without a deadline waits the own Execution Timeout + margin + a heartbeat, as before deadlines were written', () => {
		assert.equal(fenceWait({ held: true, until: undefined }, now, own).waitMs, own.executionTimeoutMs + FENCE_MARGIN_MS + own.heartbeatIntervalMs);
	});

	it('a deadline further away than the cap (clocks apart) waits the cap and says so', () => {
		assert.deepEqual(fenceWait({ held: true, until: now + 5 * MAX_FENCE_WAIT_MS }, now, own), { waitMs: MAX_FENCE_WAIT_MS, until: now + 5 * MAX_FENCE_WAIT_MS, capped: true });
	});

	it('a fresh lease covers an execution started now; it is renewed before one whose deadline would pass it', () => {
		const timeoutMs = 120_000;
		const lease = leaseUntil(now, timeoutMs);
		assert.ok(leaseCovers(lease, now, timeoutMs));
		assert.ok(lease >= now + timeoutMs);
		let t = now;
		while (leaseCovers(lease, t, timeoutMs)) t += 1_000;
		assert.ok(lease >= t - 1_000 + timeoutMs, 'the last execution started under the lease has its deadline inside it');
		assert.ok(t - now >= timeoutMs / 10, `renewed after ${t - now} ms: not a commit per execution`);
	});
});
