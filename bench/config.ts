/**
 * Benchmark options from flags (and BENCH_* environment variables for the data set size):
 *
 *   npm run bench -- [--quick] [--size N] [--runs N] [--scenarios raw,core,n8n,packed,builtin,builtin-batch,pitfalls]
 *                    [--batch-rows N] [--flush-ms N] [--in-flight N] [--exec-rows N] [--builtin-size N]
 *                    [--latency-rate N] [--latency-seconds N] [--no-latency]
 *                    [--scaling-size N] [--no-scaling] [--cpu-prof [DIR]] [--label NAME] [--warmup]
 *                    [--n8n-db sqlite|postgres]
 *
 * The latency phase produces live events at min(--latency-rate, half the scenario's measured
 * throughput) for --latency-seconds.
 *
 * --warmup passes over the backlog once per scenario before the measured runs, unmeasured: n8n is
 * started once per scenario, so without it the first run also pays n8n's start-up (its task runner
 * loading, the execution path compiled on first use), which a pipeline that runs for hours pays once.
 * Peak RSS growth is then still measured over the RSS before the warm-up (n8n's idle footprint).
 *
 * --n8n-db (or BENCH_N8N_DB) is the database n8n runs on: SQLite, n8n's default, or PostgreSQL
 * (bench/n8n-database.ts); a PostgreSQL run's results file is labelled `n8n-postgres` unless --label
 * names it, so it does not replace the SQLite run's.
 *
 * --quick is a smoke run (50k events, one run, short latency phase, scaling on 50k): it checks the
 * harness end to end in a couple of minutes; its figures are not the benchmark's.
 */
/** The databases n8n can run on in the benchmark (bench/n8n-database.ts). */
export const N8N_DATABASES = ['sqlite', 'postgres'] as const;
export type N8nDatabase = (typeof N8N_DATABASES)[number];

export const SCENARIOS = ['raw', 'core', 'n8n', 'packed', 'builtin', 'builtin-batch', 'pitfalls'] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export interface BenchOptions {
	quick: boolean;
	size: number;
	runs: number;
	scenarios: ScenarioId[];
	batchRows: number;
	flushMs: number;
	/**
	 * Executions in flight (the trigger's window; the sinker's default is 10). 20 × 5000 records hold two
	 * 50k-row batches: one fills while the other loads (README, tuning).
	 */
	inFlight: number;
	/** Records per execution (the trigger's default is 5000). */
	execRows: number;
	/** Scenario builtin runs one execution (one Stream Load) per message, so it reads a smaller slice; pitfalls reads it too. */
	builtinSize: number;
	latency: { rate: number; seconds: number } | null;
	/** Write V8 CPU profiles of every measured process (workers, n8n, its worker threads and task runner) into <folder>/<scenario>/. */
	cpuProf: string | null;
	scaling: { size: number; inFlight: number[]; batchRows: number[] } | null;
	/** Names the results file (`<date>-<size>-<label>`), so a variant run does not replace the main one. */
	label: string | null;
	/** One unmeasured pass per scenario before the measured runs (see the header). */
	warmup: boolean;
	/** The database n8n runs on (see the header). */
	n8nDb: N8nDatabase;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
	const flags = new Map<string, string | true>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) throw new Error(`bench: unexpected argument "${arg}"`);
		const eq = arg.indexOf('=');
		if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
		else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(arg.slice(2), argv[++i]);
		else flags.set(arg.slice(2), true);
	}
	const known = ['quick', 'size', 'runs', 'scenarios', 'batch-rows', 'flush-ms', 'in-flight', 'exec-rows', 'builtin-size', 'latency-rate', 'latency-seconds', 'no-latency', 'scaling-size', 'no-scaling', 'cpu-prof', 'label', 'warmup', 'n8n-db'];
	for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`bench: unknown flag --${name} (known: ${known.join(', ')})`);

	const quick = flags.get('quick') === true;
	const num = (name: string, fallback: number): number => {
		const raw = flags.get(name);
		if (raw === undefined) return fallback;
		const n = Number(raw);
		if (raw === true || !Number.isInteger(n) || n <= 0) throw new Error(`bench: --${name} must be a positive integer, got "${String(raw)}"`);
		return n;
	};
	const size = num('size', Number(env.BENCH_SIZE ?? (quick ? 50_000 : 1_000_000)));
	const scenarioFlag = flags.get('scenarios');
	const scenarios = typeof scenarioFlag === 'string' ? scenarioFlag.split(',').map((s) => s.trim()) : [...SCENARIOS];
	for (const s of scenarios) {
		if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`bench: unknown scenario "${s}" (known: ${SCENARIOS.join(', ')})`);
	}
	const n8nDb = flags.get('n8n-db') ?? env.BENCH_N8N_DB ?? 'sqlite';
	if (!(N8N_DATABASES as readonly unknown[]).includes(n8nDb)) throw new Error(`bench: --n8n-db must be one of ${N8N_DATABASES.join(', ')}, got "${String(n8nDb)}"`);
	const label = flags.get('label');
	return {
		quick,
		size,
		runs: num('runs', quick ? 1 : 3),
		scenarios: scenarios as ScenarioId[],
		batchRows: num('batch-rows', 50_000),
		flushMs: num('flush-ms', 1000),
		inFlight: num('in-flight', 20),
		execRows: num('exec-rows', 5000),
		builtinSize: Math.min(size, num('builtin-size', quick ? 500 : 2000)),
		cpuProf: typeof flags.get('cpu-prof') === 'string' ? String(flags.get('cpu-prof')) : flags.has('cpu-prof') ? 'bench/results/profiles' : null,
		latency: flags.has('no-latency') ? null : { rate: num('latency-rate', quick ? 5000 : 20_000), seconds: num('latency-seconds', quick ? 3 : 15) },
		label: typeof label === 'string' ? label.replace(/[^a-z0-9_-]/gi, '-') : n8nDb === 'postgres' ? 'n8n-postgres' : null,
		warmup: flags.get('warmup') === true,
		n8nDb: n8nDb as N8nDatabase,
		scaling: flags.has('no-scaling') ? null : { size: num('scaling-size', size), inFlight: [1, 2, 4, 20], batchRows: [1000, 10_000, 50_000] },
	};
}
