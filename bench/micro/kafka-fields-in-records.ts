// What Add Kafka Fields cost the Doris Schema node on a record read from inside the item (a Debezium
// envelope's after; src/doris/schema/trigger-fields.ts): RowMapper.map of one CDC change with two added
// fields (kafka_offset, kafka_ts) against the same change without them, CPU time of this thread per
// row, best and median of ten groups. The fields are added to a copy of the record (withKafkaFields).
// Writing them into the record itself and deleting them after the row was mapped (last first, so V8
// can go back to the record's shape) was tried on 2026-12-06 and was no cheaper: two fields cost
// +207, +307, +323 ns per row (best of ten groups) copied, +388, +416, +665 ns lent, three alternated
// pairs on a busy machine (load 7-8), so the copy stayed. Not a test (no timing asserts):
//   node --import tsx bench/micro/kafka-fields-in-records.ts   (BENCH_ROUNDS, default 200000 rows per group)
import { DORIS_FIELD } from '../../src/common/item-contract';
import { manualSchema } from '../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../src/doris/schema/row-mapper';

const rounds = Number(process.env.BENCH_ROUNDS ?? 200_000);
const schema = manualSchema('inv', 'customers', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'first_name', type: 'VARCHAR(40)' },
	{ name: 'last_name', type: 'VARCHAR(40)' },
	{ name: 'email', type: 'VARCHAR(80)' },
	{ name: 'city', type: 'VARCHAR(40)' },
	{ name: 'score', type: 'INT' },
	{ name: 'kafka_offset', type: 'VARCHAR(20)' },
	{ name: 'kafka_ts', type: 'VARCHAR(20)' },
]);
const mapper = new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
const after = { id: 1001, first_name: 'Sally', last_name: 'Thomas', email: 'sally.thomas@acme.com', city: 'Lyon', score: 7 };
const envelope = { before: null, after, source: { db: 'inv', table: 'customers' }, op: 'u', ts_ms: 1_750_000_000_000 };
const plain = { ...envelope };
const withFields = { ...envelope, kafka_offset: '123456', kafka_ts: '1750000000000', [DORIS_FIELD]: { kafkaFields: ['kafka_offset', 'kafka_ts'] } };

let sink = 0;
function measure(label: string, item: Record<string, unknown>): void {
	const run = () => {
		const r = mapper.map(item);
		if (r.ok) sink += Object.keys(r.row).length;
	};
	for (let i = 0; i < 20_000; i++) run();
	const perRow: number[] = [];
	for (let g = 0; g < 10; g++) {
		const before = process.threadCpuUsage();
		for (let i = 0; i < rounds; i++) run();
		const used = process.threadCpuUsage(before);
		perRow.push(((used.user + used.system) * 1000) / rounds);
	}
	perRow.sort((a, b) => a - b);
	console.log(`${label.padEnd(36)} best ${perRow[0].toFixed(0).padStart(5)} ns/row, median ${perRow[perRow.length >> 1].toFixed(0).padStart(5)}`);
}

for (let pass = 0; pass < 2; pass++) {
	measure('CDC change, no Add Kafka Fields', plain);
	measure('CDC change, two Add Kafka Fields', withFields);
}
if (sink < 0) console.log(sink);
