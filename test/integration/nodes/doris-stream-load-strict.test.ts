/**
 * Strict Mode through the Doris Stream Load node against the Doris test server, in each release line.
 * Without strict mode Doris loads NULL in place of a value its cast cannot convert, and counts nothing
 * (the row is loaded, not filtered: be/src/vec/exec/scan/vfile_scanner.cpp `_convert_to_output_block`
 * filters "value is incorrect" only in strict mode). Such values reach Doris when the table changed
 * after the Doris Schema node read it (ALTER TABLE MODIFY COLUMN, a table re-created), for a column
 * type the Schema node does not know, or when rows skip the Schema node: the node always loads in
 * strict mode, so such a row comes out on Rejected with Doris' reason instead of a silent NULL.
 *
 * Partial Update (src/doris/stream-load/strict-mode.ts): Doris 3.1 inserts new keys in strict mode
 * (partial_update_new_key_behavior APPEND); 2.1 / 3.0 refuse them in strict mode, so there the node
 * loads a partial update only with Strict Mode set on explicitly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import type { DorisTestServerOptions } from '../../ground/doris/types';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const TABLES = [
	{ name: 'amounts', columns: 'id INT, amount INT NULL' },
	{ name: 'keyed', columns: 'k INT, v VARCHAR(16) NULL, n INT NULL', keys: 'UNIQUE KEY(k)' },
];

function suite(server: DorisTestServerOptions) {
	const db = useDorisDatabase({ server, tables: TABLES, sharedBatches: true, readsTables: true });
	const ctx = nodeContextsIn(db);
	const load = (table: string, items: INodeExecutionData[], options: Record<string, unknown> = {}) =>
		executeStreamLoad(ctx({ table, options }, items, { mode: 'manual' }));
	const rows = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id ?? a.k) - Number(b.id ?? b.k));
	const keyed = () => rows('keyed').map((r) => [r.k, r.v, r.n]);
	const reasonsOf = (out: INodeExecutionData[][]) => out[1].map((item) => (item.json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons[0]);
	const lastHeaders = () => db.server.loads[db.server.loads.length - 1].headers;
	return { db, load, rows, keyed, reasonsOf, lastHeaders };
}

describe('Doris Stream Load node: strict mode', () => {
	describe('whole-row loads (Doris 3.0)', () => {
		const { db, load, rows, reasonsOf } = suite({ version: '3.0' });

		it('a value Doris cannot convert goes to Rejected with its reason instead of loading as NULL', async () => {
			const out = await load('amounts', [{ json: { id: 1, amount: 5 } }, { json: { id: 2, amount: 'abc' } }]);
			assert.deepEqual(rows('amounts'), [{ id: 1, amount: 5 }], 'row 2 is not in Doris with amount NULL');
			assert.equal(out[1].length, 1, 'row 2 is on the Rejected output');
			assert.equal(out[1][0].json.id, 2);
			const [reason] = reasonsOf(out);
			assert.equal(reason.rule, 'doris_rejected');
			assert.match(reason.message, /amount/);
		});

		it('Strict Mode off is refused before any load, naming the setting and the rule (Doris would load NULL, counting nothing)', async () => {
			const loadsBefore = db.server.loads.length;
			await assert.rejects(load('amounts', [{ json: { id: 3, amount: 'abc' } }], { strictMode: false }), /Strict Mode off is refused: Doris then loads NULL in place of a value/);
			assert.equal(db.server.loads.length, loadsBefore, 'nothing was sent');
			assert.deepEqual(rows('amounts').map((r) => r.id), [1], 'row 3 is not in Doris with amount NULL');
		});
	});

	describe('Partial Update on Doris 3.1', () => {
		const { db, load, keyed, reasonsOf, lastHeaders } = suite({ version: '3.1' });

		it('keeps strict mode: a value Doris cannot convert goes to Rejected, a row whose key is new still inserts', async () => {
			await load('keyed', [{ json: { k: 1, v: 'a', n: 1 } }]);
			const out = await load('keyed', [{ json: { k: 1, n: 'abc' } }, { json: { k: 2, n: 5 } }], { partialUpdate: 'fixed', columns: 'k, n' });
			assert.deepEqual(keyed(), [[1, 'a', 1], [2, null, 5]], 'k 1 keeps n 1 (not NULL); k 2 is inserted');
			assert.equal(out[1].length, 1);
			assert.equal(out[1][0].json.k, 1);
			assert.match(reasonsOf(out)[0].message, /\bn\b/);
			assert.equal(lastHeaders().strict_mode, 'true');
			assert.equal(lastHeaders().partial_update_new_key_behavior, 'APPEND');
		});

		it('Strict Mode set on explicitly: the same', async () => {
			await load('keyed', [{ json: { k: 3, n: 7 } }], { partialUpdate: 'fixed', columns: 'k, n', strictMode: true });
			assert.deepEqual(keyed().find((r) => r[0] === 3), [3, null, 7]);
			assert.equal(db.server.tableRows('d', 'keyed').length, 3);
		});
	});

	for (const version of ['2.1', '3.0'] as const) {
		describe(`Partial Update on Doris ${version}`, () => {
			const { db, load, keyed, reasonsOf, lastHeaders } = suite({ version });

			it('without Strict Mode set the execution fails before any load, naming the setting, the release and the rule', async () => {
				await load('keyed', [{ json: { k: 1, v: 'a', n: 1 } }]);
				const loadsBefore = db.server.loads.length;
				await assert.rejects(
					load('keyed', [{ json: { k: 1, n: 'abc' } }, { json: { k: 2, n: 5 } }], { partialUpdate: 'fixed', columns: 'k, n' }),
					new RegExp(`Partial Update on Doris ${version.replace('.', '\\.')}\\.\\d+ needs Strict Mode set explicitly: .*refuses every row whose key is not stored yet .*loads NULL`),
				);
				assert.equal(db.server.loads.length, loadsBefore, 'nothing was sent');
				assert.deepEqual(keyed(), [[1, 'a', 1]], 'n of k 1 is not NULL');
			});

			it('with Strict Mode on: stored keys update, a bad value and a new key go to Rejected; the 3.1 header is not sent', async () => {
				await load('keyed', [{ json: { k: 5, n: 0 } }, { json: { k: 6, n: 0 } }]);
				const out = await load('keyed', [{ json: { k: 1, n: 9 } }, { json: { k: 1, n: 'abc' } }, { json: { k: 4, n: 5 } }, { json: { k: 5, n: 1 } }, { json: { k: 6, n: 2 } }], {
					partialUpdate: 'fixed',
					columns: 'k, n',
					strictMode: true,
				});
				assert.deepEqual(keyed(), [[1, 'a', 9], [5, null, 1], [6, null, 2]]);
				assert.deepEqual(out[1].map((item) => item.json.k).sort(), [1, 4]);
				const byKey = new Map(out[1].map((item, i) => [item.json.k, reasonsOf(out)[i]]));
				assert.equal(byKey.get(4)?.rule, 'doris_new_key');
				assert.match(String(byKey.get(4)?.message), /its key is not stored in the table yet, and in a partial update in strict mode Doris 2\.1 \/ 3\.0 refuse such a row/);
				assert.equal(byKey.get(1)?.rule, 'doris_rejected');
				assert.match(String(byKey.get(1)?.message), /column_name\[n\]/);
				assert.equal(lastHeaders().strict_mode, 'true');
				assert.equal(lastHeaders().partial_update_new_key_behavior, undefined);
			});
		});
	}

	describe('Partial Update on a build whose version names no release', () => {
		const { db, load } = suite({ version: '3.1', versionComment: 'Doris version trunk-build' });

		it('is taken for one before 3.1: refused without Strict Mode set, naming what the FE said', async () => {
			const loadsBefore = db.server.loads.length;
			await assert.rejects(load('keyed', [{ json: { k: 1, n: 1 } }], { partialUpdate: 'fixed', columns: 'k, n' }), /Partial Update on Doris an unknown release \(version_comment "Doris version trunk-build"\) needs Strict Mode set explicitly/);
			assert.equal(db.server.loads.length, loadsBefore);
		});
	});
});
