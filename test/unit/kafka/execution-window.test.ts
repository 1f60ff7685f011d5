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

	it('a wait ends on timeout (false) and on abort (false)', async () => {
		const w = new ExecutionWindow(1);
		w.acquire();
		assert.equal(await w.waitForChange(10), false);
		const controller = new AbortController();
		const waiting = w.waitForChange(5_000, controller.signal);
		controller.abort();
		assert.equal(await waiting, false);
	});

	it('drain waits for all in flight, bounded', async () => {
		const w = new ExecutionWindow(3);
		w.acquire();
		w.acquire();
		setTimeout(() => w.release(), 10);
		setTimeout(() => w.release(), 20);
		assert.equal(await w.drain(2_000), true);
		w.acquire();
		assert.equal(await w.drain(30), false);
	});

	it('rejects a window that is not a positive whole number, naming the value', () => {
		assert.throws(() => new ExecutionWindow(0), /got 0/);
		assert.throws(() => new ExecutionWindow(1.5), /got 1.5/);
	});
});
