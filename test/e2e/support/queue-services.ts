// Redis and PostgreSQL for the queue-mode tests, through scripts/queue-services.sh: a lease for the
// test file's process, which starts them when they are not up and, released, stops them only when no
// other run (scripts/test.sh here or in another worktree, another file) still holds one
// (scripts/lib/run-leases.sh); one PostgreSQL database and one Bull key prefix per test file so runs
// never see each other's executions or jobs.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../ground/n8n/install';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'queue-services.sh');

export interface QueueServices {
	redis: { host: string; port: number };
	postgres: { host: string; port: number; user: string; bin: string };
	/** Releases this process' lease: the services stop when it was the last and a run started them. */
	stop(): Promise<void>;
}

async function script(...args: string[]): Promise<string> {
	const { stdout } = await run('bash', [SCRIPT, ...args], { timeout: 600_000, maxBuffer: 4 * 1024 * 1024 });
	return stdout;
}

/** Installs (first time) and starts Redis and PostgreSQL unless they already answer, under a lease of this process. */
export async function ensureQueueServices(): Promise<QueueServices> {
	await script('acquire', String(process.pid));
	const vars = new Map<string, string>();
	for (const line of (await script('env')).split('\n')) {
		const at = line.indexOf('=');
		if (at > 0) vars.set(line.slice(0, at), line.slice(at + 1));
	}
	const need = (key: string): string => {
		const value = vars.get(key);
		if (value === undefined || value === '') throw new Error(`scripts/queue-services.sh env printed no ${key}`);
		return value;
	};
	return {
		redis: { host: need('QUEUE_REDIS_HOST'), port: Number(need('QUEUE_REDIS_PORT')) },
		postgres: { host: need('QUEUE_PG_HOST'), port: Number(need('QUEUE_PG_PORT')), user: need('QUEUE_PG_USER'), bin: need('QUEUE_PG_BIN') },
		async stop() {
			await script('release', String(process.pid));
		},
	};
}

/** Runs one SQL statement as the superuser on the maintenance database. */
export async function psql(services: QueueServices, sql: string): Promise<string> {
	const { host, port, user, bin } = services.postgres;
	const { stdout } = await run(path.join(bin, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', user, '-d', 'postgres', '-c', sql], {
		timeout: 60_000,
	});
	return stdout.trim();
}

/** A fresh database for one n8n cluster (empty, or a copy of `template`); `drop` removes it even with connections left open. */
export async function createDatabase(services: QueueServices, name: string, template?: string): Promise<{ name: string; drop(): Promise<void> }> {
	for (const id of [name, template ?? 'none']) {
		if (!/^[a-z_][a-z0-9_]*$/.test(id)) throw new Error(`database name "${id}" must be lower-case letters, digits and _`);
	}
	await psql(services, template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
	return {
		name,
		async drop() {
			await psql(services, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
		},
	};
}

/** Deletes every Redis key under a Bull prefix (n8n's queue of one test file). */
export async function clearRedisPrefix(services: QueueServices, prefix: string): Promise<void> {
	const { host, port } = services.redis;
	const args = ['-h', host, '-p', String(port), '--no-auth-warning', 'EVAL', "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0", '0', `${prefix}:*`];
	await run('redis-cli', args, { timeout: 30_000 });
}
