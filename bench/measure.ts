/**
 * What a run measures, read from outside the process doing the work (/proc), so the same code
 * serves a forked worker and the n8n process: CPU seconds and peak RSS (VmHWM, reset at the start of
 * the measured window) of its process tree, and the Doris side (when loads became visible).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { DorisTestServer, LoadRecord } from '../test/ground/doris/types';
import { parseDorisDateTime } from './dataset';

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64; /proc/<pid>/stat counts in these ticks

/** The pid and all its descendants (n8n starts a task runner child). */
export function processTree(pid: number): number[] {
	const out = [pid];
	for (let i = 0; i < out.length; i++) {
		let tasks: string[] = [];
		try {
			tasks = readdirSync(`/proc/${out[i]}/task`);
		} catch {
			continue; // exited meanwhile
		}
		for (const tid of tasks) {
			try {
				const children = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
				if (children !== '') out.push(...children.split(' ').map(Number));
			} catch {
				// the thread ended while we looked
			}
		}
	}
	return out;
}

/** User + system CPU seconds of the process tree. */
export function cpuSeconds(pid: number): number {
	return treeCpuSeconds(pid, false);
}

/**
 * The same plus the CPU of children already exited and waited for (cutime, cstime): PostgreSQL's
 * autovacuum workers and a closed connection's backend come and go, and their CPU then shows in
 * the postmaster's, which a difference of two readings needs (a process that exits between them
 * moves its CPU from the tree's sum to its parent's cutime).
 */
export function cpuSecondsWithReaped(pid: number): number {
	return treeCpuSeconds(pid, true);
}

function treeCpuSeconds(pid: number, reaped: boolean): number {
	let ticks = 0;
	for (const p of processTree(pid)) {
		try {
			// Fields after the `(comm)`, which may itself contain spaces: utime, stime, cutime, cstime are 14 to 17.
			const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks += Number(fields[11]) + Number(fields[12]);
			if (reaped) ticks += Number(fields[13]) + Number(fields[14]);
		} catch {
			// exited
		}
	}
	return ticks / CLK_TCK;
}

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
	return kb === null ? NaN : Number(kb[1]) / 1024;
}

/**
 * Peak resident set of the process and its descendants since start or the last resetPeakRss, in MB:
 * the sum of each one's peak (an upper bound when they peak at different moments). n8n runs Code
 * nodes in a task-runner child, whose memory is as much the workflow's as the main process's.
 */
export function peakRssMb(pid: number): number {
	return sumOverTree(pid, 'VmHWM');
}

/** Resident set of the process and its descendants now, in MB. */
export function rssMb(pid: number): number {
	return sumOverTree(pid, 'VmRSS');
}

function sumOverTree(pid: number, field: 'VmHWM' | 'VmRSS'): number {
	let mb = 0;
	for (const p of processTree(pid)) {
		try {
			mb += statusMb(p, field);
		} catch {
			// exited meanwhile
		}
	}
	return mb;
}

/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so startup peaks don't count. */
export function resetPeakRss(pid: number): void {
	for (const p of processTree(pid)) {
		try {
			writeFileSync(`/proc/${p}/clear_refs`, '5');
		} catch {
			// not permitted, or exited: the peak then includes startup, which only overstates it
		}
	}
}

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = Float64Array.from(values).sort();
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

export function median(values: number[]): number {
	return percentile(values, 50);
}

export interface LoadTiming {
	/** When the runner saw the load in the server's history (≤ pollMs after it became visible). */
	seenAt: number;
	rows: number;
}

/**
 * Polls the Doris test server's load history (it lives in this process) every few ms, recording
 * when each successful load of one table became visible. With `latency`, it also reads the rows
 * that just became visible and records seen-time minus their `event_time` (the produce time).
 */
export class LoadWatcher {
	readonly loads: LoadTiming[] = [];
	readonly latencies: number[] = [];
	rows = 0;
	private seen = 0;
	private pending: LoadRecord[] = [];
	private readonly timer: NodeJS.Timeout;

	constructor(
		private readonly server: DorisTestServer,
		private readonly db: string,
		private readonly table: string,
		private readonly latency = false,
		pollMs = 5,
	) {
		this.seen = server.loads.length;
		this.timer = setInterval(() => this.poll(), pollMs);
	}

	private poll(): void {
		const all = this.server.loads;
		for (; this.seen < all.length; this.seen++) {
			const load = all[this.seen];
			if (load.db === this.db && load.table === this.table) this.pending.push(load);
		}
		if (this.pending.length === 0) return;
		const now = Date.now();
		const before = this.rows;
		// The BE records a load when its request arrives and fills in the answer when it is done.
		this.pending = this.pending.filter((load) => {
			if (load.response === null && load.fault === undefined) return true;
			if (load.status === 'Success' || load.status === 'Publish Timeout') {
				this.loads.push({ seenAt: now, rows: load.rows });
				this.rows += load.rows;
			}
			return false;
		});
		if (this.latency && this.rows > before) {
			// Rows are appended in commit order, so the new ones are the tail of the table.
			for (const row of this.server.tableRows(this.db, this.table).slice(before, this.rows)) {
				this.latencies.push(now - parseDorisDateTime(String(row.event_time)));
			}
		}
	}

	async waitForRows(expected: number, timeoutMs: number, isAlive: () => boolean = () => true): Promise<number> {
		const deadline = Date.now() + timeoutMs;
		while (this.rows < expected) {
			if (Date.now() > deadline) throw new Error(`${this.table}: ${this.rows}/${expected} rows visible after ${timeoutMs} ms`);
			if (!isAlive()) throw new Error(`${this.table}: the pipeline process exited with ${this.rows}/${expected} rows visible`);
			await new Promise((r) => setTimeout(r, 10));
		}
		if (this.rows > expected) throw new Error(`${this.table}: ${this.rows} rows visible, expected ${expected} (duplicates?)`);
		return this.loads[this.loads.length - 1].seenAt;
	}

	/** Gaps between consecutive visible loads, in ms (the flush cadence Doris sees). */
	commitGaps(): number[] {
		return this.loads.slice(1).map((l, i) => l.seenAt - this.loads[i].seenAt);
	}

	close(): void {
		clearInterval(this.timer);
	}
}
