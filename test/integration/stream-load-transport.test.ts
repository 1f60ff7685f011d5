/**
 * The transports of the Stream Load client against the Doris test server: every hop of a load is a
 * PUT with Expect: 100-continue over kept-alive node:http connections, bounded per origin; TLS
 * options reach both node:http and the undici pool of the GETs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import type { DorisTestServer } from '../ground/doris/server';
import { kafkaCerts } from '../ground/kafka/env';
import { StreamLoadClient } from '../../src/doris/stream-load/client';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { buildLoadHeaders } from '../../src/doris/stream-load/headers';
import { HttpTransport } from '../../src/doris/stream-load/request';
import { useDorisDatabase } from './stream-load-support';

let n = 0;
const auth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function put(doris: DorisTestServer, ids: number[]) {
	const label = `tr_${process.pid}_${++n}`;
	return {
		method: 'PUT' as const,
		url: new URL('/api/d/t/_stream_load', doris.beUrl),
		headers: { ...buildLoadHeaders({ format: 'json' }, label), Authorization: auth(doris.user, doris.password) },
		body: ids.map((id) => Buffer.from(`{"id":${id}}\n`)),
		timeoutMs: 5000,
	};
}

const tables = [{ name: 't', columns: 'id INT' }];

describe('Stream Load transport: kept-alive BE connections', () => {
	const db = useDorisDatabase({ tables });
	const sockets = (transport: HttpTransport) => {
		const agent = transport.puts.http;
		return [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)].reduce((sum, list) => sum + (list?.length ?? 0), 0);
	};

	it('sends a multi-chunk body with Content-Length after 100 Continue, over kept-alive connections', async () => {
		const transport = new HttpTransport();
		const continued: boolean[] = [];
		try {
			for (let i = 0; i < 8; i++) {
				const answer = await transport.send(put(db.server, [i, i + 100, i + 200]));
				assert.equal(answer.status, 200);
				assert.equal((JSON.parse(answer.body) as { Status: string }).Status, 'Success');
				continued.push(answer.continued);
			}
			const record = db.server.loads[db.server.loads.length - 1];
			assert.equal(record.headers.expect, '100-continue');
			assert.equal(record.headers['content-length'], String(Buffer.byteLength('{"id":7}\n{"id":107}\n{"id":207}\n')));
			assert.equal(record.rows, 3);
			assert.deepEqual(continued, Array(8).fill(true), 'the BE said 100 Continue before each body');
			assert.equal(sockets(transport), 1, 'one connection for eight loads, one after the other');
		} finally {
			transport.close();
		}
	});

	it('bounds the connections per BE: six loads at once over two connections all land', async () => {
		const transport = new HttpTransport({ connections: 2 });
		try {
			const before = db.server.tableRows('d', 't').length;
			const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => transport.send(put(db.server, [1000 + i]))));
			assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 200]);
			assert.equal(sockets(transport), 2);
			assert.equal(db.server.tableRows('d', 't').length, before + 6);
		} finally {
			transport.close();
		}
	});

	it('a closed client refuses loads and its pool is gone', async () => {
		const client = new StreamLoadClient({ feUrls: db.server.feUrls, user: db.server.user, password: db.server.password });
		const label = `tr_closed_${++n}`;
		const req = { database: 'd', table: 't', label, headers: buildLoadHeaders({ format: 'json' }, label), body: [Buffer.from('{"id":1}\n')] };
		assert.equal((await client.load(req)).status, 'Success');
		client.close();
		await assert.rejects(client.load({ ...req, label: `${label}_2` }), (e: unknown) => e instanceof StreamLoadError && e.kind === 'config');
	});
});

describe('Stream Load transport: TLS', () => {
	const db = useDorisDatabase({
		server: () => {
			// The Kafka ground's test PKI (certificate for IP:127.0.0.1); made here when absent.
			if (!existsSync(kafkaCerts.otherCa)) execFileSync('bash', [join(__dirname, '../ground/kafka/certs.sh'), kafkaCerts.dir, 'test-store-pw']);
			return { tls: { key: readFileSync(join(kafkaCerts.dir, 'broker-key.pem'), 'utf8'), cert: readFileSync(join(kafkaCerts.dir, 'broker.pem'), 'utf8') } };
		},
		tables,
	});

	const load = async (ca: string) => {
		const client = new StreamLoadClient({
			feUrls: db.server.feUrls,
			user: db.server.user,
			password: db.server.password,
			tls: { ca, rejectUnauthorized: true },
			retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 1000 },
		});
		const label = `tls_${++n}`;
		try {
			return await client.load({ database: 'd', table: 't', label, headers: buildLoadHeaders({ format: 'json' }, label), body: [Buffer.from('{"id":7}\n')] });
		} finally {
			client.close();
		}
	};

	it('trusts the given CA on the FE leg and on the pooled BE connection', async () => {
		assert.ok(db.server.feUrl.startsWith('https://') && db.server.beUrl.startsWith('https://'));
		const result = await load(readFileSync(kafkaCerts.ca, 'utf8'));
		assert.equal(result.status, 'Success');
		assert.deepEqual(db.server.tableRows('d', 't'), [{ id: 7 }]);
	});

	it('refuses a server its CA did not sign', async () => {
		const error = await load(readFileSync(kafkaCerts.otherCa, 'utf8')).catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.kind, 'connection');
	});
});

describe('Stream Load transport: Expect: 100-continue on the BE hop too', () => {
	// get_load_state answers "Not supported" (an early decoupled build), so the retry asks Doris by sending
	// the load; Label Already Exists then says FINISHED. That pair is the test server's, to make the retry
	// send: the builds read that refuse get_load_state also leave ExistingJobStatus empty (DecoupledMode).
	const db = useDorisDatabase({ server: { decoupled: { loadState: 'not_supported', existingJobStatus: 'set' } }, tables });

	it('a retry after a lost answer meets Label Already Exists from the headers and uploads no body again', async () => {
		// be/src/http/ev_http_server.cpp: a refusal in on_header (here the label check of begin txn)
		// removes Expect, so no 100 Continue: a client that waits for it never sends the body.
		const client = new StreamLoadClient({
			feUrls: db.server.feUrls,
			user: db.server.user,
			password: db.server.password,
			retry: { maxRetries: 2, initialDelayMs: 10, maxDelayMs: 10, maxElapsedMs: 5000 },
		});
		const label = `tr_lost_${++n}`;
		const body = [Buffer.from(Array.from({ length: 200 }, (_, i) => `{"id":${5000 + i}}`).join('\n') + '\n')];
		db.server.faults.resetAfterCommit(1);
		try {
			const result = await client.load({ database: 'd', table: 't', label, headers: buildLoadHeaders({ format: 'json' }, label), body });
			assert.equal(result.labelExisted, true);
		} finally {
			client.close();
		}
		const puts = db.server.loads.filter((l) => l.label === label);
		assert.deepEqual(
			puts.map((l) => [l.status, l.headers.expect, l.bytes]),
			[
				['Success', '100-continue', body[0].length],
				['Label Already Exists', '100-continue', 0],
			],
		);
	});
});

describe('Stream Load transport: FEs with enable_https', () => {
	const db = useDorisDatabase({
		server: () => {
			if (!existsSync(kafkaCerts.otherCa)) execFileSync('bash', [join(__dirname, '../ground/kafka/certs.sh'), kafkaCerts.dir, 'test-store-pw']);
			return { tls: { key: readFileSync(join(kafkaCerts.dir, 'broker-key.pem'), 'utf8'), cert: readFileSync(join(kafkaCerts.dir, 'broker.pem'), 'utf8') }, enableHttps: true };
		},
		tables,
	});

	it('the 307 to the FE https port is an FE hop: Expect sent, no body uploaded to either FE', async () => {
		// RestBaseController.redirectToHttps (2.1, 3.x): http → https://host:https_port, no userinfo.
		const client = new StreamLoadClient({
			feUrls: db.server.feUrls,
			user: db.server.user,
			password: db.server.password,
			tls: { ca: readFileSync(kafkaCerts.ca, 'utf8'), rejectUnauthorized: true },
			retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 1000 },
		});
		const label = `tr_https_${++n}`;
		try {
			const result = await client.load({ database: 'd', table: 't', label, headers: buildLoadHeaders({ format: 'json' }, label), body: [Buffer.from('{"id":8}\n')] });
			assert.equal(result.status, 'Success');
		} finally {
			client.close();
		}
		assert.deepEqual(
			db.server.feRequests.map((r) => [r.url.split(':')[0], r.expect, r.bytes, r.status]),
			[
				['http', true, 0, 307],
				['https', true, 0, 307],
			],
		);
		assert.deepEqual(db.server.tableRows('d', 't'), [{ id: 8 }]);
	});
});

describe('Stream Load transport: ErrorURL outside the cluster', () => {
	const db = useDorisDatabase({ server: { errorLogs: 'object-store' }, tables: [{ name: 't', columns: 'id INT NOT NULL, v VARCHAR(2) NOT NULL' }] });

	it('a presigned object-store ErrorURL is read without the Doris credentials', async () => {
		// Decoupled Doris (3.0+, save_load_error_log_to_s3, apache/doris PR #36341) answers with an
		// object-store URL; 2.1 and coupled 3.x always point at the BE.
		const client = new StreamLoadClient({
			feUrls: db.server.feUrls,
			user: db.server.user,
			password: db.server.password,
			retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 1000 },
		});
		const label = `tr_err_${++n}`;
		const error = await client
			.load({ database: 'd', table: 't', label, headers: buildLoadHeaders({ format: 'json', strictMode: true }, label), body: [Buffer.from('{"id":1,"v":"much too long"}\n')] })
			.catch((e: unknown) => e);
		client.close();
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.kind, 'data_quality');
		assert.match(error.response?.ErrorURL ?? '', /^http:\/\/127\.0\.0\.2:/);
		assert.deepEqual(db.server.objectStoreReads.map((r) => r.authorization), [false], 'no Authorization to a host outside the cluster');
		assert.ok((error.rejectedRows ?? []).some((line) => /much too long/.test(line)), JSON.stringify(error.rejectedRows));
	});
});
