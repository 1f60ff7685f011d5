/**
 * Waits that end when an AbortSignal aborts. A promise cannot be cancelled, only stopped being waited
 * for: these race it against the signal, so one signal bounds every wait it is passed to.
 */

/**
 * True once `work` resolved; false when `signal` aborted first (then `work` goes on unwatched and a
 * later rejection of it is swallowed: nobody waits for it any more). Rejects when `work` rejects first.
 */
export function untilAborted(work: Promise<unknown>, signal: AbortSignal | undefined): Promise<boolean> {
	if (!signal) return work.then(() => true);
	if (signal.aborted) {
		work.catch(() => undefined);
		return Promise.resolve(false);
	}
	return new Promise<boolean>((resolve, reject) => {
		const onAbort = () => {
			work.catch(() => undefined);
			resolve(false);
		};
		signal.addEventListener('abort', onAbort, { once: true });
		work.then(
			() => {
				signal.removeEventListener('abort', onAbort);
				resolve(true);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}

/** Waits `ms`; true when they passed, false at once when `signal` aborts (the timer is cleared). */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return Promise.resolve(false);
	return new Promise<boolean>((resolve) => {
		const finish = (passed: boolean) => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
			resolve(passed);
		};
		const onAbort = () => finish(false);
		const timer = setTimeout(() => finish(true), ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
