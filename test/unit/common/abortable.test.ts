// One abort signal bounds every wait it is passed to (src/common/abortable.ts), as close's deadline does.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { pause, untilAborted } from '../../../src/common/abortable';

test('untilAborted: true when the work resolves first, its rejection when it rejects first', async () => {
	const controller = new AbortController();
	assert.equal(await untilAborted(Promise.resolve('done'), controller.signal), true);
	await assert.rejects(untilAborted(Promise.reject(new Error('refused')), controller.signal), /refused/);
	assert.equal(await untilAborted(Promise.resolve(), undefined), true, 'without a signal it waits for the work');
});

test('untilAborted: false once the signal aborts, the work left unwatched (a later rejection is not unhandled)', async () => {
	const controller = new AbortController();
	let fail: (error: Error) => void = () => {};
	const work = new Promise<void>((_resolve, reject) => (fail = reject));
	const waiting = untilAborted(work, controller.signal);
	controller.abort();
	assert.equal(await waiting, false);
	fail(new Error('after the deadline'));
	assert.equal(await untilAborted(new Promise(() => {}), controller.signal), false, 'an aborted signal does not wait at all');
});

test('pause: false at once when the signal aborts, true when the time passed', async () => {
	const controller = new AbortController();
	const paused = pause(60_000, controller.signal);
	controller.abort();
	assert.equal(await paused, false);
	assert.equal(await pause(1), true);
});
