/**
 * The batcher with chunks of pre-serialised lines (packed items): accounted as one unit, sealing the
 * open batch first when a chunk would overflow it, cut at line ends only when a chunk is over the
 * limits on its own, back-pressure, failures reaching every caller, chunks and rows side by side in
 * the order of the parts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { LineChunk } from '../../../src/batch/batch-parts';
import { TargetBatcher } from '../../../src/batch/batcher';
import { AbortError } from '../../../src/doris/stream-load/errors';
import { json, limits, recorder } from './batcher-support';

/** `n` JSON lines with ids from `from`, as a packed item would carry them. */
function chunk(n: number, from = 0, pad = ''): LineChunk {
	let text = '';
	for (let i = 0; i < n; i++) text += `{"id":${from + i}${pad === '' ? '' : `,"p":"${pad}"`}}\n`;
	return { text, rows: n };
}

const lineCount = (text: string) => text.split('\n').length - 1;
const tick = () => new Promise((res) => setImmediate(res));

describe('TargetBatcher with chunks of lines', () => {
	it('a chunk is one unit: its lines as they are, its count as rows, resolved only after the load', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 10 }), json, r.loader);
		let settled = false;
		const c = chunk(4);
		const p = b.add([c]).then((res) => ((settled = true), res));
		await tick();
		assert.equal(r.loads.length, 0, 'under the limits: stays open');
		b.flush();
		const load = await r.nextLoad(1);
		assert.equal(load.text, c.text);
		assert.equal(load.batch.rows, 4);
		assert.equal(load.batch.bytes, Buffer.byteLength(c.text));
		await tick();
		assert.equal(settled, false, 'add() waits for the load');
		load.finish();
		const result = await p;
		assert.equal(result.rows, 4);
		assert.deepEqual(result.batches.map((x) => x.rows), [4]);
	});

	it('a chunk within the limits is held as its text, no bytes, until its batch loads: then encoded, to the length its caller said', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 100_000, maxBytes: 64 << 20, maxBufferedBytes: 128 << 20 }), json, r.loader);
		const c = chunk(50_000, 0, 'ü'.repeat(40)); // ~6 MB of UTF-8
		const byteLength = Buffer.byteLength(c.text);
		const before = process.memoryUsage().arrayBuffers;
		const p = b.add([{ ...c, byteLength }]);
		await tick();
		assert.equal(b.bufferedBytes, byteLength, 'counted at its length');
		const grew = process.memoryUsage().arrayBuffers - before;
		assert.ok(grew < byteLength / 4, `no bytes while its batch is open: ArrayBuffers grew by ${grew} for a ${byteLength}-byte chunk`);
		b.flush();
		const load = await r.nextLoad(1);
		assert.equal(load.text, c.text);
		assert.equal(load.batch.bytes, byteLength);
		load.finish();
		assert.equal((await p).rows, 50_000);
	});

	it('a chunk whose said length is not its UTF-8 fails its load: no body other than the one counted is sent', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 10_000 }), json, r.loader);
		const c = chunk(2000, 0, 'ü');
		const p = b.add([{ ...c, byteLength: c.text.length }]); // said shorter than it is
		b.flush();
		await assert.rejects(p, /a text said to take \d+ bytes takes more in UTF-8/);
		const q = b.add([{ ...c, byteLength: Buffer.byteLength(c.text) + 1 }]); // said longer than it is
		b.flush();
		await assert.rejects(q, /a text said to take \d+ bytes takes \d+ in UTF-8/);
		assert.equal(r.loads.length, 0, 'nothing sent');
	});

	it('a chunk that would take the open batch past max rows seals it first; a chunk that fills it seals it after', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 10 }), json, r.loader);
		const first = b.add([chunk(3, 0)]);
		const second = b.add([chunk(8, 3)]);
		const load1 = await r.nextLoad(1);
		assert.equal(load1.batch.rows, 3, 'sealed before the 8-line chunk, not cut');
		load1.finish();
		await first;
		const third = b.add([chunk(2, 11)]); // 8 + 2 = 10: fills the batch exactly
		const load2 = await r.nextLoad(2);
		assert.equal(load2.batch.rows, 10);
		assert.equal(load2.batch.executions, 2);
		load2.finish();
		assert.equal((await second).batches[0].batchId, (await third).batches[0].batchId);
	});

	it('a chunk that would take the open batch past max bytes seals it first', async () => {
		const r = recorder();
		const c1 = chunk(2, 0, 'x'.repeat(30));
		const c2 = chunk(2, 2, 'y'.repeat(30));
		const bytes = Buffer.byteLength(c1.text);
		const b = new TargetBatcher(limits({ maxBytes: bytes + 10 }), json, r.loader);
		const p1 = b.add([c1]);
		const p2 = b.add([c2]);
		const load1 = await r.nextLoad(1);
		assert.equal(load1.text, c1.text);
		load1.finish();
		b.flush();
		(await r.nextLoad(2)).finish();
		assert.equal(r.loads[1].text, c2.text);
		await Promise.all([p1, p2]);
	});

	it('a chunk over max rows on its own is cut at line ends into full batches; the caller waits for all of them', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 3 }), json, r.loader);
		const c = chunk(8);
		const p = b.add([c]);
		for (let n = 1; n <= 2; n++) (await r.nextLoad(n)).finish();
		await tick();
		assert.equal(r.loads.length, 2, 'the last 2 lines stay open for others');
		const other = b.add([chunk(1, 8)]);
		const last = await r.nextLoad(3);
		assert.deepEqual(r.loads.map((l) => l.batch.rows), [3, 3, 3]);
		assert.equal(last.batch.executions, 2);
		last.finish();
		const result = await p;
		assert.equal(result.rows, 8);
		assert.deepEqual(result.batches.map((x) => x.rows), [3, 3, 3]);
		assert.equal(r.loads.map((l) => l.text).join(''), c.text + chunk(1, 8).text, 'every line once, in order, none cut');
		await other;
	});

	it('a chunk over max bytes is cut at line ends (multi-byte text too); a single line over max bytes goes alone', async () => {
		const r = recorder();
		const lines = ['{"s":"é漢é漢"}\n', '{"s":"ab"}\n', `{"s":"${'漢'.repeat(20)}"}\n`, '{"s":"c"}\n', '{"s":"d"}\n'];
		const text = lines.join('');
		const b = new TargetBatcher(limits({ maxBytes: 30, maxIntervalMs: 20 }), json, r.loader);
		const p = b.add([{ text, rows: lines.length }]);
		for (let n = 1; r.loads.reduce((s, l) => s + l.batch.rows, 0) < lines.length; n++) (await r.nextLoad(n)).finish();
		await p;
		assert.equal(r.loads.map((l) => l.text).join(''), text);
		for (const load of r.loads) {
			assert.ok(load.text.endsWith('\n'), 'every batch ends at a line end');
			assert.equal(load.batch.rows, lineCount(load.text));
			assert.equal(load.batch.bytes, Buffer.byteLength(load.text));
			if (load.batch.rows > 1) assert.ok(load.batch.bytes <= 30, `${load.batch.bytes} bytes in ${load.batch.rows} lines`);
		}
		const long = r.loads.find((l) => l.text.includes('漢'.repeat(20)));
		assert.equal(long?.batch.rows, 1, 'the 67-byte line alone');
	});

	it('applies back-pressure to chunks: add() waits while buffered bytes are at the bound', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		const r = recorder();
		const c = (i: number) => chunk(5, 10 + i * 5, 'z'.repeat(10)); // equal sizes: ids of two digits
		const size = Buffer.byteLength(c(0).text);
		const bound = size * 2;
		let peak = 0;
		const b = new TargetBatcher(limits({ maxBytes: size, maxBufferedBytes: bound }), json, r.loader, {
			onBuffered: (bytes) => (peak = Math.max(peak, bytes)),
		});
		const adds = Array.from({ length: 6 }, (_, i) => b.add([c(i)]));
		const first = await r.nextLoad(1);
		// Past the interval: nothing but the first load's end may let a waiting chunk in.
		t.mock.timers.tick(120_000);
		await new Promise((resolve) => setImmediate(resolve));
		assert.equal(b.bufferedBytes, bound, 'one loading, one sealed behind it; the other four wait');
		assert.equal(r.loads.length, 1);
		first.finish();
		for (let n = 2; n <= 6; n++) (await r.nextLoad(n)).finish();
		const results = await Promise.all(adds);
		assert.equal(results.reduce((s, x) => s + x.rows, 0), 30);
		assert.ok(peak <= bound, `peak ${peak} > ${bound}`);
	});

	it('an aborted caller waiting on back-pressure stops waiting; its chunk never joins a batch', async () => {
		const r = recorder();
		const c = chunk(3);
		const size = Buffer.byteLength(c.text);
		const b = new TargetBatcher(limits({ maxBytes: size, maxBufferedBytes: size }), json, r.loader);
		const first = b.add([c]);
		const controller = new AbortController();
		const blocked = b.add([chunk(3, 3)], { signal: controller.signal });
		await r.nextLoad(1);
		controller.abort();
		await assert.rejects(blocked, AbortError);
		r.loads[0].finish();
		await first;
		await b.flushAndWait();
		assert.equal(r.loads.length, 1);
	});

	it('a failed load rejects every caller whose lines are in it, and only those', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 6 }), json, r.loader);
		const a = b.add([chunk(2, 0)]);
		const c = b.add([chunk(2, 2)]);
		const straddles = b.add([chunk(4, 4)]); // seals the first batch (2 + 2 + 4 > 6): next batch
		const rowsToo = b.add([[{ id: 8 }]]);
		(await r.nextLoad(1)).finish(new Error('Doris said no'));
		await assert.rejects(a, /Doris said no/);
		await assert.rejects(c, /Doris said no/);
		b.flush();
		const second = await r.nextLoad(2);
		assert.equal(second.batch.rows, 5);
		second.finish(new Error('second failed'));
		await assert.rejects(straddles, /second failed/);
		await assert.rejects(rowsToo, /second failed/);

		// A caller cut across two batches fails when either fails.
		const b2 = new TargetBatcher(limits({ maxRows: 2 }), json, r.loader);
		const cut = b2.add([chunk(4, 0)]);
		(await r.nextLoad(3)).finish();
		(await r.nextLoad(4)).finish(new Error('half failed'));
		await assert.rejects(cut, /half failed/);
	});

	it('rows and chunks in one call load in the order of the parts; callers share batches', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 100 }), json, r.loader);
		const rowsOnly = b.add([[{ id: 100 }]]);
		// An execution's items in offset order: a packed item, a misfit as a row, a packed item, rows.
		const mixed = b.add([chunk(2, 0), [{ id: 2 }], chunk(1, 3), [{ id: 4 }, { id: 5 }]]);
		const empty = b.add([{ text: '', rows: 0 }, []]);
		assert.deepEqual(await empty, { rows: 0, batches: [], rejected: [] }, 'nothing to load: resolved at once');
		b.flush();
		const load = await r.nextLoad(1);
		assert.equal(load.text, '{"id":100}\n{"id":0}\n{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}\n{"id":5}\n');
		assert.equal(load.batch.rows, 7);
		assert.equal(load.batch.executions, 2);
		load.finish();
		assert.equal((await mixed).rows, 6);
		assert.equal((await rowsOnly).rows, 1);
	});

	it('parts in order across a batch boundary: the part that does not fit starts the next batch, the order kept', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxRows: 4 }), json, r.loader);
		const p = b.add([[{ id: 0 }, { id: 1 }], chunk(3, 2), [{ id: 5 }]]);
		const first = await r.nextLoad(1);
		assert.equal(first.text, '{"id":0}\n{"id":1}\n', 'the 3-line chunk would overflow: sealed before it');
		first.finish();
		b.flush();
		const second = await r.nextLoad(2);
		assert.equal(second.text, '{"id":2}\n{"id":3}\n{"id":4}\n{"id":5}\n');
		second.finish();
		assert.deepEqual((await p).batches.map((x) => x.rows), [2, 4]);
	});

	it('a bad row in any part fails the call before any part joins the batch (rows numbered across parts)', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits(), json, r.loader);
		const bad = { big: 1n } as unknown as Record<string, unknown>;
		await assert.rejects(b.add([chunk(1), [{ id: 1 }], chunk(1), [{ id: 2 }, bad]]), /Row 2: .*BigInt/);
		assert.equal(b.pendingBatches, 0);
		assert.equal(b.bufferedBytes, 0);
	});

	it('a chunk waits for the interval (or max idle) like rows, and flushNow seals at once', async () => {
		const r = recorder();
		const b = new TargetBatcher(limits({ maxIntervalMs: 40 }), json, r.loader);
		const started = Date.now();
		const p = b.add([chunk(2)]);
		const load = await r.nextLoad(1);
		assert.ok(Date.now() - started >= 35, 'sealed by the interval');
		load.finish();
		await p;

		const idle = new TargetBatcher(limits({ maxIntervalMs: 600_000, maxIdleMs: 30 }), json, r.loader);
		const i1 = idle.add([chunk(2)]);
		const i2 = idle.add([chunk(2, 2)]);
		const idleLoad = await r.nextLoad(2);
		assert.equal(idleLoad.batch.rows, 4);
		idleLoad.finish();
		await Promise.all([i1, i2]);

		const now = new TargetBatcher(limits({ maxIntervalMs: 600_000 }), json, r.loader);
		const n = now.add([chunk(1)], { flushNow: true });
		(await r.nextLoad(3)).finish();
		assert.equal((await n).rows, 1);
	});
});
