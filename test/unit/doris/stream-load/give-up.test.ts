/**
 * A load its caller gave up at a deadline's margin after an attempt began (give-up.ts, review session 19,
 * R2): its label is looked up until `settleBy`, because a BE that has the body commits without its client.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AbortError, StreamLoadError } from '../../../../src/doris/stream-load/errors';
import { givenUpAfterAttempt, settleGivenUp } from '../../../../src/doris/stream-load/give-up';
import { guardLabels } from '../../../../src/doris/stream-load/label-guard';
import { LoadHistory, type LoadCall } from '../../../../src/doris/stream-load/load-call';
import type { LabelState } from '../../../../src/doris/stream-load/load-state';

const givenUp = new AbortError();

/** A given-up call whose get_load_state answers `states` in turn (the last one again), looked up for `forMs`. */
function givenUpLoad(states: Array<LabelState | undefined>, forMs = 300) {
	let asked = 0;
	const guard = guardLabels(() => Promise.reject(new Error('a given-up load must not be sent again')), {
		labelState: (_db, _label, signal) => (signal?.aborted === true ? Promise.reject(new AbortError()) : Promise.resolve(states[Math.min(asked++, states.length - 1)])),
		wait: { pollIntervalMs: 20, maxWaitMs: 600_000 },
	});
	const history = new LoadHistory();
	history.attempts = 1;
	const call: LoadCall = {
		request: { database: 'd', table: 't', label: 'l1', headers: {}, body: [], rows: 2, signal: AbortSignal.abort(), settleBy: Date.now() + forMs },
		attempt: 1,
		history,
	};
	return { call, settle: () => settleGivenUp(guard, call, givenUp), asked: () => asked };
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

	it('VISIBLE or COMMITTED (committed before, answering after): loaded', async () => {
		for (const state of ['VISIBLE', 'COMMITTED']) assert.equal((await givenUpLoad([state]).settle()).labelExisted, true);
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

	it('still PREPARE when the time is up: fails flagged mayBeInDoris, saying it may still commit', async () => {
		const error = await givenUpLoad(['PREPARE']).settle().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.mayBeInDoris, true);
		assert.equal(error.retryable, false);
		assert.equal(error.label, 'l1');
		assert.match(error.message, /still PREPARE/);
		assert.match(error.message, /may still commit/);
	});

	it('no FE answers get_load_state: fails flagged mayBeInDoris', async () => {
		const error = await givenUpLoad([undefined]).settle().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.mayBeInDoris, true);
	});
});
