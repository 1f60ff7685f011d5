/**
 * Joining the consumer group: waiting for the first join, and telling a rebalance from other errors.
 */
export interface JoinWaiter {
	promise: Promise<void>;
	done(): void;
	fail(error: Error): void;
}

/**
 * consumer.run() resolves even when the first join fails: runner.js start() hands the error to
 * onCrash, which emits CRASH. So activation waits for GROUP_JOIN (done) or CRASH (fail), bounded
 * because a JoinGroup never legitimately takes longer than the rebalance timeout.
 */
export function joinWaiter(boundMs: number, groupId: string): JoinWaiter {
	let settle!: (error?: Error) => void;
	const promise = new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => settle(new Error(`Kafka consumer group "${groupId}" was not joined within ${boundMs} ms`)), boundMs);
		let settled = false;
		settle = (error?: Error) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (error) reject(error);
			else resolve();
		};
	});
	// The waiter may be failed before anyone awaits it (a crash inside consumer.run()).
	promise.catch(() => {});
	return { promise, done: () => settle(), fail: (error) => settle(error) };
}

/** kafkajs errors.js isRebalancing, minus the coordinator moves: only a rebalance is worth draining for. */
export function isRebalanceInProgress(error: unknown): boolean {
	return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'REBALANCE_IN_PROGRESS';
}
