// The n8n child process: spawn `n8n start`, wait for /healthz, stop it (SIGTERM, bounded) or kill
// it (SIGKILL), and run n8n's CLI commands (import, publish) against the same user folder.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { N8N_BIN } from './install';

/** n8n's task broker listens on 5679 by default; never hand that port out. */
const RESERVED_PORTS = new Set([5678, 5679]);

export async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = net.createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				const found = typeof address === 'object' && address !== null ? address.port : 0;
				server.close(() => resolve(found));
			});
		});
		if (port > 0 && !RESERVED_PORTS.has(port)) return port;
	}
}

/** Children still running when the test process exits are killed with their whole group. */
const live = new Set<number>();
process.once('exit', () => {
	for (const pid of live) signalGroup(pid, 'SIGKILL');
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		// The child leads its own process group (detached), so this also reaches n8n's task runner.
		process.kill(-pid, signal);
	} catch {
		// ESRCH: already gone.
	}
}

/** The log from byte offset `from` on (offsets come from logSize). */
export function readLog(logPath: string, from = 0): string {
	if (!existsSync(logPath)) return '';
	if (from <= 0) return readFileSync(logPath, 'utf8');
	const size = statSync(logPath).size;
	if (size <= from) return '';
	const buffer = Buffer.alloc(size - from);
	const fd = openSync(logPath, 'r');
	try {
		readSync(fd, buffer, 0, buffer.length, from);
	} finally {
		closeSync(fd);
	}
	return buffer.toString('utf8');
}

export function logSize(logPath: string): number {
	return existsSync(logPath) ? statSync(logPath).size : 0;
}

function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

export class N8nProcess {
	readonly child: ChildProcess;
	readonly pid: number;
	/** Size of the log (bytes) when this process started: its own output comes after. */
	readonly logStart: number;
	private exitCode: number | null | undefined;
	private exitSignal: NodeJS.Signals | null = null;
	private readonly exited: Promise<void>;

	constructor(
		readonly logPath: string,
		env: NodeJS.ProcessEnv,
	) {
		this.logStart = logSize(logPath);
		const fd = openSync(logPath, 'a');
		try {
			this.child = spawn(process.execPath, [N8N_BIN, 'start'], {
				env,
				detached: true,
				stdio: ['ignore', fd, fd],
			});
		} finally {
			closeSync(fd);
		}
		if (this.child.pid === undefined) throw new Error(`could not spawn n8n (${N8N_BIN})`);
		this.pid = this.child.pid;
		live.add(this.pid);
		// Not holding the test process open: close()/stop() and the exit hook end the child.
		this.child.unref();
		this.exited = new Promise((resolve) => {
			this.child.once('exit', (code, signal) => {
				this.exitCode = code;
				this.exitSignal = signal;
				live.delete(this.pid);
				// The task runner normally follows its parent; make sure nothing of the group is left.
				signalGroup(this.pid, 'SIGKILL');
				resolve();
			});
		});
	}

	get running(): boolean {
		return this.exitCode === undefined;
	}

	describeExit(): string {
		return this.exitSignal ? `signal ${this.exitSignal}` : `code ${String(this.exitCode)}`;
	}

	/** Throws with the log tail when n8n exited. */
	assertRunning(what: string): void {
		if (!this.running) {
			throw new Error(`n8n exited (${this.describeExit()}) while ${what}; log ${this.logPath}:\n${tail(readLog(this.logPath, this.logStart))}`);
		}
	}

	async waitForHealth(baseUrl: string, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			this.assertRunning('waiting for /healthz');
			try {
				const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
				if (res.ok) return;
			} catch {
				// Not listening yet.
			}
			await sleep(250);
		}
		throw new Error(`n8n did not answer ${baseUrl}/healthz within ${timeoutMs} ms; log ${this.logPath}:\n${tail(readLog(this.logPath, this.logStart))}`);
	}

	/** Waits until the log written after byte offset `since` (default: this process's start) matches. */
	async waitForLog(pattern: RegExp, timeoutMs: number, what: string, since = this.logStart): Promise<RegExpMatchArray> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const match = readLog(this.logPath, since).match(pattern);
			if (match) return match;
			this.assertRunning(what);
			await sleep(200);
		}
		throw new Error(`timed out after ${timeoutMs} ms ${what}; log ${this.logPath}:\n${tail(readLog(this.logPath, this.logStart))}`);
	}

	/** SIGTERM, then SIGKILL if n8n has not exited within graceMs. Returns how long it took. */
	async stop(graceMs: number): Promise<{ ms: number; forced: boolean }> {
		const started = Date.now();
		if (!this.running) return { ms: 0, forced: false };
		this.child.kill('SIGTERM');
		// The grace timer is cancelled once the child exits: a pending timer would hold the test process open.
		const grace = new AbortController();
		const forced = await Promise.race([this.exited.then(() => false), sleep(graceMs, undefined, { signal: grace.signal }).then(() => true, () => false)]);
		grace.abort();
		if (forced) signalGroup(this.pid, 'SIGKILL');
		await this.exited;
		return { ms: Date.now() - started, forced };
	}

	async kill(): Promise<void> {
		if (!this.running) return;
		signalGroup(this.pid, 'SIGKILL');
		await this.exited;
	}
}

/** Runs one n8n CLI command (import:workflow, publish:workflow, ...) and returns its output. */
export async function runN8nCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<string> {
	return await new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[N8N_BIN, ...args],
			{ env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const output = `${stdout}${stderr}`;
				if (error) {
					reject(new Error(`n8n ${args.join(' ')} failed (${error.message}):\n${tail(output)}`));
					return;
				}
				resolve(output);
			},
		);
	});
}
