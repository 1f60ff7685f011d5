/**
 * Tests a Doris connection the way the nodes will use it, and says which part failed:
 * 1. each FE's HTTP port: `GET /api/health` (fe/.../httpv2/rest/HealthAction.java; the doris-website
 *    "Health Action" page shows the same body), which answers
 *    `{"code":0,"msg":"success","data":{"total_backend_num":n,"online_backend_num":m}}`; Basic auth is
 *    sent because FEs with `enable_all_http_auth` check it there. No alive backend fails the test:
 *    every Stream Load would.
 * 2. the MySQL query port: `SELECT 1` with the credential's user and password.
 * Messages never contain the password.
 */
import { Agent, request } from 'undici';

import { registerReadinessProbe } from '../metrics/readiness';
import type { DorisConnection } from './connection';
import { dorisQuery, queryHostOf } from './mysql';

export interface ConnectionCheckResult {
	ok: boolean;
	/** One line per part checked, failures first. */
	message: string;
}

const TIMEOUT_MS = 8000;

function scrub(text: string, password: string): string {
	return password === '' ? text : text.split(password).join('***');
}

async function checkFe(connection: DorisConnection, feUrl: string, dispatcher: Agent | undefined): Promise<string | null> {
	const auth = Buffer.from(`${connection.user}:${connection.password}`).toString('base64');
	try {
		const res = await request(`${feUrl}/api/health`, {
			method: 'GET',
			headers: { authorization: `Basic ${auth}` },
			signal: AbortSignal.timeout(TIMEOUT_MS),
			dispatcher,
		});
		const body = await res.body.text();
		if (res.statusCode !== 200) return `FE ${feUrl}: GET /api/health answered HTTP ${res.statusCode}`;
		let parsed: { code?: number; msg?: string; data?: { online_backend_num?: number; total_backend_num?: number } };
		try {
			parsed = JSON.parse(body) as typeof parsed;
		} catch {
			return `FE ${feUrl}: /api/health did not answer JSON (is this the FE http_port, default 8030?)`;
		}
		// FE REST errors come back as HTTP 200 with an inner code (ResponseEntityBuilder).
		if (parsed.code !== 0) return `FE ${feUrl}: /api/health answered code ${String(parsed.code)} ${parsed.msg ?? ''}`.trim();
		const online = parsed.data?.online_backend_num ?? 0;
		const total = parsed.data?.total_backend_num ?? 0;
		if (online === 0) return `FE ${feUrl}: reachable, but no backend is alive (0 of ${total}); loads would fail`;
		return null;
	} catch (error) {
		const e = error as Error & { code?: string; cause?: { code?: string } };
		return `FE ${feUrl}: not reachable (${e.cause?.code ?? e.code ?? e.name}: ${scrub(e.message, connection.password)})`;
	}
}

export async function checkDorisConnection(connection: DorisConnection): Promise<ConnectionCheckResult> {
	const dispatcher =
		connection.tls !== undefined ? new Agent({ connect: { ca: connection.tls.ca, rejectUnauthorized: connection.tls.rejectUnauthorized } }) : undefined;
	const problems: string[] = [];
	const fine: string[] = [];
	try {
		for (const feUrl of connection.feUrls) {
			const problem = await checkFe(connection, feUrl, dispatcher);
			if (problem === null) fine.push(`FE ${feUrl}: healthy`);
			else problems.push(problem);
		}
	} finally {
		await dispatcher?.close();
	}
	const mysqlWhere = `MySQL port ${queryHostOf(connection)}:${connection.queryPort}`;
	try {
		await dorisQuery(connection, 'SELECT 1');
		fine.push(`${mysqlWhere}: SELECT 1 as ${connection.user} ok`);
	} catch (error) {
		problems.push(`${mysqlWhere} as ${connection.user}: ${scrub((error as Error).message, connection.password)}`);
	}
	return { ok: problems.length === 0, message: [...problems, ...fine].join('; ') };
}

const probedClusters = new Set<string>();

/**
 * /readyz reports "Doris reachable" for every cluster this process loads into: the Stream Load node
 * registers its cluster on its first production execution (once per cluster), so an n8n that is
 * loading nowhere stays ready.
 */
export function registerDorisReadiness(connection: DorisConnection): void {
	const name = `doris:${connection.feUrls.join(',')}`;
	if (probedClusters.has(name)) return;
	probedClusters.add(name);
	registerReadinessProbe(name, async () => {
		const result = await checkDorisConnection(connection);
		return { ok: result.ok, detail: result.ok ? undefined : result.message };
	});
}
