/**
 * Main-thread cost of a 5000-line packed item (the bench's event shape, bench/dataset.ts) routed in
 * the main thread (routePacked) vs handed to worker threads (routePackedParallel): us per line the
 * event loop is busy (performance.eventLoopUtilization: the synchronous call, cloning in and out,
 * the metrics, GC), and wall time for 20 items in flight at once (as 20 n8n executions would be).
 *
 *   node --import tsx bench/micro/route-packed-worker-pool.ts
 */
import { performance } from 'node:perf_hooks';

import { makeEvent } from '../dataset';
import { eventsMapper } from './events-schema';
import { PackedWorkerPool, routePackedParallel } from '../../src/doris/schema/packed-worker-pool';
import { routePacked, type RoutedPacked } from '../../src/doris/schema/route-packed';
import type { PackedRows } from '../../src/common/item-contract';

const mapper = eventsMapper();
const LINES = 5000;
const ITEMS = 20;
const labels = { workflow: 'bench', node: 'Doris Schema' };
const at = Date.UTC(2024, 4, 17, 12, 0, 0);

/** Item k: its own events, as each execution has its own batch. */
function item(k: number): PackedRows {
	let text = '';
	for (let i = 0; i < LINES; i++) text += `${JSON.stringify(makeEvent(k * LINES + i, at + i))}\n`;
	const first = k * LINES;
	return { jsonLines: text, count: LINES, sources: [{ topic: 'bench', partition: k % 6, firstOffset: String(first), lastOffset: String(first + LINES - 1), lines: LINES }] };
}
const items = Array.from({ length: ITEMS }, (_, k) => item(k));
// Flat strings, as they arrive from n8n (a rope would be flattened by the first reader, timed or not).
for (const p of items) p.jsonLines.charCodeAt(p.jsonLines.length >> 1);
console.log(`${ITEMS} items of ${LINES} lines, ${(items[0].jsonLines.length / LINES).toFixed(0)} chars/line`);

let sink = 0;
function use(r: RoutedPacked): void {
	if (r.invalid.length > 0 || r.packed === null) throw new Error('every bench line should load');
	sink += r.packed.jsonLines.charCodeAt(r.packed.jsonLines.length >> 1);
}

interface Figures {
	busyUsPerLine: number;
	wallMs: number;
}

/** Busy time of this thread's event loop and wall time while `run` runs. */
async function measure(run: () => Promise<void>): Promise<Figures> {
	const e0 = performance.eventLoopUtilization();
	const t0 = performance.now();
	await run();
	const wallMs = performance.now() - t0;
	const e = performance.eventLoopUtilization(e0);
	return { busyUsPerLine: (e.active * 1000) / (ITEMS * LINES), wallMs };
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[s.length >> 1];
}

async function scenario(label: string, run: () => Promise<void>, reps = 5): Promise<void> {
	await run(); // warm-up: JIT here and in the workers, workers started
	const figures: Figures[] = [];
	for (let r = 0; r < reps; r++) figures.push(await measure(run));
	const busy = median(figures.map((f) => f.busyUsPerLine));
	const wall = median(figures.map((f) => f.wallMs));
	console.log(
		`${label}: main thread busy ${busy.toFixed(2)} us/line; wall ${wall.toFixed(0)} ms for ${ITEMS} x ${LINES} lines = ${((ITEMS * LINES) / wall).toFixed(0)}k lines/s (median of ${reps})`,
	);
}

async function main(): Promise<void> {
	// One item at a time: what one execution costs the main thread.
	await scenario('in-thread, one item at a time', async () => {
		for (const p of items) {
			use(routePacked(p, mapper, labels, 0));
			await new Promise((resolve) => setImmediate(resolve));
		}
	});
	for (const size of [1, 2]) {
		const pool = new PackedWorkerPool({ size });
		await scenario(`pool of ${size}, one item at a time`, async () => {
			for (const p of items) use(await routePackedParallel(p, mapper, labels, 0, pool));
		});
		await scenario(`pool of ${size}, ${ITEMS} items in flight`, async () => {
			const rs = await Promise.all(items.map((p, i) => routePackedParallel(p, mapper, labels, i, pool)));
			rs.forEach(use);
		});
		console.log(`  pool stats: ${JSON.stringify(pool.stats())}`);
		await pool.close();
	}
	// The synchronous part of a hand-off alone (clone in, post): what the caller's tick pays.
	const pool = new PackedWorkerPool({ size: 1 });
	await routePackedParallel(items[0], mapper, labels, 0, pool);
	const t0 = performance.now();
	const pending = items.map((p, i) => routePackedParallel(p, mapper, labels, i, pool));
	const syncUs = ((performance.now() - t0) * 1000) / (ITEMS * LINES);
	(await Promise.all(pending)).forEach(use);
	console.log(`hand-off, synchronous part only (clone + post): ${syncUs.toFixed(3)} us/line`);
	await pool.close();
	if (sink === 0) console.log('');
}

void main();
