// Polling with a bound: every wait in the e2e suite says what it waited for when it gives up.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
	timeoutMs: number;
	intervalMs?: number;
	/** Described in the timeout error, with the last progress report. */
	what: string;
	/** Called on each poll for the error message (e.g. "41000 of 100000 rows"). */
	progress?: () => string | Promise<string>;
}

/** Polls `check` until it returns true; throws after timeoutMs naming `what` and the last progress. */
export async function waitUntil(check: () => boolean | Promise<boolean>, options: WaitOptions): Promise<number> {
	const started = Date.now();
	const deadline = started + options.timeoutMs;
	for (;;) {
		if (await check()) return Date.now() - started;
		if (Date.now() > deadline) {
			const progress = options.progress ? ` (${await options.progress()})` : '';
			throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${progress}`);
		}
		await sleep(options.intervalMs ?? 250);
	}
}
