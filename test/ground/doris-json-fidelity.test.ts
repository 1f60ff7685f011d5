/**
 * The test server reads JSON rows as Doris 2.1 / 3.0 / 3.1 do, where a test could otherwise pass that
 * Doris fails (review session 20, T1 / T2 / S5):
 * - a key fills only the column of exactly its spelling (new_json_reader.cpp `_column_index`,
 *   regression-test test_json_load.groovy "test colunms error"); before, `ID` filled `id`;
 * - a row in which no key names a column is filtered with Doris' reason; before, it loaded as NULLs;
 * - DATETIME(p) rounds extra fractional digits half up (vdatetime_value.cpp from_date_str_base); before,
 *   they were cut.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';

import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { streamLoad } from './doris/testing';

let doris: DorisTestServer;
const JSON_LINES = { format: 'json', read_json_by_line: 'true', strict_mode: 'true' };
const load = (table: string, body: string, headers: Record<string, string> = JSON_LINES) => streamLoad(doris.feUrl, 'd', table, body, headers, ['root', 'pw']);

before(async () => {
	doris = await startDorisTestServer({ password: 'pw' });
	await doris.sql('CREATE DATABASE d');
	await doris.sql('CREATE TABLE d.k (k INT NOT NULL, id INT NULL) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
	await doris.sql('CREATE TABLE d.e (a INT NULL, b VARCHAR(5) NULL) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1');
	await doris.sql('CREATE TABLE d.t (id INT NOT NULL, ts DATETIME NULL, ts3 DATETIME(3) NULL, ts6 DATETIME(6) NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
});
after(() => doris.close());

it('a JSON key fills only the column of exactly its spelling: "ID" leaves `id` NULL', async () => {
	const { json } = await load('k', '{"k":1,"ID":7}\n{"k":2,"id":8}\n');
	assert.equal(json.Status, 'Success');
	assert.deepEqual(
		doris.tableRows('d', 'k').sort((x, y) => Number(x.k) - Number(y.k)),
		[
			{ k: 1, id: null },
			{ k: 2, id: 8 },
		],
	);
});

it('a row in which no key names a column is filtered with Doris\' reason, not loaded as NULLs', async () => {
	const { json } = await load('e', '{"x":1}\n{}\n{"a":1}\n', { ...JSON_LINES, max_filter_ratio: '0.9' });
	assert.equal(json.Status, 'Success');
	assert.equal(json.NumberLoadedRows, 1);
	assert.equal(json.NumberFilteredRows, 2);
	assert.deepEqual(doris.tableRows('d', 'e'), [{ a: 1, b: null }]);
	const strict = await load('e', '{"x":1}\n');
	assert.equal(strict.json.Status, 'Fail');
	const errors = await (await fetch(String(strict.json.ErrorURL))).text();
	assert.match(errors, /There is no column matching jsonpaths in the json file, columns:\[a, b, \]/);
});

it('DATETIME(p) rounds extra fractional digits half up with the carry; DATETIME(6) refuses .9999995 as Doris does', async () => {
	const body = [
		'{"id":1,"ts":"2024-05-01 10:00:00.6","ts3":"2024-05-01 10:00:00.9996","ts6":"2024-05-01 10:00:00.1234565"}',
		'{"id":2,"ts":"2024-12-31 23:59:59.5","ts3":"2024-05-01 10:00:00.1234","ts6":"2024-05-01 10:00:00.1234564"}',
	].join('\n');
	const { json } = await load('t', `${body}\n`);
	assert.equal(json.Status, 'Success');
	const rows = doris.tableRows('d', 't').sort((x, y) => Number(x.id) - Number(y.id));
	assert.deepEqual(
		rows.map((r) => [String(r.ts), String(r.ts3), String(r.ts6)]),
		[
			['2024-05-01 10:00:01', '2024-05-01 10:00:01.000', '2024-05-01 10:00:00.123457'],
			['2025-01-01 00:00:00', '2024-05-01 10:00:00.123', '2024-05-01 10:00:00.123456'],
		],
	);
	const refused = await load('t', '{"id":3,"ts6":"2024-05-01 10:00:00.9999995"}\n');
	assert.equal(refused.json.Status, 'Fail');
});
