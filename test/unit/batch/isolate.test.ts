// Finding the rows Doris refuses in a refused batch (src/batch/isolate.ts): which lines load, which
// are rejected with their own reason, in what order, and what it costs in loads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isolateRefusedLines, type PartVerdict } from '../../../src/batch/isolate';

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
		assert.equal(r.failed?.to, 16);
		assert.ok(r.loaded.every((p) => p.to <= (r.failed?.from ?? 0)));
		assert.ok(d.loads.every(([from]) => from <= (r.failed?.from ?? 0)));
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
