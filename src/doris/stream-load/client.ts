/**
 * The Stream Load client: one load = one label, sent until Doris has it exactly once.
 *
 * Built as layers around one HTTP exchange, each a function of the next one's `send` (the way undici
 * composes dispatchers), innermost first:
 * 1. request.ts     - one HTTP exchange (a PUT with Expect: 100-continue over node:http, GETs over undici);
 * 2. redirect.ts    - FE 307 → BE (or → the FE's https port), body and credentials re-sent by hand;
 * 3. failover.ts    - connection refused / unreachable at an FE: the next FE, at once;
 * 4. response.ts    - the verdict: success / already loaded / still running / error;
 * 5. silence.ts     - no answer long after the body went out: get_load_state says what became of it;
 * 6. label-guard.ts - a label Doris holds is waited for, never loaded twice; a forgotten one fails loudly;
 * 7. retry.ts       - transient failures again after backoff, ALWAYS with the same label;
 * 8. measure.ts     - metrics, the one place they are reported.
 *
 * Guarantee: `load` resolves only when Doris reported the batch committed (Success, Publish
 * Timeout, or the same label FINISHED/VISIBLE/COMMITTED) and, when it answered with row counts,
 * counted every row sent (response.ts rowCountMismatch), and rejects with a StreamLoadError
 * otherwise. Because the label never changes and is looked up (get_load_state) before it is sent
 * again after an attempt that may have landed, no sequence of lost answers, timeouts and retries
 * loads a batch twice; a label Doris forgot meanwhile (label_num_threshold finished loads per
 * database, streaming_label_keep_max_second) fails the load instead of being sent again.
 */
import { StreamLoadError, AbortError, scrub } from './errors';
import { DEFAULT_ERROR_LOG_LIMITS, fetchRejectedRows, isTrustedErrorUrl, type ErrorLogLimits } from './error-log';
import { failover, type Failover } from './failover';
import { givenUpAfterAttempt, settleGivenUp } from './give-up';
import { LabelFreeAgain, guardLabels, type LabelWait, type LoadOutcome } from './label-guard';
import type { LoadCall, LoadRequest, StreamLoadLogger } from './load-call';
import { askFes } from './load-state';
import { cancelAtFes } from './cancel-label';
import { measured, prometheusLoadMetrics, type LoadMetrics } from './measure';
import { followRedirects, type FollowingSend } from './redirect';
import { HttpTransport, TransportError } from './request';
import { judgeAnswers, type DorisLoadResponse } from './response';
import { DEFAULT_RETRY, checkRetryPolicy, retrying, type RetryPolicy } from './retry';
import { DEFAULT_SILENCE, watchSilence, type SilenceOptions } from './silence';

export type { AttemptOutcome, LoadRequest, StreamLoadLogger } from './load-call';

export interface StreamLoadClientConfig {
	feUrls: string[];
	/** Load straight to these BEs (round-robin) instead of through an FE redirect. */
	beUrls?: string[];
	user: string;
	password: string;
	tls?: { ca?: string; rejectUnauthorized: boolean };
	retry?: RetryPolicy;
	/** Per HTTP exchange: a load's hop from connect to last byte; a GET waiting for the answer's headers (and between its body chunks). */
	requestTimeoutMs?: number;
	/** Kept-alive connections per BE and per FE. Default 16. */
	maxConnections?: number;
	/** How long a hop waits for "100 Continue" before it sends the body anyway. Default 1 s (curl's). */
	continueTimeoutMs?: number;
	/** When to ask Doris about a load that took its body and does not answer. Default after 30 s, then every 5 s. */
	silence?: SilenceOptions;
	/** Waiting for a label held by a RUNNING earlier attempt. */
	labelWait?: LabelWait;
	errorLog?: ErrorLogLimits;
	logger?: StreamLoadLogger;
	/** Where attempt outcomes and rows are counted; Prometheus (src/metrics) by default. */
	metrics?: LoadMetrics;
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

/** The load failed for good after an attempt that ended without a verdict once its body may have reached a BE. */
function lastAttemptUnsettled({ request, history }: LoadCall, error: unknown): boolean {
	return history.unsettled && request.label !== undefined && !(error instanceof AbortError) && request.signal?.aborted !== true;
}

export class StreamLoadClient {
	private readonly transport: HttpTransport;
	private readonly addresses: Failover;
	private readonly send: (request: LoadRequest) => Promise<LoadResult>;
	private readonly readLog: (errorUrl: string, signal?: AbortSignal, limits?: ErrorLogLimits) => Promise<string[]>;
	/** Hosts of the cluster: the configured addresses and every FE/BE a load was sent to. */
	private readonly clusterHosts = new Set<string>();
	private closed = false;

	constructor(private readonly config: StreamLoadClientConfig) {
		if (config.feUrls.length === 0 && (config.beUrls ?? []).length === 0) {
			throw new Error('Stream Load client: at least one FE (or BE) address is required');
		}
		const retry = checkRetryPolicy(config.retry ?? DEFAULT_RETRY);
		this.transport = new HttpTransport({ tls: config.tls, connections: config.maxConnections });
		const authorization = `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`;
		const logger = config.logger;

		const addresses = [...config.feUrls, ...(config.beUrls ?? [])].map((url) => new URL(url));
		for (const url of addresses) this.clusterHosts.add(url.hostname.toLowerCase());
		const follow: FollowingSend = followRedirects((request) => this.transport.send(request), {
			feHosts: new Set(config.feUrls.map((url) => new URL(url).host)),
		});
		this.addresses = failover(follow, config, {
			authorization,
			timeoutMs: config.requestTimeoutMs ?? 660_000,
			continueTimeoutMs: config.continueTimeoutMs,
			logger,
		});
		// The cluster's own hosts only: a presigned object-store ErrorURL gets no credentials.
		this.readLog = (errorUrl, signal, limits) => {
			const credentials = isTrustedErrorUrl(errorUrl, this.clusterHosts) ? authorization : undefined;
			return fetchRejectedRows(follow, errorUrl, credentials, limits ?? config.errorLog ?? DEFAULT_ERROR_LOG_LIMITS, signal);
		};
		const remembered: Failover['send'] = async (call) => {
			const answer = await this.addresses.send(call);
			for (const hop of answer.hops) this.clusterHosts.add(hop.hostname);
			return answer;
		};
		const judged = judgeAnswers(remembered, (errorUrl, _answer, signal) => this.readLog(errorUrl, signal));
		const labelState = askFes(follow, config.feUrls, () => this.addresses.currentFe(), authorization, 10_000);
		const watched = watchSilence(judged, config.silence ?? DEFAULT_SILENCE, labelState, { logger, onStuck: () => this.addresses.skipFe() });
		const cancel = cancelAtFes(follow, config.feUrls, () => this.addresses.currentFe(), authorization, 10_000);
		const guard = guardLabels(watched, {
			labelState,
			cancel,
			wait: config.labelWait ?? { pollIntervalMs: 1000, maxWaitMs: 600_000 },
			logger,
		});
		const retried = retrying(guard.send, retry, {
			decide: (error) => {
				if (error instanceof LabelFreeAgain) return { retryable: true, delayMs: 0 };
				if (error instanceof StreamLoadError) return { retryable: error.retryable };
				return { retryable: error instanceof TransportError };
			},
			describe: (error) => this.describe(error),
			logger,
		});
		const settled = async (call: LoadCall): Promise<LoadResult> => {
			try {
				return this.result(call, await retried(call));
			} catch (error) {
				// Given up by its caller (a deadline) after an attempt began: the BE may commit it all the same (give-up.ts).
				const givenUp = givenUpAfterAttempt(call);
				if (!givenUp && !lastAttemptUnsettled(call, error)) throw this.finalError(error, call);
				// The retries are spent, but the body of the last attempt may have reached a BE, which commits
				// before it answers (be/src/http/action/stream_load.cpp `_handle`: commit_txn, then the reply;
				// 2.1 / 3.0 / 3.1 / master): failing now would have the rows redelivered under a fresh label.
				try {
					return this.result(call, await (givenUp ? settleGivenUp({ guard, labelState, cancel, logger }, call, error) : guard.settleLast(call, error)));
				} catch (final) {
					throw this.finalError(final, call);
				}
			}
		};
		this.send = measured(settled, config.metrics ?? prometheusLoadMetrics);
	}

	async load(request: LoadRequest): Promise<LoadResult> {
		if (this.closed) throw new StreamLoadError('Stream Load client is closed', { kind: 'config', retryable: false, table: request.table });
		return await this.send(request);
	}

	/**
	 * The first lines of a finished load's error log (its ErrorURL), bounded like a refusal's; [] when
	 * it has none or it cannot be read. For a load that succeeded with filtered rows (Max Filter
	 * Ratio > 0), whose rows Doris dropped without failing.
	 */
	async errorLog(result: Pick<LoadResult, 'response'>, limits?: ErrorLogLimits, signal?: AbortSignal): Promise<string[]> {
		const errorUrl = result.response?.ErrorURL;
		if (typeof errorUrl !== 'string' || errorUrl === '' || this.closed) return [];
		return await this.readLog(errorUrl, signal, limits);
	}

	private result({ request, history }: LoadCall, { response, labelExisted }: LoadOutcome): LoadResult {
		return {
			// Ours: an answer under another label is a group commit's and refused (response.ts groupCommitAnswer).
			label: request.label ?? (typeof response.Label === 'string' ? response.Label : ''),
			txnId: typeof response.TxnId === 'number' ? response.TxnId : undefined,
			status: response.Status,
			labelExisted,
			existingJobStatus: response.ExistingJobStatus,
			loadedRows: num(response.NumberLoadedRows),
			filteredRows: num(response.NumberFilteredRows),
			unselectedRows: num(response.NumberUnselectedRows),
			loadBytes: num(response.LoadBytes),
			loadTimeMs: num(response.LoadTimeMs),
			bytes: request.body.reduce((sum, chunk) => sum + chunk.length, 0),
			attempts: history.attempts,
			response,
		};
	}

	private describe(error: unknown): string {
		return scrub(error instanceof Error ? error.message : String(error), this.config.password);
	}

	/** Every failure leaves as a StreamLoadError naming the table, with no password in it. */
	private finalError(error: unknown, { request, history }: LoadCall): Error {
		const attempts = Math.max(1, history.attempts);
		if (error instanceof AbortError) return error;
		if (error instanceof StreamLoadError) {
			error.attempts = attempts;
			if (this.config.password !== '' && error.message.includes(this.config.password)) {
				const clean = new StreamLoadError(scrub(error.message, this.config.password), error);
				clean.rejectedRows = error.rejectedRows;
				clean.attempts = error.attempts;
				return clean;
			}
			return error;
		}
		const transport = error instanceof TransportError;
		const wrapped = new StreamLoadError(`Stream Load into Doris table "${request.table}" failed after ${attempts} attempt(s): ${this.describe(error)}`, {
			kind: transport && (error as TransportError).code === 'TIMEOUT' ? 'timeout' : 'connection',
			retryable: transport,
			table: request.table,
			label: request.label,
			cause: error,
		});
		wrapped.attempts = attempts;
		return wrapped;
	}

	/** Closes pooled connections; loads in flight fail. */
	close(): void {
		this.closed = true;
		this.transport.close();
	}
}
