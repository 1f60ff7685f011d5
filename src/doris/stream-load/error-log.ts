/**
 * Reads the first rejected rows of a failed load from its ErrorURL (the BE's
 * `/api/_load_error_log?file=...`), so the error a user sees shows what Doris refused. Bounded in
 * bytes, lines and time: an error log can be as large as the batch. Read through the pooled
 * (undici) transport: a plain GET to the BE that loaded the batch.
 */
import { redactUrl } from './errors';
import type { FollowingSend } from './redirect';

export interface ErrorLogLimits {
	maxBytes: number;
	maxLines: number;
	timeoutMs: number;
}

export const DEFAULT_ERROR_LOG_LIMITS: ErrorLogLimits = { maxBytes: 16 * 1024, maxLines: 10, timeoutMs: 5000 };

/** The first lines of the error log; an empty list (never a throw) when it cannot be read. */
export async function fetchRejectedRows(
	send: FollowingSend,
	errorUrl: string,
	authorization: string,
	limits: ErrorLogLimits = DEFAULT_ERROR_LOG_LIMITS,
	signal?: AbortSignal,
): Promise<string[]> {
	let url: URL;
	try {
		url = new URL(errorUrl);
	} catch {
		return [];
	}
	try {
		const answer = await send({
			method: 'GET',
			url,
			headers: { Authorization: authorization },
			timeoutMs: limits.timeoutMs,
			maxResponseBytes: limits.maxBytes,
			signal,
		});
		if (answer.status !== 200) return [`(error log at ${redactUrl(url)} answered HTTP ${answer.status})`];
		return answer.body
			.split('\n')
			.map((line) => line.trimEnd())
			.filter((line) => line !== '')
			.slice(0, limits.maxLines)
			.map((line) => (line.length > 1000 ? `${line.slice(0, 1000)}…` : line));
	} catch {
		return [];
	}
}
