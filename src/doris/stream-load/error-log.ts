/**
 * Reads the first rejected rows of a failed load from its ErrorURL, so the error a user sees shows
 * what Doris refused. Bounded in bytes, lines and time: an error log can be as large as the batch.
 * Read through the pooled (undici) transport.
 *
 * ErrorURL is the BE's `/api/_load_error_log?file=...` in 2.1 and coupled 3.x, but in decoupled
 * (cloud) mode with `save_load_error_log_to_s3` a presigned object-store URL (apache/doris PR
 * #36341, 3.0 on): the Doris credentials go only to a host of the cluster (`trustedHosts`), never
 * elsewhere, where they would leak and, next to the URL's own signature, make the store refuse.
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
	authorization: string | undefined,
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
			headers: authorization === undefined ? {} : { Authorization: authorization },
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

/** Whether the Doris credentials may go to this ErrorURL: its host is one of `hostnames` (lower case). */
export function isTrustedErrorUrl(errorUrl: string, hostnames: ReadonlySet<string>): boolean {
	try {
		return hostnames.has(new URL(errorUrl).hostname.toLowerCase());
	} catch {
		return false;
	}
}
