// The Doris test server honours a Stream Load's `partitions` header as Doris does (FE
// task/StreamLoadTask.java splits it at commas; StreamLoadPlanner refuses an unknown name; BE
// vec/sink/vtablet_finder.cpp filters a row in no named partition with "no partition for this tuple"),
// skips rows of a partition that takes no writes ("mutable" = "false") as unselected, refuses loudly
// what it does not imitate, and reads `json_root` as the BE does ("JSON Root not found.").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { jsonLines, streamLoad } from './doris/testing';

let doris: DorisTestServer;
let n = 0;
const headers = (extra: Record<string, string>) => ({ format: 'json', read_json_by_line: 'true', label: `p_${process.pid}_${++n}`, ...extra });
const load = async (table: string, rows: object[], extra: Record<string, string>) => (await streamLoad(doris.feUrl, 'd', table, jsonLines(rows), headers(extra))).json;

before(async () => {
	doris = await startDorisTestServer();
	await doris.sql('CREATE DATABASE d');
	await doris.sql(
		'CREATE TABLE d.r (id INT, dt DATE) DUPLICATE KEY(id) PARTITION BY RANGE(dt) (PARTITION p2024 VALUES LESS THAN ("2025-01-01"), PARTITION p2025 VALUES LESS THAN ("2026-01-01")) DISTRIBUTED BY HASH(id) BUCKETS 1',
	);
	await doris.sql('CREATE TABLE d.l (id INT, region VARCHAR(8)) DUPLICATE KEY(id) PARTITION BY LIST(region) (PARTITION p_eu VALUES IN ("de", "fr"), PARTITION p_us VALUES IN ("us")) DISTRIBUTED BY HASH(id) BUCKETS 1');
	await doris.sql('CREATE TABLE d.plain (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
	await doris.sql('CREATE TABLE d.auto (id INT, dt DATE NOT NULL) DUPLICATE KEY(id) AUTO PARTITION BY RANGE (date_trunc(dt, \'month\')) () DISTRIBUTED BY HASH(id) BUCKETS 1');
});
after(() => doris?.close());

describe('the partitions header on the Doris test server', () => {
	it('RANGE: rows of the named partitions load; one outside is filtered with "no partition for this tuple"', async () => {
		assert.equal((await load('r', [{ id: 1, dt: '2024-05-01' }], { partitions: 'p2024' })).Status, 'Success');
		const outside = await load('r', [{ id: 2, dt: '2024-06-01' }, { id: 3, dt: '2025-02-01' }], { partitions: 'p2024' });
		assert.equal(outside.Status, 'Fail');
		assert.match(String(outside.Message), /too many filtered rows/);
		const within = await load('r', [{ id: 4, dt: '2024-06-01' }, { id: 5, dt: '2025-02-01' }], { partitions: ' p2024 , P2025 ', max_filter_ratio: '0' });
		assert.equal(within.Status, 'Success', 'both partitions named (names without case, blanks around commas)');
		assert.deepEqual(doris.tableRows('d', 'r').map((r) => r.id).sort(), [1, 4, 5]);
		const ratio = await load('r', [{ id: 6, dt: '2024-07-01' }, { id: 7, dt: '2026-03-01' }], { partitions: 'p2024,p2025', max_filter_ratio: '0.5' });
		assert.equal(ratio.NumberFilteredRows, 1, 'a date past every partition is in none');
	});

	it('LIST: a value no named partition lists is filtered', async () => {
		const out = await load('l', [{ id: 1, region: 'de' }, { id: 2, region: 'us' }], { partitions: 'p_eu', max_filter_ratio: '0.5' });
		assert.equal(out.NumberLoadedRows, 1);
		assert.equal(out.NumberFilteredRows, 1);
	});

	it('an unknown partition fails the load; a table without PARTITION BY is its own one partition', async () => {
		const unknown = await load('r', [{ id: 9, dt: '2024-01-01' }], { partitions: 'p2024, p1999' });
		assert.equal(unknown.Status, 'Fail');
		assert.match(String(unknown.Message), /Unknown partition 'p1999' in table 'r'/);
		assert.equal((await load('plain', [{ id: 1 }], { partitions: 'plain' })).Status, 'Success');
		assert.match(String((await load('plain', [{ id: 2 }], { partitions: 'p1' })).Message), /Unknown partition 'p1' in table 'plain'/);
	});

	it('refuses loudly what it does not imitate: automatic partitions and temporary partitions', async () => {
		assert.match(String((await load('auto', [{ id: 1, dt: '2024-01-01' }], { partitions: 'p1' })).Message), /NOT_IMPLEMENTED.*AUTO PARTITION/);
		assert.equal((await load('auto', [{ id: 1, dt: '2024-01-01' }], {})).Status, 'Success', 'without the header it loads');
		assert.match(String((await load('r', [{ id: 1, dt: '2024-01-01' }], { temporary_partitions: 'tp1' })).Message), /NOT_IMPLEMENTED.*temporary partitions/);
	});

	it('without the header, a row in no partition is filtered all the same (Doris routes every row); before, the test server loaded it', async () => {
		const out = await load('r', [{ id: 20, dt: '2024-03-01' }, { id: 21, dt: '2027-01-01' }], { max_filter_ratio: '0.5' });
		assert.deepEqual([out.Status, out.NumberLoadedRows, out.NumberFilteredRows], ['Success', 1, 1]);
		assert.equal(doris.tableRows('d', 'r').some((r) => r.id === 21), false);
		assert.equal((await load('l', [{ id: 22, region: 'jp' }], {})).Status, 'Fail');
	});

	it('a partition set "mutable" = "false" takes no row: skipped and counted unselected, no error line, the load a Success', async () => {
		await doris.sql('CREATE TABLE d.m (id INT, dt DATE) DUPLICATE KEY(id) PARTITION BY RANGE(dt) (PARTITION p_old VALUES LESS THAN ("2025-01-01"), PARTITION p_new VALUES LESS THAN ("2026-01-01")) DISTRIBUTED BY HASH(id) BUCKETS 1');
		await doris.sql('ALTER TABLE d.m MODIFY PARTITION p_old SET ("mutable" = "false")');
		const out = await load('m', [{ id: 1, dt: '2024-03-01' }, { id: 2, dt: '2025-03-01' }, { id: 3, dt: '2024-04-01' }], {});
		assert.deepEqual([out.Status, out.NumberTotalRows, out.NumberLoadedRows, out.NumberFilteredRows, out.NumberUnselectedRows, out.ErrorURL], ['Success', 3, 1, 0, 2, undefined]);
		assert.deepEqual(doris.tableRows('d', 'm').map((r) => r.id), [2]);
		await doris.sql('ALTER TABLE d.m MODIFY PARTITION (*) SET ("mutable" = "true")');
		assert.equal((await load('m', [{ id: 4, dt: '2024-05-01' }], {})).NumberLoadedRows, 1);
		await assert.rejects(doris.sql('ALTER TABLE d.m MODIFY PARTITION p_none SET ("mutable" = "false")'), /Partition\[p_none\] does not exist/);
	});
});

describe('json_root on the Doris test server', () => {
	it('reads each line under the root; a line without it is filtered with "JSON Root not found."', async () => {
		const out = await load('plain', [{ data: { id: 100 } }, { other: 1 }], { json_root: '$.data', max_filter_ratio: '0.5' });
		assert.equal(out.NumberLoadedRows, 1);
		assert.equal(out.NumberFilteredRows, 1);
		assert.ok(doris.tableRows('d', 'plain').some((r) => r.id === 100));
	});
});
