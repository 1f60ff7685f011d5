// An execution stopped in n8n (its cancel signal aborts) while its rows wait in the shared batch
// (src/batch/withdraw.ts): before, its rows stayed and loaded, and the Kafka trigger's redelivery of the
// stopped execution loaded them again. Now they come out of every batch not sent yet, and only those.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TargetBatcher, type LineVerdicts, type SealedBatch, type StoppedRows } from '../../../src/batch/batcher';
import { ByteBuffer } from '../../../src/batch/byte-buffer';
import { MemoryBudget } from '../../../src/batch/memory-budget';
import { reportStopped } from '../../../src/batch/withdraw';
import { AbortError } from '../../../src/doris/stream-load/errors';
import { json, limits, recorder } from './batcher-support';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i }));
const tick = () => new Promise((resolve) => setImmediate(resolve));
/** A packed item's lines: one chunk, kept as its text when ≥ 16 KB (byte-buffer.ts). */
const chunk = (n: number, from: number, pad = '') => {
	let text = '';
	for (let i = 0; i < n; i++) text += `{"id":${from + i}${pad === '' ? '' : `,"p":"${pad}"`}}\n`;
	return { text, rows: n };
};
const ids = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { id: number }).id);

describe('TargetBatcher: a stopped execution\'s rows', () => {
	it('come out of the open batch: the others load exactly as before, their refused rows numbered as they counted them', async () => {
		const loads: Array<{ batch: SealedBatch; text: string }> = [];
		const stops: StoppedRows<string>[] = [];
		const b = new TargetBatcher<string, string>(
			limits({ maxRows: 100 }),
			json,
			async (batch, verdicts: LineVerdicts<string>) => {
				loads.push({ batch, text: Buffer.concat(batch.body).toString() });
				// Lines after the withdrawal: a0 a1 | c0 c1 c2 (chunk) | a2 — refuse c's row 1 and a's row 2.
				verdicts.reject(3, 'c1 bad');
				verdicts.reject(5, 'a2 bad');
				return 'ok';
			},
			{ onStopped: (s) => stops.push(s) },
		);
		const stop = new AbortController();
		const a = b.add([rows(2, 0)]);
		// Its packed lines are over 16 KB: kept as their text until the load (byte-buffer.ts), dropped whole.
		const packed = chunk(2, 110, 'p'.repeat(9000));
		const stopped = b.add([rows(3, 100), packed], { signal: stop.signal });
		const c = b.add([chunk(3, 200)]);
		const a2 = b.add([rows(1, 2)]);
		const stoppedAgain = b.add([rows(1, 120)], { signal: stop.signal });
		await tick();
		const before = b.bufferedBytes;
		stop.abort();
		await assert.rejects(stopped, AbortError);
		await assert.rejects(stoppedAgain, AbortError);
		assert.deepEqual(stops, [
			{ withdrawn: 5, stranded: [] },
			{ withdrawn: 1, stranded: [] },
		]);
		const gone = Buffer.byteLength(`{"id":100}\n{"id":101}\n{"id":102}\n${packed.text}{"id":120}\n`);
		assert.equal(b.bufferedBytes, before - gone, 'its bytes are given back');
		b.flush();
		const [ra, rc, ra2] = await Promise.all([a, c, a2]);
		assert.equal(loads.length, 1);
		assert.deepEqual(ids(loads[0].text), [0, 1, 200, 201, 202, 2]);
		assert.equal(loads[0].batch.rows, 6);
		assert.equal(loads[0].batch.bytes, Buffer.byteLength(loads[0].text));
		assert.equal(loads[0].batch.executions, 3);
		assert.deepEqual(
			loads[0].batch.owners.map(({ from, to, owner }) => [from, to, owner]),
			[
				[0, 2, 0],
				[2, 5, 1],
				[5, 6, 2],
			],
		);
		assert.deepEqual([ra.rejected, rc.rejected, ra2.rejected], [[], [{ row: 1, reason: 'c1 bad' }], [{ row: 0, reason: 'a2 bad' }]]);
		assert.equal(b.bufferedBytes, 0);
	});

	it('come out of a sealed batch still waiting for its load slot; a batch being sent keeps them, and onStopped says how many', async () => {
		const r = recorder();
		const stops: StoppedRows<string>[] = [];
		const b = new TargetBatcher(limits({ maxRows: 4, maxInFlight: 1 }), json, r.loader, { onStopped: (s) => stops.push(s) });
		const stop = new AbortController();
		const other = b.add([rows(2, 0)]);
		const stopped = b.add([rows(4, 100)], { signal: stop.signal }); // 2 rows fill batch 1 (sent), 2 open batch 2
		const later = b.add([rows(2, 10)]); // fill batch 2: sealed, waiting behind batch 1
		const sending = await r.nextLoad(1);
		const sentText = sending.text;
		await tick();
		assert.equal(b.pendingBatches, 2);
		stop.abort();
		await assert.rejects(stopped, AbortError);
		assert.deepEqual(stops, [{ withdrawn: 2, stranded: [{ batchId: 1, rows: 2, state: 'sending' }] }]);
		assert.equal(sending.text, sentText);
		sending.finish();
		const queued = await r.nextLoad(2);
		assert.deepEqual(ids(queued.text), [10, 11], 'the waiting batch lost the stopped rows');
		assert.equal(queued.batch.executions, 1);
		queued.finish();
		assert.equal((await other).batches[0].rows, 4, 'the batch being sent loaded as it was');
		assert.equal((await later).batches[0].rows, 2);
	});

	it('rows in a batch that already loaded are reported as loaded, with the loader\'s result', async () => {
		const r = recorder();
		const stops: StoppedRows<string>[] = [];
		const b = new TargetBatcher(limits({ maxRows: 2 }), json, r.loader, { onStopped: (s) => stops.push(s) });
		const stop = new AbortController();
		const stopped = b.add([rows(3)], { signal: stop.signal }); // batch 1 full and sent, batch 2 open with 1
		(await r.nextLoad(1)).finish();
		await tick();
		stop.abort();
		await assert.rejects(stopped, AbortError);
		assert.deepEqual(stops, [{ withdrawn: 1, stranded: [{ batchId: 1, rows: 2, state: 'loaded', result: 'loaded 1' }] }]);
		b.flush();
		await tick();
		assert.equal(r.loads.length, 1, 'the open batch held only its rows: dropped, nothing to load');
		assert.equal(b.pendingBatches, 0);
		assert.equal(b.bufferedBytes, 0);
	});

	it('give their memory back, to the batcher and the process budget: an add waiting for room gets in', async () => {
		const budget = new MemoryBudget(1000);
		const r = recorder();
		// 58 bytes: batch 1 (2 lines of 9 bytes, being sent) and the stopped call's 4 lines of 10 bytes.
		const b = new TargetBatcher(limits({ maxIntervalMs: 600_000, maxBytes: 58, maxBufferedBytes: 58 }), json, r.loader, {}, budget);
		const stop = new AbortController();
		const first = b.add([rows(2, 0)], { flushNow: true });
		const sending = await r.nextLoad(1);
		const stopped = b.add([rows(4, 10)], { signal: stop.signal });
		await tick();
		assert.equal(budget.used, 58);
		let added = false;
		const waiting = b.add([rows(1, 20)]).then(() => (added = true));
		await tick();
		assert.equal(b.bufferedBytes, 58, 'the cap is reached: the add waits for room');
		stop.abort();
		await assert.rejects(stopped, AbortError);
		await tick();
		assert.equal(b.bufferedBytes, 28, 'the stopped rows\' 40 bytes are free again, and the waiting row got in');
		assert.equal(budget.used, 28);
		sending.finish();
		await first;
		b.flush();
		(await r.nextLoad(2)).finish();
		await waiting;
		assert.equal(added, true);
		assert.deepEqual(ids(r.loads[1].text), [20]);
		assert.equal(budget.used, 0);
	});

	// Late review session 20, W1: the withdrawal woke the stopped call's own wait for room, and the call then
	// appended its remaining rows (here 102 and 103) after they were taken out: loaded, unreported.
	it('a call stopped while it waits for room appends nothing after its withdrawal', async () => {
		const r = recorder();
		const stops: StoppedRows<string>[] = [];
		const line = Buffer.byteLength('{"id":100}\n');
		const b = new TargetBatcher<string>(limits({ maxRows: 2, maxBytes: 3 * line, maxBufferedBytes: 3 * line, maxInFlight: 1 }), json, r.loader, { onStopped: (s) => stops.push(s) });
		const other = b.add([rows(2, 0)]);
		const first = await r.nextLoad(1); // the other call's batch is loading: the only slot
		const stop = new AbortController();
		const stopped = b.add([rows(6, 100)], { signal: stop.signal });
		await tick(); // 2 of its rows are in the open batch; it waits for room for the other 4
		stop.abort();
		await assert.rejects(stopped, AbortError);
		assert.deepEqual(stops, [{ withdrawn: 2, stranded: [] }]);
		first.finish();
		await other;
		for (let n = 2; ; n++) {
			b.flush();
			await tick();
			if (r.loads.length < n) break;
			r.loads[n - 1].finish();
			await tick();
		}
		assert.deepEqual(r.loads.slice(1).flatMap((l) => ids(l.text)), [], 'no row of the stopped call loads after its withdrawal');
		assert.equal(b.bufferedBytes, 0);
	});

	it('take their deadline with them: the batch seals at its interval, not ahead of the stopped rows\' deadline', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
		const r = recorder();
		const b = new TargetBatcher(limits({ maxIntervalMs: 60_000 }), json, r.loader);
		const stop = new AbortController();
		const stopped = b.add([rows(1, 100)], { signal: stop.signal, deadline: 1_000_000 + 20_000 });
		const later = b.add([rows(1)], { deadline: 1_000_000 + 600_000 });
		const plain = b.add([rows(1, 1)]);
		await tick();
		stop.abort();
		await assert.rejects(stopped, AbortError);
		t.mock.timers.tick(59_999);
		await tick();
		assert.equal(r.loads.length, 0, 'not sealed 5 s before the stopped rows\' deadline');
		t.mock.timers.tick(1);
		const load = await r.nextLoad(1);
		assert.equal(load.batch.deadline, 1_000_000 + 600_000);
		assert.deepEqual(ids(load.text), [0, 1]);
		load.finish();
		await Promise.all([later, plain]);
	});
});

describe('ByteBuffer.drop', () => {
	it('cuts whole appends out of copied rows, large byte chunks and texts kept whole', () => {
		const buffer = new ByteBuffer();
		const big = 'x'.repeat(20_000) + '\n';
		const bigBytes = Buffer.from('y'.repeat(30_000) + '\n');
		const spans: Array<[number, number]> = [];
		const add = (bytes: number) => spans.push([buffer.byteLength - bytes, buffer.byteLength]);
		add(buffer.append('a\n'));
		add(buffer.append('b\n'));
		add(buffer.appendText(big, big.length));
		add(buffer.append('c\n'));
		add(buffer.appendBytes(bigBytes));
		add(buffer.append('d\n'));
		const dropped = buffer.drop([
			{ from: spans[1][0], to: spans[2][1] },
			{ from: spans[4][0], to: spans[4][1] },
		]);
		assert.equal(dropped, 2 + big.length + bigBytes.length);
		assert.equal(buffer.byteLength, 6);
		buffer.append('e\n');
		assert.equal(Buffer.concat(buffer.finish()).toString(), 'a\nc\nd\ne\n');
	});

	it('refuses to cut a text appended whole, and changes nothing then', () => {
		const buffer = new ByteBuffer();
		const big = 'x'.repeat(20_000) + '\n';
		buffer.append('a\n');
		buffer.appendText(big, big.length);
		assert.throws(() => buffer.drop([{ from: 0, to: 10 }]), /a withdrawal cuts a text of 20001 bytes/);
		assert.equal(Buffer.concat(buffer.finish()).toString(), `a\n${big}`);
	});
});

describe('reportStopped', () => {
	it('an info line for rows taken out; a warning naming rows, table and label for rows already sent or loaded', () => {
		const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
		const logger = {
			info: (m: string, meta?: Record<string, unknown>) => lines.push(['info', m, meta]),
			warn: (m: string, meta?: Record<string, unknown>) => lines.push(['warn', m, meta]),
		};
		const labels: Record<number, string> = { 4: 'app_logs_x_17' };
		reportStopped<string>(
			{ withdrawn: 5, stranded: [{ batchId: 4, rows: 3, state: 'sending' }, { batchId: 2, rows: 7, state: 'loaded', result: 'app_logs_x_12' }] },
			'demo.app_logs',
			(s) => (s.state === 'loaded' ? s.result : labels[s.batchId]),
			logger,
		);
		assert.equal(lines.length, 3);
		assert.equal(lines[0][0], 'info');
		assert.match(lines[0][1], /^Stream Load into demo\.app_logs: 5 row\(s\) of an execution stopped in n8n .* taken out of the batch before it was sent/);
		assert.equal(lines[1][0], 'warn');
		assert.match(lines[1][1], /3 row\(s\) of an execution stopped in n8n .* are in the load under label "app_logs_x_17", already sent: they cannot be taken back, and may load twice/);
		assert.deepEqual(lines[1][2], { table: 'demo.app_logs', label: 'app_logs_x_17', rows: 3, batchId: 4 });
		assert.match(lines[2][1], /7 row\(s\) .* are in Doris already \(label "app_logs_x_12"\) and load again when the Kafka trigger delivers the execution again \(a duplicate in a DUPLICATE KEY table/);
	});
});
