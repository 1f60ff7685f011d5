/**
 * Doris' FE speaks the MySQL protocol on its query port (default 9030). One small mysql2 pool per
 * connection settings per process, shared by the Doris Schema and Stream Load nodes. Plain `query`
 * with escaped identifiers only: server-side prepared statements (`execute`) exist only since Doris
 * 2.1, behind the session variable `enable_server_side_prepared_statement` (fe-core qe/SessionVariable.java),
 * and schema statements take no values anyway.
 *
 * Idle connections are closed after 30 s (maxIdle 0), so an idle process holds no sockets open and a
 * test process can exit. Errors name the address and the statement, never the password.
 */
import { createHash } from 'node:crypto';

import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';

import type { DorisConnection } from './connection';

const pools = new Map<string, Pool>();

/** Databases every Doris has that hold no user tables. */
const SYSTEM_DATABASES = new Set(['information_schema', 'mysql', '__internal_schema']);

export function queryHostOf(connection: DorisConnection): string {
	if (connection.queryHost !== undefined && connection.queryHost !== '') return connection.queryHost;
	const first = connection.feUrls[0];
	if (first === undefined) throw new Error('Doris connection has no FE address to take the query host from');
	return new URL(first).hostname;
}

function poolKey(c: DorisConnection): string {
	// The password is part of the identity (a changed credential must get a new pool) but is hashed,
	// so the key can never leak it.
	const secret = createHash('sha256').update(c.password).digest('hex').slice(0, 16);
	return `${c.user}@${queryHostOf(c)}:${c.queryPort}#${secret}`;
}

export function dorisPool(connection: DorisConnection): Pool {
	const key = poolKey(connection);
	let pool = pools.get(key);
	if (pool === undefined) {
		pool = mysql.createPool({
			host: queryHostOf(connection),
			port: connection.queryPort,
			user: connection.user,
			password: connection.password,
			connectionLimit: 4,
			maxIdle: 0,
			idleTimeout: 30_000,
			connectTimeout: 10_000,
			enableKeepAlive: true,
			supportBigNumbers: true,
			bigNumberStrings: true,
			dateStrings: true,
		});
		pools.set(key, pool);
	}
	return pool;
}

/** Closes every pool of this process (tests, shutdown). */
export async function closeDorisPools(): Promise<void> {
	const all = [...pools.values()];
	pools.clear();
	await Promise.allSettled(all.map((p) => p.end()));
}

export class DorisQueryError extends Error {
	constructor(
		message: string,
		/** MySQL error number when the server answered (1146 no table, 1049 no database, 1045 access). */
		readonly errno: number | undefined,
		readonly code: string | undefined,
		/** What the server (or the driver) said, without the statement: a name in the statement cannot match a test of it. */
		readonly detail: string = message,
	) {
		super(message);
		this.name = 'DorisQueryError';
	}
}

export function escapeId(name: string): string {
	return mysql.escapeId(name);
}

/** A string literal for a statement (quotes and backslashes escaped). */
export function escapeValue(value: string): string {
	return mysql.escape(value);
}

/**
 * Schema statements answer in milliseconds; an FE that accepts a statement and then stalls must not
 * hold a workflow's activation or an execution forever (mysql2 has no default query timeout).
 */
export const QUERY_TIMEOUT_MS = 30_000;

/** Runs one statement; rows come back as objects keyed by column name. */
export async function dorisQuery(connection: DorisConnection, sql: string, timeoutMs = QUERY_TIMEOUT_MS): Promise<Record<string, unknown>[]> {
	try {
		const [rows] = await dorisPool(connection).query<RowDataPacket[]>({ sql, timeout: timeoutMs });
		return rows as Record<string, unknown>[];
	} catch (error) {
		const e = error as { message?: string; errno?: number; code?: string };
		const where = `Doris MySQL port ${queryHostOf(connection)}:${connection.queryPort}`;
		let message = e.message ?? String(error);
		if (connection.password !== '' && message.includes(connection.password)) message = message.split(connection.password).join('***');
		throw new DorisQueryError(`${where}, "${sql}": ${message}`, e.errno, e.code, message);
	}
}

export async function listDatabases(connection: DorisConnection): Promise<string[]> {
	const rows = await dorisQuery(connection, 'SHOW DATABASES');
	return rows
		.map((r) => String(Object.values(r)[0] ?? ''))
		.filter((name) => name !== '' && !SYSTEM_DATABASES.has(name))
		.sort();
}

export async function listTables(connection: DorisConnection, database: string): Promise<string[]> {
	const rows = await dorisQuery(connection, `SHOW TABLES FROM ${escapeId(database)}`);
	return rows
		.map((r) => String(Object.values(r)[0] ?? ''))
		.filter((name) => name !== '')
		.sort();
}
