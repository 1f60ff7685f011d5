/**
 * Loads of rows with a deadline: the Kafka trigger's Keep Order per Partition hands each execution's
 * rows the time after which it redelivers them (DorisItemInfo.loadBy), and a load of them must not
 * commit after it, or redelivered rows could land before older ones that were still loading.
 */
import type { LoadOptions } from '../doris/stream-load/options';
import { LOAD_DEFAULTS } from './load-defaults';

/** Rows whose deadline (the Kafka trigger's Keep Order per Partition) came before their load did. */
export class DeadlineError extends Error {
	constructor(table: string, deadline: number) {
		super(
			`The batch for Doris table "${table}" was not loaded by its rows' deadline (${new Date(deadline).toISOString()}, the Kafka trigger's Execution Timeout with Keep Order per Partition); it is not sent after it, so its rows cannot land after newer ones, and the trigger redelivers them`,
		);
		this.name = 'DeadlineError';
	}
}

/**
 * A load of rows with a deadline: no attempt starts after it (the signal also ends the one in
 * flight, and the client's retries and label waits), and Doris' own `timeout` for the load is cut to
 * the time left, so Doris aborts a transaction still open at the deadline instead of committing it
 * later (a Stream Load's transaction times out after its timeout: be/src/http/action/stream_load.cpp
 * passes it as the load's timeout_second, fe-core DatabaseTransactionMgr aborts timed-out
 * transactions).
 */
export function boundedByDeadline(load: LoadOptions, deadline: number | undefined, table: string): { load: LoadOptions; signal?: AbortSignal } {
	if (deadline === undefined) return { load };
	const left = deadline - Date.now();
	if (left <= 0) throw new DeadlineError(table, deadline);
	const timeoutSeconds = Math.max(1, Math.min(load.timeoutSeconds ?? LOAD_DEFAULTS.timeoutSeconds, Math.floor(left / 1000)));
	return { load: { ...load, timeoutSeconds }, signal: AbortSignal.timeout(left) };
}
