/**
 * CLI: runs the Doris test server on fixed ports for the demo and manual use.
 *   node --import tsx test/ground/doris/main.ts [schema.sql]
 * Env: DORIS_FE_PORT (8030), DORIS_BE_PORT (8040), DORIS_QUERY_PORT (9030), DORIS_HOST (127.0.0.1),
 *      DORIS_USER (root), DORIS_PASSWORD (''). The optional file holds `;`-separated SQL (CREATE DATABASE /
 *      CREATE TABLE ...) run at start. Stops on SIGTERM / SIGINT.
 */
import { readFileSync } from 'node:fs';
import { startDorisTestServer } from './server';

function port(name: string, def: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return def;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
	return n;
}

/** Splits a script at `;` outside quotes and comments. */
function statements(text: string): string[] {
	const out: string[] = [];
	let cur = '';
	let quote = '';
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quote) {
			if (ch === '\\') {
				cur += ch + (text[++i] ?? '');
				continue;
			}
			if (ch === quote) quote = '';
		} else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
		else if (ch === '-' && text[i + 1] === '-') {
			while (i < text.length && text[i] !== '\n') i++;
			continue;
		} else if (ch === ';') {
			if (cur.trim()) out.push(cur.trim());
			cur = '';
			continue;
		}
		cur += ch;
	}
	if (cur.trim()) out.push(cur.trim());
	return out;
}

async function main(): Promise<void> {
	const server = await startDorisTestServer({
		host: process.env.DORIS_HOST || '127.0.0.1',
		user: process.env.DORIS_USER || 'root',
		password: process.env.DORIS_PASSWORD ?? '',
		fePort: port('DORIS_FE_PORT', 8030),
		bePort: port('DORIS_BE_PORT', 8040),
		mysqlPort: port('DORIS_QUERY_PORT', 9030),
	});
	const file = process.argv[2];
	if (file) {
		for (const stmt of statements(readFileSync(file, 'utf8'))) await server.sql(stmt);
	}
	console.log(`Doris test server: FE ${server.feUrl}  BE ${server.beUrl}  MySQL ${server.mysqlHost}:${server.mysqlPort}  user ${server.user}`);
	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		server.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
	console.error(`Doris test server failed to start: ${(e as Error).message}`);
	process.exit(1);
});
