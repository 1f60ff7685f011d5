/**
 * The two transports of the Stream Load client against the Doris test server: the body goes to the
 * BE over pooled keep-alive undici connections, bounded per origin; TLS options reach both the FE
 * leg (node:http) and the pool (undici `connect`).
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

describe('Stream Load transport: pooled BE connections', () => {
	const db = useDorisDatabase({ tables });

	it('sends a multi-chunk body with Content-Length and no Expect, over kept-alive connections', async () => {
		const transport = new HttpTransport();
		let connects = 0;
		transport.pool.on('connect', () => connects++);
		try {
			for (let i = 0; i < 8; i++) {
				const answer = await transport.send(put(db.server, [i, i + 100, i + 200]));
				assert.equal(answer.status, 200);
				assert.equal((JSON.parse(answer.body) as { Status: string }).Status, 'Success');
			}
			const record = db.server.loads[db.server.loads.length - 1];
			assert.equal(record.headers.expect, undefined);
			assert.equal(record.headers['content-length'], String(Buffer.byteLength('{"id":7}\n{"id":107}\n{"id":207}\n')));
			assert.equal(record.rows, 3);
			// undici frees a connection a tick after its answer was read, so back-to-back loads may
			// open a second one; from then on both are reused.
			assert.ok(connects >= 1 && connects <= 2, `${connects} connections for eight loads`);
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
			assert.equal(transport.pool.stats[new URL(db.server.beUrl).origin]?.connected, 2);
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
