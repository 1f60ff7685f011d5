/**
 * Bodies the FE and BE answer with.
 * - BE: be/src/runtime/stream_load/stream_load_context.cpp `to_json`: keys in a fixed order, pretty
 *   printed, always HTTP 200 (example bodies in apache/doris PR #36831).
 * - FE: ResponseEntityBuilder (`{"msg","code","data","count"}`, HTTP 200 with the real code inside) and
 *   RestBaseResult (`{"status":"FAILED","msg":...}`) for the load action's own checks (LoadAction.java).
 */
import type { LoadStatus, StreamLoadResponse } from './types';

export interface ResponseInput {
	txnId: number;
	label: string;
	comment: string;
	groupCommit: boolean;
	twoPhaseCommit: boolean;
	status: LoadStatus;
	existingJobStatus?: string;
	message: string;
	total: number;
	loaded: number;
	filtered: number;
	unselected: number;
	loadBytes: number;
	loadTimeMs: number;
	readDataTimeMs: number;
	writeDataTimeMs: number;
	errorUrl?: string;
}

export function loadResponse(i: ResponseInput): StreamLoadResponse {
	const r: Partial<StreamLoadResponse> = { TxnId: i.txnId, Label: i.label, Comment: i.comment };
	// With group commit, TwoPhaseCommit is replaced by GroupCommit: true, and the two txn timings go.
	if (i.groupCommit) r.GroupCommit = true;
	else r.TwoPhaseCommit = i.twoPhaseCommit ? 'true' : 'false';
	r.Status = i.status;
	if (i.existingJobStatus !== undefined) r.ExistingJobStatus = i.existingJobStatus;
	r.Message = i.message;
	r.NumberTotalRows = i.total;
	r.NumberLoadedRows = i.loaded;
	r.NumberFilteredRows = i.filtered;
	r.NumberUnselectedRows = i.unselected;
	r.LoadBytes = i.loadBytes;
	r.LoadTimeMs = i.loadTimeMs;
	if (!i.groupCommit) r.BeginTxnTimeMs = 0;
	r.StreamLoadPutTimeMs = 1;
	r.ReadDataTimeMs = i.readDataTimeMs;
	r.WriteDataTimeMs = i.writeDataTimeMs;
	if (!i.groupCommit) r.CommitAndPublishTimeMs = i.status === 'Success' || i.status === 'Publish Timeout' ? 1 : 0;
	if (i.errorUrl !== undefined) r.ErrorURL = i.errorUrl;
	return r as StreamLoadResponse;
}

/** Pretty-printed with a trailing newline, as the BE's rapidjson PrettyWriter output plus "\n". */
export function loadResponseText(r: StreamLoadResponse): string {
	return JSON.stringify(r, null, 4) + '\n';
}

/** ResponseEntityBuilder body. `code` 0 for ok, 401 / 400 / 404 / 500 otherwise; HTTP status stays 200. */
export function feEntity(code: number, msg: string, data: unknown): string {
	return JSON.stringify({ msg, code, data, count: 0 });
}

/** RestBaseResult failure body (LoadAction: "There is no 100-continue header", "No database selected."). */
export function feRestBaseFailure(msg: string): string {
	return JSON.stringify({ status: 'FAILED', msg });
}
