// HLL / BITMAP / QUANTILE_STATE columns in the Doris test server, as Doris' Stream Load planner (2.1,
// 3.0, 3.1 alike) treats a column no JSON value can fill:
// - no `columns` header: fe-core Load.initColumns makes every column a field of the data, and
//   FileLoadScanNode.finalizeParamsForLoad refuses that field for an HLL column ("HLL column must use
//   hll_hash function, like uv=hll_hash(xxx)"), a BITMAP_UNION one ("bitmap column users require the
//   function return type is BITMAP") and a QUANTILE_UNION one: the whole load fails;
// - `columns` with an expression (`uv = hll_hash(user_id)`, `users = to_bitmap(user_id)`) loads, and
//   an AGGREGATE KEY table merges them by their union;
// - `columns` leaving the column out: a BITMAP column loads empty (the default every such column gets),
//   an HLL column too only since apache/doris PR #34447 (hll_empty() as its default's expression; 3.0
//   and 3.1, while 2.1 is imitated without it and refuses the load), a NOT NULL QUANTILE_STATE column
//   without default fails "Column has no default value" (Load.initColumns).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { jsonLines, streamLoad } from './doris/testing';
import type { DorisVersion } from './doris/types';

for (const version of ['2.1', '3.0', '3.1'] as DorisVersion[]) {
	describe(`HLL / BITMAP / QUANTILE_STATE columns in a Stream Load (Doris ${version})`, () => {
		let doris: DorisTestServer;
		const load = async (table: string, rows: object[], headers: Record<string, string> = {}) =>
			(await streamLoad(doris.feUrl, 's', table, jsonLines(rows), { format: 'json', read_json_by_line: 'true', ...headers })).json;

		before(async () => {
			doris = await startDorisTestServer({ version });
			await doris.sql('CREATE DATABASE s');
			await doris.sql('CREATE TABLE s.visits (day INT NOT NULL, hits BIGINT SUM, uv HLL HLL_UNION, users BITMAP BITMAP_UNION) AGGREGATE KEY(day) DISTRIBUTED BY HASH(day) BUCKETS 1');
			await doris.sql('CREATE TABLE s.latency (day INT NOT NULL, lat QUANTILE_STATE QUANTILE_UNION NOT NULL) AGGREGATE KEY(day) DISTRIBUTED BY HASH(day) BUCKETS 1');
		});
		after(() => doris.close());

		it('refuses the whole load without an expression for the column (no columns header, or the column listed as a field)', async () => {
			const rows = [{ day: 1, hits: 1, user_id: 7 }];
			const plain = await load('visits', rows);
			assert.equal(plain.Status, 'Fail');
			assert.match(plain.Message, /HLL column must use hll_hash function, like uv=hll_hash\(xxx\)/);
			const listed = await load('visits', rows, { columns: 'day, hits, user_id, uv, users = to_bitmap(user_id)' });
			assert.match(listed.Message, /HLL column must use hll_hash function, like uv=hll_hash\(xxx\)/);
			const bitmap = await load('visits', rows, { columns: 'day, hits, user_id, uv = hll_hash(user_id), users' });
			assert.match(bitmap.Message, /bitmap column users require the function return type is BITMAP/);
			const quantile = await load('latency', [{ day: 1, lat: 3 }]);
			assert.match(quantile.Message, /quantile_state column .* require the function return type is QUANTILE_STATE/);
			assert.deepEqual(doris.tableRows('s', 'visits'), []);
		});

		it('loads with an expression for each, merging them by their union', async () => {
			const columns = 'day, hits, user_id, uv = hll_hash(user_id), users = to_bitmap(user_id)';
			const first = await load('visits', [{ day: 1, hits: 1, user_id: 7 }, { day: 1, hits: 1, user_id: 8 }], { columns });
			assert.equal(first.Status, 'Success', first.Message);
			await load('visits', [{ day: 1, hits: 1, user_id: 7 }, { day: 1, hits: 1, user_id: 9 }], { columns });
			assert.deepEqual(doris.tableRows('s', 'visits'), [{ day: 1, hits: 4, uv: '7,8,9', users: '7,8,9' }]);
		});

		it(`fills a BITMAP column left out of the columns list empty, an HLL one ${version === '2.1' ? 'not (refused)' : 'too'}; a NOT NULL QUANTILE_STATE one without default fails the load`, async () => {
			const hllLeftOut = await load('visits', [{ day: 2, hits: 5 }], { columns: 'day, hits' });
			if (version === '2.1') {
				assert.equal(hllLeftOut.Status, 'Fail');
				assert.match(hllLeftOut.Message, /HLL column must use hll_hash function, like uv=hll_hash\(xxx\)/);
			} else assert.equal(hllLeftOut.Status, 'Success', hllLeftOut.Message);
			const empty = await load('visits', [{ day: 3, hits: 5 }], { columns: 'day, hits, uv = hll_empty()' });
			assert.equal(empty.Status, 'Success', empty.Message);
			assert.deepEqual(doris.tableRows('s', 'visits').at(-1), { day: 3, hits: 5, uv: '', users: '' });
			const quantile = await load('latency', [{ day: 1 }], { columns: 'day' });
			assert.equal(quantile.Status, 'Fail');
			assert.match(quantile.Message, /Column has no default value\. column: lat/);
		});
	});
}
