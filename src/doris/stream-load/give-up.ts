/**
 * A load its caller gave up (`request.signal`, a deadline's margin: src/batch/load-deadline.ts) after an
 * attempt began. Giving up the HTTP exchange does not give up the load in Doris:
 * - a BE that has read the body goes on to commit it: closing the connection only makes
 *   free_handler_ctx cancel the body pipe ("sender is gone"; be/src/http/action/stream_load.cpp);
 * - a load that committed may answer much later (the BE waits for publish after commit_txn);
 * - the FE commits a transaction whatever its age: DatabaseTransactionMgr.commitTransaction refuses only
 *   an ABORTED one, and a PREPARE transaction past its `timeout` is aborted only by the txn cleaner
 *   (Env.createTxnCleaner → removeExpiredAndTimeoutTxns, reason "timeout by txn manager") on its sweep
 *   every transaction_clean_interval_second (30 s).
 * (Read in apache/doris' stored sources; the same shape in 2.1, 3.0 and 3.1 as far as the review and
 * these copies show. Decoupled (cloud) mode runs no such cleaner in the FE: the meta-service decides.)
 * So the label is looked up (the label guard's settleLast, the R1 lookup) until `request.settleBy`:
 * VISIBLE / COMMITTED is a success; ABORTED, or UNKNOWN for a label Doris never held, rejects with the
 * caller's failure (not loaded, never will be); still PREPARE, or no answer, at the end rejects flagged
 * mayBeInDoris: it may still commit.
 */
import { StreamLoadError } from './errors';
import type { LabelGuard, LoadOutcome } from './label-guard';
import type { LoadCall, LoadRequest } from './load-call';

/** The caller gave the load up after an attempt began, and asked for its label to be looked up. */
export function givenUpAfterAttempt({ request, history }: LoadCall): boolean {
	return request.settleBy !== undefined && request.signal?.aborted === true && request.label !== undefined && history.attempts > 0;
}

function mayStillCommit(request: LoadRequest, failure: unknown, state: string): StreamLoadError {
	const why = failure instanceof Error ? failure.message : String(failure);
	return new StreamLoadError(
		`Stream Load into Doris table "${request.table}": label "${request.label ?? ''}" was given up (${why}) and is still ${state} in Doris: ` +
			'the load may still commit (Doris aborts a timed-out load only on its txn cleaner\'s sweep, and a BE that has the body commits without its client)',
		{ kind: 'label', retryable: false, table: request.table, label: request.label, cause: failure, mayBeInDoris: true },
	);
}

/** What became of a given-up load's label, asked until `request.settleBy` (see the header). */
export async function settleGivenUp(guard: LabelGuard, call: LoadCall, failure: unknown): Promise<LoadOutcome> {
	const { request } = call;
	const asking = AbortSignal.timeout(Math.max(1, Math.floor((request.settleBy ?? 0) - Date.now())));
	try {
		return await guard.settleLast({ ...call, request: { ...request, signal: asking } }, failure);
	} catch (error) {
		// ABORTED or never held (the failure itself), forgotten, no FE answers: as settleLast says.
		if (error === failure || error instanceof StreamLoadError || !asking.aborted) throw error;
		throw mayStillCommit(request, failure, call.history.labelHeld ? 'PREPARE' : 'unknown (no answer)');
	}
}
