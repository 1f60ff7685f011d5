/**
 * One FE's HTTP side (fe/fe-core/.../httpv2/rest): LoadAction.streamLoad, HealthAction, and the GETs
 * connectors use (`/api/backends`, `/api/{db}/{table}/_schema`, `/api/{db}/get_load_state`).
 *
 * LoadAction.streamLoad (fe/fe-core/src/main/java/org/apache/doris/httpv2/rest/LoadAction.java, 2.1 /
 * 3.x): the group_commit header's value, the https redirect, then executeCheckPassword (Basic auth;
 * failure → UnauthorizedException → RestApiExceptionHandler → ResponseEntityBuilder.unauthorized: HTTP 200 `{"msg":"Unauthorized",
 * "code":401,"data":...,"count":0}`), then the Expect header check (RestBaseResult "There is no
 * 100-continue header"), then empty db/table checks, then a 307 to a BE. The FE does not look the
 * table up: an unknown table is reported by the BE (stream load put). The redirect is answered without
 * reading the body, the reason clients send Expect: 100-continue.
 *
 * With `enable_https` (fe.conf) a load that comes in over plain http is answered, before any check
 * but group_commit's, with 307 to `https://{server name}:{https_port}{uri}?{query}` (LoadAction.streamLoad →
 * RestBaseController.needRedirect / redirectToHttps; seen in 2.1 and 3.x sources; no userinfo in that
 * Location). That hop goes to an FE again, so it needs `Expect` as much as the first.
 */
import type http from 'node:http';
import { infoSchemaColumnType, typeName } from './coltypes';
import type { Catalog } from './catalog';
import type { Faults } from './faults';
import { basicAuth, sendJson, Listener } from './http-util';
import { feEntity, feRestBaseFailure } from './response';
import type { DecoupledMode, FeRequestRecord } from './types';

export interface FeContext {
	catalog: Catalog;
	faults: Faults;
	user: string;
	password: string;
	host: string;
	scheme: 'http' | 'https';
	bePort(): number;
	/** A port where nothing listens (redirectToDeadBe). */
	deadPort(): number;
	/** Keeps what the FE saw of a load. */
	record(request: FeRequestRecord): void;
	/** Decoupled (cloud) mode and how it answers label lookups (types.ts DecoupledMode). */
	decoupled: DecoupledMode | undefined;
}

export class Fe {
	/** Plain http with enableHttps; otherwise http or https as the server's tls says. */
	readonly listener: Listener;
	/** The https_port listener of an FE with enable_https. */
	readonly httpsListener: Listener | undefined;

	constructor(
		private readonly ctx: FeContext,
		tls?: { key: string; cert: string },
		enableHttps = false,
	) {
		this.listener = new Listener(ctx.host, (req, res) => this.handle(req, res, false), enableHttps ? undefined : tls);
		this.httpsListener = enableHttps ? new Listener(ctx.host, (req, res) => this.handle(req, res, true), tls) : undefined;
	}

	private url(secure: boolean): string {
		const listener = secure ? this.httpsListener : this.listener;
		const scheme = secure || (this.httpsListener === undefined && this.ctx.scheme === 'https') ? 'https' : 'http';
		return `${scheme}://${this.ctx.host}:${listener?.port ?? 0}`;
	}

	private authorized(req: http.IncomingMessage, res: http.ServerResponse): boolean {
		const auth = basicAuth(req.headers.authorization);
		if (auth && auth[0] === this.ctx.user && auth[1] === this.ctx.password) return true;
		req.resume();
		// The data text is the exception message of executeCheckPassword / the auth check.
		const data = auth ? `Access denied for user '${auth[0]}@${req.socket.remoteAddress ?? ''}' (using password: ${auth[1] ? 'YES' : 'NO'})` : 'Need auth information.';
		sendJson(res, 200, feEntity(401, 'Unauthorized', data), true);
		return false;
	}

	private handle(req: http.IncomingMessage, res: http.ServerResponse, secure: boolean): void {
		const url = new URL(req.url ?? '/', 'http://x');
		const path = url.pathname;
		if (req.method === 'GET' && path === '/api/health') {
			// HealthAction: no auth unless enable_all_http_auth; ResponseEntityBuilder.ok(map).
			sendJson(res, 200, feEntity(0, 'success', { total_backend_num: 1, online_backend_num: 1 }));
			return;
		}
		if (req.method === 'GET' && path === '/api/backends') {
			if (!this.authorized(req, res)) return;
			sendJson(res, 200, feEntity(0, 'success', { backends: [{ ip: this.ctx.host, http_port: this.ctx.bePort(), is_alive: true }] }));
			return;
		}
		const schema = /^\/api\/([^/]+)\/([^/]+)\/_schema$/.exec(path);
		if (req.method === 'GET' && schema) {
			if (!this.authorized(req, res)) return;
			this.schema(res, decodeURIComponent(schema[1]), decodeURIComponent(schema[2]));
			return;
		}
		const loadState = /^\/api\/([^/]+)\/get_load_state$/.exec(path);
		if (req.method === 'GET' && loadState) {
			if (!this.authorized(req, res)) return;
			this.loadState(res, decodeURIComponent(loadState[1]), url.searchParams.get('label') ?? '');
			return;
		}
		const cancel = /^\/api\/([^/]+)\/_cancel$/.exec(path);
		if (req.method === 'POST' && cancel) {
			req.resume();
			if (!this.authorized(req, res)) return;
			this.cancelLoad(res, decodeURIComponent(cancel[1]), url.searchParams.get('label') ?? '');
			return;
		}
		const load = /^\/api\/([^/]*)\/([^/]*)\/_stream_load$/.exec(path);
		if (req.method === 'PUT' && load) {
			const record: FeRequestRecord = { url: this.url(secure), expect: req.headers.expect !== undefined, bytes: 0, status: 200 };
			this.ctx.record(record);
			// Never read (the FE does not forward bodies); counted, so a test sees a body sent in vain.
			req.on('data', (chunk: Buffer) => (record.bytes += chunk.length));
			req.resume();
			// LoadAction.streamLoad (2.1 / 3.x) reads group_commit first, before the https redirect and the password.
			const gc = req.headers.group_commit;
			if (typeof gc === 'string' && !['sync_mode', 'async_mode', 'off_mode'].includes(gc.trim().toLowerCase())) {
				sendJson(res, 200, feRestBaseFailure('Header `group_commit` can only be `sync_mode`, `async_mode` or `off_mode`.'), true);
				return;
			}
			if (this.httpsListener !== undefined && !secure) {
				record.status = 307;
				const location = `https://${this.ctx.host}:${this.httpsListener.port}${path}?${url.search.replace(/^\?/, '')}`;
				res.writeHead(307, { Location: location, 'Content-Length': 0, Connection: 'close' });
				res.end();
				return;
			}
			if (!this.authorized(req, res)) return;
			if (this.streamLoad(req, res, decodeURIComponent(load[1]), decodeURIComponent(load[2]), url.search)) record.status = 307;
			return;
		}
		req.resume();
		sendJson(res, 200, feEntity(404, 'Not Found', `No handler for ${req.method} ${path}`), true);
	}

	/** Answers a load (the body is drained by the caller); true when that answer is the 307 to a BE. */
	private streamLoad(req: http.IncomingMessage, res: http.ServerResponse, db: string, table: string, search: string): boolean {
		const refuse = (message: string): false => {
			sendJson(res, 200, feRestBaseFailure(message), true);
			return false;
		};
		if (req.headers.expect === undefined) return refuse('There is no 100-continue header');
		if (db === '') return refuse('No database selected.');
		if (table === '') return refuse('No table selected.');
		const fault = this.ctx.faults.take('fe');
		const port = fault?.kind === 'redirectToDeadBe' ? this.ctx.deadPort() : this.ctx.bePort();
		// new URI(scheme, "user:password", host, port, path, "", null): userinfo carries the credentials
		// (quoted where URI needs it) and the empty query leaves a trailing "?", the request's query
		// string appended after it (RestBaseController.getRedirectUrL).
		const userinfo = `${encodeURIComponent(this.ctx.user)}:${encodeURIComponent(this.ctx.password)}`;
		const location = `${this.ctx.scheme}://${userinfo}@${this.ctx.host}:${port}/api/${encodeURIComponent(db)}/${encodeURIComponent(table)}/_stream_load?${search.replace(/^\?/, '')}`;
		res.writeHead(307, { Location: location, 'Content-Type': 'text/html;charset=utf-8', 'Content-Length': 0, Connection: 'close' });
		res.end();
		return true;
	}

	/**
	 * GetStreamLoadState.java: executeCheckPassword, then "No label selected" (badRequest), an unknown
	 * database (okWithCommonError with the MetaNotFoundException text), else ok(state) with the state
	 * of the label's latest transaction (DatabaseTransactionMgr.getLabelState, a TransactionStatus;
	 * UNKNOWN when the FE holds none: never used, or forgotten, labels.ts). In the test server a load
	 * commits and publishes in one step, so a RUNNING label is a transaction begun and not committed
	 * (PREPARE), a FINISHED one is VISIBLE, a failed one ABORTED. The endpoint exists in 2.1, 3.0 and
	 * 3.1; in decoupled (cloud) mode CloudGlobalTransactionMgr.getLabelState asks the meta-service, or in
	 * earlier cloud builds throws "Not supported" (DecoupledMode.loadState).
	 */
	private loadState(res: http.ServerResponse, dbName: string, label: string): void {
		if (label === '') return sendJson(res, 200, feEntity(400, 'Bad Request', 'No label selected'));
		const db = this.ctx.catalog.getDb(dbName);
		if (!db) return sendJson(res, 200, feEntity(1, 'Error', `unknown databases, dbName=${dbName}`));
		// CloudGlobalTransactionMgr.getLabelState throws AnalysisException("Not supported"); the
		// exception handler turns it into ResponseEntityBuilder.internalError.
		if (this.ctx.decoupled?.loadState === 'not_supported') return sendJson(res, 200, feEntity(500, 'Internal Error', 'Not supported'));
		const held = db.labels.get(label);
		const state = held === undefined ? 'UNKNOWN' : held.state === 'RUNNING' ? 'PREPARE' : held.state === 'FINISHED' ? 'VISIBLE' : held.state; // PRECOMMITTED, ABORTED as they are
		sendJson(res, 200, feEntity(0, 'success', state));
	}

	/**
	 * CancelLoadAction.java (`POST /api/{db}/_cancel?label=`): executeCheckPassword, "No label specified"
	 * (badRequest), an unknown database (okWithCommonError), then GlobalTransactionMgr.abortTransaction(dbId,
	 * label, "user cancel"): DatabaseTransactionMgr aborts the label's PREPARE transaction (its BE's commit is
	 * refused after that), or refuses (okWithCommonError with the exception's text) when the FE holds no
	 * transaction for the label or none of them is running. A test server load runs PREPARE until it
	 * commits, so a committed label is refused as "running transaction not found". In decoupled mode every
	 * cancel answers success (see below).
	 */
	private cancelLoad(res: http.ServerResponse, dbName: string, label: string): void {
		if (label === '') return sendJson(res, 200, feEntity(400, 'Bad Request', 'No label specified'));
		const db = this.ctx.catalog.getDb(dbName);
		if (!db) return sendJson(res, 200, feEntity(1, 'Error', `Unknown database '${dbName}'`));
		const refused = db.labels.cancel(label);
		// Decoupled (cloud) mode: CloudGlobalTransactionMgr.abortTransaction(dbId, label, reason) never compares
		// the meta-service's status with OK, so every cancel answers success, also where the meta-service
		// refused it (TXN_INVALID_STATUS for a committed label, TXN_LABEL_NOT_FOUND; late review session 20, C1).
		const success = refused === undefined || this.ctx.decoupled !== undefined;
		sendJson(res, 200, success ? JSON.stringify({ msg: 'success', code: 0, count: 0 }) : feEntity(1, 'Error', refused));
	}

	/** `/api/{db}/{tbl}/_schema` as doris-kafka-connector reads it (model/doris/Schema.java, Field.java). */
	private schema(res: http.ServerResponse, dbName: string, tableName: string): void {
		const t = this.ctx.catalog.getTable(dbName, tableName);
		if (!t) {
			sendJson(res, 200, feEntity(404, 'Not Found', `unknown table, tableName=${tableName}`));
			return;
		}
		const properties = t.columns.map((c) => ({
			name: c.name,
			aggregation_type: c.isKey ? '' : (c.agg ?? (t.keysType === 'UNIQUE_KEYS' ? 'REPLACE' : 'NONE')),
			comment: c.comment,
			type: c.type.base === 'STRING' ? 'STRING' : typeName(c.type).replace(/\(.*$/, '').replace(/<.*$/, '').toUpperCase(),
			precision: c.type.precision !== undefined ? String(c.type.precision) : undefined,
			scale: c.type.scale !== undefined ? String(c.type.scale) : undefined,
			is_nullable: c.nullable ? 'Yes' : 'No',
			column_type: infoSchemaColumnType(c.type),
		}));
		sendJson(res, 200, feEntity(0, 'success', { keysType: t.keysType, properties, status: 200 }));
	}
}
