/**
 * A batch still taking rows (batcher.ts): what it holds, which calls put it there, and the three timers
 * that seal it without a call asking: max interval from its opening, max idle since the last add (one
 * timer per batch, refreshed), and ahead of the earliest deadline among its rows (Keep Order per
 * Partition: its loader must not load rows after their deadline, so a batch left to wait out its interval
 * past it would fail them, doris-target.ts).
 */
import { ByteBuffer } from './byte-buffer';
import type { Segment, Settled } from './line-owners';

/** A batch holding rows with a deadline is sealed this long before it at most (half the time left when less). */
const DEADLINE_SEAL_AHEAD_MS = 5_000;

export interface OpenBatch<Report, X> {
	id: number;
	buffer: ByteBuffer;
	rows: number;
	executions: number;
	/** Calls in it that cannot take refused rows back. */
	refusing: number;
	segments: Segment[];
	/** Filled by the loader through LineVerdicts, read by the owners once the batch settled. */
	verdicts: Settled<X>;
	timer: NodeJS.Timeout | undefined;
	idleTimer: NodeJS.Timeout | undefined;
	deadline: number | undefined;
	deadlineTimer: NodeJS.Timeout | undefined;
	done: Promise<Report>;
	/** Set once it loaded: what a call stopped afterwards reports of its rows in it (withdraw.ts). */
	report: Report | undefined;
	resolve(report: Report): void;
	reject(error: unknown): void;
}

/** A new empty batch `id`; `sealIfOpen` runs after `maxIntervalMs` (the caller seals it when it is still open). */
export function createOpenBatch<Report, X>(id: number, maxIntervalMs: number, sealIfOpen: (batch: OpenBatch<Report, X>) => void): OpenBatch<Report, X> {
	let resolve!: (report: Report) => void;
	let reject!: (error: unknown) => void;
	const done = new Promise<Report>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	// Every waiter may have given up (aborted): the rejection must not go unhandled.
	done.catch(() => undefined);
	const batch: OpenBatch<Report, X> = {
		id,
		buffer: new ByteBuffer(),
		rows: 0,
		executions: 0,
		refusing: 0,
		segments: [],
		verdicts: { rejected: new Map(), failed: [] },
		timer: undefined,
		idleTimer: undefined,
		deadline: undefined,
		deadlineTimer: undefined,
		done,
		report: undefined,
		resolve,
		reject,
	};
	batch.timer = setTimeout(() => sealIfOpen(batch), maxIntervalMs);
	return batch;
}

/** (Re)starts the idle countdown of the open batch: one timer per batch, refreshed per add(). */
export function armIdle<Report, X>(batch: OpenBatch<Report, X>, idleMs: number | undefined, sealIfOpen: (batch: OpenBatch<Report, X>) => void): void {
	if (idleMs === undefined) return;
	if (batch.idleTimer !== undefined) {
		batch.idleTimer.refresh();
		return;
	}
	batch.idleTimer = setTimeout(() => sealIfOpen(batch), idleMs);
}

/**
 * Rows with `deadline` joined `batch`: an earlier deadline becomes the batch's, and, while the batch is
 * still open, its seal is moved ahead of it.
 */
export function takeDeadline<Report, X>(batch: OpenBatch<Report, X>, deadline: number | undefined, isOpen: boolean, sealIfOpen: (batch: OpenBatch<Report, X>) => void): void {
	if (deadline === undefined || (batch.deadline !== undefined && batch.deadline <= deadline)) return;
	batch.deadline = deadline;
	if (!isOpen) return;
	clearTimeout(batch.deadlineTimer);
	const left = deadline - Date.now();
	batch.deadlineTimer = setTimeout(() => sealIfOpen(batch), Math.max(0, left - Math.min(DEADLINE_SEAL_AHEAD_MS, left / 2)));
}

/** The batch is sealed: none of its timers may seal it again. */
export function stopTimers<Report, X>(batch: OpenBatch<Report, X>): void {
	clearTimeout(batch.timer);
	clearTimeout(batch.idleTimer);
	clearTimeout(batch.deadlineTimer);
}
