import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TargetBatcher, type LineVerdicts } from '../../../src/batch/batcher';
import { AbortError } from '../../../src/doris/stream-load/errors';
import { json, limits, recorder } from './batcher-support';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i }));
/** Lets every promise continuation run (setImmediate is not mocked: the batcher's timers are setTimeout). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('TargetBatcher', () => {
	it('with max idle, seals the open batch once no execution added rows for that long (not at max interval)', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		const r = recorder();
		const b = new TargetBatcher(limits({ maxIntervalMs: 600_000, maxIdleMs: 30 }), json, r.loader);
		const first = b.add([rows(2)]);
		const second = b.add([rows(2, 2)]); // within the idle time: same batch
		await settled();
		t.mock.timers.tick(29);
		await settled();
		assert.equal(r.loads.length, 0, 'still open 1 ms before max idle');
		t.mock.timers.tick(1);
		const load = await r.nextLoad(1);
		assert.equal(load.batch.rows, 4);
		assert.equal(load.batch.executions, 2);
		load.finish();
		await Promise.all([first, second]);
		// Without max idle the same batch would wait out the interval.
		const plain = new TargetBatcher(limits({ maxIntervalMs: 600_000 }), json, recorder().loader);
		void plain.add([rows(1)]);
		await settled();
		t.mock.timers.tick(599_999);
		await settled();
		assert.equal(plain.pendingBatches, 1);
		plain.flush();
		assert.throws(() => new TargetBatcher(limits({ maxIdleMs: 0 }), json, r.loader), /max idle = 0/);
	});

	it('flushes at max rows and resolves add() only after the batch loaded', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 3 }), json, r.loader);
		let settled = false;
		const p = b.add([rows(3)]).then((res) => ((settled = true), res));
		const load = await r.nextLoad(1);
		assert.equal(load.text, '{"id":0}\n{"id":1}\n{"id":2}\n');
		assert.equal(load.batch.rows, 3);
		await new Promise((res) => setImmediate(res));
		assert.equal(settled, false, 'add() must wait for the load');
		load.finish();
		const result = await p;
		assert.equal(result.rows, 3);
		assert.deepEqual(result.batches.map((x) => x.result), ['loaded 1']);
	});

	it('flushes at max bytes, counting serialised bytes', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxBytes: 20 }), json, r.loader);
		const p = b.add([rows(4)]);
		const first = await r.nextLoad(1);
		assert.equal(first.batch.bytes, Buffer.byteLength(first.text));
		assert.ok(first.batch.bytes >= 20 && first.batch.rows === 3, `${first.batch.rows} rows, ${first.batch.bytes} bytes`);
		first.finish();
		b.flush();
		(await r.nextLoad(2)).finish();
		const result = await p;
		assert.equal(result.batches.length, 2, 'rows straddling two batches wait for both');
	});

	it('flushes at the interval', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		const r = recorder();
		const b = new TargetBatcher(limits({ maxIntervalMs: 30 }), json, r.loader);
		const p = b.add([rows(2)]);
		await settled();
		t.mock.timers.tick(29);
		await settled();
		assert.equal(r.loads.length, 0, 'not before the interval');
		t.mock.timers.tick(1);
		const load = await r.nextLoad(1);
		load.finish();
		assert.equal((await p).batches[0].rows, 2);
	});

	it('coalesces many executions into one batch and counts them', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 100 }), json, r.loader);
		const adds = Array.from({ length: 20 }, (_, i) => b.add([rows(5, i * 5)]));
		const load = await r.nextLoad(1);
		assert.equal(load.batch.rows, 100);
		assert.equal(load.batch.executions, 20);
		load.finish();
		const results = await Promise.all(adds);
		assert.ok(results.every((x) => x.batches[0].executions === 20));
		assert.equal(r.loads.length, 1);
	});

	it('a failed load rejects every execution in the batch, and only those', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 2 }), json, r.loader);
		const a1 = b.add([rows(1)]);
		const a2 = b.add([rows(1)]);
		const a3 = b.add([rows(1)]);
		(await r.nextLoad(1)).finish(new Error('Doris said no'));
		await assert.rejects(a1, /Doris said no/);
		await assert.rejects(a2, /Doris said no/);
		b.flush();
		(await r.nextLoad(2)).finish();
		assert.equal((await a3).rows, 1);
	});

	it('keeps loads in order with one in flight', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 1 }), json, r.loader);
		const p = b.add([rows(3)]);
		const first = await r.nextLoad(1);
		// Past every interval: nothing but the first load's end may start the second.
		t.mock.timers.tick(120_000);
		await settled();
		assert.equal(r.loads.length, 1, 'second load waits for the first');
		first.finish();
		(await r.nextLoad(2)).finish();
		(await r.nextLoad(3)).finish();
		await p;
		assert.deepEqual(r.loads.map((l) => l.text), ['{"id":0}\n', '{"id":1}\n', '{"id":2}\n']);
	});

	it('applies back-pressure: add() waits while buffered bytes are at the bound', async (t) => {
		const r = recorder();
		const bound = 200;
		let peak = 0;
		t.mock.timers.enable({ apis: ['setTimeout'] });
		const b = new TargetBatcher(limits({ maxBytes: 100, maxBufferedBytes: bound, maxIntervalMs: 20 }), json, r.loader, {
			onBuffered: (bytes) => (peak = Math.max(peak, bytes)),
		});
		const p = b.add([rows(100)]);
		const first = await r.nextLoad(1);
		// Past the interval: a batch that could seal would have.
		t.mock.timers.tick(50);
		await settled();
		// One batch loading, one sealed behind it: the bound is reached and add() is blocked.
		assert.ok(b.bufferedBytes >= bound && b.bufferedBytes <= bound + 10, `buffered ${b.bufferedBytes}`);
		assert.equal(r.loads.length, 1);
		first.finish();
		// The rest: each load finished as it starts, time moved on by an interval whenever none is waiting.
		for (let finished = 1, steps = 0; r.loads.reduce((sum, l) => sum + l.batch.rows, 0) < 100 || finished < r.loads.length; steps++) {
			assert.ok(steps < 1000, `stuck with ${r.loads.length} loads`);
			if (finished < r.loads.length) r.loads[finished++].finish();
			else t.mock.timers.tick(20);
			await settled();
		}
		const result = await p;
		assert.equal(result.batches.reduce((sum, x) => sum + x.rows, 0), 100);
		assert.ok(peak <= bound + 10, `peak ${peak}`);
	});

	it('flushNow seals at once (manual runs)', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits(), json, r.loader);
		const p = b.add([rows(1)], { flushNow: true });
		(await r.nextLoad(1)).finish();
		assert.equal((await p).rows, 1);
	});

	it('a bad row fails its execution before any of its rows joins the shared batch', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits(), json, r.loader);
		const ok = b.add([rows(1)]);
		await assert.rejects(b.add([[{ id: 1 }, { big: 1n } as unknown as Record<string, unknown>]]), /Row 1: .*BigInt/);
		b.flush();
		const load = await r.nextLoad(1);
		assert.equal(load.batch.rows, 1);
		load.finish();
		await ok;
	});

	it('an aborted execution stops waiting, its rows out of the open batch (batcher-withdraw.test.ts); the batch still loads for the others', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits(), json, r.loader);
		const controller = new AbortController();
		const aborted = b.add([rows(1)], { signal: controller.signal });
		const other = b.add([rows(1)]);
		controller.abort();
		await assert.rejects(aborted, AbortError);
		await b.flush();
		(await r.nextLoad(1)).finish();
		assert.equal((await other).batches[0].rows, 1);
	});

	it('flushAndWait settles everything buffered', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits(), json, r.loader);
		const p = b.add([rows(2)]);
		const done = b.flushAndWait();
		(await r.nextLoad(1)).finish();
		await done;
		await p;
		assert.equal(b.pendingBatches, 0);
	});
});

describe('TargetBatcher line verdicts', () => {
	it('a refused line goes back to the call that added it, numbered as that call counted its rows; the others succeed', async () => {
		const loads: Array<{ rows: number; verdicts: LineVerdicts<string> }> = [];
		let finish!: () => void;
		const loaded = new Promise<void>((resolve) => (finish = resolve));
		const b = new TargetBatcher<string, string>(limits({ maxRows: 6 }), json, async (batch, verdicts) => {
			loads.push({ rows: batch.rows, verdicts });
			// Lines: a0 a1 | b0 b1 (chunk) | a2 | b2 — refuse line 3 (b's row 1) and line 4 (a's row 2).
			verdicts.reject(3, 'b1 bad');
			verdicts.reject(4, 'a2 bad');
			await loaded;
			return 'ok';
		});
		const a = b.add([rows(2)]);
		const c = b.add([{ text: '{"b":0}\n{"b":1}\n', rows: 2 }]);
		const a2 = b.add([rows(1)]);
		const c2 = b.add([rows(1)]);
		finish();
		const [ra, rc, ra2, rc2] = await Promise.all([a, c, a2, c2]);
		assert.deepEqual([ra.rejected, rc.rejected, ra2.rejected, rc2.rejected], [[], [{ row: 1, reason: 'b1 bad' }], [{ row: 0, reason: 'a2 bad' }], []]);
		assert.equal(loads.length, 1);
	});

	it('lines marked failed fail only the calls owning them', async () => {
		const b = new TargetBatcher<string, string>(limits({ maxRows: 4 }), json, async (_batch, verdicts) => {
			verdicts.fail(2, 4, new Error('part failed'));
			return 'ok';
		});
		const first = b.add([rows(2)]);
		const second = b.add([rows(2)]);
		assert.deepEqual((await first).rejected, []);
		await assert.rejects(second, /part failed/);
	});

	it('a call whose rows straddle two batches collects its refused rows from both', async () => {
		let n = 0;
		const b = new TargetBatcher<string, string>(limits({ maxRows: 3 }), json, async (_batch, verdicts) => {
			n++;
			verdicts.reject(n === 1 ? 2 : 0, `batch ${n}`);
			return 'ok';
		});
		const adding = b.add([rows(5)]);
		b.flush();
		const r = await adding;
		assert.deepEqual(r.rejected, [{ row: 2, reason: 'batch 1' }, { row: 3, reason: 'batch 2' }]);
	});
});
