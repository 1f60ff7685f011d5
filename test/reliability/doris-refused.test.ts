// Rows Doris refuses at load time although the Doris Schema node let them through (here: a STRING over
// the cluster's string_type_length_soft_limit_bytes, set lower than the node's Max STRING Size), on the
// real broker: the refused batch is split, every other row loads, the refused row comes out on the
// Stream Load's Rejected output (to the same dead-letter branch as invalid rows) and its offset
// commits; no execution fails, no partition stalls. Before this, every execution in the shared batch
// failed, was redelivered with the row, and the loop never ended.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { counterSum, recordFigures } from './harness/figures';
import type { ToProduce } from './harness/ledger';
import { plainRows } from './harness/ledger';
import { assertInvariant, useWorld, type Case, type CaseOptions } from './harness/world';
import { waitFor } from '../support/wait-for';
import { metrics } from '../../src/metrics/metrics';

const ROWS = 2000;
const BE_STRING_LIMIT = 256;
const world = useWorld({ beConfig: { stringTypeLengthSoftLimitBytes: BE_STRING_LIMIT } });

const poison = (id: number, partition: number): ToProduce => ({
	partition,
	id: null,
	value: JSON.stringify({ id, v: 'x'.repeat(1000) }),
	invalid: { rule: 'doris_rejected', column: 'v', mentions: /the length of input string is too long/ },
});

/** Loads the test server saw for the case's table, and the split reports the Stream Load side logged. */
function loadFigures(c: Case) {
	const loads = world.doris.loads.filter((l) => l.table === c.table);
	const splits = world.capture.lines.filter((l) => l.includes(`for table "${c.table}"`) && l.includes('split into'));
	const perBatch = splits.map((l) => Number(/split into (\d+) load/.exec(l)?.[1] ?? NaN));
	return { loads: loads.length, refusedLoads: loads.filter((l) => l.status === 'Fail').length, poisonedBatches: splits.length, loadsPerPoisonedBatch: perBatch };
}

async function run(c: Case, name: string): Promise<void> {
	const items = plainRows(0, ROWS, c.partitions);
	// Two refused rows, in different partitions, mid-stream.
	items.splice(ROWS / 4, 0, poison(100_001, 0));
	items.splice((3 * ROWS) / 4, 0, poison(100_002, 1));
	const rejectedBefore = await counterSum(metrics.rowsRejected, { table: c.metricTable });
	const started = Date.now();
	await c.produce(items);
	const settleMs = await c.pipeline.settle(60_000);
	assertInvariant(c);
	assert.deepEqual(c.pipeline.failures, [], 'no execution failed for a refused row');
	assert.equal(c.pipeline.rejected.size, 2, 'both refused rows are on the Rejected output');
	assert.equal((await counterSum(metrics.rowsRejected, { table: c.metricTable })) - rejectedBefore, 2);
	const figures = loadFigures(c);
	assert.ok(figures.loadsPerPoisonedBatch.every((n) => n <= 2 * 10), `loads per poisoned batch ${figures.loadsPerPoisonedBatch}`);
	recordFigures(name, { rows: ROWS, refused: 2, rowsLost: 0, settleMs, sinceProduceMs: Date.now() - started, executionFailures: c.pipeline.failures.length, ...figures });
	await c.pipeline.close();
}

/**
 * 16 refused rows scattered among 2,000 on a DUPLICATE KEY table, a split budget of 10 loads: every row
 * is in Doris exactly once or on Rejected with its reason; no row is both, none is neither.
 */
async function budgetSpent(name: string, options: CaseOptions): Promise<void> {
	const c = await world.newCase({ columns: 'v STRING', model: 'DUPLICATE', target: { maxIsolationLoads: 10 }, ...options });
	const items = plainRows(0, ROWS, c.partitions);
	for (let k = 0; k < 16; k++) items.splice(60 + k * 120, 0, poison(100_000 + k, k % c.partitions));
	const started = Date.now();
	await c.produce(items);
	const settleMs = await c.pipeline.settle(90_000);
	assert.deepEqual(c.pipeline.violations, [], 'a committed offset passed rows that were not in Doris');
	const inDoris = world.doris.tableRows('rel', c.table).map((r) => Number(r.id));
	const twice = inDoris.length - new Set(inDoris).size;
	const onRejected = new Map<number, string>();
	for (const out of c.pipeline.invalid.values()) onRejected.set(Number(out.json.id), out.info.reasons[0].rule);
	const loaded = new Set(inDoris);
	const produced = items.map((i) => Number(JSON.parse(i.value as string).id));
	const lost = produced.filter((id) => !loaded.has(id) && !onRejected.has(id));
	const both = produced.filter((id) => loaded.has(id) && onRejected.has(id));
	recordFigures(name, {
		rows: items.length,
		refused: 16,
		loadedTwice: twice,
		rowsLost: lost.length,
		notLoadedOnRejected: [...onRejected.values()].filter((r) => r === 'doris_not_loaded').length,
		executionFailures: c.pipeline.failures.length,
		settleMs,
		sinceProduceMs: Date.now() - started,
		...loadFigures(c),
	});
	assert.equal(twice, 0, `${twice} row(s) loaded twice`);
	assert.deepEqual(lost.slice(0, 10), [], `${lost.length} row(s) neither in Doris nor on Rejected`);
	assert.deepEqual(both.slice(0, 10), [], 'rows both in Doris and on Rejected');
	for (let k = 0; k < 16; k++) assert.ok(onRejected.has(100_000 + k) && !loaded.has(100_000 + k), `refused row ${100_000 + k} on Rejected`);
	await c.pipeline.close();
}

describe('rows Doris refuses: isolated, handed back, nothing stalls', { timeout: 180_000 }, () => {
	it('one item per message: two refused rows among 2,000 on 2 partitions', async () => {
		const c = await world.newCase({ columns: 'v STRING' });
		await run(c, 'refused-rows-per-message');
	});

	it('one item per batch (packed lines): the refused lines come back with their topic, partition and offset', async () => {
		const c = await world.newCase({ columns: 'v STRING', consumer: { parser: { format: 'json', includeMetadata: true, tombstones: 'emit', output: 'batch' } } });
		await run(c, 'refused-rows-packed');
		for (const key of c.pipeline.rejected) {
			const out = c.pipeline.invalid.get(key);
			assert.equal(typeof out?.meta?.offset, 'string', `packed rejected line ${key} carries its offset`);
		}
	});

	// A failed execution is redelivered whole. Many scattered refused rows and a split budget of 10
	// loads: the split stops, and an execution some of whose rows loaded must not fail (its redelivery
	// would load those rows again). On a DUPLICATE KEY table every row is in Doris exactly once or on
	// Rejected with its reason; no row is both, none is neither.
	it('split budget spent on many scattered refused rows: no row loaded twice, none lost (DUPLICATE KEY)', async () => {
		await budgetSpent('refused-rows-budget-duplicate-key', {});
	});

	// As it once ran on a loaded machine (8 rows twice): the last execution of a partition (8 messages)
	// joins its batch after the 100 ms batch interval, so it loads in a later batch than the execution
	// before it, which then fails (its rows past the split budget). The trigger delivered again every
	// execution of the partition from the failed one on, the loaded one too.
	it('split budget spent, the last execution of each partition in a later batch than the one before it: no row loaded twice (DUPLICATE KEY)', async () => {
		await budgetSpent('refused-rows-budget-late-last-execution', {
			failExecution: async (e) => {
				// 1,008 messages per partition: offsets 1000..1007 are its last execution.
				if (e.lastOffset === '1007') await new Promise((resolve) => setTimeout(resolve, 300));
				return undefined;
			},
		});
	});

	// What loaded 8 rows twice in the case above once, on a loaded machine: the last execution of a
	// partition (8 messages) mapped faster than the one of 200 before it, joined an earlier batch and
	// loaded; then that one failed (its rows past the split budget) and the trigger delivered again
	// every execution of the partition from the failed one on, the loaded one included. Here forced:
	// the partition's first execution fails only once a later one of the same partition has loaded.
	it('an execution that fails after a later one of its partition loaded is delivered again alone: no row twice (DUPLICATE KEY)', async () => {
		let failed = false;
		const c = await world.newCase({
			columns: 'v STRING',
			model: 'DUPLICATE',
			failExecution: async (e) => {
				if (e.partition !== 0 || e.firstOffset !== '0' || e.attempt !== 0) return undefined;
				// Rows of partition 0 past its first execution (offsets 200 on: ids 400 on, even).
				await waitFor('a later execution of partition 0 to load', () => c.pipeline.tableIds().has('400'), 20_000);
				failed = true;
				return 'a node before Doris failed (injected)';
			},
		});
		const items = plainRows(0, ROWS, c.partitions);
		await c.produce(items);
		const settleMs = await c.pipeline.settle(60_000);
		assertInvariant(c);
		assert.ok(failed, 'the first execution of partition 0 failed after a later one loaded');
		const inDoris = world.doris.tableRows('rel', c.table).map((r) => Number(r.id));
		const twice = inDoris.length - new Set(inDoris).size;
		recordFigures('failed-execution-after-later-loaded-duplicate-key', { rows: ROWS, loadedTwice: twice, executionFailures: c.pipeline.failures.length, settleMs });
		assert.equal(twice, 0, `${twice} row(s) loaded twice`);
		assert.equal(inDoris.length, ROWS);
		assert.equal(c.pipeline.failures.length, 1);
		await c.pipeline.close();
	});
});
