/**
 * Rows with a deadline (the Kafka trigger's Keep Order per Partition) against the Doris test server:
 * loaded before it with Doris' own load timeout cut to the time left, never sent after it, and a load
 * still hanging at the deadline given up then.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadIntoDoris } from '../../src/batch/doris-target';
import { DeadlineError } from '../../src/batch/load-deadline';
import { targetsIn, useDorisDatabase } from './stream-load-support';

const db = useDorisDatabase({ sharedBatches: true });
const target = targetsIn(db);
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i, v: `v${from + i}` }));

describe('Stream Load with a deadline', () => {
	it('loads before the deadline with Doris\' timeout cut to the seconds left, sealing the batch ahead of its interval', async () => {
		const table = await db.newTable();
		const started = Date.now();
		const result = await loadIntoDoris(target(table, { batch: { maxRows: 1000, maxIntervalMs: 600_000 } }), rows(3), { deadline: Date.now() + 8_000 });
		assert.equal(result.rows, 3);
		assert.ok(Date.now() - started < 7_000, 'sealed ahead of the deadline, not at the 10-minute interval');
		const load = db.server.loads.find((l) => l.table === table && l.status === 'Success');
		assert.ok(Number(load?.headers.timeout) <= 8, `timeout header ${load?.headers.timeout}`);
		assert.equal(db.server.tableRows('d', table).length, 3);
	});

	it('rows whose deadline has passed are not sent; a load hanging at the deadline is given up then, and nothing lands after', async () => {
		const table = await db.newTable();
		const config = target(table, { batch: { maxRows: 1000, maxIntervalMs: 50 } });
		await assert.rejects(loadIntoDoris(config, rows(2), { deadline: Date.now() - 1 }), DeadlineError);
		assert.equal(db.server.loads.filter((l) => l.table === table).length, 0, 'nothing sent');

		db.server.faults.hang(1, 20_000);
		const started = Date.now();
		await assert.rejects(loadIntoDoris(config, rows(2, 10), { deadline: Date.now() + 3_000 }), (error: unknown) => {
			assert.ok(error instanceof DeadlineError, String(error));
			assert.match((error as Error).message, /not loaded by its rows' deadline/);
			return true;
		});
		const waited = Date.now() - started;
		assert.ok(waited >= 2_500 && waited < 6_000, `given up after ${waited} ms`);
		await new Promise((resolve) => setTimeout(resolve, 500));
		assert.deepEqual(db.server.tableRows('d', table), [], 'the hung attempt did not land');
	});
});
