/**
 * The Doris Stream Load node with Format CSV against the Doris test server: a row whose value a CSV
 * line cannot carry as Doris reads it back (the node's separator \x01, a line break, the text \N that
 * Doris' CSV reader loads as NULL) comes out on Rejected with rule csv_unwritable, its column, value
 * and why, while the execution's other rows load and it succeeds, so the Kafka trigger commits. Such
 * a row is taken out before the rows join the shared batch: it never fails other executions' rows.
 * When Rejected leads nowhere the execution fails before anything is sent, naming the column.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({ sharedBatches: true });
const ctx = nodeContextsIn(db);

const csv = (table: string) => ({ table, format: 'csv', csvColumns: 'id, note' });
/** Ten rows; row 4 holds the node's column separator (\x01), row 7 is the text \N. */
const tenRows = (): INodeExecutionData[] =>
	Array.from({ length: 10 }, (_v, k) => ({ json: { id: k + 1, note: k === 3 ? 'tea\x01milk' : k === 6 ? '\\N' : `note ${k + 1}` } }));
const stored = (table: string) =>
	db.server
		.tableRows('d', table)
		.map((r) => [Number(r.id), r.note])
		.sort((a, b) => Number(a[0]) - Number(b[0]));
const reasons = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0]);
const notesTable = () => db.newTable({ columns: 'id INT, note VARCHAR(64)' });

describe('Doris Stream Load node: Format CSV, rows a CSV line cannot carry', () => {
	it('10 rows, row 4 holds the separator and row 7 is \\N: 8 rows in Doris, 2 on Rejected with their reasons, the execution succeeds', async () => {
		const table = await notesTable();
		const [summary, rejected] = await executeStreamLoad(ctx(csv(table), tenRows(), { mode: 'manual', connected: [0, 1] }));
		assert.deepEqual(
			stored(table),
			[1, 2, 3, 5, 6, 8, 9, 10].map((id) => [id, `note ${id}`]),
		);
		assert.equal(summary.length, 1);
		assert.equal(summary[0].json.status, 'Success');
		assert.equal(summary[0].json.rows, 8);
		assert.deepEqual(
			rejected.map((r) => [r.json.id, r.json.note, r.pairedItem]),
			[
				[4, 'tea\x01milk', { item: 3 }],
				[7, '\\N', { item: 6 }],
			],
		);
		assert.deepEqual(
			reasons(rejected).map((r) => [r.rule, r.column, r.value]),
			[
				['csv_unwritable', 'note', 'tea\x01milk'],
				['csv_unwritable', 'note', '\\N'],
			],
		);
		assert.match(reasons(rejected)[0].message, /^Column "note" holds the column separator "\\x01": Doris would split the row there; use the JSON format for free text$/);
		assert.match(reasons(rejected)[1].message, /^Column "note" is the text \\N, which Doris' CSV reader loads as NULL; use the JSON format for free text$/);
		assert.equal((rejected[0].json[INVALID_FIELD] as unknown as InvalidInfo).table, `d.${table}`);
	});

	it('a value with a lone surrogate (no UTF-8 for it) goes to Rejected, not into Doris as U+FFFD', async () => {
		const table = await notesTable();
		const rows = [{ json: { id: 1, note: 'ok' } }, { json: { id: 2, note: JSON.parse('"tea\\ud800"') as string } }, { json: { id: 3, note: 'caf\u00e9 \ud83d\ude00' } }];
		const [summary, rejected] = await executeStreamLoad(ctx(csv(table), rows, { mode: 'manual', connected: [0, 1] }));
		assert.deepEqual(stored(table), [
			[1, 'ok'],
			[3, 'caf\u00e9 \ud83d\ude00'],
		]);
		assert.equal(summary[0].json.rows, 2);
		assert.deepEqual(
			reasons(rejected).map((r) => [r.rule, r.column, r.message]),
			[['csv_unwritable', 'note', 'Column "note" holds a lone surrogate (U+D800), which UTF-8 cannot carry: the line would carry U+FFFD in its place, and Doris load that; use the JSON format for free text']],
		);
		assert.equal(rejected[0].json.note, 'tea\ud800', 'the item keeps the value as it was');
	});

	it('a row with a line break among rows of other executions in one shared batch: the batch loads, every execution succeeds', async () => {
		const table = await notesTable();
		const params = { ...csv(table), batchRows: 5, batchIntervalSeconds: 30 };
		const loadsBefore = db.server.loads.length;
		const [good, mixed] = await Promise.all([
			executeStreamLoad(ctx(params, [{ json: { id: 1, note: 'a' } }, { json: { id: 2, note: 'b' } }], { connected: [0, 1] })),
			executeStreamLoad(ctx(params, [{ json: { id: 3, note: 'c' } }, { json: { id: 4, note: 'two\nlines' } }, { json: { id: 5, note: 'e' } }, { json: { id: 6, note: 'f' } }], { connected: [0, 1] })),
		]);
		assert.deepEqual(stored(table), [
			[1, 'a'],
			[2, 'b'],
			[3, 'c'],
			[5, 'e'],
			[6, 'f'],
		]);
		assert.equal(db.server.loads.length - loadsBefore, 1, 'one load for the five rows of both executions');
		assert.equal(good[0][0].json.executionsServed, 2);
		assert.deepEqual(good[1], []);
		assert.deepEqual(
			reasons(mixed[1]).map((r) => [r.rule, r.column, r.message]),
			[['csv_unwritable', 'note', 'Column "note" holds a line break: Doris would end the row there; use the JSON format for free text']],
		);
	});

	it('a first value starting with a byte-order mark and a last value ending in \\r (Doris strips both) go to Rejected instead of loading changed', async () => {
		// Before, both loaded without a word: "bom" without its U+FEFF, "windows" without its \r.
		const table = await db.newTable({ columns: 'id INT, note VARCHAR(64), tail VARCHAR(64)' });
		const input = [
			{ json: { note: '\uFEFFbom', id: 1, tail: 'a' } },
			{ json: { note: 'b', id: 2, tail: 'windows\r' } },
			{ json: { note: 'mid\rdle', id: 3, tail: 'c' } },
		];
		const [summary, rejected] = await executeStreamLoad(ctx({ table, format: 'csv', csvColumns: 'note, id, tail' }, input, { mode: 'manual', connected: [0, 1] }));
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(
			db.server.tableRows('d', table).map((r) => [r.id, r.note, r.tail]),
			[[3, 'mid\rdle', 'c']],
		);
		assert.deepEqual(
			reasons(rejected).map((r) => [r.column, r.message]),
			[
				['note', "Column \"note\" starts with a byte-order mark (U+FEFF), which Doris' CSV reader strips from the first line of each block it reads; use the JSON format for free text"],
				['tail', "Column \"tail\" ends in a carriage return, which Doris' CSV reader drops before the line break; use the JSON format for free text"],
			],
		);
	});

	it('Rejected leads nowhere: the execution fails before anything is sent, naming the column; delivered again with Rejected wired, each row loads once', async () => {
		const table = await notesTable();
		const loadsBefore = db.server.loads.length;
		const error = await executeStreamLoad(ctx(csv(table), tenRows(), { mode: 'manual', connected: [0] })).catch((e: unknown) => e);
		assert.ok(error instanceof NodeOperationError, String(error));
		assert.match(error.message, /^Item 3: Column "note" holds the column separator "\\x01".*\(rule csv_unwritable\); connect the Rejected output/);
		assert.equal(db.server.loads.length, loadsBefore, 'nothing was sent');
		assert.deepEqual(stored(table), []);
		// The Kafka trigger delivers the failed execution again (here after the workflow was fixed).
		const [summary, rejected] = await executeStreamLoad(ctx(csv(table), tenRows(), { mode: 'manual', connected: [0, 1] }));
		assert.equal(summary[0].json.rows, 8);
		assert.equal(rejected.length, 2);
		assert.deepEqual(
			stored(table).map((r) => r[0]),
			[1, 2, 3, 5, 6, 8, 9, 10],
			'each row once',
		);
	});
});
