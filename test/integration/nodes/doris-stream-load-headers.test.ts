/**
 * The Stream Load options Doris users reach for, through the Doris Stream Load node against the Doris
 * test server: the `where`, `json_root`, `partitions`, `merge_type` / `delete` headers passed through, and
 * `columns` entries holding commas and blanks. Rows a header leaves out are counted in the node's
 * output (unselected by `where`, filtered by `partitions`), or the execution fails: none vanishes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NodeApiError, type INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	tables: [
		{ name: 'events', columns: 'id INT, v VARCHAR(16), note VARCHAR(32) NULL' },
		{
			name: 'ranged',
			columns: 'id INT, v VARCHAR(16)',
			keys: 'DUPLICATE KEY(id) PARTITION BY RANGE(id) (PARTITION p_low VALUES LESS THAN ("100"), PARTITION p_high VALUES LESS THAN (MAXVALUE))',
		},
		{ name: 'kept', columns: 'id INT, v VARCHAR(16)', keys: 'UNIQUE KEY(id)' },
		{ name: 'keyed', columns: 'k INT, v VARCHAR(16), w VARCHAR(16) NULL', keys: 'UNIQUE KEY(k)' },
	],
	sharedBatches: true,
	// A partial update reads the table once over the MySQL port.
	readsTables: true,
});
const ctx = nodeContextsIn(db);

const rows = (...pairs: Array<[number, string]>) => pairs.map(([id, v]) => ({ json: { id, v } }));
const headers = (entries: Record<string, string>) => ({ header: Object.entries(entries).map(([name, value]) => ({ name, value })) });
const load = (table: string, items: INodeExecutionData[], options: Record<string, unknown>, params: Record<string, unknown> = {}, connected?: number[]) =>
	executeStreamLoad(ctx({ table, ...params, options }, items, { mode: 'manual', connected }));
/** Doris' reason on the Rejected output's first item. */
const rejectedReason = (out: INodeExecutionData[][]) => ((out[1][0]?.json._invalid as { reasons: Array<{ message: string }> } | undefined)?.reasons[0]?.message ?? '');
const ids = (table: string) =>
	db.server
		.tableRows('d', table)
		.map((r) => Number(r.id))
		.sort((a, b) => a - b);

describe('Doris Stream Load node: pass-through headers', () => {
	it('where: rows it leaves out are not loaded and are counted as unselected in the output', async () => {
		const out = await load('events', rows([1, 'keep'], [2, 'skip'], [3, 'keep'], [4, 'skip']), { headers: headers({ where: "v != 'skip'" }) });
		const summary = out[0][0].json;
		assert.equal(summary.loadedRows, 2);
		assert.equal(summary.unselectedRows, 2, 'the rows left out by where are visible in the output');
		assert.equal(summary.filteredRows, 0);
		assert.deepEqual(ids('events'), [1, 3]);
	});

	it('json_root: each line is read from the object under the root; a field outside it fails the execution naming it; a line without it is refused (Rejected output), or fails the load when that leads nowhere', async () => {
		const nested = [{ json: { payload: { id: 10, v: 'a' } } }, { json: { payload: { id: 11, v: 'b' } } }];
		await load('events', nested, { headers: headers({ json_root: '$.payload' }) });
		assert.deepEqual(ids('events').filter((id) => id >= 10), [10, 11]);
		// Doris reads only the root object: a field beside it would be skipped without a count.
		const before = db.server.loads.length;
		// With Rejected leading nowhere the execution fails naming the field, its value and the fix (session 16:
		// before, it failed so with Rejected wired too, on every delivery); with Rejected wired the row goes there.
		await assert.rejects(
			load('events', [{ json: { payload: { id: 13, v: 'd' }, meta: 'x' } }], { headers: headers({ json_root: '$.payload' }) }, {}, [0]),
			/Row field "meta" would not load: it is outside the object Doris reads under json_root "\$\.payload".*\(its value "x"\).*connect the Rejected output/,
		);
		assert.equal(db.server.loads.length, before, 'nothing sent');
		const handedBack = await load('events', [{ json: { payload: { id: 13, v: 'd' }, meta: 'x' } }, { json: { payload: { id: 14, v: 'e' } } }], { headers: headers({ json_root: '$.payload' }) }, {}, [0, 1]);
		assert.match(rejectedReason(handedBack), /^Row field "meta" would not load/);
		assert.deepEqual(ids('events').filter((id) => id >= 13), [14], 'the other row loaded');
		// be/src/vec/exec/format/json/new_json_reader.cpp: "JSON Root not found." filters the line; with
		// Max Filter Ratio 0 the whole load fails: the line goes to the Rejected output with that reason,
		// or, when the Rejected output leads nowhere, the execution fails.
		const out = await load('events', [{ json: {} }], { headers: headers({ json_root: '$.payload' }) });
		assert.match(rejectedReason(out), /JSON Root not found/);
		await assert.rejects(load('events', [{ json: {} }], { headers: headers({ json_root: '$.payload' }) }, {}, [0]), (error: NodeApiError) => {
			assert.match(error.message, /too many filtered rows/);
			assert.match(JSON.stringify(error.errorResponse), /JSON Root not found/);
			return true;
		});
		assert.ok(!ids('events').includes(12));
	});

	it('partitions: rows of the named partitions load; a row outside is refused (Rejected output) or fails the load, or is counted filtered within Max Filter Ratio', async () => {
		await load('ranged', rows([1, 'a'], [2, 'b']), { headers: headers({ partitions: 'p_low' }) });
		assert.deepEqual(ids('ranged'), [1, 2]);
		await assert.rejects(load('ranged', rows([3, 'a'], [150, 'b']), { headers: headers({ partitions: 'p_low' }) }, {}, [0]), (error: NodeApiError) => {
			assert.match(error.message, /too many filtered rows/);
			assert.match(JSON.stringify(error.errorResponse), /no partition for this tuple/);
			return true;
		});
		assert.deepEqual(ids('ranged'), [1, 2], 'nothing of the failed load is in Doris');
		const split = await load('ranged', rows([3, 'a'], [150, 'b']), { headers: headers({ partitions: 'p_low' }) });
		assert.match(rejectedReason(split), /no partition for this tuple/);
		assert.deepEqual(split[1].map((item) => item.json.id), [150]);
		assert.deepEqual(ids('ranged'), [1, 2, 3], 'the row inside p_low loaded, the one outside is on the Rejected output');
		const out = await load('ranged', rows([4, 'a'], [250, 'b']), { headers: headers({ partitions: 'p_low' }), maxFilterRatio: 0.5 });
		assert.equal(out[0][0].json.filteredRows, 1, 'the row outside p_low is counted as filtered');
		assert.deepEqual(ids('ranged'), [1, 2, 3, 4]);
		await assert.rejects(load('ranged', rows([5, 'a']), { headers: headers({ partitions: 'p_low, p9' }) }), /Unknown partition 'p9' in table 'ranged'/);
	});

	it('merge_type: DELETE deletes the rows it loads; MERGE deletes those matching the delete condition (Deletes: Never)', async () => {
		await load('kept', rows([1, 'a'], [2, 'b'], [3, 'c']), {});
		await load('kept', rows([1, 'a']), { deletes: 'never', headers: headers({ merge_type: 'DELETE' }) });
		assert.deepEqual(ids('kept'), [2, 3]);
		await load('kept', rows([2, 'gone'], [4, 'd']), { deletes: 'never', headers: headers({ merge_type: 'MERGE', delete: "v = 'gone'" }) });
		assert.deepEqual(ids('kept'), [3, 4]);
		await assert.rejects(load('kept', rows([5, 'e']), { headers: headers({ merge_type: 'DELETE' }) }), /"merge_type" "DELETE" is refused with Deletes \(CDC\) "auto"/);
		assert.deepEqual(ids('kept'), [3, 4]);
	});

	it('a refused header fails the execution before anything is sent, naming the header and the reason', async () => {
		const loadsBefore = db.server.loads.length;
		await assert.rejects(load('events', rows([90, 'a']), { headers: headers({ two_phase_commit: 'true' }) }), /"two_phase_commit" "true" is refused: .*pre-committed/);
		await assert.rejects(load('events', rows([90, 'a']), { headers: headers({ label: 'mine' }) }), /"label" "mine" is refused/);
		assert.equal(db.server.loads.length, loadsBefore, 'no load reached Doris');
	});
});

describe('Doris Stream Load node: columns with expressions', () => {
	it('a Columns entry holding commas and blanks reaches Doris whole (JSON)', async () => {
		await load('events', rows([20, 'a'], [21, 'b']), { columns: "id, v, note = 'x, y z'" });
		const stored = db.server.tableRows('d', 'events').filter((r) => Number(r.id) >= 20);
		assert.deepEqual(
			stored.map((r) => r.note),
			['x, y z', 'x, y z'],
		);
	});

	it('CSV lines hold the plain columns; a computed entry comes from Doris', async () => {
		await load('events', rows([30, 'a']), {}, { format: 'csv', csvColumns: "id, v, note = 'from, csv'" });
		const stored = db.server.tableRows('d', 'events').find((r) => Number(r.id) === 30);
		assert.equal(stored?.v, 'a');
		assert.equal(stored?.note, 'from, csv');
	});

	it('CSV with one plain column: an empty string would be an empty line, which Doris skips uncounted, so the row goes to Rejected (or, with Rejected leading nowhere, the execution fails before anything is sent)', async () => {
		// be/src/vec/exec/format/csv/csv_reader.cpp: `size == 0` is skipped unless the session has
		// read_csv_empty_line_as_null. Before, the load committed "a" and then failed on its row counts
		// (1 read, 2 sent), so each redelivery added "a" again.
		const before = db.server.loads.length;
		const input = () => [{ json: { v: 'a' } }, { json: { v: '' } }];
		const error = await load('events', input(), {}, { format: 'csv', csvColumns: 'v, id = 40' }, [0]).catch((e: unknown) => e);
		assert.match(String((error as Error).message), /Item 1: Column "v" is an empty string.*empty line.*\(rule csv_unwritable\)/);
		assert.equal(db.server.loads.length, before, 'nothing was sent');
		assert.deepEqual(ids('events').filter((id) => id === 40), []);
		const [summary, rejected] = await load('events', input(), {}, { format: 'csv', csvColumns: 'v, id = 40' }, [0, 1]);
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(rejected.map((r) => [r.json.v, (r.json._invalid as { reasons: Array<{ rule: string }> }).reasons[0].rule]), [['', 'csv_unwritable']]);
		assert.deepEqual(ids('events').filter((id) => id === 40), [40]);
	});

	it('a fixed partial update whose key is a computed column passes the key check (the column is the name before "=")', async () => {
		await load('keyed', [{ json: { id: 1, v: 'a' } }], { columns: 'id, v, k = id' });
		await load('keyed', [{ json: { id: 1, v: 'b' } }], { partialUpdate: 'fixed', columns: 'id, v, k = id', strictMode: true });
		assert.deepEqual(
			db.server.tableRows('d', 'keyed').map((r) => [r.k, r.v]),
			[[1, 'b']],
		);
	});
});
