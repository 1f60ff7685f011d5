/**
 * CPU µs per row of the Doris Schema node's worker thread on the benchmark's own rows
 * (bench/dataset.ts makeEvent, ~335 bytes, into the events table of events-schema.ts), packed
 * 5,000 lines per item as the trigger's One Item per Batch packs them:
 * - in-thread: what the worker does with one item (mapPackedLinesToBytes: the rows' text and the
 *   UTF-8 bytes it hands back), on this thread, CPU from process.threadCpuUsage;
 * - pool: the items through the node's own PackedWorkerPool (one worker, the node's default), 20 in
 *   flight as 20 executions would be; the worker's CPU is the process's minus this thread's (so it
 *   includes the worker's GC helpers), and this thread's is the main thread's share (clone in/out).
 * Figures are printed, never asserted; best and median of BENCH_ROUNDS (default 7).
 * BENCH_CANONICAL=1: the events as the node writes them (DECIMAL as text, the JSON column's object as
 * its JSON text), as a producer that writes what the table takes would send them: every line then
 * loads as it stands and the node keeps the item's text (LineSink unchanged).
 *
 *   [BENCH_UNICODE=1] [BENCH_CANONICAL=1] node --import tsx bench/micro/packed-worker.ts [in-thread|pool]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/micro/packed-worker.ts in-thread
 */
import { makeEvent } from '../dataset';
import { eventsMapper } from './events-schema';
import type { PackedRows } from '../../src/common/item-contract';
import { PackedWorkerPool } from '../../src/doris/schema/packed-worker-pool';
import { emptyInvalidLineCounts, mapPackedLinesToBytes, type RoutedPacked } from '../../src/doris/schema/route-packed';

const LINES = 5000;
const ITEMS = 20;
const ROWS = LINES * ITEMS;
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const which = process.argv[2] ?? 'all';
/** BENCH_UNICODE=1: every message has a word that is not ASCII (the item is then read as characters, not bytes). */
const unicode = process.env.BENCH_UNICODE === '1';
const canonical = process.env.BENCH_CANONICAL === '1';
const labels = { workflow: 'bench', node: 'Doris Schema', countMetrics: false };
const at = Date.UTC(2024, 4, 17, 12, 0, 0);

/** Item k: its own 5,000 events, one exact run of one partition, as an execution gets them. */
function item(k: number): PackedRows {
	let text = '';
	for (let i = 0; i < LINES; i++) text += `${JSON.stringify(makeEvent(k * LINES + i, at + (k * LINES + i) * 7))}\n`;
	if (unicode) text = text.replaceAll('"message":"', '"message":"Grüße ');
	if (canonical) text = mapPackedLinesToBytes({ jsonLines: text, count: LINES, sources: [] }, eventsMapper(), 0, emptyInvalidLineCounts()).routed.packed?.jsonLines ?? '';
	// Flat, as it arrives from n8n or the trigger (a rope would be flattened by whoever reads it first).
	text = unicode ? Buffer.from(text, 'utf8').toString('utf8') : Buffer.from(text, 'latin1').toString('latin1');
	const first = 1_000_000 + k * LINES;
	return { jsonLines: text, count: LINES, sources: [{ topic: 'bench', partition: k % 6, firstOffset: String(first), lastOffset: String(first + LINES - 1), lines: LINES }] };
}
const items = Array.from({ length: ITEMS }, (_, k) => item(k));

let sink = 0;
function use(r: RoutedPacked): void {
	if (r.invalid.length > 0 || r.packed === null) throw new Error(`every bench line should load: ${JSON.stringify(r.invalid[0]?.json)}`);
	sink += r.packed.count;
}

function cpuUs(u: NodeJS.CpuUsage): number {
	return u.user + u.system;
}

function summary(label: string, perRow: number[]): void {
	const s = [...perRow].sort((a, b) => a - b);
	console.log(`${label}: best ${s[0].toFixed(2)} µs/row, median ${s[s.length >> 1].toFixed(2)} (CPU, ${s.length} rounds of ${ROWS} rows)`);
}

function inThread(): void {
	const mapper = eventsMapper();
	const perRow: number[] = [];
	for (let r = 0; r < rounds + 2; r++) {
		const before = process.threadCpuUsage();
		for (const p of items) {
			const { routed, bytes } = mapPackedLinesToBytes(p, mapper, 0, emptyInvalidLineCounts());
			use(routed);
			sink += bytes?.length ?? 0;
		}
		if (r >= 2) perRow.push(cpuUs(process.threadCpuUsage(before)) / ROWS); // two rounds warm the JIT up
	}
	summary('in-thread: mapPackedLinesToBytes', perRow);
}

async function pooled(): Promise<void> {
	const mapper = eventsMapper();
	const pool = new PackedWorkerPool({ size: 1 });
	const worker: number[] = [];
	const main: number[] = [];
	for (let r = 0; r < rounds + 2; r++) {
		const process0 = process.cpuUsage();
		const main0 = process.threadCpuUsage();
		const routed = await Promise.all(items.map((p, i) => pool.route(p, mapper, labels, i)));
		const mainUs = cpuUs(process.threadCpuUsage(main0));
		const allUs = cpuUs(process.cpuUsage(process0));
		routed.forEach(use);
		if (r < 2) continue;
		worker.push((allUs - mainUs) / ROWS);
		main.push(mainUs / ROWS);
	}
	await pool.close();
	summary('pool of 1, 20 in flight: worker thread(s)', worker);
	summary('pool of 1, 20 in flight: main thread', main);
}

async function run(): Promise<void> {
	console.log(`${ITEMS} items of ${LINES} lines, ${(items[0].jsonLines.length / LINES).toFixed(0)} chars/line${canonical ? ', as the node writes them' : ''}`);
	if (which === 'all' || which === 'in-thread') inThread();
	if (which === 'all' || which === 'pool') await pooled();
	if (sink === 0) console.log('');
}

void run();
