/**
 * Asks the FE what became of a label: `GET /api/{db}/get_load_state?label=...`, documented in the
 * Doris HTTP API reference ("Get Load State": `{"msg":"success","code":0,"data":"VISIBLE","count":0}`,
 * data one of UNKNOWN, PREPARE, PRECOMMITTED, COMMITTED, VISIBLE, ABORTED). Used when a retry meets
 * "Label Already Exists" with the earlier attempt still RUNNING: polling the state costs nothing,
 * where re-sending the batch would push its whole body again each time. A pooled (undici) GET;
 * a follower FE may redirect it to the master (GetStreamLoadState.java: redirectToMaster), followed.
 */
import type { FollowingSend } from './redirect';

export type LabelState = 'UNKNOWN' | 'PREPARE' | 'PRECOMMITTED' | 'COMMITTED' | 'VISIBLE' | 'ABORTED' | string;

/** The label's state, or undefined when this FE does not offer the endpoint (older Doris) or fails. */
export async function getLabelState(
	send: FollowingSend,
	feUrl: string,
	database: string,
	label: string,
	authorization: string,
	timeoutMs: number,
	signal?: AbortSignal,
): Promise<LabelState | undefined> {
	const url = new URL(`/api/${encodeURIComponent(database)}/get_load_state`, feUrl);
	url.searchParams.set('label', label);
	try {
		const answer = await send({ method: 'GET', url, headers: { Authorization: authorization }, timeoutMs, signal });
		if (answer.status !== 200) return undefined;
		const json = JSON.parse(answer.body) as { code?: unknown; data?: unknown };
		if (json.code !== 0 || typeof json.data !== 'string') return undefined;
		return json.data.toUpperCase();
	} catch (error) {
		if (signal?.aborted === true) throw error;
		return undefined;
	}
}
