/**
 * A batch Doris refuses for some of its rows, against the Doris test server: the rows Doris takes
 * load under fresh labels, each refused row goes back to the execution that added it with Doris'
 * reason, and the executions whose rows all loaded or were refused succeed. A failure that hits
 * most rows is not split. A load that succeeds with filtered rows (Max Filter Ratio) logs them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadIntoDoris, loadPartsIntoDoris } from '../../src/batch/doris-target';
import { metrics } from '../../src/metrics/metrics';
import { executeStreamLoad } from '../../nodes/DorisStreamLoad/execute';
import { NODE_TEST_WORKFLOW, nodeContextsIn, targetsIn, useDorisDatabase } from './stream-load-support';

const db = useDorisDatabase({ sharedBatches: true, server: { beConfig: { stringTypeLengthSoftLimitBytes: 64 } } });
const target = targetsIn(db);
const nodeContext = nodeContextsIn(db);

const long = 'x'.repeat(100);
const ids = (table: string) => db.server.tableRows('d', table).map((r) => Number(r.id)).sort((a, b) => a - b);
const labelsOf = (table: string) => db.server.loads.filter((l) => l.table === table).map((l) => ({ label: l.label, status: l.status, rows: l.rows }));

describe('a batch Doris refuses for some rows', () => {
	it('one STRING over the BE limit among 200 rows of 4 executions: 199 load, the row goes back to its execution with Doris’ reason', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const config = target(table, { batch: { maxRows: 200, maxIntervalMs: 60_000 } });
		const rows = (e: number) => Array.from({ length: 50 }, (_, i) => ({ id: e * 50 + i, s: e === 2 && i === 17 ? long : `s${i}` }));
		const results = await Promise.all([0, 1, 2, 3].map((e) => loadIntoDoris(config, rows(e))));
		assert.deepEqual(results.map((r) => r.rejected.length), [0, 0, 1, 0]);
		const [rejected] = results[2].rejected;
		assert.equal(rejected.row, 17, 'numbered as the execution counted its rows');
		assert.equal(rejected.reason.column, 's');
		assert.match(rejected.reason.message, /column_name\[s\], the length of input string is too long/);
		const loaded = ids(table);
		assert.equal(loaded.length, 199);
		assert.ok(!loaded.includes(117));
		const loads = labelsOf(table);
		assert.equal(loads[0].status, 'Fail', 'the whole batch was refused first');
		const labels = loads.map((l) => l.label);
		assert.equal(new Set(labels).size, labels.length, 'every part went under a fresh label');
		assert.ok(loads.length <= 1 + 2 * 8, `${loads.length} loads`);
		assert.equal(results[2].batches[0].result.rejectedRows, 1);
	});

	it('parts keep the batch order: a CDC upsert and delete of one key around a refused row land in order', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING', keys: 'UNIQUE KEY(id)' });
		const config = target(table, { load: { deleteSign: true }, batch: { maxRows: 10, maxIntervalMs: 60_000 } });
		const rows = [
			{ id: 1, s: 'a', __DORIS_DELETE_SIGN__: 0 },
			{ id: 2, s: long, __DORIS_DELETE_SIGN__: 0 },
			{ id: 1, s: 'a', __DORIS_DELETE_SIGN__: 1 },
			{ id: 3, s: 'c', __DORIS_DELETE_SIGN__: 0 },
		];
		const result = await loadIntoDoris(config, rows, { flushNow: true });
		assert.deepEqual(result.rejected.map((r) => r.row), [1]);
		assert.deepEqual(ids(table), [3], 'id 1 deleted after its upsert, id 2 refused');
	});

	it('a packed chunk: the refused line is numbered within the chunk', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const text = [0, 1, 2, 3].map((i) => JSON.stringify({ id: i, s: i === 2 ? long : 'ok' })).join('\n') + '\n';
		const result = await loadPartsIntoDoris(target(table), [[{ id: 100, s: 'row' }], { text, rows: 4 }], { flushNow: true });
		assert.deepEqual(result.rejected.map((r) => r.row), [3]);
		assert.deepEqual(ids(table), [0, 1, 3, 100]);
	});

	it('a packed line of blanks is refused like Doris refuses it (parsed, not skipped): the other lines load, that one comes back', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		// A Kafka value of one blank fits a line (packed-lines.ts fitsOnLine); Doris' JSON line reader
		// skips only an empty line, and simdjson fails on blanks: a filtered row (new_json_reader.cpp).
		const text = '{"id":0,"s":"ok"}\n \n{"id":2,"s":"ok"}\n';
		const result = await loadPartsIntoDoris(target(table), [{ text, rows: 3 }], { flushNow: true });
		assert.deepEqual(result.rejected.map((r) => r.row), [1]);
		assert.deepEqual(ids(table), [0, 2]);
	});

	it('a refusal of most rows (NULL into a NOT NULL column) is not split: the executions fail with Doris’ reason after one load', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING NOT NULL' });
		const before = db.server.loads.length;
		await assert.rejects(
			loadIntoDoris(target(table), Array.from({ length: 20 }, (_, i) => ({ id: i, s: null })), { flushNow: true }),
			/too many filtered rows/,
		);
		assert.equal(db.server.loads.length - before, 1, 'no part loads for a refusal of every row');
		assert.deepEqual(ids(table), []);
	});

	it('the Doris Stream Load node counts the refused rows it hands back, once, with rule doris_rejected (doris_rows_rejected_total); a retried load adds nothing', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const rows = [{ id: 1, s: long }, { id: 2, s: 'ok' }, { id: 3, s: long }, { id: 4, s: 'ok' }].map((json) => ({ json }));
		// The first load is answered with an HTTP 500 and retried under its label before Doris refuses the rows.
		db.server.faults.http500(1);
		const [, rejected] = await executeStreamLoad(nodeContext({ table }, rows, { mode: 'manual', connected: [0, 1] }));
		assert.deepEqual(rejected.map((r) => r.json.id), [1, 3]);
		const series = (await metrics.rowsRejected.get()).values.filter((v) => v.labels.table === `d.${table}`);
		assert.deepEqual(series.map((v) => [v.labels.workflow, v.labels.rule, v.value]), [[NODE_TEST_WORKFLOW, 'doris_rejected', 2]]);
		assert.deepEqual(ids(table), [2, 4]);
	});

	it('refused rows in a shared batch are not counted by the batch: only when an execution hands them back', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		await loadIntoDoris(target(table), [{ id: 1, s: long }, { id: 2, s: 'ok' }], { flushNow: true });
		assert.equal((await metrics.rowsRejected.get()).values.find((v) => v.labels.table === `d.${table}`), undefined);
	});

	it('Max Filter Ratio > 0: a load Doris passes with filtered rows reads its error log and logs each row with its reason', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const warnings: string[] = [];
		const config = { ...target(table, { load: { maxFilterRatio: 0.5 } }), logger: { info: () => undefined, warn: (m: string) => warnings.push(m) } };
		const result = await loadIntoDoris(config, [{ id: 1, s: long }, { id: 2, s: 'ok' }, { id: 3, s: 'ok' }], { flushNow: true });
		assert.equal(result.batches[0].result.filteredRows, 1);
		assert.deepEqual(result.rejected, []);
		const line = warnings.find((w) => w.includes('filtered 1 row(s)'));
		assert.ok(line, warnings.join('\n'));
		assert.match(line, /they are not in Doris\. Reasons: column_name\[s\], the length of input string is too long/);
	});

	// Before, the warning showed the first 10 reasons whatever the count (the README said every row).
	it('Max Filter Ratio > 0, more rows filtered than Doris writes to its error log: the warning gives the reasons of all 51 it names and says the rest are only counted', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const warnings: string[] = [];
		const config = { ...target(table, { load: { maxFilterRatio: 0.5 } }), logger: { info: () => undefined, warn: (m: string) => warnings.push(m) } };
		const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, s: i % 5 < 2 ? long : 'ok' }));
		const result = await loadIntoDoris(config, rows, { flushNow: true });
		assert.equal(result.batches[0].result.filteredRows, 80);
		const line = warnings.find((w) => w.includes('filtered 80 row(s)'));
		assert.ok(line, warnings.join('\n'));
		assert.match(line, /Reasons of the 51 its error log names \(Doris writes at most 51 rows there, and fewer are read when they are long; the other 29 are only counted\): /);
		assert.equal(line.match(/the length of input string is too long/g)?.length, 51);
	});

	it('Max Filter Ratio > 0, 12 rows filtered: every one of them with its reason', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const warnings: string[] = [];
		const config = { ...target(table, { load: { maxFilterRatio: 0.5 } }), logger: { info: () => undefined, warn: (m: string) => warnings.push(m) } };
		const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, s: i < 12 ? long : 'ok' }));
		await loadIntoDoris(config, rows, { flushNow: true });
		const line = warnings.find((w) => w.includes('filtered 12 row(s)'));
		assert.ok(line, warnings.join('\n'));
		assert.match(line, /they are not in Doris\. Reasons: /);
		assert.equal(line.match(/the length of input string is too long/g)?.length, 12);
	});

	it('a where header: the rows it leaves out are logged with the header and counted (doris_rows_unselected_total)', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const infos: string[] = [];
		const config = { ...target(table, { load: { extraHeaders: { where: 'id > 2' } } }), logger: { info: (m: string) => infos.push(m), warn: (m: string) => infos.push(m) } };
		const result = await loadIntoDoris(config, [1, 2, 3, 4].map((id) => ({ id, s: 'ok' })), { flushNow: true });
		assert.equal(result.batches[0].result.unselectedRows, 2);
		assert.deepEqual(ids(table), [3, 4]);
		const counted = (await metrics.rowsUnselected.get()).values.find((v) => v.labels.table === `d.${table}`)?.value;
		assert.equal(counted, 2);
		assert.ok(infos.some((m) => /left out 2 row\(s\) of load .* by its where header \(id > 2\)/.test(m)), infos.join('\n'));
	});

	it('Max Filter Ratio > 0 and a lost answer: the load found committed under its label says its filtered rows cannot be counted', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const warnings: string[] = [];
		const config = { ...target(table, { load: { maxFilterRatio: 0.5 } }), logger: { info: () => undefined, warn: (m: string) => warnings.push(m) } };
		// The answer of the load that filtered the long row is lost after commit; the retry finds the label VISIBLE.
		db.server.faults.resetAfterCommit(1);
		const result = await loadIntoDoris(config, [{ id: 1, s: long }, { id: 2, s: 'ok' }, { id: 3, s: 'ok' }], { flushNow: true });
		db.server.faults.clear();
		assert.equal(result.batches[0].result.labelExisted, true);
		assert.deepEqual(ids(table), [2, 3], 'Doris filtered the long row');
		assert.ok(warnings.some((w) => /may have filtered rows.*cannot be counted/.test(w)), warnings.join('\n'));
	});

	// Executions are redelivered whole: one failed while some of its rows loaded would load them twice.
	// Ten executions of 100 rows in one batch, six refused rows scattered, the split stops at its 64
	// loads: every execution ends wholly loaded (its refused rows handed back), or fails with none of
	// its rows loaded. Its redelivery (same rows again) then loads each row once.
	it('a split stopped by its load budget fails no execution some of whose rows loaded; after the redeliveries every row is in Doris once or on Rejected', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const config = target(table, { batch: { maxRows: 1000, maxIntervalMs: 60_000 } });
		const refused = new Set([50, 150, 350, 550, 750, 950]);
		const rows = (e: number) => Array.from({ length: 100 }, (_, i) => ({ id: e * 100 + i, s: refused.has(e * 100 + i) ? long : `s${i}` }));
		const before = db.server.loads.filter((l) => l.table === table).length;
		const first = await Promise.allSettled(Array.from({ length: 10 }, (_, e) => loadIntoDoris(config, rows(e))));
		assert.ok(db.server.loads.filter((l) => l.table === table).length - before <= 1 + 64, 'within the load budget');
		const loadedOnce = new Set(ids(table));
		const mixed = first.flatMap((r, e) => (r.status === 'rejected' && rows(e).some((row) => loadedOnce.has(row.id)) ? [e] : []));
		assert.deepEqual(mixed, [], 'executions failed although rows of theirs loaded');
		const onRejected = new Set<number>();
		first.forEach((r, e) => {
			if (r.status === 'fulfilled') for (const x of r.value.rejected) onRejected.add(rows(e)[x.row].id);
		});
		// The redelivery of each failed execution, until none fails.
		let pending = first.flatMap((r, e) => (r.status === 'rejected' ? [e] : []));
		for (let round = 0; round < 5 && pending.length > 0; round++) {
			const again = await Promise.allSettled(pending.map((e) => loadIntoDoris(config, rows(e), { flushNow: true })));
			again.forEach((r, k) => {
				if (r.status === 'fulfilled') for (const x of r.value.rejected) onRejected.add(rows(pending[k])[x.row].id);
			});
			pending = pending.filter((_, k) => again[k].status === 'rejected');
		}
		assert.deepEqual(pending, []);
		const all = ids(table);
		assert.equal(new Set(all).size, all.length, `${all.length - new Set(all).size} row(s) loaded twice`);
		for (let id = 0; id < 1000; id++) assert.ok(all.includes(id) !== onRejected.has(id), `row ${id} is in Doris or on Rejected, once`);
		for (const id of refused) assert.ok(onRejected.has(id), `refused row ${id} on Rejected`);
	});

	it('an execution straddling two batches, the second refused as a whole: its rows in it come back as not loaded; the execution only there fails', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING NOT NULL' });
		const config = target(table, { batch: { maxRows: 100, maxIntervalMs: 60_000 } });
		// Execution A: 150 rows, the last 50 null (Doris refuses them); execution B: 50 null rows. Batch 1
		// (A's first 100) loads; batch 2 (A's last 50, B's 50) is refused as a whole (every row), not split.
		const a = Array.from({ length: 150 }, (_, i) => ({ id: i, s: i < 100 ? 'ok' : null }));
		const b = Array.from({ length: 50 }, (_, i) => ({ id: 1000 + i, s: null }));
		const [ra, rb] = await Promise.allSettled([loadIntoDoris(config, a), loadIntoDoris(config, b, { flushNow: true })]);
		assert.equal(ra.status, 'fulfilled');
		if (ra.status !== 'fulfilled') return;
		assert.deepEqual(ra.value.rejected.map((x) => x.row), Array.from({ length: 50 }, (_, i) => 100 + i));
		assert.equal(ra.value.rejected[0].reason.notLoaded, true);
		assert.match(ra.value.rejected[0].reason.message, /^Not loaded: .*other rows of this execution loaded/);
		assert.equal(rb.status, 'rejected', 'B has no row loaded: it fails and is redelivered');
		assert.deepEqual(ids(table), Array.from({ length: 100 }, (_, i) => i));
	});

	it('a caller that takes no refused rows back shares the split batch: its rows load together or fail it whole', async () => {
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const config = target(table, { batch: { maxRows: 300, maxIntervalMs: 60_000 } });
		const rows = (e: number, bad: number) => Array.from({ length: 100 }, (_, i) => ({ id: e * 100 + i, s: i === bad ? long : 'ok' }));
		const [r0, r1, r2] = await Promise.allSettled([
			loadIntoDoris(config, rows(0, 10)),
			loadIntoDoris(config, rows(1, 20), { acceptsRejected: false }),
			loadIntoDoris(config, rows(2, -1)),
		]);
		assert.equal(r0.status, 'fulfilled');
		assert.equal(r1.status, 'rejected');
		assert.equal(r2.status, 'fulfilled');
		const loaded = ids(table);
		assert.ok(!loaded.some((id) => id >= 100 && id < 200), 'none of the refusing caller\'s rows loaded');
		assert.equal(loaded.length, 99 + 100);
	});
});

describe('a commit RPC that timed out after the FE committed, on a load with filtered rows (review session 19, R6)', () => {
	it('is retried under the same label (FINISHED: loaded), not split and loaded again under fresh labels', async () => {
		// Max Filter Ratio 0.5 lets one too-long value be filtered: the answer carries an ErrorURL.
		const table = await db.newTable({ columns: 'id INT, s STRING' });
		const config = target(table, { load: { maxFilterRatio: 0.5, strictMode: true } });
		db.server.faults.commitRpcTimeout(1);
		const result = await loadIntoDoris(config, [{ id: 1, s: 'a' }, { id: 2, s: long }, { id: 3, s: 'c' }], { flushNow: true });
		assert.deepEqual(result.rejected, []);
		assert.deepEqual(ids(table), [1, 3], 'each row once');
		const loads = labelsOf(table);
		assert.deepEqual(loads.map((l) => l.status), ['Fail', 'Label Already Exists']);
		assert.equal(loads[0].label, loads[1].label, 'one label');
	});
});
