/**
 * Doris 4.1 / master group-commits a load that sends no group_commit header when its table's property
 * group_commit_mode is sync_mode / async_mode, label or not (apache/doris PR #61242; review session 19,
 * R3): Doris then picks the label, so a retry after a lost answer loads twice, and async_mode answers
 * before the rows are committed. The client sends group_commit: off_mode on every load, and refuses an
 * answer that is a group commit's all the same.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { loadIntoDoris } from '../../src/batch/doris-target';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { jsonLoadRequest, streamLoadClientsIn, targetsIn, useDorisDatabase } from './stream-load-support';

describe('a table whose group_commit_mode is async_mode (Doris 4.1)', () => {
	const db = useDorisDatabase({ server: { version: '4.1' }, sharedBatches: true, teardown: () => clients.closeAll() });
	const clients = streamLoadClientsIn(db, { silence: { afterMs: 0 } });
	const target = targetsIn(db);
	let n = 0;
	const table = async (): Promise<string> => {
		const name = `gc${++n}`;
		await db.server.sql(`CREATE TABLE d.${name} (id INT, v VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("group_commit_mode" = "async_mode")`);
		return name;
	};
	const ids = (name: string) => db.server.tableRows('d', name).map((r) => r.id as number).sort((a, b) => a - b);
	beforeEach(() => db.server.faults.clear());

	it('a load stays labelled: sent with group_commit off_mode, answered under its own label', async () => {
		const name = await table();
		const req = jsonLoadRequest('gc', [{ id: 1, v: 'a' }], name);
		const result = await clients.make().load(req);
		assert.equal(result.label, req.label);
		const sent = db.server.loads.filter((l) => l.table === name);
		assert.deepEqual(sent.map((l) => [l.headers.group_commit, l.label, l.response?.GroupCommit]), [['off_mode', req.label, undefined]]);
	});

	it('an answer lost after commit is settled by the label: each row once', async () => {
		const name = await table();
		db.server.faults.resetAfterCommit(1);
		const result = await loadIntoDoris(target(name), [{ id: 1, v: 'a' }, { id: 2, v: 'b' }], { flushNow: true });
		assert.deepEqual(result.rejected, []);
		assert.deepEqual(ids(name), [1, 2]);
	});

	it('an answer that is a group commit all the same (no off_mode sent) is refused at once, naming the table property, and may be in Doris', async () => {
		const name = await table();
		const req = jsonLoadRequest('gc', [{ id: 3, v: 'c' }], name);
		const { group_commit: _dropped, ...headers } = req.headers;
		const error = await clients.make().load({ ...req, headers }).catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.retryable, false);
		assert.equal(error.mayBeInDoris, true);
		assert.equal(error.attempts, 1);
		assert.match(error.message, /group_commit_mode/);
		assert.deepEqual(ids(name), [3], 'loaded once, by the group commit');
	});
});
