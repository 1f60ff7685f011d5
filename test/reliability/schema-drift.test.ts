// ALTER TABLE under a running pipeline, on the real broker, with the Doris Schema node's Refresh
// Interval at 0 (no background re-read): the schema is re-read because the items or Doris say the table
// changed (src/doris/schema/drift.ts, a refused load marking it stale), and nothing is lost, dropped or
// stalled. Doris refuses to narrow a VARCHAR or to make a column NOT NULL with MODIFY COLUMN
// (Column.checkSchemaChangeAllowed), so those two cases drop the column and add it back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { recordFigures } from './harness/figures';
import type { ToProduce } from './harness/ledger';
import { assertInvariant, DATABASE, useWorld, type Case } from './harness/world';

const HALF = 500;
const world = useWorld();

const row = (id: number, partitions: number, fields: Record<string, unknown>): ToProduce => ({ partition: id % partitions, id: String(id), value: JSON.stringify({ id, ...fields }) });
const rowsOf = (c: Case) => world.doris.tableRows(DATABASE, c.table);

/** Produces the first half, waits for it, runs the ALTER, produces the second half, settles: the recovery time. */
async function alterMidStream(c: Case, first: ToProduce[], alter: string[], second: ToProduce[]): Promise<{ settleMs: number; recoverMs: number }> {
	await c.produce(first);
	await c.pipeline.settle(30_000);
	const altered = Date.now();
	for (const sql of alter) await world.doris.sql(sql);
	await c.produce(second);
	const settleMs = await c.pipeline.settle(60_000);
	return { settleMs, recoverMs: Date.now() - altered };
}

describe('schema drift: ALTER TABLE mid-stream, Refresh Interval 0', { timeout: 240_000 }, () => {
	it('ADD COLUMN: the new field lands in the new column from the first message that carries it (never NULL)', async () => {
		const c = await world.newCase({ columns: 'v VARCHAR(64)', minRereadMs: 200 });
		const first = Array.from({ length: HALF }, (_, i) => row(i, c.partitions, { v: `a${i}` }));
		const second = Array.from({ length: HALF }, (_, i) => row(HALF + i, c.partitions, { v: `b${i}`, extra: `e${HALF + i}` }));
		const times = await alterMidStream(c, first, [`ALTER TABLE ${DATABASE}.${c.table} ADD COLUMN extra VARCHAR(32) NULL`], second);
		assertInvariant(c);
		const missing = rowsOf(c).filter((r) => Number(r.id) >= HALF && r.extra !== `e${r.id}`);
		assert.deepEqual(missing.slice(0, 5), [], `${missing.length} row(s) after ADD COLUMN lost their new field`);
		recordFigures('drift-add-column', { rows: 2 * HALF, rowsLost: 0, fieldsDropped: missing.length, failures: c.pipeline.failures.length, ...times });
		await c.pipeline.close();
	});

	it('ADD COLUMN, one item per batch mapped in a worker thread: the new field lands in the new column', async () => {
		// Executions of 2,000 messages on one partition: packed items over the worker threshold (1,000
		// lines). Every tenth message carries the new field, so it first shows inside an item.
		const c = await world.newCase({
			partitions: 1,
			columns: 'v VARCHAR(64)',
			minRereadMs: 200,
			workerThreads: 1,
			consumer: { maxRecordsPerExecution: 2000, parser: { format: 'json', includeMetadata: true, tombstones: 'emit', output: 'batch' } },
		});
		const first = Array.from({ length: 2 * HALF }, (_, i) => row(i, 1, { v: `a${i}` }));
		const carries = (id: number) => id % 10 === 5;
		const second = Array.from({ length: 4 * HALF }, (_, i) => 2 * HALF + i).map((id) => row(id, 1, carries(id) ? { v: `b${id}`, extra: `e${id}` } : { v: `b${id}` }));
		const times = await alterMidStream(c, first, [`ALTER TABLE ${DATABASE}.${c.table} ADD COLUMN extra VARCHAR(32) NULL`], second);
		assertInvariant(c);
		const missing = rowsOf(c).filter((r) => carries(Number(r.id)) && Number(r.id) >= 2 * HALF && r.extra !== `e${r.id}`);
		assert.deepEqual(missing.slice(0, 5), [], `${missing.length} row(s) after ADD COLUMN lost their new field`);
		recordFigures('drift-add-column-packed-worker', { rows: 6 * HALF, rowsLost: 0, fieldsDropped: missing.length, failures: c.pipeline.failures.length, ...times });
		await c.pipeline.close();
	});

	it('MODIFY COLUMN to a wider VARCHAR: values only the new width takes load, none goes to Invalid', async () => {
		const c = await world.newCase({ columns: 'v VARCHAR(8)', minRereadMs: 200 });
		const first = Array.from({ length: HALF }, (_, i) => row(i, c.partitions, { v: `s${i}` }));
		const second = Array.from({ length: HALF }, (_, i) => row(HALF + i, c.partitions, { v: `a value of 24 characters` }));
		const times = await alterMidStream(c, first, [`ALTER TABLE ${DATABASE}.${c.table} MODIFY COLUMN v VARCHAR(64) NULL`], second);
		assertInvariant(c);
		assert.equal(c.pipeline.invalid.size, 0, `${c.pipeline.invalid.size} valid row(s) sent to Invalid by the old width`);
		recordFigures('drift-widen-varchar', { rows: 2 * HALF, rowsLost: 0, invalid: c.pipeline.invalid.size, failures: c.pipeline.failures.length, ...times });
		await c.pipeline.close();
	});

	// The drift re-read is rate-limited: a row too long for the old width re-reads the table, the ALTER
	// follows within the limit, and the wider rows right after it must not be judged against the schema
	// read before it (they wait for the next allowed read instead).
	it('MODIFY COLUMN to a wider VARCHAR within the re-read rate limit (3 s): the rows after it load, none goes to Invalid', async () => {
		const c = await world.newCase({ columns: 'v VARCHAR(8)', minRereadMs: 3_000 });
		const first = Array.from({ length: HALF }, (_, i): ToProduce => (i === HALF - 1 ? { partition: i % c.partitions, id: null, value: JSON.stringify({ id: i, v: 'too long for eight' }), invalid: { rule: 'too_long', column: 'v' } } : row(i, c.partitions, { v: `s${i}` })));
		const second = Array.from({ length: HALF }, (_, i) => row(HALF + i, c.partitions, { v: `a value of 24 characters` }));
		const times = await alterMidStream(c, first, [`ALTER TABLE ${DATABASE}.${c.table} MODIFY COLUMN v VARCHAR(64) NULL`], second);
		assertInvariant(c);
		assert.equal(c.pipeline.invalid.size, 1, `${c.pipeline.invalid.size - 1} valid row(s) sent to Invalid by the schema read before the ALTER`);
		recordFigures('drift-widen-varchar-rate-limited', { rows: 2 * HALF, rowsLost: 0, invalid: c.pipeline.invalid.size, failures: c.pipeline.failures.length, ...times });
		await c.pipeline.close();
	});

	it('a narrower VARCHAR (column dropped and added back): Doris refuses, the schema is re-read, the long values go to Invalid; nothing stalls', async () => {
		const c = await world.newCase({ columns: 'v VARCHAR(64)', minRereadMs: 200 });
		const first = Array.from({ length: HALF }, (_, i) => row(i, c.partitions, { v: `s${i}` }));
		const second = Array.from({ length: HALF }, (_, i): ToProduce => ({
			partition: (HALF + i) % c.partitions,
			id: null,
			value: JSON.stringify({ id: HALF + i, v: `too long for four` }),
			invalid: { rule: 'too_long', column: 'v' },
		}));
		const times = await alterMidStream(c, first, [`ALTER TABLE ${DATABASE}.${c.table} DROP COLUMN v`, `ALTER TABLE ${DATABASE}.${c.table} ADD COLUMN v VARCHAR(4) NULL`], second);
		assertInvariant(c);
		recordFigures('drift-narrow-varchar', { rows: 2 * HALF, rowsLost: 0, invalid: c.pipeline.invalid.size, failures: c.pipeline.failures.length, ...times });
		await c.pipeline.close();
	});

	// Doris filters a row whose NOT NULL column is null, default or not (only a missing field takes the
	// default): after the re-read the later rows, which still carry `note: null`, go to Invalid with the
	// reason. Before, the node dropped their nulls and Doris loaded the default in their place.
	it('a column made NOT NULL (dropped and added back NOT NULL DEFAULT): the nulls Doris refuses go to Invalid after the re-read; rows without the field take the default', async () => {
		const c = await world.newCase({ columns: 'v VARCHAR(64), note VARCHAR(16) NULL', minRereadMs: 200 });
		const first = Array.from({ length: HALF }, (_, i) => row(i, c.partitions, { v: `s${i}`, note: null }));
		const second = Array.from({ length: HALF }, (_, i): ToProduce =>
			i % 2 === 0 ? { ...row(HALF + i, c.partitions, { v: `t${i}`, note: null }), id: null, invalid: { rule: 'not_null', column: 'note' } } : row(HALF + i, c.partitions, { v: `t${i}` }),
		);
		const times = await alterMidStream(
			c,
			first,
			[`ALTER TABLE ${DATABASE}.${c.table} DROP COLUMN note`, `ALTER TABLE ${DATABASE}.${c.table} ADD COLUMN note VARCHAR(16) NOT NULL DEFAULT "none"`],
			second,
		);
		assertInvariant(c);
		const later = rowsOf(c).filter((r) => Number(r.id) >= HALF);
		assert.equal(later.length, HALF / 2);
		assert.ok(later.every((r) => r.note === 'none'), 'the rows without the field took the default');
		recordFigures('drift-not-null', { rows: 2 * HALF, rowsLost: 0, invalid: c.pipeline.invalid.size, failures: c.pipeline.failures.length, ...times });
		await c.pipeline.close();
	});
});
