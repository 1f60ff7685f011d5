// The Doris test server in each release line where strict mode and partial updates differ: what the
// MySQL port says the release is, what a load without strict mode makes of a value it cannot convert,
// and what a partial update does with a row whose key is new (catalog.ts VERSION_COMMENTS,
// load-headers.ts newKeyHandling).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { jsonLines, streamLoad } from './doris/testing';
import type { DorisVersion } from './doris/types';

const PARTIAL = { format: 'json', read_json_by_line: 'true', partial_columns: 'true', columns: 'k,n' };

for (const version of ['2.1', '3.0', '3.1'] as DorisVersion[]) {
	describe(`Doris test server ${version}`, () => {
		let doris: DorisTestServer;
		let conn: mysql.Connection;
		const q = async (sql: string): Promise<Record<string, unknown>[]> => (await conn.query(sql))[0] as Record<string, unknown>[];
		const load = (table: string, rows: object[], headers: Record<string, string>) => streamLoad(doris.feUrls[0], 'r', table, jsonLines(rows), headers).then((r) => r.json);
		const keyed = (table: string) => doris.tableRows('r', table).sort((a, b) => Number(a.k) - Number(b.k)).map((r) => [r.k, r.n]);
		let tables = 0;
		const newTable = async () => {
			const name = `t${++tables}`;
			await q(`CREATE TABLE r.${name} (k INT, n INT NULL) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("enable_unique_key_merge_on_write" = "true")`);
			await load(name, [{ k: 1, n: 1 }], { format: 'json', read_json_by_line: 'true' });
			return name;
		};

		before(async () => {
			doris = await startDorisTestServer({ version });
			conn = await mysql.createConnection({ host: doris.mysqlHost, port: doris.mysqlPort, user: 'root', password: '' });
			await q('CREATE DATABASE r');
		});
		after(async () => {
			await conn.end();
			await doris.close();
		});

		it('answers @@version_comment with a release of its line; version() and @@version with the MySQL version the FE claims', async () => {
			const [row] = await q('SELECT @@version_comment, version(), @@version');
			const [comment, fn, variable] = Object.values(row);
			assert.match(String(comment), new RegExp(`^Doris version doris-${version.replace('.', '\\.')}\\.\\d+-rc\\d+-[0-9a-f]+$`));
			assert.equal(fn, '5.7.99');
			assert.equal(variable, '5.7.99');
		});

		it('without strict mode loads NULL in place of a value it cannot convert, counting it loaded, nothing filtered', async () => {
			await q('CREATE TABLE r.lenient (id INT, n INT NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
			const json = await load('lenient', [{ id: 1, n: 'abc' }], { format: 'json', read_json_by_line: 'true', strict_mode: 'false' });
			assert.equal(json.Status, 'Success');
			assert.equal(json.NumberLoadedRows, 1);
			assert.equal(json.NumberFilteredRows, 0);
			assert.equal(json.ErrorURL, undefined);
			assert.deepEqual(doris.tableRows('r', 'lenient'), [{ id: 1, n: null }]);
		});

		it('a partial update without strict mode inserts a row whose key is new', async () => {
			const table = await newTable();
			const json = await load(table, [{ k: 2, n: 2 }], PARTIAL);
			assert.equal(json.Status, 'Success');
			assert.deepEqual(keyed(table), [[1, 1], [2, 2]]);
		});

		// Sequence column docs (unique-update-concurrent-control.md, "partial column update"): a load that
		// leaves the sequence column out takes the stored row's value; BE segment_writer.cpp /
		// vertical_segment_writer.cpp look the key up without a sequence value then (`have_input_seq_column`),
		// so the row applies whatever the stored value; a new key gets the default or NULL
		// (partial_update_info.cpp fill_missing_columns). The same in 2.1, 3.0 and 3.1.
		const sequenced = async (more = '') => {
			const name = `s${++tables}`;
			await q(
				`CREATE TABLE r.${name} (k INT, n INT NULL, ts BIGINT NULL DEFAULT "3") UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 ` +
					`PROPERTIES ("enable_unique_key_merge_on_write" = "true", "function_column.sequence_col" = "ts"${more})`,
			);
			await load(name, [{ k: 1, n: 1, ts: 9 }], { format: 'json', read_json_by_line: 'true' });
			return name;
		};
		const withSequence = (table: string) => doris.tableRows('r', table).sort((a, b) => Number(a.k) - Number(b.k)).map((r) => [r.k, r.n, r.ts]);

		it('a fixed partial update that leaves the sequence column out applies its rows whatever the stored sequence value, keeping it (a delete too); a new key takes the default', async () => {
			const table = await sequenced();
			const json = await load(table, [{ k: 1, n: 5 }, { k: 2, n: 2 }], PARTIAL);
			assert.equal(json.Status, 'Success');
			assert.deepEqual(withSequence(table), [[1, 5, 9], [2, 2, 3]]);
			assert.equal((await load(table, [{ k: 1, n: 6, ts: 8 }], { ...PARTIAL, columns: 'k,n,ts' })).Status, 'Success');
			assert.deepEqual(withSequence(table)[0], [1, 5, 9], 'with the column listed, a lower value stays out');
			assert.equal((await load(table, [{ k: 1, __DORIS_DELETE_SIGN__: 1 }], { ...PARTIAL, columns: 'k,__DORIS_DELETE_SIGN__' })).Status, 'Success');
			assert.deepEqual(withSequence(table), [[2, 2, 3]], 'the delete applies');
		});

		it('a load of whole rows whose Columns leave a mapped sequence column out is refused (not a partial update), unless its default is CURRENT_TIMESTAMP', async () => {
			// FE LoadScanProvider (2.1, 3.0) / NereidsLoadScanProvider (3.1) handleSequenceColumn: the mapped
			// column neither among the columns nor a partial update: "has sequence column, need to specify the sequence column".
			const table = await sequenced();
			const json = await load(table, [{ k: 1, n: 5 }], { format: 'json', read_json_by_line: 'true', columns: 'k,n' });
			assert.equal(json.Status, 'Fail');
			assert.match(json.Message, new RegExp(`Table ${table} has sequence column, need to specify the sequence column`));
			assert.deepEqual(withSequence(table), [[1, 1, 9]]);
			const stamped = `s${++tables}`;
			await q(`CREATE TABLE r.${stamped} (k INT, n INT NULL, ts DATETIME NULL DEFAULT CURRENT_TIMESTAMP) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "ts")`);
			assert.equal((await load(stamped, [{ k: 1, n: 5 }], { format: 'json', read_json_by_line: 'true', columns: 'k,n' })).Status, 'Success');
		});

		if (version === '3.1') {
			it('a flexible partial update keeps the stored sequence value for a line lacking the column (an update or a delete applies); a line\'s null is compared and stays out', async () => {
				// 3.1 partial_update_info.cpp FlexibleReadPlan: `row_has_sequence_col` is false for a line whose
				// skip bitmap holds the column; a line carrying null has it, and NULL is below the stored 9.
				const table = await sequenced(', "enable_unique_key_skip_bitmap_column" = "true"');
				const FLEXIBLE = { format: 'json', read_json_by_line: 'true', unique_key_update_mode: 'UPDATE_FLEXIBLE_COLUMNS' };
				assert.equal((await load(table, [{ k: 1, n: 5 }], FLEXIBLE)).Status, 'Success');
				assert.deepEqual(withSequence(table), [[1, 5, 9]]);
				assert.equal((await load(table, [{ k: 1, n: 6, ts: null }], FLEXIBLE)).Status, 'Success');
				assert.deepEqual(withSequence(table), [[1, 5, 9]], 'a null sequence value stays out');
				assert.equal((await load(table, [{ k: 1, __DORIS_DELETE_SIGN__: 1 }], FLEXIBLE)).Status, 'Success');
				assert.deepEqual(withSequence(table), [], 'the delete applies');
			});
		}

		if (version !== '3.1') {
			it('a partial update in strict mode filters a row whose key is new, without an error-log line; partial_update_new_key_behavior is no header it reads', async () => {
				const table = await newTable();
				const json = await load(table, [{ k: 1, n: 5 }, { k: 2, n: 2 }, { k: 3, n: 3 }], { ...PARTIAL, strict_mode: 'true', max_filter_ratio: '0.9', partial_update_new_key_behavior: 'APPEND' });
				assert.equal(json.Status, 'Success');
				assert.equal(json.NumberFilteredRows, 2);
				assert.equal(json.ErrorURL, undefined, 'no row was written to the error log, so Doris sends no ErrorURL');
				assert.deepEqual(keyed(table), [[1, 5]]);
				// Max Filter Ratio 0: refused, every new key counted, still no ErrorURL; a bad value beside them has its line.
				const refused = await load(table, [{ k: 1, n: 7 }, { k: 4, n: 4 }, { k: 5, n: 5 }], { ...PARTIAL, strict_mode: 'true' });
				assert.deepEqual([refused.Status, refused.NumberFilteredRows, refused.ErrorURL], ['Fail', 2, undefined]);
				const mixed = await load(table, [{ k: 4, n: 4 }, { k: 1, n: 'abc' }], { ...PARTIAL, strict_mode: 'true' });
				assert.deepEqual([mixed.Status, mixed.NumberFilteredRows, typeof mixed.ErrorURL], ['Fail', 2, 'string']);
				assert.deepEqual(keyed(table), [[1, 5]]);
				const ignored = await load(table, [{ k: 1, n: 6 }], { ...PARTIAL, partial_update_new_key_behavior: 'SOMETIMES' });
				assert.equal(ignored.Status, 'Success', 'a header the BE does not read is ignored');
			});
			return;
		}

		it('a partial update in strict mode inserts a row whose key is new (partial_update_new_key_behavior decides, APPEND by default)', async () => {
			const table = await newTable();
			const json = await load(table, [{ k: 1, n: 5 }, { k: 2, n: 2 }], { ...PARTIAL, strict_mode: 'true' });
			assert.equal(json.Status, 'Success');
			assert.equal(json.NumberFilteredRows, 0);
			const appended = await load(table, [{ k: 3, n: 3 }], { ...PARTIAL, strict_mode: 'true', partial_update_new_key_behavior: 'append' });
			assert.equal(appended.Status, 'Success');
			assert.deepEqual(keyed(table), [[1, 5], [2, 2], [3, 3]]);
		});

		it('partial_update_new_key_behavior ERROR fails the load naming the key; any other value is refused', async () => {
			const table = await newTable();
			const json = await load(table, [{ k: 1, n: 5 }, { k: 7, n: 7 }], { ...PARTIAL, strict_mode: 'true', partial_update_new_key_behavior: 'ERROR' });
			assert.equal(json.Status, 'Fail');
			assert.match(json.Message, /Can't append new rows in partial update when partial_update_new_key_behavior is ERROR\. Row with key=\[7\] is not in table/);
			assert.deepEqual(keyed(table), [[1, 1]], 'nothing of the load is in the table');
			const bad = await load(table, [{ k: 1, n: 5 }], { ...PARTIAL, partial_update_new_key_behavior: 'sometimes' });
			assert.equal(bad.Status, 'Fail');
			assert.match(bad.Message, /Invalid partial_update_new_key_behavior SOMETIMES, must be one of \{'APPEND', 'ERROR'\}/);
		});
	});
}

describe('Doris test server with a version comment given', () => {
	it('answers it as given (a vendor or trunk build)', async () => {
		const doris = await startDorisTestServer({ version: '3.1', versionComment: 'Doris version trunk-build' });
		const conn = await mysql.createConnection({ host: doris.mysqlHost, port: doris.mysqlPort, user: 'root', password: '' });
		try {
			const [rows] = await conn.query('SELECT @@version_comment');
			assert.deepEqual(Object.values((rows as Record<string, unknown>[])[0]), ['Doris version trunk-build']);
		} finally {
			await conn.end();
			await doris.close();
		}
	});
});
