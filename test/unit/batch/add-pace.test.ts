import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AddPace } from '../../../src/batch/add-pace';

describe('AddPace', () => {
	it('before any pace is known, quiet means the whole idle setting', () => {
		const pace = new AddPace();
		assert.equal(pace.quietMs(1000), 1000);
		pace.note(0, 1000);
		assert.equal(pace.quietMs(1000), 1000);
		assert.equal(pace.quietIn(400, 1000), 600);
	});

	it('a steady flow makes a few of its gaps count as quiet, never under the floor', () => {
		const pace = new AddPace();
		for (let at = 0; at <= 400; at += 40) pace.note(at, 1000);
		assert.equal(pace.quietMs(1000), 120);
		assert.equal(pace.quietIn(480, 1000), 40);
		assert.equal(pace.quietIn(520, 1000), 0);
		const fast = new AddPace();
		for (let at = 0; at <= 50; at += 5) fast.note(at, 1000);
		assert.equal(fast.quietMs(1000), 50, 'the floor');
	});

	it('a trickle keeps the idle setting, and a pause longer than it is not taken for the pace', () => {
		const trickle = new AddPace();
		for (let at = 0; at <= 8000; at += 800) trickle.note(at, 1000);
		assert.equal(trickle.quietMs(1000), 1000);
		const burst = new AddPace();
		burst.note(0, 1000);
		burst.note(60_000, 1000); // a quiet hour-long spell, then a burst
		assert.equal(burst.quietMs(1000), 1000, 'no pace learned from the pause');
		burst.note(60_020, 1000);
		assert.equal(burst.quietMs(1000), 60);
	});
});
