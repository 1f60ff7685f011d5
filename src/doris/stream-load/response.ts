/**
 * Reads a Stream Load answer and decides what it means, exactly as Doris defines it:
 * - BE answers are HTTP 200 with `Status` one of Success, Publish Timeout, Label Already Exists, Fail
 *   (be/src/runtime/stream_load/stream_load_context.cpp `to_json`). "Publish Timeout" means
 *   "transaction commit successfully, BUT data will be visible later": committed, so a success
 *   (the kafka / flink connectors and doris-streamloader treat it the same way).
 * - "Label Already Exists" carries `ExistingJobStatus` (fe-core common/LabelAlreadyUsedException.java,
 *   2.1 / 3.x): FINISHED for a COMMITTED or VISIBLE transaction (an earlier attempt of this batch
 *   landed), RUNNING for PREPARE, PRECOMMITTED, and none (an empty string) from its label-only
 *   constructor. Anything but FINISHED is still open and must be waited for, never loaded again.
 * - ErrorURL is set only when the load filtered rows (runtime/stream_load/stream_load_executor.cpp).
 * - FE errors are HTTP 200 too: `{"status":"FAILED","msg":...}` (RestBaseResult, e.g. "There is no
 *   100-continue header") or `{"msg","code","data"}` with the real code inside (ResponseEntityBuilder:
 *   "All response will return with http code 200"). Both are errors, never success.
 */
import { StreamLoadError, type StreamLoadErrorKind } from './errors';
import type { LoadSend } from './load-call';
import type { FollowedAnswer } from './redirect';
import { versionHint } from './version-hints';

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

// What a Doris message means, by the text Doris writes. The BE's Message is Status::to_string(),
// `[CODE]text` (stream_load_context.cpp to_json, 2.1 / 3.x); an FE refusal during begin txn or
// planning arrives as `[ANALYSIS_ERROR]TStatus: errCode = N, detailMessage = ...` whatever its cause
// (FrontendServiceImpl.loadTxnBegin / streamLoadPut turn every UserException into ANALYSIS_ERROR), so
// the transient ones among those are listed here by their own words, checked before the code.
const RETRYABLE = [
	// -235 TOO_MANY_VERSION, "[E-235] Failed to init rowset builder" (doris-website load FAQ): the tablet
	// is over max_tablet_version_num; compaction catches up, so waiting helps.
	/-235\b/,
	/too many versions?/i,
	/TOO_MANY_VERSION/,
	/PUBLISH_TIMEOUT|publish timeout/i,
	// DatabaseTransactionMgr aborts a transaction past its timeout with this reason; its label is free again.
	/timeout by txn manager/i,
	// Status code names (be/src/common/status.h; not each checked against a real message).
	/MEM_LIMIT_EXCEEDED|memory limit|exceed.*memory/i,
	/TOO_MANY_TASKS|too many tasks/i,
	/-238\b|too many segments?/i,
	// FE LoadAction: SystemInfoService.NO_BACKEND_LOAD_AVAILABLE_MSG, "No backend load available." (2.x)
	// or "No backend available for load, …" (newer).
	/no (available )?backend|NO_BACKEND|backend.*not alive/i,
	/\brpc\b/i,
	// stream_load_executor.cpp begin_txn before the first FE heartbeat: "[SERVICE_UNAVAILABLE]Have not
	// get FE Master heartbeat yet"; an FE catalog still loading: "is not ready".
	/service unavailable|SERVICE_UNAVAILABLE|is not master|not ready/i,
	// DatabaseTransactionMgr.beginTransaction at max_running_txn_num_per_db: "current running txns on db
	// N is M, larger than limit M" (fe-config doc: wait and retry). 2.1, 3.0, 3.1.
	/current running txns on db .* larger than limit/i,
	// FrontendServiceImpl.streamLoadPut: "get table read lock timeout, database=…,table=…", the table
	// held by a schema change. 2.1, 3.0, 3.1.
	/read lock timeout/i,
];
const AUTH = [
	// stream_load.cpp _on_header: no or unreadable Basic auth.
	/no valid basic authorization/i,
	// FE checkPassword / privilege checks (begin txn, LoadAction): "Access denied for user …",
	// "LOAD command denied to user …".
	/access denied/i,
	/unauthori[sz]ed/i,
	/authentication failed/i,
	/command denied/i,
	/password/i,
];
// A missing table at begin txn / stream load put (ANALYSIS_ERROR, or NOT_FOUND in newer FEs): fe-core
// catalog DatabaseIf.getTableOrMetaException "unknown table, tableName=x" (2.x) or "table not found,
// tableName=x" (later); FrontendServiceImpl.streamLoadPut "unknown database, database=x".
const NOT_FOUND = [/unknown (table|database)/i, /(table|database) .*(not found|does not exist|doesn't exist)/i, /\bNOT_FOUND\b/, /no (table|database) selected/i];
const DATA_QUALITY = [
	// stream_load_executor.cpp: Status::DataQualityError("too many filtered rows") past max_filter_ratio.
	/filtered rows/i,
	/DATA_QUALITY_ERROR/,
	// A load stopped at its first bad row (max_filter_ratio 0): "[DATA_QUALITY_ERROR]Encountered unqualified
	// data, stop processing" (doris-website load FAQ), also wrapped as "[CANCELLED][DATA_QUALITY_ERROR]…";
	// a row with no partition gives "[END_OF_FILE]Encountered unqualified data" with NumberFilteredRows 0
	// (regression-test stream_load suites assert both).
	/unqualified data/i,
];
const PERMANENT = [
	/ANALYSIS_ERROR|INVALID_ARGUMENT/,
	/\binvalid\b/i,
	// stream_load.cpp _on_header: "unknown data format, format=…", "compress data of JSON format is not
	// supported." (2.1, 3.0.0-3.0.4), "label and group_commit can't be set at the same time".
	/unknown data format/i,
	/not supported/i,
	/can't be set at the same time/i,
	// LoadAction (RestBaseResult): a load without Expect.
	/no 100-continue header/i,
	// stream_load.cpp _on_header, from Content-Length: "The size of this batch exceed the max size [..] of
	// json type data" (streaming_load_json_max_mb) and "body exceed max size: N, data: M"
	// (streaming_load_max_mb): the same body is refused again.
	/exceed (the )?max size/i,
];
const GENERIC_TRANSIENT = [/time(d)? ?out/i, /cancel+ed/i, /connection (refused|reset)/i];

function matches(patterns: RegExp[], text: string): boolean {
	for (const pattern of patterns) if (pattern.test(text)) return true;
	return false;
}

/** Which kind of failure a Doris message describes, and whether trying again can help. */
export function classifyMessage(message: string, hints: { errorUrl?: boolean; filteredRows?: number } = {}): { kind: StreamLoadErrorKind; retryable: boolean } {
	if (matches(RETRYABLE, message)) return { kind: 'doris', retryable: true };
	if (matches(AUTH, message)) return { kind: 'auth', retryable: false };
	if (matches(NOT_FOUND, message)) return { kind: 'not_found', retryable: false };
	if (hints.errorUrl === true || (hints.filteredRows ?? 0) > 0 || matches(DATA_QUALITY, message)) {
		return { kind: 'data_quality', retryable: false };
	}
	if (matches(PERMANENT, message)) return { kind: 'doris', retryable: false };
	if (matches(GENERIC_TRANSIENT, message)) return { kind: 'doris', retryable: true };
	// An unknown Doris failure: retrying with the same label is safe (it cannot load twice) and the
	// attempts are bounded, so err on the side of trying again.
	return { kind: 'doris', retryable: true };
}

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
				const state = text(response.ExistingJobStatus).toUpperCase();
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
