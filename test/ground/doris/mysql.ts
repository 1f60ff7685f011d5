/**
 * The FE's MySQL-protocol query port, served by mysql2's server mode (the traps handled here:
 * per-reply sequence ids, mysql_native_password via mysql2's auth_41, an 'error' listener per
 * connection, and a delayed close after a failed login so the client sees error 1045).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Socket } from 'node:net';
import mysql from 'mysql2';
import type { Catalog } from './catalog';
import type { Faults } from './faults';
import type { AnswerRowEdit } from './types';
import { execute } from './sql';
import type { Session, SqlResult } from './sql-context';
import { SqlError } from './sql-lex';
import { SERVER_VERSION } from './sql-select';

interface Auth41 {
	verifyToken(seed1: Buffer, seed2: Buffer, token: Buffer, doubleSha: Buffer): boolean;
}
// mysql2's package "exports" hide lib/, so resolve the file next to the package's entry.
const requireHere = createRequire(__filename);
const auth41 = requireHere(path.join(path.dirname(requireHere.resolve('mysql2')), 'lib', 'auth_41.js')) as Auth41;

/** The server-side methods mysql2's Connection has but its typings leave out (typed narrowly on purpose). */
interface ServerConn {
	stream: Socket;
	sequenceId: number;
	clientHelloReply?: { database?: string };
	serverHandshake(args: object): void;
	writeColumns(columns: object[]): void;
	writeTextRow(values: unknown[]): void;
	writeEof(): void;
	writeOk(args?: { affectedRows: number }): void;
	writeError(args: { message: string; code: number }): void;
	close(): void;
	on(event: string, fn: (...args: never[]) => void): void;
}

interface AuthInfo {
	user: string;
	database?: string;
	authPluginData1: Buffer;
	authPluginData2: Buffer;
	authToken: Buffer;
}

const CLIENT_CAPS = 0xf7ff & ~0x0800; // everything mysql2 offers except SSL and compression (0x0020 kept off below)

export class MysqlPort {
	private server: ReturnType<typeof mysql.createServer> | undefined;
	private readonly sockets = new Set<Socket>();
	private connSeq = 0;
	port = 0;

	constructor(
		private readonly catalog: Catalog,
		private readonly user: string,
		private readonly password: string,
		private readonly host: string,
		private readonly faults?: Faults,
	) {}

	async start(port: number): Promise<number> {
		// The typings declare createServer(handler) but the handler is optional; connections come as events.
		const server = mysql.createServer(undefined as never);
		server.on('connection', (c: unknown) => this.accept(c as ServerConn));
		const net = (server as unknown as { _server: import('node:net').Server })._server;
		await new Promise<void>((resolve, reject) => {
			net.once('error', reject);
			net.listen(port, this.host, () => {
				net.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.port = (net.address() as { port: number }).port;
		return this.port;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		const done = new Promise<void>((resolve) => server.close(() => resolve()));
		for (const s of this.sockets) s.destroy();
		await done;
	}

	private accept(conn: ServerConn): void {
		const session: Session = {};
		this.sockets.add(conn.stream);
		conn.stream.on('close', () => this.sockets.delete(conn.stream));
		// A client that drops makes the server connection emit 'error'; unhandled it would crash the process.
		conn.on('error', () => {});
		const realClose = conn.close.bind(conn);
		conn.serverHandshake({
			protocolVersion: 10,
			serverVersion: SERVER_VERSION,
			connectionId: ++this.connSeq,
			statusFlags: 2,
			characterSet: 33,
			capabilityFlags: CLIENT_CAPS & ~0x0020,
			authCallback: (info: AuthInfo, cb: (err: Error | null, mysqlError?: { message: string; code: number }) => void) => {
				const ok = info.user === this.user && this.checkToken(info);
				if (!ok) {
					// mysql2 closes right after writing the error packet; delay it so the packet gets out.
					conn.close = () => setTimeout(realClose, 20);
					cb(null, { message: `Access denied for user '${info.user}'@'${conn.stream.remoteAddress ?? ''}' (using password: ${info.authToken?.length ? 'YES' : 'NO'})`, code: 1045 });
					return;
				}
				if (info.database && !this.catalog.getDb(info.database)) {
					conn.close = () => setTimeout(realClose, 20);
					cb(null, { message: `errCode = 2, detailMessage = Unknown database '${info.database}'`, code: 1049 });
					return;
				}
				session.db = info.database || undefined;
				cb(null);
				conn.sequenceId = 0;
			},
		});
		const reply = (fn: () => void): void => {
			conn.sequenceId = 1;
			fn();
			conn.sequenceId = 0;
		};
		const run = (sql: string): void => {
			const failure = this.faults?.takeQueryFailure(sql);
			if (failure !== undefined) {
				reply(() => conn.writeError({ message: `errCode = 2, detailMessage = ${failure.message}`, code: failure.errno }));
				return;
			}
			let r: SqlResult;
			try {
				r = execute(this.catalog, session, sql);
			} catch (e) {
				const err = e instanceof SqlError ? e : new SqlError(`errCode = 2, detailMessage = ${(e as Error).message}`);
				reply(() => conn.writeError({ message: err.message, code: err.errno }));
				return;
			}
			const edit = this.faults?.takeAnswerEdit(sql);
			if (edit !== undefined && 'rows' in r) r = editedAnswer(r, edit);
			reply(() => writeResult(conn, r));
		};
		conn.on('query', ((sql: string) => {
			const stall = this.faults?.takeQueryStall();
			if (stall === undefined) run(sql);
			else setTimeout(() => (conn.stream.destroyed ? undefined : run(sql)), stall);
		}) as (...a: never[]) => void);
		// mysql2's server routes statements beginning with "SET " (and PREPARE) to 'stmt_prepare'.
		conn.on('stmt_prepare', ((sql: string) => {
			if (/^\s*set\s/i.test(sql)) run(sql);
			else reply(() => conn.writeError({ message: 'errCode = 2, detailMessage = test server: server-side prepared statements are not supported; use query()', code: 1105 }));
		}) as (...a: never[]) => void);
		conn.on('init_db', ((name: string) => {
			if (!this.catalog.getDb(name)) reply(() => conn.writeError({ message: `errCode = 2, detailMessage = Unknown database '${name}'`, code: 1049 }));
			else {
				session.db = name;
				reply(() => conn.writeOk());
			}
		}) as (...a: never[]) => void);
	}

	private checkToken(info: AuthInfo): boolean {
		if (this.password === '') return !info.authToken || info.authToken.length === 0;
		if (!info.authToken || info.authToken.length !== 20) return false;
		const sha1 = (b: Buffer | string): Buffer => createHash('sha1').update(b).digest();
		return auth41.verifyToken(info.authPluginData1, info.authPluginData2, info.authToken, sha1(sha1(this.password)));
	}
}

function writeResult(conn: ServerConn, r: SqlResult): void {
	if ('affectedRows' in r) {
		conn.writeOk({ affectedRows: r.affectedRows });
		return;
	}
	conn.writeColumns(
		r.columns.map((c) => ({
			catalog: 'def',
			schema: '',
			table: '',
			orgTable: '',
			name: c.name,
			orgName: c.name,
			characterSet: 33,
			columnLength: 255,
			columnType: c.wire,
			flags: 0,
			decimals: 0,
		})),
	);
	// writeTextResult in mysql2 3.x pads each row with empty slots (new Array(n) then push), so rows are
	// written one by one here.
	for (const row of r.rows) conn.writeTextRow(row.map((v) => (v === null || v === undefined ? null : String(v))));
	conn.writeEof();
}

/** A result with each row passed through a test's edit (faults.ts queryAnswerEdit), by column name. */
function editedAnswer(r: Extract<SqlResult, { rows: unknown[][] }>, edit: AnswerRowEdit): SqlResult {
	const names = r.columns.map((c) => c.name);
	const rows: unknown[][] = [];
	for (const row of r.rows) {
		const edited = edit(Object.fromEntries(names.map((name, i) => [name, row[i]])));
		if (edited !== undefined) rows.push(names.map((name) => edited[name]));
	}
	return { columns: r.columns, rows };
}
