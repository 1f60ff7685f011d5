/**
 * At most `size` executions in flight for one consumer. The consumer waits for room here before it
 * hands out the next execution, which is what bounds memory whatever the backlog: kafkajs fetches
 * the next batch only after eachBatch returns (runner.js handleBatch → fetcher.js waits for the
 * worker queue to drain before the next fetch). `onFull` / `onRoom` let the consumer pause and resume
 * fetching for the partitions it is not currently processing.
 */
export class ExecutionWindow {
	private inFlightCount = 0;
	private readonly waiters = new Set<() => void>();

	constructor(
		readonly size: number,
		private readonly onChange: (inFlight: number, full: boolean) => void = () => {},
	) {
		if (!Number.isInteger(size) || size < 1) throw new Error(`Executions in flight must be an integer ≥ 1, got ${size}`);
	}

	get inFlight(): number {
		return this.inFlightCount;
	}

	get hasRoom(): boolean {
		return this.inFlightCount < this.size;
	}

	acquire(): void {
		this.inFlightCount++;
		this.onChange(this.inFlightCount, this.inFlightCount >= this.size);
	}

	release(): void {
		this.inFlightCount--;
		this.onChange(this.inFlightCount, this.inFlightCount >= this.size);
		for (const wake of this.waiters) wake();
	}

	/**
	 * Resolves when a slot frees (true), when `timeoutMs` passes (false, so the caller can send a
	 * heartbeat and check whether it should still wait), or when `signal` aborts (false).
	 */
	waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
		return new Promise((resolve) => {
			if (signal?.aborted) return resolve(false);
			const finish = (changed: boolean) => {
				clearTimeout(timer);
				this.waiters.delete(wake);
				signal?.removeEventListener('abort', onAbort);
				resolve(changed);
			};
			const wake = () => finish(true);
			const onAbort = () => finish(false);
			const timer = setTimeout(() => finish(false), timeoutMs);
			this.waiters.add(wake);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	/** Waits until nothing is in flight, up to `timeoutMs`; true if drained. */
	async drain(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
		const deadline = Date.now() + timeoutMs;
		while (this.inFlightCount > 0) {
			const left = deadline - Date.now();
			if (left <= 0 || signal?.aborted) return false;
			await this.waitForChange(left, signal);
		}
		return true;
	}
}
