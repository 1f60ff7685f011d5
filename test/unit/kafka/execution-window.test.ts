import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExecutionWindow } from '../../../src/kafka/execution-window';

describe('ExecutionWindow', () => {
	it('reports full and room, and wakes a waiter when a slot frees', async () => {
		const changes: Array<[number, boolean]> = [];
		const w = new ExecutionWindow(2, (n, full) => changes.push([n, full]));
		w.acquire();
		w.acquire();
		assert.equal(w.hasRoom, false);
		const waiting = w.waitForChange(5_000);
		w.release();
		assert.equal(await waiting, true);
		assert.equal(w.hasRoom, true);
		assert.deepEqual(changes, [
			[1, false],
			[2, true],
			[1, false],
		]);
	});

	it('a wait ends on timeout (false) and on abort (false)', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
		const w = new ExecutionWindow(1);
		w.acquire();
		const timingOut = w.waitForChange(10);
		t.mock.timers.tick(10);
		assert.equal(await timingOut, false);
		const controller = new AbortController();
		const waiting = w.waitForChange(5_000, controller.signal);
		controller.abort();
		assert.equal(await waiting, false);
	});

	it('drain waits for all in flight, bounded', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
		const settled = () => new Promise((resolve) => setImmediate(resolve));
		const w = new ExecutionWindow(3);
		w.acquire();
		w.acquire();
		let drained: boolean | undefined;
		void w.drain(2_000).then((result) => (drained = result));
		w.release();
		await settled();
		assert.equal(drained, undefined, 'one still in flight');
		w.release();
		await settled();
		assert.equal(drained, true);
		w.acquire();
		let bounded: boolean | undefined;
		const boundedDrain = w.drain(30).then((result) => (bounded = result));
		t.mock.timers.tick(29);
		await settled();
		assert.equal(bounded, undefined, 'still waiting 1 ms before its bound');
		t.mock.timers.tick(1);
		await boundedDrain;
		assert.equal(bounded, false);
	});

	it('rejects a window that is not a positive whole number, naming the value', () => {
		assert.throws(() => new ExecutionWindow(0), /got 0/);
		assert.throws(() => new ExecutionWindow(1.5), /got 1.5/);
	});
});
