// Readiness probe for scripts/kafka.sh: waits until the broker answers the admin API on every
// listener (PLAINTEXT describeCluster, SASL/PLAIN as the sinker user, SSL with the test CA).
// Usage: node --import tsx ready.ts PID TIMEOUT_SECONDS
// Ports and the cert dir come from KAFKA_PORT, KAFKA_SASL_PORT, KAFKA_SSL_PORT, KAFKA_CERT_DIR.
// Exit 0 when ready, 1 on timeout, 2 when the broker process died first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { sinkerUser } from './users';

function env(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`ready.ts: environment variable ${name} is not set`);
	return value;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

async function describe(config: KafkaConfig): Promise<number> {
	const admin = new Kafka({
		...config,
		clientId: 'ground-ready',
		logLevel: logLevel.NOTHING,
		connectionTimeout: 1000,
		requestTimeout: 2000,
		retry: { retries: 0 },
	}).admin();
	try {
		await admin.connect();
		const cluster = await admin.describeCluster();
		return cluster.brokers.length;
	} finally {
		await admin.disconnect().catch(() => undefined);
	}
}

async function main(): Promise<number> {
	const pid = Number(process.argv[2]);
	const timeoutMs = Number(process.argv[3] ?? '60') * 1000;
	const host = '127.0.0.1';
	const certDir = env('KAFKA_CERT_DIR');
	const probes: Array<[string, KafkaConfig]> = [
		['PLAINTEXT', { brokers: [`${host}:${env('KAFKA_PORT')}`] }],
		[
			'SASL_PLAINTEXT',
			{
				brokers: [`${host}:${env('KAFKA_SASL_PORT')}`],
				sasl: { mechanism: 'plain', username: sinkerUser.username, password: sinkerUser.password },
			},
		],
		[
			'SSL',
			{ brokers: [`${host}:${env('KAFKA_SSL_PORT')}`], ssl: { ca: [readFileSync(join(certDir, 'ca.pem'), 'utf8')] } },
		],
	];
	const deadline = Date.now() + timeoutMs;
	let lastError = '';
	for (const [name, config] of probes) {
		for (;;) {
			if (!alive(pid)) {
				console.error(`broker process ${pid} exited before it was ready`);
				return 2;
			}
			try {
				await describe(config);
				break;
			} catch (error) {
				lastError = `${name}: ${error instanceof Error ? error.message : String(error)}`;
			}
			if (Date.now() > deadline) {
				console.error(`broker not ready after ${timeoutMs / 1000}s (last error ${lastError})`);
				return 1;
			}
			await sleep(150);
		}
	}
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
