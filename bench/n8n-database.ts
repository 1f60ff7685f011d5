/**
 * The database n8n runs on in the benchmark: SQLite in its user folder (n8n's default), or with
 * `--n8n-db postgres` (BENCH_N8N_DB=postgres) PostgreSQL, what n8n's production requirements point to
 * (README, Benchmark).
 *
 * n8n writes each execution's input to its database when the execution starts, whatever
 * EXECUTIONS_DATA_SAVE_ON_SUCCESS says (the row is deleted when it succeeds): megabytes per
 * 5,000-event execution, on n8n's main thread. With SQLite the driver runs in n8n's process (and
 * TypeORM's sqlite3.verbose() inspects every query argument); with PostgreSQL the server stores the
 * rows in processes of its own, so their CPU is measured too (`databaseCpuSeconds`), as the Doris
 * test server's is: the work moved, it did not vanish.
 *
 * The PostgreSQL is scripts/queue-services.sh's, on ports of its own (BENCH_PG_PORT, 15442;
 * BENCH_REDIS_PORT, 16389: the script starts a Redis beside it, unused here) so that a test run's
 * queue-mode files neither share its CPU nor stop it, leased as the test runs lease theirs (started
 * when not answering, stopped by the last release when a run started it). Every n8n start gets a
 * fresh database, cloned from the migrated n8n template the queue-mode tests use
 * (test/e2e/support/queue-cluster.ts). The server runs as that script sets it up: fsync,
 * synchronous_commit and full_page_writes off (a disposable test database), which spares it the
 * disk flushes a production server makes.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTemplateDatabase } from '../test/e2e/support/queue-cluster';
import { createDatabase, psql, type QueueServices } from '../test/e2e/support/queue-services';
import type { N8nDatabase } from './config';
import { cpuSecondsWithReaped } from './measure';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', 'scripts', 'queue-services.sh');

interface Postgres {
	services: QueueServices;
	/** The postmaster: its tree's CPU is the server's (backends, autovacuum, writers). */
	serverPid: number;
}

let chosen: N8nDatabase = 'sqlite';
let postgres: Postgres | undefined;
let current: { drop(): Promise<void> } | undefined;
let databases = 0;
/** Version and address of the PostgreSQL n8n ran on, for the report (kept after the server stops). */
let serverDescription = '';

export function chooseN8nDatabase(kind: N8nDatabase): void {
	chosen = kind;
}

function scriptEnv(): NodeJS.ProcessEnv {
	return { ...process.env, QUEUE_PG_PORT: process.env.BENCH_PG_PORT ?? '15442', QUEUE_REDIS_PORT: process.env.BENCH_REDIS_PORT ?? '16389' };
}

async function script(...args: string[]): Promise<string> {
	const { stdout } = await run('bash', [SCRIPT, ...args], { env: scriptEnv(), timeout: 600_000, maxBuffer: 4 * 1024 * 1024 });
	return stdout;
}

async function startPostgres(): Promise<Postgres> {
	// A lease, as the test runs take theirs (scripts/lib/run-leases.sh): started unless up, stopped by the last release.
	await script('acquire', String(process.pid));
	const vars = new Map((await script('env')).split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
	const need = (key: string): string => {
		const value = vars.get(key);
		if (value === undefined || value === '') throw new Error(`scripts/queue-services.sh env printed no ${key}`);
		return value;
	};
	const services: QueueServices = {
		redis: { host: need('QUEUE_REDIS_HOST'), port: Number(need('QUEUE_REDIS_PORT')) },
		postgres: { host: need('QUEUE_PG_HOST'), port: Number(need('QUEUE_PG_PORT')), user: need('QUEUE_PG_USER'), bin: need('QUEUE_PG_BIN') },
		stop: async () => {
			await script('release', String(process.pid));
		},
	};
	// The first line of postmaster.pid is the postmaster's pid.
	const dataDir = await psql(services, 'SHOW data_directory');
	const serverPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	if (!Number.isInteger(serverPid) || serverPid <= 0) throw new Error(`bench: no postmaster pid in ${dataDir}/postmaster.pid`);
	serverDescription = ` ${await psql(services, 'SHOW server_version')} at ${services.postgres.host}:${services.postgres.port}`;
	return { services, serverPid };
}

/** The environment that points a new n8n at its database: none for SQLite, a fresh PostgreSQL database otherwise. */
export async function n8nDatabaseEnv(): Promise<Record<string, string>> {
	if (chosen === 'sqlite') return {};
	postgres ??= await startPostgres();
	const { services } = postgres;
	await dropN8nDatabase();
	const template = await ensureTemplateDatabase(services);
	const db = await createDatabase(services, `n8n_bench_${process.pid}_${++databases}`, template);
	current = db;
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: services.postgres.host,
		DB_POSTGRESDB_PORT: String(services.postgres.port),
		DB_POSTGRESDB_DATABASE: db.name,
		DB_POSTGRESDB_USER: services.postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
	};
}

/** Drops the database of the n8n that was stopped (each n8n start gets a fresh one). */
export async function dropN8nDatabase(): Promise<void> {
	const db = current;
	current = undefined;
	await db?.drop();
}

/**
 * CPU seconds n8n's PostgreSQL server has used so far; null on SQLite (that work is in n8n's own
 * CPU) and while no n8n runs on it (a scenario without n8n).
 */
export function databaseCpuSeconds(): number | null {
	return postgres === undefined || current === undefined ? null : cpuSecondsWithReaped(postgres.serverPid);
}

/** Releases the PostgreSQL server's lease: it stops when no other run holds one and a run started it. */
export async function stopN8nDatabaseServer(): Promise<void> {
	const pg = postgres;
	postgres = undefined;
	await dropN8nDatabase();
	await pg?.services.stop();
}

/** What the report says about n8n's database. */
export function n8nDatabaseNote(): string {
	if (chosen === 'sqlite') return "n8n's database: SQLite (n8n's default, in its user folder; its work is in n8n's own CPU).";
	return `n8n's database: PostgreSQL${serverDescription} (DB_TYPE=postgresdb, a fresh database per n8n start; fsync, synchronous_commit and full_page_writes off, as scripts/queue-services.sh runs it); its server's CPU is the column "n8n's PostgreSQL CPU s / M rows".`;
}
