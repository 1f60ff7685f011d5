/**
 * The last allowed attempt of a load ends without an answer after its body may have reached Doris
 * (review session 19, R1). A BE commits before it answers (be/src/http/action/stream_load.cpp:
 * `_handle` → StreamLoadExecutor::commit_txn, then `handle` sends the reply; 2.1, 3.0, 3.1 and
 * master alike), so a reset, a crash or a proxy timeout can lose the answer of a committed load.
 * Before giving up the client asks get_load_state once more (no re-send, so the retry budget does
 * not forbid it):
 * - VISIBLE / COMMITTED: loaded (labelExisted); PREPARE: waited for like any held label;
 * - ABORTED, or UNKNOWN for a label Doris never held: not loaded, fails as before;
 * - no FE can say: fails flagged `mayBeInDoris`, and the batch layer hands the rows back as
 *   doris_uncounted instead of failing the executions, whose redelivery (a fresh label) would load
 *   them twice.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { loadIntoDoris } from '../../src/batch/doris-target';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { jsonLoadRequest, streamLoadClientsIn, targetsIn, useDorisDatabase, type DorisDatabase } from './stream-load-support';

const NO_RETRY = { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 5000 };
const rowsOf = (ids: number[]) => ids.map((id) => ({ id, v: `v${id}` }));
const idsIn = (db: DorisDatabase, table: string) => db.server.tableRows('d', table).map((r) => r.id as number).sort((a, b) => a - b);

describe('the last attempt ends unsettled: get_load_state is asked before giving up', () => {
	const db = useDorisDatabase({ sharedBatches: true, tables: [{ name: 't' }], teardown: () => clients.closeAll() });
	const clients = streamLoadClientsIn(db, { silence: { afterMs: 0 } });
	const target = targetsIn(db);
	beforeEach(() => db.server.faults.clear());

	it('Max Retries 0 and the answer lost after commit: loaded (label VISIBLE), sent once, each row once', async () => {
		db.server.faults.resetAfterCommit(1);
		const req = jsonLoadRequest('last', rowsOf([1, 2]));
		const result = await clients.make({ retry: NO_RETRY }).load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(result.existingJobStatus, 'VISIBLE');
		assert.deepEqual(idsIn(db, 't').filter((id) => id <= 2), [1, 2]);
		assert.deepEqual(db.server.loads.filter((l) => l.label === req.label).map((l) => l.status), ['Success'], 'sent once');
	});

	it('retries spent on transient failures, the final one reset after commit: loaded, each row once', async () => {
		db.server.faults.fail(2, '[E-235]too many versions');
		db.server.faults.resetAfterCommit(1);
		const req = jsonLoadRequest('last', rowsOf([3]));
		const result = await clients.make({ retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 5000 } }).load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(result.attempts, 3);
		assert.deepEqual(idsIn(db, 't').filter((id) => id === 3), [3]);
	});

	it('the last attempt times out while its load runs (PREPARE): waited for until VISIBLE, loaded once', async () => {
		db.server.faults.labelRunning(1, 1500);
		const req = jsonLoadRequest('last', rowsOf([4]));
		const result = await clients.make({ retry: NO_RETRY, requestTimeoutMs: 200, labelWait: { pollIntervalMs: 50, maxWaitMs: 10_000 } }).load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(result.existingJobStatus, 'VISIBLE');
		assert.deepEqual(idsIn(db, 't').filter((id) => id === 4), [4]);
	});

	it('the last attempt times out and Doris aborts it: fails as not loaded (not flagged as maybe in Doris)', async () => {
		db.server.faults.hang(1, 800);
		const req = jsonLoadRequest('last', rowsOf([5]));
		const error = await clients
			.make({ retry: NO_RETRY, requestTimeoutMs: 200, labelWait: { pollIntervalMs: 50, maxWaitMs: 10_000 } })
			.load(req)
			.catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.mayBeInDoris, false);
		assert.deepEqual(idsIn(db, 't').filter((id) => id === 5), []);
	});

	it('through the shared batch: one -235, then the answer lost after commit on the last attempt: the call resolves, a redelivery is not needed', async () => {
		const table = await db.newTable();
		const config = { ...target(table), retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 5000 } };
		db.server.faults.fail(1, '[E-235]too many versions');
		db.server.faults.resetAfterCommit(1);
		const result = await loadIntoDoris(config, rowsOf([1, 2]), { flushNow: true });
		assert.deepEqual(result.rejected, []);
		assert.deepEqual(idsIn(db, table), [1, 2], 'each row once');
	});
});

describe('the last attempt ends unsettled and no FE can say what became of its label', () => {
	// An early decoupled (cloud) build: get_load_state answers "Not supported", Label Already Exists carries no state.
	const db = useDorisDatabase({ server: { decoupled: { loadState: 'not_supported', existingJobStatus: 'empty' } }, sharedBatches: true, teardown: () => clients.closeAll() });
	const clients = streamLoadClientsIn(db, { silence: { afterMs: 0 } });
	const target = targetsIn(db);
	beforeEach(() => db.server.faults.clear());

	it('the client fails flagged mayBeInDoris, naming the label', async () => {
		const table = await db.newTable();
		db.server.faults.resetAfterCommit(1);
		const req = jsonLoadRequest('last', rowsOf([1]), table);
		const error = await clients.make({ retry: NO_RETRY }).load(req).catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.mayBeInDoris, true);
		assert.equal(error.retryable, false);
		assert.match(error.message, new RegExp(req.label));
		assert.match(error.message, /may be in Doris/);
	});

	it('the batch hands its rows back as doris_uncounted (may be in Doris) instead of failing the execution, whose redelivery would load them twice', async () => {
		const table = await db.newTable();
		db.server.faults.resetAfterCommit(1);
		const result = await loadIntoDoris({ ...target(table), retry: NO_RETRY }, rowsOf([1, 2]), { flushNow: true });
		assert.deepEqual(
			result.rejected.map((r) => r.row),
			[0, 1],
		);
		for (const { reason } of result.rejected) {
			assert.equal(reason.uncounted, true);
			assert.notEqual(reason.notLoaded, true);
			assert.match(reason.message, /may be in Doris/);
		}
		assert.deepEqual(idsIn(db, table), [1, 2], 'committed once; nothing to redeliver');
	});
});
