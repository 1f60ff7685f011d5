// The Doris test server's HTTP behaviours a Stream Load client must cope with: labels forgotten as
// Doris forgets them, a running load cancelled by its label, Expect on the BE, silent BEs, FEs with
// enable_https, ErrorURL on an object store.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { kafkaCerts } from './kafka/env';
import { startDorisTestServer, type DorisTestServer, type DorisTestServerOptions } from './doris/server';
import { basic, jsonLines, request, streamLoad } from './doris/testing';

let n = 0;
const label = (): string => `h_${process.pid}_${++n}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function useServer(options: DorisTestServerOptions | (() => DorisTestServerOptions) = {}) {
	const box: { doris?: DorisTestServer } = {};
	before(async () => {
		box.doris = await startDorisTestServer(typeof options === 'function' ? options() : options);
		await box.doris.sql('CREATE DATABASE d');
		await box.doris.sql('CREATE TABLE d.t (id INT NOT NULL, v VARCHAR(4)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
	});
	after(() => box.doris?.close());
	return () => box.doris as DorisTestServer;
}

async function loadState(doris: DorisTestServer, lbl: string): Promise<unknown> {
	const r = await request(`${doris.feUrl}/api/d/get_load_state?label=${lbl}`, 'GET', { Authorization: basic('root', '') });
	return (JSON.parse(r.text) as { data: unknown }).data;
}

const row = (id: number) => jsonLines([{ id, v: 'x' }]);
const jsonHeaders = (lbl: string) => ({ format: 'json', read_json_by_line: 'true', label: lbl });

describe('labels are forgotten as Doris forgets them (DatabaseTransactionMgr.removeUselessTxns)', () => {
	const server = useServer({ labels: { keepMaxMs: 60_000, numThreshold: 2, cleanIntervalMs: 20 } });

	it('beyond label_num_threshold the oldest finished label goes: UNKNOWN, and free to load again', async () => {
		const doris = server();
		const first = label();
		assert.equal((await streamLoad(doris.feUrl, 'd', 't', row(1), jsonHeaders(first))).json.Status, 'Success');
		assert.equal(await loadState(doris, first), 'VISIBLE');
		for (const id of [2, 3]) await streamLoad(doris.feUrl, 'd', 't', row(id), jsonHeaders(label()));
		await sleep(60);
		assert.equal(await loadState(doris, first), 'UNKNOWN', 'three finished loads over a threshold of two');
		// Doris no longer protects it: the same label loads the batch again.
		assert.equal((await streamLoad(doris.feUrl, 'd', 't', row(1), jsonHeaders(first))).json.Status, 'Success');
		assert.equal(doris.tableRows('d', 't').filter((r) => r.id === 1).length, 2);
	});
});

describe('labels past streaming_label_keep_max_second', () => {
	const server = useServer({ labels: { keepMaxMs: 50, cleanIntervalMs: 20 } });

	it('are forgotten after the keep time, running ones never', async () => {
		const doris = server();
		const done = label();
		const running = label();
		await streamLoad(doris.feUrl, 'd', 't', row(10), jsonHeaders(done));
		doris.faults.labelRunning(1, 400);
		const loading = streamLoad(doris.feUrl, 'd', 't', row(11), jsonHeaders(running));
		await sleep(200);
		assert.equal(await loadState(doris, done), 'UNKNOWN');
		assert.equal(await loadState(doris, running), 'PREPARE');
		assert.equal((await loading).json.Status, 'Success');
	});
});

describe('a running load cancelled by its label (POST /api/{db}/_cancel, CancelLoadAction → DatabaseTransactionMgr.abortTransaction(label))', () => {
	const server = useServer();
	const cancel = async (doris: DorisTestServer, lbl: string): Promise<{ code: unknown; data?: unknown }> =>
		JSON.parse((await request(`${doris.feUrl}/api/d/_cancel?label=${lbl}`, 'POST', { Authorization: basic('root', '') })).text) as { code: unknown; data?: unknown };

	it('aborts the PREPARE transaction, whose commit is then refused; a label not running, unknown or missing is refused', async () => {
		const doris = server();
		const running = label();
		doris.faults.hangThenCommit(1, 300);
		const answer = streamLoad(doris.feUrl, 'd', 't', row(40), jsonHeaders(running));
		await sleep(100);
		assert.equal(await loadState(doris, running), 'PREPARE');
		assert.deepEqual(await cancel(doris, running), { msg: 'success', code: 0, count: 0 });
		assert.equal(await loadState(doris, running), 'ABORTED');
		const refused = (await answer).json;
		assert.equal(refused.Status, 'Fail');
		assert.match(String(refused.Message), /is already aborted\. abort reason: user cancel/);
		assert.equal(doris.tableRows('d', 't').filter((r) => r.id === 40).length, 0);
		assert.deepEqual(await cancel(doris, running), { msg: 'Error', code: 1, data: `running transaction not found, label=${running}`, count: 0 });

		const done = label();
		assert.equal((await streamLoad(doris.feUrl, 'd', 't', row(41), jsonHeaders(done))).json.Status, 'Success');
		assert.equal((await cancel(doris, done)).code, 1, 'a committed load cannot be aborted');
		assert.equal(doris.tableRows('d', 't').filter((r) => r.id === 41).length, 1);
		assert.deepEqual(await cancel(doris, label()), { msg: 'Error', code: 1, data: `transaction not found, label=h_${process.pid}_${n}`, count: 0 });
		assert.equal((await cancel(doris, '')).code, 400);
		const denied = await request(`${doris.feUrl}/api/d/_cancel?label=${done}`, 'POST', { Authorization: basic('root', 'wrong') });
		assert.equal((JSON.parse(denied.text) as { code: unknown }).code, 401, 'executeCheckPassword first');
	});
});

describe('the BE checks the body size from Content-Length in on_header (be/src/http/action/stream_load.cpp)', () => {
	const server = useServer({ beConfig: { streamingLoadMaxMb: 1, streamingLoadJsonMaxMb: 1 } });

	it('refuses a body over streaming_load_max_mb (or a JSON document over streaming_load_json_max_mb) before begin txn: no 100 Continue, label free, compressed size counted', async () => {
		const doris = server();
		const big = jsonLines(Array.from({ length: 80_000 }, (_, id) => ({ id, v: 'x' })));
		assert.ok(big.length > 1024 * 1024);
		const over = label();
		const refused = await streamLoad(doris.feUrl, 'd', 't', big, jsonHeaders(over));
		assert.equal(refused.json.Status, 'Fail');
		assert.match(refused.json.Message, /body exceed max size: 1048576, data: \d+/);
		assert.equal(await loadState(doris, over), 'UNKNOWN', 'refused before begin txn');
		const document = await streamLoad(doris.feUrl, 'd', 't', big, { format: 'json', label: label() });
		assert.match(document.json.Message, /exceed the max size \[1048576\]\s+of json type data/);
		// Content-Length is what is checked: the same rows gzipped (CSV) are well under it.
		const csv = Array.from({ length: 80_000 }, (_, id) => `${id}\tx`).join('\n');
		const gz = await streamLoad(doris.feUrl, 'd', 't', gzipSync(csv), { format: 'csv', compress_type: 'gz', label: label() });
		assert.equal(gz.json.Status, 'Success', gz.json.Message);
	});
});

describe('the BE with Expect: 100-continue (be/src/http/ev_http_server.cpp)', () => {
	const server = useServer();

	it('refuses from the headers without 100 Continue, so a waiting client uploads nothing; without Expect the body is drained', async () => {
		const doris = server();
		const used = label();
		await streamLoad(doris.feUrl, 'd', 't', row(20), jsonHeaders(used));
		const be = `${doris.beUrl}/api/d/t/_stream_load`;
		const body = row(21);
		const headers = { Authorization: basic('root', ''), ...jsonHeaders(used) };
		const withExpect = await request(be, 'PUT', { ...headers, Expect: '100-continue' }, body);
		assert.equal((JSON.parse(withExpect.text) as { Status: string }).Status, 'Label Already Exists');
		await sleep(50);
		assert.equal(doris.loads[doris.loads.length - 1].bytes, 0, 'no 100 Continue: the body never left the client');
		await request(be, 'PUT', headers, body);
		await sleep(50);
		assert.equal(doris.loads[doris.loads.length - 1].bytes, body.length, 'sent at once: drained by the BE');
	});

	it('hangAfterCommit: committed (VISIBLE) and silent; hangBeforeBegin: no transaction (UNKNOWN) and silent', async () => {
		const doris = server();
		const committed = label();
		doris.faults.hangAfterCommit(1, 300);
		const silent = streamLoad(doris.feUrl, 'd', 't', row(30), jsonHeaders(committed)).catch((e: unknown) => e);
		await sleep(100);
		assert.equal(await loadState(doris, committed), 'VISIBLE');
		assert.ok((await silent) instanceof Error, 'the connection is cut, never answered');
		assert.equal(doris.tableRows('d', 't').filter((r) => r.id === 30).length, 1);

		const stuck = label();
		doris.faults.hangBeforeBegin(1, 300);
		const continued: boolean[] = [];
		const pending = request(`${doris.beUrl}/api/d/t/_stream_load`, 'PUT', { Authorization: basic('root', ''), Expect: '100-continue', ...jsonHeaders(stuck) }, row(31)).catch(
			(e: unknown) => e,
		);
		await sleep(100);
		continued.push(doris.loads[doris.loads.length - 1].bytes > 0);
		assert.equal(await loadState(doris, stuck), 'UNKNOWN');
		assert.ok((await pending) instanceof Error);
		assert.deepEqual(continued, [false], 'no 100 Continue before begin txn');
		assert.equal(doris.tableRows('d', 't').filter((r) => r.id === 31).length, 0);
	});
});

const tls = () => {
	// The Kafka ground's test PKI (certificate for IP:127.0.0.1); made here when absent.
	if (!existsSync(kafkaCerts.otherCa)) execFileSync('bash', [join(__dirname, 'kafka/certs.sh'), kafkaCerts.dir, 'test-store-pw']);
	return { key: readFileSync(join(kafkaCerts.dir, 'broker-key.pem'), 'utf8'), cert: readFileSync(join(kafkaCerts.dir, 'broker.pem'), 'utf8') };
};

function httpsPut(url: string, headers: Record<string, string>): Promise<{ status: number; location?: string }> {
	return new Promise((resolve, reject) => {
		const req = https.request(url, { method: 'PUT', headers: { ...headers, Expect: '100-continue', 'Content-Length': 3 }, rejectUnauthorized: false }, (res) => {
			res.resume();
			resolve({ status: res.statusCode ?? 0, location: res.headers.location });
		});
		req.on('error', reject);
		req.on('continue', () => req.end('{}\n'));
		req.flushHeaders();
	});
}

describe('an FE with enable_https (RestBaseController.redirectToHttps)', () => {
	const server = useServer(() => ({ tls: tls(), enableHttps: true }));

	it('answers a plain-http load with 307 to its own https port, before auth and without userinfo; the https FE sends on to the BE', async () => {
		const doris = server();
		assert.ok(doris.feUrl.startsWith('http://') && doris.feHttpsUrls[0].startsWith('https://') && doris.beUrl.startsWith('https://'));
		const first = await request(`${doris.feUrl}/api/d/t/_stream_load`, 'PUT', { Authorization: basic('root', 'wrong'), Expect: '100-continue' }, undefined);
		assert.equal(first.status, 307);
		assert.equal(first.headers.location, `${doris.feHttpsUrls[0]}/api/d/t/_stream_load?`);
		const second = await httpsPut(first.headers.location ?? '', { Authorization: basic('root', ''), label: label() });
		assert.equal(second.status, 307);
		assert.match(second.location ?? '', /^https:\/\/root:@127\.0\.0\.1:\d+\/api\/d\/t\/_stream_load\?/);
		assert.deepEqual(
			doris.feRequests.map((r) => [r.url.split(':')[0], r.status, r.bytes]),
			[
				['http', 307, 0],
				['https', 307, 0],
			],
		);
	});
});

describe('ErrorURL on an object store (decoupled mode, apache/doris PR #36341)', () => {
	const server = useServer({ errorLogs: 'object-store' });

	it('is a presigned URL on another host, refused with an Authorization header', async () => {
		const doris = server();
		const { json } = await streamLoad(doris.feUrl, 'd', 't', jsonLines([{ id: 40, v: 'far too long' }]), jsonHeaders(label()));
		assert.equal(json.Status, 'Fail');
		const url = json.ErrorURL ?? '';
		assert.match(url, /^http:\/\/127\.0\.0\.2:\d+\/doris-bucket\/.*X-Amz-Signature=/);
		assert.equal((await request(url, 'GET', { Authorization: basic('root', '') })).status, 400);
		const plain = await request(url, 'GET', {});
		assert.equal(plain.status, 200);
		assert.match(plain.text, /far too long|too long|length/i);
		assert.deepEqual(
			doris.objectStoreReads.map((r) => r.authorization),
			[true, false],
		);
	});
});
