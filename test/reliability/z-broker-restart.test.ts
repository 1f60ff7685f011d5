// The Kafka broker restarts mid-stream. The broker is the SHARED test ground, so this file runs last
// among the reliability files (the "z-" name) and always leaves the broker running, even on failure.
//
// `scripts/kafka.sh start` formats fresh storage at every start (topics and committed offsets gone),
// which is a new cluster, not a restart. So the broker is stopped with `scripts/kafka.sh stop`
// (SIGTERM, clean shutdown, data kept) and started again with its own command line, read from
// /proc before the stop, on the same data directory; its PID goes back into kafka.sh's PID file so
// `scripts/kafka.sh status|stop` keep working. If that fails, `scripts/kafka.sh start` brings up a
// fresh broker so the rest of the suite still has one.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';

import { kafkaBrokers } from '../ground/kafka/env';
import { recordFigures } from './harness/figures';
import { assertInvariant, useWorld } from './harness/world';

const ROOT = resolve(__dirname, '..', '..');
const CACHE = join(ROOT, '.cache', 'kafka');
const PID_FILE = join(CACHE, 'kafka.pid');
const DOWN_MS = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kafkaSh(command: 'start' | 'stop' | 'status'): boolean {
	try {
		execFileSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), command], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
		return true;
	} catch {
		return false;
	}
}

function brokerPid(): number | undefined {
	if (!existsSync(PID_FILE)) return undefined;
	const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
	try {
		const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
		return cmd.includes('kafka.Kafka') ? pid : undefined;
	} catch {
		return undefined;
	}
}

async function waitForBroker(timeoutMs: number): Promise<void> {
	const kafka = new Kafka({ clientId: 'rel-restart-probe', brokers: kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const admin = kafka.admin();
		try {
			await admin.connect();
			await admin.describeCluster();
			return;
		} catch (error) {
			if (Date.now() > deadline) throw new Error(`broker not back after ${timeoutMs} ms: ${(error as Error).message}`);
			await sleep(500);
		} finally {
			await admin.disconnect().catch(() => undefined);
		}
	}
}

/** Stops the broker cleanly and starts the same command line again on the same data. */
async function restartBroker(): Promise<{ downMs: number }> {
	const pid = brokerPid();
	if (pid === undefined) throw new Error('the test broker is not running (scripts/kafka.sh start)');
	const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
	const stoppedAt = Date.now();
	assert.ok(kafkaSh('stop'), 'scripts/kafka.sh stop');
	await sleep(DOWN_MS);
	const log = openSync(join(CACHE, 'kafka.log'), 'a');
	const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, detached: true, stdio: ['ignore', log, log] });
	closeSync(log);
	child.unref();
	writeFileSync(PID_FILE, `${child.pid}\n`);
	await waitForBroker(90_000);
	return { downMs: Date.now() - stoppedAt };
}

const world = useWorld(
	{},
	{
		// Whatever happened, the rest of the suite needs a broker.
		afterClose: () => {
			if (brokerPid() === undefined) kafkaSh('start');
		},
	},
);

describe('Kafka broker restart mid-stream', { timeout: 240_000 }, () => {
	it('consumption resumes after the restart; every row loaded, no commit ahead of Doris', async () => {
		assert.ok(world);
		const c = await world.newCase({ partitions: 2 });
		await c.produceRows(0, 3000);
		const deadline = Date.now() + 30_000;
		while (c.pipeline.tableRowCount() < 500 && Date.now() < deadline) await sleep(20);
		const loadedAtStop = c.pipeline.tableRowCount();
		const { downMs } = await restartBroker();
		await c.produceRows(3000, 2000);
		const settleMs = await c.pipeline.settle(120_000);
		assertInvariant(c);
		const [consumer] = c.pipeline.consumers;
		const delivered = c.pipeline.executions.reduce((s, e) => s + Number(e.last - e.first + 1n), 0);
		const crashes = world.capture.lines.filter((l) => /crashed/i.test(l)).length;
		recordFigures('brokerRestart', {
			rows: 5000,
			loadedAtStop,
			brokerDownMs: downMs,
			settleAfterRestartMs: settleMs,
			messagesDelivered: delivered,
			redelivered: delivered - 5000,
			consumerCrashLogLines: crashes,
			commitsConfirmed: consumer?.stats.commits ?? 0,
		});
		await c.pipeline.close();
	});
});
