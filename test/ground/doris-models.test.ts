// Key models of the Doris test server: UNIQUE replace / delete / sequence, AGGREGATE, partial columns.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { jsonLines, streamLoad } from './doris/testing';

let doris: DorisTestServer;
before(async () => {
	doris = await startDorisTestServer();
	await doris.sql('CREATE DATABASE m');
});
after(() => doris.close());

const load = async (table: string, rows: object[], headers: Record<string, string> = {}) =>
	(await streamLoad(doris.feUrl, 'm', table, jsonLines(rows), { format: 'json', read_json_by_line: 'true', ...headers })).json;
const rows = (table: string) => doris.tableRows('m', table);

describe('UNIQUE KEY', () => {
	before(() => doris.sql('CREATE TABLE m.u (k INT NOT NULL, v VARCHAR(10), n INT DEFAULT "7") UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1'));

	it('replaces by key, last row of a load winning', async () => {
		await load('u', [{ k: 1, v: 'a' }, { k: 2, v: 'b' }, { k: 1, v: 'c' }]);
		await load('u', [{ k: 2, v: 'd', n: 1 }]);
		assert.deepEqual(rows('u'), [{ k: 1, v: 'c', n: 7 }, { k: 2, v: 'd', n: 1 }]);
	});

	it('deletes with __DORIS_DELETE_SIGN__ only when hidden_columns names it', async () => {
		await load('u', [{ k: 1, __DORIS_DELETE_SIGN__: 1 }]);
		assert.equal(rows('u').length, 2, 'without hidden_columns the key is not a column');
		await load('u', [{ k: 1, v: 'c', __DORIS_DELETE_SIGN__: 1 }], { hidden_columns: '__DORIS_DELETE_SIGN__' });
		assert.deepEqual(rows('u').map((r) => r.k), [2]);
	});

	// The hidden column is TINYINT NOT NULL DEFAULT 0 (FE ColumnDef delete sign column); the JSON reader
	// hands it text (new_json_reader.cpp: true / false as "1" / "0"), cast to TINYINT; the segment
	// writer deletes a row whose sign is not 0 (segment_writer.cpp `delete_sign_column_data[..] != 0`).
	// A sign that casts to no number is NULL in a NOT NULL column: the row is filtered.
	it('reads the delete sign as Doris does: any integer but 0 and true delete; text that is no integer, or null, filters the row; a missing sign is 0', async () => {
		await doris.sql('CREATE TABLE m.signs (k INT NOT NULL, v VARCHAR(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
		await load('signs', [1, 2, 3, 4, 5, 6, 7].map((k) => ({ k, v: 'old' })));
		const hidden = { hidden_columns: '__DORIS_DELETE_SIGN__', max_filter_ratio: '1' };
		const signs = [
			{ k: 1, v: 'new', __DORIS_DELETE_SIGN__: 2 },
			{ k: 2, v: 'new', __DORIS_DELETE_SIGN__: true },
			{ k: 3, v: 'new', __DORIS_DELETE_SIGN__: false },
			{ k: 4, v: 'new', __DORIS_DELETE_SIGN__: 'true' },
			{ k: 5, v: 'new', __DORIS_DELETE_SIGN__: null },
			{ k: 6, v: 'new' },
			{ k: 7, v: 'new', __DORIS_DELETE_SIGN__: '1' },
		];
		const result = await load('signs', signs, hidden);
		assert.equal(result.NumberFilteredRows, 2, JSON.stringify(result));
		assert.deepEqual(rows('signs').sort((a, b) => Number(a.k) - Number(b.k)), [
			{ k: 3, v: 'new' },
			{ k: 4, v: 'old' },
			{ k: 5, v: 'old' },
			{ k: 6, v: 'new' },
		]);
	});

	it('hidden_columns naming the delete sign of a table that has none (DUPLICATE KEY) is ignored: the line loads, whatever its sign', async () => {
		await doris.sql('CREATE TABLE m.dupsign (k INT NOT NULL, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
		const result = await load('dupsign', [{ k: 1, v: 'a', __DORIS_DELETE_SIGN__: 1 }, { k: 2, v: 'b', __DORIS_DELETE_SIGN__: 'true' }], { hidden_columns: '__DORIS_DELETE_SIGN__' });
		assert.equal(result.Status, 'Success', JSON.stringify(result));
		assert.deepEqual(rows('dupsign').map((r) => r.k).sort(), [1, 2]);
	});

	it('merge_type DELETE deletes the keys; MERGE deletes where the delete condition holds', async () => {
		await load('u', [{ k: 3, v: 'x' }, { k: 4, v: 'y' }]);
		await load('u', [{ k: 2 }], { merge_type: 'DELETE' });
		await load('u', [{ k: 3, v: 'x', flag: 1 }, { k: 5, v: 'z', flag: 0 }], { merge_type: 'MERGE', delete: 'flag=1', columns: 'k,v,flag' });
		assert.deepEqual(rows('u').map((r) => r.k).sort(), [4, 5]);
		const dup = await load('u', [{ k: 1 }], { merge_type: 'MERGE' });
		assert.equal(dup.Status, 'Fail');
	});

	it('keeps the row with the higher function_column.sequence_col value', async () => {
		await doris.sql(`CREATE TABLE m.seq (k INT NOT NULL, v STRING, ts DATETIME) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1
			PROPERTIES ("function_column.sequence_col" = "ts", "replication_num" = "1")`);
		await load('seq', [{ k: 1, v: 'new', ts: '2024-01-02 00:00:00' }, { k: 1, v: 'old', ts: '2024-01-01 00:00:00' }]);
		await load('seq', [{ k: 1, v: 'older', ts: '2023-12-31 00:00:00' }]);
		assert.deepEqual(rows('seq'), [{ k: 1, v: 'new', ts: '2024-01-02 00:00:00' }]);
		await load('seq', [{ k: 1, v: 'del', ts: '2024-01-03 00:00:00', __DORIS_DELETE_SIGN__: 1 }], { hidden_columns: '__DORIS_DELETE_SIGN__' });
		await load('seq', [{ k: 1, v: 'stale', ts: '2024-01-02 12:00:00' }]);
		assert.deepEqual(rows('seq'), [], 'a lower sequence cannot bring a deleted row back');
		const [create] = await doris.sql('SHOW CREATE TABLE m.seq');
		assert.match(String(create['Create Table']), /"function_column.sequence_col" = "ts"/);
		assert.match(String(create['Create Table']), /UNIQUE KEY\(`k`\)/);
	});

	it('partial_columns updates only the listed columns', async () => {
		await doris.sql('CREATE TABLE m.p (k INT NOT NULL, a INT, b STRING) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
		await load('p', [{ k: 1, a: 1, b: 'keep' }]);
		await load('p', [{ k: 1, a: 2 }, { k: 2, a: 3 }], { partial_columns: 'true', columns: 'k,a' });
		assert.deepEqual(rows('p'), [{ k: 1, a: 2, b: 'keep' }, { k: 2, a: 3, b: null }]);
	});

	it('a partial update without the sequence column keeps the stored sequence value and applies; a new key gets NULL or the default', async () => {
		// Sequence column docs (data-operate/update/unique-update-concurrent-control.md, Note 2): "Doris will use
		// the sequence column from the matching historical data". Before, the test server compared the row's
		// NULL with the stored 5 and kept the stored row.
		await doris.sql('CREATE TABLE m.pseq (k INT NOT NULL, v STRING, ts BIGINT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "ts")');
		await load('pseq', [{ k: 1, v: 'a', ts: 5 }]);
		await load('pseq', [{ k: 1, v: 'b' }, { k: 2, v: 'new' }], { partial_columns: 'true', columns: 'k,v' });
		assert.deepEqual(rows('pseq'), [{ k: 1, v: 'b', ts: 5 }, { k: 2, v: 'new', ts: null }]);
		await load('pseq', [{ k: 1, v: 'older', ts: 4 }], { partial_columns: 'true', columns: 'k,v,ts' });
		assert.deepEqual(rows('pseq')[0], { k: 1, v: 'b', ts: 5 }, 'with the column, a lower value is still kept out');
	});
});

describe('AGGREGATE KEY', () => {
	it('merges SUM, MAX, MIN, REPLACE and REPLACE_IF_NOT_NULL', async () => {
		await doris.sql(`CREATE TABLE m.a (k INT NOT NULL, s BIGINT SUM DEFAULT "0", d DECIMAL(10,2) SUM, mx INT MAX, mn INT MIN, r STRING REPLACE, rn STRING REPLACE_IF_NOT_NULL)
			AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1`);
		await load('a', [{ k: 1, s: 5, d: '1.10', mx: 3, mn: 3, r: 'a', rn: 'x' }]);
		await load('a', [{ k: 1, s: 7, d: '2.25', mx: 9, mn: 1, r: 'b', rn: null }]);
		assert.deepEqual(rows('a'), [{ k: 1, s: 12, d: '3.35', mx: 9, mn: 1, r: 'b', rn: 'x' }]);
		const [desc] = (await doris.sql('DESC m.a')).filter((r) => r.Field === 's');
		assert.equal(desc.Extra, 'SUM');
	});

	it('refuses merge_type on a non-UNIQUE table', async () => {
		const r = await load('a', [{ k: 1 }], { merge_type: 'DELETE' });
		assert.equal(r.Status, 'Fail');
		assert.match(r.Message, /only supported in unique tables/);
	});
});

describe('conversions', () => {
	it('checks types the way Doris casts them', async () => {
		await doris.sql(`CREATE TABLE m.ty (k BIGINT NOT NULL, li LARGEINT, d DECIMAL(5,2), dt DATE, f FLOAT, b BOOLEAN, c CHAR(3), arr ARRAY<INT>, mp MAP<STRING,INT>, st STRUCT<a:INT, b:STRING>, j JSON, va VARIANT)
			DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1`);
		const body = '{"k":"9007199254740993","li":170141183460469231731687303715884105727,"d":"1.005","dt":"2024-02-29 10:00:00","f":"1.1","b":"false","c":"abc","arr":[1,"2","x"],"mp":{"a":1},"st":{"a":1,"b":"q"},"j":"{\\"x\\":[1]}","va":{"z":1}}\n';
		const r = (await streamLoad(doris.feUrl, 'm', 'ty', body, { format: 'json', read_json_by_line: 'true' })).json;
		assert.equal(r.Status, 'Success', JSON.stringify(r));
		assert.deepEqual(rows('ty')[0], {
			k: '9007199254740993', li: '170141183460469231731687303715884105727', d: '1.01', dt: '2024-02-29', f: 1.1, b: 0, c: 'abc',
			arr: '[1, 2, null]', mp: '{"a":1}', st: '{"a":1, "b":"q"}', j: '{"x":[1]}', va: '{"z":1}',
		});
		const over = (await streamLoad(doris.feUrl, 'm', 'ty', '{"k":1,"d":"1000.5"}\n{"k":2,"c":"abcd"}\n{"k":3,"dt":"2023-02-29"}\n', { format: 'json', read_json_by_line: 'true', max_filter_ratio: '1' })).json;
		assert.equal(over.NumberFilteredRows, 2, 'decimal overflow and long CHAR are filtered; a bad date becomes NULL');
	});
});
