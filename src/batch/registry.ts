/**
 * The process-wide registry of batchers: one per target, shared by every execution in this process
 * that loads into it. `flushAll()` loads everything buffered at once; the Kafka trigger calls it when
 * it closes, and a SIGTERM handler calls it so a graceful stop never waits out a batch interval.
 */
import type { TargetBatcher } from './batcher';

const batchers = new Map<string, TargetBatcher<unknown, unknown>>();

export function getOrCreateBatcher<R, X>(key: string, create: () => TargetBatcher<R, X>): TargetBatcher<R, X> {
	let batcher = batchers.get(key) as TargetBatcher<R, X> | undefined;
	if (batcher === undefined) {
		batcher = create();
		batchers.set(key, batcher as TargetBatcher<unknown, unknown>);
		installShutdownFlush();
	}
	return batcher;
}

/** Seals every open batch in the process and waits until all buffered rows are loaded or failed. */
export async function flushAll(): Promise<void> {
	await Promise.all([...batchers.values()].map((b) => b.flushAndWait()));
}

/** Flushes and forgets every batcher (tests; a process that stops loading). */
export async function resetBatchers(): Promise<void> {
	await flushAll();
	batchers.clear();
}

export function batcherCount(): number {
	return batchers.size;
}

let shutdownInstalled = false;

/**
 * On SIGTERM/SIGINT, load what is buffered right away. n8n installs its own handlers and then waits
 * for running executions; ours makes the executions blocked on a batch finish promptly instead of
 * after the interval. When nobody else handles the signal, ours must not swallow it: after the
 * flush it re-raises the signal with default behaviour.
 */
function installShutdownFlush(): void {
	if (shutdownInstalled) return;
	shutdownInstalled = true;
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		const handler = () => {
			// Counted while ours runs FIRST (prependListener below): a handler added with `once` (as n8n
			// adds its shutdown handler) is removed just before it is called, so counting after it ran
			// would miss it, re-raise the signal and kill n8n in the middle of its graceful shutdown.
			const alone = process.listenerCount(signal) === 1;
			void flushAll().finally(() => {
				if (alone) {
					process.removeListener(signal, handler);
					process.kill(process.pid, signal);
				}
			});
		};
		process.prependListener(signal, handler);
	}
}
