/**
 * The Doris Stream Load node's Deletes (CDC) Never with rows the Doris Schema node flagged as deletes
 * (`__DORIS_DELETE_SIGN__` 1), against the Doris test server. Never loads without the delete sign, so
 * such a row would load as an upsert of the deleted row and keep it in Doris. It goes to Rejected with
 * rule delete_not_applied instead, per message and packed; rows with sign 0 or none load; when
 * Rejected leads nowhere the execution fails before any load; a merge_type header DELETE / MERGE
 * still decides which rows delete.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { metrics } from '../../../src/metrics/metrics';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	sharedBatches: true,
	readsTables: true,
});
const ctx = nodeContextsIn(db);

let tableNo = 0;
async function uniqueTable(): Promise<string> {
	const name = `kept${++tableNo}`;
	await db.server.sql(`CREATE TABLE d.${name} (id INT NOT NULL, v VARCHAR(16) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
	return name;
}

const never = (table: string, headers?: Record<string, string>) => ({
	table,
	options: { deletes: 'never', ...(headers === undefined ? {} : { headers: { header: Object.entries(headers).map(([name, value]) => ({ name, value })) } }) },
});
const manualTo = (connected: number[]) => ({ mode: 'manual', connected });
const rows = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id));
const reasons = (item: INodeExecutionData) => (item.json[INVALID_FIELD] as unknown as InvalidInfo).reasons;
const rules = (items: INodeExecutionData[]) => items.map((i) => `${String(i.json.id)} ${reasons(i).map((r) => `${r.rule} ${String(r.column)}`).join()}`);

function packed(lines: string[], deleteSign?: boolean): INodeExecutionData {
	const packedRows: PackedRows = {
		jsonLines: lines.map((l) => `${l}\n`).join(''),
		count: lines.length,
		sources: [{ topic: 't', partition: 0, firstOffset: '100', lastOffset: String(99 + lines.length), lines: lines.length }],
		...(deleteSign === undefined ? {} : { deleteSign }),
	};
	return { json: { [PACKED_ROWS_FIELD]: packedRows } as never };
}

async function counted(rule: string): Promise<number> {
	const { values } = await metrics.rowsRejected.get();
	return values.filter((v) => v.labels.rule === rule).reduce((sum, v) => sum + v.value, 0);
}

describe('Doris Stream Load node: Deletes (CDC) Never with rows flagged as deletes', () => {
	beforeEach(() => metrics.rowsRejected.reset());

	it('per message: a delete goes to Rejected (delete_not_applied) and stays out of the table; sign 0 and no sign load', async () => {
		const table = await uniqueTable();
		await executeStreamLoad(ctx({ table }, [{ json: { id: 1, v: 'a' } }, { json: { id: 2, v: 'b' } }], manualTo([0, 1])));
		const input = [
			{ json: { id: 1, v: 'a', __DORIS_DELETE_SIGN__: 1 } },
			{ json: { id: 2, v: 'b2', __DORIS_DELETE_SIGN__: 0 } },
			{ json: { id: 3, v: 'gone at source', __DORIS_DELETE_SIGN__: 1 } },
			{ json: { id: 4, v: 'd' } },
			{ json: { id: 5, v: 'text sign', __DORIS_DELETE_SIGN__: '1' } },
		];
		const [summary, rejected] = await executeStreamLoad(ctx(never(table), input, manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['1 delete_not_applied __DORIS_DELETE_SIGN__', '3 delete_not_applied __DORIS_DELETE_SIGN__', '5 delete_not_applied __DORIS_DELETE_SIGN__']);
		assert.deepEqual(rejected.map((r) => r.pairedItem), [{ item: 0 }, { item: 2 }, { item: 4 }]);
		assert.match(reasons(rejected[0])[0].message, /Deletes \(CDC\) is Never.*upsert.*set Deletes \(CDC\) to Auto/);
		assert.equal(summary[0].json.rows, 2);
		// Never does not delete: id 1 stays as it was (the delete is on Rejected, not applied), 3 never appears.
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'a' },
			{ id: 2, v: 'b2' },
			{ id: 4, v: 'd' },
		]);
		assert.equal(await counted('delete_not_applied'), 3);
	});

	it('packed: the delete lines go to Rejected with where they came from; the other lines load', async () => {
		const table = await uniqueTable();
		const lines = [
			'{"id":1,"v":"a","__DORIS_DELETE_SIGN__":0}',
			'{"id":2,"v":"deleted","__DORIS_DELETE_SIGN__":1}',
			'{"id":3,"v":"c"}',
			'{"id":4,"v":"deleted too","__DORIS_DELETE_SIGN__" : 1}',
		];
		const [summary, rejected] = await executeStreamLoad(ctx(never(table), [packed(lines, true)], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['2 delete_not_applied __DORIS_DELETE_SIGN__', '4 delete_not_applied __DORIS_DELETE_SIGN__']);
		assert.deepEqual(rejected.map((r) => r.json._kafka), [
			{ topic: 't', partition: 0, offset: '101', line: 1 },
			{ topic: 't', partition: 0, offset: '103', line: 3 },
		]);
		assert.equal(summary[0].json.rows, 2);
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'a' },
			{ id: 3, v: 'c' },
		]);
		assert.equal(await counted('delete_not_applied'), 2);
	});

	it('packed lines straight from the trigger (no deleteSign flag) are searched too', async () => {
		const table = await uniqueTable();
		const [summary, rejected] = await executeStreamLoad(ctx(never(table), [packed(['{"id":1,"v":"a"}', '{"id":2,"v":"gone","__DORIS_DELETE_SIGN__":1}'])], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['2 delete_not_applied __DORIS_DELETE_SIGN__']);
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(rows(table), [{ id: 1, v: 'a' }]);
	});

	// A packed item built by hand (a Code node) that says deleteSign false while its lines carry the
	// sign 1. Loaded without hidden_columns, Doris reads no sign from the data (FE Load.initColumns,
	// NereidsLoadScanProvider: the hidden column is read only when hidden_columns or Columns names it;
	// otherwise it takes its default 0): the delete would load as an upsert and the row stay. The lines
	// decide, not the flag: Auto loads with the sign and deletes the row; Never hands the line back.
	it('a hand-built packed item flagged deleteSign false whose lines carry the sign 1: Auto deletes the row, Never hands the line back', async () => {
		const table = await uniqueTable();
		await executeStreamLoad(ctx({ table }, [{ json: { id: 1, v: 'a' } }, { json: { id: 2, v: 'b' } }], manualTo([0, 1])));
		const lines = ['{"id":1,"v":"a","__DORIS_DELETE_SIGN__":1}', '{"id":3,"v":"c"}'];
		const [autoSummary, autoRejected] = await executeStreamLoad(ctx({ table, options: { deletes: 'auto' } }, [packed(lines, false)], manualTo([0, 1])));
		assert.deepEqual(autoRejected, []);
		assert.equal(autoSummary[0].json.rows, 2);
		assert.deepEqual(rows(table), [
			{ id: 2, v: 'b' },
			{ id: 3, v: 'c' },
		]);
		const [, rejected] = await executeStreamLoad(ctx(never(table), [packed(['{"id":2,"v":"b","__DORIS_DELETE_SIGN__":1}', '{"id":4,"v":"d"}'], false)], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['2 delete_not_applied __DORIS_DELETE_SIGN__']);
		assert.deepEqual(rows(table), [
			{ id: 2, v: 'b' },
			{ id: 3, v: 'c' },
			{ id: 4, v: 'd' },
		]);
	});

	it('Rejected leads nowhere: the execution fails before any load, naming the rule and the setting', async () => {
		const table = await uniqueTable();
		const input = [{ json: { id: 1, v: 'a' } }, { json: { id: 2, v: 'b', __DORIS_DELETE_SIGN__: 1 } }];
		await assert.rejects(executeStreamLoad(ctx(never(table), input, manualTo([0]))), /Item 1: __DORIS_DELETE_SIGN__ is 1: .*Deletes \(CDC\) is Never.*\(rule delete_not_applied\)/);
		await assert.rejects(
			executeStreamLoad(ctx(never(table), [packed(['{"id":3,"v":"c"}', '{"id":4,"v":"d","__DORIS_DELETE_SIGN__":1}'], true)], manualTo([0]))),
			/Item 0: line 1 of packedRows: __DORIS_DELETE_SIGN__ is 1: .*\(rule delete_not_applied\)/,
		);
		assert.deepEqual(rows(table), []);
		assert.equal(await counted('delete_not_applied'), 0);
	});

	it('merge_type DELETE / MERGE decides which rows delete: rows load as before, whatever their sign', async () => {
		const table = await uniqueTable();
		await executeStreamLoad(ctx({ table }, [{ json: { id: 1, v: 'a' } }, { json: { id: 2, v: 'b' } }, { json: { id: 3, v: 'c' } }], manualTo([0, 1])));
		const [, deleted] = await executeStreamLoad(ctx(never(table, { merge_type: 'DELETE' }), [{ json: { id: 1, v: 'a', __DORIS_DELETE_SIGN__: 1 } }], manualTo([0, 1])));
		assert.deepEqual(deleted, []);
		assert.deepEqual(rows(table).map((r) => r.id), [2, 3]);
		const input = [packed(['{"id":2,"v":"gone","__DORIS_DELETE_SIGN__":1}', '{"id":4,"v":"d","__DORIS_DELETE_SIGN__":1}'], true)];
		const [summary, rejected] = await executeStreamLoad(ctx(never(table, { merge_type: 'MERGE', delete: "v = 'gone'" }), input, manualTo([0, 1])));
		assert.deepEqual(rejected, []);
		assert.equal(summary[0].json.rows, 2);
		assert.deepEqual(rows(table), [
			{ id: 3, v: 'c' },
			{ id: 4, v: 'd' },
		]);
	});

	// Doris reads the sign from the data when the columns header names it (stream-load manual,
	// hidden_columns: "takes effect when the Header does not include Columns"; apache/doris regression
	// test_mix_partial_update_load.groovy loads `columns: k1,c1,c2,c3,seq,__DORIS_DELETE_SIGN__` without
	// merge_type and the row is deleted). Such a load applies every delete: none may go to Rejected.
	it('Columns naming __DORIS_DELETE_SIGN__: Doris reads the sign from each row, so deletes load and delete (per message and packed)', async () => {
		const table = await uniqueTable();
		await executeStreamLoad(ctx({ table }, [1, 2, 3, 4].map((id) => ({ json: { id, v: 'x' } })), manualTo([0, 1])));
		const withSign = (t: string) => ({ table: t, options: { deletes: 'never', columns: 'id,v,__DORIS_DELETE_SIGN__' } });
		const input = [{ json: { id: 1, v: 'a', __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 2, v: 'b', __DORIS_DELETE_SIGN__: 0 } }];
		const [summary, rejected] = await executeStreamLoad(ctx(withSign(table), input, manualTo([0, 1])));
		assert.deepEqual(rules(rejected), []);
		assert.equal(summary[0].json.rows, 2);
		const [packedSummary, packedRejected] = await executeStreamLoad(
			ctx(withSign(table), [packed(['{"id":3,"v":"gone","__DORIS_DELETE_SIGN__":1}', '{"id":4,"v":"d","__DORIS_DELETE_SIGN__":0}'], true)], manualTo([0, 1])),
		);
		assert.deepEqual(rules(packedRejected), []);
		assert.equal(packedSummary[0].json.rows, 2);
		assert.deepEqual(rows(table), [
			{ id: 2, v: 'b' },
			{ id: 4, v: 'd' },
		]);
		assert.equal(await counted('delete_not_applied'), 0);
	});
});

describe('Doris Stream Load node: Deletes (CDC) Never with a flexible partial update', () => {
	const flexDb = useDorisDatabase({ server: { version: '3.1' }, sharedBatches: true, readsTables: true });
	const flexCtx = nodeContextsIn(flexDb);

	// A flexible partial update reads __DORIS_DELETE_SIGN__ from each JSON line and deletes the rows
	// flagged 1, without hidden_columns (Doris 3.1+, docs data-operate/update/update-of-unique-model.md,
	// flexible partial column update: the line {"k": 0, "__DORIS_DELETE_SIGN__": 1} deletes k 0).
	it('the delete lines delete: none goes to Rejected', async () => {
		await flexDb.server.sql(
			'CREATE TABLE d.flex (id INT NOT NULL, v VARCHAR(16) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("enable_unique_key_skip_bitmap_column" = "true")',
		);
		await executeStreamLoad(flexCtx({ table: 'flex' }, [1, 2].map((id) => ({ json: { id, v: 'x' } })), manualTo([0, 1])));
		const options = { deletes: 'never', partialUpdate: 'flexible' };
		const [summary, rejected] = await executeStreamLoad(flexCtx({ table: 'flex', options }, [{ json: { id: 1, __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 2, v: 'b' } }], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), []);
		assert.equal(summary[0].json.rows, 2);
		assert.deepEqual(flexDb.server.tableRows('d', 'flex'), [{ id: 2, v: 'b' }]);
	});
});
