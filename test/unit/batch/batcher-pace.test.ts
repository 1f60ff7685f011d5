import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { TargetBatcher } from '../../../src/batch/batcher';
import { json, limits, recorder } from './batcher-support';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i }));
/** Lets every promise continuation run (setImmediate is not mocked). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A batcher of 100-row batches with Batch Max Idle 1 s, on mocked timers and clock starting at 0. */
function pacedBatcher(t: TestContext) {
	t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
	const r = recorder();
	const b = new TargetBatcher(limits({ maxRows: 100, maxIntervalMs: 600_000, maxIdleMs: 1000 }), json, r.loader);
	const adds: Promise<unknown>[] = [];
	/** Executions `from`…`to - 1` add 10 rows each, `gapMs` apart (no wait after the last one). */
	const executions = async (from: number, to: number, gapMs: number) => {
		for (let i = from; i < to; i++) {
			adds.push(b.add([rows(10, i * 10)]));
			await settled();
			if (i < to - 1) t.mock.timers.tick(gapMs);
		}
	};
	return { r, adds, executions };
}

describe('TargetBatcher: the open batch once rows stop coming', () => {
	it('loads as soon as the running load ends when executions stopped adding at their pace (the trigger waits on them), not after max idle', async (t) => {
		const { r, adds, executions } = pacedBatcher(t);
		// Ten executions of 10 rows, one every 20 ms: the first batch fills and loads.
		await executions(0, 10, 20);
		const first = await r.nextLoad(1);
		assert.equal(first.batch.rows, 100);
		// Four more while it loads, then none: every execution the trigger may run waits on a batch.
		t.mock.timers.tick(20);
		await executions(10, 14, 20);
		t.mock.timers.tick(220);
		await settled();
		assert.equal(r.loads.length, 1, 'one load at a time: the open batch waits while the first loads');
		first.finish();
		const second = await r.nextLoad(2);
		assert.equal(second.batch.rows, 40, 'loaded when the first ended, 220 ms after the last add (max idle is 1000)');
		assert.equal(Date.now(), 480);
		second.finish();
		await Promise.all(adds);
	});

	it('seals when the rows stop while nothing loads, a few of their usual gaps after the last add', async (t) => {
		const { r, adds, executions } = pacedBatcher(t);
		await executions(0, 4, 20);
		t.mock.timers.tick(59);
		await settled();
		assert.equal(r.loads.length, 0, 'three gaps of 20 ms not passed yet');
		t.mock.timers.tick(1);
		const load = await r.nextLoad(1);
		assert.equal(load.batch.rows, 40);
		load.finish();
		await Promise.all(adds);
	});

	it('a batch under a quarter of max rows and bytes waits for max idle as before (a trickle keeps its pace: add-pace.test.ts)', async (t) => {
		const { r, adds, executions } = pacedBatcher(t);
		await executions(0, 2, 20);
		t.mock.timers.tick(900);
		await settled();
		assert.equal(r.loads.length, 0, '20 rows of 100: no early load');
		t.mock.timers.tick(200);
		assert.equal((await r.nextLoad(1)).batch.rows, 20);
		r.loads[0].finish();
		await Promise.all(adds);
	});
});
