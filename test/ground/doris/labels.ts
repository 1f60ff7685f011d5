/**
 * Stream Load labels of one database, kept and forgotten the way Doris' FE keeps them
 * (fe/fe-core/.../transaction/DatabaseTransactionMgr.java, Doris 2.0 onwards, the same in 2.1, 3.0
 * and 3.1):
 * - `getLabelState` answers the state of the label's latest transaction: PREPARE while the load
 *   runs, COMMITTED / VISIBLE once committed, ABORTED once it failed, UNKNOWN when the FE holds no
 *   transaction for the label (never used, or forgotten).
 * - A label is taken while its load runs and after it succeeded; a failed (ABORTED) load's label is
 *   free again (apache/doris PR #17730).
 * - Finished transactions (VISIBLE and ABORTED) sit in a deque per database, oldest first.
 *   `removeUselessTxns`, run every `transaction_clean_interval_second` (30 s), first drops those
 *   older than `streaming_label_keep_max_second` (12 h, for Stream Load / INSERT labels), then, while
 *   the deque holds more than `label_num_threshold` (2000; 0 or less disables it), the oldest ones.
 *   So at 50 loads/s into one database a finished label is remembered for ~40 s, not 12 h.
 * - A running (PREPARE) transaction whose load `timeout` has passed is aborted by the same sweep
 *   (removeExpiredAndTimeoutTxns → abortTransaction(txnId, "timeout by txn manager"); the cleaner is
 *   Env.createTxnCleaner's MasterDaemon every transaction_clean_interval_second), not at the instant
 *   it expires: until the next sweep its BE may still commit it, as commitTransaction refuses only an
 *   ABORTED transaction. A commit after the sweep is refused ("is already aborted").
 * The three settings are options of the test server, so tests can make the window short.
 */

/** The test server's label states (LoadRecord / ExistingJobStatus spelling). */
export type LabelStatus = 'RUNNING' | 'PRECOMMITTED' | 'FINISHED' | 'ABORTED';

export interface LabelState {
	state: LabelStatus;
	txnId: number;
}

export interface LabelSettings {
	/** streaming_label_keep_max_second, in ms. */
	keepMaxMs: number;
	/** label_num_threshold: finished transactions kept per database beyond the age limit. */
	numThreshold: number;
	/** transaction_clean_interval_second, in ms. */
	cleanIntervalMs: number;
}

/** Doris' defaults (fe/fe-common/.../common/Config.java). */
export const DORIS_LABEL_DEFAULTS: LabelSettings = { keepMaxMs: 43_200_000, numThreshold: 2000, cleanIntervalMs: 30_000 };

/** DatabaseTransactionMgr.TXN_TIMEOUT_BY_MANAGER: the reason the cleaner gives a timed-out transaction. */
export const TXN_TIMEOUT_BY_MANAGER = 'timeout by txn manager';

interface Finished {
	label: string;
	txnId: number;
	at: number;
}

export class LabelBook {
	private readonly latest = new Map<string, LabelState>();
	private readonly finished: Finished[] = [];
	/** Running transactions: when their load's timeout passes (TransactionState.isTimeout). */
	private readonly timeouts = new Map<number, { label: string; at: number }>();
	private readonly abortReasons = new Map<number, string>();

	/** The label's latest transaction, as long as the FE remembers it. */
	get(label: string): LabelState | undefined {
		return this.latest.get(label);
	}

	/** Whether a new load may take the label: never used, forgotten, or its last load failed. */
	isFree(label: string): boolean {
		const held = this.latest.get(label);
		return held === undefined || held.state === 'ABORTED';
	}

	/** `timeoutMs`: the load's `timeout` header; the cleaner aborts the transaction on a sweep after it. */
	begin(label: string, txnId: number, timeoutMs = Infinity, now = Date.now()): void {
		this.latest.set(label, { state: 'RUNNING', txnId });
		this.timeouts.set(txnId, { label, at: now + timeoutMs });
	}

	/** Commits the running transaction; false when it is not running any more (aborted: commitTransaction "is already aborted"). */
	finish(label: string, txnId: number, now = Date.now()): boolean {
		return this.settle(label, txnId, 'FINISHED', now);
	}

	abort(label: string, txnId: number, now = Date.now(), reason = 'load failed'): void {
		if (this.settle(label, txnId, 'ABORTED', now)) this.abortReasons.set(txnId, reason);
	}

	/**
	 * `POST /api/{db}/_cancel?label=` (CancelLoadAction → DatabaseTransactionMgr.abortTransaction(label,
	 * "user cancel")): aborts the label's running (PREPARE) transaction, whose commit is refused after
	 * that; undefined when aborted, else Doris' reason (no transaction for the label, none running).
	 */
	cancel(label: string, now = Date.now()): string | undefined {
		const held = this.latest.get(label);
		if (held === undefined) return `transaction not found, label=${label}`;
		if (held.state !== 'RUNNING') return `running transaction not found, label=${label}`;
		this.abort(label, held.txnId, now, 'user cancel');
		return undefined;
	}

	/** Why the transaction was aborted, or undefined while it was not. */
	abortReason(txnId: number): string | undefined {
		return this.abortReasons.get(txnId);
	}

	/** DatabaseTransactionMgr.removeUselessTxns: expired first, then the oldest over the threshold. */
	clean(settings: LabelSettings, now = Date.now()): void {
		for (const [txnId, running] of this.timeouts) if (running.at < now) this.abort(running.label, txnId, now, TXN_TIMEOUT_BY_MANAGER);
		while (this.finished.length > 0 && now - this.finished[0].at > settings.keepMaxMs) this.forget(this.finished.shift() as Finished);
		while (settings.numThreshold > 0 && this.finished.length > settings.numThreshold) this.forget(this.finished.shift() as Finished);
	}

	private settle(label: string, txnId: number, state: LabelStatus, now: number): boolean {
		this.timeouts.delete(txnId);
		const held = this.latest.get(label);
		if (held?.txnId !== txnId || held.state === 'FINISHED' || held.state === 'ABORTED') return false;
		held.state = state;
		this.finished.push({ label, txnId, at: now });
		return true;
	}

	private forget(entry: Finished): void {
		// A later transaction of the same label (a retry after an abort) stays.
		this.abortReasons.delete(entry.txnId);
		if (this.latest.get(entry.label)?.txnId === entry.txnId) this.latest.delete(entry.label);
	}
}
