/**
 * us/line of routePacked on 50k lines of the bench's event shape (bench/dataset.ts), one core.
 * Compared with the per-item path on the same text: parseJsonExact per message (the trigger's
 * work in per-message mode) + routeItems + the Stream Load JSON serializer.
 */
import { makeEvent } from '../dataset';
import { eventsMapper } from './events-schema';
import { createSerializer } from '../../src/doris/stream-load/wire-format';
import { routeItems } from '../../src/doris/schema/route-items';
import { routePacked } from '../../src/doris/schema/route-packed';
import { parseJsonExact } from '../../src/common/exact-json';
import type { PackedRows } from '../../src/common/item-contract';

const mapper = eventsMapper();
const N = 50_000;
const at = Date.UTC(2024, 4, 17, 12, 0, 0);
const texts = Array.from({ length: N }, (_, i) => JSON.stringify(makeEvent(i, at + i)));
const packed: PackedRows = { jsonLines: texts.map((t) => `${t}\n`).join(''), count: N, sources: [{ topic: 'bench', partition: 0, firstOffset: '0', lastOffset: String(N - 1), lines: N }] };
const labels = { workflow: 'bench', node: 'Doris Schema' };
const serialize = createSerializer({ format: 'json' });
console.log(`input ${(packed.jsonLines.length / N).toFixed(0)} chars/line, ${(packed.jsonLines.length / 1e6).toFixed(1)} MB`);

function time(label: string, reps: number, fn: () => number): void {
	fn(); fn(); // warm-up (JIT)
	const samples: number[] = [];
	for (let r = 0; r < reps; r++) {
		const t0 = process.hrtime.bigint();
		const n = fn();
		samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
	}
	samples.sort((a, b) => a - b);
	console.log(`${label}: median ${samples[reps >> 1].toFixed(2)} us/line, best ${samples[0].toFixed(2)}, worst ${samples[reps - 1].toFixed(2)} (${reps} runs of ${N})`);
}

let sink = 0;
time('routePacked (parse + map + serialise, lines in, lines out)', 9, () => {
	const r = routePacked(packed, mapper, labels, 0);
	if (r.invalid.length > 0) throw new Error(JSON.stringify(r.invalid[0].json));
	sink += r.packed!.jsonLines.length; // flattening the rope happens on first use, below
	sink += r.packed!.jsonLines.charCodeAt(r.packed!.jsonLines.length >> 1);
	return r.packed!.count;
});
time('per item: parseJsonExact + routeItems + Stream Load serializer', 9, () => {
	const items = texts.map((t) => ({ json: parseJsonExact(t) as Record<string, unknown> }));
	const routed = routeItems(items, mapper, labels);
	let s = '';
	for (const r of routed.rows) s += serialize(r.json);
	sink += s.charCodeAt(s.length >> 1);
	return routed.rows.length;
});
time('floor: indexOf scan + JSON.parse + JSON.stringify per line', 9, () => {
	const text = packed.jsonLines;
	let out = '';
	let n = 0;
	for (let start = 0; start < text.length; ) {
		const end = text.indexOf('\n', start);
		out += `${JSON.stringify(JSON.parse(text.slice(start, end)))}\n`;
		start = end + 1;
		n++;
	}
	sink += out.charCodeAt(out.length >> 1);
	return n;
});
if (sink === 0) console.log('');
const parsed = texts.map((t) => parseJsonExact(t) as Record<string, unknown>);
time('part: parseJsonExact per line', 9, () => { for (const t of texts) sink += (parseJsonExact(t) as object) ? 1 : 0; return N; });
time('part: mapper.map', 9, () => { for (const p of parsed) sink += mapper.map(p).ok ? 1 : 0; return N; });
const rows = parsed.map((p) => { const r = mapper.map(p); if (!r.ok) throw new Error('x'); return r.row; });
time('part: serializer + concat', 9, () => { let s = ''; for (const r of rows) s += serialize(r); sink += s.charCodeAt(s.length >> 1); return N; });
