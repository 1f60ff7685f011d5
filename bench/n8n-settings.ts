/**
 * The n8n settings this package's Docker image and Kubernetes config map give n8n, which the benchmark
 * measures n8n with (test/integration/observability-deployments.test.ts checks that the three agree),
 * so that its figures are those of the deployment a user runs.
 */

/**
 * n8n 2.x's expression engine otherwise takes an isolate per execution and builds its replacement
 * (vendor libraries compiled in) at once: measured 25–30 CPU s per million rows at 5000 rows per
 * execution. Lazy, a workflow without expressions never touches it.
 */
export const N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE = 'true';

/**
 * V8's young generation for n8n's main thread: 16 MB semi-spaces instead of the size V8 derives from
 * the machine's memory. Each execution's input is serialised and stored (megabytes per 5,000-row
 * execution) and dies young; with V8's default the young generation n8n keeps committed while
 * consuming adds ~100 MB of resident memory at the same CPU per row (README, "Tuning n8n itself").
 */
export const N8N_NODE_OPTIONS = '--max-semi-space-size=16';

/** NODE_OPTIONS for the benchmark's n8n: the deployment's, or BENCH_N8N_NODE_OPTIONS ('' for Node's defaults). */
export function benchN8nNodeOptions(): string {
	return process.env.BENCH_N8N_NODE_OPTIONS ?? N8N_NODE_OPTIONS;
}

/**
 * BENCH_N8N_MALLOC_MMAP_THRESHOLD (bytes): n8n (not the raw floor or the runner) runs with glibc's
 * MALLOC_MMAP_THRESHOLD_ set to it. A fixed threshold stops glibc from raising it to the size of each
 * big block freed (up to 32 MB), after which blocks of a few MB (packed texts, the worker's bytes,
 * SQLite's copies of each execution's data) are carved from the arenas, which keep the pages resident
 * once freed (bench/results/2026-12-06-300000-rss12.md). glibc only: musl, as in n8n's Alpine
 * image, ignores it. Unset: glibc's default.
 */
export function benchN8nMallocEnv(): Record<string, string> {
	const threshold = process.env.BENCH_N8N_MALLOC_MMAP_THRESHOLD;
	return threshold === undefined || threshold === '' ? {} : { MALLOC_MMAP_THRESHOLD_: threshold };
}
