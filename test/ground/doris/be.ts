/**
 * The BE's HTTP side: `PUT /api/{db}/{table}/_stream_load` and `GET /api/_load_error_log?file=`.
 *
 * Order of checks follows be/src/http/action/stream_load.cpp: on_header (auth, group_commit, label,
 * begin txn + stream load put, which finds the table) answers before any body is read; then the body is
 * read, rows are written, the txn is committed and published; every answer is HTTP 200 JSON
 * (stream_load_context.cpp to_json). With `Expect: 100-continue`, "100 Continue" comes only after
 * on_header passed (ev_http_server.cpp); body bytes a client sent to a refused request are drained
 * and counted in the load's record.
 */
import type http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { Catalog } from './catalog';
import type { Faults, ArmedFault } from './faults';
import { basicAuth, flatHeaders, sendJson, Listener } from './http-util';
import { prepareLoad } from './load-exec';
import { headerRefusal, LoadError, tableGroupCommit } from './load-headers';
import { lz4FrameDecode } from './lz4';
import { loadResponse, loadResponseText, type ResponseInput } from './response';
import { versionAtLeast, type DorisVersion, type LoadRecord, type LoadStatus } from './types';

export interface BeContext {
	catalog: Catalog;
	faults: Faults;
	loads: LoadRecord[];
	user: string;
	password: string;
	host: string;
	scheme: 'http' | 'https';
	/** Port of this BE, for ErrorURL. */
	port(): number;
	/** Where error logs go instead of the BE (decoupled mode); returns the ErrorURL. */
	errorLogStore?: { put(name: string, text: string): string };
	/** Decoupled mode before ExistingJobStatus was set (types.ts DecoupledMode): Label Already Exists carries "". */
	emptyJobStatus?: boolean;
}

// FE label check (FeNameFormat.java): ^[-_A-Za-z0-9:]{1,128}$ by default.
const LABEL_RE = /^[-_A-Za-z0-9:]{1,128}$/;

/**
 * be/src/http/action/stream_load.cpp `_on_header` (2.1, 3.0, 3.1): the Content-Length (the body as
 * sent, compressed or not) against streaming_load_json_max_mb for a JSON load without
 * read_json_by_line, else against streaming_load_max_mb; refused before begin txn, so no 100 Continue
 * and the label stays free. Master (imitated as 4.1) words both as EXCEEDED_LIMIT "… exceeds the limit
 * of … set by BE's conf …".
 */
function bodySizeRefusal(headers: Record<string, string>, config: { streamingLoadMaxMb: number; streamingLoadJsonMaxMb: number }, version: DorisVersion): string | undefined {
	if (headers['content-length'] === undefined) return undefined;
	const bytes = Number(headers['content-length']);
	const jsonMax = config.streamingLoadJsonMaxMb * 1024 * 1024;
	const max = config.streamingLoadMaxMb * 1024 * 1024;
	const jsonDocument = (headers.format ?? '').trim().toLowerCase() === 'json' && headers.read_json_by_line?.trim().toLowerCase() !== 'true';
	const master = (what: string, limit: number, mb: number, setting: string) =>
		`[EXCEEDED_LIMIT]${what} ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB) exceeds the limit of ${limit} bytes (${mb} MiB) set by BE's conf ${setting}. Increase it if you are sure this load is reasonable`;
	if (jsonDocument && bytes > jsonMax) {
		if (versionAtLeast(version, '4.1')) return master('json body size', jsonMax, config.streamingLoadJsonMaxMb, 'streaming_load_json_max_mb');
		return `[INTERNAL_ERROR]The size of this batch exceed the max size [${jsonMax}]  of json type data  data [ ${bytes} ]. Split the file, or use 'read_json_by_line'`;
	}
	if (bytes <= max) return undefined;
	if (versionAtLeast(version, '4.1')) return master('body size', max, config.streamingLoadMaxMb, 'streaming_load_max_mb');
	return `[INTERNAL_ERROR]body exceed max size: ${max}, data: ${bytes}`;
}

export class Be {
	readonly listener: Listener;
	private readonly errorLogs = new Map<string, string>();

	constructor(private readonly ctx: BeContext, tls?: { key: string; cert: string }) {
		this.listener = new Listener(ctx.host, (req, res, expect) => this.handle(req, res, expect), tls);
	}

	private handle(req: http.IncomingMessage, res: http.ServerResponse, expect: boolean): void {
		const url = new URL(req.url ?? '/', 'http://x');
		if (req.method === 'GET' && url.pathname === '/api/_load_error_log') {
			const text = this.errorLogs.get(url.searchParams.get('file') ?? '');
			res.writeHead(text === undefined ? 404 : 200, { 'Content-Type': 'text/plain; charset=utf-8' });
			res.end(text ?? 'error log not found\n');
			return;
		}
		if (req.method === 'GET' && url.pathname === '/api/health') {
			sendJson(res, 200, JSON.stringify({ status: 'OK', msg: 'To Be Added' }));
			return;
		}
		const m = /^\/api\/([^/]+)\/([^/]+)\/_stream_load$/.exec(url.pathname);
		if (req.method !== 'PUT' || !m) {
			req.resume();
			res.writeHead(404, { 'Content-Type': 'text/plain' });
			res.end('Not Found\n');
			return;
		}
		this.streamLoad(req, res, expect, decodeURIComponent(m[1]), decodeURIComponent(m[2])).catch((e: unknown) => {
			if (!res.headersSent) sendJson(res, 500, String(e), true);
		});
	}

	private async streamLoad(req: http.IncomingMessage, res: http.ServerResponse, expect: boolean, dbName: string, tableName: string): Promise<void> {
		const started = Date.now();
		const headers = flatHeaders(req);
		const recHeaders = { ...headers };
		if (recHeaders.authorization !== undefined) recHeaders.authorization = '<redacted>';
		const groupCommit = headers.group_commit?.trim().toLowerCase();
		let isGroupCommit = groupCommit === 'async_mode' || groupCommit === 'sync_mode';
		let label = headers.label?.trim() ?? '';
		const base: ResponseInput = {
			txnId: 0,
			label,
			comment: headers.comment ?? '',
			groupCommit: isGroupCommit,
			twoPhaseCommit: headers.two_phase_commit === 'true',
			status: 'Fail',
			message: '',
			total: 0,
			loaded: 0,
			filtered: 0,
			unselected: 0,
			loadBytes: 0,
			loadTimeMs: 0,
			readDataTimeMs: 0,
			writeDataTimeMs: 0,
		};
		const record: LoadRecord = { label, db: dbName, table: tableName, headers: recHeaders, status: 'Fail', rows: 0, bytes: 0, response: null };
		this.ctx.loads.push(record);
		const answer = (over: Partial<ResponseInput>, bodyRead: boolean): void => {
			const body = loadResponse({ ...base, label, ...over, loadTimeMs: Date.now() - started });
			record.label = body.Label;
			record.status = body.Status;
			record.rows = body.NumberLoadedRows;
			record.response = body;
			// Answering before the body was read (header-time errors) closes the connection, so a client
			// that sends the body anyway cannot desynchronise a kept-alive socket.
			sendJson(res, 200, loadResponseText(body), !bodyRead);
			if (!bodyRead) drain(req, record);
		};
		const fail = (message: string, bodyRead = false): void => answer({ status: 'Fail', message }, bodyRead);

		// --- on_header ---
		const auth = basicAuth(headers.authorization);
		if (!auth) return fail('[INTERNAL_ERROR]no valid Basic authorization');
		if (auth[0] !== this.ctx.user || auth[1] !== this.ctx.password) {
			// The BE forwards the credentials to the FE in stream load put; the FE's wording.
			return fail(`[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for user '${auth[0]}@${req.socket.remoteAddress ?? ''}' (using password: ${auth[1] ? 'YES' : 'NO'})`);
		}
		if (groupCommit !== undefined && !['async_mode', 'sync_mode', 'off_mode'].includes(groupCommit)) {
			return fail('[INVALID_ARGUMENT]Header `group_commit` can only be `sync_mode`, `async_mode` or `off_mode`.');
		}
		if (isGroupCommit && label !== '') return fail('[INVALID_ARGUMENT]label and group_commit can\'t be set at the same time');
		const refusal = headerRefusal(this.ctx.catalog, headers) ?? bodySizeRefusal(headers, this.ctx.catalog.beConfig, this.ctx.catalog.version);
		if (refusal !== undefined) return fail(refusal);
		const db = this.ctx.catalog.getDb(dbName);
		if (!db) return fail(`[ANALYSIS_ERROR]TStatus: errCode = 7, detailMessage = unknown databases, dbName=${dbName}`);
		const table = db.tables.get(tableName);
		if (!table) return fail(`[ANALYSIS_ERROR]TStatus: errCode = 7, detailMessage = unknown table, tableName=${tableName}`);
		if (tableGroupCommit(this.ctx.catalog.version, table, headers)) {
			// The table's property makes it a group commit load, and the label goes (see tableGroupCommit).
			isGroupCommit = true;
			base.groupCommit = true;
			label = '';
		}
		if (label === '') label = isGroupCommit ? `group_commit_${randomBytes(8).toString('hex')}_${randomBytes(8).toString('hex')}` : randomUUID();
		else if (!LABEL_RE.test(label)) {
			return fail(`[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Label format error. regex: ^[-_A-Za-z0-9:]{1,128}$, label: ${label}`);
		}
		const timeout = headers.timeout === undefined ? 600 : Number(headers.timeout);
		if (!Number.isInteger(timeout) || timeout <= 0) return fail(`[INVALID_ARGUMENT]Invalid timeout format, ${headers.timeout}`);
		const existing = db.labels.get(label);
		if (existing && !db.labels.isFree(label)) {
			// A label is unique per database while its load runs or after it finished; a failed load's
			// label is free again (apache/doris PR #17730: "Label can be reused if the previous load is failed").
			// ExistingJobStatus as fe-core common/LabelAlreadyUsedException.java spells it: RUNNING
			// (PREPARE), PRECOMMITTED, FINISHED (COMMITTED or VISIBLE).
			return answer(
				{
					status: 'Label Already Exists',
					existingJobStatus: this.ctx.emptyJobStatus === true ? '' : existing.state,
					message: `[LABEL_ALREADY_EXISTS]errCode = 2, detailMessage = Label [${label}] has already been used, relate to txn [${existing.txnId}]`,
				},
				false,
			);
		}
		const fault = this.ctx.faults.take('be', tableName);
		record.fault = fault?.kind;
		if (fault?.kind === 'runningTxnLimit') {
			// DatabaseTransactionMgr.beginTransaction checks the label, then the running transactions
			// (BeginTransactionException); FrontendServiceImpl.loadTxnBegin reports any UserException as
			// ANALYSIS_ERROR, so Doris 2.1 / 3.0 / 3.1 word it like a planning error. The fe-config doc
			// (max_running_txn_num_per_db) says to wait and retry.
			const limit = 100;
			return fail(`[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = current running txns on db ${10_000 + db.tables.size} is ${limit}, larger than limit ${limit}`);
		}
		if (fault?.kind === 'hangBeforeBegin') {
			// Stuck in begin txn (its RPC to the FE never returns): no transaction, so no 100 Continue
			// and get_load_state says UNKNOWN; a body sent anyway sits unread.
			record.status = 'hang before begin';
			drain(req, record);
			await sleep(fault.ms ?? 0);
			req.socket.destroy();
			return;
		}
		const txnId = this.ctx.catalog.nextTxnId();
		base.txnId = txnId;
		// The load's timeout starts its transaction's clock; the FE's txn cleaner aborts it on a sweep after that (labels.ts).
		db.labels.begin(label, txnId, timeout * 1000);
		// A failed load's transaction is aborted: its label reads ABORTED and is free again.
		const release = (): void => db.labels.abort(label, txnId);
		if (fault?.kind === 'http500') {
			release();
			record.status = 'HTTP 500';
			drain(req, record);
			res.writeHead(500, { 'Content-Type': 'text/plain', Connection: 'close' });
			res.end('Internal Server Error (injected)\n');
			return;
		}

		// --- body ---
		// be/src/http/ev_http_server.cpp on_header: the handler's on_header (auth, label, begin txn,
		// stream load put) runs first; when it refuses, its reply is sent and the Expect header removed,
		// so libevent sends no "100 Continue" and a client that waits never uploads the body. Only a
		// request that got this far (its transaction begun) is told to send it.
		if (expect) res.writeContinue();
		const readStart = Date.now();
		let body: Buffer;
		try {
			body = await readBody(req, fault);
		} catch {
			release();
			record.status = 'reset mid body';
			req.socket.destroy();
			return;
		}
		record.bytes = body.length;
		base.loadBytes = body.length;
		base.readDataTimeMs = Date.now() - readStart;
		if (fault?.kind === 'hang') {
			// A BE that stalls, then fails the load and rolls its transaction back (ABORTED), e.g. its
			// fragment cancelled at the load's timeout. Not a model of a BE that goes on: hangThenCommit.
			await sleep(fault.ms ?? 0);
			release();
			record.status = 'hang';
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'hangThenCommit') {
			// be/src/http/action/stream_load.cpp: a client that goes away only makes free_handler_ctx cancel
			// the body pipe ("sender is gone"); a BE that read the whole body goes on to commit_txn.
			record.status = 'hang then commit';
			await sleep(fault.ms ?? 0);
		}
		if (fault?.kind === 'fail') {
			release();
			return fail(fault.message ?? '[INTERNAL_ERROR]injected failure', true);
		}
		let text: string;
		try {
			text = decompress(body, headers.compress_type).toString('utf8');
		} catch (e) {
			release();
			return fail(`[INTERNAL_ERROR]${(e as Error).message}`, true);
		}
		const bodyFailure = this.ctx.faults.takeBodyFailure(text, tableName);
		if (bodyFailure !== undefined) {
			record.fault = 'fail';
			release();
			return fail(bodyFailure, true);
		}
		if (fault?.kind === 'uncountedLine') {
			// The last line is neither loaded nor counted, as Doris does with a line it skips.
			const lines = text.endsWith('\n') ? text.slice(0, -1) : text;
			text = lines.slice(0, lines.lastIndexOf('\n') + 1);
		}
		const writeStart = Date.now();
		let prepared;
		try {
			prepared = prepareLoad(table, headers, text, this.ctx.catalog);
		} catch (e) {
			release();
			const err = e as LoadError & { counts?: { total: number; filtered: number; unselected: number }; errorLines?: string[] };
			const over: Partial<ResponseInput> = {};
			if (err.counts) {
				over.total = err.counts.total;
				over.filtered = err.counts.filtered;
				over.unselected = err.counts.unselected;
				over.loaded = err.counts.total - err.counts.filtered - err.counts.unselected;
				// No ErrorURL when no row was written to the error log (the file is made by the first
				// append_error_msg_to_file; stream_load_context.cpp writes ErrorURL only when it is set): a
				// partial update's new keys in strict mode (2.1 / 3.0) are filtered without a line.
				if ((err.errorLines ?? []).length > 0) over.errorUrl = this.saveErrorLog(err.errorLines ?? []);
			}
			const msg = e instanceof LoadError ? e.message : `[INTERNAL_ERROR]${(e as Error).message}`;
			return answer({ status: 'Fail', message: msg, ...over }, true);
		}
		if (fault?.kind === 'labelRunning') await sleep(fault.ms ?? 0);
		// --- commit and publish ---
		if (!db.labels.finish(label, txnId)) {
			// fe DatabaseTransactionMgr.commitTransaction refuses an ABORTED transaction (here: the txn
			// cleaner's sweep after its timeout) and nothing else; the BE reports the FE's message.
			return fail(`[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = transaction [${txnId}] is already aborted. abort reason: ${db.labels.abortReason(txnId) ?? 'unknown'}`, true);
		}
		prepared.apply();
		if (fault?.kind === 'hangAfterCommit') {
			// Committed and visible, then silence: the answer never comes (a stuck BE, a dropped connection).
			record.status = 'Success';
			record.rows = prepared.loaded;
			await sleep(fault.ms ?? 0);
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'resetAfterCommit') {
			record.status = 'Success';
			record.rows = prepared.loaded;
			req.socket.destroy();
			return;
		}
		const counts = { total: prepared.total, loaded: prepared.loaded, filtered: prepared.filtered, unselected: prepared.unselected };
		const errorUrl = (): string | undefined => (prepared.errorLines.length > 0 ? this.saveErrorLog(prepared.errorLines) : undefined);
		if (fault?.kind === 'commitRpcTimeout') {
			// The FE committed, but the BE's commit_txn RPC timed out (be/src/util/thrift_rpc_helper.cpp
			// RpcError); its rollback_txn then fails and the answer is Fail with the counts and any ErrorURL.
			return answer({ status: 'Fail', message: '[RPC_ERROR]failed to call frontend service, FE address=127.0.0.1:9020, reason: THRIFT_EAGAIN (timed out)', ...counts, errorUrl: errorUrl() }, true);
		}
		const status: LoadStatus = fault?.kind === 'publishTimeout' ? 'Publish Timeout' : 'Success';
		answer(
			{
				status,
				message: status === 'Success' ? 'OK' : '[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later',
				...counts,
				writeDataTimeMs: Date.now() - writeStart,
				errorUrl: errorUrl(),
			},
			true,
		);
	}

	/**
	 * Doris writes at most MAX_ERROR_NUM + 1 (51) rows to a load's error log, whatever it filters
	 * (be/src/runtime/runtime_state.cpp append_error_msg_to_file: `_num_print_error_rows.fetch_add(1) >
	 * MAX_ERROR_NUM` returns before writing, so the calls that read 0 to 50 write; `_error_row_number`,
	 * which would write "TOO MUCH ERROR!" instead, stays 0 on the load path; 2.1, 3.0, 3.1): the rest are
	 * only counted.
	 */
	private saveErrorLog(all: string[]): string {
		const lines = all.slice(0, DORIS_ERROR_LOG_MAX_ROWS);
		const id = randomBytes(8).toString('hex');
		const file = `__shard_${this.errorLogs.size % 16}/error_log_insert_stmt_${id}_${id.slice(0, 8)}`;
		if (this.ctx.errorLogStore !== undefined) return this.ctx.errorLogStore.put(file, lines.join('\n') + '\n');
		this.errorLogs.set(file, lines.join('\n') + '\n');
		return `${this.ctx.scheme}://${this.ctx.host}:${this.ctx.port()}/api/_load_error_log?file=${file}`;
	}
}

/** MAX_ERROR_NUM (50) of be/src/runtime/runtime_state.cpp, plus one (see saveErrorLog). */
export const DORIS_ERROR_LOG_MAX_ROWS = 51;

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms).unref?.());
}

/** Reads and drops a body the BE did not take, counting its bytes (what a client uploaded in vain). */
function drain(req: http.IncomingMessage, record: LoadRecord): void {
	req.on('data', (chunk: Buffer) => (record.bytes += chunk.length));
	req.resume();
}

function readBody(req: http.IncomingMessage, fault: ArmedFault | undefined): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let n = 0;
		const declared = Number(req.headers['content-length'] ?? NaN);
		req.on('data', (c: Buffer) => {
			chunks.push(c);
			n += c.length;
			// resetMidBody: cut after some of the body arrived (half of it when the length is known).
			if (fault?.kind === 'resetMidBody' && (Number.isFinite(declared) ? n * 2 >= declared : true)) {
				req.pause();
				reject(new Error('reset'));
			}
		});
		req.on('end', () => resolve(Buffer.concat(chunks, n)));
		req.on('aborted', () => reject(new Error('client aborted')));
		req.on('error', reject);
	});
}

/**
 * compress_type: gz (gzip), deflate, lz4 (LZ4 frame). Doris' list also has bz2 / lzo / zstd / snappy
 * (LoadUtil::parse_format); the test server has no decoders for those and says so.
 */
function decompress(body: Buffer, type: string | undefined): Buffer {
	const t = (type ?? '').trim().toLowerCase();
	if (t === '' || t === 'plain') return body;
	if (t === 'gz' || t === 'gzip') return gunzipSync(body);
	if (t === 'deflate') return inflateSync(body);
	if (t === 'lz4' || t === 'lz4frame') return lz4FrameDecode(body);
	throw new Error(`test server: unsupported compress_type ${type}`);
}

