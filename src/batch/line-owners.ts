/**
 * Which add() call (execution) owns which lines of a batch, and what the loader said about single
 * lines: the batcher records a segment per stretch of one call's rows (not one per row), and once a
 * batch settled each call collects the lines the loader refused (as its own row numbers) or fails
 * when a line of its own was in a part that failed for good. Used by batcher.ts.
 */

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

/** A stretch of one call's rows in a batch: batch lines [line, line + rows) are its rows [first, first + rows). */
export interface Segment {
	owner: Owner;
	line: number;
	first: number;
	rows: number;
}

/** What the loader said about single lines, read by the owners once the batch settled. */
export interface Settled<X> {
	rejected: Map<number, X>;
	failed: Array<{ from: number; to: number; error: unknown }>;
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

/** Records that `rows` lines just appended to `batch` are the owner's next rows. */
export function claim(batch: OwnedLines<unknown>, owner: Owner, rows: number): void {
	const last = batch.segments[batch.segments.length - 1];
	if (last !== undefined && last.owner === owner && last.first + last.rows === owner.appended) last.rows += rows;
	else batch.segments.push({ owner, line: batch.rows, first: owner.appended, rows });
	batch.rows += rows;
	owner.appended += rows;
}

/**
 * The owner's rows the loaders refused, in row order; throws the error of a part that failed for
 * good when one of the owner's lines was in it (the call fails, as when the whole batch failed).
 */
export function ownerVerdicts<X>(owner: Owner, batches: ReadonlyArray<OwnedLines<X>>): RejectedRow<X>[] {
	const rejected: RejectedRow<X>[] = [];
	for (const batch of batches) {
		const { verdicts } = batch;
		if (verdicts.rejected.size === 0 && verdicts.failed.length === 0) continue;
		for (const segment of batch.segments) {
			if (segment.owner !== owner) continue;
			const end = segment.line + segment.rows;
			for (const failed of verdicts.failed) if (failed.from < end && failed.to > segment.line) throw failed.error;
			if (verdicts.rejected.size === 0) continue;
			for (const [line, reason] of verdicts.rejected) {
				if (line >= segment.line && line < end) rejected.push({ row: segment.first + line - segment.line, reason });
			}
		}
	}
	return rejected.sort((a, b) => a.row - b.row);
}
