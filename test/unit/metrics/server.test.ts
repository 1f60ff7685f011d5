import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { metrics } from '../../../src/metrics/metrics';
import { checkReadiness, readinessProbeNames, registerReadinessProbe } from '../../../src/metrics/readiness';
import {
	ensureMetricsServer,
	ensureMetricsServerFromEnv,
	isLoopback,
	stopMetricsServer,
} from '../../../src/metrics/server';

after(() => stopMetricsServer());

async function get(url: string, init?: RequestInit): Promise<{ status: number; type: string; body: string }> {
	const res = await fetch(url, init);
	return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

function occupyPort(): Promise<{ server: Server; port: number }> {
	return new Promise((resolve) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			assert.ok(address !== null && typeof address === 'object');
			resolve({ server, port: address.port });
		});
	});
}

describe('metrics server', () => {
	afterEach(() => stopMetricsServer());

	it('is one server per process: a second ensure returns the first', async () => {
		const a = await ensureMetricsServer({ port: 0 });
		const b = await ensureMetricsServer({ port: 0, host: '0.0.0.0' });
		assert.equal(b, a);
		assert.equal(a.host, '127.0.0.1');
		assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/);
	});

	it('serves the registry and process metrics on /metrics', async () => {
		const { url } = await ensureMetricsServer({ port: 0 });
		metrics.kafkaMessagesConsumed.inc({ workflow: 'wf-server-test', topic: 't', partition: '0' }, 3);
		const res = await get(`${url}/metrics`);
		assert.equal(res.status, 200);
		assert.match(res.type, /^text\/plain; version=0\.0\.4/);
		assert.match(res.body, /^kafka_messages_consumed_total\{workflow="wf-server-test",topic="t",partition="0"\} 3$/m);
		for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'sinker_info']) {
			assert.match(res.body, new RegExp(`^# TYPE ${name} `, 'm'));
		}
	});

	it('answers /healthz, 404 for unknown paths and 405 for other methods', async () => {
		const { url } = await ensureMetricsServer({ port: 0 });
		assert.deepEqual(JSON.parse((await get(`${url}/healthz`)).body), { status: 'ok' });
		assert.equal((await get(`${url}/nope`)).status, 404);
		const post = await get(`${url}/metrics`, { method: 'POST' });
		assert.equal(post.status, 405);
		assert.match(post.body, /POST/);
	});

	it('/readyz is 200 with no probes, 503 while one fails, and says which and why', async () => {
		const { url } = await ensureMetricsServer({ port: 0 });
		assert.equal((await get(`${url}/readyz`)).status, 200);
		let joined = false;
		const removeKafka = registerReadinessProbe('kafka:wf1:Trigger', () => ({ ok: joined, detail: joined ? 'joined' : 'joining group' }));
		const removeDoris = registerReadinessProbe('doris:wf1:Load', async () => {
			throw new Error('connect ECONNREFUSED 127.0.0.1:8030');
		});
		try {
			let res = await get(`${url}/readyz`);
			assert.equal(res.status, 503);
			const body = JSON.parse(res.body) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
			assert.equal(body.status, 'not ready');
			assert.deepEqual(body.checks['kafka:wf1:Trigger'], { ok: false, detail: 'joining group' });
			assert.deepEqual(body.checks['doris:wf1:Load'], { ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:8030' });
			joined = true;
			removeDoris();
			res = await get(`${url}/readyz`);
			assert.equal(res.status, 200);
			assert.deepEqual(JSON.parse(res.body).checks, { 'kafka:wf1:Trigger': { ok: true, detail: 'joined' } });
		} finally {
			removeKafka();
			removeDoris();
		}
		assert.deepEqual(readinessProbeNames(), []);
	});

	it('does not serve profiles unless profiling is enabled', async () => {
		const { url, profiling } = await ensureMetricsServer({ port: 0, profiling: false });
		assert.equal(profiling, false);
		assert.equal((await get(`${url}/debug/pprof/profile?seconds=1`)).status, 404);
		assert.equal((await get(`${url}/debug/pprof/heap`)).status, 404);
	});

	it('reports a taken port with the address and lets a later call start it elsewhere', async () => {
		const { server, port } = await occupyPort();
		try {
			await assert.rejects(ensureMetricsServer({ port }), new RegExp(`127\\.0\\.0\\.1:${port}: EADDRINUSE`));
			const handle = await ensureMetricsServer({ port: 0 });
			assert.notEqual(handle.port, port);
		} finally {
			server.close();
		}
	});
});

describe('ensureMetricsServerFromEnv', () => {
	afterEach(() => stopMetricsServer());

	it('starts nothing unless the environment enables it', async () => {
		assert.equal(await ensureMetricsServerFromEnv(undefined, {}), undefined);
		assert.equal(await ensureMetricsServerFromEnv(undefined, { DORIS_SINKER_METRICS: 'false', DORIS_SINKER_METRICS_PORT: '0' }), undefined);
	});

	it('starts the server once and logs where', async () => {
		const infos: string[] = [];
		const logger = { info: (m: string) => infos.push(m), warn: (m: string) => assert.fail(m) };
		const env = { DORIS_SINKER_METRICS_PORT: '0' };
		const a = await ensureMetricsServerFromEnv(logger, env);
		const b = await ensureMetricsServerFromEnv(logger, env);
		assert.ok(a !== undefined);
		assert.equal(b, a);
		assert.equal(infos.length, 1);
		assert.match(infos[0], /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
	});

	it('warns instead of throwing on a bad variable, naming it and its value', async () => {
		const warnings: string[] = [];
		const logger = { info: () => undefined, warn: (m: string) => warnings.push(m) };
		assert.equal(await ensureMetricsServerFromEnv(logger, { DORIS_SINKER_METRICS_PORT: 'ninety' }), undefined);
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /DORIS_SINKER_METRICS_PORT must be a port number from 0 to 65535, got "ninety"/);
	});
});

describe('readiness', () => {
	it('bounds a probe that never answers', async () => {
		let aborted = false;
		const remove = registerReadinessProbe('slow', (signal) => {
			signal.addEventListener('abort', () => (aborted = true));
			return new Promise<boolean>(() => undefined);
		});
		try {
			const report = await checkReadiness(30);
			assert.deepEqual(report, { ready: false, checks: { slow: { ok: false, detail: 'no answer within 30 ms' } } });
			assert.equal(aborted, true);
		} finally {
			remove();
		}
	});

	it('keeps a newer registration under the same name when the older owner removes itself', async () => {
		const removeOld = registerReadinessProbe('same', () => false);
		const removeNew = registerReadinessProbe('same', () => true);
		removeOld();
		assert.deepEqual(await checkReadiness(), { ready: true, checks: { same: { ok: true } } });
		removeNew();
		assert.deepEqual(readinessProbeNames(), []);
		assert.throws(() => registerReadinessProbe(' ', () => true), /name must be a non-empty string, got " "/);
	});
});

describe('isLoopback', () => {
	it('accepts IPv4, IPv6 and v4-mapped loopback only', () => {
		for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
		for (const a of [undefined, '10.0.0.5', '::ffff:10.0.0.5', '192.168.1.1', 'fe80::1', '0.0.0.0']) assert.equal(isLoopback(a), false, String(a));
	});
});
