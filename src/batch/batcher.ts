/**
 * One target's batch, shared by every execution that loads into it.
 *
 * Guarantees:
 * - `add(rows)` resolves only when every batch holding those rows was loaded (an execution whose
 *   rows straddle two batches waits for both), and rejects when one of them failed for good.
 * - A batch is sealed and loaded when it reaches max rows or max bytes, when its first row has
 *   waited max interval, or on `flush()`. At most `maxInFlight` loads run at once, in seal order
 *   (1 keeps batches of one table in order, which CDC upserts/deletes without a sequence column need).
 * - Memory stays bounded: once buffered bytes (open + waiting + loading) reach `maxBufferedBytes`,
 *   or the process's bytes across every table reach its budget (memory-budget.ts), callers wait for
 *   loads to finish before adding more.
 * - Deadlines (AddOptions.deadline, the Kafka trigger's Keep Order per Partition): a batch holding
 *   rows with a deadline is sealed ahead of the earliest one, and its loader is told the deadline,
 *   after which it must not load them (doris-target.ts).
 * - A call whose signal aborts (n8n stopped its execution, which the Kafka trigger then redelivers) has
 *   its lines taken out of every batch not sent yet; lines already in a load stay (withdraw.ts).
 * - A call's input is an ordered list of parts, rows or chunks, appended in that order (CDC: an
 *   upsert and a delete of one key must reach Doris in offset order, whichever form carried them).
 * - Each batch knows which call added which of its lines (segments, one per stretch of a call's
 *   rows, not one per row). A loader that splits a refused batch reports per line: lines Doris
 *   refused (`verdicts.reject`) go back to the call that added them as rejected rows, numbered as
 *   that call counted its rows; lines whose part failed for good (`verdicts.fail`) fail only the
 *   calls that own them. A call whose lines all loaded or were refused succeeds. A call some of whose
 *   lines loaded is never failed when it takes refused rows back (a redelivery would load those
 *   lines twice): its lines that did not load come back as rejected rows (line-owners.ts).
 * - Chunks of pre-serialised lines (packed items: one string of JSON lines and its line count) join
 *   as one unit with the same accounting. A chunk that would take the open batch past max rows or
 *   max bytes seals it first, so a chunk is not cut in two without need. A chunk over the limits on
 *   its own is cut at line boundaries into pieces within them (never inside a line; a single line
 *   over max bytes goes alone): the limits stay what the user set (Doris timeouts, BE memory).
 * Hot path: rows are serialised once into the byte buffer; the per-execution cost is one array of
 * strings and one promise, nothing per row. A chunk is encoded once and, when large, kept as it is.
 * The open batch and the timers that seal it (interval, idle, deadline): open-batch.ts.
 */
import { AbortError } from '../doris/stream-load/errors';
import type { RowSerializer } from '../doris/stream-load/wire-format';
import { settleAll, Waiters } from './abortable-waits';
import { checkLimits, type BatchLimits } from './batch-limits';
import { chunkByteLength, chunkBytes, chunkFitsWhole, chunkPiece, isRows, serialiseParts, type BatchPart, type LineChunk } from './batch-parts';
import type { OwnerRun } from './isolate';
import { claim, join, lineVerdicts, ownerRuns, ownerVerdicts, RejectedRowsError, type BatchOutcome, type LineVerdicts, type Owner, type RejectedRow } from './line-owners';
import type { MemoryBudget } from './memory-budget';
import { QuietSeal } from './add-pace';
import { armIdle, createOpenBatch, stopTimers, takeDeadline, type OpenBatch } from './open-batch';
import { ownedRows, withdrawOwner, type StoppedRows, type StrandedRows } from './withdraw';

export { RejectedRowsError, type LineVerdicts, type RejectedRow } from './line-owners';
export type { StoppedRows, StrandedRows } from './withdraw';

export interface AddOptions {
	signal?: AbortSignal;
	flushNow?: boolean;
	/**
	 * Whether the caller can take rows back that Doris refused (default true). False: such a row fails
	 * the call (RejectedRowsError), and a batch none of whose callers takes them is not split at all.
	 */
	acceptsRejected?: boolean;
	/** Milliseconds since the epoch after which these rows must not start loading. */
	deadline?: number;
}

export interface SealedBatch {
	id: number;
	body: Buffer[];
	rows: number;
	bytes: number;
	/** How many add() calls (executions) put rows into it. */
	executions: number;
	/** Whether some call in it takes refused rows back (AddOptions.acceptsRejected): splitting it can help. */
	rejectable: boolean;
	/** The earliest deadline of its rows (ms since the epoch): not loaded after it. */
	deadline?: number;
	/** Its lines as runs of one call each (a loader that splits the batch keeps each call whole where it can). */
	owners: OwnerRun[];
}

export interface BatchReport<R> {
	batchId: number;
	rows: number;
	bytes: number;
	executions: number;
	result: R;
}

export interface AddResult<R, X = unknown> {
	rows: number;
	batches: BatchReport<R>[];
	/** The call's rows the loader reported as refused, in row order; they are not in Doris. */
	rejected: RejectedRow<X>[];
}

export interface BatcherHooks<X = unknown, R = unknown> {
	/**
	 * The reason a call's row gets when it did not load while other rows of the call did (see the
	 * header); undefined for an error that must fail the call. Without it such a call fails.
	 */
	handBack?(error: unknown): X | undefined;
	onSeal?(batch: { rows: number; bytes: number }): void;
	onSettled?(batch: { rows: number; bytes: number }, durationMs: number, error: unknown): void;
	onBuffered?(bytes: number): void;
	/** A call's signal aborted while rows of it were in batches (withdraw.ts): what was taken out, what stays. */
	onStopped?(stopped: StoppedRows<R>): void;
}

export class TargetBatcher<R, X = unknown> {
	private limits: BatchLimits;
	private open: OpenBatch<BatchReport<R>, X> | undefined;
	private readonly queue: OpenBatch<BatchReport<R>, X>[] = [];
	private readonly loading = new Set<OpenBatch<BatchReport<R>, X>>();
	private buffered = 0;
	private nextId = 1;
	private readonly roomWaiters = new Waiters();
	private readonly quiet = new QuietSeal({
		limits: () => this.limits,
		openSize: () => (this.open === undefined ? undefined : { rows: this.open.rows, bytes: this.open.buffer.byteLength }),
		loadsPending: () => this.loading.size > 0 || this.queue.length > 0,
		sealOpen: () => this.open !== undefined && this.seal(this.open),
	});

	constructor(
		limits: BatchLimits,
		private readonly serialize: RowSerializer,
		private readonly loader: (batch: SealedBatch, verdicts: LineVerdicts<X>) => Promise<R>,
		private readonly hooks: BatcherHooks<X, R> = {},
		/** The process's cap across every batcher (memory-budget.ts); none: only this batcher's own. */
		private readonly budget?: MemoryBudget,
	) {
		this.limits = checkLimits(limits);
		budget?.join({ openBytes: () => this.open?.buffer.byteLength ?? 0, sealOpen: () => this.flush() });
	}

	/** No more rows may join until a load frees room: this batcher's cap, or the process's. */
	private get noRoom(): boolean {
		return this.buffered >= this.limits.maxBufferedBytes || this.budget?.full === true;
	}

	private took(bytes: number): void {
		this.buffered += bytes;
		this.budget?.take(bytes);
	}

	/** Later executions may bring other limits (an edited workflow): the newest win. */
	setLimits(limits: BatchLimits): void {
		this.limits = checkLimits(limits);
		this.pump();
	}

	get bufferedBytes(): number {
		return this.buffered;
	}

	/** Batches sealed or loading, plus the open one. */
	get pendingBatches(): number {
		return this.queue.length + this.loading.size + (this.open === undefined ? 0 : 1);
	}

	/**
	 * Adds `parts` in their order. Chunks are trusted to hold the rows they say (the nodes check packed
	 * items with readPackedRows, src/common/packed-rows.ts, before they get here); one that does not end
	 * in "\n" fails the call before any row joins a batch (serialiseParts).
	 */
	async add(parts: ReadonlyArray<BatchPart>, options: AddOptions = {}): Promise<AddResult<R, X>> {
		if (options.signal?.aborted === true) throw new AbortError();
		// Serialise everything first: a bad row fails this execution before any of its rows joins
		// a batch shared with others.
		const { serialised, total, newline } = serialiseParts(parts, this.serialize);
		const touched: OpenBatch<BatchReport<R>, X>[] = [];
		const owner: Owner = { appended: 0, acceptsRejected: options.acceptsRejected !== false, deadline: options.deadline };
		// Stopped in n8n (its cancel signal aborts): the rows not sent yet come out, else they would load and
		// load again with the execution's redelivery (withdraw.ts).
		const onAbort = () => this.withdraw(owner, touched);
		options.signal?.addEventListener('abort', onAbort, { once: true });
		let settled: Array<PromiseSettledResult<BatchReport<R>>>;
		try {
			let next = 0;
			for (const part of parts) {
				let wait: Promise<void> | undefined;
				if (isRows(part)) wait = this.appendLines(serialised[next++], newline, owner, touched, options.signal);
				else if (part.text.length > 0) wait = this.addLines(part, owner, touched, options.signal);
				if (wait !== undefined) await wait;
			}
			if (options.flushNow === true && this.open !== undefined && touched.includes(this.open)) this.seal(this.open);
			else if (this.open !== undefined && touched.includes(this.open)) {
				armIdle(this.open, this.limits.maxIdleMs, this.sealIfOpen);
				this.quiet.added();
			}
			this.hooks.onBuffered?.(this.buffered);
			// Every batch holding the call's rows settles first: whether any of them loaded decides what a
			// failed one means for the call (line-owners.ts).
			settled = await settleAll(
				touched.map((b) => b.done),
				options.signal,
			);
		} finally {
			options.signal?.removeEventListener('abort', onAbort);
		}
		const outcomes: BatchOutcome[] = settled.map((s) => (s.status === 'fulfilled' ? { ok: true } : { ok: false, error: s.reason as unknown }));
		const rejected = ownerVerdicts(owner, touched, outcomes, this.hooks.handBack);
		if (rejected.length > 0 && !owner.acceptsRejected) throw new RejectedRowsError(rejected);
		const batches = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
		return { rows: total, batches, rejected };
	}

	/**
	 * Appends serialised rows one by one (a batch may seal between any two). Like addChunk, returns a
	 * promise only under back-pressure, for the rest of the rows.
	 */
	private appendLines(lines: string[], newline: boolean, owner: Owner, touched: OpenBatch<BatchReport<R>, X>[], signal: AbortSignal | undefined, start = 0): Promise<void> | undefined {
		for (let i = start; i < lines.length; i++) {
			// The check and the append must run in one synchronous stretch: several executions woken
			// together would otherwise all pass the check before any of them appends.
			if (this.noRoom) return this.roomFreed(signal).then(() => this.appendLines(lines, newline, owner, touched, signal, i));
			const batch = this.open ?? this.openBatch();
			if (touched[touched.length - 1] !== batch) this.join(batch, owner, touched);
			const bytes = batch.buffer.append(lines[i], newline);
			this.took(bytes);
			lines[i] = '';
			claim(batch, owner, 1, bytes);
			if (batch.rows >= this.limits.maxRows || batch.buffer.byteLength >= this.limits.maxBytes) this.seal(batch);
		}
		return undefined;
	}

	/**
	 * Appends a chunk of lines: whole, as its text (encoded when its batch loads, byte-buffer.ts), when it
	 * is within the limits on its own, as chunks nearly always are; else encoded now and cut at line
	 * ends (addChunk). Returns a promise only under back-pressure, as addChunk does.
	 */
	private addLines(chunk: LineChunk, owner: Owner, touched: OpenBatch<BatchReport<R>, X>[], signal: AbortSignal | undefined): Promise<void> | undefined {
		const byteLength = chunkByteLength(chunk);
		if (!chunkFitsWhole(chunk.rows, byteLength, this.limits)) return this.addChunk(chunkBytes(chunk), chunk.rows, owner, touched, signal);
		if (this.noRoom) return this.roomFreed(signal).then(() => this.addLines(chunk, owner, touched, signal));
		this.appendPiece({ text: chunk.text, bytes: byteLength }, chunk.rows, owner, touched);
		return undefined;
	}

	/**
	 * Appends a chunk, encoded once, as one piece; cut at line ends only when it is over the limits on
	 * its own. Returns a promise only under back-pressure (for the rest of the chunk): `await` always
	 * yields, and a flush or another execution must not slip between the parts of one call when there
	 * is room.
	 */
	private addChunk(bytes: Buffer, rows: number, owner: Owner, touched: OpenBatch<BatchReport<R>, X>[], signal: AbortSignal | undefined, start = 0): Promise<void> | undefined {
		while (start < bytes.length) {
			if (this.noRoom) {
				const from = start;
				return this.roomFreed(signal).then(() => this.addChunk(bytes, rows, owner, touched, signal, from));
			}
			const { end, lines } = chunkPiece(bytes, rows, start, this.limits);
			this.appendPiece(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), lines, owner, touched);
			start = end;
		}
		return undefined;
	}

	/** Appends one piece of lines: bytes, or a whole chunk's text and its UTF-8 length. */
	private appendPiece(piece: Buffer | { text: string; bytes: number }, rows: number, owner: Owner, touched: OpenBatch<BatchReport<R>, X>[]): void {
		const length = Buffer.isBuffer(piece) ? piece.length : piece.bytes;
		let batch = this.open;
		if (batch !== undefined && (batch.rows + rows > this.limits.maxRows || batch.buffer.byteLength + length > this.limits.maxBytes)) {
			this.seal(batch);
			batch = undefined;
		}
		batch ??= this.openBatch();
		if (touched[touched.length - 1] !== batch) this.join(batch, owner, touched);
		const bytes = Buffer.isBuffer(piece) ? batch.buffer.appendBytes(piece) : batch.buffer.appendText(piece.text, piece.bytes);
		this.took(bytes);
		claim(batch, owner, rows, bytes);
		if (batch.rows >= this.limits.maxRows || batch.buffer.byteLength >= this.limits.maxBytes) this.seal(batch);
	}

	/** Seals the open batch now (it loads as soon as a slot is free). */
	flush(): void {
		if (this.open !== undefined) this.seal(this.open);
	}

	/** Seals the open batch and waits until everything buffered has settled (loaded or failed). */
	async flushAndWait(): Promise<void> {
		this.flush();
		const pending = [...this.queue, ...this.loading].map((b) => b.done);
		await Promise.allSettled(pending);
	}

	private openBatch(): OpenBatch<BatchReport<R>, X> {
		this.open = createOpenBatch(this.nextId++, this.limits.maxIntervalMs, this.sealIfOpen);
		return this.open;
	}

	/** A timer's seal: only a batch still open (a full batch or flush() may have sealed it first). */
	private readonly sealIfOpen = (batch: OpenBatch<BatchReport<R>, X>): void => {
		if (this.open === batch) this.seal(batch);
	};

	/** The owner puts rows into `batch` (again, after rows in another batch); its deadline becomes the batch's. */
	private join(batch: OpenBatch<BatchReport<R>, X>, owner: Owner, touched: OpenBatch<BatchReport<R>, X>[]): void {
		join(batch, owner, touched);
		takeDeadline(batch, owner.deadline, this.open === batch, this.sealIfOpen);
	}

	private seal(batch: OpenBatch<BatchReport<R>, X>): void {
		stopTimers(batch);
		if (this.open === batch) this.open = undefined;
		this.hooks.onSeal?.({ rows: batch.rows, bytes: batch.buffer.byteLength });
		this.queue.push(batch);
		this.pump();
	}

	private pump(): void {
		while (this.loading.size < this.limits.maxInFlight && this.queue.length > 0) {
			const batch = this.queue.shift() as OpenBatch<BatchReport<R>, X>;
			this.loading.add(batch);
			void this.run(batch);
		}
	}

	private async run(batch: OpenBatch<BatchReport<R>, X>): Promise<void> {
		const bytes = batch.buffer.byteLength;
		const started = performance.now();
		let failure: unknown;
		try {
			const body = batch.buffer.finish();
			const result = await this.loader(
				{ id: batch.id, body, rows: batch.rows, bytes, executions: batch.executions, rejectable: batch.refusing < batch.executions, deadline: batch.deadline, owners: ownerRuns(batch.segments) },
				lineVerdicts(batch.verdicts, batch.rows, batch.id),
			);
			batch.report = { batchId: batch.id, rows: batch.rows, bytes, executions: batch.executions, result };
			batch.resolve(batch.report);
		} catch (error) {
			failure = error;
			batch.reject(error);
		} finally {
			this.loading.delete(batch);
			this.buffered -= bytes;
			this.budget?.give(bytes);
			this.hooks.onSettled?.({ rows: batch.rows, bytes }, performance.now() - started, failure);
			this.hooks.onBuffered?.(this.buffered);
			this.roomWaiters.wakeAll();
			this.pump();
			this.quiet.check();
		}
	}

	/**
	 * The call's signal aborted: its lines come out of every batch not sent yet (an emptied one is dropped);
	 * lines in a load already sent or done stay, and onStopped says so. Runs in the signal's listener, so
	 * it never throws: a withdrawal that fails leaves that batch as it was, reported as kept.
	 */
	private withdraw(owner: Owner, touched: ReadonlyArray<OpenBatch<BatchReport<R>, X>>): void {
		let withdrawn = 0;
		let freed = 0;
		const stranded: StrandedRows<R>[] = [];
		for (const batch of touched) {
			const queued = this.queue.indexOf(batch);
			if (batch !== this.open && queued < 0) {
				const rows = ownedRows(batch, owner);
				if (this.loading.has(batch)) stranded.push({ batchId: batch.id, rows, state: 'sending' });
				else if (batch.report !== undefined) stranded.push({ batchId: batch.id, rows, state: 'loaded', result: batch.report.result });
				continue;
			}
			try {
				const taken = withdrawOwner(batch, owner, batch === this.open, this.sealIfOpen);
				withdrawn += taken.rows;
				freed += taken.bytes;
			} catch (error) {
				stranded.push({ batchId: batch.id, rows: ownedRows(batch, owner), state: 'kept', error });
				continue;
			}
			if (batch.rows > 0 || batch.executions > 0) continue;
			// Only the stopped call's lines were in it: nothing to load, nobody waiting.
			stopTimers(batch);
			if (batch === this.open) this.open = undefined;
			else this.queue.splice(queued, 1);
			batch.reject(new AbortError());
		}
		if (freed > 0) {
			this.buffered -= freed;
			this.budget?.give(freed);
			this.hooks.onBuffered?.(this.buffered);
			this.roomWaiters.wakeAll();
		}
		if (withdrawn > 0 || stranded.length > 0) this.hooks.onStopped?.({ withdrawn, stranded });
	}

	/**
	 * Resolves when a load settles (room may be free again): one of this batcher's, or, when the process
	 * budget is what is spent, any; rejects with AbortError.
	 */
	private roomFreed(signal?: AbortSignal): Promise<void> {
		// Nothing loading that could free room: load the open batch early instead of waiting out its interval.
		if (this.queue.length === 0 && this.loading.size === 0 && this.open !== undefined) this.seal(this.open);
		let freed: Promise<void>;
		if (this.budget?.full === true) {
			// The process's cap: the biggest open batch anywhere loads now, and any settled load may make room.
			this.budget.relieve();
			freed = Promise.race([this.roomWaiters.next(signal), this.budget.freed(signal)]);
		} else {
			freed = this.roomWaiters.next(signal);
		}
		// Stopped while it waited: its withdrawal (withdraw.ts) freed room and woke every waiter, its own wait
		// included, before that wait's abort listener ran. Going on would append the rest of its rows after
		// they were taken out, to load with a later batch, unreported, and again with the redelivery (late
		// review session 20, W1).
		return freed.then(() => {
			if (signal?.aborted === true) throw new AbortError();
		});
	}
}

