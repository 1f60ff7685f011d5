// n8n in queue mode: one main (`n8n start`, EXECUTIONS_MODE=queue: runs the triggers and puts each
// execution on the Bull queue in Redis) and N workers (`n8n worker`: run the executions), all on
// one PostgreSQL database and one encryption key, the package installed in each user folder.
//
//   const services = await ensureQueueServices();
//   const cluster = await startQueueCluster(services, { workers: 2 });
//   // credentials and workflows through cluster.main's REST API (support/n8n-setup.ts)
//   ... cluster.workers[0].kill() ... await cluster.close();
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startN8n, type N8nHost } from '../../ground/n8n/host';
import { N8N_VERSION, ensureN8nInstalled } from '../../ground/n8n/install';
import { runN8nCli } from '../../ground/n8n/process';
import { N8nWorker, baseN8nEnv } from './queue-worker';
import { clearRedisPrefix, createDatabase, psql, type QueueServices } from './queue-services';

export interface QueueClusterOptions {
	workers: number;
	/** Jobs each worker runs at once (n8n's default is 10). */
	concurrency?: number;
	/** Extra environment for main and workers alike. */
	env?: Record<string, string>;
	/** Extra environment for one worker (e.g. its own DORIS_SINKER_METRICS_PORT). */
	workerEnv?: (index: number) => Record<string, string> | Promise<Record<string, string>>;
}

export interface QueueCluster {
	main: N8nHost;
	workers: N8nWorker[];
	/** Environment every process of the cluster shares (queue, database, key). */
	sharedEnv: Record<string, string>;
	addWorker(): Promise<N8nWorker>;
	close(): Promise<void>;
}

/**
 * The settings that make main and workers one cluster. Lock and stall timings are shortened from
 * n8n's 60 s / 30 s so a SIGKILLed worker's jobs are declared stalled (n8n sets Bull's
 * maxStalledCount to 0: a stalled job fails, it is never re-run) within seconds, not a minute.
 */
function clusterEnv(services: QueueServices, database: string, prefix: string): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: services.redis.host,
		QUEUE_BULL_REDIS_PORT: String(services.redis.port),
		QUEUE_BULL_PREFIX: prefix,
		// n8n's own Redis keys (cache, pub/sub command channels) default to one "n8n" prefix: two
		// clusters on one Redis would read each other's cache and obey each other's commands.
		N8N_REDIS_KEY_PREFIX: `${prefix}-n8n`,
		QUEUE_WORKER_LOCK_DURATION: '6000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
		QUEUE_WORKER_STALLED_INTERVAL: '3000',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: services.postgres.host,
		DB_POSTGRESDB_PORT: String(services.postgres.port),
		DB_POSTGRESDB_DATABASE: database,
		DB_POSTGRESDB_USER: services.postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		// The package's own metrics need no n8n metrics endpoint; keep the processes lean.
		N8N_METRICS: 'false',
	};
}

/**
 * How long close() lets main shut down before SIGKILL. Main's graceful stop takes ~1 s, except after
 * a worker was SIGKILLed: an execution that worker stored as successful before Bull completed its
 * job is never settled on main (docs/scaling.md, A dead worker), and main's shutdown waits n8n's full
 * 30 s for it ("Waiting for 2 active executions to finish...", then "Shutdown timed out"). close()
 * runs after every check, so nothing depends on main's exit being clean.
 */
const MAIN_STOP_GRACE_MS = 5_000;

const TEMPLATE_DB = `n8n_template_${N8N_VERSION.replace(/\W/g, '_')}`;

/**
 * A PostgreSQL database with n8n's migrations applied, kept in .cache/postgres and cloned for each
 * cluster (CREATE DATABASE ... TEMPLATE): a fresh n8n database otherwise spends ~30 s migrating.
 * Built once per n8n version by running one n8n CLI command (every command migrates first). The
 * benchmark clones it too (bench/n8n-database.ts).
 */
export async function ensureTemplateDatabase(services: QueueServices): Promise<string> {
	const exists = await psql(services, `SELECT 1 FROM pg_database WHERE datname = '${TEMPLATE_DB}'`);
	if (exists === '1') return TEMPLATE_DB;
	ensureN8nInstalled();
	const building = `${TEMPLATE_DB}_build_${process.pid}`;
	await psql(services, `DROP DATABASE IF EXISTS ${building}`);
	await psql(services, `CREATE DATABASE ${building}`);
	const folder = mkdtempSync(path.join(os.tmpdir(), 'n8n-pg-template-'));
	try {
		const env: NodeJS.ProcessEnv = { ...process.env, ...baseN8nEnv(folder), ...clusterEnv(services, building, 'bull-template') };
		delete env.NODE_OPTIONS;
		delete env.NODE_TEST_CONTEXT;
		await runN8nCli(['list:workflow'], env, 300_000);
		await psql(services, `ALTER DATABASE ${building} RENAME TO ${TEMPLATE_DB}`);
	} catch (error) {
		await psql(services, `DROP DATABASE IF EXISTS ${building}`).catch(() => undefined);
		// Another test process built it meanwhile: theirs is as good as ours.
		if ((await psql(services, `SELECT 1 FROM pg_database WHERE datname = '${TEMPLATE_DB}'`)) !== '1') throw error;
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
	return TEMPLATE_DB;
}

/**
 * main's user folder, prepared here so that every process can share one encryption key chosen up
 * front (and the workers can start while main still imports): the host seeds a fresh folder from
 * its SQLite template, whose config carries another key, unless the folder already holds a
 * database file. With DB_TYPE=postgresdb that file is never opened; it only marks the folder as used.
 */
function mainFolder(encryptionKey: string): string {
	const folder = mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-main-'));
	mkdirSync(path.join(folder, '.n8n'), { recursive: true });
	writeFileSync(path.join(folder, '.n8n', 'config'), JSON.stringify({ encryptionKey }));
	writeFileSync(path.join(folder, '.n8n', 'database.sqlite'), '');
	return folder;
}

export async function startQueueCluster(services: QueueServices, options: QueueClusterOptions): Promise<QueueCluster> {
	const tag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
	const template = await ensureTemplateDatabase(services);
	const db = await createDatabase(services, `n8n_queue_${tag}`, template);
	const prefix = `bull-${tag}`;
	const encryptionKey = randomBytes(24).toString('base64');
	const sharedEnv = { ...clusterEnv(services, db.name, prefix), N8N_ENCRYPTION_KEY: encryptionKey, ...options.env };
	const folder = mainFolder(encryptionKey);
	const workers: N8nWorker[] = [];
	let main: N8nHost | undefined;
	const close = async (): Promise<void> => {
		// Together: main's shutdown waits for the executions the workers are finishing.
		const began = Date.now();
		const took: string[] = [];
		const timed = async (name: string, closing: Promise<unknown> | undefined): Promise<void> => {
			await closing;
			took.push(`${name} ${Date.now() - began} ms`);
		};
		await Promise.allSettled([...workers.map((w) => timed(w.name, w.close())), timed('main', main?.close())]);
		// For the time per file: a process that needed its whole grace shows here.
		console.log(`# queue cluster stopped: ${took.join(', ')}`);
		rmSync(folder, { recursive: true, force: true });
		await db.drop().catch(() => undefined);
		await clearRedisPrefix(services, prefix).catch(() => undefined);
		await clearRedisPrefix(services, `${prefix}-n8n`).catch(() => undefined);
	};
	const concurrency = options.concurrency ?? 10;
	let started = 0;
	const addWorker = async (): Promise<N8nWorker> => {
		started += 1;
		const index = started;
		const own = (await options.workerEnv?.(index)) ?? {};
		const worker = await N8nWorker.start({ env: { ...sharedEnv, ...own }, concurrency, name: `worker${index}` });
		workers.push(worker);
		return worker;
	};
	let starting: Array<Promise<N8nWorker>> = [];
	try {
		// The database is migrated already, so the workers may start while main does.
		starting = Array.from({ length: options.workers }, () => addWorker());
		main = await startN8n({ userFolder: folder, env: sharedEnv, stopGraceMs: MAIN_STOP_GRACE_MS });
		await Promise.all(starting);
		return { main, workers, sharedEnv, addWorker, close };
	} catch (error) {
		await Promise.allSettled(starting);
		await close();
		throw error;
	}
}
