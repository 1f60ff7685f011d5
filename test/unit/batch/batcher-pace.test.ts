import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TargetBatcher } from '../../../src/batch/batcher';
import { json, limits, recorder } from './batcher-support';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i }));
/** Lets every promise continuation run (setImmediate is not mocked). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('TargetBatcher: the open batch once rows stop coming', () => {
	it('loads as soon as the running load ends when executions stopped adding at their pace (the trigger waits on them), not after max idle', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 100, maxIntervalMs: 600_000, maxIdleMs: 1000 }), json, r.loader);
		const adds: Promise<unknown>[] = [];
		// Ten executions of 10 rows, one every 20 ms: the first batch fills and loads.
		for (let i = 0; i < 10; i++) {
			adds.push(b.add([rows(10, i * 10)]));
			await settled();
			t.mock.timers.tick(20);
		}
		const first = await r.nextLoad(1);
		assert.equal(first.batch.rows, 100);
		// Four more while it loads, then none: every execution the trigger may run waits on a batch.
		for (let i = 10; i < 14; i++) {
			adds.push(b.add([rows(10, i * 10)]));
			await settled();
			t.mock.timers.tick(20);
		}
		t.mock.timers.tick(200);
		await settled();
		assert.equal(r.loads.length, 1, 'one load at a time: the open batch waits while the first loads');
		first.finish();
		const second = await r.nextLoad(2);
		assert.equal(second.batch.rows, 40, 'loaded when the first ended, 300 ms after the last add (max idle is 1000)');
		assert.equal(Date.now(), 480);
		second.finish();
		await Promise.all(adds);
	});

	it('seals when the rows stop while nothing loads, a few of their usual gaps after the last add', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 100, maxIntervalMs: 600_000, maxIdleMs: 1000 }), json, r.loader);
		const adds: Promise<unknown>[] = [];
		for (let i = 0; i < 4; i++) {
			adds.push(b.add([rows(10, i * 10)]));
			await settled();
			if (i < 3) t.mock.timers.tick(20);
		}
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
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
		const r = recorder();
		const small = new TargetBatcher(limits({ maxRows: 100, maxIntervalMs: 600_000, maxIdleMs: 1000 }), json, r.loader);
		const adds: Promise<unknown>[] = [];
		for (let i = 0; i < 2; i++) {
			adds.push(small.add([rows(10, i * 10)]));
			await settled();
			if (i < 1) t.mock.timers.tick(20);
		}
		t.mock.timers.tick(900);
		await settled();
		assert.equal(r.loads.length, 0, '20 rows of 100: no early load');
		t.mock.timers.tick(200);
		assert.equal((await r.nextLoad(1)).batch.rows, 20);
		r.loads[0].finish();
		await Promise.all(adds.splice(0));
		await Promise.all(adds);
	});
});
