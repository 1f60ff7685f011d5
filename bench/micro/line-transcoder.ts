/**
 * CPU µs per line of the Doris Schema node's two paths for one packed line, on the benchmark's
 * events (bench/dataset.ts) into their table (events-schema.ts), one core:
 * - general: parseJsonExact + RowMapper.map + the Stream Load JSON serializer (what every line took
 *   before the fast path, and what invalid lines still take);
 * - fast: LineTranscoder.line (validated in place, unchanged values copied).
 * Both write into a LineSink, as route-packed.ts does.
 * Figures are printed, never asserted; CPU time (process.cpuUsage), best of BENCH_ROUNDS (default 9),
 * so another process on the machine costs less than in wall time.
 *   node --import tsx bench/micro/line-transcoder.ts
 */
import { makeEvent } from '../dataset';
import { eventsMapper } from './events-schema';
import { parseJsonExact } from '../../src/common/exact-json';
import { LineSink } from '../../src/doris/schema/line-sink';
import { LineTranscoder } from '../../src/doris/schema/line-transcoder';
import { createSerializer } from '../../src/doris/stream-load/wire-format';

const N = 50_000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const mapper = eventsMapper();
const transcoder = LineTranscoder.of(mapper);
if (transcoder === null) throw new Error('the events mapper has no fast path');
const serialize = createSerializer({ format: 'json' });
const at = Date.UTC(2024, 4, 17, 12, 0, 0);
const lines = Array.from({ length: N }, (_, i) => JSON.stringify(makeEvent(i, at + i)));
// As the lines arrive in a packed item: one text, each line a range of it.
const text = lines.map((l) => `${l}\n`).join('');

let sink = 0;
function measure(label: string, run: (start: number, end: number, out: LineSink) => void): void {
	const perLine: number[] = [];
	for (let r = 0; r < rounds + 2; r++) {
		const before = process.cpuUsage();
		const out = new LineSink(text);
		for (let start = 0; start < text.length; ) {
			const end = text.indexOf('\n', start);
			run(start, end, out);
			start = end + 1;
		}
		sink += out.finish().bytes.length;
		const used = process.cpuUsage(before);
		if (r >= 2) perLine.push((used.user + used.system) / N); // the first two rounds warm the JIT up
	}
	perLine.sort((a, b) => a - b);
	console.log(`${label}: best ${perLine[0].toFixed(2)} µs/line, median ${perLine[perLine.length >> 1].toFixed(2)} (CPU, ${rounds} rounds of ${N})`);
}

measure('general: slice + parseJsonExact + map + serialize', (start, end, out) => {
	const r = mapper.map(parseJsonExact(text.slice(start, end)) as Record<string, unknown>);
	if (!r.ok) throw new Error(`invalid: ${text.slice(start, end)}`);
	out.add(serialize(r.row));
});
measure('fast: LineTranscoder.line', (start, end, out) => {
	if (!transcoder.line(text, start, end, null, out)) throw new Error(`general path: ${text.slice(start, end)}`);
});
if (sink === 0) console.log('');
