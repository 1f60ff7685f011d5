/**
 * routePacked in worker threads (packed-worker-pool.ts): the same result and the same metrics as
 * routePacked in this thread, small items kept here, a worker that dies or fails hands its items
 * back without loss, and the pools close so `node --test` exits by itself.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';

import fc from 'fast-check';

import { encodedByteLength } from '../../../../src/common/encoded-lines';
import { PackedWorkerPool, closePackedWorkers, routePackedParallel, sharedPackedPool } from '../../../../src/doris/schema/packed-worker-pool';
import { WORKER_RESOURCE_LIMITS } from '../../../../src/doris/schema/packed-worker-limits';
import { INVALID_PART_ITEMS, routePacked } from '../../../../src/doris/schema/route-packed';
import { RowMapper } from '../../../../src/doris/schema/row-mapper';
import type { RouteLabels } from '../../../../src/doris/schema/route-items';
import { metrics } from '../../../../src/metrics/metrics';
import { labels, linesWithRuns, mapper, pack, packedCases, wideOptions, wideSchema } from './packed-support';

/** Every item through the worker, however small. */
function workerPool(warnings: string[] = [], extra: { workerFile?: string } = {}): PackedWorkerPool {
	return new PackedWorkerPool({ size: 1, minLines: 0, warn: (m) => warnings.push(m), ...extra });
}

/** Lines of every kind, many times over: past the default threshold. */
function bigItem(n: number) {
	const kinds = ['{"id":1,"ts":0}', '{"id":"9007199254740993","name":"ü\\u2028","ts":"2024-01-02T03:04:05+08:00","big":-170141183460469231731687303715884105728}', '{oops', '[1]', '{"id":"x","ts":0}', '{"ts":0}'];
	const lines = Array.from({ length: n }, (_, i) => kinds[i % kinds.length]);
	return pack(lines, [
		{ topic: 'big-a', partition: 0, firstOffset: '1000', lastOffset: String(1000 + n / 2 - 1), lines: n / 2 },
		{ topic: 'big-b', partition: 4, firstOffset: '0', lastOffset: String(n * 2), lines: n / 2 },
	]);
}

/** The counters' values for one workflow label, by their other labels. */
async function counted(workflow: string): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const c of [metrics.rowsInvalid, metrics.jsonParseErrors]) {
		for (const v of (await c.get()).values) {
			if (v.labels.workflow !== workflow) continue;
			const { workflow: _w, ...rest } = v.labels;
			out[`${c === metrics.rowsInvalid ? 'invalid' : 'parse'} ${JSON.stringify(rest)}`] = v.value;
		}
	}
	return out;
}

describe('routePackedParallel', () => {
	const pools: PackedWorkerPool[] = [];
	function track(p: PackedWorkerPool): PackedWorkerPool {
		pools.push(p);
		return p;
	}
	after(async () => {
		await Promise.all(pools.map((p) => p.close()));
		await closePackedWorkers();
	});

	it("gives routePacked's result on every fixture: invalid lines, CDC, big integers, gaps, uncovered lines", async () => {
		const pool = track(workerPool());
		for (const c of packedCases) {
			const m = mapper(c.options);
			const expected = routePacked(c.packed, m, labels, 3);
			const got = await routePackedParallel(c.packed, m, labels, 3, pool);
			assert.deepEqual(got, expected, c.name);
		}
		assert.equal(pool.stats().routedInWorker, packedCases.length, 'each went through the worker');
		assert.equal(pool.stats().fallbacks, 0);
		assert.equal(pool.stats().started, 1, 'one worker, reused');
	});

	it('property: the same result as routePacked on random lines, runs and options', async () => {
		const pool = track(workerPool());
		const mappers = wideOptions.map((o) => new RowMapper(wideSchema, o));
		await fc.assert(
			fc.asyncProperty(linesWithRuns(30), fc.nat(mappers.length - 1), async ([lines, sources], which) => {
				const p = pack(lines, sources);
				const expected = routePacked(p, mappers[which], labels, 5);
				assert.deepEqual(await routePackedParallel(p, mappers[which], labels, 5, pool), expected);
			}),
			{ numRuns: 60 },
		);
		assert.equal(pool.stats().fallbacks, 0);
	});

	it("a worker's rows come with their UTF-8 length for the Stream Load node (not the bytes), valid only while the text is unchanged", async () => {
		const pool = track(workerPool());
		const item = bigItem(1200);
		const m = mapper();
		const routed = await routePackedParallel(item, m, labels, 0, pool);
		assert.ok(routed.packed !== null);
		assert.equal(encodedByteLength(routed.packed), Buffer.byteLength(routed.packed.jsonLines, 'utf8'));
		assert.ok(Buffer.byteLength(routed.packed.jsonLines, 'utf8') > routed.packed.jsonLines.length, 'the fixture has characters of more than one byte');
		// Mapped in this thread: nothing recorded, the Stream Load node measures the text itself.
		const here = await routePackedParallel(item, m, labels, 0, null);
		assert.equal(here.packed !== null && encodedByteLength(here.packed), undefined);
		// A text changed after the worker (e.g. by a Code node in between): the length no longer counts.
		routed.packed.jsonLines = routed.packed.jsonLines.replace('"id":1', '"id":2');
		assert.equal(encodedByteLength(routed.packed), undefined);
	});

	it("lines that load as they stand come back as the item's own text, with its UTF-8 length for the Stream Load node", async () => {
		const pool = track(workerPool());
		const item = pack(Array.from({ length: 1200 }, (_, i) => `{"id":${i},"name":"a\\"ü","ts":"2024-01-02 03:04:05"}`));
		const m = mapper();
		const expected = routePacked(item, m, labels, 0);
		assert.equal(expected.packed?.jsonLines, item.jsonLines, 'every line loads as it stands');
		const routed = await routePackedParallel(item, m, labels, 0, pool);
		assert.deepEqual(routed, expected);
		assert.ok(routed.packed !== null);
		assert.equal(encodedByteLength(routed.packed), Buffer.byteLength(item.jsonLines, 'utf8'));
		assert.equal(pool.stats().routedInWorker, 1);
	});

	it("request buffers come back from the worker and carry the next items' text: every item still gets its own result", async () => {
		const pool = track(workerPool());
		const m = mapper();
		const items = [bigItem(1200), bigItem(1200), pack(Array.from({ length: 1200 }, (_, i) => `{"id":${i},"name":"x${i}","ts":0}`)), bigItem(1200)];
		for (const [i, item] of items.entries()) assert.deepEqual(await routePackedParallel(item, m, labels, i, pool), routePacked(item, m, labels, i));
		assert.equal(pool.spareBuffers, 1, 'each item used the buffer the one before handed back');
		assert.equal(pool.stats().routedInWorker, items.length);
	});

	it('counts the invalid lines in the metrics exactly as routePacked does', async () => {
		const item = bigItem(3000);
		const m = mapper();
		const here: RouteLabels = { workflow: 'wf-counts-here', node: 'Doris Schema' };
		const there: RouteLabels = { workflow: 'wf-counts-worker', node: 'Doris Schema' };
		routePacked(item, m, here, 0);
		const pool = track(new PackedWorkerPool({ size: 1 }));
		await routePackedParallel(item, m, there, 0, pool);
		assert.equal(pool.stats().routedInWorker, 1);
		const a = await counted(here.workflow);
		assert.ok(Object.keys(a).length >= 4, JSON.stringify(a)); // several rules and both topics
		assert.deepEqual(await counted(there.workflow), a);
	});

	it('a big item with the default threshold goes to a worker, concurrently with others, in order', async () => {
		const pool = track(new PackedWorkerPool({ size: 2 }));
		const items = [bigItem(1200), bigItem(2400), bigItem(1800)];
		const m = mapper();
		const got = await Promise.all(items.map((p, i) => routePackedParallel(p, m, labels, i, pool)));
		assert.deepEqual(
			got,
			items.map((p, i) => routePacked(p, m, labels, i)),
		);
		assert.equal(pool.stats().routedInWorker, 3);
		assert.equal(pool.stats().started, 2, 'a second worker while the first is busy, no more than the size');
	});

	it("a worker's heap is capped: a young generation of ≤ 16 MB (V8 would size it like the main thread's), an old generation of 64 MB", async () => {
		const spawned: Worker[] = [];
		const onWorker = (w: Worker) => spawned.push(w);
		process.on('worker', onWorker);
		try {
			const pool = track(workerPool());
			await routePackedParallel(bigItem(1200), mapper(), labels, 0, pool);
		} finally {
			process.off('worker', onWorker);
		}
		assert.equal(spawned.length, 1);
		const limits = spawned[0].resourceLimits;
		assert.equal(limits?.maxYoungGenerationSizeMb, WORKER_RESOURCE_LIMITS.maxYoungGenerationSizeMb);
		assert.ok((WORKER_RESOURCE_LIMITS.maxYoungGenerationSizeMb ?? Infinity) <= 16);
		assert.equal(limits?.maxOldGenerationSizeMb, 64);
	});

	it("a text far bigger than the worker's old generation maps in the worker: texts live outside its heap", async () => {
		const pool = track(workerPool());
		const note = 'n'.repeat(1000);
		const n = 100_000; // ~105 MB of text, well past the 64 MB old generation
		const item = pack(Array.from({ length: n }, (_, i) => `{"id":${i},"ts":0,"note":"${note}"}`));
		const routed = await routePackedParallel(item, mapper(), labels, 0, pool);
		assert.equal(routed.packed?.count, n);
		assert.equal(routed.invalid.length, 0);
		assert.deepEqual(pool.stats(), { routedInWorker: 1, routedInThread: 0, fallbacks: 0, started: 1, lost: 0 });
	});

	// Before, each such item (~90,000 invalid lines and more) ended the worker with ERR_WORKER_OUT_OF_MEMORY:
	// mapped a second time here, a new worker for the next, a warning each time (started 3, lost 2 here).
	it('items of nothing but invalid lines, alternating with valid ones, map in the one worker whatever their size: none lost, no warning, the same result', async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings));
		// Every line invalid: each becomes an object with its reasons (~0.55 KB of heap per line), ~70 MB in all.
		const invalid = pack(Array.from({ length: 130_000 }, (_, i) => `{"id":"not a number ${i}","ts":0}`));
		const valid = bigItem(1200);
		const m = mapper();
		const expectedInvalid = routePacked(invalid, m, labels, 0);
		const expectedValid = routePacked(valid, m, labels, 1);
		assert.equal(expectedInvalid.invalid.length, 130_000);
		for (const [i, item] of [invalid, valid, invalid].entries()) {
			assert.deepEqual(await routePackedParallel(item, m, labels, i % 2, pool), i % 2 === 0 ? expectedInvalid : expectedValid);
		}
		assert.deepEqual(warnings, []);
		assert.deepEqual(pool.stats(), { routedInWorker: 3, routedInThread: 0, fallbacks: 0, started: 1, lost: 0 });
	});

	// Before, every item of that size started a worker that mapped it until its heap was full (started 3, lost 3 here).
	it("an item that needs more than a worker's heap all the same (a 60 MB value) ends the worker once: it, the item in hand with it and every later item at least as big are mapped here", async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings));
		const huge = pack([`{"id":"not a number","ts":0,"name":"${'s'.repeat(60_000_000)}"}`, '{"id":1,"ts":0}']);
		const other = bigItem(1200);
		const m = mapper();
		const expectedHuge = routePacked(huge, m, labels, 0);
		const expectedOther = routePacked(other, m, labels, 1);
		// Both in the worker's hand when it dies: each comes back once, with its own result.
		assert.deepEqual(await Promise.all([routePackedParallel(huge, m, labels, 0, pool), routePackedParallel(other, m, labels, 1, pool)]), [expectedHuge, expectedOther]);
		assert.deepEqual(pool.stats(), { routedInWorker: 0, routedInThread: 0, fallbacks: 2, started: 1, lost: 1 });
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /a worker thread stopped \(Worker terminated due to reaching memory limit: JS heap out of memory\) with 2 packed item\(s\) in hand; /);
		assert.ok(warnings[0].endsWith(`(items of ${huge.jsonLines.length} characters or more are mapped in the main thread from now on: they may need more than a worker's heap)`), warnings[0]);
		// As big: here, without a worker; smaller: a new worker.
		assert.deepEqual(await routePackedParallel(huge, m, labels, 0, pool), expectedHuge);
		assert.deepEqual(await routePackedParallel(other, m, labels, 1, pool), expectedOther);
		assert.deepEqual(pool.stats(), { routedInWorker: 1, routedInThread: 1, fallbacks: 2, started: 2, lost: 1 });
		assert.equal(warnings.length, 1);
	});

	it('a worker holds two items at once, the others wait in this thread: each comes back with its own result, in order', async () => {
		const pool = track(workerPool());
		const items = Array.from({ length: 6 }, (_, i) => bigItem(600 + 6 * i));
		const m = mapper();
		const pending = items.map((p, i) => routePackedParallel(p, m, labels, i, pool));
		assert.equal(pool.waitingItems, 4, 'two items posted to the one worker, four waiting here');
		assert.deepEqual(
			await Promise.all(pending),
			items.map((p, i) => routePacked(p, m, labels, i)),
		);
		assert.equal(pool.waitingItems, 0);
		assert.deepEqual(pool.stats(), { routedInWorker: 6, routedInThread: 0, fallbacks: 0, started: 1, lost: 0 });
	});

	it('items waiting when the pool closes are routed here, nothing lost', async () => {
		const pool = track(workerPool());
		const items = Array.from({ length: 5 }, (_, i) => bigItem(600 + 6 * i));
		const m = mapper();
		const pending = items.map((p, i) => routePackedParallel(p, m, labels, i, pool));
		await pool.close();
		assert.deepEqual(
			await Promise.all(pending),
			items.map((p, i) => routePacked(p, m, labels, i)),
		);
		assert.equal(pool.waitingItems, 0);
		assert.equal(pool.stats().fallbacks, 5, 'two in the closed worker, three waiting');
	});

	it('small items and a size of 0 stay in the calling thread (no worker started)', async () => {
		const pool = track(new PackedWorkerPool({ size: 2 }));
		const small = pack(['{"id":1,"ts":0}', '{oops'], undefined, 9);
		assert.deepEqual(await routePackedParallel(small, mapper(), labels, 1, pool), routePacked(small, mapper(), labels, 1));
		assert.deepEqual(pool.stats(), { routedInWorker: 0, routedInThread: 1, fallbacks: 0, started: 0, lost: 0 });
		assert.equal(pool.workers, 0);
		assert.equal(sharedPackedPool(0), null, 'Worker Threads 0: no pool');
		assert.deepEqual(await routePackedParallel(bigItem(1200), mapper(), labels, 0, null), routePacked(bigItem(1200), mapper(), labels, 0));
	});

	it('a worker that dies with an item in hand: the item is routed here, nothing lost; the next item gets a new worker', async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings));
		const c = packedCases[1]; // has a parse error: its metrics count once, not twice
		const m = mapper(c.options);
		await routePackedParallel(c.packed, m, labels, 0, pool); // the worker is up
		const before = await counted(labels.workflow);
		pool.testHook('exit'); // the worker ends before it reads the next item
		const got = await routePackedParallel(c.packed, m, labels, 0, pool);
		assert.deepEqual(got, routePacked(c.packed, m, { workflow: 'wf-crash-oracle', node: 'Doris Schema' }, 0));
		// Counted once, as the oracle's single routePacked counted it.
		const now = await counted(labels.workflow);
		const delta = Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
		assert.deepEqual(delta, await counted('wf-crash-oracle'));
		assert.deepEqual({ ...pool.stats(), routedInThread: 0 }, { routedInWorker: 1, routedInThread: 0, fallbacks: 1, started: 1, lost: 1 });
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /worker thread stopped \(exit code 7\) with 1 packed item\(s\) in hand; mapping them in the main thread/);
		assert.equal(pool.workers, 0);

		assert.deepEqual(await routePackedParallel(c.packed, m, labels, 0, pool), got);
		assert.equal(pool.stats().started, 2, 'replaced');
		assert.equal(pool.stats().routedInWorker, 2);
	});

	it('a worker that dies with two items in hand: each comes back once, with the result and the metrics of routePacked, in order; the item waiting goes to a new worker', async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings));
		const items = [packedCases[1], packedCases[2], packedCases[1]];
		const m = mapper();
		await routePackedParallel(bigItem(600), m, labels, 0, pool); // the worker is up
		const before = await counted(labels.workflow);
		pool.testHook('exit'); // the worker ends before it reads the next items
		const pending = items.map((c, i) => routePackedParallel(c.packed, m, labels, i, pool));
		assert.equal(pool.waitingItems, 1, 'two in the worker, one waiting here');
		const oracle = { workflow: 'wf-two-in-hand-oracle', node: 'Doris Schema' };
		assert.deepEqual(
			await Promise.all(pending),
			items.map((c, i) => routePacked(c.packed, m, oracle, i)),
		);
		const now = await counted(labels.workflow);
		const delta = Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
		assert.deepEqual(delta, await counted(oracle.workflow), 'each counted once');
		assert.deepEqual(pool.stats(), { routedInWorker: 2, routedInThread: 0, fallbacks: 2, started: 2, lost: 1 });
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /worker thread stopped \(exit code 7\) with 2 packed item\(s\) in hand/);
	});

	it('invalid lines sent in parts: joined in order with the answer; a worker that dies after a part has its item mapped here from the start, no line lost or doubled', async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings));
		// 2.5 parts of invalid lines among valid ones.
		const item = pack(Array.from({ length: 2.5 * INVALID_PART_ITEMS * 2 }, (_, i) => (i % 2 === 0 ? `{"id":${i},"ts":0}` : `{"id":"x${i}","ts":0}`)));
		const m = mapper();
		const expected = routePacked(item, m, { workflow: 'wf-parts-oracle', node: 'Doris Schema' }, 0);
		assert.equal(expected.invalid.length, 2.5 * INVALID_PART_ITEMS);
		const before = await counted(labels.workflow);
		assert.deepEqual(await routePackedParallel(item, m, labels, 0, pool), expected);
		pool.testHook('exit-after-part');
		assert.deepEqual(await routePackedParallel(item, m, labels, 0, pool), expected);
		const now = await counted(labels.workflow);
		const delta = Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
		const once = await counted('wf-parts-oracle');
		assert.deepEqual(delta, Object.fromEntries(Object.entries(once).map(([k, v]) => [k, 2 * v])), 'each item counted once');
		assert.deepEqual(pool.stats(), { routedInWorker: 1, routedInThread: 0, fallbacks: 1, started: 1, lost: 1 });
		assert.match(warnings[0], /worker thread stopped \(exit code 7\) with 1 packed item\(s\) in hand/);
	});

	it("invalid lines in parts give routePacked's result at every size around a part (none, one, a part less one, a part, a part and one, two parts), all invalid or among valid lines: order, line numbers, offsets, rows", async () => {
		const pool = track(workerPool());
		const m = mapper();
		const invalidKinds = [(i: number) => `{"id":"x${i}","ts":0}`, (i: number) => `{oops ${i}`, (i: number) => `[${i}]`];
		let items = 0;
		for (const invalidLines of [0, 1, INVALID_PART_ITEMS - 1, INVALID_PART_ITEMS, INVALID_PART_ITEMS + 1, 2 * INVALID_PART_ITEMS]) {
			for (const mixed of [false, true]) {
				const lines: string[] = [];
				for (let i = 0; i < invalidLines; i++) {
					if (mixed) lines.push(`{"id":${i},"ts":0,"name":"ü${i % 10}"}`);
					lines.push(invalidKinds[i % invalidKinds.length](i));
				}
				if (mixed) lines.push('{"id":-1,"ts":0}');
				// An exact run, then one with gaps: the invalid lines' offsets come from both.
				const half = Math.floor(lines.length / 2);
				const item = pack(lines, [
					{ topic: 'parts-a', partition: 0, firstOffset: '500', lastOffset: String(500 + half - 1), lines: half },
					{ topic: 'parts-b', partition: 1, firstOffset: '0', lastOffset: String(3 * lines.length), lines: lines.length - half },
				]);
				const expected = routePacked(item, m, labels, 2);
				assert.equal(expected.invalid.length, invalidLines);
				assert.deepEqual(await routePackedParallel(item, m, labels, 2, pool), expected, `${invalidLines} invalid lines${mixed ? ' among valid ones' : ''}`);
				items++;
			}
		}
		assert.deepEqual(pool.stats(), { routedInWorker: items, routedInThread: 0, fallbacks: 0, started: 1, lost: 0 });
	});

	// A worker's stack is 4 MB, this thread's ~1 MB: V8 writes a value nested 8,000 deep there (up to
	// ~13,000) and cannot read it back here (~3,200), so the part holding it arrives as a 'messageerror'.
	// Before, the worker's answer that came right after it was used all the same: the part's 4,096
	// invalid lines were lost, while the metrics counted them. The test hook makes the part unreadable,
	// so the guard is tested whatever puts such a value in a part.
	it("a part this thread cannot read: the worker's answer after it is not used, the item is mapped here, no line lost", async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings));
		// Invalid lines filling the item's only part: the worker's answer follows that part at once.
		const item = pack(Array.from({ length: INVALID_PART_ITEMS }, (_, i) => `{"id":"x${i}","ts":0}`));
		const m = mapper();
		const here: RouteLabels = { workflow: 'wf-unreadable-part', node: 'Doris Schema' };
		const oracle: RouteLabels = { workflow: 'wf-unreadable-part-oracle', node: 'Doris Schema' };
		const expected = routePacked(item, m, oracle, 0);
		await routePackedParallel(pack(['{"id":1,"ts":0}']), m, here, 0, pool); // the worker started
		pool.testHook('unreadable-part');
		const got = await routePackedParallel(item, m, here, 0, pool);
		assert.equal(got.packed, null);
		assert.deepEqual(got, expected);
		assert.deepEqual(pool.stats(), { routedInWorker: 1, routedInThread: 0, fallbacks: 1, started: 1, lost: 1 });
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /worker thread stopped \(Maximum call stack size exceeded\) with 1 packed item\(s\) in hand/);
	});

	it('a line nested deeper than MAX_JSON_DEPTH is an invalid line with its reason, answered by the worker like any other', async () => {
		const pool = track(workerPool());
		const deep = `{"id":"x","ts":0,"nested":${'['.repeat(8000)}${']'.repeat(8000)}}`;
		const item = pack(['{"id":1,"ts":0}', deep, '{"id":2,"ts":0}']);
		const m = mapper();
		const expected = routePacked(item, m, labels, 0);
		const got = await routePackedParallel(item, m, labels, 0, pool);
		assert.deepEqual(got, expected);
		assert.equal(got.invalid.length, 1);
		const error = got.invalid[0].json._parseError as { kind: string; message: string; raw: string };
		assert.equal(error.kind, 'json');
		assert.equal(error.raw, deep);
		assert.match(error.message, /nests 8001 levels of arrays\/objects, deeper than the 1024 allowed/);
		assert.deepEqual(pool.stats(), { routedInWorker: 1, routedInThread: 0, fallbacks: 0, started: 1, lost: 0 });
	});

	it('an error inside the worker: the item is routed here, said once', async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings));
		const c = packedCases[0];
		const m = mapper(c.options);
		await routePackedParallel(c.packed, m, labels, 0, pool);
		pool.testHook('throw');
		assert.deepEqual(await routePackedParallel(c.packed, m, labels, 0, pool), routePacked(c.packed, m, labels, 0));
		pool.testHook('throw');
		await routePackedParallel(c.packed, m, labels, 0, pool);
		assert.equal(pool.stats().fallbacks, 2);
		assert.equal(pool.stats().lost, 0, 'the worker stays');
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /failed to map a packed item \(test hook: an error inside the worker\)/);
	});

	it('a worker that cannot start: items are routed here; after 3 failures in a row the pool stops trying', async () => {
		const warnings: string[] = [];
		const pool = track(workerPool(warnings, { workerFile: path.join(__dirname, 'no-such-worker.js') }));
		const c = packedCases[6];
		const m = mapper(c.options);
		for (let i = 0; i < 5; i++) assert.deepEqual(await routePackedParallel(c.packed, m, labels, i, pool), routePacked(c.packed, m, labels, i));
		assert.deepEqual(pool.stats(), { routedInWorker: 0, routedInThread: 2, fallbacks: 3, started: 3, lost: 3 });
		assert.equal(warnings.length, 3);
		assert.match(warnings[2], /3 worker threads in a row stopped .*; mapping packed items in the main thread from now on/);
	});

	it('close() with items in flight: they finish in this thread; the pool starts again on demand', async () => {
		const pool = track(workerPool());
		const item = bigItem(1200);
		const m = mapper();
		const pending = [routePackedParallel(item, m, labels, 0, pool), routePackedParallel(item, m, labels, 1, pool)];
		await pool.close();
		assert.equal(pool.workers, 0);
		assert.deepEqual(await Promise.all(pending), [routePacked(item, m, labels, 0), routePacked(item, m, labels, 1)]);
		assert.equal(pool.stats().lost, 0, 'closing is not a failure');
		assert.deepEqual(await routePackedParallel(item, m, labels, 2, pool), routePacked(item, m, labels, 2));
		assert.equal(pool.stats().started, 2);
	});

	it('shared pools: one per size, closed by closePackedWorkers', async () => {
		const a = sharedPackedPool(1);
		assert.ok(a !== null);
		assert.equal(sharedPackedPool(1), a);
		await routePackedParallel(bigItem(1200), mapper(), labels, 0, a);
		assert.equal(a.workers, 1);
		await closePackedWorkers();
		assert.equal(a.workers, 0);
		assert.notEqual(sharedPackedPool(1), a, 'a fresh pool after closing');
	});
});
