// A partial update in strict mode on Doris 2.1 / 3.0 (src/batch/new-keys.ts): Doris filters every row
// whose key is not stored yet, writes no error-log line for it, and counts it. The refused-row search
// (src/batch/isolate.ts) must hand such rows to Rejected and load the others, however many there are:
// before, a batch of mostly new keys (half of its rows, or 50) was "widespread", not searched, and its
// executions failed on every delivery, holding the partition for good (review session 16, section 2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isolateRefusedLines, type IsolationResult, type OwnerRun, type PartVerdict } from '../../../src/batch/isolate';

/** What the fake Doris answers for a refused part: its filtered rows, and how many of them had an error-log line. */
interface Refusal {
	filtered: number;
	withReason: number;
	lines: number[];
}

/**
 * A fake Doris 2.1 / 3.0 with Max Filter Ratio 0: a part is refused when it holds a new key (filtered,
 * no reason) or a bad value (filtered, with a reason); all or nothing.
 */
function doris(newKey: (line: number) => boolean, bad: ReadonlySet<number> = new Set()) {
	const loads: Array<[number, number]> = [];
	const refusalOf = (from: number, to: number): Refusal | undefined => {
		const lines: number[] = [];
		let withReason = 0;
		for (let line = from; line < to; line++) {
			if (bad.has(line)) withReason++;
			if (bad.has(line) || newKey(line)) lines.push(line);
		}
		return lines.length === 0 ? undefined : { filtered: lines.length, withReason, lines };
	};
	const load = async (from: number, to: number): Promise<PartVerdict<string>> => {
		loads.push([from, to]);
		const refusal = refusalOf(from, to);
		return refusal === undefined ? { loaded: true, result: `${from}-${to}` } : { loaded: false, error: refusal };
	};
	return { loads, load, refusalOf };
}

const filteredOf = (error: unknown) => (error as Refusal).filtered;
/** Doris' own signal: no ErrorURL when no filtered row had a reason; then every filtered row is a new key. */
const newKeysOf = (error: unknown) => ((error as Refusal).withReason === 0 ? (error as Refusal).filtered : undefined);

function isolate(lines: number, d: ReturnType<typeof doris>, over: { owners?: OwnerRun[]; maxLoads?: number; newKeys?: boolean; reasoned?: number } = {}) {
	const error = d.refusalOf(0, lines) as Refusal;
	const newKeys = over.newKeys !== false;
	return isolateRefusedLines(
		{
			lines,
			error,
			filtered: error.filtered,
			zeroTolerance: true,
			maxLoads: over.maxLoads ?? 64,
			filteredOf,
			newKeysOf: newKeys ? newKeysOf : undefined,
			// The rows the refusal's error log names (refused-batch.ts counts its `Reason:` lines).
			reasoned: newKeys ? (over.reasoned ?? error.withReason) : undefined,
			owners: over.owners,
		},
		d.load,
	);
}

/** One execution's 100 lines, taking refused rows back (how the Doris Stream Load node's batch names its lines). */
const ONE_EXECUTION: OwnerRun[] = [{ from: 0, to: 100, owner: 0, splittable: true }];

const rows = (ranges: ReadonlyArray<{ from: number; to: number }>) => ranges.reduce((n, r) => n + r.to - r.from, 0);

/** Loaded parts in line order, none overlapping a rejected line; every line loaded, rejected or unresolved once. */
function assertCovers(r: IsolationResult<string>, lines: number): void {
	let at = -1;
	for (const part of r.loaded) {
		assert.ok(part.from > at, 'loaded parts in line order');
		at = part.to - 1;
	}
	const seen = new Array<number>(lines).fill(0);
	for (const part of r.loaded) for (let l = part.from; l < part.to; l++) seen[l]++;
	for (const { line } of r.rejected) seen[line]++;
	for (const u of r.unresolved) for (let l = u.from; l < u.to; l++) seen[l]++;
	assert.deepEqual(seen.filter((n) => n !== 1), [], 'each line loaded, rejected or unresolved exactly once');
}

describe('isolateRefusedLines: new keys of a partial update in strict mode (Doris 2.1 / 3.0)', () => {
	it('60 new keys among 100 lines of one execution: the 60 rejected as new keys, the 40 loaded in order (before: nothing, stopped "widespread")', async () => {
		const newKey = (line: number) => line % 5 < 3;
		const d = doris(newKey);
		const r = await isolate(100, d, { owners: ONE_EXECUTION });
		assert.equal(r.stopped, undefined);
		assert.deepEqual(r.unresolved, []);
		assert.deepEqual(
			r.rejected.map((x) => x.line),
			Array.from({ length: 100 }, (_, l) => l).filter(newKey),
		);
		assert.ok(r.rejected.every((x) => x.newKey === true));
		assert.equal(rows(r.loaded), 40);
		assertCovers(r, 100);
		// 20 runs of 3 new keys and 2 stored ones, each found by halving (the counts tell a half's new keys
		// without loading it: 103 loads, 178 without), within the bound to finish an execution some of whose rows loaded.
		assert.ok(r.loads <= 128, `${r.loads} loads`);
	});

	it('a batch of 50,000 new keys costs no load past its refused one: every line rejected at once', async () => {
		const d = doris(() => true);
		const r = await isolate(50_000, d);
		assert.equal(r.loads, 0);
		assert.equal(r.rejected.length, 50_000);
		assert.ok(r.rejected.every((x, i) => x.line === i && x.newKey === true));
		assert.deepEqual([r.loaded, r.unresolved], [[], []]);
	});

	it('two rows of an execution, both new keys (before: "widespread", 2·2 > 2): both rejected, no load', async () => {
		const r = await isolate(2, doris(() => true));
		assert.deepEqual([r.loads, r.rejected.map((x) => x.line)], [0, [0, 1]]);
	});

	it('new keys in a block (a first load of new ids after stored ones): the block rejected whole, the rest loaded, in a handful of loads', async () => {
		const d = doris((line) => line >= 400);
		const r = await isolate(1000, d);
		assert.equal(r.rejected.length, 600);
		assert.equal(rows(r.loaded), 400);
		assertCovers(r, 1000);
		// 16: a range whose count is only derived (the parent's minus the left half's) is loaded once to
		// confirm it before its lines are rejected (10 before that rule; see the stored-key case below).
		assert.ok(r.loads <= 20, `${r.loads} loads`);
	});

	it('30 new keys among 100: all rejected as new keys, in fewer loads than the 106 a blind search cost', async () => {
		const d = doris((line) => line % 10 < 3);
		const r = await isolate(100, d, { owners: ONE_EXECUTION });
		assert.equal(r.rejected.length, 30);
		assert.ok(r.rejected.every((x) => x.newKey === true));
		assert.equal(rows(r.loaded), 70);
		assert.ok(r.loads < 106, `${r.loads} loads`);
	});

	it('new keys and a bad value: the bad row rejected with its own refusal (not a new key), the new keys as new keys', async () => {
		const d = doris((line) => line >= 50 && line < 80, new Set([10]));
		const r = await isolate(100, d);
		const bad = r.rejected.find((x) => x.line === 10);
		assert.deepEqual(bad, { line: 10, error: { filtered: 1, withReason: 1, lines: [10] } });
		assert.deepEqual(
			r.rejected.filter((x) => x.newKey === true).map((x) => x.line),
			Array.from({ length: 30 }, (_, i) => 50 + i),
		);
		assert.equal(rows(r.loaded), 69);
		assertCovers(r, 100);
	});

	it('an execution that takes no refused rows back keeps its new keys unresolved (it fails); the others are rejected', async () => {
		const owners: OwnerRun[] = [
			{ from: 0, to: 40, owner: 0, splittable: true },
			{ from: 40, to: 70, owner: 1, splittable: false },
			{ from: 70, to: 100, owner: 2, splittable: true },
		];
		const r = await isolate(100, doris((line) => line >= 30), { owners });
		assert.deepEqual(r.unresolved, [{ from: 40, to: 70 }]);
		assert.deepEqual(
			r.rejected.map((x) => x.line),
			[...Array.from({ length: 10 }, (_, i) => 30 + i), ...Array.from({ length: 30 }, (_, i) => 70 + i)],
		);
		assert.equal(rows(r.loaded), 30);
		assertCovers(r, 100);
	});

	it('a key stored by another load during the search: no stored key is rejected on a count derived from other loads (review session 17)', async () => {
		// Lines X(stored) A(new) B(new) C(stored): the batch's load counts 2 new keys. Before the left half
		// [X, A] loads, another load (an earlier execution's new keys through a whole-row Stream Load)
		// stores A: the left half loads with 0, and [B, C] was taken for 2 new keys, both rejected without a
		// load, C a stored key (a whole-row load of it later would reset its other columns).
		const stored = new Set([0, 3]);
		const d = doris((line) => !stored.has(line));
		const error = d.refusalOf(0, 4) as Refusal;
		stored.add(1);
		const r = await isolateRefusedLines({ lines: 4, error, filtered: error.filtered, zeroTolerance: true, maxLoads: 64, filteredOf, newKeysOf }, d.load);
		assert.deepEqual(
			r.rejected.map((x) => [x.line, x.newKey]),
			[[2, true]],
		);
		assert.deepEqual(
			r.loaded.map((p) => [p.from, p.to]),
			[
				[0, 2],
				[3, 4],
			],
		);
		assertCovers(r, 4);
	});

	it('every row a bad value, each named in the error log: stops as "widespread" at once, no load (before: 64 loads on every delivery, review session 17)', async () => {
		const r = await isolate(100, doris(() => false, new Set(Array.from({ length: 100 }, (_, l) => l))), { owners: ONE_EXECUTION });
		assert.deepEqual([r.loads, r.stopped, r.unresolved], [0, 'widespread', [{ from: 0, to: 100 }]]);
	});

	it('more bad values than the 51 rows Doris logs: the log\'s 51 reasons stop it as "widespread"', async () => {
		const r = await isolate(100, doris((line) => line >= 80, new Set(Array.from({ length: 70 }, (_, l) => l))), { reasoned: 51 });
		assert.deepEqual([r.loads, r.stopped], [0, 'widespread']);
	});

	it('30 bad values and 30 new keys among 100: the log names 30 of the 60 filtered, not most rows: searched', async () => {
		const r = await isolate(100, doris((line) => line % 10 < 3, new Set(Array.from({ length: 100 }, (_, l) => l).filter((l) => l % 10 >= 3 && l % 10 < 6))), { owners: ONE_EXECUTION });
		assert.equal(r.stopped, 'budget');
		assert.ok(r.rejected.some((x) => x.newKey === true) && r.rejected.some((x) => x.newKey === undefined));
		assert.equal(rows(r.loaded) + r.rejected.length + rows(r.handedBack), 100, 'past the bound the rest of the partly loaded execution is handed back');
	});

	it('without the new-key signal (not such a load) a refusal of most rows still stops as "widespread"', async () => {
		const r = await isolate(100, doris((line) => line % 5 < 3), { newKeys: false });
		assert.deepEqual([r.loads, r.stopped, r.unresolved], [0, 'widespread', [{ from: 0, to: 100 }]]);
	});
});
