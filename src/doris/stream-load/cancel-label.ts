/**
 * Aborts a load Doris still holds open, by its label: `POST /api/{db}/_cancel?label=...`
 * (fe/fe-core/src/main/java/org/apache/doris/httpv2/rest/CancelLoadAction.java: executeCheckPassword,
 * redirectToMaster, LOAD privilege on the database, then GlobalTransactionMgr.abortTransaction(dbId,
 * label, "user cancel")). DatabaseTransactionMgr.abortTransaction(label, reason) looks only for the
 * label's PREPARE transaction ("transaction not found, label=…" when the FE holds none for the label,
 * "running transaction not found, …" when none of its transactions is PREPARE) and aborts it under the
 * write lock that commitTransaction also takes: a transaction is either aborted here, and its BE's
 * commit later refused ("is already aborted"), or already COMMITTED / VISIBLE, and the abort refused
 * ("is already COMMITTED, could not abort"). Answers: `{"msg":"success","code":0}` when aborted,
 * `{"msg":"Error","code":1,"data":"<why>"}` when refused (ResponseEntityBuilder.okWithCommonError).
 * Read in apache/doris master, with the same endpoint and call in the older httpv2 copies stored
 * (Catalog era). Decoupled (cloud) mode has CloudGlobalTransactionMgr.abortTransaction(dbId, label,
 * reason) behind the same endpoint, which never compares the meta-service's status with OK: it answers
 * success also where nothing was aborted (a label that committed meanwhile). So an `aborted` answer is
 * never taken alone: the callers read get_load_state afterwards (late review session 20, C1).
 *
 * Used where a load's rows have a deadline (src/doris/stream-load/give-up.ts): a load that is still
 * PREPARE when its caller must know is aborted, so it cannot commit after the deadline and load its rows
 * a second time beside their redelivery.
 */
import { askFeAboutLabel, firstFeAnswer } from './load-state';
import type { FollowingSend } from './redirect';

/** `aborted`: Doris aborted the label's PREPARE transaction; it will not commit. `refused`: Doris says why not. */
export type LabelCancel = { kind: 'aborted' } | { kind: 'refused'; reason: string };

/** Cancels a label's running load; undefined when no FE answers. */
export type LabelCanceller = (database: string, label: string, signal?: AbortSignal) => Promise<LabelCancel | undefined>;

/** One FE's answer to the cancel, or undefined when it gives none we can read. */
export async function cancelLabel(
	send: FollowingSend,
	feUrl: string,
	database: string,
	label: string,
	authorization: string,
	timeoutMs: number,
	signal?: AbortSignal,
): Promise<LabelCancel | undefined> {
	const json = await askFeAboutLabel(send, feUrl, { method: 'POST', action: '_cancel', database, label, authorization, timeoutMs, signal });
	if (json === undefined) return undefined;
	if (json.code === 0) return { kind: 'aborted' };
	if (typeof json.code !== 'number') return undefined;
	const reason = typeof json.data === 'string' ? json.data : typeof json.msg === 'string' ? json.msg : JSON.stringify(json);
	return { kind: 'refused', reason };
}

/** Asks the FEs in turn, starting with the one `first()` names, until one answers. */
export function cancelAtFes(send: FollowingSend, feUrls: readonly string[], first: () => string | undefined, authorization: string, timeoutMs: number): LabelCanceller {
	return (database, label, signal) => firstFeAnswer(feUrls, first, (feUrl) => cancelLabel(send, feUrl, database, label, authorization, timeoutMs, signal));
}
