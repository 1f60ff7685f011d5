/** Set-up shared by the batcher's unit tests: a JSON serializer, limits, and a loader the test drives. */
import type { BatchLimits } from '../../../src/batch/batch-limits';
import type { SealedBatch } from '../../../src/batch/batcher';
import { createSerializer } from '../../../src/doris/stream-load/wire-format';

export const json = createSerializer({ format: 'json' });

export const limits = (over: Partial<BatchLimits> = {}): BatchLimits => ({
	maxRows: 1000,
	maxBytes: 1 << 20,
	maxIntervalMs: 60_000,
	maxBufferedBytes: 8 << 20,
	maxInFlight: 1,
	...over,
});

/** A loader that records each sealed batch (and its body as text) and lets the test decide when each load ends. */
export function recorder() {
	const loads: { batch: SealedBatch; text: string; finish: (error?: Error) => void }[] = [];
	const waiters: Array<() => void> = [];
	const loader = (batch: SealedBatch) =>
		new Promise<string>((resolve, reject) => {
			loads.push({ batch, text: Buffer.concat(batch.body).toString(), finish: (error) => (error ? reject(error) : resolve(`loaded ${batch.id}`)) });
			for (const w of waiters.splice(0)) w();
		});
	/** The `count`-th load (1-based), once it has started. */
	const nextLoad = async (count: number) => {
		while (loads.length < count) await new Promise<void>((r) => waiters.push(r));
		return loads[count - 1];
	};
	return { loads, loader, nextLoad };
}
