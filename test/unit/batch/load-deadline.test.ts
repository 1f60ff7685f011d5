import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';

import { LOAD_DEFAULTS } from '../../../src/batch/load-defaults';
import { boundedByDeadline, DeadlineError } from '../../../src/batch/load-deadline';
import type { LoadOptions } from '../../../src/doris/stream-load/options';

const json: LoadOptions = { format: 'json' };
const NOW = Date.UTC(2026, 0, 1);

describe('boundedByDeadline', () => {
	it('leaves a load without a deadline as it is, with no signal', () => {
		const bounded = boundedByDeadline(json, undefined, 't');
		assert.equal(bounded.load, json);
		assert.equal(bounded.signal, undefined);
	});

	it('cuts Doris\' timeout to the whole seconds until the margin (10 s at most) before the deadline, from the default or the load\'s own', (t) => {
		t.mock.method(Date, 'now', () => NOW);
		assert.equal(boundedByDeadline(json, NOW + 90_500, 't').load.timeoutSeconds, 80);
		assert.ok(LOAD_DEFAULTS.timeoutSeconds > 90, 'the default is longer than the time left');
		assert.equal(boundedByDeadline({ ...json, timeoutSeconds: 30 }, NOW + 90_500, 't').load.timeoutSeconds, 30, 'a shorter timeout of its own stays');
		assert.equal(boundedByDeadline({ ...json, timeoutSeconds: 5_000 }, NOW + 7_200_000, 't').load.timeoutSeconds, 5_000);
	});

	it('keeps a third of a short deadline for the margin, and asks Doris about the label until min(1 s, half the margin) before it', (t) => {
		t.mock.method(Date, 'now', () => NOW);
		const nine = boundedByDeadline(json, NOW + 9_000, 't');
		assert.equal(nine.load.timeoutSeconds, 6, 'given up 3 s before the deadline');
		assert.equal(nine.settleBy, NOW + 8_000);
		const long = boundedByDeadline(json, NOW + 120_000, 't');
		assert.equal(long.load.timeoutSeconds, 110, 'a margin of 10 s at most');
		assert.equal(long.settleBy, NOW + 119_000);
		assert.equal(boundedByDeadline(json, NOW + 1_200, 't').settleBy, NOW + 1_000, 'half of a 400 ms margin');
		assert.equal(boundedByDeadline(json, undefined, 't').settleBy, undefined);
	});

	it('gives Doris at least a second when less is left (its timeout is in whole seconds)', (t) => {
		t.mock.method(Date, 'now', () => NOW);
		assert.equal(boundedByDeadline(json, NOW + 400, 't').load.timeoutSeconds, 1);
	});

	it('does not start a load at or after its deadline, and names the table and the deadline', (t) => {
		t.mock.method(Date, 'now', () => NOW);
		for (const deadline of [NOW, NOW - 1]) {
			assert.throws(
				() => boundedByDeadline(json, deadline, 'orders'),
				(error: unknown) =>
					error instanceof DeadlineError && error.name === 'DeadlineError' && error.message.includes(`Doris table "orders" was not loaded by its rows' deadline (${new Date(deadline).toISOString()},`),
			);
		}
	});

	it('ends the exchange in flight at the margin, before the deadline, through its signal', async () => {
		const { signal } = boundedByDeadline(json, Date.now() + 300, 't');
		assert.ok(signal);
		assert.equal(signal.aborted, false);
		await once(signal, 'abort');
		assert.equal(signal.aborted, true);
	});
});
