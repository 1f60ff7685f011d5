/**
 * The benchmark runner (`npm run bench`): makes the data set, starts the Doris test server in this
 * process, runs each scenario `runs` times over the whole backlog, then a live latency phase and
 * the scaling grid, and writes bench/results/<date>-<size>.{json,md}.
 *
 * The measured window of a throughput run starts when the scenario's consumer group becomes Stable
 * (every scenario joins a fresh group, so its fetching starts right after) and ends when the last
 * row is visible in the Doris test server. CPU and peak RSS are those of the process doing the work
 * (the forked worker or n8n), not this runner, which also hosts the Doris test server.
 */
import { join, resolve } from 'node:path';
import { startDorisTestServer } from '../test/ground/doris/server';
import { createTopicsReady } from '../test/support/kafka-topics';
import { runPitfalls } from './builtin-pitfalls';
import { parseOptions, type BenchOptions, type ScenarioId } from './config';
import { BENCH_DB, ensureDataset, kafkaClient, PARTITIONS, produceEvents } from './dataset';
import { dropTable, freshTable, launchConfig, tableCounts, waitGroupStable, type Ground, type Tuning } from './ground';
import { cpuSeconds, LoadWatcher, peakRssMb, percentile, resetPeakRss, rssMb } from './measure';
import { machine, medianOf, writeResults, type BenchResults, type LatencyFigures, type RunFigures, type ScalingCell, type ScenarioResult } from './report';
import { closeN8n } from './n8n';
import { chooseN8nDatabase, databaseCpuSeconds, n8nDatabaseNote, stopN8nDatabaseServer } from './n8n-database';
import { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE, benchN8nMallocEnv, benchN8nNodeOptions } from './n8n-settings';
import { scenarioById, type MeasuredScenarioId } from './scenario-list';
import type { Scenario } from './scenarios';

const log = (msg: string): void => console.error(`[bench] ${msg}`);

/** One pass over a backlog topic of `rows` events (`bytes` of JSON). */
async function throughputRun(ground: Ground, scenario: Scenario, topic: string, rows: number, bytes: number, tuning: Tuning): Promise<RunFigures> {
	const table = await freshTable(ground, scenario.id);
	const watcher = new LoadWatcher(ground.server, BENCH_DB, table);
	const cfg = launchConfig(ground, topic, table, tuning);
	const run = await scenario.launch(cfg);
	log(`${scenario.id}: started (pid ${run.pid}), table ${table}, ${rows} rows, batch ${tuning.batchRows}, ${tuning.inFlight} executions × ${tuning.execRows} in flight`);
	try {
		const t0 = await waitGroupStable(ground.admin, cfg.groupId);
		resetPeakRss(run.pid);
		const startRss = rssMb(run.pid);
		const cpu0 = cpuSeconds(run.pid);
		const ground0 = process.cpuUsage();
		const database0 = databaseCpuSeconds();
		const t1 = await watcher.waitForRows(rows, 30 * 60_000, run.alive);
		const cpu = cpuSeconds(run.pid) - cpu0;
		const groundCpu = process.cpuUsage(ground0);
		const database1 = databaseCpuSeconds();
		const rss = peakRssMb(run.pid);
		const { flushMs: flushes } = await run.stop();
		// The loads' answers said Success; the table says what arrived (a pipeline that loads a batch
		// twice and another never can still reach the expected count).
		const arrived = tableCounts(ground, table);
		if (arrived.rows !== rows || arrived.distinctIds !== rows) {
			throw new Error(`${scenario.id}: ${arrived.rows} rows with ${arrived.distinctIds} distinct ids in the table, ${rows} expected`);
		}
		const seconds = (t1 - t0) / 1000;
		const gaps = watcher.commitGaps();
		return {
			rows,
			seconds,
			rowsPerSec: rows / seconds,
			mbPerSec: bytes / 1e6 / seconds,
			cpuSecPerMillionRows: (cpu / rows) * 1e6,
			dorisCpuSecPerMillionRows: ((groundCpu.user + groundCpu.system) / 1e6 / rows) * 1e6,
			// n8n's PostgreSQL server, when n8n runs on one (null: SQLite, or a scenario without n8n).
			databaseCpuSecPerMillionRows: database0 === null || database1 === null ? null : ((database1 - database0) / rows) * 1e6,
			peakRssMb: rss,
			startRssMb: startRss,
			loads: watcher.loads.length,
			flushP50Ms: flushes === null ? null : percentile(flushes, 50),
			flushP99Ms: flushes === null ? null : percentile(flushes, 99),
			commitGapP50Ms: percentile(gaps, 50),
			commitGapP99Ms: percentile(gaps, 99),
		};
	} catch (err) {
		if (run.alive()) await run.stop().catch(() => undefined);
		throw err;
	} finally {
		watcher.close();
		await dropTable(ground, table);
	}
}

/**
 * End-to-end latency needs events produced while the pipeline runs (a backlog's produce times say
 * nothing about the pipeline): a fresh topic, the pipeline started on it, then `rate` events/s for
 * `seconds`, each carrying its produce time in event_time. Latency = visible − produced.
 */
async function latencyRun(ground: Ground, scenario: Scenario, opts: BenchOptions, rate: number, seconds: number): Promise<LatencyFigures> {
	const topic = `bench-live-${scenario.id}-${Date.now()}`;
	await createTopicsReady(ground.admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
	const table = await freshTable(ground, `${scenario.id}_live`);
	const watcher = new LoadWatcher(ground.server, BENCH_DB, table, true);
	const cfg = launchConfig(ground, topic, table, opts);
	const run = await scenario.launch(cfg);
	const producer = kafkaClient('doris-sinker-bench-live').producer();
	try {
		await waitGroupStable(ground.admin, cfg.groupId);
		await producer.connect();
		const tickMs = Math.max(100, Math.ceil(1000 / rate));
		const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
		const ticks = Math.round((seconds * 1000) / tickMs);
		const start = Date.now();
		for (let t = 0; t < ticks; t++) {
			await produceEvents(producer, topic, t * perTick, perTick, { chunk: perTick, inFlight: 1 });
			const wait = start + (t + 1) * tickMs - Date.now();
			if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		}
		const total = ticks * perTick;
		const producedMs = Date.now() - start;
		await watcher.waitForRows(total, 120_000, run.alive);
		const { flushMs: flushes } = await run.stop();
		return {
			rate: Math.round((total * 1000) / producedMs),
			rows: total,
			p50Ms: percentile(watcher.latencies, 50),
			p99Ms: percentile(watcher.latencies, 99),
			maxMs: percentile(watcher.latencies, 100),
			flushP50Ms: flushes === null ? null : percentile(flushes, 50),
			flushP99Ms: flushes === null ? null : percentile(flushes, 99),
		};
	} catch (err) {
		if (run.alive()) await run.stop().catch(() => undefined);
		throw err;
	} finally {
		watcher.close();
		await producer.disconnect();
		await dropTable(ground, table);
		await ground.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
	}
}

type Dataset = Awaited<ReturnType<typeof ensureDataset>>;

/** `runs` passes over the backlog, then the live latency phase. */
async function runScenario(ground: Ground, opts: BenchOptions, id: MeasuredScenarioId, dataset: Dataset): Promise<ScenarioResult> {
	const scenario = scenarioById(id);
	const slice = id === 'builtin' ? await ensureDataset(opts.builtinSize, log) : dataset;
	const rows = id === 'builtin' ? opts.builtinSize : opts.size;
	const runs: RunFigures[] = [];
	let warmup: RunFigures | null = null;
	if (opts.warmup) {
		warmup = await throughputRun(ground, scenario, slice.topic, rows, slice.bytes, opts);
		log(`${id} warm-up (not counted): ${Math.round(warmup.rowsPerSec)} rows/s, ${warmup.cpuSecPerMillionRows.toFixed(1)} cpu-s/M, peak RSS ${warmup.peakRssMb.toFixed(0)} MB (+${(warmup.peakRssMb - warmup.startRssMb).toFixed(0)} over the start)`);
	}
	for (let i = 0; i < opts.runs; i++) {
		const f = await throughputRun(ground, scenario, slice.topic, rows, slice.bytes, opts);
		log(`${id} run ${i + 1}/${opts.runs}: ${Math.round(f.rowsPerSec)} rows/s, ${f.mbPerSec.toFixed(1)} MB/s, ${f.cpuSecPerMillionRows.toFixed(1)} cpu-s/M, peak RSS ${f.peakRssMb.toFixed(0)} MB (+${(f.peakRssMb - f.startRssMb).toFixed(0)} over the start), ${f.loads} loads`);
		runs.push(f);
	}
	const median = medianOf(runs, warmup);
	let latency: LatencyFigures | null = null;
	if (opts.latency !== null) {
		// Latency means something only below capacity (above it, it grows with the backlog): half the measured throughput at most.
		const rate = Math.max(1, Math.round(Math.min(opts.latency.rate, median.rowsPerSec / 2)));
		latency = await latencyRun(ground, scenario, opts, rate, opts.latency.seconds);
		log(`${id} latency at ${latency.rate} rows/s: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, flush p99 ${latency.flushP99Ms?.toFixed(0) ?? '–'} ms`);
	}
	return { title: scenario.title, rows, runs, median, latency };
}

/** One pass per cell: batch rows × executions in flight. */
async function runScaling(ground: Ground, opts: BenchOptions, id: MeasuredScenarioId): Promise<ScalingCell[]> {
	if (opts.scaling === null) return [];
	const scenario = scenarioById(id);
	const slice = await ensureDataset(opts.scaling.size, log);
	const cells: ScalingCell[] = [];
	for (const batchRows of opts.scaling.batchRows) {
		for (const inFlight of opts.scaling.inFlight) {
			const f = await throughputRun(ground, scenario, slice.topic, opts.scaling.size, slice.bytes, { ...opts, batchRows, inFlight });
			log(`scaling ${id}: batch ${batchRows} × ${inFlight} in flight: ${Math.round(f.rowsPerSec)} rows/s`);
			cells.push({ batchRows, inFlight, rowsPerSec: f.rowsPerSec, peakRssMb: f.peakRssMb });
		}
	}
	return cells;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

async function main(): Promise<void> {
	const opts = parseOptions(process.argv.slice(2));
	log(`options: ${JSON.stringify(opts)}`);
	chooseN8nDatabase(opts.n8nDb);
	// --cpu-prof: one folder per scenario, read when each worker or n8n starts (bench/scenarios.ts, bench/n8n.ts).
	const profileInto = (name: string): void => {
		if (opts.cpuProf !== null) process.env.BENCH_CPU_PROF = join(resolve(opts.cpuProf), name);
	};
	const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
	const dataset = await ensureDataset(opts.size, log);
	const admin = kafkaClient('doris-sinker-bench-runner').admin();
	await admin.connect();
	const server = await startDorisTestServer();
	await server.sql(`CREATE DATABASE IF NOT EXISTS \`${BENCH_DB}\``);
	const ground: Ground = { server, admin, brokers };
	const results: Partial<Record<ScenarioId, ScenarioResult>> = {};
	let scaling: BenchResults['scaling'] = null;
	let pitfalls: BenchResults['pitfalls'] = null;
	const notes: string[] = [];
	const failed = (what: string, err: unknown): void => {
		notes.push(`${what}: FAILED, ${errorText(err)}`);
		console.error(err);
	};
	try {
		for (const id of opts.scenarios) {
			profileInto(id);
			try {
				if (id === 'pitfalls') pitfalls = await runPitfalls(ground, (await ensureDataset(opts.builtinSize, log)).topic, opts.builtinSize, opts, log);
				else results[id] = await runScenario(ground, opts, id, dataset);
			} catch (err) {
				failed(id, err);
			}
			// A fresh n8n per scenario: its heap does not shrink, so the next one's peak RSS would inherit this one's.
			const n8nLog = await closeN8n(`${new Date().toISOString().slice(0, 10)}-${opts.size}-${id}`).catch((err: unknown) => failed(`closing n8n after ${id}`, err));
			if (n8nLog !== undefined) log(`${id}: n8n log kept in ${n8nLog}`);
		}
		// The scaling grid is for the README's tuning advice: on the fastest n8n pipeline, or the core one.
		const pick = results.packed ? 'packed' : results.n8n ? 'n8n' : results.core ? 'core' : null;
		if (opts.scaling !== null && pick === null) notes.push('scaling: not run (needs scenario packed, n8n or core)');
		if (opts.scaling !== null && pick !== null) {
			profileInto(`scaling-${pick}`);
			try {
				scaling = { scenario: pick, size: opts.scaling.size, cells: await runScaling(ground, opts, pick) };
				await closeN8n();
			} catch (err) {
				failed('scaling', err);
			}
		}
	} finally {
		await closeN8n().catch((err: unknown) => failed('closing n8n', err));
		await stopN8nDatabaseServer().catch((err: unknown) => failed("stopping n8n's PostgreSQL", err));
		await server.close();
		await admin.disconnect();
	}
	if (results.n8n || results.packed) notes.push('n8n, packed: flush p50/p99 are the upper bounds of the batch_flush_duration_seconds histogram buckets they fall in (n8n exports no samples).');
	if (results.n8n || results.packed || results.builtin || results['builtin-batch'] || pitfalls !== null) {
		const nodeOptions = benchN8nNodeOptions() === '' ? ", NODE_OPTIONS='' (Node's defaults)" : `, NODE_OPTIONS=${benchN8nNodeOptions()}`;
		notes.push(n8nDatabaseNote());
		notes.push(`n8n settings: N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=${process.env.N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE ?? N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE}, EXECUTIONS_DATA_SAVE_ON_SUCCESS=none${nodeOptions}${Object.entries(benchN8nMallocEnv()).map(([k, v]) => `, ${k}=${v}`).join('')}.`);
	}
	if (opts.warmup) notes.push('warm-up: one unmeasured pass over the backlog per scenario before the measured runs (n8n started once per scenario: its start-up is outside the window); peak RSS is the highest of every pass, its growth over the RSS before the warm-up.');
	if (process.env.BENCH_WORKER_HEAP_MB) notes.push(`raw / core workers: V8 old space capped at ${process.env.BENCH_WORKER_HEAP_MB} MB (BENCH_WORKER_HEAP_MB).`);
	if (results.builtin) notes.push(`builtin: ${opts.builtinSize} events (a slice), HTTP Request straight to the BE, one execution and one Stream Load per message; latency phase at half its throughput.`);
	if (results['builtin-batch']) {
		notes.push(
			`builtin-batch: n8n's Kafka Trigger v1.3 at Batch Size ${opts.execRows}, Resolve Offset on success, ${PARTITIONS} partitions consumed concurrently, Fetch Max Bytes 4 MB; Code node joining JSON lines; HTTP Request v4.5 PUT to the FE with Expect: 100-continue, 307 followed to the BE with credentials, body text/plain; Code node failing the execution unless Status is Success or Publish Timeout. No validation, no label.`,
		);
	}
	if (opts.cpuProf !== null) notes.push(`CPU profiles: ${resolve(opts.cpuProf)}/<scenario>/ (open in Chrome DevTools or speedscope).`);
	const files = writeResults({ date: new Date().toISOString(), machine: machine(), options: opts, dataset: { ...dataset, size: opts.size }, results, scaling, pitfalls, notes });
	log(`wrote ${files.join(', ')}`);
}

// Exits once the results are written: a scenario whose n8n failed to start can leave a handle open,
// and a runner that never ends holds the machine's shared benchmark lock.
main().then(
	() => process.exit(0),
	(err: unknown) => {
		console.error(err);
		process.exit(1);
	},
);
