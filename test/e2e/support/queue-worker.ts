// An `n8n worker` process for queue mode. The n8n test host (test/ground/n8n/host.ts) runs
// `n8n start` only; a worker is a second kind of process with its own user folder (the package
// installed into it, as on a real worker machine), its own task-runner and health ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { N8N_BIN, ensureN8nInstalled, installPackage } from '../../ground/n8n/install';
import { freePort, readLog } from '../../ground/n8n/process';

/** Workers still running when the test process exits are killed with their process group. */
const live = new Set<number>();
process.once('exit', () => {
	for (const pid of live) signalGroup(pid, 'SIGKILL');
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// ESRCH: already gone.
	}
}

/** What the host sets for `n8n start` (see host.ts processEnv), minus the server's own address. */
export function baseN8nEnv(userFolder: string): Record<string, string> {
	return {
		N8N_USER_FOLDER: userFolder,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_PYTHON_ENABLED: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		NO_COLOR: '1',
		GENERIC_TIMEZONE: 'UTC',
	};
}

export interface WorkerOptions {
	/** Queue and database settings shared with main (EXECUTIONS_MODE, QUEUE_BULL_*, DB_*, N8N_ENCRYPTION_KEY). */
	env: Record<string, string>;
	/** Jobs this worker runs at once (`n8n worker --concurrency`). */
	concurrency: number;
	name: string;
}

export class N8nWorker {
	readonly userFolder: string;
	readonly logPath: string;
	readonly healthPort: number;
	private child: ChildProcess | undefined;
	private exitInfo: string | undefined;
	private exited: Promise<void> = Promise.resolve();

	private constructor(
		readonly name: string,
		private readonly env: NodeJS.ProcessEnv,
		private readonly concurrency: number,
		userFolder: string,
		healthPort: number,
	) {
		this.userFolder = userFolder;
		this.logPath = path.join(userFolder, 'worker.log');
		this.healthPort = healthPort;
	}

	static async start(options: WorkerOptions): Promise<N8nWorker> {
		ensureN8nInstalled();
		const userFolder = mkdtempSync(path.join(os.tmpdir(), `n8n-${options.name}-`));
		installPackage(userFolder);
		const healthPort = await freePort();
		const env: NodeJS.ProcessEnv = { ...process.env };
		delete env.NODE_OPTIONS;
		delete env.NODE_TEST_CONTEXT;
		Object.assign(env, baseN8nEnv(userFolder), {
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		}, options.env);
		const worker = new N8nWorker(options.name, env, options.concurrency, userFolder, healthPort);
		await worker.spawn();
		return worker;
	}

	get pid(): number | undefined {
		return this.running ? this.child?.pid : undefined;
	}

	get running(): boolean {
		return this.child !== undefined && this.exitInfo === undefined;
	}

	logText(): string {
		return readLog(this.logPath);
	}

	private async spawn(): Promise<void> {
		const fd = openSync(this.logPath, 'a');
		let child: ChildProcess;
		try {
			child = spawn(process.execPath, [N8N_BIN, 'worker', `--concurrency=${this.concurrency}`], { env: this.env, detached: true, stdio: ['ignore', fd, fd] });
		} finally {
			closeSync(fd);
		}
		const pid = child.pid;
		if (pid === undefined) throw new Error(`could not spawn n8n worker (${N8N_BIN})`);
		this.child = child;
		this.exitInfo = undefined;
		live.add(pid);
		child.unref();
		this.exited = new Promise((resolve) => {
			child.once('exit', (code, signal) => {
				this.exitInfo = signal ? `signal ${signal}` : `code ${String(code)}`;
				live.delete(pid);
				signalGroup(pid, 'SIGKILL');
				resolve();
			});
		});
		await this.waitReady(180_000);
	}

	/** /healthz/readiness answers 200 once the worker's database and Redis connections are up. */
	private async waitReady(timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (!this.running) throw new Error(`n8n worker ${this.name} exited (${this.exitInfo}); log ${this.logPath}:\n${readLog(this.logPath).slice(-4000)}`);
			try {
				const res = await fetch(`http://127.0.0.1:${this.healthPort}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				if (res.ok && /n8n worker is now ready/i.test(readLog(this.logPath))) return;
			} catch {
				// Not listening yet.
			}
			await sleep(250);
		}
		throw new Error(`n8n worker ${this.name} not ready within ${timeoutMs} ms; log ${this.logPath}:\n${readLog(this.logPath).slice(-4000)}`);
	}

	/** SIGKILL, like a crashed machine: jobs it holds stall and nothing is shut down cleanly. */
	async kill(): Promise<void> {
		if (!this.running || this.child?.pid === undefined) return;
		signalGroup(this.child.pid, 'SIGKILL');
		await this.exited;
	}

	/** SIGTERM (n8n lets running jobs finish), SIGKILL after graceMs. */
	async stop(graceMs = 40_000): Promise<void> {
		if (!this.running || this.child?.pid === undefined) return;
		this.child.kill('SIGTERM');
		// The grace timer is cancelled once the child exits: a pending timer would hold the test process open.
		const grace = new AbortController();
		const forced = await Promise.race([this.exited.then(() => false), sleep(graceMs, undefined, { signal: grace.signal }).then(() => true, () => false)]);
		grace.abort();
		if (forced) signalGroup(this.child.pid, 'SIGKILL');
		await this.exited;
	}

	async close(): Promise<void> {
		await this.stop();
		rmSync(this.userFolder, { recursive: true, force: true });
	}
}
