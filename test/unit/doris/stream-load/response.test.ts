import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { classifyLoadAnswer, classifyMessage } from '../../../../src/doris/stream-load/response';

const ctx = { table: 'orders', label: 'l1' };
const be = (extra: Record<string, unknown>) => JSON.stringify({ TxnId: 7, Label: 'l1', Status: 'Success', Message: 'OK', NumberLoadedRows: 3, ...extra }, null, 4);

describe('Stream Load answers', () => {
	it('Success and Publish Timeout are success', () => {
		assert.equal(classifyLoadAnswer(200, be({}), ctx).kind, 'loaded');
		const v = classifyLoadAnswer(200, be({ Status: 'Publish Timeout', Message: '[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later' }), ctx);
		assert.equal(v.kind, 'loaded');
	});

	it('a group commit answer (GroupCommit true, or a Label other than the one sent) is refused, never retried, and may be in Doris', () => {
		// Doris 4.1 / master: the table property group_commit_mode turns a load without a group_commit
		// header into group commit and replaces its label (be/src/http/action/stream_load.cpp
		// _handle_group_commit, stream_load_executor.cpp begin_txn; apache/doris PR #61242). The answer's
		// TwoPhaseCommit gives way to GroupCommit: true (stream_load_context.cpp to_json).
		for (const [what, body] of [
			['GroupCommit true', be({ Label: 'group_commit_4a1b2c', GroupCommit: true })],
			['GroupCommit true, our label', be({ GroupCommit: true })],
			['another label', be({ Label: 'group_commit_4a1b2c', TwoPhaseCommit: 'false' })],
			['Publish Timeout, another label', be({ Label: 'other', Status: 'Publish Timeout' })],
		] as const) {
			const v = classifyLoadAnswer(200, body, ctx);
			assert.equal(v.kind, 'error', what);
			if (v.kind !== 'error') continue;
			assert.equal(v.error.retryable, false, what);
			assert.equal(v.error.mayBeInDoris, true, what);
			assert.match(v.error.message, /group_commit_mode/, what);
			assert.match(v.error.message, /orders/, what);
		}
		assert.equal(classifyLoadAnswer(200, be({ TwoPhaseCommit: 'false' }), ctx).kind, 'loaded', 'our label, no group commit');
		assert.equal(classifyLoadAnswer(200, be({ Label: 'doris_uuid' }), { table: 'orders' }).kind, 'loaded', 'no label sent: Doris picks one');
	});

	it('Success whose row counts do not add up to the rows sent is an error that is never retried, not a success', () => {
		// Doris' counts (stream_load_executor.cpp): total = loaded + filtered + unselected, total = rows its reader read.
		const sent = { ...ctx, rows: 3 };
		const counts = (total: number, loaded: number, filtered = 0, unselected = 0) =>
			be({ NumberTotalRows: total, NumberLoadedRows: loaded, NumberFilteredRows: filtered, NumberUnselectedRows: unselected });
		assert.equal(classifyLoadAnswer(200, counts(3, 3), sent).kind, 'loaded');
		assert.equal(classifyLoadAnswer(200, counts(3, 1, 1, 1), sent).kind, 'loaded');
		// Doris read fewer lines than were sent (an empty line is skipped by its line reader): one row vanished.
		for (const [status, body] of [
			['Success', counts(2, 2)],
			['Publish Timeout', be({ Status: 'Publish Timeout', NumberTotalRows: 2, NumberLoadedRows: 2, NumberFilteredRows: 0, NumberUnselectedRows: 0 })],
			['more rows read than sent', counts(4, 4)],
			['loaded below total', counts(3, 2)],
		] as const) {
			const v = classifyLoadAnswer(200, body, sent);
			assert.equal(v.kind, 'error', status);
			if (v.kind !== 'error') continue;
			// Not retryable: the same label would come back "Label Already Exists" FINISHED and pass for loaded.
			assert.equal(v.error.retryable, false, status);
			// Not a row refusal: splitting the batch would load its rows again under fresh labels.
			assert.notEqual(v.error.kind, 'data_quality', status);
			assert.match(v.error.message, /3 row\(s\) sent/, status);
			assert.match(v.error.message, /committed/, status);
			// Marked committed: the batch layer hands its rows back instead of any of them being sent again.
			assert.equal(v.error.committed, true, status);
		}
		// Without the count of rows sent (a caller that does not say) the answer is taken as it is.
		assert.equal(classifyLoadAnswer(200, counts(2, 2), ctx).kind, 'loaded');
	});

	it('Label Already Exists: FINISHED/VISIBLE is an earlier success, RUNNING/PRECOMMITTED must be waited for', () => {
		for (const s of ['FINISHED', 'VISIBLE', 'COMMITTED']) {
			assert.equal(classifyLoadAnswer(200, be({ Status: 'Label Already Exists', ExistingJobStatus: s }), ctx).kind, 'already_loaded');
		}
		for (const s of ['RUNNING', 'PRECOMMITTED', 'PREPARE']) {
			const v = classifyLoadAnswer(200, be({ Status: 'Label Already Exists', ExistingJobStatus: s }), ctx);
			assert.equal(v.kind, 'label_busy');
			assert.equal(v.kind === 'label_busy' && v.state, s);
		}
	});

	it('Label Already Exists with an empty ExistingJobStatus (decoupled mode): the state is read from the Message when it names one (review session 19, R8)', () => {
		// CloudGlobalTransactionMgr.beginTransaction throws LabelAlreadyUsedException(msg, false): no job
		// status, so the BE writes "" (stream_load_executor.cpp begin_txn sets it only when the FE did).
		const exists = (message: string) => be({ Status: 'Label Already Exists', ExistingJobStatus: '', TxnId: -1, Message: message });
		const prefix = '[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = Label [l1] has already been used, relate to txn [602531767123968]';
		for (const s of ['VISIBLE', 'COMMITTED']) assert.equal(classifyLoadAnswer(200, exists(`${prefix}, status=[TXN_STATUS_${s}]`), ctx).kind, 'already_loaded', s);
		for (const [s, state] of [['PREPARED', 'PREPARE'], ['PRECOMMITTED', 'PRECOMMITTED']]) {
			const v = classifyLoadAnswer(200, exists(`${prefix}, status=[TXN_STATUS_${s}]`), ctx);
			assert.equal(v.kind === 'label_busy' && v.state, state, s);
		}
		// The meta-service's own wording (cloud/src/meta-service) names no state: still busy, asked with get_load_state.
		const bare = classifyLoadAnswer(200, exists(prefix), ctx);
		assert.equal(bare.kind === 'label_busy' && bare.state, 'UNKNOWN');
	});

	it('Fail with an ErrorURL is a permanent data-quality error naming the table', () => {
		const v = classifyLoadAnswer(200, be({ Status: 'Fail', Message: '[DATA_QUALITY_ERROR]too many filtered rows', NumberFilteredRows: 2, ErrorURL: 'http://be/api/_load_error_log?file=x' }), ctx);
		assert.equal(v.kind, 'error');
		if (v.kind !== 'error') return;
		assert.equal(v.error.kind, 'data_quality');
		assert.equal(v.error.retryable, false);
		assert.match(v.error.message, /Doris table "orders"/);
		assert.match(v.error.message, /2 filtered/);
	});

	it('-235 and transient Doris failures are retryable; auth and unknown table are not', () => {
		const retry = (m: string) => {
			const v = classifyLoadAnswer(200, be({ Status: 'Fail', Message: m, NumberLoadedRows: 0 }), ctx);
			assert.equal(v.kind, 'error');
			return v.kind === 'error' ? v.error : undefined;
		};
		assert.equal(retry('[E-235]failed to init rowset builder, too many versions')?.retryable, true);
		assert.equal(retry('[TOO_MANY_VERSION]x')?.retryable, true);
		assert.equal(retry('timeout by txn manager')?.retryable, true);
		assert.equal(retry('[ANALYSIS_ERROR]TStatus: errCode = 7, detailMessage = unknown table, tableName=x')?.kind, 'not_found');
		assert.equal(retry('[ANALYSIS_ERROR]TStatus: errCode = 7, detailMessage = unknown table, tableName=x')?.retryable, false);
		assert.equal(retry('[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=x')?.kind, 'not_found');
		const auth = retry("[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for user 'x@1' (using password: YES)");
		assert.equal(auth?.kind, 'auth');
		assert.equal(auth?.retryable, false);
		assert.equal(retry('[INTERNAL_ERROR]no valid Basic authorization')?.kind, 'auth');
	});

	it('begin-txn and plan refusals that waiting cures are retryable, though Doris wraps them as ANALYSIS_ERROR', () => {
		const verdict = (m: string) => {
			const v = classifyLoadAnswer(200, be({ Status: 'Fail', Message: m, NumberLoadedRows: 0 }), ctx);
			return v.kind === 'error' ? [v.error.kind, v.error.retryable] : [v.kind];
		};
		// DatabaseTransactionMgr (max_running_txn_num_per_db) through FrontendServiceImpl.loadTxnBegin.
		assert.deepEqual(verdict('[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = current running txns on db 10006 is 100, larger than limit 100'), ['doris', true]);
		// FrontendServiceImpl.streamLoadPut: the table's read lock, held by a schema change.
		assert.deepEqual(verdict('[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = get table read lock timeout, database=d,table=t'), ['doris', true]);
	});

	it('a body over streaming_load_max_mb is permanent: the same body is refused again', () => {
		const v = classifyLoadAnswer(200, be({ Status: 'Fail', Message: '[INTERNAL_ERROR]body exceed max size: 10737418240, data: 10737418241', NumberLoadedRows: 0 }), ctx);
		assert.equal(v.kind === 'error' && v.error.retryable, false);
		// Every batch that size is refused: the message says which setting to lower.
		assert.match(v.kind === 'error' ? v.error.message : '', /hint: .*Batch Max Size \(MB\) .*streaming_load_max_mb/);
	});

	it('master / 4.x words the body-size refusals differently: still permanent, still with the hint (review session 19, R7)', () => {
		// be/src/http/action/stream_load.cpp _on_header (master): Status::Error<EXCEEDED_LIMIT>(...).
		for (const [message, setting] of [
			["[EXCEEDED_LIMIT]body size 11811160064 bytes (11264.00 MiB) exceeds the limit of 10737418240 bytes (10240 MiB) set by BE's conf streaming_load_max_mb. Increase it if you are sure this load is reasonable", /streaming_load_max_mb/],
			["[EXCEEDED_LIMIT]json body size 209715200 bytes (200.00 MiB) exceeds the limit of 104857600 bytes (100 MiB) set by BE's conf streaming_load_json_max_mb. Increase it if you are sure this load is reasonable", /streaming_load_json_max_mb/],
			["[INTERNAL_ERROR]The size of this batch exceed the max size [104857600]  of json type data  data [ 209715200 ]. Split the file, or use 'read_json_by_line'", /streaming_load_json_max_mb/],
		] as const) {
			const v = classifyLoadAnswer(200, be({ Status: 'Fail', Message: message, NumberLoadedRows: 0 }), ctx);
			assert.equal(v.kind === 'error' && v.error.retryable, false, message);
			const text = v.kind === 'error' ? v.error.message : '';
			assert.match(text, /hint: .*Batch Max Size \(MB\)/, message);
			assert.match(text, setting, message);
		}
	});

	it('a commit RPC that failed or timed out is retried under the same label even with an ErrorURL (review session 19, R6)', () => {
		// be/src/util/thrift_rpc_helper.cpp: Status::RpcError("failed to call frontend service, FE address=…, reason: …")
		// (2.1, 3.x, master; THRIFT_RPC_ERROR in older releases). The FE may have committed meanwhile: a retry
		// under the same label settles it (Label Already Exists, FINISHED), a split under fresh labels would load twice.
		for (const message of [
			'[RPC_ERROR]failed to call frontend service, FE address=10.0.0.1:9020, reason: THRIFT_EAGAIN (timed out)',
			'[THRIFT_RPC_ERROR]failed to call frontend service',
			'[RPC_ERROR]failed to call frontend service, FE address=10.0.0.1:9020, reason: No more data to read.',
		]) {
			const v = classifyLoadAnswer(200, be({ Status: 'Fail', Message: message, NumberFilteredRows: 1, ErrorURL: 'http://be:8040/api/_load_error_log?file=x' }), ctx);
			assert.deepEqual(v.kind === 'error' ? [v.error.kind, v.error.retryable] : [v.kind], ['doris', true], message);
		}
	});

	it('FE errors in HTTP 200 are errors, never success', () => {
		const unauthorized = classifyLoadAnswer(200, JSON.stringify({ msg: 'Unauthorized', code: 401, data: 'Access denied', count: 0 }), ctx);
		assert.equal(unauthorized.kind === 'error' && unauthorized.error.kind, 'auth');
		const noExpect = classifyLoadAnswer(200, JSON.stringify({ status: 'FAILED', msg: 'There is no 100-continue header' }), ctx);
		assert.equal(noExpect.kind === 'error' && noExpect.error.retryable, false);
		const noBackend = classifyLoadAnswer(200, JSON.stringify({ status: 'FAILED', msg: 'No backend load available.' }), ctx);
		assert.equal(noBackend.kind === 'error' && noBackend.error.retryable, true);
	});

	it('HTTP statuses: 5xx retryable, 401/404 permanent, non-JSON retryable', () => {
		const kind = (status: number, body = 'x') => {
			const v = classifyLoadAnswer(status, body, ctx);
			return v.kind === 'error' ? [v.error.kind, v.error.retryable] : [v.kind];
		};
		assert.deepEqual(kind(500), ['http', true]);
		assert.deepEqual(kind(503), ['http', true]);
		assert.deepEqual(kind(401), ['auth', false]);
		assert.deepEqual(kind(404), ['not_found', false]);
		assert.deepEqual(kind(400), ['http', false]);
		assert.deepEqual(kind(200, '<html>proxy</html>'), ['http', true]);
	});

	it('classifyMessage defaults an unknown failure to retryable', () => {
		assert.deepEqual(classifyMessage('something odd'), { kind: 'doris', retryable: true });
		assert.deepEqual(classifyMessage('[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type'), { kind: 'doris', retryable: false });
	});
});
