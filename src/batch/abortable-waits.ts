/**
 * Waits an execution can give up on. An add() that waits for room (its batcher's cap, or the process's
 * memory budget) or for its batches to settle ends with AbortError when the execution's signal aborts
 * (n8n cancelled it), so no wait outlives its execution and no waiter is left registered behind it.
 */
import { AbortError } from '../doris/stream-load/errors';

/** Callers waiting for the next wakeAll() (a load settled: room may be free again). */
export class Waiters {
	private readonly waiting = new Set<() => void>();

	/** Resolves at the next wakeAll(), or rejects with AbortError when `signal` aborts. */
	next(signal?: AbortSignal): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			if (signal?.aborted === true) return reject(new AbortError());
			const onAbort = () => {
				this.waiting.delete(wake);
				reject(new AbortError());
			};
			const wake = () => {
				signal?.removeEventListener('abort', onAbort);
				// Woken while its signal's abort is being dispatched (before onAbort ran): it is aborted all the same.
				if (signal?.aborted === true) reject(new AbortError());
				else resolve();
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.waiting.add(wake);
		});
	}

	/** Every caller waiting now looks again; later callers wait for the next call. */
	wakeAll(): void {
		const waiters = [...this.waiting];
		this.waiting.clear();
		for (const wake of waiters) wake();
	}
}

/** Promise.allSettled that also gives up (with AbortError) when `signal` aborts. */
export function settleAll<T>(promises: Promise<T>[], signal?: AbortSignal): Promise<Array<PromiseSettledResult<T>>> {
	const all = Promise.allSettled(promises);
	if (signal === undefined) return all;
	return new Promise<Array<PromiseSettledResult<T>>>((resolve, reject) => {
		if (signal.aborted) return reject(new AbortError());
		const onAbort = () => reject(new AbortError());
		signal.addEventListener('abort', onAbort, { once: true });
		void all.then((value) => {
			signal.removeEventListener('abort', onAbort);
			resolve(value);
		});
	});
}
