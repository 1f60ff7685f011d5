/**
 * Which add() call (execution) owns which lines of a batch, and what the loader said about single
 * lines: the batcher records a segment per stretch of one call's rows (not one per row), and once
 * every batch holding its rows settled each call collects the lines the loader refused (as its own
 * row numbers), or fails when a line of its own did not load (a batch that failed, or a part of one).
 * A failed call is redelivered whole: when some of its rows did load, they would load twice, so such
 * a call that takes refused rows back gets its lines that did not load back as rejected rows instead
 * (`handBack` gives their reason), and succeeds. Used by batcher.ts.
 */
import type { OwnerRun } from './isolate';

/** A row of one add() call that Doris refused: `row` counts the call's rows in part order (chunk lines too). */
export interface RejectedRow<X> {
	row: number;
	reason: X;
}

/** A call that cannot take refused rows back (AddOptions.acceptsRejected false) had some refused. */
export class RejectedRowsError<X> extends Error {
	constructor(readonly rejected: RejectedRow<X>[]) {
		super(`${rejected.length} row(s) were refused by the load`);
		this.name = 'RejectedRowsError';
	}
}

/**
 * What a loader may say about single lines of the batch it loads (0-based line numbers in batch
 * order). Unmarked lines count as loaded once the loader resolves; if it throws, every line failed.
 */
export interface LineVerdicts<X> {
	/** Doris refused this line for good: it goes back to its caller as a rejected row. */
	reject(line: number, reason: X): void;
	/** Lines [from, to) did not load: the calls owning any of them fail with `error`. */
	fail(from: number, to: number, error: unknown): void;
}

/** One add() call, as the batches it touches know it: how many of its rows were appended so far. */
export interface Owner {
	appended: number;
	acceptsRejected: boolean;
	/** The call's deadline (AddOptions.deadline): the batches it joins are loaded before it or not at all. */
	deadline: number | undefined;
}

/** The batch's lines as runs of one owner each (owners numbered in the batch), for the loader. */
export function ownerRuns(segments: ReadonlyArray<Segment>): OwnerRun[] {
	const numbers = new Map<Owner, number>();
	const runs: OwnerRun[] = [];
	for (const segment of segments) {
		let owner = numbers.get(segment.owner);
		if (owner === undefined) {
			owner = numbers.size;
			numbers.set(segment.owner, owner);
		}
		const last = runs[runs.length - 1];
		if (last !== undefined && last.owner === owner && last.to === segment.line) last.to += segment.rows;
		else runs.push({ from: segment.line, to: segment.line + segment.rows, owner, splittable: segment.owner.acceptsRejected });
	}
	return runs;
}

/**
 * A stretch of one call's rows in a batch: batch lines [line, line + rows) are its rows [first, first + rows),
 * bytes [byte, byte + bytes) of the batch's buffer (what a stopped call's withdrawal cuts out: withdraw.ts).
 */
export interface Segment {
	owner: Owner;
	line: number;
	first: number;
	rows: number;
	byte: number;
	bytes: number;
}

/** What the loader said about single lines, read by the owners once the batch settled. */
export interface Settled<X> {
	rejected: Map<number, X>;
	failed: Array<{ from: number; to: number; error: unknown }>;
}

/**
 * The LineVerdicts the loader of batch `batchId` (`lines` lines) gets; they fill `settled`. A line
 * outside the batch is the loader's bug, thrown at once rather than handed back to no call.
 */
export function lineVerdicts<X>(settled: Settled<X>, lines: number, batchId: number): LineVerdicts<X> {
	const inBatch = (line: number) => Number.isInteger(line) && line >= 0 && line < lines;
	return {
		reject: (line, reason) => {
			if (!inBatch(line)) throw new RangeError(`line ${line} is not in batch ${batchId} (${lines} lines)`);
			settled.rejected.set(line, reason);
		},
		fail: (from, to, error) => {
			if (from < to) settled.failed.push({ from: Math.max(0, from), to: Math.min(lines, to), error });
		},
	};
}

/** What ownerVerdicts reads of a batch. */
export interface OwnerLines<X> {
	segments: Segment[];
	verdicts: Settled<X>;
}

/** The part of a batch this module reads and writes. */
export interface OwnedLines<X> {
	rows: number;
	executions: number;
	/** Calls in it that cannot take refused rows back. */
	refusing: number;
	segments: Segment[];
	verdicts: Settled<X>;
}

/** The owner puts rows into `batch` (again, after rows in another batch). */
export function join<B extends OwnedLines<unknown>>(batch: B, owner: Owner, touched: B[]): void {
	touched.push(batch);
	batch.executions += 1;
	if (!owner.acceptsRejected) batch.refusing += 1;
}

/** Records that `rows` lines (`bytes` bytes) just appended to `batch` are the owner's next rows. */
export function claim(batch: OwnedLines<unknown>, owner: Owner, rows: number, bytes: number): void {
	const last = batch.segments[batch.segments.length - 1];
	if (last !== undefined && last.owner === owner && last.first + last.rows === owner.appended) {
		last.rows += rows;
		last.bytes += bytes;
	} else batch.segments.push({ owner, line: batch.rows, first: owner.appended, rows, byte: last === undefined ? 0 : last.byte + last.bytes, bytes });
	batch.rows += rows;
	owner.appended += rows;
}

/** How a batch holding some of the owner's rows settled: loaded (maybe with line verdicts), or failed. */
export type BatchOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * The owner's rows the loaders refused, in row order. Lines of the owner that did not load (its batch
 * failed, or a part of it did) fail the call with that error, unless other lines of the owner loaded
 * and it takes refused rows back: then they are handed back as rejected rows with `handBack(error)`
 * (unless that says undefined: an error that must fail the call).
 * `outcomes[i]` is how `batches[i]` settled.
 */
export function ownerVerdicts<X>(owner: Owner, batches: ReadonlyArray<OwnerLines<X>>, outcomes: ReadonlyArray<BatchOutcome>, handBack?: (error: unknown) => X | undefined): RejectedRow<X>[] {
	const rejected: RejectedRow<X>[] = [];
	const failing: Array<{ first: number; rows: number; error: unknown }> = [];
	let loaded = 0;
	batches.forEach((batch, i) => {
		const outcome = outcomes[i];
		const { verdicts } = batch;
		for (const segment of batch.segments) {
			if (segment.owner !== owner) continue;
			if (!outcome.ok) {
				failing.push({ first: segment.first, rows: segment.rows, error: outcome.error });
				continue;
			}
			const end = segment.line + segment.rows;
			let notLoaded = 0;
			for (const failed of verdicts.failed) {
				const from = Math.max(failed.from, segment.line);
				const to = Math.min(failed.to, end);
				if (from >= to) continue;
				failing.push({ first: segment.first + from - segment.line, rows: to - from, error: failed.error });
				notLoaded += to - from;
			}
			for (const [line, reason] of verdicts.rejected) {
				if (line < segment.line || line >= end) continue;
				rejected.push({ row: segment.first + line - segment.line, reason });
				notLoaded += 1;
			}
			loaded += segment.rows - notLoaded;
		}
	});
	if (failing.length > 0) {
		if (loaded === 0 || handBack === undefined || !owner.acceptsRejected) throw failing[0].error;
		const reasons = failing.map(({ error }) => handBack(error));
		const refusing = reasons.findIndex((reason) => reason === undefined);
		if (refusing >= 0) throw failing[refusing].error;
		failing.forEach(({ first, rows }, k) => {
			const reason = reasons[k] as X;
			for (let row = first; row < first + rows; row++) rejected.push({ row, reason });
		});
	}
	return rejected.sort((a, b) => a.row - b.row);
}
