// Security: passwords never shown (logs, errors, items, load results, metrics, rejected-row text from
// the ErrorURL), Stream Load over https with a self-signed CA, Kafka over SASL/PLAIN and TLS through
// the consumer, names that would change the Stream Load URL refused, metrics and profiling defaults.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { loadIntoDoris, type DorisTargetConfig } from '../../src/batch/doris-target';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { registry } from '../../src/metrics/metrics';
import { ensureMetricsServer, stopMetricsServer } from '../../src/metrics/server';
import { metricsSettingsFromEnv } from '../../src/metrics/server-settings';
import { kafkaCerts, kafkaSaslBrokers, kafkaSslBrokers, sinkerUser } from '../ground/kafka/env';
import { uniqueName } from '../ground/kafka/helpers';
import { recordFigures } from './harness/figures';
import { consumerDefaults } from './harness/pipeline';
import { assertInvariant, DATABASE, useWorld, World } from './harness/world';

const DORIS_USER = 'loader';
const DORIS_PASSWORD = 'Dz-S3cret-pw-q81';
const WRONG_DORIS_PASSWORD = 'Wr0ng-Dz-pw-77';
const WRONG_KAFKA_PASSWORD = 'Wr0ng-Kafka-pw-55';
// The broker's user (test/ground/kafka/users.ts); distinctive enough to grep for.
const KAFKA_PASSWORD = sinkerUser.password;

let tlsWorld: World | undefined;
let certDir: string;
let ca: string;

const world = useWorld(
	{ user: DORIS_USER, password: DORIS_PASSWORD },
	{
		beforeClose: () => tlsWorld?.close(),
		afterClose: async () => {
			await stopMetricsServer();
			rmSync(certDir, { recursive: true, force: true });
		},
	},
);

/** A CA and a certificate for 127.0.0.1 signed by it, made with openssl for this run only. */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
	const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
	run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=reliability-test-ca');
	run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
	writeFileSync(join(dir, 'san.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
	run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
	const read = (f: string) => readFileSync(join(dir, f), 'utf8');
	return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem') };
}

before(() => {
	certDir = mkdtempSync(join(tmpdir(), 'rel-tls-'));
});

function target(table: string, overrides: Partial<DorisTargetConfig> = {}, w: World = world): DorisTargetConfig {
	return {
		connection: { feUrls: w.doris.feUrls, user: w.doris.user, password: w.doris.password },
		database: DATABASE,
		table,
		load: { format: 'json', timeoutSeconds: 30 },
		labelPrefix: 'sec',
		batch: { maxRows: 1000, maxBytes: 1 << 20, maxIntervalMs: 50, maxBufferedBytes: 4 << 20, maxInFlight: 1 },
		retry: { maxRetries: 1, initialDelayMs: 50, maxDelayMs: 100, maxElapsedMs: 5000 },
		requestTimeoutMs: 5000,
		logger: w.capture.logger,
		...overrides,
	};
}

describe('security', { timeout: 120_000 }, () => {
	it('Kafka over SASL/PLAIN (9094): the pipeline loads everything; a wrong password fails clearly', async () => {
		const c = await world.newCase({
			kafkaConnection: { brokers: kafkaSaslBrokers, clientId: uniqueName('rel-sasl'), sasl: { mechanism: 'plain', username: sinkerUser.username, password: KAFKA_PASSWORD } },
			captureData: true,
		});
		await c.produceRows(0, 1000);
		await c.pipeline.settle();
		assertInvariant(c);
		await c.pipeline.close();
		const started = Date.now();
		await assert.rejects(
			SinkerConsumer.start(
				{
					...consumerDefaults(c.topic, uniqueName('rel-badsasl'), { brokers: kafkaSaslBrokers, clientId: uniqueName('rel-badsasl'), sasl: { mechanism: 'plain', username: sinkerUser.username, password: WRONG_KAFKA_PASSWORD } }),
					logger: world.capture.logger,
				},
				async () => ({ ok: true }),
			),
			(error: Error) => {
				world.capture.error('kafka wrong password', error);
				assert.match(error.message, /Kafka refused the login for user "sinker" \(plain\)/);
				return true;
			},
		);
		recordFigures('kafkaSasl', { rows: 1000, wrongPasswordRejectedMs: Date.now() - started });
	});

	it('Kafka over TLS (9095) with the test CA; refused with a CA that signed nothing here', async () => {
		const c = await world.newCase({
			kafkaConnection: { brokers: kafkaSslBrokers, clientId: uniqueName('rel-tls'), tls: { ca: readFileSync(kafkaCerts.ca, 'utf8'), rejectUnauthorized: true } },
		});
		await c.produceRows(0, 1000);
		await c.pipeline.settle();
		assertInvariant(c);
		await c.pipeline.close();
		await assert.rejects(
			SinkerConsumer.start(
				{
					...consumerDefaults(c.topic, uniqueName('rel-badtls'), { brokers: kafkaSslBrokers, clientId: uniqueName('rel-badtls'), tls: { ca: readFileSync(kafkaCerts.otherCa, 'utf8'), rejectUnauthorized: true } }),
					logger: world.capture.logger,
				},
				async () => ({ ok: true }),
			),
			(error: Error) => {
				world.capture.error('kafka wrong CA', error);
				assert.match(error.message, /certificate|TLS|SSL|self[- ]signed/i);
				return true;
			},
		);
	});

	it('Stream Load over https: the CA option is honoured, and the load is refused without it', async () => {
		const pem = makeCertificates(certDir);
		ca = pem.ca;
		tlsWorld = await World.start({ tls: { key: pem.key, cert: pem.cert }, user: DORIS_USER, password: DORIS_PASSWORD });
		assert.match(tlsWorld.doris.feUrl, /^https:/);
		const c = await tlsWorld.newCase({ dorisTls: { ca, rejectUnauthorized: true } });
		await c.produceRows(0, 1000);
		await c.pipeline.settle();
		assertInvariant(c);
		await c.pipeline.close();
		const loadsBefore = tlsWorld.doris.loads.length;
		await assert.rejects(loadIntoDoris(target(c.table, {}, tlsWorld), [{ id: 1, v: 'x' }]), (error: Error) => {
			tlsWorld?.capture.error('https without CA', error);
			assert.match(error.message, new RegExp(`Doris table "${c.table}"`));
			assert.match(error.message, /self[- ]signed|certificate/i);
			return true;
		});
		assert.equal(tlsWorld.doris.loads.length, loadsBefore, 'nothing reached the BE without a trusted certificate');
	});

	it('names that would change the Stream Load URL or a header are refused before any request', async () => {
		const table = await world.createTable();
		const loads = world.doris.loads.length;
		const refused: Array<[Partial<DorisTargetConfig>, RegExp]> = [
			[{ table: '../x' }, /Table name "\.\.\/x" contains "\/"/],
			[{ table: '..' }, /Table name "\.\." contains a dot segment/],
			[{ table: 'a/b' }, /Table name "a\/b" contains "\/"/],
			[{ table: 't?x=1' }, /Table name "t\?x=1" contains "\?"/],
			[{ table: 't#frag' }, /Table name "t#frag" contains "#"/],
			[{ table: 't\r\nX-Injected: 1' }, /Table name "t\\r\\nX-Injected: 1" contains a control character/],
			[{ database: 'rel/../other' }, /Database name "rel\/\.\.\/other" contains "\/"/],
			[{ database: '.' }, /Database name "\." contains a dot segment/],
			[{ labelPrefix: 'p\r\nX: 1' }, /Label prefix "p.*" contains "\\r", "\\n"/s],
			[{ load: { format: 'json', columns: ['id', 'v\r\nX-Injected: 1'] } }, /Column name "v\\r\\nX-Injected: 1" contains a control character/],
			[{ load: { format: 'json', sequenceColumn: 'ts\nX: 1' } }, /Column name "ts\\nX: 1" contains a control character/],
		];
		for (const [override, message] of refused) {
			assert.throws(() => loadIntoDoris(target(table, override), [{ id: 1, v: 'x' }]), message, JSON.stringify(override));
		}
		assert.equal(world.doris.loads.length, loads, 'no request reached Doris');
		// A legal name with characters that need encoding still loads (unicode table names exist in Doris).
		await loadIntoDoris(target(table), [{ id: 1, v: 'x' }], { flushNow: true });
		recordFigures('nameValidation', { refusedCases: refused.length });
	});

	it('passwords never appear in logs, errors, items, load results, rejected-row text or metrics', async () => {
		// Faults that make the client log and retry; the FE's redirect Location carries user:password.
		const c = await world.newCase({ captureData: true });
		world.doris.faults.http500(2);
		world.doris.faults.resetAfterCommit(1);
		await c.produceRows(0, 1500);
		await c.pipeline.settle();
		assertInvariant(c);
		await c.pipeline.close();
		// A row Doris refuses: the client reads its reason from the ErrorURL and hands it back as a
		// rejected row (the Stream Load node's Rejected output); that text must not carry a password either.
		const refused = await loadIntoDoris(target(c.table), [{ id: 'not-a-number', v: 'x' }], { flushNow: true });
		world.capture.record('rejected rows', refused.rejected);
		assert.equal(refused.rejected.length, 1, 'the refused row comes back rejected');
		assert.ok(refused.rejected[0].reason.errorLog.length > 0, `rejected row's error log read from the ErrorURL: ${refused.rejected[0].reason.message}`);
		// Wrong Doris password: activation (schema read) and loads.
		const wrong = await world.newCase({ noStart: true, dorisPassword: WRONG_DORIS_PASSWORD });
		await assert.rejects(wrong.pipeline.readSchema(), (error: Error) => {
			world.capture.error('schema with wrong password', error);
			return true;
		});
		await assert.rejects(loadIntoDoris(target(c.table, { connection: { feUrls: world.doris.feUrls, user: DORIS_USER, password: WRONG_DORIS_PASSWORD } }), [{ id: 1, v: 'x' }], { flushNow: true }), (error: Error) => {
			world.capture.error('load with wrong password', error);
			return true;
		});
		world.capture.record('metrics', await registry.metrics());
		tlsWorld?.capture.record('metrics', await registry.metrics());

		const text = [world.capture.text(), tlsWorld?.capture.text() ?? ''].join('\n');
		const secrets = [DORIS_PASSWORD, WRONG_DORIS_PASSWORD, KAFKA_PASSWORD, WRONG_KAFKA_PASSWORD];
		const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(`${DORIS_USER}:${s}`).toString('base64'), Buffer.from(`${sinkerUser.username}:${s}`).toString('base64')]);
		for (const form of forms) {
			assert.equal(text.includes(form), false, `"${form}" appears in what the run captured`);
		}
		// The capture is not empty talk: it holds the errors and answers that could have leaked.
		assert.match(text, /Access denied for user 'loader/);
		assert.match(text, /HTTP 500/);
		assert.match(text, /Kafka refused the login/);
		assert.match(text, /rejectedRows/);
		assert.match(text, /doris_stream_load_total/);
		recordFigures('passwordGrep', { capturedLines: world.capture.lines.length + (tlsWorld?.capture.lines.length ?? 0), capturedBytes: text.length, forms: forms.length, found: 0 });
	});

	it('metrics and profiling: 127.0.0.1 and profiling off by default', async () => {
		const defaults = metricsSettingsFromEnv({});
		assert.deepEqual(defaults, { enabled: false, port: 9090, host: '127.0.0.1', profiling: false });
		const saved = { host: process.env.DORIS_SINKER_METRICS_HOST, profiling: process.env.DORIS_SINKER_PROFILING };
		delete process.env.DORIS_SINKER_METRICS_HOST;
		delete process.env.DORIS_SINKER_PROFILING;
		try {
			const server = await ensureMetricsServer({ port: 0 });
			assert.equal(server.host, '127.0.0.1');
			assert.equal(server.profiling, false);
			const res = await fetch(`${server.url}/debug/pprof/heap`);
			assert.equal(res.status, 404);
			assert.match(await res.text(), /profiling is disabled/);
			assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
		} finally {
			await stopMetricsServer();
			if (saved.host !== undefined) process.env.DORIS_SINKER_METRICS_HOST = saved.host;
			if (saved.profiling !== undefined) process.env.DORIS_SINKER_PROFILING = saved.profiling;
		}
	});
});
