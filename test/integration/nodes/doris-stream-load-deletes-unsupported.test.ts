/**
 * The Doris Stream Load node with rows flagged as deletes (`__DORIS_DELETE_SIGN__` 1) under Deletes
 * (CDC) Auto or Always into a table that is not UNIQUE KEY, against the Doris test server. Only a
 * UNIQUE KEY table has the hidden delete sign; for any other Doris drops the `hidden_columns` entry
 * without a word (fe-core Load.initColumns / NereidsLoadScanProvider add a hidden column only when
 * `column != null && !column.isVisible()`, 2.1, 3.0, 3.1), so the delete loads as a new row (DUPLICATE
 * KEY) or is summed into the stored row (AGGREGATE KEY), counted as loaded. The Doris Schema node
 * refuses such deletes when it reads the table (rule delete_unsupported); with a manual schema, or
 * rows of a producer of one's own, they reached Doris.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { metrics } from '../../../src/metrics/metrics';
import { nodeContextsIn, packedDeleteItem, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({ sharedBatches: true, readsTables: true });
const ctx = nodeContextsIn(db);

let tableNo = 0;
async function table(keys: string): Promise<string> {
	const name = `nonunique${++tableNo}`;
	await db.server.sql(`CREATE TABLE d.${name} (id INT NOT NULL, v INT NULL) ${keys} DISTRIBUTED BY HASH(id) BUCKETS 1`);
	return name;
}
const manualTo = (connected: number[]) => ({ mode: 'manual', connected });
const rows = (name: string) => db.server.tableRows('d', name).sort((a, b) => Number(a.id) - Number(b.id));
const rules = (items: INodeExecutionData[]) => items.map((i) => `${String(i.json.id)} ${(i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.rule).join()}`);

async function counted(rule: string): Promise<number> {
	const { values } = await metrics.rowsRejected.get();
	return values.filter((v) => v.labels.rule === rule).reduce((sum, v) => sum + v.value, 0);
}

describe('Doris Stream Load node: deletes into a table that is not UNIQUE KEY', () => {
	beforeEach(() => metrics.rowsRejected.reset());

	it('DUPLICATE KEY, Deletes Auto: the delete goes to Rejected (delete_unsupported) instead of loading as a new row, per message and packed', async () => {
		const name = await table('DUPLICATE KEY(id)');
		await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 1 } }], manualTo([0, 1])));
		const [summary, rejected] = await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 1, __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 2, v: 2, __DORIS_DELETE_SIGN__: 0 } }], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['1 delete_unsupported']);
		assert.match((rejected[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /d\.nonunique\d+ is a DUPLICATE KEY table.*new row/);
		assert.equal(summary[0].json.rows, 1);
		const [, packedRejected] = await executeStreamLoad(ctx({ table: name }, [packedDeleteItem(['{"id":3,"v":3,"__DORIS_DELETE_SIGN__":0}', '{"id":2,"v":2,"__DORIS_DELETE_SIGN__":1}'])], manualTo([0, 1])));
		assert.deepEqual(rules(packedRejected), ['2 delete_unsupported']);
		assert.deepEqual(rows(name), [
			{ id: 1, v: 1 },
			{ id: 2, v: 2 },
			{ id: 3, v: 3 },
		]);
		assert.equal(await counted('delete_unsupported'), 2);
	});

	it('AGGREGATE KEY, Deletes Always: the delete is not summed into the stored row; Rejected leading nowhere fails the execution before any load', async () => {
		const name = `agg${++tableNo}`;
		await db.server.sql(`CREATE TABLE d.${name} (id INT NOT NULL, v INT SUM NULL) AGGREGATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 5 } }], manualTo([0, 1])));
		const always = { table: name, options: { deletes: 'always' } };
		const [, rejected] = await executeStreamLoad(ctx(always, [{ json: { id: 1, v: 5, __DORIS_DELETE_SIGN__: 1 } }], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['1 delete_unsupported']);
		await assert.rejects(executeStreamLoad(ctx(always, [{ json: { id: 1, v: 5, __DORIS_DELETE_SIGN__: 1 } }], manualTo([0]))), /Item 0: __DORIS_DELETE_SIGN__ is 1: .*AGGREGATE KEY table.*\(rule delete_unsupported\)/);
		assert.deepEqual(rows(name), [{ id: 1, v: 5 }]);
	});

	// Created while the FE config enable_batch_delete_by_default was false: no hidden __DORIS_DELETE_SIGN__,
	// and Doris drops the sign the same way. Before, the delete loaded as an upsert (v 9) and the row stayed.
	it('UNIQUE KEY without the hidden delete sign: the delete goes to Rejected (delete_unsupported) instead of loading as an upsert', async () => {
		await db.server.sql('ADMIN SET FRONTEND CONFIG ("enable_batch_delete_by_default" = "false")');
		let name: string;
		try {
			name = await table('UNIQUE KEY(id)');
		} finally {
			await db.server.sql('ADMIN SET FRONTEND CONFIG ("enable_batch_delete_by_default" = "true")');
		}
		await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 1 } }, { json: { id: 2, v: 2 } }], manualTo([0, 1])));
		const [summary, rejected] = await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 9, __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 2, v: 3, __DORIS_DELETE_SIGN__: 0 } }], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['1 delete_unsupported']);
		assert.match((rejected[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /d\.nonunique\d+ has no hidden delete sign column.*ENABLE FEATURE "BATCH_DELETE"/);
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(rows(name), [
			{ id: 1, v: 1 },
			{ id: 2, v: 3 },
		]);
	});

	// A migration drops the table and creates it again as DUPLICATE KEY while the stream runs. Same columns,
	// so nothing asked for a re-read: the cached UNIQUE KEY let the delete go with the sign, which Doris
	// drops on a DUPLICATE KEY table, and the deleted row loaded as a new one (key-facts.ts).
	it('a UNIQUE KEY table dropped and created again as DUPLICATE KEY: the next delete goes to Rejected, not in as a new row', async () => {
		const name = await table('UNIQUE KEY(id)');
		await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 1 } }, { json: { id: 2, v: 2, __DORIS_DELETE_SIGN__: 1 } }], manualTo([0, 1])));
		assert.deepEqual(rows(name), [{ id: 1, v: 1 }]);
		await db.server.sql(`DROP TABLE d.${name}`);
		await db.server.sql(`CREATE TABLE d.${name} (id INT NOT NULL, v INT NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		const [summary, rejected] = await executeStreamLoad(ctx({ table: name }, [{ json: { id: 3, v: 3 } }, { json: { id: 1, v: 1, __DORIS_DELETE_SIGN__: 1 } }], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['1 delete_unsupported']);
		assert.match((rejected[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /is a DUPLICATE KEY table/);
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(rows(name), [{ id: 3, v: 3 }]);
	});

	it('UNIQUE KEY: the delete deletes, as before', async () => {
		const name = await table('UNIQUE KEY(id)');
		await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 1 } }, { json: { id: 2, v: 2 } }], manualTo([0, 1])));
		const [, rejected] = await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, v: 1, __DORIS_DELETE_SIGN__: 1 } }], manualTo([0, 1])));
		assert.deepEqual(rejected, []);
		assert.deepEqual(rows(name), [{ id: 2, v: 2 }]);
	});
});
