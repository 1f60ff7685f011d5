// The one way tests wait for something they cannot be told about (a row count in Doris, an offset on
// the broker, a process answering): poll with a bound, and when giving up, say what was awaited and
// how far it got. Where the code under test emits an event, await the event instead.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
	/** Gives up after this long (default 30 s). */
	timeoutMs?: number;
	/** Pause between polls (default 50 ms). */
	intervalMs?: number;
	/** Added to the timeout error: how far it got (e.g. "41000 of 100000 rows"). */
	progress?: () => string | Promise<string>;
	/**
	 * An error thrown by the check counts as "not yet" (a service still starting) and is named in the
	 * timeout error; without this it ends the wait at once.
	 */
	retryErrors?: boolean;
	/** Ends the wait early (rejects with the signal's reason). */
	signal?: AbortSignal;
}

type Found<T> = Exclude<T, false | undefined | null>;

/**
 * Polls `check` until it returns something other than false, undefined or null, and returns that;
 * throws after `timeoutMs` naming `what`. A number in place of the options is the timeout.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, options: WaitOptions | number = {}): Promise<Found<T>> {
	const { timeoutMs = 30_000, intervalMs = 50, progress, retryErrors = false, signal } = typeof options === 'number' ? { timeoutMs: options } : options;
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		signal?.throwIfAborted();
		try {
			const value = await check();
			if (value !== false && value !== undefined && value !== null) return value as Found<T>;
		} catch (error) {
			if (!retryErrors) throw error;
			lastError = error;
		}
		if (Date.now() >= deadline) {
			const got = progress ? ` (${await progress()})` : '';
			const why = lastError === undefined ? '' : `; last error: ${(lastError as Error).message ?? String(lastError)}`;
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${got}${why}`);
		}
		await sleep(intervalMs, undefined, signal ? { signal } : undefined);
	}
}

/** Like waitFor, and returns how long the wait took (ms). */
export async function timeUntil(what: string, check: () => unknown, options: WaitOptions | number = {}): Promise<number> {
	const started = Date.now();
	await waitFor(what, check, options);
	return Date.now() - started;
}
