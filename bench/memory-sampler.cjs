/**
 * Where a process's memory goes, sampled: preloaded into n8n (and so into each of its worker
 * threads), it writes every thread's process.memoryUsage() and V8 heap spaces every 100 ms as JSON
 * lines to BENCH_MEMORY_DIR (default /tmp/bench-memory), one file per process and thread:
 *
 *   BENCH_N8N_NODE_OPTIONS="--max-semi-space-size=16 --require $PWD/bench/memory-sampler.cjs" [BENCH_TRACE_GC=1] [BENCH_SMAPS=1] \
 *     npm run bench -- --size 300000 --runs 1 --warmup --no-scaling --no-latency --scenarios packed
 *
 * MB, one decimal: rss (the process's), heapTotal / heapUsed / large-object space (this thread's V8
 * heap), external (this thread's: ArrayBuffers, and strings over ~1 MB that Node makes external when
 * it decodes a Buffer, such as packed items' jsonLines) and arrayBuffers; V8's malloced memory; RssAnon /
 * RssFile of the process (main thread). BENCH_TRACE_GC=1 prints every collection of every thread into
 * n8n's log (Node refuses --trace-gc in NODE_OPTIONS). Diagnostic only: the
 * benchmark's own figures come without it. bench/results/2026-12-05-packed-reuse.md reads such a run.
 */
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');
const { threadId, isMainThread } = require('node:worker_threads');

const dir = process.env.BENCH_MEMORY_DIR ?? '/tmp/bench-memory';
// Node refuses --trace-gc in NODE_OPTIONS; set here, every collection is printed to n8n's log.
if (process.env.BENCH_TRACE_GC === '1' && isMainThread) v8.setFlagsFromString('--trace-gc');
fs.mkdirSync(dir, { recursive: true });
const fd = fs.openSync(`${dir}/${process.pid}-${threadId}.jsonl`, 'a');
const mb = (bytes) => Math.round(bytes / 1e5) / 10;
fs.writeSync(fd, `${JSON.stringify({ start: Date.now(), argv: process.argv.slice(1, 3), isMainThread })}\n`);
/** RssAnon / RssFile of the process (MB): anonymous memory (heaps, malloc) against mapped files (code). */
function statusOf() {
	const out = {};
	try {
		const status = fs.readFileSync('/proc/self/status', 'utf8');
		for (const field of ['RssAnon', 'RssFile']) {
			const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
			if (kb !== null) out[field] = Math.round(Number(kb[1]) / 102.4) / 10;
		}
	} catch {
		// not Linux
	}
	return out;
}
/**
 * BENCH_SMAPS=1: resident MB of the process by kind of mapping, read from /proc/self/smaps (main thread
 * only, every 500 ms; reading it costs the main thread a few ms): glibc's main arena (`[heap]`), thread
 * arenas (read-write mappings starting on a 64 MB boundary), V8 heap pages (256 KB, aligned), other
 * anonymous memory (V8 large objects, big mmapped mallocs), files. bench/results/2026-12-06-300000-s10-rss.md
 * reads such a run.
 */
function smapsOf() {
	const kinds = { mainArena: 0, threadArenas: 0, v8Pages: 0, otherAnon: 0, files: 0 };
	let kind = null;
	for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
		const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
		if (head !== null) {
			const start = BigInt(`0x${head[1]}`);
			const size = BigInt(`0x${head[2]}`) - start;
			const name = head[4].trim();
			if (name === '[heap]') kind = 'mainArena';
			else if (name.startsWith('/')) kind = 'files';
			else if (name !== '') kind = null;
			else if (start % (64n << 20n) === 0n && head[3].startsWith('rw')) kind = 'threadArenas';
			else if (size === 256n * 1024n && start % (256n * 1024n) === 0n) kind = 'v8Pages';
			else kind = 'otherAnon';
		} else if (kind !== null && line.startsWith('Rss:')) kinds[kind] += Number(line.split(/\s+/)[1]) / 1024;
	}
	return Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}
let sampleCount = 0;
setInterval(() => {
	const m = process.memoryUsage();
	const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
	const h = v8.getHeapStatistics();
	const smaps = isMainThread && process.env.BENCH_SMAPS === '1' && sampleCount++ % 5 === 0 ? { smaps: smapsOf() } : {};
	const sample = { t: Date.now(), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), largeObjects: spaces.large_object_space, old: spaces.old_space, newSpace: spaces.new_space, malloced: mb(h.malloced_memory), ...(isMainThread ? statusOf() : {}), ...smaps };
	fs.writeSync(fd, `${JSON.stringify(sample)}\n`);
}, 100).unref();
