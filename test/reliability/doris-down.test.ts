// Doris down for a while, then back. RELIABILITY_DORIS_DOWN_S sets the outage
// (default 8 s so the suite stays short; docs/reliability.md reports a 120 s run). While Doris is
// down: consumption pauses (the trigger does not run ahead of the failed offset), nothing new is
// committed, Stream Load attempts stay bounded by the backoffs; after: everything loads, the table
// equals the produced set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { metrics } from '../../src/metrics/metrics';
import { counterSum, recordFigures } from './harness/figures';
import { assertInvariant, useWorld } from './harness/world';

const DOWN_S = Number(process.env.RELIABILITY_DORIS_DOWN_S ?? 8);
const ROWS = 4000;
const world = useWorld();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`Doris down for ${DOWN_S} s`, { timeout: DOWN_S * 1000 + 120_000 }, () => {
	it('pauses, commits nothing while down, loads everything after', async () => {
		const c = await world.newCase({ partitions: 2 });
		const { pipeline } = c;
		await c.produceRows(0, ROWS / 2);
		await pipeline.settle();
		const loadedBefore = pipeline.tableRowCount();
		const committedBefore = await pipeline.committed();
		const attemptsBefore = await counterSum(metrics.streamLoads, { table: c.metricTable });

		const downAt = Date.now();
		await world.doris.faults.down(DOWN_S * 1000);
		await c.produceRows(ROWS / 2, ROWS / 2);
		// Mid-outage: the state must be exactly the one before.
		await sleep(DOWN_S * 500);
		assert.equal(pipeline.tableRowCount(), loadedBefore);
		assert.deepEqual(await pipeline.committed(), committedBefore, 'nothing committed while Doris is down');
		await sleep(Math.max(0, downAt + DOWN_S * 1000 - Date.now() - 300));
		const upAt = Date.now();
		const committedAtEnd = await pipeline.committed();
		assert.deepEqual(committedAtEnd, committedBefore, 'nothing committed during the whole outage');
		const commitsDuring = pipeline.commits.filter((x) => x.at > downAt && x.at < upAt && x.offset > (committedBefore.get(x.partition) ?? -1n));
		assert.deepEqual(commitsDuring, []);
		// Paused: no execution ever started beyond one window (4 × 200 records) past the committed offset.
		const during = pipeline.executions.filter((e) => e.at > downAt && e.at < upAt);
		for (const e of during) {
			const base = committedBefore.get(e.partition) ?? 0n;
			assert.ok(e.last < base + 800n, `partition ${e.partition}: execution up to ${e.last} while committed is ${base}`);
		}
		const attemptsDuring = (await counterSum(metrics.streamLoads, { table: c.metricTable })) - attemptsBefore;
		const redeliveries = pipeline.consumers.reduce((s, x) => s + x.stats.redeliveries, 0);

		const settleMs = await pipeline.settle(120_000);
		assertInvariant(c);
		assert.ok(pipeline.failures.length > 0, 'loads failed while Doris was down');
		for (const reason of pipeline.failures) assert.match(reason, new RegExp(`Doris table "${c.table}".*(ECONNREFUSED|refused|reset)`, 's'));
		recordFigures(`dorisDown${DOWN_S}s`, {
			rows: ROWS,
			downS: DOWN_S,
			executionsDuringOutage: during.length,
			streamLoadAttemptOutcomesDuringOutage: attemptsDuring,
			redeliveries,
			executionFailures: pipeline.failures.length,
			settleAfterUpMs: settleMs,
			maxInFlight: Math.max(...pipeline.consumers.map((x) => x.stats.maxInFlight)),
		});
		await pipeline.close();
	});
});
