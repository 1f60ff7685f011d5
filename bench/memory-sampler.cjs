/**
 * Where a process's memory goes, sampled: preloaded into n8n (and so into each of its worker
 * threads), it writes every thread's process.memoryUsage() and V8 heap spaces every 100 ms as JSON
 * lines to BENCH_MEMORY_DIR (default /tmp/bench-memory), one file per process and thread:
 *
 *   BENCH_N8N_NODE_OPTIONS="--max-semi-space-size=16 --require $PWD/bench/memory-sampler.cjs" \
 *     npm run bench -- --size 300000 --runs 1 --warmup --no-scaling --no-latency --scenarios packed
 *
 * MB, one decimal: rss (the process's), heapTotal / heapUsed / large-object space (this thread's V8
 * heap), external (this thread's: ArrayBuffers, and strings over ~1 MB that Node makes external when
 * it decodes a Buffer, such as packed items' jsonLines) and arrayBuffers. Diagnostic only: the
 * benchmark's own figures come without it. bench/results/2026-12-05-packed-reuse.md reads such a run.
 */
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');
const { threadId, isMainThread } = require('node:worker_threads');

const dir = process.env.BENCH_MEMORY_DIR ?? '/tmp/bench-memory';
fs.mkdirSync(dir, { recursive: true });
const fd = fs.openSync(`${dir}/${process.pid}-${threadId}.jsonl`, 'a');
const mb = (bytes) => Math.round(bytes / 1e5) / 10;
fs.writeSync(fd, `${JSON.stringify({ start: Date.now(), argv: process.argv.slice(1, 3), isMainThread })}\n`);
setInterval(() => {
	const m = process.memoryUsage();
	const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
	const sample = { t: Date.now(), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), largeObjects: spaces.large_object_space, old: spaces.old_space };
	fs.writeSync(fd, `${JSON.stringify(sample)}\n`);
}, 100).unref();
