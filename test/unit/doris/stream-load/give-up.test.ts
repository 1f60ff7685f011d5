/**
 * A load its caller gave up at a deadline's margin after an attempt began (give-up.ts, review session 19,
 * R2): its label is looked up until shortly before `settleBy`, because a BE that has the body commits
 * without its client; a load still PREPARE then is cancelled by its label (cancel-label.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AbortError, StreamLoadError } from '../../../../src/doris/stream-load/errors';
import { givenUpAfterAttempt, settleGivenUp } from '../../../../src/doris/stream-load/give-up';
import { guardLabels } from '../../../../src/doris/stream-load/label-guard';
import { LoadHistory, type LoadCall } from '../../../../src/doris/stream-load/load-call';
import type { LabelCancel } from '../../../../src/doris/stream-load/cancel-label';
import type { LabelState } from '../../../../src/doris/stream-load/load-state';

const givenUp = new AbortError();

/**
 * A given-up call whose get_load_state answers `states` in turn (the last one again), looked up for
 * `forMs`; the cancel answers `cancel` (undefined: no FE answers it); after it every look answers
 * `afterCancel` when given ('no answer': none), else ABORTED where the cancel aborted.
 */
function givenUpLoad(states: Array<LabelState | undefined>, forMs = 300, cancel?: LabelCancel, afterCancel?: LabelState | 'no answer') {
	let asked = 0;
	let cancelled = 0;
	const warnings: string[] = [];
	const labelState = (_db: string, _label: string, signal?: AbortSignal): Promise<LabelState | undefined> => {
		if (signal?.aborted === true) return Promise.reject(new AbortError());
		if (cancelled > 0 && afterCancel !== undefined) return Promise.resolve(afterCancel === 'no answer' ? undefined : afterCancel);
		if (cancelled > 0 && cancel?.kind === 'aborted') return Promise.resolve('ABORTED');
		return Promise.resolve(states[Math.min(asked++, states.length - 1)]);
	};
	const guard = guardLabels(() => Promise.reject(new Error('a given-up load must not be sent again')), {
		labelState,
		wait: { pollIntervalMs: 20, maxWaitMs: 600_000 },
	});
	const tools = {
		guard,
		labelState,
		cancel: () => {
			cancelled++;
			return Promise.resolve(cancel);
		},
		logger: { info: () => undefined, warn: (message: string) => warnings.push(message) },
	};
	const history = new LoadHistory();
	history.attempts = 1;
	const call: LoadCall = {
		request: { database: 'd', table: 't', label: 'l1', headers: {}, body: [], rows: 2, signal: AbortSignal.abort(), settleBy: Date.now() + forMs },
		attempt: 1,
		history,
	};
	return { call, settle: () => settleGivenUp(tools, call, givenUp), asked: () => asked, cancelled: () => cancelled, warnings };
}

describe('a load given up at its deadline margin', () => {
	it('is looked up only when its caller gave it up after an attempt began, and asked for it (settleBy)', () => {
		const { call } = givenUpLoad(['VISIBLE']);
		assert.equal(givenUpAfterAttempt(call), true);
		assert.equal(givenUpAfterAttempt({ ...call, request: { ...call.request, settleBy: undefined } }), false, 'no settleBy: a plain cancel');
		assert.equal(givenUpAfterAttempt({ ...call, request: { ...call.request, signal: new AbortController().signal } }), false, 'not given up');
		const none = new LoadHistory();
		assert.equal(givenUpAfterAttempt({ ...call, history: none }), false, 'no attempt began: nothing can be in Doris');
	});

	it('VISIBLE or COMMITTED (committed before, answering after): loaded, and nothing is cancelled', async () => {
		for (const state of ['VISIBLE', 'COMMITTED']) {
			const load = givenUpLoad([state], 300, { kind: 'aborted' });
			assert.equal((await load.settle()).labelExisted, true);
			assert.equal(load.cancelled(), 0);
		}
	});

	it('PREPARE that commits while we watch: loaded', async () => {
		const load = givenUpLoad(['PREPARE', 'PREPARE', 'VISIBLE'], 5_000);
		assert.equal((await load.settle()).labelExisted, true);
		assert.equal(load.asked(), 3);
	});

	it('ABORTED, or UNKNOWN for a label Doris never held: the caller\'s failure stands (not loaded, never will be)', async () => {
		for (const states of [['ABORTED'], ['PREPARE', 'ABORTED'], ['UNKNOWN']]) {
			await assert.rejects(givenUpLoad(states, 5_000).settle(), (error) => error === givenUp);
		}
	});

	it('still PREPARE near the end: cancelled by its label; Doris aborted it, so the caller\'s failure stands (not loaded, cannot commit later)', async () => {
		const load = givenUpLoad(['PREPARE'], 600, { kind: 'aborted' });
		await assert.rejects(load.settle(), (error) => error === givenUp);
		assert.equal(load.cancelled(), 1);
		assert.equal(load.warnings.length, 1);
		assert.match(load.warnings[0], /label "l1" was still running in Doris .*cancelled in Doris \(not loaded\)/);
	});

	it('still PREPARE, the cancel refused because it committed meanwhile: loaded', async () => {
		const load = givenUpLoad(['PREPARE'], 600, { kind: 'refused', reason: 'transaction [7] is already VISIBLE, could not abort.' }, 'VISIBLE');
		const outcome = await load.settle();
		assert.equal(outcome.labelExisted, true);
		assert.equal(load.cancelled(), 1);
	});

	it('still PREPARE and the cancel refused or unanswered: fails flagged mayBeInDoris, saying it may still commit and why it was not cancelled', async () => {
		for (const [cancel, why] of [
			[{ kind: 'refused', reason: 'Access denied' }, /Doris refused the cancel: Access denied/],
			[undefined, /no FE answered the cancel/],
		] as const) {
			const error = await givenUpLoad(['PREPARE'], 300, cancel).settle().catch((e: unknown) => e);
			assert.ok(error instanceof StreamLoadError, String(error));
			assert.equal(error.mayBeInDoris, true);
			assert.equal(error.retryable, false);
			assert.equal(error.label, 'l1');
			assert.match(error.message, /still PREPARE/);
			assert.match(error.message, /may still commit/);
			assert.match(error.message, why);
		}
	});

	it('no FE answers get_load_state: cancelled all the same, but only a label read back ABORTED counts as not loaded; else fails flagged mayBeInDoris', async () => {
		const unconfirmed = givenUpLoad([undefined], 300, { kind: 'aborted' }, 'no answer');
		const error = await unconfirmed.settle().catch((e: unknown) => e);
		assert.equal(unconfirmed.cancelled(), 1);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.mayBeInDoris, true);
		assert.match(error.message, /get_load_state does not confirm the label ABORTED/);
		const unanswered = await givenUpLoad([undefined]).settle().catch((e: unknown) => e);
		assert.ok(unanswered instanceof StreamLoadError);
		assert.equal(unanswered.mayBeInDoris, true);
	});

	// Late review session 20, C1: decoupled (cloud) Doris answers success to every cancel
	// (CloudGlobalTransactionMgr.abortTransaction by label never checks the meta-service's status), also for
	// a label that committed just before it; taken as aborted, its rows were redelivered and loaded twice.
	it('a cancel answered "success" for a label that committed meanwhile (cloud mode): loaded, as get_load_state says', async () => {
		const load = givenUpLoad(['PREPARE'], 600, { kind: 'aborted' }, 'VISIBLE');
		assert.equal((await load.settle()).labelExisted, true);
		assert.equal(load.cancelled(), 1);
		assert.deepEqual(load.warnings, [], 'not reported as cancelled');
	});
});
