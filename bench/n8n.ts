/**
 * Scenarios n8n, packed and builtin* run in one real n8n 2.x (test/ground/n8n/host.ts), started once
 * per scenario and kept for all its runs: each run adds its workflow from bench/workflows/, activates
 * it, and deactivates it when the rows are in. The measured process is n8n's main process and its
 * children (the trigger and the executions run in the main process, Code nodes in the task runner).
 *
 * n8n settings, the same for every scenario: successful executions are not saved (a production
 * pipeline would not keep 5000-item executions; saving them would measure SQLite, not the nodes),
 * log level info (the test host's default, debug, costs per execution), and the settings the Docker
 * image gives n8n (bench/n8n-settings.ts: expression isolates acquired lazily, V8's young generation).
 * Its database is SQLite, or PostgreSQL with --n8n-db postgres (bench/n8n-database.ts).
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startN8n, type N8nHost, type WorkflowJson } from '../test/ground/n8n/host';
import { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE, benchN8nMallocEnv, benchN8nNodeOptions } from './n8n-settings';
import { freePort } from '../test/ground/n8n/process';
import { dropN8nDatabase, n8nDatabaseEnv } from './n8n-database';
import type { LaunchConfig, ScenarioRun } from './scenarios';

let host: N8nHost | undefined;
let metricsPort = 0;
const credentialIds = new Map<string, string>();

async function n8nHost(): Promise<N8nHost> {
	if (host !== undefined) return host;
	metricsPort = await freePort();
	const databaseEnv = await n8nDatabaseEnv();
	host = await startN8n({
		importVia: 'rest',
		editorUi: true,
		env: {
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
			EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
			EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'false',
			N8N_LOG_LEVEL: 'info',
			N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: process.env.N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE ?? N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE,
			// Without the publication service activation is confirmed over REST, not by a debug log line.
			N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false',
			DORIS_SINKER_METRICS_PORT: String(metricsPort),
			// Node flags for n8n as the Docker image sets them (bench/n8n-settings.ts), or BENCH_N8N_NODE_OPTIONS.
			NODE_OPTIONS: benchN8nNodeOptions(),
			...benchN8nMallocEnv(),
			...databaseEnv,
			...(process.env.BENCH_CPU_PROF !== undefined ? profilingEnv(resolve(process.env.BENCH_CPU_PROF)) : {}),
		},
	});
	return host;
}

/**
 * --cpu-prof: n8n and its task runner write V8 CPU profiles when they exit. NODE_OPTIONS reaches the
 * main process (and its worker threads), but n8n starts the task runner as `node` from PATH with an
 * environment of its own choosing, without NODE_OPTIONS: a `node` first on PATH that adds the flags
 * gets the runner profiled too.
 */
function profilingEnv(dir: string): Record<string, string> {
	mkdirSync(dir, { recursive: true });
	const flags = `--cpu-prof --cpu-prof-dir=${dir}`;
	const nodeOptions = [benchN8nNodeOptions(), flags].filter((f) => f !== '').join(' ');
	const bin = mkdtempSync(join(tmpdir(), 'bench-node-'));
	writeFileSync(join(bin, 'node'), `#!/bin/sh\nexec '${process.execPath}' ${flags} "$@"\n`);
	chmodSync(join(bin, 'node'), 0o755);
	return { NODE_OPTIONS: nodeOptions, PATH: `${bin}:${process.env.PATH ?? ''}` };
}

/** Where each scenario's n8n log is kept (the n8n user folder goes with n8n). */
export const N8N_LOG_DIR = join(tmpdir(), 'bench-n8n-logs');

/** Stops n8n; with `keepLogAs`, its log is kept as N8N_LOG_DIR/<keepLogAs>.log (shutdown included). */
export async function closeN8n(keepLogAs?: string): Promise<string | undefined> {
	const h = host;
	host = undefined;
	credentialIds.clear();
	if (h === undefined) return undefined;
	let kept: string | undefined;
	try {
		await h.stop();
		if (keepLogAs !== undefined) {
			mkdirSync(N8N_LOG_DIR, { recursive: true });
			kept = join(N8N_LOG_DIR, `${keepLogAs}.log`);
			copyFileSync(h.logPath, kept);
		}
	} finally {
		await h.close();
		await dropN8nDatabase();
	}
	return kept;
}

async function credential(h: N8nHost, key: string, type: string, data: Record<string, unknown>): Promise<string> {
	let id = credentialIds.get(key);
	if (id === undefined) {
		id = await h.addCredential({ name: `bench ${key}`, type, data });
		credentialIds.set(key, id);
	}
	return id;
}

/** Replaces `__NAME__` placeholders: a whole-string placeholder takes the value's type (numbers stay numbers). */
export function fillTemplate(file: string, values: Record<string, string | number>): WorkflowJson {
	const fill = (node: unknown): unknown => {
		if (typeof node === 'string') {
			const whole = /^__([A-Z_]+)__$/.exec(node);
			if (whole !== null && whole[1] in values) return values[whole[1]];
			return node.replace(/__([A-Z_]+)__/g, (m, name: string) => (name in values ? String(values[name]) : m));
		}
		if (Array.isArray(node)) return node.map(fill);
		if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
		return node;
	};
	const workflow = fill(JSON.parse(readFileSync(join(__dirname, 'workflows', file), 'utf8'))) as WorkflowJson;
	const unfilled = /__[A-Z_]+__/.exec(JSON.stringify(workflow));
	if (unfilled !== null) throw new Error(`bench/workflows/${file}: no value for ${unfilled[0]}`);
	return workflow;
}

/** Flush-duration samples are not exported by n8n: read our batch_flush_duration_seconds histogram. */
async function flushHistogram(): Promise<Map<number, number>> {
	const counts = new Map<number, number>();
	try {
		const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
		for (const m of text.matchAll(/^batch_flush_duration_seconds_bucket\{(?:[^}]*,)?le="([^"]+)"[^}]*\} (\d+)/gm)) {
			const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
			counts.set(le, (counts.get(le) ?? 0) + Number(m[2]));
		}
	} catch {
		// the metrics server is not up (the builtin scenarios, or the nodes do not start it): no figures
	}
	return counts;
}

/** Upper bucket bounds (ms) of the flushes between two histogram readings, one per flush: percentiles then read as "≤". */
function flushesBetween(before: Map<number, number>, after: Map<number, number>): number[] | null {
	const bounds = [...after.keys()].sort((a, b) => a - b);
	if (bounds.length === 0) return null;
	const out: number[] = [];
	let below = 0;
	for (const le of bounds) {
		const cumulative = (after.get(le) ?? 0) - (before.get(le) ?? 0);
		for (let i = below; i < cumulative; i++) out.push(le * 1000);
		below = Math.max(below, cumulative);
	}
	return out.length === 0 ? null : out;
}

/** A workflow template of bench/workflows/ and how a run fills it in. */
export interface N8nWorkflow {
	file: string;
	/** This package's nodes and credentials, or n8n's own Kafka Trigger and HTTP Request node. */
	nodes: 'sinker' | 'builtin';
	/** Template values beyond those every workflow gets. */
	values?: (cfg: LaunchConfig) => Record<string, string | number>;
	/** Changes the filled workflow (a variant of the template). */
	edit?: (workflow: WorkflowJson) => void;
}

export async function launchInN8n(spec: N8nWorkflow, cfg: LaunchConfig): Promise<ScenarioRun> {
	const h = await n8nHost();
	const { doris } = cfg;
	const builtin = spec.nodes === 'builtin';
	const kafkaId = builtin
		? await credential(h, 'kafka-builtin', 'kafka', { clientId: 'bench-n8n-builtin', brokers: cfg.brokers.join(','), ssl: false, authentication: false })
		: await credential(h, 'kafka-sinker', 'kafkaDorisSinkApi', { brokers: cfg.brokers.join(','), clientId: 'bench-n8n-sinker', ssl: false, authentication: false });
	const dorisId = builtin
		? await credential(h, 'doris-basic', 'httpBasicAuth', { user: doris.user, password: doris.password })
		: await credential(h, 'doris', 'dorisApi', { feUrls: doris.feUrl, queryPort: doris.queryPort, user: doris.user, password: doris.password, database: doris.db });
	const workflow = fillTemplate(spec.file, {
		TOPIC: cfg.topic,
		GROUP_ID: cfg.groupId,
		DB: doris.db,
		TABLE: doris.table,
		FE_URL: doris.feUrl,
		BE_URL: doris.beUrl,
		BATCH_ROWS: cfg.batchRows,
		FLUSH_SECONDS: cfg.flushMs / 1000,
		EXEC_ROWS: cfg.execRows,
		IN_FLIGHT: cfg.inFlight,
		KAFKA_CREDENTIAL_ID: kafkaId,
		DORIS_CREDENTIAL_ID: dorisId,
		...spec.values?.(cfg),
	});
	spec.edit?.(workflow);
	workflow.name = `${workflow.name} ${doris.table}`;
	const before = await flushHistogram();
	const id = await h.addWorkflow(workflow, { activate: true });
	const pid = h.pid;
	if (pid === undefined) throw new Error('n8n is not running');
	return {
		pid,
		alive: () => h.running,
		async stop() {
			await h.deactivate(id);
			return { flushMs: flushesBetween(before, await flushHistogram()) };
		},
	};
}
