// The demo's Doris: the Doris test server as a child process (test/ground/doris/main.ts, on free
// ports), or a real Doris named by DORIS_FE_URL / DORIS_USER / DORIS_PASSWORD (DORIS_QUERY_PORT, 9030).
// Either way the example's DDL is applied and rows are counted over the MySQL protocol.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { readDdl } from '../../e2e/support/examples';
import { freePort } from '../n8n/process';
import { REPO_ROOT } from '../n8n/install';

export interface DemoDoris {
	feUrl: string;
	queryHost: string;
	queryPort: number;
	user: string;
	password: string;
	/** "Doris test server (child pid N)" or "Doris at <url>". */
	description: string;
	count(table: string): Promise<number>;
	close(): Promise<void>;
}

async function startTestServer(ddl: 'logs' | 'orders' | 'cdc' | 'cdc-database'): Promise<{ child: ChildProcess; feUrl: string; queryPort: number }> {
	const [fe, be, query] = [await freePort(), await freePort(), await freePort()];
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/ground/doris/main.ts'), path.join(REPO_ROOT, 'examples/ddl', `${ddl}.sql`)], {
		cwd: REPO_ROOT,
		env: { ...process.env, DORIS_FE_PORT: String(fe), DORIS_BE_PORT: String(be), DORIS_QUERY_PORT: String(query), DORIS_USER: 'root', DORIS_PASSWORD: '' },
		stdio: ['ignore', 'pipe', 'inherit'],
		// Its own process group: a terminal's Ctrl-C must not stop Doris before n8n has loaded its batches.
		detached: true,
	});
	// Detached, so it would outlive a demo that crashed: the exit hook ends it in any case.
	process.once('exit', () => child.kill('SIGTERM'));
	let output = '';
	child.stdout?.setEncoding('utf8');
	const ready = new Promise<void>((resolve, reject) => {
		child.stdout?.on('data', (chunk: string) => {
			output += chunk;
			if (output.includes('Doris test server:')) resolve();
		});
		child.once('exit', (code) => reject(new Error(`the Doris test server exited (code ${String(code)}): ${output}`)));
	});
	await ready;
	return { child, feUrl: `http://127.0.0.1:${fe}`, queryPort: query };
}

export async function startDemoDoris(ddl: 'logs' | 'orders' | 'cdc' | 'cdc-database'): Promise<DemoDoris> {
	const real = process.env.DORIS_FE_URL?.trim();
	let child: ChildProcess | undefined;
	let feUrl: string;
	let queryPort: number;
	const user = real ? process.env.DORIS_USER || 'root' : 'root';
	const password = real ? (process.env.DORIS_PASSWORD ?? '') : '';
	if (real) {
		feUrl = real.split(',')[0].trim();
		queryPort = Number(process.env.DORIS_QUERY_PORT || 9030);
	} else {
		({ child, feUrl, queryPort } = await startTestServer(ddl));
	}
	const queryHost = new URL(feUrl).hostname;
	let connection: Connection | undefined;
	const connect = async (): Promise<Connection> => (connection ??= await mysql.createConnection({ host: queryHost, port: queryPort, user, password }));
	if (real) {
		// The test server ran the DDL at start; a real Doris gets it here (IF NOT EXISTS: idempotent).
		const c = await connect();
		for (const statement of readDdl(ddl)) await c.query(statement);
	}
	return {
		feUrl,
		queryHost,
		queryPort,
		user,
		password,
		description: real ? `Doris at ${feUrl} (query port ${queryPort}, user ${user})` : `Doris test server (pid ${child?.pid}): FE ${feUrl}, MySQL 127.0.0.1:${queryPort}, user root, no password`,
		async count(table) {
			const [rows] = await (await connect()).query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM demo.\`${table}\``);
			return Number(rows[0]?.n ?? 0);
		},
		async close() {
			await connection?.end().catch(() => undefined);
			if (child && child.exitCode === null) {
				child.kill('SIGTERM');
				await once(child, 'exit');
			}
		},
	};
}
