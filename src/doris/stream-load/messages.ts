/**
 * What a Doris failure message means: which kind of failure it describes and whether trying again
 * (always under the same label) can help. Read by the verdict layer (response.ts) for BE answers with
 * Status Fail and for FE refusals.
 */
import type { StreamLoadErrorKind } from './errors';

// What a Doris message means, by the text Doris writes. The BE's Message is Status::to_string(),
// `[CODE]text` (stream_load_context.cpp to_json, 2.1 / 3.x); an FE refusal during begin txn or
// planning arrives as `[ANALYSIS_ERROR]TStatus: errCode = N, detailMessage = ...` whatever its cause
// (FrontendServiceImpl.loadTxnBegin / streamLoadPut turn every UserException into ANALYSIS_ERROR), so
// the transient ones among those are listed here by their own words, checked before the code.
const RETRYABLE = [
	// A BE's RPC to the FE failed or timed out (be/src/util/thrift_rpc_helper.cpp Status::RpcError("failed
	// to call frontend service, FE address=…, reason: …"), `[RPC_ERROR]` in 2.1, 3.x and master,
	// THRIFT_RPC_ERROR in older releases). Checked before the ErrorURL / filtered-rows hint: a commit_txn
	// that timed out may have committed at the FE (DatabaseTransactionMgr.commitTransaction), and a load
	// with Max Filter Ratio > 0 carries an ErrorURL all the same. The retry under the same label settles it
	// (Label Already Exists, FINISHED; or the label free again after the BE's rollback); splitting the
	// batch under fresh labels would load its rows twice.
	/\bRPC_ERROR\b|THRIFT_RPC_ERROR|failed to call frontend service/i,
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
	// (streaming_load_max_mb) in 2.1 / 3.x; master and 4.x word them "[json ]body size N bytes (… MiB)
	// exceeds the limit of M bytes (… MiB) set by BE's conf streaming_load[_json]_max_mb" (EXCEEDED_LIMIT).
	// The same body is refused again.
	/exceed (the )?max size/i,
	/exceeds the limit of .*streaming_load(_json)?_max_mb/i,
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
