// Finding the rows Doris refuses in a refused batch (src/batch/isolate.ts): which lines load, which
// are rejected with their own reason, in what order, and what it costs in loads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isolateRefusedLines, type IsolationResult, type OwnerRun, type PartVerdict } from '../../../src/batch/isolate';

/** A fake Doris: a part is refused when it holds a bad line (zero tolerance), with filtered = bad lines in it. */
function doris(bad: Set<number>, failAt?: number) {
	const loads: Array<[number, number]> = [];
	const load = async (from: number, to: number): Promise<PartVerdict<string>> => {
		loads.push([from, to]);
		if (failAt !== undefined && from <= failAt && failAt < to) throw new Error('Doris down');
		const refused = [...bad].filter((line) => line >= from && line < to);
		return refused.length === 0 ? { loaded: true, result: `${from}-${to}` } : { loaded: false, error: { filtered: refused.length, lines: refused } };
	};
	return { loads, load };
}
const filteredOf = (error: unknown) => (error as { filtered?: number }).filtered;
const options = (lines: number, bad: Set<number>, over: Partial<Parameters<typeof isolateRefusedLines>[0]> = {}) => ({
	lines,
	error: { filtered: bad.size, lines: [...bad] },
	filtered: bad.size,
	zeroTolerance: true,
	maxLoads: 64,
	filteredOf,
	...over,
});

describe('isolateRefusedLines', () => {
	it('one bad line among 50,000: rejected with its own reason, everything else loaded in line order, in ~log2(n) loads', async () => {
		const bad = new Set([31_337]);
		const d = doris(bad);
		const r = await isolateRefusedLines(options(50_000, bad), d.load);
		assert.deepEqual(r.rejected.map((x) => x.line), [31_337]);
		assert.deepEqual(r.unresolved, []);
		const loaded = r.loaded.flatMap((p) => [[p.from, p.to]]);
		// Loaded parts cover every other line exactly once, in order.
		let at = 0;
		for (const [from, to] of loaded) {
			if (at === 31_337) at++;
			assert.equal(from, at);
			at = to;
		}
		assert.equal(at === 31_337 ? 50_000 : at, 50_000);
		assert.ok(r.loads <= 2 * 16, `${r.loads} loads`);
		// The rejected line's reason is its own: a refusal of exactly that line.
		assert.deepEqual(r.rejected[0].error, { filtered: 1, lines: [31_337] });
	});

	it('three bad lines: each rejected, loads bounded by 2·k·⌈log2 n⌉', async () => {
		const bad = new Set([0, 500, 999]);
		const d = doris(bad);
		const r = await isolateRefusedLines(options(1000, bad), d.load);
		assert.deepEqual(r.rejected.map((x) => x.line), [0, 500, 999]);
		assert.ok(r.loads <= 2 * 3 * 10, `${r.loads} loads`);
		assert.equal(r.loaded.reduce((s, p) => s + p.to - p.from, 0), 997);
	});

	it('a refusal that hits most rows (a column made NOT NULL) is not split: no load, every line unresolved', async () => {
		const bad = new Set(Array.from({ length: 60 }, (_, i) => i));
		const d = doris(bad);
		const r = await isolateRefusedLines(options(100, bad), d.load);
		assert.deepEqual([r.loads, r.stopped, r.unresolved], [0, 'widespread', [{ from: 0, to: 100 }]]);
		// 50 filtered or more: Doris stopped counting, also not split.
		const many = await isolateRefusedLines(options(10_000, bad, { filtered: 50 }), doris(bad).load);
		assert.equal(many.loads, 0);
	});

	it('stops at maxLoads: what is left is unresolved, what was found stays found', async () => {
		const bad = new Set([10, 20, 30, 40]);
		const r = await isolateRefusedLines(options(64, bad, { maxLoads: 4 }), doris(bad).load);
		assert.equal(r.loads, 4);
		assert.equal(r.stopped, 'budget');
		const covered = r.rejected.length + r.loaded.reduce((s, p) => s + p.to - p.from, 0) + r.unresolved.reduce((s, u) => s + u.to - u.from, 0);
		assert.equal(covered, 64, 'every line is loaded, rejected or unresolved');
	});

	it('a part failing for another reason fails it and every line after it; nothing after it is loaded', async () => {
		const bad = new Set([5]);
		const d = doris(bad, 12);
		const r = await isolateRefusedLines(options(16, bad), d.load);
		assert.equal(r.stopped, 'failed');
		assert.equal(r.failed[r.failed.length - 1].to, 16);
		assert.ok(r.loaded.every((p) => p.to <= r.failed[0].from));
		assert.ok(d.loads.every(([from]) => from <= r.failed[0].from));
	});

	it('with a max filter ratio above 0 a refused range is not convicted by its loaded half: each half is loaded', async () => {
		const bad = new Set([7]);
		const r = await isolateRefusedLines(options(8, bad, { zeroTolerance: false }), doris(bad).load);
		assert.deepEqual(r.rejected.map((x) => x.line), [7]);
		assert.equal(r.loaded.reduce((s, p) => s + p.to - p.from, 0), 7);
	});

	it('one line: rejected with the batch refusal, no load', async () => {
		const r = await isolateRefusedLines(options(1, new Set([0])), doris(new Set([0])).load);
		assert.deepEqual([r.loads, r.rejected.length], [0, 1]);
	});
});

/** Executions of `size` lines each, as owner runs; `splittable` says which take refused rows back. */
function executions(count: number, size: number, splittable: (e: number) => boolean = () => true): OwnerRun[] {
	return Array.from({ length: count }, (_, e) => ({ from: e * size, to: (e + 1) * size, owner: e, splittable: splittable(e) }));
}

/** Per owner: lines loaded, and lines that fail it (unresolved or failed). */
function perOwner(r: IsolationResult<string>, runs: OwnerRun[]) {
	const owners = new Map<number, { loaded: number; failing: number; handedBack: number; rejected: number }>();
	const at = (line: number) => runs.find((run) => run.from <= line && line < run.to)?.owner ?? -1;
	const add = (from: number, to: number, key: 'loaded' | 'failing' | 'handedBack') => {
		for (let line = from; line < to; line++) {
			const o = owners.get(at(line)) ?? { loaded: 0, failing: 0, handedBack: 0, rejected: 0 };
			o[key]++;
			owners.set(at(line), o);
		}
	};
	for (const p of r.loaded) add(p.from, p.to, 'loaded');
	for (const u of r.unresolved) add(u.from, u.to, 'failing');
	for (const f of r.failed) add(f.from, f.to, 'failing');
	for (const h of r.handedBack) add(h.from, h.to, 'handedBack');
	for (const x of r.rejected) {
		const o = owners.get(at(x.line)) ?? { loaded: 0, failing: 0, handedBack: 0, rejected: 0 };
		o.rejected++;
		owners.set(at(x.line), o);
	}
	return owners;
}

describe('isolateRefusedLines with owners (executions are redelivered whole)', () => {
	for (const bad of [
		[50, 150, 350, 550, 750, 950],
		[5, 105, 205, 305, 405, 505, 605, 705],
	]) {
		it(`10 executions × 100, refused lines ${bad.join(' ')}, 64 loads: no execution is failed with rows of it loaded`, async () => {
			const runs = executions(10, 100);
			const refused = new Set(bad);
			const r = await isolateRefusedLines(options(1000, refused, { owners: runs }), doris(refused).load);
			assert.ok(r.loads <= 2 * 64, 'an execution begun is finished past the budget, up to twice it');
			const mixed = [...perOwner(r, runs)].filter(([, o]) => o.loaded > 0 && o.failing > 0).map(([e, o]) => `execution ${e}: ${o.loaded} loaded, ${o.failing} failing`);
			assert.deepEqual(mixed, []);
			const covered = [...perOwner(r, runs).values()].reduce((s, o) => s + o.loaded + o.failing + o.handedBack + o.rejected, 0);
			assert.equal(covered, 1000, 'every line is loaded, rejected, handed back or fails its execution');
			assert.deepEqual(r.handedBack, [], 'the budget stopped between executions');
		});
	}

	it('cuts at the owner boundary nearest the middle first: one refused line costs no more than ⌈log2 n⌉ + a few loads', async () => {
		const refused = new Set([731]);
		const r = await isolateRefusedLines(options(1000, refused, { owners: executions(10, 100) }), doris(refused).load);
		assert.deepEqual(r.rejected.map((x) => x.line), [731]);
		assert.equal(r.loaded.reduce((s, p) => s + p.to - p.from, 0), 999);
		assert.ok(r.loads <= 2 * 10 + 4, `${r.loads} loads`);
	});

	it('an owner that takes no refused rows back is not split: its lines load together or fail it, others are isolated around it', async () => {
		const refused = new Set([150, 350]);
		const runs = executions(5, 100, (e) => e !== 1);
		const d = doris(refused);
		const r = await isolateRefusedLines(options(500, refused, { owners: runs }), d.load);
		const owners = perOwner(r, runs);
		assert.deepEqual(owners.get(1), { loaded: 0, failing: 100, handedBack: 0, rejected: 0 });
		assert.deepEqual(owners.get(3), { loaded: 99, failing: 0, handedBack: 0, rejected: 1 });
		assert.ok(d.loads.every(([from, to]) => !(from >= 100 && to <= 200 && to - from < 100)), 'no part inside owner 1');
	});

	it('a part failing for another reason inside an owner: the owner\'s lines not loaded are handed back with that error; later owners fail', async () => {
		const refused = new Set([120]);
		const runs = executions(4, 100);
		const inner = doris(refused);
		// Doris goes down once the search is inside owner 1, past its refused line.
		const d = { loads: inner.loads, load: async (from: number, to: number) => (from >= 150 ? Promise.reject(new Error('Doris down')) : inner.load(from, to)) };
		const r = await isolateRefusedLines(options(400, refused, { owners: runs }), d.load);
		assert.equal(r.stopped, 'failed');
		const owners = perOwner(r, runs);
		assert.equal(owners.get(0)?.loaded, 100);
		const one = owners.get(1);
		assert.ok(one !== undefined && one.loaded > 0 && one.failing === 0 && one.handedBack > 0, JSON.stringify(one));
		assert.ok(r.handedBack.every((h) => h.why === 'failed' && (h.error as Error).message === 'Doris down'));
		assert.deepEqual([owners.get(2)?.failing, owners.get(3)?.failing], [100, 100]);
		assert.ok(d.loads.every(([from]) => from < 200), 'nothing after the failed part is loaded');
	});

	it('past twice the budget the search stops inside an execution: its lines not loaded are handed back, it is not failed', async () => {
		const refused = new Set([41, 43, 45, 47, 49, 51, 53, 55, 57, 59]);
		const runs = executions(2, 64);
		const r = await isolateRefusedLines(options(128, refused, { owners: runs, maxLoads: 4 }), doris(refused).load);
		assert.equal(r.stopped, 'budget');
		assert.ok(r.loads <= 8);
		const zero = perOwner(r, runs).get(0);
		assert.ok(zero !== undefined && zero.loaded > 0 && zero.failing === 0 && zero.handedBack > 0, JSON.stringify(zero));
		assert.ok(r.handedBack.every((h) => h.why === 'unresolved'));
		assert.equal(perOwner(r, runs).get(1)?.failing, 64, 'the execution not begun fails whole');
	});

	it('an owner with two runs (rows interleaved under back-pressure): loaded in one run, stopped in the other: handed back', async () => {
		const refused = new Set([10, 30, 50, 70, 90]);
		const runs: OwnerRun[] = [
			{ from: 0, to: 40, owner: 0, splittable: true },
			{ from: 40, to: 60, owner: 1, splittable: true },
			{ from: 60, to: 100, owner: 0, splittable: true },
		];
		const r = await isolateRefusedLines(options(100, refused, { owners: runs, maxLoads: 6 }), doris(refused).load);
		const mixed = [...perOwner(r, runs)].filter(([, o]) => o.loaded > 0 && o.failing > 0);
		assert.deepEqual(mixed, []);
	});
});
