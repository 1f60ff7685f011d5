/**
 * A load whose rows may be in Doris without Doris saying which: one it committed with row counts that
 * do not account for the rows sent (response.ts rowCountMismatch), or that left rows out unselected
 * without a `where` header (dropped-rows.ts unselectedWithoutWhere), or one whose last attempt ended
 * without an answer after its body went out while Doris cannot say what became of its label
 * (StreamLoadError.mayBeInDoris: label-guard.ts). Sending any of its rows again (a split of the batch,
 * a redelivery of its executions) would load those that landed twice. Its rows go back to their
 * executions instead, with rule doris_uncounted (rejected-items.ts), so each is visible and none is
 * sent again; used for a whole batch and for a part of a batch being split (doris-target.ts).
 */
import { StreamLoadError } from '../doris/stream-load/errors';
import type { LoadResult, StreamLoadLogger } from '../doris/stream-load/client';
import type { LineVerdicts } from './batcher';
import type { DorisRefusal } from './refusal';

/** The committed load as a result, with the rows handed back. */
export type UncountedOutcome = LoadResult & { rejectedRows: number };

/**
 * Why a row of such a load is handed back: it may be in Doris or not. A redelivery would not repair
 * that: the same body is read the same way, so a DUPLICATE KEY table would gain the rows that landed
 * on every redelivery.
 */
export function uncountedRefusal(error: StreamLoadError): DorisRefusal {
	const what = error.committed
		? 'Doris committed the load holding this row but cannot tell whether this row is in Doris'
		: 'this row may be in Doris: whether the load holding it committed Doris could not say';
	return {
		column: null,
		message: `${error.message}: ${what}; it is handed back instead of its execution being redelivered, which would load the rows that landed again`,
		errorLog: [],
		label: error.label ?? null,
		uncounted: true,
	};
}

/**
 * Doris committed the load without accounting for every row (rowCountMismatch, unselectedWithoutWhere),
 * or the load may be in Doris and Doris cannot say (StreamLoadError.mayBeInDoris).
 */
export function mayHaveLanded(error: unknown): error is StreamLoadError {
	return error instanceof StreamLoadError && (error.committed || error.mayBeInDoris);
}

/**
 * Lines [from, to) of a batch, loaded by that committed load, go back to their executions; an
 * execution that cannot take rows back (its Rejected output leads nowhere) fails and is redelivered.
 * `bytes` is left to the caller, which knows what it sent.
 */
export function handBackUncounted(verdicts: LineVerdicts<DorisRefusal>, from: number, to: number, error: StreamLoadError, table: string, logger: StreamLoadLogger | undefined): UncountedOutcome {
	const reason = uncountedRefusal(error);
	for (let line = from; line < to; line++) verdicts.reject(line, reason);
	logger?.warn(`${error.message}; its ${to - from} row(s) are handed back to their executions as doris_uncounted, not loaded again`, { table, label: error.label });
	const response = error.response;
	const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
	return {
		label: error.label ?? '',
		txnId: typeof response?.TxnId === 'number' ? response.TxnId : undefined,
		status: response?.Status ?? (error.committed ? 'Success' : 'Unsettled'),
		labelExisted: false,
		existingJobStatus: undefined,
		loadedRows: count(response?.NumberLoadedRows),
		filteredRows: count(response?.NumberFilteredRows),
		unselectedRows: count(response?.NumberUnselectedRows),
		loadBytes: count(response?.LoadBytes),
		loadTimeMs: count(response?.LoadTimeMs),
		bytes: 0,
		attempts: error.attempts,
		response,
		rejectedRows: to - from,
	};
}
