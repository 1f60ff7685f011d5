/**
 * The Stream Load client against the Doris test server: redirect with auth, failover, every answer
 * Doris defines, retries that keep their label (and never load twice), permanent errors.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { buildLoadHeaders } from '../../src/doris/stream-load/headers';
import { jsonLoadRequest, streamLoadClientsIn, useDorisDatabase } from './stream-load-support';

const PASSWORD = 's3cr:et@pw';
const db = useDorisDatabase({
	server: { feCount: 2, password: PASSWORD },
	tables: [
		{ name: 't', columns: 'id INT, v VARCHAR(20)' },
		{ name: 'strict_t', columns: 'id INT NOT NULL, v VARCHAR(2) NOT NULL' },
	],
	teardown: () => clients.closeAll(),
});
const clients = streamLoadClientsIn(db);
const client = clients.make;

const rowsOf = (ids: number[]) => ids.map((id) => ({ id, v: `v${id}` }));
const request = (ids: number[], table = 't') => jsonLoadRequest('it', rowsOf(ids), table);

const count = () => db.server.tableRows('d', 't').length;

describe('Stream Load client', () => {
	beforeEach(() => db.server.faults.clear());

	it('follows the FE 307 to the BE, re-sending body and credentials (Expect on both hops)', async () => {
		const before = count();
		const loadsBefore = db.server.loads.length;
		const result = await client().load(request([1, 2, 3]));
		assert.equal(result.status, 'Success');
		assert.equal(result.loadedRows, 3);
		assert.equal(result.labelExisted, false);
		assert.equal(result.attempts, 1);
		assert.equal(count(), before + 3);
		const record = db.server.loads[loadsBefore];
		assert.equal(record.headers.authorization, '<redacted>');
		// The FE refuses a load without Expect, so reaching the BE proves the FE hop sent it; the BE
		// hop sends it too, so a refusal from the headers costs no upload (ev_http_server.cpp).
		assert.equal(record.headers.expect, '100-continue');
		assert.equal(record.headers['content-length'], String(request([1, 2, 3]).body[0].length));
		assert.equal(record.headers.format, 'json');
	});

	it('fails over to the second FE when the first is down', async () => {
		await db.server.stopFe(0);
		try {
			const before = count();
			const result = await client().load(request([10]));
			assert.equal(result.status, 'Success');
			assert.equal(count(), before + 1);
		} finally {
			await db.server.startFe(0);
		}
	});

	it('treats Publish Timeout as success', async () => {
		db.server.faults.publishTimeout(1);
		const before = count();
		const result = await client().load(request([20, 21]));
		assert.equal(result.status, 'Publish Timeout');
		assert.equal(count(), before + 2);
	});

	it('a lost answer after commit: the retry looks the label up (VISIBLE), does not send it again, does not load twice', async () => {
		db.server.faults.resetAfterCommit(1);
		const before = count();
		const req = request([30, 31, 32]);
		const result = await client().load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(result.existingJobStatus, 'VISIBLE');
		assert.equal(result.attempts, 2);
		assert.equal(count(), before + 3, 'loaded exactly once');
		assert.deepEqual(db.server.loads.filter((l) => l.label === req.label).map((l) => l.status), ['Success'], 'sent once');
	});

	it('a timeout whose first attempt landed later: same label, waited for, loaded once', async () => {
		// undici's headers timer ticks about every 0.5 s, so the load hangs well past 200 ms.
		db.server.faults.labelRunning(1, 2500);
		const before = count();
		const req = request([40, 41]);
		const result = await client({ requestTimeoutMs: 200 }).load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(count(), before + 2, 'loaded exactly once');
		assert.ok(result.attempts >= 2, 'retried');
		// The retry looked the label up (PREPARE, then VISIBLE) instead of sending the batch again.
		assert.equal(db.server.loads.filter((l) => l.label === req.label).length, 1);
	});

	it('a label left RUNNING by a timed-out attempt: polls get_load_state until VISIBLE, never sends the batch again', async () => {
		db.server.faults.labelRunning(1, 2000);
		const before = count();
		const req = request([42, 43, 44]);
		const infos: string[] = [];
		const logger = { info: (m: string) => infos.push(m), warn: () => undefined };
		const result = await client({ requestTimeoutMs: 200, logger, labelWait: { pollIntervalMs: 50, maxWaitMs: 10_000 } }).load(req);
		assert.equal(result.labelExisted, true);
		assert.equal(result.existingJobStatus, 'VISIBLE', 'settled by get_load_state, not by a re-sent load');
		assert.equal(result.attempts, 2);
		assert.equal(count(), before + 3, 'loaded exactly once');
		// The timed-out attempt only; the retry asked get_load_state (PREPARE, then VISIBLE).
		const puts = db.server.loads.filter((l) => l.label === req.label);
		assert.deepEqual(
			puts.map((l) => l.status),
			['Success'],
		);
		assert.ok(infos.some((m) => /finished \(VISIBLE\)/.test(m)), infos.join(' | '));
	});

	it('a label still RUNNING when the wait for it ends (a BE that commits whenever it gets there): cancelled in Doris, sent again under it, loaded once', async () => {
		// Before session 20 the load failed flagged "may be in Doris" and the BE committed it later: the
		// redelivery of its rows loaded them a second time.
		db.server.faults.hangThenCommit(1, 3000);
		const before = count();
		const req = request([60, 61, 62]);
		const warnings: string[] = [];
		const logger = { info: () => undefined, warn: (m: string) => warnings.push(m) };
		const result = await client({ requestTimeoutMs: 200, logger, labelWait: { pollIntervalMs: 50, maxWaitMs: 500 } }).load(req);
		assert.equal(result.status, 'Success');
		assert.equal(result.labelExisted, false, 'loaded by the attempt after the cancel');
		assert.ok(warnings.some((m) => m.includes(`label "${req.label ?? ''}"`) && /cancelled in Doris/.test(m)), warnings.join(' | '));
		for (;;) {
			const stuck = db.server.loads.find((l) => l.label === req.label && l.fault === 'hangThenCommit');
			if (stuck !== undefined && stuck.status !== 'hang then commit') break;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const stuck = db.server.loads.find((l) => l.label === req.label && l.fault === 'hangThenCommit');
		assert.match(String(stuck?.response?.Message), /is already aborted\. abort reason: user cancel/);
		assert.equal(count(), before + 3, 'loaded exactly once');
	});

	it('retries HTTP 500, a connection reset mid body and a dead BE, always with the same label', async () => {
		db.server.faults.http500(1);
		db.server.faults.resetMidBody(1);
		db.server.faults.redirectToDeadBe(1);
		const before = count();
		const req = request([50]);
		const result = await client().load(req);
		assert.equal(result.status, 'Success');
		assert.equal(count(), before + 1);
		assert.ok(result.attempts >= 3, `attempts ${result.attempts}`);
		assert.ok(db.server.loads.filter((l) => l.label === req.label).length >= 2);
	});

	it('retries -235 (too many versions) and succeeds', async () => {
		db.server.faults.fail(2, '[E-235]failed to init rowset builder. too many versions');
		const result = await client().load(request([60]));
		assert.equal(result.attempts, 3);
	});

	it('waits out a database at max_running_txn_num_per_db (refused at begin txn) and loads once', async () => {
		db.server.faults.runningTxnLimit(2);
		const before = count();
		const req = request([65]);
		const result = await client().load(req);
		assert.equal(result.status, 'Success');
		assert.equal(result.attempts, 3);
		assert.equal(count(), before + 1);
		// Refused from the headers, before a transaction: no 100 Continue, so no body was uploaded in vain.
		const refused = db.server.loads.filter((l) => l.label === req.label && l.status === 'Fail');
		assert.equal(refused.length, 2);
		for (const load of refused) assert.equal(load.bytes, 0);
	});

	it('gives up on a retryable failure after the bounded count', async () => {
		db.server.faults.fail(10, '[E-235]too many versions');
		const error = await client({ retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 5000 } })
			.load(request([70]))
			.catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.attempts, 3);
		assert.equal(error.retryable, true);
		db.server.faults.clear();
	});

	it('fails fast on a wrong password, naming the table and never showing the password', async () => {
		const error = await client({ password: 'wrong-pass' })
			.load(request([80]))
			.catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.kind, 'auth');
		assert.equal(error.attempts, 1);
		assert.match(error.message, /"t"/);
		assert.doesNotMatch(error.message, /wrong-pass/);
	});

	it('fails fast on an unknown table', async () => {
		const error = await client().load(request([1], 'nope')).catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.kind, 'not_found');
		assert.equal(error.attempts, 1);
		assert.match(error.message, /Doris table "nope"/);
	});

	it('a data-quality failure is permanent and carries the first rejected rows', async () => {
		const label = `it_dq_${process.pid}_${Date.now()}`;
		const rows = [Buffer.from('{"id":1,"v":"ok"}\n{"id":2,"v":"much too long"}\n{"id":null,"v":"x"}\n')];
		const error = await client()
			.load({ database: 'd', table: 'strict_t', label, headers: buildLoadHeaders({ format: 'json', strictMode: true }, label), body: rows })
			.catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.kind, 'data_quality');
		assert.equal(error.attempts, 1);
		assert.ok((error.rejectedRows ?? []).length >= 1, JSON.stringify(error.rejectedRows));
		assert.equal(db.server.tableRows('d', 'strict_t').length, 0);
	});

	it('a label already taken by another load on the first attempt is an error, never a silent success', async () => {
		const first = request([100]);
		await client().load(first);
		const before = count();
		const error = await client()
			.load({ ...request([101, 102]), label: first.label, headers: first.headers })
			.catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError);
		assert.equal(error.kind, 'label');
		assert.match(error.message, /NOT loaded/);
		assert.equal(count(), before);
	});

	it('loads straight to a BE when BE addresses are given', async () => {
		const before = count();
		const result = await client({ feUrls: db.server.feUrls, beUrls: [db.server.beUrl] }).load(request([90]));
		assert.equal(result.status, 'Success');
		assert.equal(count(), before + 1);
	});

	it('an abort ends the load at once', async () => {
		db.server.faults.hang(1, 2000);
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 100);
		await assert.rejects(client().load({ ...request([99]), signal: controller.signal }), { name: 'AbortError' });
		assert.ok(Date.now() - started < 1500);
	});
});

describe('Stream Load client: a body over streaming_load_max_mb on Doris master / 4.x (review session 19, R7)', () => {
	// be/src/http/action/stream_load.cpp _on_header on master words it "body size … exceeds the limit of …
	// set by BE's conf streaming_load_max_mb" (EXCEEDED_LIMIT); 2.1 / 3.x say "body exceed max size".
	const big = useDorisDatabase({ server: { version: '4.1', beConfig: { streamingLoadMaxMb: 1 } }, tables: [{ name: 't' }], teardown: () => bigClients.closeAll() });
	const bigClients = streamLoadClientsIn(big);

	it('is refused at once, not retried, with the hint naming the setting', async () => {
		const req = jsonLoadRequest('big', Array.from({ length: 60_000 }, (_, id) => ({ id, v: 'xxxxxxxx' })));
		assert.ok(req.body[0].length > 1024 * 1024);
		const error = await bigClients.make().load(req).catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.retryable, false);
		assert.equal(error.attempts, 1);
		assert.match(error.message, /exceeds the limit of 1048576 bytes/);
		assert.match(error.message, /hint: set the node's Batch Max Size \(MB\) below the BE's streaming_load_max_mb/);
	});
});
