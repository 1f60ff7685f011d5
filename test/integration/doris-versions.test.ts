/**
 * Where Doris 2.1, 3.0 and 3.1 behave differently, the client meets each on the Doris test server set to
 * that release line: partial updates (fixed and flexible), gzip-compressed JSON, what DESC prints for
 * DECIMAL, IP addresses given as numbers, and the value size limits a cluster configures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import type { DorisConnection } from '../../src/doris/connection';
import { closeDorisPools } from '../../src/doris/mysql';
import { partialUpdateProblems } from '../../src/doris/schema/partial-update';
import { readTableSchema } from '../../src/doris/schema/reader';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../src/doris/schema/row-mapper';
import { formatType } from '../../src/doris/schema/types';
import { findTableProblems } from '../../src/doris/schema/table-check';
import { StreamLoadClient } from '../../src/doris/stream-load/client';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { buildLoadHeaders } from '../../src/doris/stream-load/headers';
import type { LoadOptions } from '../../src/doris/stream-load/options';
import { startDorisTestServer, type DorisTestServer } from '../ground/doris/server';
import { jsonLines, streamLoad } from '../ground/doris/testing';
import type { DorisVersion } from '../ground/doris/types';

const VERSIONS: DorisVersion[] = ['2.1', '3.0', '3.1'];

after(() => closeDorisPools());

for (const version of VERSIONS) {
	describe(`Doris ${version}`, () => {
		let doris: DorisTestServer;
		let conn: DorisConnection;
		let client: StreamLoadClient;
		let labels = 0;

		before(async () => {
			doris = await startDorisTestServer({ version, beConfig: { stringTypeLengthSoftLimitBytes: 64, jsonbTypeLengthSoftLimitBytes: 32 } });
			await doris.sql('CREATE DATABASE v');
			conn = { feUrls: doris.feUrls, queryHost: doris.mysqlHost, queryPort: doris.mysqlPort, user: doris.user, password: doris.password, database: 'v' };
			client = new StreamLoadClient({
				feUrls: doris.feUrls,
				user: doris.user,
				password: doris.password,
				retry: { maxRetries: 0, initialDelayMs: 10, maxDelayMs: 10, maxElapsedMs: 5000 },
				requestTimeoutMs: 5000,
				labelWait: { pollIntervalMs: 50, maxWaitMs: 2000 },
			});
		});
		after(async () => {
			client.close();
			await doris.close();
		});

		const load = (table: string, rows: object[], options: LoadOptions) => {
			const label = `ver_${++labels}`;
			const body = Buffer.from(jsonLines(rows));
			return client.load({
				database: 'v',
				table,
				label,
				headers: buildLoadHeaders(options, label),
				body: [options.compress === 'gz' ? gzipSync(body) : body],
			});
		};
		const mapAll = async (table: string, items: Record<string, unknown>[], options = DEFAULT_ROW_MAPPER_OPTIONS) => {
			const mapper = new RowMapper(await readTableSchema(conn, 'v', table), options);
			return items.map((item) => mapper.map(item));
		};

		// Fixed partial update. FE StreamLoadPlanner.plan() (2.1 / 3.0; the same check in 3.1): the update
		// set is the `columns` header's names, which must include every key column.
		it('partial_columns without a column list fails every load, naming the missing key', async () => {
			await doris.sql('CREATE TABLE v.p (k INT NOT NULL, a INT, b STRING) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
			const raw = await streamLoad(doris.feUrl, 'v', 'p', jsonLines([{ k: 1, a: 1 }]), { format: 'json', read_json_by_line: 'true', partial_columns: 'true' });
			assert.equal(raw.json.Status, 'Fail');
			assert.match(raw.json.Message, /Partial update should include all key columns, missing: k/);
			assert.deepEqual(doris.tableRows('v', 'p'), [], 'nothing loaded');
			assert.throws(() => buildLoadHeaders({ format: 'json', partialUpdate: 'fixed' }, 'l'), /needs the list of columns/);
		});

		it('a fixed partial update changes only the listed columns; a list without a key column is refused with a hint', async () => {
			await load('p', [{ k: 1, a: 1, b: 'kept' }], { format: 'json' });
			await load('p', [{ k: 1, a: 2, b: 'ignored' }, { k: 2, a: 3 }], { format: 'json', partialUpdate: 'fixed', columns: ['k', 'a'] });
			assert.deepEqual(doris.tableRows('v', 'p'), [
				{ k: 1, a: 2, b: 'kept' },
				{ k: 2, a: 3, b: null },
			]);
			await assert.rejects(load('p', [{ k: 1, a: 9 }], { format: 'json', partialUpdate: 'fixed', columns: ['a'] }), (e: unknown) => {
				assert.ok(e instanceof StreamLoadError);
				assert.match(e.message, /missing: k.*hint: list every key column/);
				assert.equal(e.retryable, false);
				return true;
			});
			const schema = await readTableSchema(conn, 'v', 'p');
			assert.equal(schema.mergeOnWrite, true);
			assert.deepEqual(partialUpdateProblems(schema, { mode: 'fixed', columns: ['k', 'a'] }), []);
			assert.match(partialUpdateProblems(schema, { mode: 'fixed', columns: ['K', 'a'] }).join(), /missing "k"/);
		});

		// src/doris/stream-load/strict-mode.ts: before 3.1 a partial update loads only with Strict Mode set.
		it(version === '3.1' ? 'activation passes a partial update without Strict Mode set (3.1 inserts new keys in strict mode)' : 'activation refuses a partial update without Strict Mode set, naming the release; with it set it passes', async () => {
			const check = (strictModeSet: boolean) =>
				findTableProblems(conn, [{ label: 'Doris Stream Load node "Load"', database: 'v', table: 'p', partialUpdate: { mode: 'fixed', columns: ['k', 'a'], strictModeSet } }]);
			assert.deepEqual(await check(true), []);
			const problems = await check(false);
			if (version === '3.1') {
				assert.deepEqual(problems, []);
				return;
			}
			assert.equal(problems.length, 1);
			assert.equal(problems[0].kind, 'partialUpdate');
			assert.match(problems[0].message, new RegExp(`^Doris Stream Load node "Load": Partial Update on Doris ${version.replace('.', '\\.')}\\.\\d+ needs Strict Mode set explicitly`));
		});

		// Flexible partial update: apache/doris PR #39756, Doris 3.1 (stream_load.cpp reads
		// unique_key_update_mode; the table needs enable_unique_key_skip_bitmap_column).
		it(version === '3.1' ? 'flexible partial update changes, per line, the columns the line carries' : 'flexible partial update does not exist: the table property is refused, the header ignored', async () => {
			const ddl = (name: string, extra: string) =>
				doris.sql(`CREATE TABLE v.${name} (k INT NOT NULL, a INT, b STRING DEFAULT "d") UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1"${extra})`);
			await ddl('plain', '');
			await load('plain', [{ k: 1, a: 1, b: 'x' }], { format: 'json' });
			const activation = (table: string) => findTableProblems(conn, [{ label: 'Doris Stream Load node "Load"', database: 'v', table, partialUpdate: { mode: 'flexible' } }]);
			const [problem] = await activation('plain');
			assert.match(problem.message, /flexible partial update needs Doris 3\.1 or later and the table property "enable_unique_key_skip_bitmap_column" = "true"/);
			if (version !== '3.1') {
				await assert.rejects(ddl('flex', ', "enable_unique_key_skip_bitmap_column" = "true"'), /Unknown properties/);
				// What the activation check protects from: this Doris ignores the header and upserts whole rows.
				const raw = await streamLoad(doris.feUrl, 'v', 'plain', jsonLines([{ k: 1, a: 2 }]), { format: 'json', read_json_by_line: 'true', unique_key_update_mode: 'UPDATE_FLEXIBLE_COLUMNS' });
				assert.equal(raw.json.Status, 'Success');
				assert.deepEqual(doris.tableRows('v', 'plain'), [{ k: 1, a: 2, b: 'd' }]);
				return;
			}
			await assert.rejects(load('plain', [{ k: 1, a: 2 }], { format: 'json', partialUpdate: 'flexible' }), /skip bitmap.*hint: flexible partial update needs Doris 3\.1/);
			await ddl('flex', ', "enable_unique_key_skip_bitmap_column" = "true"');
			assert.deepEqual(await activation('flex'), []);
			await load('flex', [{ k: 1, a: 1, b: 'x' }, { k: 2, a: 2, b: 'y' }, { k: 3, a: 3 }], { format: 'json' });
			await load('flex', [{ k: 1, a: 10 }, { k: 2, b: 'yy' }, { k: 3, __DORIS_DELETE_SIGN__: 1 }, { k: 4, a: 4 }], { format: 'json', partialUpdate: 'flexible', deleteSign: true });
			assert.deepEqual(doris.tableRows('v', 'flex'), [
				{ k: 1, a: 10, b: 'x' },
				{ k: 2, a: 2, b: 'yy' },
				{ k: 4, a: 4, b: 'd' },
			]);
			const refused = await streamLoad(doris.feUrl, 'v', 'flex', jsonLines([{ k: 1 }]), { format: 'json', unique_key_update_mode: 'UPDATE_FLEXIBLE_COLUMNS', columns: 'k' });
			assert.match(refused.json.Message, /Don't support flexible partial update when 'columns' is specified/);
		});

		// be/src/http/action/stream_load.cpp (_on_header): 2.1 and 3.0.0-3.0.4 refuse compress_type with
		// JSON; apache/doris PR #48990 / #49044 (3.0.5) removed the check. The test server's 3.0 is 3.0.5+.
		it(version === '2.1' ? 'gzip-compressed JSON is refused with a hint naming Doris 3.0.5' : 'gzip-compressed JSON loads', async () => {
			await doris.sql('CREATE TABLE v.gz (id INT, v STRING) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
			const gz = load('gz', [{ id: 1, v: 'a' }], { format: 'json', compress: 'gz' });
			if (version !== '2.1') {
				assert.equal((await gz).response?.NumberLoadedRows, 1);
				return;
			}
			await assert.rejects(gz, (e: unknown) => {
				assert.ok(e instanceof StreamLoadError);
				assert.match(e.message, /compress data of JSON format is not supported\. \(hint: gzip-compressed JSON needs Doris 3\.0\.5 or later/);
				assert.equal(e.retryable, false);
				return true;
			});
			assert.deepEqual(doris.tableRows('v', 'gz'), []);
		});

		// IndexSchemaProcNode: 2.x prints a DECIMALV3 as a bare DECIMAL when its scale is 0 or its precision
		// is 9 (apache/doris PR #21782); 3.x prints decimal(p,s) (Type.hideVersionForVersionColumn).
		it('DECIMAL columns keep their precision and scale whatever DESC prints: 12.34 is never rounded', async () => {
			await doris.sql('CREATE TABLE v.dec (id INT, d92 DECIMAL(9, 2), d180 DECIMAL(18, 0), d102 DECIMAL(10, 2), arr ARRAY<DECIMAL(9, 2)>, ts DATETIME(3), day DATE) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
			const desc = Object.fromEntries((await doris.sql('DESC v.dec')).map((r) => [r.Field, r.Type]));
			assert.deepEqual(
				desc,
				version === '2.1'
					? { id: 'INT', d92: 'DECIMAL', d180: 'DECIMAL', d102: 'DECIMAL(10, 2)', arr: 'ARRAY<DECIMALV3(9, 2)>', ts: 'DATETIME(3)', day: 'DATE' }
					: { id: 'int', d92: 'decimal(9,2)', d180: 'decimal(18,0)', d102: 'decimal(10,2)', arr: 'array<decimal(9,2)>', ts: 'datetime(3)', day: 'date' },
			);
			const schema = await readTableSchema(conn, 'v', 'dec');
			assert.deepEqual(
				schema.columns.map((c) => formatType(c.type)),
				['INT', 'DECIMAL(9,2)', 'DECIMAL(18,0)', 'DECIMAL(10,2)', 'ARRAY<DECIMAL(9,2)>', 'DATETIME(3)', 'DATE'],
			);
			const [mapped] = await mapAll('dec', [{ id: 1, d92: 12.34, d180: '123456789012345678', d102: '1.5', arr: [12.34] }]);
			assert.deepEqual(mapped, { ok: true, row: { id: 1, d92: '12.34', d180: '123456789012345678', d102: '1.50', arr: '[12.34]' } });
			await load('dec', [mapped.ok ? mapped.row : {}], { format: 'json' });
			assert.deepEqual(doris.tableRows('v', 'dec')[0], { id: 1, d92: '12.34', d180: '123456789012345678', d102: '1.50', arr: '[12.34]', ts: null, day: null });
		});

		// Before, a failed information_schema read left the bare DECIMAL unchecked: '12.5' went to Doris,
		// which rounds it into a DECIMAL(18,0) without a word.
		if (version === '2.1')
			it('a bare DECIMAL whose precision and scale cannot be read fails the schema read, naming the columns', async () => {
				await doris.sql('CREATE TABLE v.dec_unread (id INT, d180 DECIMAL(18, 0), d92 DECIMAL(9, 2)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
				doris.faults.queryFail(/information_schema\.columns/i, 1, 'Access denied; you need (at least one of) the SELECT privilege(s) for this operation');
				await assert.rejects(readTableSchema(conn, 'v', 'dec_unread'), /Table v\.dec_unread: DESC prints column\(s\) d180, d92 as a bare DECIMAL .* could not be read from information_schema\.columns: .*Access denied/);
				const schema = await readTableSchema(conn, 'v', 'dec_unread');
				assert.deepEqual(schema.columns.map((c) => formatType(c.type)), ['INT', 'DECIMAL(18,0)', 'DECIMAL(9,2)']);
			});

		// DESC prints DECIMAL(18,0) and DECIMAL(9,0) alike (IndexSchemaProcNode), so no precision and scale
		// can be assumed: an answer that lacks the column, or its precision, left it unchecked before, and
		// Doris rounded '12.5' into 13 without a word.
		if (version === '2.1')
			it('a bare DECIMAL that information_schema.columns answers without (the column, or its precision) fails the schema read, naming it', async () => {
				await doris.sql('CREATE TABLE v.dec_partial (id INT, d90 DECIMAL(9, 0), d92 DECIMAL(9, 2)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
				doris.faults.queryAnswerEdit(/information_schema\.columns/i, 1, (row) => (row.COLUMN_NAME === 'd90' ? undefined : row));
				await assert.rejects(readTableSchema(conn, 'v', 'dec_partial'), /Table v\.dec_partial: DESC prints column\(s\) d90 as a bare DECIMAL .*information_schema\.columns gave no precision and scale for d90/);
				doris.faults.queryAnswerEdit(/information_schema\.columns/i, 1, (row) => (row.COLUMN_NAME === 'd92' ? { ...row, NUMERIC_PRECISION: null } : row));
				await assert.rejects(readTableSchema(conn, 'v', 'dec_partial'), /DESC prints column\(s\) d92 as a bare DECIMAL .*gave no precision and scale for d92 \(NUMERIC_PRECISION null, NUMERIC_SCALE 2\)/);
				const schema = await readTableSchema(conn, 'v', 'dec_partial');
				assert.deepEqual(schema.columns.map((c) => formatType(c.type)), ['INT', 'DECIMAL(9,0)', 'DECIMAL(9,2)']);
			});

		// Doris parses IPv4 / IPv6 only from text (IPv4Value::from_string): a number loads as NULL.
		it('an IPv4 / IPv6 given as its number loads as that address', async () => {
			await doris.sql('CREATE TABLE v.ip (id INT, v4 IPV4, v6 IPV6) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
			const raw = await streamLoad(doris.feUrl, 'v', 'ip', jsonLines([{ id: 0, v4: 3232235777 }]), { format: 'json', read_json_by_line: 'true' });
			assert.equal(raw.json.Status, 'Success');
			assert.equal(doris.tableRows('v', 'ip')[0].v4, null, 'Doris itself makes a number NULL without strict mode');
			const [mapped] = await mapAll('ip', [{ id: 1, v4: 3232235777, v6: 1 }]);
			assert.ok(mapped.ok);
			await load('ip', [mapped.ok ? mapped.row : {}], { format: 'json', strictMode: true });
			assert.deepEqual(doris.tableRows('v', 'ip')[1], { id: 1, v4: '192.168.1.1', v6: '::1' });
		});

		// string_type_length_soft_limit_bytes / jsonb_type_length_soft_limit_bytes (BE config): a longer
		// value filters its row in Doris; the Doris Schema node rejects it first, naming the setting.
		it("a value over the cluster's STRING or JSON limit is rejected before Doris, naming the setting", async () => {
			await doris.sql('CREATE TABLE v.big (id INT, s STRING, j JSON) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
			const long = 'x'.repeat(65);
			const raw = await streamLoad(doris.feUrl, 'v', 'big', jsonLines([{ id: 1, s: long }]), { format: 'json', read_json_by_line: 'true' });
			assert.equal(raw.json.Status, 'Fail');
			assert.equal(raw.json.NumberFilteredRows, 1);
			const rawJson = await streamLoad(doris.feUrl, 'v', 'big', jsonLines([{ id: 2, j: { k: 'y'.repeat(40) } }]), { format: 'json', read_json_by_line: 'true' });
			assert.equal(rawJson.json.NumberFilteredRows, 1);
			const limits = { stringMaxBytes: 64, jsonMaxBytes: 32 };
			const results = await mapAll('big', [{ id: 3, s: long }, { id: 4, j: { k: 'y'.repeat(40) } }, { id: 5, s: 'x'.repeat(64), j: { k: 'ok' } }], { ...DEFAULT_ROW_MAPPER_OPTIONS, limits });
			assert.deepEqual(
				results.map((r) => (r.ok ? 'ok' : r.reasons.map((x) => `${x.column}: ${x.rule}: ${x.message}`).join())),
				[
					's: too_long: s: 65 UTF-8 bytes, limit 64 (Doris BE setting string_type_length_soft_limit_bytes)',
					'j: too_long: j: 48 UTF-8 bytes, limit 32 (Doris BE setting jsonb_type_length_soft_limit_bytes)',
					'ok',
				],
			);
		});
	});
}
