/**
 * The label layer's last look (label-guard.ts settleLast): the retries are spent and the last attempt
 * ended without a verdict after its body may have reached a BE (review session 19, R1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { StreamLoadError } from '../../../../src/doris/stream-load/errors';
import { guardLabels } from '../../../../src/doris/stream-load/label-guard';
import { LoadHistory, type LoadCall } from '../../../../src/doris/stream-load/load-call';
import type { LabelCancel } from '../../../../src/doris/stream-load/cancel-label';
import type { LabelState } from '../../../../src/doris/stream-load/load-state';

const lost = new Error('PUT be:8040: socket hang up');

/**
 * A guard whose get_load_state answers `states` in turn (the last one again), and that must not send;
 * with `cancel`, a label still PREPARE at the end of the wait is cancelled, answered so; after the cancel
 * get_load_state answers `afterCancel` when given, else ABORTED where the cancel aborted.
 */
function lastLook(states: Array<LabelState | undefined>, labelHeld: boolean, cancel?: LabelCancel, afterCancel?: LabelState) {
	let asked = 0;
	const cancels: string[] = [];
	const guard = guardLabels(
		() => Promise.reject(new Error('the last look must not send the batch again')),
		{
			labelState: () => {
				if (cancels.length > 0 && afterCancel !== undefined) return Promise.resolve(afterCancel);
				if (cancels.length > 0 && cancel?.kind === 'aborted') return Promise.resolve('ABORTED');
				return Promise.resolve(states[Math.min(asked++, states.length - 1)]);
			},
			wait: { pollIntervalMs: 1, maxWaitMs: 200 },
			cancel:
				cancel &&
				((_db, label) => {
					cancels.push(label);
					return Promise.resolve(cancel);
				}),
		},
	);
	const history = new LoadHistory();
	history.unsettled = true;
	history.labelHeld = labelHeld;
	const call: LoadCall = { request: { database: 'd', table: 't', label: 'l1', headers: {}, body: [], rows: 2 }, attempt: 1, history };
	return { settle: () => guard.settleLast(call, lost), asked: () => asked, cancels };
}

describe('the last look at a label whose last attempt ended unsettled', () => {
	it('VISIBLE or COMMITTED: loaded by that attempt', async () => {
		for (const state of ['VISIBLE', 'COMMITTED']) {
			const outcome = await lastLook([state], true).settle();
			assert.equal(outcome.labelExisted, true);
			assert.equal(outcome.response.ExistingJobStatus, state);
		}
	});

	it('PREPARE: waited for until VISIBLE', async () => {
		const look = lastLook(['PREPARE', 'PREPARE', 'VISIBLE'], true);
		assert.equal((await look.settle()).labelExisted, true);
		assert.equal(look.asked(), 3);
	});

	it('ABORTED, at once or after PREPARE, or UNKNOWN for a label Doris never held: the failure stands, not flagged', async () => {
		for (const [states, held] of [[['ABORTED'], true], [['PREPARE', 'ABORTED'], true], [['UNKNOWN'], false]] as const) {
			await assert.rejects(lastLook([...states], held).settle(), (error) => error === lost);
		}
	});

	it('no FE answers get_load_state: fails flagged mayBeInDoris, not retryable', async () => {
		const error = await lastLook([undefined], true).settle().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.mayBeInDoris, true);
		assert.equal(error.retryable, false);
		assert.equal(error.cause, lost);
	});

	it('UNKNOWN for a label Doris held (forgotten): fails flagged mayBeInDoris', async () => {
		const error = await lastLook(['UNKNOWN'], true).settle().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.mayBeInDoris, true);
		assert.match(error.message, /cannot tell/);
	});

	it('still PREPARE when the wait ends (it may commit later), or no answer while waiting: flagged mayBeInDoris, never sent again', async () => {
		for (const states of [['PREPARE'], ['PREPARE', undefined]]) {
			const error = await lastLook(states, true).settle().catch((e: unknown) => e);
			assert.ok(error instanceof StreamLoadError, String(error));
			assert.equal(error.mayBeInDoris, true);
		}
	});

	it('still PREPARE when the wait ends: cancelled by its label; aborted, the failure stands (not loaded, cannot commit later); refused, flagged mayBeInDoris', async () => {
		const aborted = lastLook(['PREPARE'], true, { kind: 'aborted' });
		await assert.rejects(aborted.settle(), (error) => error === lost);
		assert.deepEqual(aborted.cancels, ['l1']);
		const refused = lastLook(['PREPARE'], true, { kind: 'refused', reason: 'transaction [3] is already COMMITTED, could not abort.' });
		const error = await refused.settle().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.mayBeInDoris, true);
		assert.deepEqual(refused.cancels, ['l1']);
	});

	// Late review session 20, C1 / C2: a cancel answered "success" without aborting (cloud mode), or refused
	// because the load committed meanwhile: what get_load_state says afterwards decides.
	it('still PREPARE when the wait ends, and the label committed by the cancel: loaded, whatever the cancel answered; still PREPARE after a "success": flagged mayBeInDoris', async () => {
		for (const cancel of [{ kind: 'aborted' }, { kind: 'refused', reason: 'transaction [3] is already VISIBLE, could not abort.' }] as const) {
			const look = lastLook(['PREPARE'], true, cancel, 'VISIBLE');
			assert.equal((await look.settle()).labelExisted, true, cancel.kind);
		}
		const error = await lastLook(['PREPARE'], true, { kind: 'aborted' }, 'PREPARE').settle().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.mayBeInDoris, true);
	});

	it('PRECOMMITTED (a two-phase commit transaction, not ours to end) is never cancelled', async () => {
		const look = lastLook(['PRECOMMITTED'], true, { kind: 'aborted' });
		const error = await look.settle().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.match(error.message, /two-phase-commit/);
		assert.deepEqual(look.cancels, []);
	});
});
