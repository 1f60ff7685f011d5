/**
 * Loads of rows with a deadline: the Kafka trigger's Keep Order per Partition hands each execution's
 * rows the time after which it fails the execution and redelivers them (DorisItemInfo.loadBy; the
 * redelivery loads them again under a fresh label). A load of them must be settled before it: loaded,
 * or known not loaded.
 *
 * Doris cannot be told "not after this time". Its `timeout` does not stop a
 * commit: fe DatabaseTransactionMgr.commitTransaction refuses only an ABORTED transaction, and a
 * PREPARE transaction past its timeout is aborted only by the txn cleaner's sweep, every
 * transaction_clean_interval_second (30 s); a BE that has the body commits after its client left
 * (be/src/http/action/stream_load.cpp free_handler_ctx only cancels the body pipe); and a load that
 * committed just before the deadline often answers after it (the BE waits for publish). See
 * src/doris/stream-load/give-up.ts. So the exchange is given up a margin before the deadline, and the
 * margin is spent asking Doris (get_load_state) what became of the label:
 * - VISIBLE / COMMITTED: loaded; the execution finishes before its deadline and is not redelivered;
 * - ABORTED, or a label Doris never held: not loaded, a DeadlineError (the trigger redelivers);
 * - still PREPARE, or no answer, shortly before the margin is spent: cancelled by its label
 *   (src/doris/stream-load/cancel-label.ts); aborted, a DeadlineError (not loaded, cannot commit later);
 * - neither aborted nor reported committed by then: a DeadlineError, and an error log naming the label,
 *   table and rows: the load may still commit, and its rows then load twice.
 */
import type { StreamLoadLogger } from '../doris/stream-load/client';
import type { LoadOptions } from '../doris/stream-load/options';
import { LOAD_DEFAULTS } from './load-defaults';

/** Rows whose deadline (the Kafka trigger's Keep Order per Partition) came before their load did. */
export class DeadlineError extends Error {
	constructor(table: string, deadline: number) {
		super(
			`The batch for Doris table "${table}" was not loaded by its rows' deadline (${new Date(deadline).toISOString()}, the Kafka trigger's Execution Timeout with Keep Order per Partition); the trigger redelivers them`,
		);
		this.name = 'DeadlineError';
	}
}

/**
 * The margin before the deadline at which the exchange is given up: a third of the time left, at most
 * 10 s. Ten seconds let a load that has its body and is committing reach COMMITTED while we watch
 * (a commit RPC, a few get_load_state polls of 0.5–5 s); more would only take time from the load
 * itself. A third keeps two thirds of a short deadline for the load.
 */
export const DEADLINE_MARGIN_MAX_MS = 10_000;

/** Looking the label up stops this long (at most) before the deadline: the answer must reach the trigger first. */
export const SETTLE_SLACK_MAX_MS = 1_000;

export interface DeadlineBound {
	load: LoadOptions;
	/** Gives the exchange up (and the client's retries and label waits) at the margin. */
	signal?: AbortSignal;
	/** Until when the client asks get_load_state for a load given up after it began (LoadRequest.settleBy). */
	settleBy?: number;
}

/**
 * A load of rows with a deadline: given up `min(10 s, left / 3)` before it, with Doris' `timeout` cut
 * to the time until then (so a load that is merely slow fails in Doris instead of running on), and
 * looked up until `min(1 s, margin / 2)` before it.
 */
export function boundedByDeadline(load: LoadOptions, deadline: number | undefined, table: string): DeadlineBound {
	if (deadline === undefined) return { load };
	const left = deadline - Date.now();
	if (left <= 0) throw new DeadlineError(table, deadline);
	const margin = Math.min(DEADLINE_MARGIN_MAX_MS, left / 3);
	const exchangeMs = left - margin;
	const timeoutSeconds = Math.max(1, Math.min(load.timeoutSeconds ?? LOAD_DEFAULTS.timeoutSeconds, Math.floor(exchangeMs / 1000)));
	return {
		load: { ...load, timeoutSeconds },
		signal: AbortSignal.timeout(Math.max(1, Math.floor(exchangeMs))),
		settleBy: Math.floor(deadline - Math.min(SETTLE_SLACK_MAX_MS, margin / 2)),
	};
}

/**
 * A load given up at its deadline's margin that Doris still held open (PREPARE) or could not say about:
 * it may commit after the deadline, and the trigger's redelivery loads its rows again. Nothing can
 * prevent that now; the log makes the duplicates traceable to this label.
 */
export function reportMayStillCommit(
	target: { database: string; table: string; logger?: StreamLoadLogger },
	label: string,
	rows: number,
	error: Error,
): void {
	const message =
		`Stream Load into ${target.database}.${target.table}: label "${label}" (${rows} row(s)) was not settled by its rows' deadline and may still commit: its rows may load twice, ` +
		`once under this label and once more when the Kafka trigger redelivers them. ${error.message}`;
	const meta = { table: target.table, label, rows };
	if (target.logger?.error !== undefined) target.logger.error(message, meta);
	else target.logger?.warn(message, meta);
}
