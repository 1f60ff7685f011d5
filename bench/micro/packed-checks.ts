// Cost per line of the Doris Stream Load node's checks of packed lines before the load
// (src/batch/load-items.ts sortItemsForLoad): Columns (rule field_not_read) with Rejected wired and
// not, and with a Sequence Column beside it, on one packed item of the benchmark's ~335-byte
// 12-field events (bench/dataset.ts makeEvent), 5000 lines, every line loading (no line taken out).
// CPU time of this thread, best and median of ten groups of rounds. Not a test (no timing asserts):
//   node --import tsx bench/micro/packed-checks.ts   (BENCH_ROUNDS, default 100)
import { makeEvent } from '../dataset';
import { sortItemsForLoad } from '../../src/batch/load-items';
import { PACKED_ROWS_FIELD } from '../../src/common/item-contract';
import { columnsListCheck } from '../../src/doris/stream-load/wire-format';

const LINES = 5000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 100);

const texts = Array.from({ length: LINES }, (_, i) => JSON.stringify(makeEvent(i, 1_750_000_000_000 + i)));
const jsonLines = texts.map((t) => `${t}\n`).join('');
const item = { json: { [PACKED_ROWS_FIELD]: { jsonLines, count: LINES, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(LINES - 1), lines: LINES }] } } };
const columns = Object.keys(JSON.parse(texts[0]) as object);
const columnsCheck = columnsListCheck({ format: 'json', columns }, true);
const sequence = { column: columns[0], deletesAll: false };

function measure(label: string, load: Parameters<typeof sortItemsForLoad>[1]): void {
	let sink = 0;
	const run = () => {
		const sorted = sortItemsForLoad([item], load);
		if (sorted.refused.length + sorted.takenOut.length > 0) throw new Error(`${label}: a line was taken out or refused`);
		sink += sorted.parts.length;
	};
	for (let i = 0; i < 5; i++) run();
	const perLine: number[] = [];
	const group = Math.max(1, Math.floor(rounds / 10));
	for (let done = 0; done < rounds; done += group) {
		const before = process.threadCpuUsage();
		for (let i = 0; i < group; i++) run();
		const used = process.threadCpuUsage(before);
		perLine.push((used.user + used.system) / (group * LINES));
	}
	perLine.sort((a, b) => a - b);
	console.log(`${label.padEnd(52)} ${perLine[0].toFixed(3)} us/line CPU best, ${perLine[perLine.length >> 1].toFixed(3)} median (${sink} parts)`);
}

console.log(`${LINES} lines of ${(jsonLines.length / LINES - 1).toFixed(0)} bytes on average, Columns of ${columns.length} fields, ${rounds} rounds each`);
measure('no check (reference)', { format: 'json', deletes: 'auto' });
measure('Columns, Rejected wired', { format: 'json', deletes: 'auto', columnsCheck, columnsHandBack: true });
measure('Columns, Rejected leading nowhere', { format: 'json', deletes: 'auto', columnsCheck, columnsHandBack: false });
measure('Sequence Column, Rejected wired', { format: 'json', deletes: 'auto', sequence: { ...sequence, handBack: true } });
measure('Sequence Column + Columns, Rejected wired', { format: 'json', deletes: 'auto', sequence: { ...sequence, handBack: true }, columnsCheck, columnsHandBack: true });
