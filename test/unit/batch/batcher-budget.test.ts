// The batcher's deadlines (Keep Order per Partition) and the process-wide memory budget shared by
// every table's batcher (src/batch/memory-budget.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TargetBatcher } from '../../../src/batch/batcher';
import { MemoryBudget, processBufferBytes } from '../../../src/batch/memory-budget';
import { json, limits, recorder } from './batcher-support';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i }));
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('TargetBatcher: deadlines', () => {
	it('seals a batch ahead of its rows\' earliest deadline (not at its interval) and tells the loader the deadline', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
		const r = recorder();
		const b = new TargetBatcher(limits({ maxIntervalMs: 600_000 }), json, r.loader);
		const late = b.add([rows(1)], { deadline: 1_000_000 + 60_000 });
		const early = b.add([rows(1, 1)], { deadline: 1_000_000 + 20_000 });
		await settled();
		t.mock.timers.tick(14_999);
		await settled();
		assert.equal(r.loads.length, 0, 'open until 5 s before the earliest deadline');
		t.mock.timers.tick(1);
		const load = await r.nextLoad(1);
		assert.equal(load.batch.deadline, 1_000_000 + 20_000);
		assert.equal(load.batch.rows, 2);
		load.finish();
		await Promise.all([late, early]);
		// Rows without a deadline: the batch waits for its interval as before, and says none.
		const plain = b.add([rows(1, 2)]);
		await settled();
		t.mock.timers.tick(599_999);
		await settled();
		assert.equal(r.loads.length, 1);
		t.mock.timers.tick(1);
		const second = await r.nextLoad(2);
		assert.equal(second.batch.deadline, undefined);
		second.finish();
		await plain;
	});
});

describe('MemoryBudget: one cap across every table', () => {
	it('an add to another table waits while the process budget is spent, and the biggest open batch anywhere is sealed to make room', async () => {
		const budget = new MemoryBudget(100);
		const a = recorder();
		const b = recorder();
		const tableA = new TargetBatcher(limits({ maxIntervalMs: 600_000 }), json, a.loader, {}, budget);
		const tableB = new TargetBatcher(limits({ maxIntervalMs: 600_000 }), json, b.loader, {}, budget);
		const addA = tableA.add([rows(10)]); // 10 lines of 9 bytes: 90 of the 100
		await settled();
		assert.equal(budget.used, 90);
		assert.equal(a.loads.length, 0, 'A waits for its interval while nobody needs room');
		let bAdded = false;
		const addB = tableB.add([rows(2, 100)]).then((result) => ((bAdded = true), result));
		const loadA = await a.nextLoad(1);
		assert.equal(loadA.batch.rows, 10, "B's need sealed A's open batch (the biggest) at once");
		const loadB = await b.nextLoad(1);
		assert.equal(loadB.batch.rows, 1, 'B got one line in before the budget was spent; the other waits');
		loadA.finish();
		await addA;
		await settled();
		loadB.finish();
		await settled();
		tableB.flush();
		const rest = await b.nextLoad(2);
		assert.equal(rest.batch.rows, 1);
		rest.finish();
		await addB;
		assert.equal(bAdded, true);
		assert.equal(budget.used, 0, 'every byte given back once loaded');
	});

	it('the cap comes from DORIS_SINKER_MAX_BUFFERED_MB (default 512 MB); a bad value is refused naming it', () => {
		assert.equal(processBufferBytes({}), 512 * 1024 * 1024);
		assert.equal(processBufferBytes({ DORIS_SINKER_MAX_BUFFERED_MB: '64' }), 64 * 1024 * 1024);
		assert.throws(() => processBufferBytes({ DORIS_SINKER_MAX_BUFFERED_MB: 'lots' }), /DORIS_SINKER_MAX_BUFFERED_MB must be a number of megabytes above 0, not "lots"/);
	});
});
