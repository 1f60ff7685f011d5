/**
 * The shared batch against the Doris test server: many executions coalesced into few loads, each
 * released only when its rows are in the table; flush by rows / bytes / interval / flushAll;
 * back-pressure; JSON, CSV, gzip; CDC deletes on a UNIQUE KEY table; header injection refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dorisBatcher, loadIntoDoris } from '../../src/batch/doris-target';
import { flushAll } from '../../src/batch/registry';
import { metrics } from '../../src/metrics/metrics';
import { targetsIn, useDorisDatabase } from './stream-load-support';

const db = useDorisDatabase({ sharedBatches: true });
const target = targetsIn(db);

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i, v: `v${from + i}` }));
const loadsInto = (table: string) => db.server.loads.filter((l) => l.table === table && l.status === 'Success');
const ids = (table: string) => new Set(db.server.tableRows('d', table).map((r) => Number(r.id)));

describe('shared Stream Load batches', () => {
	it('20 concurrent executions are coalesced into few loads; each is released only once its rows are in the table', async () => {
		const table = await db.newTable();
		const config = target(table, { batch: { maxRows: 100, maxIntervalMs: 200 } });
		const releasedEarly: number[] = [];
		const executions = Array.from({ length: 20 }, (_, e) =>
			loadIntoDoris(config, rows(10, e * 10)).then((result) => {
				const present = ids(table);
				for (let i = e * 10; i < e * 10 + 10; i++) if (!present.has(i)) releasedEarly.push(e);
				return result;
			}),
		);
		const results = await Promise.all(executions);
		assert.deepEqual(releasedEarly, []);
		assert.equal(db.server.tableRows('d', table).length, 200);
		assert.equal(loadsInto(table).length, 2, '200 rows at 100 per batch');
		const served = results.flatMap((r) => r.batches.map((b) => b.executions));
		assert.ok(served.every((x) => x === 10), `executions per batch ${served}`);
		const labels = new Set(results.flatMap((r) => r.batches.map((b) => b.result.label)));
		assert.equal(labels.size, 2);
		for (const label of labels) assert.match(label, new RegExp(`^it_${table}_[0-9a-f]{12}_\\d+$`));
	});

	it('flushes by rows, by bytes and by interval', async () => {
		const byRows = await db.newTable();
		const r1 = await loadIntoDoris(target(byRows, { batch: { maxRows: 5 } }), rows(5));
		assert.equal(r1.batches[0].rows, 5);

		const byBytes = await db.newTable();
		const r2 = await loadIntoDoris(target(byBytes, { batch: { maxBytes: 100, maxIntervalMs: 300 } }), rows(30));
		assert.ok(r2.batches.length >= 3, `${r2.batches.length} batches`);
		assert.ok(r2.batches.slice(0, -1).every((b) => b.bytes >= 100 && b.bytes < 140));
		const byInterval = await db.newTable();
		const started = Date.now();
		const r3 = await loadIntoDoris(target(byInterval, { batch: { maxIntervalMs: 150 } }), rows(3));
		assert.ok(Date.now() - started >= 140);
		assert.equal(r3.batches[0].rows, 3);
		assert.equal(ids(byBytes).size, 30);
	});

	it('flushAll releases executions waiting on a long interval at once', async () => {
		const table = await db.newTable();
		const started = Date.now();
		const waiting = loadIntoDoris(target(table, { batch: { maxIntervalMs: 60_000 } }), rows(4));
		setTimeout(() => void flushAll(), 50);
		const result = await waiting;
		assert.ok(Date.now() - started < 5000);
		assert.equal(result.batches[0].rows, 4);
		assert.equal(ids(table).size, 4);
	});

	it('manual runs (flushNow) load at once', async () => {
		const table = await db.newTable();
		const result = await loadIntoDoris(target(table), rows(2), { flushNow: true });
		assert.equal(result.batches[0].result.loadedRows, 2);
	});

	it('back-pressure keeps buffered bytes under the bound', async () => {
		const table = await db.newTable();
		const config = target(table, { batch: { maxBytes: 2000, maxBufferedBytes: 4000, maxIntervalMs: 50 } });
		const batcher = dorisBatcher(config);
		let peak = 0;
		const sampler = setInterval(() => (peak = Math.max(peak, batcher.bufferedBytes)), 1);
		db.server.faults.labelRunning(3, 60); // slow loads so the buffer fills up
		try {
			await Promise.all(Array.from({ length: 5 }, (_, e) => loadIntoDoris(config, rows(100, e * 100))));
		} finally {
			clearInterval(sampler);
			db.server.faults.clear();
		}
		assert.equal(ids(table).size, 500);
		assert.ok(peak < 4000 + 24, `peak ${peak}`); // at most one row over the bound
		assert.ok(peak > 0);
	});

	it('gzip-compressed JSON and CSV load the same rows', async () => {
		const gz = await db.newTable();
		const r = await loadIntoDoris(target(gz, { load: { compress: 'gz' } }), rows(50), { flushNow: true });
		assert.equal(ids(gz).size, 50);
		const record = loadsInto(gz)[0];
		assert.equal(record.headers.compress_type, 'gz');
		assert.ok(record.bytes < r.batches[0].bytes, 'sent compressed');

		const csv = await db.newTable();
		await loadIntoDoris(target(csv, { load: { format: 'csv', columns: ['id', 'v'] } }), [{ id: 1, v: 'a b' }, { id: 2, v: null }], { flushNow: true });
		assert.deepEqual(db.server.tableRows('d', csv), [
			{ id: 1, v: 'a b' },
			{ id: 2, v: null },
		]);
		const csvGz = await db.newTable();
		await loadIntoDoris(target(csvGz, { load: { format: 'csv', columns: ['id', 'v'], compress: 'gz' } }), rows(10), { flushNow: true });
		assert.equal(ids(csvGz).size, 10);
	});

	it('rows flagged with __DORIS_DELETE_SIGN__ delete on a UNIQUE KEY table', async () => {
		const table = await db.newTable({ keys: 'UNIQUE KEY(id)' });
		const config = target(table, { load: { deleteSign: true } });
		await loadIntoDoris(config, rows(3), { flushNow: true });
		await loadIntoDoris(config, [{ id: 1, v: 'x', __DORIS_DELETE_SIGN__: 1 }, { id: 2, v: 'updated', __DORIS_DELETE_SIGN__: 0 }], { flushNow: true });
		assert.deepEqual(
			db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id)),
			[
				{ id: 0, v: 'v0' },
				{ id: 2, v: 'updated' },
			],
		);
		assert.equal(loadsInto(table)[0].headers.hidden_columns, '__DORIS_DELETE_SIGN__');
	});

	it('a header value with CR/LF is refused before anything is sent', async () => {
		const table = await db.newTable();
		const before = db.server.loads.length;
		assert.throws(() => loadIntoDoris(target(table, { load: { timezone: 'UTC\r\nlabel: evil' } }), rows(1)), /header "timezone" has a control character/);
		assert.equal(db.server.loads.length, before);
	});

	it('a permanent failure of every row rejects every execution of the batch, naming the table', async () => {
		const table = await db.newTable({ columns: 'id INT NOT NULL, v VARCHAR(2) NOT NULL' });
		const config = target(table, { load: { strictMode: true }, batch: { maxRows: 4 } });
		const tooLong = (id: number) => ({ id, v: 'far too long' });
		const results = await Promise.allSettled([loadIntoDoris(config, [tooLong(1), tooLong(2)]), loadIntoDoris(config, [tooLong(9), tooLong(10)])]);
		for (const r of results) {
			assert.equal(r.status, 'rejected');
			assert.match(String((r as PromiseRejectedResult).reason), new RegExp(`Doris table "${table}"`));
		}
		assert.equal(db.server.tableRows('d', table).length, 0);
	});

	it('a table dropped since its schema was read: the load fails and tells the Doris Schema node to read it again (onRefused), so Create Missing Tables can act on the next try', async () => {
		const table = await db.newTable();
		await db.server.sql(`DROP TABLE d.${table}`);
		const refused: string[] = [];
		const config = { ...target(table), onRefused: (error: { kind: string }) => refused.push(error.kind) };
		await assert.rejects(loadIntoDoris(config, rows(2), { flushNow: true }), /unknown table|not found|does not exist/i);
		assert.deepEqual(refused, ['not_found']);
	});

	it('updates the metrics', async () => {
		const table = await db.newTable();
		await loadIntoDoris(target(table), rows(7), { flushNow: true });
		const value = async (m: { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> }, labels: Record<string, string>) =>
			(await m.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
		assert.equal(await value(metrics.streamLoads, { table: `d.${table}`, status: 'success' }), 1);
		assert.equal(await value(metrics.rowsLoaded, { table: `d.${table}` }), 7);
		assert.equal(await value(metrics.bufferedBytes, { table: `d.${table}` }), 0);
		const rowsHist = (await metrics.batchRows.get()).values.find((v) => v.labels.table === `d.${table}` && (v as { metricName?: string }).metricName === 'batch_rows_sum');
		assert.equal(rowsHist?.value, 7);
	});
});
