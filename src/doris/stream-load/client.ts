/**
 * The Stream Load client: one load = one label, sent until Doris has it exactly once.
 *
 * Layers around one HTTP exchange (request.ts: node:http for the FE leg, undici for the rest),
 * innermost first:
 * 1. redirect.ts  - FE 307 → BE, body and credentials re-sent by hand;
 * 2. failover     - connection refused / unreachable at an FE: the next FE, at once;
 * 3. verdict      - response.ts decides success / already loaded / still running / error;
 * 4. retry.ts     - transient failures again after backoff, ALWAYS with the same label.
 * A label found RUNNING is waited for (get_load_state), never loaded a second time.
 *
 * Guarantee: `load` resolves only when Doris reported the batch committed (Success, Publish
 * Timeout, or an earlier attempt of the same label FINISHED/VISIBLE/COMMITTED), and rejects with a
 * StreamLoadError otherwise. Because the label never changes, no sequence of lost answers,
 * timeouts and retries can load a batch twice (within Doris' label window, 12 h by default).
 */
import { StreamLoadError, AbortError, redactUrl, scrub } from './errors';
import { DEFAULT_ERROR_LOG_LIMITS, fetchRejectedRows, type ErrorLogLimits } from './error-log';
import { getLabelState } from './load-state';
import { sendFollowingRedirects, type FollowedAnswer } from './redirect';
import { HttpTransport, isConnectFailure, TransportError } from './request';
import { classifyLoadAnswer, type DorisLoadResponse } from './response';
import { DEFAULT_RETRY, checkRetryPolicy, sleep, withRetry, type RetryPolicy } from './retry';

export interface StreamLoadLogger {
	debug?(message: string, meta?: Record<string, unknown>): void;
	info(message: string, meta?: Record<string, unknown>): void;
	warn(message: string, meta?: Record<string, unknown>): void;
}

export type AttemptOutcome = 'success' | 'failed' | 'retried' | 'label_exists';

export interface StreamLoadClientConfig {
	feUrls: string[];
	/** Load straight to these BEs (round-robin) instead of through an FE redirect. */
	beUrls?: string[];
	user: string;
	password: string;
	tls?: { ca?: string; rejectUnauthorized: boolean };
	retry?: RetryPolicy;
	/** Per HTTP exchange: the FE leg from connect to last byte; a pooled one waiting for the answer's headers (and between its body chunks). */
	requestTimeoutMs?: number;
	/** Pooled keep-alive connections per BE (and per FE for GETs). Default 16. */
	maxConnections?: number;
	continueTimeoutMs?: number;
	/** Waiting for a label held by a RUNNING earlier attempt. */
	labelWait?: { pollIntervalMs: number; maxWaitMs: number };
	errorLog?: ErrorLogLimits;
	logger?: StreamLoadLogger;
	/** Per attempt outcome, for metrics. */
	onAttempt?: (table: string, outcome: AttemptOutcome) => void;
}

export interface LoadRequest {
	database: string;
	table: string;
	/** Undefined only with group commit (Doris assigns one). Must match headers.label. */
	label?: string;
	/** Doris headers from buildLoadHeaders. */
	headers: Record<string, string>;
	body: readonly Buffer[];
	signal?: AbortSignal;
}

export interface LoadResult {
	label: string;
	txnId?: number;
	/** Doris' Status of the answer that settled the load. */
	status: string;
	/** True when an earlier attempt of this label had already loaded the batch. */
	labelExisted: boolean;
	existingJobStatus?: string;
	loadedRows: number;
	filteredRows: number;
	unselectedRows: number;
	loadBytes: number;
	loadTimeMs: number;
	/** Body bytes sent per attempt (after compression). */
	bytes: number;
	attempts: number;
	response?: DorisLoadResponse;
}

function num(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Thrown inside the retry loop when a label turned out free again: re-send at once. */
class LabelFreeAgain extends Error {}

export class StreamLoadClient {
	private readonly transport: HttpTransport;
	private readonly retry: RetryPolicy;
	private readonly authorization: string;
	private preferredFe = 0;
	private nextBe = 0;
	private closed = false;

	constructor(private readonly config: StreamLoadClientConfig) {
		if (config.feUrls.length === 0 && (config.beUrls ?? []).length === 0) {
			throw new Error('Stream Load client: at least one FE (or BE) address is required');
		}
		this.retry = checkRetryPolicy(config.retry ?? DEFAULT_RETRY);
		this.transport = new HttpTransport({ tls: config.tls, connections: config.maxConnections });
		this.authorization = `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`;
	}

	async load(request: LoadRequest): Promise<LoadResult> {
		if (this.closed) throw new StreamLoadError('Stream Load client is closed', { kind: 'config', retryable: false, table: request.table });
		const bytes = request.body.reduce((sum, chunk) => sum + chunk.length, 0);
		let attempts = 0;
		const table = request.table;
		const outcome = (o: AttemptOutcome) => this.config.onAttempt?.(table, o);
		try {
			const result = await withRetry(
				this.retry,
				async (attemptNo) => {
					attempts = attemptNo;
					return await this.attempt(request, bytes, attemptNo);
				},
				(error) => {
					if (error instanceof LabelFreeAgain) return { retryable: true, delayMs: 0 };
					if (error instanceof StreamLoadError) return { retryable: error.retryable };
					return { retryable: error instanceof TransportError };
				},
				{
					signal: request.signal,
					onRetry: (error, retry, delayMs) => {
						outcome('retried');
						this.config.logger?.warn(`Stream Load into ${request.database}.${table} will be retried (retry ${retry}, in ${delayMs} ms, same label)`, {
							label: request.label,
							reason: this.describe(error),
						});
					},
				},
			);
			result.attempts = attempts;
			return result;
		} catch (error) {
			outcome('failed');
			throw this.finalError(error, request, attempts);
		}
	}

	/** One attempt: send (with failover and redirects), then act on Doris' verdict. */
	private async attempt(request: LoadRequest, bytes: number, attemptNo: number): Promise<LoadResult> {
		const answer = await this.sendWithFailover(request);
		const verdict = classifyLoadAnswer(answer.status, answer.body, { table: request.table, label: request.label });
		if (attemptNo === 1 && (verdict.kind === 'already_loaded' || verdict.kind === 'label_busy')) {
			// Labels are fresh per batch, so on a first attempt the label can only belong to another
			// load. Counting that as "already loaded" would drop this batch without a trace.
			throw new StreamLoadError(
				`Stream Load into Doris table "${request.table}": label "${request.label ?? ''}" is already used by another load (${verdict.response.ExistingJobStatus ?? 'unknown state'}); this batch was NOT loaded. Use a label prefix of its own for each workflow writing to this database.`,
				{ kind: 'label', retryable: false, table: request.table, label: request.label, response: verdict.response },
			);
		}
		switch (verdict.kind) {
			case 'loaded':
				this.config.onAttempt?.(request.table, 'success');
				return this.result(request, verdict.response, bytes, attemptNo, false);
			case 'already_loaded':
				this.config.onAttempt?.(request.table, 'label_exists');
				this.config.logger?.info(
					`Stream Load into ${request.database}.${request.table}: label already loaded by an earlier attempt (${verdict.response.ExistingJobStatus}); not loading again`,
					{ label: request.label, attempt: attemptNo },
				);
				return this.result(request, verdict.response, bytes, attemptNo, true);
			case 'label_busy':
				this.config.onAttempt?.(request.table, 'label_exists');
				return await this.waitForLabel(request, verdict.response, verdict.state, bytes, attemptNo);
			case 'error': {
				const error = verdict.error;
				const errorUrl = error.response?.ErrorURL;
				if (!error.retryable && typeof errorUrl === 'string' && errorUrl !== '') {
					error.rejectedRows = await fetchRejectedRows(this.transport, errorUrl, this.authorization, this.config.errorLog ?? DEFAULT_ERROR_LOG_LIMITS, request.signal);
				}
				throw error;
			}
		}
	}

	/**
	 * An earlier attempt holds the label and has not finished. Poll the FE's get_load_state until it
	 * is VISIBLE/COMMITTED (done: the batch is in), ABORTED/UNKNOWN (the label is free again: send
	 * the batch, same label), or the wait is over. Without that endpoint, wait and re-send: Doris
	 * answers "Label Already Exists" again until the earlier attempt ends.
	 */
	private async waitForLabel(request: LoadRequest, response: DorisLoadResponse, state: string, bytes: number, attemptNo: number): Promise<LoadResult> {
		const label = request.label ?? '';
		const wait = this.config.labelWait ?? { pollIntervalMs: 1000, maxWaitMs: 600_000 };
		const started = Date.now();
		let interval = Math.max(50, wait.pollIntervalMs);
		let current = state;
		this.config.logger?.info(`Stream Load into ${request.database}.${request.table}: label held by a running earlier attempt (${state}); waiting for it`, { label });
		for (;;) {
			if (Date.now() - started > wait.maxWaitMs) {
				throw new StreamLoadError(
					`Stream Load into Doris table "${request.table}": label "${label}" is still ${current} after ${Math.round(wait.maxWaitMs / 1000)} s. ` +
						(current === 'PRECOMMITTED'
							? 'A two-phase-commit transaction holds it; commit or abort it (PUT /api/{db}/_stream_load_2pc) or use another label prefix.'
							: 'Doris has not finished the earlier attempt; the batch was not loaded again.'),
					{ kind: 'label', retryable: false, table: request.table, label, response },
				);
			}
			await sleep(interval, request.signal);
			interval = Math.min(interval * 2, 5000);
			const fe = this.config.feUrls[this.preferredFe % Math.max(1, this.config.feUrls.length)];
			const next = fe === undefined ? undefined : await getLabelState(this.transport, fe, request.database, label, this.authorization, 10_000, request.signal);
			if (next === undefined) {
				// This FE has no get_load_state (older Doris): ask by re-sending the batch with the same
				// label. Doris answers "Label Already Exists" until the earlier attempt ends, then
				// FINISHED (done) or, if it failed, loads this one.
				const answer = await this.sendWithFailover(request);
				const verdict = classifyLoadAnswer(answer.status, answer.body, { table: request.table, label: request.label });
				if (verdict.kind === 'label_busy') {
					current = verdict.state;
					continue;
				}
				if (verdict.kind === 'error') throw verdict.error;
				this.config.onAttempt?.(request.table, verdict.kind === 'loaded' ? 'success' : 'label_exists');
				return this.result(request, verdict.response, bytes, attemptNo, verdict.kind === 'already_loaded');
			}
			current = next;
			if (next === 'VISIBLE' || next === 'COMMITTED') {
				this.config.logger?.info(`Stream Load into ${request.database}.${request.table}: earlier attempt of the label finished (${next}); not loading again`, { label });
				return this.result(request, { ...response, Status: 'Label Already Exists', ExistingJobStatus: next }, bytes, attemptNo, true);
			}
			if (next === 'ABORTED' || next === 'UNKNOWN') throw new LabelFreeAgain(`label ${label} is ${next}`);
		}
	}

	private async sendWithFailover(request: LoadRequest): Promise<FollowedAnswer> {
		const path = `/api/${encodeURIComponent(request.database)}/${encodeURIComponent(request.table)}/_stream_load`;
		const direct = this.config.beUrls ?? [];
		const bases = direct.length > 0 ? direct : this.config.feUrls;
		const start = direct.length > 0 ? this.nextBe++ % direct.length : this.preferredFe % bases.length;
		let lastError: unknown;
		for (let i = 0; i < bases.length; i++) {
			const index = (start + i) % bases.length;
			const url = new URL(path, bases[index]);
			try {
				const answer = await sendFollowingRedirects(this.transport, {
					method: 'PUT',
					url,
					headers: { ...request.headers, Authorization: this.authorization },
					body: request.body,
					// Through an FE: headers first (the FE leg, request.ts). Straight to a BE: the pool.
					expectContinue: direct.length === 0,
					continueTimeoutMs: this.config.continueTimeoutMs,
					timeoutMs: this.config.requestTimeoutMs ?? 660_000,
					signal: request.signal,
				});
				if (direct.length === 0) this.preferredFe = index;
				return answer;
			} catch (error) {
				lastError = error;
				if (!isConnectFailure(error) || i === bases.length - 1) throw error;
				this.config.logger?.warn(`Doris ${direct.length > 0 ? 'BE' : 'FE'} ${redactUrl(url.origin)} unreachable (${(error as TransportError).code}); trying the next one`);
			}
		}
		throw lastError;
	}

	private result(request: LoadRequest, response: DorisLoadResponse, bytes: number, attempts: number, labelExisted: boolean): LoadResult {
		return {
			label: typeof response.Label === 'string' && response.Label !== '' ? response.Label : (request.label ?? ''),
			txnId: typeof response.TxnId === 'number' ? response.TxnId : undefined,
			status: response.Status,
			labelExisted,
			existingJobStatus: response.ExistingJobStatus,
			loadedRows: num(response.NumberLoadedRows),
			filteredRows: num(response.NumberFilteredRows),
			unselectedRows: num(response.NumberUnselectedRows),
			loadBytes: num(response.LoadBytes),
			loadTimeMs: num(response.LoadTimeMs),
			bytes,
			attempts,
			response,
		};
	}

	private describe(error: unknown): string {
		return scrub(error instanceof Error ? error.message : String(error), this.config.password);
	}

	/** Every failure leaves as a StreamLoadError naming the table, with no password in it. */
	private finalError(error: unknown, request: LoadRequest, attempts: number): Error {
		if (error instanceof AbortError) return error;
		if (error instanceof StreamLoadError) {
			error.attempts = Math.max(1, attempts);
			if (this.config.password !== '' && error.message.includes(this.config.password)) {
				const clean = new StreamLoadError(scrub(error.message, this.config.password), error);
				clean.rejectedRows = error.rejectedRows;
				clean.attempts = error.attempts;
				return clean;
			}
			return error;
		}
		const transport = error instanceof TransportError;
		const wrapped = new StreamLoadError(
			`Stream Load into Doris table "${request.table}" failed after ${Math.max(1, attempts)} attempt(s): ${this.describe(error)}`,
			{
				kind: transport && (error as TransportError).code === 'TIMEOUT' ? 'timeout' : 'connection',
				retryable: transport,
				table: request.table,
				label: request.label,
				cause: error,
			},
		);
		wrapped.attempts = Math.max(1, attempts);
		return wrapped;
	}

	/** Closes pooled connections; loads in flight fail. */
	close(): void {
		this.closed = true;
		this.transport.close();
	}
}
