/**
 * Decoupled (cloud) Doris as its builds have answered label lookups (review session 19, R8; the test
 * server's DecoupledMode): Label Already Exists without an ExistingJobStatus (CloudGlobalTransactionMgr
 * throws LabelAlreadyUsedException(msg, false)), with get_load_state answered from the meta-service or,
 * in earlier builds, "Not supported".
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { jsonLoadRequest, streamLoadClientsIn, useDorisDatabase, type DorisDatabase } from './stream-load-support';

const copies = (db: DorisDatabase, id: number) => db.server.tableRows('d', 't').filter((r) => r.id === id).length;
const request = (ids: number[]) => jsonLoadRequest('cloud', ids.map((id) => ({ id, v: `v${id}` })));

describe('decoupled, get_load_state from the meta-service, ExistingJobStatus empty', () => {
	const db = useDorisDatabase({ server: { decoupled: { loadState: 'meta_service', existingJobStatus: 'empty' } }, tables: [{ name: 't' }], teardown: () => clients.closeAll() });
	const clients = streamLoadClientsIn(db, { silence: { afterMs: 0 } });
	beforeEach(() => db.server.faults.clear());

	it('an answer lost after commit: the retry finds the label VISIBLE, sends nothing again, one copy', async () => {
		db.server.faults.resetAfterCommit(1);
		const req = request([1]);
		const result = await clients.make().load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(result.existingJobStatus, 'VISIBLE');
		assert.equal(copies(db, 1), 1);
		assert.deepEqual(db.server.loads.filter((l) => l.label === req.label).map((l) => l.status), ['Success']);
	});

	it('a timed-out attempt still running: waited for with get_load_state, one copy', async () => {
		db.server.faults.labelRunning(1, 1200);
		const req = request([2]);
		const result = await clients.make({ requestTimeoutMs: 200, labelWait: { pollIntervalMs: 50, maxWaitMs: 10_000 } }).load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(copies(db, 2), 1);
	});
});

describe('decoupled, get_load_state "Not supported", ExistingJobStatus empty (an early cloud build)', () => {
	const db = useDorisDatabase({ server: { decoupled: { loadState: 'not_supported', existingJobStatus: 'empty' } }, tables: [{ name: 't' }], teardown: () => clients.closeAll() });
	const clients = streamLoadClientsIn(db, { silence: { afterMs: 0 } });
	beforeEach(() => db.server.faults.clear());

	it('an answer lost after commit cannot be settled: Label Already Exists names no state, so the load fails flagged may-be-in-Doris once the wait ends, never loading twice', async () => {
		db.server.faults.resetAfterCommit(1);
		const req = request([3]);
		const error = await clients
			.make({ labelWait: { pollIntervalMs: 50, maxWaitMs: 1500 } })
			.load(req)
			.catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.mayBeInDoris, true);
		assert.equal(error.retryable, false);
		assert.equal(copies(db, 3), 1);
		const statuses = db.server.loads.filter((l) => l.label === req.label).map((l) => l.status);
		assert.equal(statuses[0], 'Success');
		assert.ok(statuses.slice(1).every((s) => s === 'Label Already Exists'), statuses.join(', '));
	});
});
