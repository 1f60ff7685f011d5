// Add New Columns on the real broker while Doris refuses the ALTER for now (another alter job runs on
// the table: "state(SCHEMA_CHANGE) is not NORMAL. Do not allow doing ALTER ops"): the executions fail,
// their offsets stay uncommitted, the messages are redelivered after the backoff, and once the job
// ends the column is added and every row loads with its new field; nothing goes to Invalid.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { recordFigures } from './harness/figures';
import type { ToProduce } from './harness/ledger';
import { assertClearFailures, assertInvariant, DATABASE, useWorld } from './harness/world';

const HALF = 300;
const world = useWorld();

const row = (id: number, partitions: number, fields: Record<string, unknown>): ToProduce => ({ partition: id % partitions, id: String(id), value: JSON.stringify({ id, ...fields }) });

describe('schema evolution against a busy table', { timeout: 240_000 }, () => {
	it('an ALTER refused while an alter job runs fails the executions; after the job every row loads with its new column, none on Invalid', async () => {
		const c = await world.newCase({ columns: 'v VARCHAR(64)', mapper: { evolve: true } });
		await c.produce(Array.from({ length: HALF }, (_, i) => row(i, c.partitions, { v: `a${i}` })));
		await c.pipeline.settle(30_000);
		const job = world.doris.schemaChangeJob(DATABASE, c.table);
		await c.produce(Array.from({ length: HALF }, (_, i) => row(HALF + i, c.partitions, { v: `b${i}`, extra: `e${HALF + i}` })));
		// Redeliveries: at least two refusals in a row before the job ends.
		const deadline = Date.now() + 30_000;
		while (c.pipeline.failures.length < 2) {
			if (Date.now() > deadline) throw new Error(`the ALTER was not refused: ${c.pipeline.invalid.size} row(s) on Invalid`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		assert.equal(c.pipeline.invalid.size, 0, 'a row went to Invalid while the table was busy');
		const ended = Date.now();
		job.finish();
		await c.pipeline.settle(60_000);
		const recoverMs = Date.now() - ended;
		assertInvariant(c);
		assert.equal(c.pipeline.invalid.size, 0);
		assertClearFailures(c, /state\(SCHEMA_CHANGE\) is not NORMAL\. Do not allow doing ALTER ops/);
		const missing = world.doris.tableRows(DATABASE, c.table).filter((r) => Number(r.id) >= HALF && r.extra !== `e${r.id}`);
		assert.deepEqual(missing.slice(0, 5), [], `${missing.length} row(s) lost their new field`);
		recordFigures('evolve-busy-table', { rows: 2 * HALF, rowsLost: 0, invalid: c.pipeline.invalid.size, failures: c.pipeline.failures.length, recoverMs });
		await c.pipeline.close();
	});
});
