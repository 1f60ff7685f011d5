// Keep Order per Partition against a Doris that commits a load after its rows' deadline, on the real
// broker and the Doris test server with no txn cleaner sweep during the test (Doris sweeps every
// transaction_clean_interval_second, 30 s: what it does between two sweeps). A BE that has the body
// commits without its client (be/src/http/action/stream_load.cpp); the Stream Load node now cancels a
// load still PREPARE shortly before the deadline by its label (POST /api/{db}/_cancel), so the trigger's
// redelivery is the only copy of its rows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertInvariant, midStream, useWorld } from './harness/world';

const ROWS = 2000;
const world = useWorld({ labels: { cleanIntervalMs: 3_600_000 } });

describe('Keep Order deadline: a load still running at it is cancelled in Doris', { timeout: 300_000 }, () => {
	it('the load would commit after the deadline; cancelled, its late commit is refused and the redelivery loads the rows once (DUPLICATE KEY, exact)', async () => {
		// Before (session 19): the load was given up and logged as one that "may still commit"; it committed
		// 12 s after it began, and the redelivery loaded its rows again.
		const c = await world.newCase({ model: 'DUPLICATE', consumer: { keepPartitionOrder: true, executionTimeoutMs: 6_000 }, target: { requestTimeoutMs: 60_000 } });
		await midStream(c, ROWS, () => world.doris.faults.hangThenCommit(1, 12_000));
		await c.pipeline.settle();
		// The hung load has ended (committed, or refused as aborted) before the rows are counted.
		for (;;) {
			const hung = world.doris.loads.find((l) => l.table === c.table && l.fault === 'hangThenCommit');
			if (hung !== undefined && hung.status !== 'hang then commit') break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		const hung = world.doris.loads.find((l) => l.table === c.table && l.fault === 'hangThenCommit');
		assert.equal(hung?.status, 'Fail');
		assert.match(String(hung?.response?.Message), /is already aborted\. abort reason: user cancel/);
		await c.pipeline.close();
	});
});
