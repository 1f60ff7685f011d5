/**
 * An execution stopped in n8n (its cancel signal aborts) while its rows straddle a load already sent and
 * a sealed batch waiting behind it, against the Doris test server through the shared batch of a target
 * (src/batch/doris-target.ts, withdraw.ts): the waiting batch loses the stopped rows and loads the other
 * execution's alone; the load already sent keeps them, and a warning names their count, the table and
 * that load's label, since the redelivery loads them again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadIntoDoris } from '../../src/batch/doris-target';
import { AbortError } from '../../src/doris/stream-load/errors';
import { targetsIn, useDorisDatabase } from './stream-load-support';

const db = useDorisDatabase({ sharedBatches: true });
const target = targetsIn(db);

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i, v: `v${from + i}` }));

describe('an execution stopped while its rows wait for their loads', () => {
	it('its rows leave the batch not sent yet; those in the load already sent stay, and the warning names rows, table and label', async () => {
		const table = await db.newTable();
		const logs: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
		const logger = {
			info: (message: string, meta?: Record<string, unknown>) => logs.push({ level: 'info', message, meta }),
			warn: (message: string, meta?: Record<string, unknown>) => logs.push({ level: 'warn', message, meta }),
		};
		const config = { ...target(table, { batch: { maxRows: 4, maxInFlight: 1 } }), logger };
		// The first load stays on its way a moment, so the second batch waits for its slot.
		db.server.faults.hangThenCommit(1, 300);
		const stop = new AbortController();
		// 6 rows: 4 fill batch 1, sent at once; 2 open batch 2, which the other execution's 2 rows fill.
		const stopped = loadIntoDoris(config, rows(6), { signal: stop.signal });
		const other = loadIntoDoris(config, rows(2, 100));
		stop.abort();
		await assert.rejects(stopped, AbortError);
		const result = await other;
		assert.deepEqual(
			result.batches.map((b) => b.rows),
			[2],
			'the waiting batch loaded the other execution\'s rows alone',
		);
		const loads = db.server.loads.filter((l) => l.table === table && l.status === 'Success');
		assert.deepEqual(
			loads.map((l) => l.rows),
			[4, 2],
		);
		assert.deepEqual(
			db.server
				.tableRows('d', table)
				.map((r) => Number(r.id))
				.sort((a, b) => a - b),
			[0, 1, 2, 3, 100, 101],
		);
		const [taken, sent] = logs;
		assert.equal(logs.length, 2);
		assert.equal(taken.level, 'info');
		assert.match(taken.message, new RegExp(`^Stream Load into d\\.${table}: 2 row\\(s\\) of an execution stopped in n8n .* taken out of the batch before it was sent`));
		assert.equal(sent.level, 'warn');
		assert.match(sent.message, new RegExp(`^Stream Load into d\\.${table}: 4 row\\(s\\) of an execution stopped in n8n .* are in the load under label "${loads[0].label}", already sent: they cannot be taken back, and may load twice`));
		assert.deepEqual(sent.meta, { table: `d.${table}`, label: loads[0].label, rows: 4, batchId: 1 });
	});
});
