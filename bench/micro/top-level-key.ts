// What the Stream Load node's check that a field a Columns expression reads reaches it costs on packed
// lines (src/batch/expression-fields.ts, src/doris/stream-load/top-level-key.ts), one item of 5000 of the
// benchmark's ~330-byte events (bench/dataset.ts makeEvent) as JSON lines; CPU time of this thread per
// item, best and median of ten groups of rounds. Beside it the search it replaced (the quoted name and a
// colon anywhere, which also took a nested object's key) and JSON.parse of every line, the obvious
// alternative. Cases: the field at the top level of every line (the usual load: found in the first
// line); in no line (rows as a Doris Schema node leaves them, the load refused); nested in every line
// (`geo`, in attrs) and at the top level of none, the worst case (every line read up to it); the same
// with the last line carrying it. Not a test (no timing asserts):
//   node --import tsx bench/micro/top-level-key.ts   (BENCH_ROUNDS, default 200; a group of rounds takes at least ~200 ms)
import { makeEvent } from '../dataset';
import { linesHaveTopLevelKey } from '../../src/doris/stream-load/top-level-key';

const LINES = 5000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);

const events = Array.from({ length: LINES }, (_, i) => JSON.stringify(makeEvent(i, 1_750_000_000_000 + i)));
const text = `${events.join('\n')}\n`;
const lastCarries = `${events.slice(0, -1).join('\n')}\n${events[LINES - 1].slice(0, -1)},"geo":1}\n`;

const searchOld = (lines: string, key: string) => lines.includes(`${JSON.stringify(key)}:`);
const parseEvery = (lines: string, key: string) => {
	let start = 0;
	while (start < lines.length) {
		let end = lines.indexOf('\n', start);
		if (end < 0) end = lines.length;
		if ((JSON.parse(lines.slice(start, end)) as Record<string, unknown>)[key] !== undefined) return true;
		start = end + 1;
	}
	return false;
};

let sink = 0;
function measure(label: string, check: (lines: string, key: string) => boolean, lines: string, key: string): void {
	const run = () => {
		sink += check(lines, key) ? 1 : 0;
	};
	for (let i = 0; i < 20; i++) run();
	// Each group at least ~200 ms of CPU: the thread's CPU time is counted in steps of 4 ms here (a 250 Hz kernel).
	const calibrate = process.hrtime.bigint();
	for (let i = 0; i < 20; i++) run();
	const perRunNs = Number(process.hrtime.bigint() - calibrate) / 20;
	const group = Math.max(Math.floor(rounds / 10), Math.ceil(200e6 / Math.max(perRunNs, 1)));
	const perItem: number[] = [];
	for (let g = 0; g < 10; g++) {
		const before = process.threadCpuUsage();
		for (let i = 0; i < group; i++) run();
		const used = process.threadCpuUsage(before);
		perItem.push((used.user + used.system) / group);
	}
	perItem.sort((a, b) => a - b);
	const fmt = (us: number) => (us < 10 ? us.toFixed(3) : us.toFixed(0));
	console.log(`${label.padEnd(58)} best ${fmt(perItem[0]).padStart(7)} µs/item, median ${fmt(perItem[perItem.length >> 1]).padStart(7)} (${(perItem[perItem.length >> 1] / LINES * 1000).toFixed(1)} ns/line)`);
}

console.log(`${LINES} lines, ${(text.length / 1e6).toFixed(2)} M chars`);
for (const [name, lines, key] of [
	['top level in every line (user_id)', text, 'user_id'],
	['in no line (visitor)', text, 'visitor'],
	['nested in every line, top level in none (geo)', text, 'geo'],
	['nested in every line, top level in the last (geo)', lastCarries, 'geo'],
] as const) {
	measure(`${name}: top-level key`, linesHaveTopLevelKey, lines, key);
	measure(`${name}: old search`, searchOld, lines, key);
	measure(`${name}: JSON.parse`, parseEvery, lines, key);
}
if (sink < 0) console.log(sink);
