/**
 * A BE that goes silent, and labels Doris forgets: the Stream Load client against the Doris test
 * server's hang faults and its label window (test/ground/doris/labels.ts).
 * - Silence: no answer `silence.afterMs` after the body was sent → get_load_state (FE
 *   GetStreamLoadState.java → DatabaseTransactionMgr.getLabelState). VISIBLE/COMMITTED: loaded;
 *   PREPARE: keep waiting; UNKNOWN (no transaction began): the same label again.
 * - A label this process saw held (100 Continue from the BE, RUNNING) that Doris then reports
 *   UNKNOWN was forgotten (label_num_threshold / streaming_label_keep_max_second): it may have
 *   loaded, so it is never re-sent; the load fails saying so.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import type { StreamLoadClientConfig } from '../../src/doris/stream-load/client';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { jsonLoadRequest, streamLoadClientsIn, useDorisDatabase, type DorisDatabase } from './stream-load-support';

/** The client the silence tests use: a short Expect wait and silence detection, long request and label waits. */
const SILENT_BE_CLIENT: Partial<StreamLoadClientConfig> = {
	retry: { maxRetries: 3, initialDelayMs: 50, maxDelayMs: 200, maxElapsedMs: 30_000 },
	requestTimeoutMs: 60_000,
	continueTimeoutMs: 100,
	silence: { afterMs: 300, pollMs: 100 },
	labelWait: { pollIntervalMs: 50, maxWaitMs: 10_000 },
};

const request = (ids: number[], table = 't') => jsonLoadRequest('sil', ids.map((id) => ({ id, v: `v${id}` })), table);

const copies = (db: DorisDatabase, id: number) => db.server.tableRows('d', 't').filter((r) => r.id === id).length;

describe('a BE that takes the body and never answers', () => {
	const db = useDorisDatabase({ tables: [{ name: 't', columns: 'id INT, v VARCHAR(20)' }], teardown: () => clients.closeAll() });
	const clients = streamLoadClientsIn(db, SILENT_BE_CLIENT);
	const client = clients.make;
	const HANG_MS = 20_000;
	beforeEach(() => db.server.faults.clear());

	it('committed, then silent: get_load_state says VISIBLE, counted as loaded while the BE still holds the connection', async () => {
		db.server.faults.hangAfterCommit(1, HANG_MS);
		const req = request([1, 2]);
		const started = Date.now();
		const result = await client().load(req);
		const tookMs = Date.now() - started;
		assert.equal(result.labelExisted, true);
		assert.equal(result.existingJobStatus, 'VISIBLE');
		assert.equal(result.attempts, 1, 'settled inside the first attempt, nothing re-sent');
		assert.ok(tookMs < HANG_MS, `settled after ${tookMs} ms, before the hung BE let go (${HANG_MS} ms)`);
		assert.deepEqual([copies(db, 1), copies(db, 2)], [1, 1]);
		assert.deepEqual(db.server.loads.filter((l) => l.label === req.label).map((l) => l.status), ['Success']);
	});

	it('stuck before its transaction began: get_load_state says UNKNOWN, the same label goes again and loads once', async () => {
		db.server.faults.hangBeforeBegin(1, HANG_MS);
		const req = request([3]);
		const started = Date.now();
		const result = await client().load(req);
		const tookMs = Date.now() - started;
		assert.equal(result.status, 'Success');
		assert.equal(result.attempts, 2);
		assert.ok(tookMs < HANG_MS, `settled after ${tookMs} ms, before the hung BE let go (${HANG_MS} ms)`);
		assert.equal(copies(db, 3), 1);
		assert.deepEqual(db.server.loads.filter((l) => l.label === req.label).map((l) => l.status), ['hang before begin', 'Success']);
	});

	it('still running (PREPARE): keeps waiting on the same exchange and takes its answer', async () => {
		db.server.faults.labelRunning(1, 1500);
		const req = request([4]);
		const result = await client().load(req);
		assert.equal(result.status, 'Success');
		assert.equal(result.labelExisted, false, 'the answer of the running load itself');
		assert.equal(result.attempts, 1);
		assert.equal(copies(db, 4), 1);
	});
});

describe('labels Doris forgets before the retry (label_num_threshold, streaming_label_keep_max_second)', () => {
	const db = useDorisDatabase({
		server: { labels: { keepMaxMs: 100, cleanIntervalMs: 20 } },
		tables: [{ name: 't', columns: 'id INT, v VARCHAR(20)' }],
		teardown: () => clients.closeAll(),
	});
	const clients = streamLoadClientsIn(db, SILENT_BE_CLIENT);
	const client = clients.make;
	beforeEach(() => db.server.faults.clear());

	it('a lost answer whose label is gone by the retry: fails saying Doris cannot tell, never loads twice', async () => {
		db.server.faults.resetAfterCommit(1);
		const req = request([10, 11]);
		const error = await client({ retry: { maxRetries: 3, initialDelayMs: 400, maxDelayMs: 400, maxElapsedMs: 30_000 } })
			.load(req)
			.catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.kind, 'label');
		assert.equal(error.retryable, false);
		assert.match(error.message, /cannot tell/);
		assert.match(error.message, /label_num_threshold/);
		assert.deepEqual([copies(db, 10), copies(db, 11)], [1, 1], 'loaded exactly once');
	});

	it('a label seen RUNNING that Doris then forgot is never taken for free', async () => {
		db.server.faults.labelRunning(1, 800);
		const req = request([12]);
		const outcome = await client({ requestTimeoutMs: 200, silence: { afterMs: 0 }, labelWait: { pollIntervalMs: 400, maxWaitMs: 10_000 } })
			.load(req)
			.catch((e: unknown) => e);
		// Seen VISIBLE in time, or forgotten first: either way, one copy.
		if (outcome instanceof Error) assert.match(outcome.message, /cannot tell/);
		assert.equal(copies(db, 12), 1);
	});
});
