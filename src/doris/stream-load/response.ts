/**
 * Reads a Stream Load answer and decides what it means, exactly as Doris defines it:
 * - BE answers are HTTP 200 with `Status` one of Success, Publish Timeout, Label Already Exists, Fail
 *   (be/src/runtime/stream_load/stream_load_context.cpp `to_json`). "Publish Timeout" means
 *   "transaction commit successfully, BUT data will be visible later": committed, so a success
 *   (the kafka / flink connectors and doris-streamloader treat it the same way).
 * - "Label Already Exists" carries `ExistingJobStatus` (fe-core common/LabelAlreadyUsedException.java,
 *   2.1 / 3.x): FINISHED for a COMMITTED or VISIBLE transaction (an earlier attempt of this batch
 *   landed), RUNNING for PREPARE, PRECOMMITTED, and none (an empty string) from its label-only
 *   constructor, which decoupled (cloud) builds use for every label (stateInMessage). Anything but
 *   FINISHED is still open and must be waited for, never loaded again.
 * - ErrorURL is set only when the load filtered rows (runtime/stream_load/stream_load_executor.cpp).
 * - FE errors are HTTP 200 too: `{"status":"FAILED","msg":...}` (RestBaseResult, e.g. "There is no
 *   100-continue header") or `{"msg","code","data"}` with the real code inside (ResponseEntityBuilder:
 *   "All response will return with http code 200"). Both are errors, never success.
 */
import { StreamLoadError, type StreamLoadErrorKind } from './errors';
import type { LoadSend } from './load-call';
import { classifyMessage } from './messages';
import type { FollowedAnswer } from './redirect';
import { versionHint } from './version-hints';

export { classifyMessage } from './messages';

export interface DorisLoadResponse {
	TxnId?: number;
	Label?: string;
	Status: string;
	ExistingJobStatus?: string;
	Message?: string;
	NumberTotalRows?: number;
	NumberLoadedRows?: number;
	NumberFilteredRows?: number;
	NumberUnselectedRows?: number;
	LoadBytes?: number;
	LoadTimeMs?: number;
	ErrorURL?: string;
	[key: string]: unknown;
}

export type LoadVerdict =
	| { kind: 'loaded'; response: DorisLoadResponse }
	| { kind: 'already_loaded'; response: DorisLoadResponse }
	| { kind: 'label_busy'; response: DorisLoadResponse; state: string }
	| { kind: 'error'; error: StreamLoadError };

export interface VerdictContext {
	table: string;
	label?: string;
	/** Rows in the body: a success whose counts do not account for them is refused (rowCountMismatch). */
	rows?: number;
}

const DONE_STATES = new Set(['FINISHED', 'VISIBLE', 'COMMITTED']);

function parseJson(body: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(body);
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

function snippet(body: string): string {
	const flat = body.replace(/\s+/g, ' ').trim();
	return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

function count(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Why a success's row counts do not account for the rows sent, or undefined when they do (or Doris
 * gave none). Doris counts every row its reader read: NumberTotalRows = NumberLoadedRows +
 * NumberFilteredRows + NumberUnselectedRows (be/src/runtime/stream_load/stream_load_executor.cpp,
 * 2.1 / 3.x). A total below the rows sent means lines Doris never read as rows (its JSON line reader
 * skips an empty line without counting it: be/src/vec/exec/format/json/new_json_reader.cpp); above,
 * lines it split or a JSON array line it read as several rows. Either way rows are not where the
 * execution says, and Doris reports them nowhere.
 */
function rowCountMismatch(response: DorisLoadResponse, rows: number | undefined): string | undefined {
	const total = count(response.NumberTotalRows);
	if (rows === undefined || total === undefined) return undefined;
	const loaded = count(response.NumberLoadedRows) ?? 0;
	const filtered = count(response.NumberFilteredRows) ?? 0;
	const unselected = count(response.NumberUnselectedRows) ?? 0;
	if (total === rows && loaded + filtered + unselected === total) return undefined;
	return `${rows} row(s) sent, Doris read ${total} (${loaded} loaded, ${filtered} filtered, ${unselected} unselected)`;
}

/**
 * Why a success answer is a group commit's rather than our labelled load's, or undefined. With group
 * commit the answer carries `GroupCommit: true` instead of `TwoPhaseCommit` and the group commit's
 * label (be/src/runtime/stream_load/stream_load_context.cpp to_json). Doris 4.1 / master (apache/doris
 * PR #61242) group-commits a load that sends no group_commit header when its table's property
 * group_commit_mode is sync_mode / async_mode, label or not (be/src/http/action/stream_load.cpp
 * `_handle_group_commit` leaves the mode empty, StreamLoadExecutor::begin_txn then takes the table's
 * mode from the FE and replaces the label). The node sends group_commit: off_mode, which every BE
 * honours before it looks at the table (2.1, 3.0, 3.1, master); only the BE test switch
 * wait_internal_group_commit_finish overrides it (to sync_mode).
 */
function groupCommitAnswer(response: DorisLoadResponse, label: string | undefined): string | undefined {
	if (response.GroupCommit === true) return `GroupCommit true, label ${text(response.Label) || '?'}`;
	if (label !== undefined && typeof response.Label === 'string' && response.Label !== label) return `label ${response.Label} instead of ${label}`;
	return undefined;
}

/**
 * The label's state as a decoupled (cloud) Doris names it in the Message of a Label Already Exists
 * whose ExistingJobStatus is empty: CloudGlobalTransactionMgr.beginTransaction throws
 * LabelAlreadyUsedException(msg, false) with the meta-service's message and no job status (read in
 * master-era cloud sources; a later change, apache/doris PR #42700 per review session 19, sets it).
 * The `status=[TXN_STATUS_…]` wording is the review's; the meta-service texts read here
 * ("Label [l] has already been used, relate to txn [N]") name no state, and then '' stays: busy,
 * settled by get_load_state (label-guard.ts). '' when none is named.
 */
function stateInMessage(message: string): string {
	const named = /status=\[TXN_STATUS_([A-Z]+)\]/.exec(message)?.[1];
	if (named === 'VISIBLE' || named === 'COMMITTED') return named;
	if (named === 'PREPARED') return 'PREPARE';
	if (named === 'PRECOMMITTED') return named;
	return '';
}

/** The verdict on one HTTP answer of a Stream Load (after redirects). */
export function classifyLoadAnswer(status: number, body: string, context: VerdictContext): LoadVerdict {
	const where = `Doris table "${context.table}"`;
	const fail = (message: string, kind: StreamLoadErrorKind, retryable: boolean, response?: DorisLoadResponse, committed?: boolean, mayBeInDoris?: boolean): LoadVerdict => ({
		kind: 'error',
		error: new StreamLoadError(message, { kind, retryable, table: context.table, label: context.label, response, committed, mayBeInDoris }),
	});

	if (status !== 200) {
		if (status === 401 || status === 403) return fail(`Stream Load into ${where} was refused (HTTP ${status}): ${snippet(body)}`, 'auth', false);
		if (status === 404) return fail(`Stream Load into ${where}: endpoint not found (HTTP 404): ${snippet(body)}`, 'not_found', false);
		if (status >= 500 || status === 408 || status === 429) {
			return fail(`Stream Load into ${where} got HTTP ${status}: ${snippet(body)}`, 'http', true);
		}
		return fail(`Stream Load into ${where} got HTTP ${status}: ${snippet(body)}`, 'http', false);
	}

	const json = parseJson(body);
	if (json === undefined) {
		// Not Doris speaking (a proxy page, a truncated answer): worth another try, bounded.
		return fail(`Stream Load into ${where} got a non-JSON answer: ${snippet(body)}`, 'http', true);
	}

	if (typeof json.Status === 'string') {
		const response = json as DorisLoadResponse;
		const message = text(response.Message);
		switch (response.Status) {
			case 'Success':
			case 'Publish Timeout': {
				const groupCommit = groupCommitAnswer(response, context.label);
				if (groupCommit !== undefined) {
					// Taken by group commit: our label does not guard it (a retry would load it twice) and
					// async_mode answers before the rows are committed, but it may well land: not sent again.
					return fail(
						`Stream Load into ${where} was taken as a group commit load (${groupCommit}), not as the labelled load sent: ` +
							"Doris' label does not keep a retry from loading twice, and in async_mode the rows are not committed yet. The table's property group_commit_mode " +
							"(Doris 4.1+) or the BE's wait_internal_group_commit_finish made it so although the node sends group_commit: off_mode; the rows may be in Doris. Set the table's group_commit_mode to off_mode (ALTER TABLE … SET (\"group_commit_mode\" = \"off_mode\"))",
						'doris',
						false,
						response,
						false,
						true,
					);
				}
				const mismatch = rowCountMismatch(response, context.rows);
				if (mismatch === undefined) return { kind: 'loaded', response };
				// The transaction is committed: sending the label again would answer FINISHED and pass for
				// loaded, splitting the batch or redelivering its executions would load the rows that landed
				// again (twice in a DUPLICATE KEY table). Marked committed: the batch layer hands its rows
				// back with this reason (src/batch/doris-target.ts), and fails only executions that cannot
				// take them.
				return fail(
					`Stream Load into ${where} (label ${response.Label ?? context.label ?? '?'}) was committed with row counts that do not add up: ${mismatch}. ` +
						'Which rows Doris did not count it reports nowhere, so the load is not taken as done',
					'doris',
					false,
					response,
					true,
				);
			}
			case 'Label Already Exists': {
				const state = text(response.ExistingJobStatus).toUpperCase() || stateInMessage(message);
				if (DONE_STATES.has(state)) return { kind: 'already_loaded', response };
				return { kind: 'label_busy', response, state: state === '' ? 'UNKNOWN' : state };
			}
			default: {
				const filtered = typeof response.NumberFilteredRows === 'number' ? response.NumberFilteredRows : 0;
				const { kind, retryable } = classifyMessage(message, { errorUrl: typeof response.ErrorURL === 'string' && response.ErrorURL !== '', filteredRows: filtered });
				const reason = kind === 'data_quality' ? `Doris rejected rows (${filtered} filtered)` : `Doris answered ${response.Status}`;
				return fail(`Stream Load into ${where} failed: ${reason}: ${message || '(no message)'}${versionHint(message)}`, kind, retryable, response);
			}
		}
	}

	// FE errors in HTTP 200.
	if (typeof json.code === 'number' || (typeof json.msg === 'string' && typeof json.status !== 'string')) {
		const code = typeof json.code === 'number' ? json.code : 500;
		const message = [text(json.msg), text(json.data)].filter((s) => s !== '' && s !== 'null').join(': ');
		if (code === 401 || code === 403) return fail(`Stream Load into ${where} was refused by the FE: ${message}`, 'auth', false);
		if (code === 404) return fail(`Stream Load into ${where}: not found: ${message}`, 'not_found', false);
		const { kind, retryable } = classifyMessage(message);
		return fail(`Stream Load into ${where} failed at the FE (code ${code}): ${message}`, kind, code === 400 ? false : retryable);
	}
	if (typeof json.status === 'string') {
		const message = text(json.msg);
		const { kind, retryable } = classifyMessage(message);
		return fail(`Stream Load into ${where} failed at the FE: ${json.status}: ${message}`, kind, retryable);
	}
	return fail(`Stream Load into ${where} got an answer Doris does not define: ${snippet(body)}`, 'http', true);
}

/**
 * A verdict that is not an error: what the layers outside the verdict layer act on. `confirmed`:
 * this attempt's answer never came, but get_load_state found its label VISIBLE / COMMITTED.
 */
export type SettledVerdict = Exclude<LoadVerdict, { kind: 'error' }> | { kind: 'confirmed'; response: DorisLoadResponse };

/** Reads the first rejected rows of a refused load (error-log.ts), bounded; never throws. */
export type RejectedRowsReader = (errorUrl: string, answer: FollowedAnswer, signal?: AbortSignal) => Promise<string[]>;

/**
 * The verdict layer: each answer becomes a settled verdict, or a StreamLoadError thrown to the
 * retry layer. A refusal that retrying cannot change carries the first rows Doris rejected.
 */
export function judgeAnswers(next: LoadSend<FollowedAnswer>, readRejectedRows: RejectedRowsReader): LoadSend<Exclude<LoadVerdict, { kind: 'error' }>> {
	return async (call) => {
		const answer = await next(call);
		const verdict = classifyLoadAnswer(answer.status, answer.body, { table: call.request.table, label: call.request.label, rows: call.request.rows });
		if (verdict.kind !== 'error') return verdict;
		const error = verdict.error;
		const errorUrl = error.response?.ErrorURL;
		if (!error.retryable && typeof errorUrl === 'string' && errorUrl !== '') {
			error.rejectedRows = await readRejectedRows(errorUrl, answer, call.request.signal);
		}
		throw error;
	};
}
