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
 * So the label is looked up (the label guard's settleLast, the R1 lookup) until shortly before
 * `request.settleBy`: VISIBLE / COMMITTED is a success; ABORTED, or UNKNOWN for a label Doris never held,
 * rejects with the caller's failure (not loaded, never will be). A load still PREPARE then (or one no FE
 * would say about) is cancelled by its label (cancel-label.ts: the FE aborts a PREPARE transaction and
 * refuses its BE's commit after that), and the label is looked up once more, whatever the cancel answered
 * (cloud mode answers success to every cancel): ABORTED, it rejects with the caller's failure, not loaded;
 * VISIBLE / COMMITTED (committed meanwhile), loaded. Only a load Doris neither reported aborted nor
 * committed by `settleBy` rejects flagged mayBeInDoris: it may still commit (before the cancel, a PREPARE load at the deadline committed after it, its rows loading again
 * with the trigger's redelivery: review session 19, R2).
 */
import type { LabelCanceller } from './cancel-label';
import { StreamLoadError } from './errors';
import { answerFromState, forgottenLabel, type LabelGuard, type LoadOutcome } from './label-guard';
import type { LoadCall, LoadRequest, StreamLoadLogger } from './load-call';
import { readLabelState, type LabelStateAsker } from './load-state';

/** What settling a given-up load needs besides the label guard. */
export interface GiveUpTools {
	guard: LabelGuard;
	labelState: LabelStateAsker;
	cancel: LabelCanceller;
	logger?: StreamLoadLogger;
}

/** The part of the time until settleBy kept for the cancel and the last look: a third, at most 3 s. */
export const CANCEL_RESERVE_MAX_MS = 3_000;

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

/** Whether Doris may still commit the load a failure speaks of. */
function mayStillLand(error: unknown): boolean {
	return error instanceof StreamLoadError && error.mayBeInDoris;
}

/** What became of a given-up load's label, asked until `request.settleBy` (see the header). */
export async function settleGivenUp(tools: GiveUpTools, call: LoadCall, failure: unknown): Promise<LoadOutcome> {
	const { request } = call;
	const settleBy = request.settleBy ?? 0;
	const window = Math.max(1, settleBy - Date.now());
	const asking = AbortSignal.timeout(Math.max(1, Math.floor(window - Math.min(CANCEL_RESERVE_MAX_MS, window / 3))));
	try {
		return await tools.guard.settleLast({ ...call, request: { ...request, signal: asking } }, failure);
	} catch (error) {
		// ABORTED or never held (the failure itself), Doris forgot the label, a refusal: as settleLast says.
		if (error === failure || !(mayStillLand(error) || (asking.aborted && !(error instanceof StreamLoadError)))) throw error;
	}
	return await cancelOrSettle(tools, call, failure);
}

/** The load is still PREPARE (or no FE said): cancel it by its label, then look once more. */
async function cancelOrSettle(tools: GiveUpTools, call: LoadCall, failure: unknown): Promise<LoadOutcome> {
	const { request, history } = call;
	const label = request.label ?? '';
	const last = AbortSignal.timeout(Math.max(1, Math.floor((request.settleBy ?? 0) - Date.now())));
	const where = `${request.database}.${request.table}`;
	const cancelled = await tools.cancel(request.database, label, last).catch(() => undefined);
	// Whatever the cancel answered, get_load_state says what became of the label. Decoupled (cloud) mode
	// answers "success" to every cancel: CloudGlobalTransactionMgr.abortTransaction(dbId, label, reason)
	// never compares the meta-service's status with OK, so a label that committed just before the cancel
	// (TXN_INVALID_STATUS) reads "aborted" too (late review session 20, C1: counted not loaded, its rows
	// loaded again with the redelivery). Only ABORTED, read back, proves the rows will not land.
	const state = await tools.labelState(request.database, label, last).catch(() => undefined);
	switch (readLabelState(state, history.labelHeld)) {
		case 'loaded':
			history.record('label_exists');
			return { response: answerFromState(request, state ?? ''), labelExisted: true };
		case 'free':
			if (cancelled?.kind === 'aborted') {
				tools.logger?.warn(`Stream Load into ${where}: label "${label}" was still running in Doris when its rows' deadline came near; cancelled in Doris (not loaded), so it cannot commit after the deadline`, { label });
			}
			throw failure;
		case 'cannot_tell':
			throw forgottenLabel(request, 'its transaction had begun');
		default: {
			const why =
				cancelled === undefined
					? 'no FE answered the cancel'
					: cancelled.kind === 'aborted'
						? 'Doris answered the cancel, but get_load_state does not confirm the label ABORTED'
						: `Doris refused the cancel: ${cancelled.reason}`;
			const seen = state ?? (history.labelHeld ? 'PREPARE' : 'unknown (no answer)');
			throw mayStillCommit(request, failure, `${seen}; ${why}`);
		}
	}
}
