/**
 * Strict Mode through the Doris Stream Load node against the Doris test server. Without strict mode
 * Doris loads NULL in place of a value its cast cannot convert, and counts nothing (the row is loaded,
 * not filtered: be/src/vec/exec/scan/vfile_scanner.cpp, "value is incorrect while strict mode is"
 * filters only in strict mode). Such values reach Doris when the table changed after the Doris Schema
 * node read it (ALTER TABLE MODIFY COLUMN, a table re-created), for a column type the Schema node does
 * not know, or when rows skip the Schema node: the node loads in strict mode unless told otherwise, so
 * such a row comes out on Rejected with Doris' reason instead of a silent NULL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	tables: [
		{ name: 'amounts', columns: 'id INT, amount INT NULL' },
		{ name: 'lenient', columns: 'id INT, amount INT NULL' },
		{ name: 'keyed', columns: 'k INT, v VARCHAR(16) NULL, w VARCHAR(16) NULL', keys: 'UNIQUE KEY(k)' },
	],
	sharedBatches: true,
	readsTables: true,
});
const ctx = nodeContextsIn(db);

const load = (table: string, items: INodeExecutionData[], options: Record<string, unknown> = {}) =>
	executeStreamLoad(ctx({ table, options }, items, { mode: 'manual' }));
const rowsOf = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id ?? a.k) - Number(b.id ?? b.k));
const reasonsOf = (out: INodeExecutionData[][]) =>
	out[1].map((item) => (item.json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons[0]);

describe('Doris Stream Load node: strict mode', () => {
	it('by default a value Doris cannot convert goes to Rejected with its reason instead of loading as NULL', async () => {
		const out = await load('amounts', [{ json: { id: 1, amount: 5 } }, { json: { id: 2, amount: 'abc' } }]);
		assert.deepEqual(rowsOf('amounts'), [{ id: 1, amount: 5 }], 'row 2 is not in Doris with amount NULL');
		assert.equal(out[1].length, 1, 'row 2 is on the Rejected output');
		assert.equal(out[1][0].json.id, 2);
		const [reason] = reasonsOf(out);
		assert.equal(reason.rule, 'doris_rejected');
		assert.match(reason.message, /amount/);
	});

	it('Strict Mode off: Doris loads NULL in place of the value, as the option says', async () => {
		await load('lenient', [{ json: { id: 1, amount: 'abc' } }], { strictMode: false });
		assert.deepEqual(rowsOf('lenient'), [{ id: 1, amount: null }]);
	});

	it('a fixed partial update is not strict unless asked: strict mode would refuse every row whose key is not stored yet', async () => {
		await load('keyed', [{ json: { k: 1, v: 'a', w: 'x' } }]);
		await load('keyed', [{ json: { k: 1, v: 'b' } }, { json: { k: 2, v: 'new' } }], { partialUpdate: 'fixed', columns: 'k, v' });
		assert.deepEqual(rowsOf('keyed').map((r) => [r.k, r.v, r.w]), [[1, 'b', 'x'], [2, 'new', null]]);
		const out = await load('keyed', [{ json: { k: 1, v: 'c' } }, { json: { k: 3, v: 'refused' } }], { partialUpdate: 'fixed', columns: 'k, v', strictMode: true });
		assert.deepEqual(rowsOf('keyed').map((r) => [r.k, r.v, r.w]), [[1, 'c', 'x'], [2, 'new', null]]);
		assert.equal(out[1].length, 1);
		assert.equal(out[1][0].json.k, 3);
		assert.match(reasonsOf(out)[0].message, /filtered/);
	});
});
