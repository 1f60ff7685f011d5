/**
 * Asks the FE what became of a label: `GET /api/{db}/get_load_state?label=...`
 * (fe/.../httpv2/rest/GetStreamLoadState.java → DatabaseTransactionMgr.getLabelState): the state of
 * the label's latest transaction, `{"msg":"success","code":0,"data":"VISIBLE","count":0}`, data one
 * of UNKNOWN, PREPARE, PRECOMMITTED, COMMITTED, VISIBLE, ABORTED. UNKNOWN means the FE holds no
 * transaction for the label: never used, or forgotten (a finished label is dropped after
 * `streaming_label_keep_max_second`, 12 h, or, oldest first, once the database holds more than
 * `label_num_threshold`, 2000, finished loads; cleanup every `transaction_clean_interval_second`).
 * In 2.1, 3.0 and 3.1 alike. In decoupled (cloud) mode CloudGlobalTransactionMgr.getLabelState asks
 * the meta-service (GetTxn by label; apache/doris PR #35904 per review session 19); earlier cloud
 * builds threw "Not supported", which reads here as "cannot ask" (both read in apache/doris; which
 * 3.0.x release first answers is unconfirmed). A pooled (undici) GET; a follower FE may redirect it
 * to the master (redirectToMaster), followed.
 */
import type { FollowingSend } from './redirect';

export type LabelState = 'UNKNOWN' | 'PREPARE' | 'PRECOMMITTED' | 'COMMITTED' | 'VISIBLE' | 'ABORTED' | string;

/** get_load_state of a label; undefined when no FE can say (no endpoint, unreachable). */
export type LabelStateAsker = (database: string, label: string, signal?: AbortSignal) => Promise<LabelState | undefined>;

/** The entity an FE's REST action answers (ResponseEntityBuilder: code 0 on success, msg, data). */
export interface FeEntity {
	code?: unknown;
	msg?: unknown;
	data?: unknown;
}

/** What a call about one label takes: the FE action under `/api/{db}/`, and how to reach it. */
export interface LabelCall {
	method: 'GET' | 'POST';
	action: 'get_load_state' | '_cancel';
	database: string;
	label: string;
	authorization: string;
	timeoutMs: number;
	signal?: AbortSignal;
}

/**
 * One FE's entity for `/api/{db}/{action}?label=…`, or undefined when it gives none we can read (another HTTP
 * status, not JSON, unreachable). Rejects only when `signal` gave up: no answer is not a reason to stop.
 */
export async function askFeAboutLabel(send: FollowingSend, feUrl: string, call: LabelCall): Promise<FeEntity | undefined> {
	const url = new URL(`/api/${encodeURIComponent(call.database)}/${call.action}`, feUrl);
	url.searchParams.set('label', call.label);
	try {
		const answer = await send({ method: call.method, url, headers: { Authorization: call.authorization }, timeoutMs: call.timeoutMs, signal: call.signal });
		if (answer.status !== 200) return undefined;
		const json: unknown = JSON.parse(answer.body);
		return typeof json === 'object' && json !== null ? (json as FeEntity) : undefined;
	} catch (error) {
		if (call.signal?.aborted === true) throw error;
		return undefined;
	}
}

/** The label's state from one FE, or undefined when this FE does not offer the endpoint (older Doris, cloud mode) or fails. */
export async function getLabelState(
	send: FollowingSend,
	feUrl: string,
	database: string,
	label: string,
	authorization: string,
	timeoutMs: number,
	signal?: AbortSignal,
): Promise<LabelState | undefined> {
	const json = await askFeAboutLabel(send, feUrl, { method: 'GET', action: 'get_load_state', database, label, authorization, timeoutMs, signal });
	if (json?.code !== 0 || typeof json.data !== 'string') return undefined;
	return json.data.toUpperCase();
}

/** The first answer of `ask` over the FEs in turn, starting with the one `first()` names; undefined when none answers. */
export async function firstFeAnswer<T>(feUrls: readonly string[], first: () => string | undefined, ask: (feUrl: string) => Promise<T | undefined>): Promise<T | undefined> {
	const start = Math.max(0, feUrls.indexOf(first() ?? ''));
	for (let i = 0; i < feUrls.length; i++) {
		const answer = await ask(feUrls[(start + i) % feUrls.length]);
		if (answer !== undefined) return answer;
	}
	return undefined;
}

/** Asks the FEs in turn, starting with the one `first()` names, until one can say. */
export function askFes(send: FollowingSend, feUrls: readonly string[], first: () => string | undefined, authorization: string, timeoutMs: number): LabelStateAsker {
	return (database, label, signal) => firstFeAnswer(feUrls, first, (feUrl) => getLabelState(send, feUrl, database, label, authorization, timeoutMs, signal));
}

/** What a label's state means for a load that used it. */
export type LabelReading =
	/** VISIBLE / COMMITTED: the batch is in. */
	| 'loaded'
	/** PREPARE / PRECOMMITTED: a load still holds it. */
	| 'running'
	/** ABORTED, or UNKNOWN for a label Doris never held for us: sending it again loads the batch once. */
	| 'free'
	/** UNKNOWN for a label Doris did hold for us: forgotten after finishing, loaded or not. */
	| 'cannot_tell'
	/** No FE answered get_load_state. */
	| 'cannot_ask';

export function readLabelState(state: LabelState | undefined, heldBefore: boolean): LabelReading {
	if (state === undefined) return 'cannot_ask';
	if (state === 'VISIBLE' || state === 'COMMITTED') return 'loaded';
	if (state === 'ABORTED') return 'free';
	if (state === 'UNKNOWN') return heldBefore ? 'cannot_tell' : 'free';
	return 'running';
}
