// Fault injection on the Doris test server: each fault for the next N loads, then normal again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { deadPortFor, startDorisTestServer, type DorisTestServer } from './doris/server';
import { basic, jsonLines, request, streamLoad } from './doris/testing';

let doris: DorisTestServer;
let n = 0;
const label = (): string => `f_${process.pid}_${++n}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
	doris = await startDorisTestServer({ feCount: 2 });
	await doris.sql('CREATE DATABASE d');
	await doris.sql('CREATE TABLE d.t (id INT NOT NULL, v STRING) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
});
after(() => doris.close());

const load = (id: number, l = label(), feUrl = doris.feUrl) => streamLoad(feUrl, 'd', 't', jsonLines([{ id, v: 'x' }]), { format: 'json', read_json_by_line: 'true', label: l });
const count = (id: number): number => doris.tableRows('d', 't').filter((r) => r.id === id).length;

describe('faults', () => {
	it('fail(n, message) answers Fail with that Message for n loads, then loads normally', async () => {
		doris.faults.fail(2, '[E-235]too many filtered rows / too many versions');
		for (let i = 0; i < 2; i++) {
			const { json } = await load(100);
			assert.equal(json.Status, 'Fail');
			assert.equal(json.Message, '[E-235]too many filtered rows / too many versions');
		}
		assert.equal(count(100), 0);
		assert.equal((await load(100)).json.Status, 'Success');
		assert.equal(count(100), 1);
	});

	it('failLoadWhere fails the next load whose body holds the text, whichever comes first, then none', async () => {
		doris.faults.failLoadWhere((body) => body.includes('"id":111'), '[ANALYSIS_ERROR]refused by content');
		assert.equal((await load(110)).json.Status, 'Success');
		const { json } = await load(111);
		assert.equal(json.Status, 'Fail');
		assert.equal(json.Message, '[ANALYSIS_ERROR]refused by content');
		assert.equal(count(111), 0);
		assert.equal((await load(111)).json.Status, 'Success', 'armed once');
		assert.equal(count(110) + count(111), 2);
	});

	it('publishTimeout loads the data and answers Publish Timeout', async () => {
		doris.faults.publishTimeout(1);
		const { json } = await load(101);
		assert.equal(json.Status, 'Publish Timeout');
		assert.equal(json.Message, '[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later');
		assert.equal(count(101), 1);
	});

	it('http500 answers HTTP 500 and keeps the label free', async () => {
		doris.faults.http500(1);
		const l = label();
		await assert.rejects(load(102, l), /JSON|Unexpected/);
		assert.equal(doris.loads.at(-1)?.status, 'HTTP 500');
		assert.equal((await load(102, l)).json.Status, 'Success');
	});

	it('hang keeps the client waiting; nothing is loaded', async () => {
		doris.faults.hang(1, 400);
		const l = label();
		const pending = load(103, l).then(
			() => 'answered',
			() => 'socket closed',
		);
		const first = await Promise.race([pending, sleep(150).then(() => 'still waiting')]);
		assert.equal(first, 'still waiting');
		assert.equal(await pending, 'socket closed');
		assert.equal(count(103), 0);
		assert.equal((await load(103, l)).json.Status, 'Success');
	});

	it('resetAfterCommit loses the answer but commits: the retry sees Label Already Exists', async () => {
		doris.faults.resetAfterCommit(1);
		const l = label();
		await assert.rejects(load(104, l), /socket hang up|ECONNRESET/);
		assert.equal(count(104), 1);
		const retry = (await load(104, l)).json;
		assert.equal(retry.Status, 'Label Already Exists');
		assert.equal(retry.ExistingJobStatus, 'FINISHED');
		assert.equal(count(104), 1);
	});

	it('resetMidBody cuts the connection; nothing loaded, the label stays free', async () => {
		doris.faults.resetMidBody(1);
		const l = label();
		await assert.rejects(load(105, l), /socket hang up|ECONNRESET|EPIPE/);
		assert.equal(count(105), 0);
		assert.equal((await load(105, l)).json.Status, 'Success');
	});

	it('redirectToDeadBe sends the client to a port that refuses', async () => {
		doris.faults.redirectToDeadBe(1);
		await assert.rejects(load(106), /ECONNREFUSED/);
		assert.equal((await load(106)).json.Status, 'Success');
	});

	it('the dead BE port lies outside the range listeners on port 0 are handed, so no other server of the run can take it', async () => {
		const [low] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '1024')).trim().split(/\s+/).map(Number);
		const port = await deadPortFor('127.0.0.1');
		assert.ok(port < Math.min(low, 1024), `dead port ${port}, ephemeral ports from ${low}`);
	});

	it('labelRunning: a reused label meanwhile gets ExistingJobStatus RUNNING', async () => {
		doris.faults.labelRunning(1, 300);
		const l = label();
		const first = load(107, l);
		await sleep(100);
		const second = (await load(107, l)).json;
		assert.equal(second.Status, 'Label Already Exists');
		assert.equal(second.ExistingJobStatus, 'RUNNING');
		assert.equal((await first).json.Status, 'Success');
		assert.equal(count(107), 1);
	});

	it('down(ms) refuses FE and BE connections for a while', async () => {
		await doris.faults.down(250);
		await assert.rejects(request(`${doris.feUrl}/api/health`, 'GET', {}), /ECONNREFUSED/);
		await sleep(400);
		assert.equal((await request(`${doris.feUrl}/api/health`, 'GET', {})).status, 200);
		assert.equal((await load(108)).json.Status, 'Success');
	});

	it('stopFe / startFe take one FE down while the other keeps serving', async () => {
		await doris.stopFe(0);
		await assert.rejects(load(109, label(), doris.feUrls[0]), /ECONNREFUSED/);
		assert.equal((await load(109, label(), doris.feUrls[1])).json.Status, 'Success');
		await doris.startFe(0);
		assert.equal((await load(110, label(), doris.feUrls[0])).json.Status, 'Success');
	});

	it('records every BE request with Authorization redacted', async () => {
		const l = label();
		await streamLoad(doris.feUrl, 'd', 't', jsonLines([{ id: 111 }]), { format: 'json', read_json_by_line: 'true', label: l });
		const rec = doris.loads.find((r) => r.label === l);
		assert.ok(rec);
		assert.equal(rec.headers.authorization, '<redacted>');
		assert.equal(rec.db, 'd');
		assert.equal(rec.table, 't');
		assert.equal(rec.rows, 1);
		assert.equal(rec.response?.Status, 'Success');
		assert.ok(!JSON.stringify(doris.loads).includes(basic('root', '').slice(6)));
	});
});
