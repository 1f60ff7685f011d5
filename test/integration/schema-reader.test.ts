/**
 * Auto mode against the Doris test server (test/ground/doris): real MySQL protocol, Doris DDL, DESC and
 * SHOW CREATE TABLE as the server prints them; then the coerced rows go through a real Stream Load.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { DorisConnection } from '../../src/doris/connection';
import { checkDorisConnection } from '../../src/doris/connection-check';
import { closeDorisPools, dorisQuery, listDatabases, listTables } from '../../src/doris/mysql';
import { TableNotFoundError, readTableSchema } from '../../src/doris/schema/reader';
import { resolveSchema, SchemaValidationError } from '../../src/doris/schema/resolve';
import { SchemaCache } from '../../src/doris/schema/schema-cache';
import { formatType } from '../../src/doris/schema/types';
import { RowMapper, DEFAULT_ROW_MAPPER_OPTIONS } from '../../src/doris/schema/row-mapper';
import { startDorisTestServer, type DorisTestServer } from '../ground/doris/server';
import { jsonLines, streamLoad } from '../ground/doris/testing';

const DDL = `CREATE TABLE sch.orders (
  id BIGINT NOT NULL,
  ts DATETIME(3) NOT NULL,
  flag BOOLEAN,
  big LARGEINT,
  amount DECIMAL(10, 2) DEFAULT "0",
  name VARCHAR(8),
  note STRING,
  tags ARRAY<MAP<STRING,STRUCT<a:INT,b:DECIMAL(10,2)>>>,
  doc JSON,
  day DATE,
  seq BIGINT
) UNIQUE KEY(id)
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ("replication_num" = "1", "function_column.sequence_col" = "seq")`;

describe('schema reader against the Doris test server', () => {
	let doris: DorisTestServer;
	let conn: DorisConnection;

	before(async () => {
		doris = await startDorisTestServer({ password: 's3cret-pw' });
		conn = { feUrls: [doris.feUrl], queryPort: doris.mysqlPort, queryHost: doris.mysqlHost, user: doris.user, password: doris.password, database: 'sch' };
		await doris.sql('CREATE DATABASE sch');
		await doris.sql(DDL);
		await doris.sql('CREATE TABLE sch.events (k INT, v BIGINT SUM DEFAULT "0") AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
	});
	after(async () => {
		await closeDorisPools();
		await doris.close();
	});

	it('reads names, exact types, nullability, defaults, keys, key model and sequence column', async () => {
		const s = await readTableSchema(conn, 'sch', 'orders');
		assert.deepEqual(
			s.columns.map((c) => [c.name, formatType(c.type), c.nullable, c.isKey]),
			[
				['id', 'BIGINT', false, true],
				['ts', 'DATETIME(3)', false, false],
				['flag', 'BOOLEAN', true, false],
				['big', 'LARGEINT', true, false],
				['amount', 'DECIMAL(10,2)', true, false],
				['name', 'VARCHAR(8)', true, false],
				['note', 'STRING', true, false],
				['tags', 'ARRAY<MAP<STRING,STRUCT<a:INT,b:DECIMAL(10,2)>>>', true, false],
				['doc', 'JSON', true, false],
				['day', 'DATE', true, false],
				['seq', 'BIGINT', true, false],
			],
		);
		assert.equal(s.columns.find((c) => c.name === 'amount')?.defaultValue, '0');
		assert.equal(s.columns.find((c) => c.name === 'amount')?.hasDefault, true);
		assert.equal(s.keyModel, 'UNIQUE');
		assert.deepEqual(s.keyColumns, ['id']);
		assert.equal(s.sequenceColumn, 'seq');
		const agg = await readTableSchema(conn, 'sch', 'events');
		assert.equal(agg.keyModel, 'AGGREGATE');
		assert.equal(agg.sequenceColumn, null);
		assert.equal(agg.columns[1].aggregation, 'SUM');
	});

	// A UNIQUE KEY table created while enable_batch_delete_by_default was false has no hidden delete sign,
	// and a load drops the sign: the Doris Schema node must know (delete-placeholders.ts).
	it('reads whether a UNIQUE KEY table has the hidden delete sign, on a connection of its own: the pooled ones list no hidden column', async () => {
		assert.equal((await readTableSchema(conn, 'sch', 'orders')).deleteSign, true);
		assert.equal((await readTableSchema(conn, 'sch', 'events')).deleteSign, null, 'not asked of an AGGREGATE KEY table');
		await doris.sql('ADMIN SET FRONTEND CONFIG ("enable_batch_delete_by_default" = "false")');
		try {
			await doris.sql('CREATE DATABASE sch_nosign');
			await doris.sql('CREATE TABLE sch_nosign.customers (id INT NOT NULL, v INT NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		} finally {
			await doris.sql('ADMIN SET FRONTEND CONFIG ("enable_batch_delete_by_default" = "true")');
		}
		assert.equal((await readTableSchema(conn, 'sch_nosign', 'customers')).deleteSign, false);
		for (let i = 0; i < 6; i++) assert.equal((await readTableSchema(conn, 'sch', 'orders')).columns.length, 11, 'no hidden column among the columns');
		assert.ok(!(await dorisQuery(conn, 'DESC sch.orders')).some((r) => String(r.Field).startsWith('__DORIS_')));
	});

	it('lists databases and tables for the dropdowns', async () => {
		assert.ok((await listDatabases(conn)).includes('sch'));
		assert.ok(!(await listDatabases(conn)).includes('information_schema'));
		assert.deepEqual(await listTables(conn, 'sch'), ['events', 'orders']);
	});

	it('a statement the FE stalls on fails after the query timeout, naming the address; the pool stays usable', async () => {
		doris.faults.queryStall(1, 3000);
		const started = Date.now();
		await assert.rejects(dorisQuery(conn, 'SHOW DATABASES', 300), (e: Error) => {
			assert.match(e.message, new RegExp(`Doris MySQL port ${doris.mysqlHost}:${doris.mysqlPort}, "SHOW DATABASES": .*timeout`, 'i'));
			return true;
		});
		assert.ok(Date.now() - started < 2500, `gave up after ${Date.now() - started} ms, not at the 300 ms timeout`);
		assert.ok((await listDatabases(conn)).includes('sch'));
	});

	it('validate on start: a missing table or column fails with a clear message', async () => {
		await assert.rejects(readTableSchema(conn, 'sch', 'nope'), TableNotFoundError);
		const base = { connection: conn, database: 'sch', mode: 'auto' as const, manualColumns: [], refreshIntervalMs: 0, validateOnStart: true, namedColumns: [] };
		await assert.rejects(resolveSchema({ ...base, table: 'nope' }, new SchemaCache()), (e: unknown) => e instanceof SchemaValidationError && /sch\.nope was not found/.test(e.message));
		await assert.rejects(resolveSchema({ ...base, table: 'orders', namedColumns: ['id', 'ghost'] }, new SchemaCache()), /no column "ghost" \(field mapping\)/);
		await assert.rejects(
			resolveSchema({ ...base, table: 'orders', mode: 'manual', manualColumns: [{ name: 'id', type: 'BIGINT' }, { name: 'gone', type: 'INT' }] }, new SchemaCache()),
			/no column "gone" \(manual column list\)/,
		);
		const manual = await resolveSchema({ ...base, table: 'orders', mode: 'manual', manualColumns: [{ name: 'id', type: 'BIGINT', nullable: false }] }, new SchemaCache());
		assert.equal(manual.source, 'manual');
		// Validation off: manual mode does not touch the MySQL port at all.
		const offline = await resolveSchema(
			{ ...base, connection: { ...conn, queryPort: 1 }, table: 'orders', mode: 'manual', validateOnStart: false, manualColumns: [{ name: 'id', type: 'BIGINT' }] },
			new SchemaCache(),
		);
		assert.equal(offline.columns.length, 1);
	});

	it('re-reads after ALTER TABLE: on invalidate(), and in the background with a refresh interval', async () => {
		await doris.sql('CREATE TABLE sch.grow (id INT NOT NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
		const once = new SchemaCache();
		const first = await once.get(conn, 'sch', 'grow');
		await doris.sql('ALTER TABLE sch.grow ADD COLUMN added VARCHAR(10)');
		assert.equal(await once.get(conn, 'sch', 'grow'), first, 'interval 0 reads once');
		once.invalidate(conn, 'sch', 'grow');
		const reread = await once.get(conn, 'sch', 'grow');
		assert.deepEqual(reread.columns.map((c) => c.name), ['id', 'added']);
		once.close();

		const refreshing = new SchemaCache();
		await refreshing.get(conn, 'sch', 'grow', 50);
		await doris.sql('ALTER TABLE sch.grow ADD COLUMN later BIGINT');
		const deadline = Date.now() + 10_000;
		let names: string[] = [];
		while (Date.now() < deadline) {
			names = (await refreshing.get(conn, 'sch', 'grow', 50)).columns.map((c) => c.name);
			if (names.includes('later')) break;
			await new Promise((r) => setTimeout(r, 20));
		}
		refreshing.close();
		assert.deepEqual(names, ['id', 'added', 'later']);
	});

	it('tests the connection and names the failing part, never the password', async () => {
		const good = await checkDorisConnection(conn);
		assert.equal(good.ok, true, good.message);
		const badPassword = await checkDorisConnection({ ...conn, password: 'wrong-pw-123' });
		assert.equal(badPassword.ok, false);
		assert.match(badPassword.message, /MySQL port 127\.0\.0\.1:\d+ as root/);
		assert.ok(!badPassword.message.includes('wrong-pw-123'));
		const deadFe = await checkDorisConnection({ ...conn, feUrls: ['http://127.0.0.1:1'] });
		assert.equal(deadFe.ok, false);
		assert.match(deadFe.message, /^FE http:\/\/127\.0\.0\.1:1: not reachable/);
		assert.ok(!deadFe.message.includes(conn.password));
	});

	it('coerced rows load through Stream Load as Doris reads JSON', async () => {
		const schema = await readTableSchema(conn, 'sch', 'orders');
		const mapper = new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, dates: { timeZone: 'Asia/Shanghai', epochUnit: 'ms' }, epochUnits: [{ column: 'day', unit: 's' }] });
		const inputs = [
			{ id: '9007199254740993', ts: '2024-05-01T10:00:00.1230Z', flag: 'true', big: '170141183460469231731687303715884105727', amount: 12.35, name: '你好', note: 'x', tags: [{ k: { a: 1, b: '2.5' } }], doc: { deep: [1, 2] }, day: 1714557600, seq: 1 },
			{ id: 2, ts: 1714557600123, amount: '-0.5', seq: 2 }, // a row without its sequence value would go to Invalid (null_sequence)
		];
		const rows = inputs.map((json) => {
			const r = mapper.map(json);
			assert.ok(r.ok, JSON.stringify(r));
			return r.row;
		});
		assert.equal(rows[0].id, '9007199254740993');
		assert.equal(rows[0].ts, '2024-05-01 18:00:00.123');
		assert.equal(rows[0].amount, '12.35');
		const { json } = await streamLoad(doris.feUrl, 'sch', 'orders', jsonLines(rows), { format: 'json', read_json_by_line: 'true' }, [doris.user, doris.password]);
		assert.equal(json.Status, 'Success', JSON.stringify(json));
		assert.equal(json.NumberLoadedRows, 2);
		const stored = doris.tableRows('sch', 'orders');
		const one = stored.find((r) => String(r.id) === '9007199254740993');
		assert.ok(one, JSON.stringify(stored));
		assert.equal(String(one.big), '170141183460469231731687303715884105727');
		assert.equal(String(one.amount), '12.35');
		const two = stored.find((r) => String(r.id) === '2');
		assert.equal(String(two?.amount), '-0.50');
	});
	// fe-common catalog/ArrayType.java toSql: an ARRAY whose elements are NOT NULL prints as
	// `array<not_null(int)>` (DESC upper-cases it on 2.1). Read as an unknown type, its values went to
	// Doris unchecked (DATE text not converted, "x" into INT loaded as NULL without strict mode).
	for (const version of ['2.1', '3.1'] as const) {
		it(`${version}: an ARRAY of NOT NULL elements is read as such; its elements are coerced and a null element goes to Invalid`, async () => {
			const server = await startDorisTestServer({ version });
			try {
				await server.sql('CREATE DATABASE nn');
				await server.sql('CREATE TABLE nn.t (id INT, tags ARRAY<NOT_NULL(INT)> NULL, days ARRAY<DATE>) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
				const c = { ...conn, feUrls: [server.feUrl], queryPort: server.mysqlPort, queryHost: server.mysqlHost, user: server.user, password: server.password, database: 'nn' };
				const schema = await readTableSchema(c, 'nn', 't');
				assert.equal(formatType(schema.columns[1].type), 'ARRAY<NOT_NULL(INT)>');
				const mapper = new RowMapper(schema, DEFAULT_ROW_MAPPER_OPTIONS);
				const ok = mapper.map({ id: 1, tags: [1, '2'] });
				assert.ok(ok.ok, JSON.stringify(ok));
				assert.equal(ok.row.tags, '[1,2]');
				for (const tags of [[1, null], ['x']]) {
					const bad = mapper.map({ id: 2, tags });
					assert.ok(!bad.ok, JSON.stringify(tags));
					assert.equal(bad.reasons[0].column, 'tags');
				}
				const nullElement = mapper.map({ id: 3, tags: [1, null] });
				assert.match(JSON.stringify(nullElement), /holds no null element/);
				const { json } = await streamLoad(server.feUrl, 'nn', 't', jsonLines([ok.row]), { format: 'json', read_json_by_line: 'true', strict_mode: 'true' }, [server.user, server.password]);
				assert.equal(json.NumberLoadedRows, 1, JSON.stringify(json));
				// Doris cannot store a null element there: strict mode filters such a row.
				const refused = await streamLoad(server.feUrl, 'nn', 't', jsonLines([{ id: 4, tags: '[1,null]' }]), { format: 'json', read_json_by_line: 'true', strict_mode: 'true' }, [server.user, server.password]);
				assert.equal(refused.json.NumberFilteredRows, 1, JSON.stringify(refused.json));
			} finally {
				await server.close();
			}
		});
	}
});
