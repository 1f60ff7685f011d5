/**
 * Packed JSON lines through the shared batch into the Doris test server: several concurrent callers'
 * chunks (and rows) coalesced into few loads, every row in once even when a load's answer is lost or
 * the BE answers 500 (the retry reuses the label), big chunks cut at line ends, the delete sign added
 * to lines without it, parts loaded in their order, CSV refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { LineChunk } from '../../src/batch/batch-parts';
import { loadPartsIntoDoris } from '../../src/batch/doris-target';
import { targetsIn, useDorisDatabase } from './stream-load-support';

const db = useDorisDatabase({ sharedBatches: true });
const target = targetsIn(db, { labelPrefix: 'pk', batch: { maxRows: 2000, maxBytes: 8 << 20, maxIdleMs: 100, maxBufferedBytes: 16 << 20 } });

/** A packed item's lines: ids from `from`, as the trigger or the Doris Schema node would write them. */
function chunk(n: number, from: number): LineChunk {
	let text = '';
	for (let i = 0; i < n; i++) text += `{"id":${from + i},"v":"v${from + i}"}\n`;
	return { text, rows: n };
}

const idCounts = (table: string) => {
	const counts = new Map<number, number>();
	for (const row of db.server.tableRows('d', table)) counts.set(Number(row.id), (counts.get(Number(row.id)) ?? 0) + 1);
	return counts;
};

describe('packed lines into Doris', () => {
	it('concurrent callers: every row in once, each released only when its rows are in; a lost answer and a 500 are retried under the same label', async () => {
		const table = await db.newTable();
		const config = target(table);
		// The first load's answer is lost after commit; the second gets an HTTP 500 before loading.
		db.server.faults.resetAfterCommit(1);
		db.server.faults.http500(1);
		const callers = 8;
		const perCaller = 2 * 600 + 3;
		const releasedEarly: number[] = [];
		const results = await Promise.all(
			Array.from({ length: callers }, (_, c) => {
				const base = c * perCaller;
				const input = [chunk(600, base), chunk(600, base + 600), [0, 1, 2].map((k) => ({ id: base + 1200 + k, v: `row${k}` }))];
				return loadPartsIntoDoris(config, input).then((result) => {
					const present = idCounts(table);
					for (let id = base; id < base + perCaller; id++) if (!present.has(id)) releasedEarly.push(c);
					return result;
				});
			}),
		);
		db.server.faults.clear();
		assert.deepEqual(releasedEarly, []);
		const counts = idCounts(table);
		assert.equal(counts.size, callers * perCaller);
		assert.ok([...counts.values()].every((n) => n === 1), 'no row twice');
		assert.ok(results.every((r) => r.rows === perCaller));

		const batches = new Map(results.flatMap((r) => r.batches.map((b) => [b.batchId, b] as const)));
		assert.equal([...batches.values()].reduce((s, b) => s + b.rows, 0), callers * perCaller);
		assert.ok([...batches.values()].every((b) => b.rows <= 2000), 'max rows kept');
		assert.ok(batches.size <= 6, `${batches.size} loads for ${callers * perCaller} rows`);
		const lost = [...batches.values()].filter((b) => b.result.labelExisted);
		assert.equal(lost.length, 1, 'the load whose answer was lost was found under its label');
		const records = db.server.loads.filter((l) => l.table === table);
		const byLabel = new Map<string, string[]>();
		for (const r of records) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r.fault ?? r.status]);
		assert.equal(byLabel.size, batches.size, 'one label per batch, retries included');
		// The lost answer's label was looked up (get_load_state: VISIBLE) instead of being sent again.
		assert.ok([...byLabel.values()].some((attempts) => attempts[0] === 'resetAfterCommit' && attempts.length === 1));
		assert.ok([...byLabel.values()].some((attempts) => attempts[0] === 'http500' && attempts.length === 2));
	});

	it('a chunk over max rows is cut at line ends into several loads; gzip sends the same lines', async () => {
		const table = await db.newTable();
		const result = await loadPartsIntoDoris(target(table, { batch: { maxRows: 1000 }, load: { compress: 'gz' } }), [chunk(2500, 0)], { flushNow: true });
		assert.deepEqual(
			result.batches.map((b) => b.rows),
			[1000, 1000, 500],
		);
		assert.equal(result.rows, 2500);
		const counts = idCounts(table);
		assert.equal(counts.size, 2500);
		assert.ok([...counts.values()].every((n) => n === 1));
	});

	it('with the delete sign, lines without it load as upserts and lines with 1 delete', async () => {
		const table = await db.newTable({ keys: 'UNIQUE KEY(id)' });
		const config = target(table, { load: { deleteSign: true } });
		await loadPartsIntoDoris(config, [chunk(4, 0)], { flushNow: true });
		const cdc = '{"id":1,"v":"x","__DORIS_DELETE_SIGN__":1}\n{"id":2,"v":"new","__DORIS_DELETE_SIGN__":0}\n{"id":3,"v":"plain"}\n';
		await loadPartsIntoDoris(config, [{ text: cdc, rows: 3 }], { flushNow: true });
		// Real Doris rejects a JSON line without the sign ("column(__DORIS_DELETE_SIGN__) values is null
		// while columns is not nullable", apache/doris#30843); the test server is lenient, so check the bytes sent.
		const sent = db.server.loads.filter((l) => l.table === table).map((l) => l.bytes);
		assert.deepEqual(sent, [
			Buffer.byteLength(chunk(4, 0).text.replaceAll('}\n', ',"__DORIS_DELETE_SIGN__":0}\n')),
			Buffer.byteLength(cdc.replace('"plain"}', '"plain","__DORIS_DELETE_SIGN__":0}')),
		]);
		assert.deepEqual(
			db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id)),
			[
				{ id: 0, v: 'v0' },
				{ id: 2, v: 'new' },
				{ id: 3, v: 'plain' },
			],
		);
	});

	it('parts load in their order: an upsert row between two chunks lands between their lines (CDC order)', async () => {
		const table = await db.newTable({ keys: 'UNIQUE KEY(id)' });
		const config = target(table, { load: { deleteSign: true } });
		// Offsets 4, 5, 6 of one partition: a line, a pretty-printed upsert that travelled as a row, a delete line.
		const parts = [{ text: '{"id":1,"v":"old"}\n', rows: 1 }, [{ id: 1, v: 'new' }], { text: '{"id":1,"v":"old","__DORIS_DELETE_SIGN__":1}\n{"id":2,"v":"kept"}\n', rows: 2 }];
		const result = await loadPartsIntoDoris(config, parts, { flushNow: true });
		assert.equal(result.rows, 4);
		assert.equal(result.batches.length, 1);
		assert.deepEqual(db.server.tableRows('d', table), [{ id: 2, v: 'kept' }], 'the delete came last');
		const dup = await db.newTable();
		await loadPartsIntoDoris(target(dup), [[{ id: 0, v: 'r' }], { text: '{"id":1,"v":"l"}\n{"id":2,"v":"l"}\n', rows: 2 }, [{ id: 3, v: 'r' }, { id: 4, v: 'r' }], { text: '{"id":5,"v":"l"}\n', rows: 1 }], { flushNow: true });
		assert.deepEqual(db.server.tableRows('d', dup).map((r) => r.id), [0, 1, 2, 3, 4, 5], 'the body in part order');
	});

	it('a load Doris commits with fewer rows than were sent (an empty line it skips) hands its rows back as uncounted, or fails a caller that cannot take them; it is not sent again', async () => {
		// Three lines counted, one empty: Doris' JSON line reader skips an empty line without counting it
		// (new_json_reader.cpp), answers Success with NumberTotalRows 2, and nothing says a row is missing.
		const lines = { text: '{"id":1,"v":"a"}\n\n{"id":2,"v":"b"}\n', rows: 3 };
		const table = await db.newTable();
		const result = await loadPartsIntoDoris(target(table), [lines], { flushNow: true });
		assert.deepEqual(result.rejected.map((r) => r.row), [0, 1, 2]);
		assert.ok(result.rejected.every((r) => r.reason.uncounted === true && /3 row\(s\) sent, Doris read 2 \(2 loaded, 0 filtered, 0 unselected\)/.test(r.reason.message)));
		const other = await db.newTable();
		await assert.rejects(loadPartsIntoDoris(target(other), [lines], { flushNow: true, acceptsRejected: false }), /3 row\(s\) sent, Doris read 2 \(2 loaded, 0 filtered, 0 unselected\)/);
		for (const t of [table, other]) {
			const attempts = db.server.loads.filter((l) => l.table === t);
			assert.equal(attempts.length, 1, 'sent once: its label is committed');
			assert.equal(attempts[0].status, 'Success');
		}
	});

	it('refuses packed lines for a CSV load before anything is sent', async () => {
		const table = await db.newTable();
		const before = db.server.loads.length;
		assert.throws(() => loadPartsIntoDoris(target(table, { load: { format: 'csv', columns: ['id', 'v'] } }), [chunk(1, 0)]), /Format is "csv" but the item holds packed JSON lines \(packedRows\); set Format to JSON/);
		assert.equal(db.server.loads.length, before);
	});
});
