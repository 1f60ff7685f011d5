/**
 * The retry layer of a Stream Load: exponential backoff with jitter (the shared formula,
 * common/backoff.ts), bounded both by a count and by the total time spent, every wait abortable.
 * The label does not change between attempts (the request keeps it), which is what makes retrying
 * safe: Doris answers a repeat of a landed load with "Label Already Exists" instead of loading it
 * again.
 */
import { backoffDelay as sharedBackoffDelay } from '../../common/backoff';
import { AbortError } from './errors';
import type { LoadSend, StreamLoadLogger } from './load-call';

export interface RetryPolicy {
	/** Attempts after the first. */
	maxRetries: number;
	/** Delay before the first retry; doubles each time. */
	initialDelayMs: number;
	maxDelayMs: number;
	/** No new attempt starts after this much time since the first. */
	maxElapsedMs: number;
}

/**
 * The client's policy when its caller gives none (the core pipeline, the benchmark). The Doris Stream
 * Load node gives its own: its Retries and Backoff, within 2 × (Timeout + 60 s) (nodes/DorisStreamLoad/settings.ts).
 */
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, initialDelayMs: 1000, maxDelayMs: 30_000, maxElapsedMs: 600_000 };

/**
 * Delay before retry number `retry` (1-based): "equal jitter", half fixed and half random, so
 * many sinkers failing together do not retry in lock-step yet each still backs off.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
	return sharedBackoffDelay({ initialMs: policy.initialDelayMs, maxMs: policy.maxDelayMs }, retry, 'equal', random);
}

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
	const whole = (name: string, value: number) => {
		if (!Number.isFinite(value) || value < 0) throw new Error(`Retry setting ${name} = ${value} must be a number ≥ 0`);
	};
	whole('maxRetries', policy.maxRetries);
	whole('initialDelayMs', policy.initialDelayMs);
	whole('maxDelayMs', policy.maxDelayMs);
	whole('maxElapsedMs', policy.maxElapsedMs);
	return policy;
}

/** Resolves after `ms`, or rejects with AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted === true) return Promise.reject(new AbortError());
	return new Promise((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(new AbortError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export interface RetryDecision {
	retryable: boolean;
	/** Overrides the backoff (e.g. 0 to re-send at once after a label was found free). */
	delayMs?: number;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy is spent. `decide` says whether
 * an error is worth another attempt; `onRetry` sees each retry (for metrics and logs).
 */
export async function withRetry<T>(
	policy: RetryPolicy,
	attempt: (attemptNo: number) => Promise<T>,
	decide: (error: unknown) => RetryDecision,
	options: { signal?: AbortSignal; onRetry?: (error: unknown, retry: number, delayMs: number) => void; now?: () => number } = {},
): Promise<T> {
	const now = options.now ?? Date.now;
	const started = now();
	for (let attemptNo = 1; ; attemptNo++) {
		if (options.signal?.aborted === true) throw new AbortError();
		try {
			return await attempt(attemptNo);
		} catch (error) {
			if (error instanceof AbortError || aborted(options.signal)) throw error;
			const decision = decide(error);
			const retry = attemptNo;
			if (!decision.retryable || retry > policy.maxRetries) throw tagAttempts(error, attemptNo);
			const delay = decision.delayMs ?? backoffDelay(policy, retry);
			if (now() + delay - started > policy.maxElapsedMs) throw tagAttempts(error, attemptNo);
			options.onRetry?.(error, retry, delay);
			await sleep(delay, options.signal);
		}
	}
}

function aborted(signal: AbortSignal | undefined): boolean {
	return signal?.aborted === true;
}

function tagAttempts(error: unknown, attempts: number): unknown {
	if (error !== null && typeof error === 'object' && 'attempts' in error) {
		(error as { attempts: number }).attempts = attempts;
	}
	return error;
}

export interface RetryLayerOptions {
	/** Whether an error is worth another attempt (and, optionally, after how long). */
	decide: (error: unknown) => RetryDecision;
	/** The error as a log line may show it (no password). */
	describe: (error: unknown) => string;
	logger?: StreamLoadLogger;
}

/**
 * The retry layer: runs the layers inside it once per attempt, numbering the attempts on the call,
 * and records each retry in the load's history (the metrics layer counts it).
 */
export function retrying<T>(next: LoadSend<T>, policy: RetryPolicy, options: RetryLayerOptions): LoadSend<T> {
	return (call) => {
		const { request, history } = call;
		return withRetry(
			policy,
			(attempt) => {
				history.attempts = attempt;
				return next({ ...call, attempt });
			},
			options.decide,
			{
				signal: request.signal,
				onRetry: (error, retry, delayMs) => {
					history.record('retried');
					options.logger?.warn(`Stream Load into ${request.database}.${request.table} will be retried (retry ${retry}, in ${delayMs} ms, same label)`, {
						label: request.label,
						reason: options.describe(error),
					});
				},
			},
		);
	};
}
