// A Kafka broker of one test's own: scripts/kafka.sh on free ports with its own folder (data,
// certificates, PID file, log) under the system's temporary directory. For tests that stop or
// restart the broker: the shared one (scripts/ground.sh) serves every other test file, and other
// checkouts, at the same time.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { freePort } from '../n8n/process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'kafka.sh');

export interface PrivateBroker {
	/** PLAINTEXT listener, for KafkaConfig.brokers. */
	readonly brokers: string[];
	/** OAUTH listener (SASL_PLAINTEXT, OAUTHBEARER with unsecured JWTs; see server.properties.in). */
	readonly oauthBrokers: string[];
	/** Its folder: data, certificates, kafka.log. */
	readonly dir: string;
	/**
	 * Stops the broker (SIGTERM: a clean shutdown, data kept), keeps it down for `downMs`, and starts it
	 * again on the same data: the same cluster, topics and committed offsets. Resolves once it answers
	 * on every listener; returns how long it was unreachable, and how much of that the stop (SIGTERM
	 * until the process is gone) and the start (until it answers) took.
	 */
	restart(downMs: number): Promise<{ downMs: number; stopMs: number; startMs: number }>;
	/** Stops the broker (SIGTERM, data kept) and resolves once it is gone; `resume()` starts it again. */
	halt(): Promise<void>;
	/** Starts a halted broker again on the same data; resolves once it answers on every listener. */
	resume(): Promise<void>;
	/** Stops it and removes its folder. */
	stop(): Promise<void>;
}

export async function startPrivateBroker(name: string): Promise<PrivateBroker> {
	const dir = mkdtempSync(path.join(tmpdir(), `doris-sinker-kafka-${name}-`));
	const taken = new Set<number>();
	const port = async (): Promise<number> => {
		for (;;) {
			const found = await freePort();
			if (!taken.has(found)) return taken.add(found), found;
		}
	};
	const ports = {
		KAFKA_PORT: await port(),
		KAFKA_CONTROLLER_PORT: await port(),
		KAFKA_SASL_PORT: await port(),
		KAFKA_SSL_PORT: await port(),
		KAFKA_OAUTH_PORT: await port(),
	};
	const env = { ...process.env, KAFKA_CACHE_DIR: dir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
	// The broker outlives a test process that dies without stop() (setsid); take it down on the way out.
	const pidFile = path.join(dir, 'kafka.pid');
	process.once('exit', () => {
		try {
			process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
		} catch {
			// Stopped already, or never started.
		}
	});
	const kafkaSh = async (command: 'start' | 'resume' | 'stop'): Promise<void> => {
		try {
			await run('bash', [SCRIPT, command], { cwd: ROOT, env, timeout: 180_000 });
		} catch (error) {
			const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
			throw new Error(`scripts/kafka.sh ${command} (private broker in ${dir}) failed: ${(error as Error).message}\n${stdout}${stderr}`);
		}
	};
	try {
		await kafkaSh('start');
	} catch (error) {
		await kafkaSh('stop').catch(() => undefined);
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
	return {
		brokers: [`127.0.0.1:${ports.KAFKA_PORT}`],
		oauthBrokers: [`127.0.0.1:${ports.KAFKA_OAUTH_PORT}`],
		dir,
		halt: () => kafkaSh('stop'),
		resume: () => kafkaSh('resume'),
		async restart(downMs) {
			const stoppedAt = Date.now();
			await kafkaSh('stop');
			const stopMs = Date.now() - stoppedAt;
			await sleep(downMs);
			const startedAt = Date.now();
			await kafkaSh('resume');
			return { downMs: Date.now() - stoppedAt, stopMs, startMs: Date.now() - startedAt };
		},
		async stop() {
			try {
				await kafkaSh('stop');
			} finally {
				rmSync(dir, { recursive: true, force: true });
			}
		},
	};
}
