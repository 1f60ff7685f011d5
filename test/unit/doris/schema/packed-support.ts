/**
 * Fixtures shared by the packed-rows tests: routePacked's own (route-packed.test.ts) and the worker
 * pool's, which must give the same results on the same inputs (packed-worker-pool.test.ts).
 */
import fc from 'fast-check';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import type { PackedRows, PackedSource } from '../../../../src/common/item-contract';

export const schema = manualSchema('shop', 'orders', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'VARCHAR(10)' },
	{ name: 'amount', type: 'DECIMAL(10,2)', nullable: false, hasDefault: true },
	{ name: 'ts', type: 'DATETIME', nullable: false },
	{ name: 'big', type: 'LARGEINT' },
]);
/** These rows send epoch seconds to DATETIME columns, so the unit is said. */
const EPOCH_SECONDS: Partial<RowMapperOptions> = { dates: { timeZone: 'UTC', epochUnit: 's' } };
export const mapper = (o: Partial<RowMapperOptions> = {}) => new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...EPOCH_SECONDS, ...o });
export const labels = { workflow: 'wf-packed', node: 'Doris Schema' };

/** One exact run on topic t / partition 0 from offset `first`. */
export function pack(lines: string[], sources?: PackedSource[], first = 0): PackedRows {
	return {
		jsonLines: lines.map((l) => `${l}\n`).join(''),
		count: lines.length,
		sources: sources ?? [{ topic: 't', partition: 0, firstOffset: String(first), lastOffset: String(first + lines.length - 1), lines: lines.length }],
	};
}

/** Runs over lines: exact beyond 2^53, an empty run, one with gaps, another topic. */
export const gappedSources: PackedSource[] = [
	{ topic: 'a', partition: 0, firstOffset: '9007199254740991', lastOffset: '9007199254740994', lines: 4 }, // exact, beyond 2^53
	{ topic: 'b', partition: 1, firstOffset: '0', lastOffset: '0', lines: 0 }, // an empty run is skipped
	{ topic: 'b', partition: 1, firstOffset: '10', lastOffset: '20', lines: 3 }, // gaps (compacted / transaction markers)
	{ topic: 'a', partition: 3, firstOffset: '5', lastOffset: '6', lines: 2 },
];

export const cdcLines = [
	'{"payload":{"op":"c","before":null,"after":{"id":1,"ts":0}}}',
	'{"op":"u","before":{"id":1,"ts":0},"after":{"id":1,"name":"new","ts":0}}',
	'{"payload":{"op":"d","before":{"id":1,"ts":0},"after":null}}',
	'{"payload":{"op":"t"}}',
];

export interface PackedCase {
	name: string;
	packed: PackedRows;
	options: Partial<RowMapperOptions>;
}

/** The inputs of routePacked's tests, each a case with its mapper options. */
export const packedCases: PackedCase[] = [
	{ name: 'valid lines', packed: pack(['{"id":1,"ts":"2024-01-02T03:04:05Z","extra":true}', '{"id":"2","name":"bo","amount":"12.5","ts":0}'], undefined, 40), options: {} },
	{
		name: 'an unparsable line',
		packed: pack(['{"id":1,"ts":0}', '{oops', '{"id":3,"ts":0}'], [{ topic: 'tp-parse', partition: 2, firstOffset: '100', lastOffset: '102', lines: 3 }]),
		options: {},
	},
	{ name: 'JSON that is not an object', packed: pack(['[1,2]', '42', 'null', '"text"', 'true', '']), options: {} },
	{ name: 'type errors in every column', packed: pack(['{"id":"x","name":"much too long","ts":"nope"}']), options: {} },
	{ name: 'big integers and long decimals', packed: pack(['{"id":9007199254740993,"ts":0,"big":170141183460469231731687303715884105727,"amount":12345678.99}']), options: {} },
	{ name: 'Debezium envelopes with the delete sign', packed: pack(cdcLines), options: { cdc: true } },
	{
		name: 'runs with gaps across topics',
		packed: pack(['{"id":1,"ts":0}', '{"id":"bad","ts":0}', '{"id":1,"ts":0}', '{"id":"bad","ts":0}', '{"id":"bad","ts":0}', '{"id":1,"ts":0}', '{"id":1,"ts":0}', '{"id":"bad","ts":0}', '{"id":"bad","ts":0}'], gappedSources),
		options: {},
	},
	{
		name: 'lines the sources do not cover, a last line without "\\n"',
		packed: { jsonLines: '{"id":1,"ts":0}\n{"id":"x","ts":0}', count: 2, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 }] },
		options: {},
	},
	{ name: 'no lines', packed: { jsonLines: '', count: 0, sources: [] }, options: {} },
	{ name: 'every line invalid', packed: pack(['{}', '{"id":1}']), options: {} },
	{
		name: 'own fields that are special to objects',
		packed: pack(['{"__proto__":{"x":1},"id":"bad","ts":0}', '{"constructor":1,"id":-0,"ts":0,"name":"\\u2028ü"}']),
		options: { unknownFields: 'reject' },
	},
	{
		name: 'fractional digits the columns cannot keep, rounded as Doris does',
		packed: pack(['{"id":1,"amount":"1.005","ts":1700000000.5}', '{"id":2,"amount":19.900000000000002,"ts":"2024-05-01T10:11:12.499Z"}', '{"id":3,"amount":"999999999.995","ts":0}']),
		options: { extraDigits: 'round' },
	},
	{
		name: 'fractional digits the columns cannot keep, refused by default',
		packed: pack(['{"id":1,"amount":"1.005","ts":0}', '{"id":2,"amount":"1.00","ts":"2024-05-01T10:11:12.499Z"}', '{"id":3,"amount":"1.50","ts":0}']),
		options: {},
	},
	{
		name: 'source path and time zone',
		packed: pack(['{"payload":{"after":{"id":1,"ts":1700000000123}}}', '{"payload":{}}']),
		options: { sourcePath: 'payload.after', dates: { timeZone: 'Asia/Shanghai', epochUnit: 'ms' } },
	},
];

/** The property tests' table: every kind of column. */
export const wideSchema = manualSchema('p', 't', [
	{ name: 'a', type: 'INT', nullable: false },
	{ name: 'b', type: 'LARGEINT' },
	{ name: 'c', type: 'DECIMAL(6,2)' },
	{ name: 'd', type: 'DATETIME(3)' },
	{ name: 'e', type: 'VARCHAR(5)' },
	{ name: 'f', type: 'ARRAY<MAP<STRING,STRUCT<x:INT,y:DECIMAL(4,1)>>>' },
	{ name: 'g', type: 'BOOLEAN' },
	{ name: 'h', type: 'JSON' },
	// A dot in a column's name (Doris allows it): filled from the key "i.j" alone, never from `i: {j: …}`.
	{ name: 'i.j', type: 'INT' },
]);
export const wideOptions: RowMapperOptions[] = [
	DEFAULT_ROW_MAPPER_OPTIONS,
	{ ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true, unknownFields: 'reject' },
	{ ...DEFAULT_ROW_MAPPER_OPTIONS, sourcePath: 'payload.after', dates: { timeZone: 'America/New_York', epochUnit: 'ms' } },
	// Fractional digits past DECIMAL(6,2) / DATETIME(3) (random doubles, epoch ms with fractions) rounded.
	{ ...DEFAULT_ROW_MAPPER_OPTIONS, extraDigits: 'round', dates: { timeZone: 'UTC', epochUnit: 'ms' } },
];
const value = fc.oneof(
	fc.jsonValue(),
	// With values each column must refuse rather than change: digits past a scale or a precision, a STRUCT field named twice.
	fc.constantFrom(null, 'true', '2024-01-01', '99.99', 1e300, -0, 12345678901234567890n, '1.005', 1.005, '99.990', '2024-01-01 00:00:00.1234', '2024-01-01T00:00:00.1230000Z', '[{"k":{"x":1,"X":2}}]', '[{"k":{"y":"1.25"}}]'),
);
// 'A', 'E', 'H': fields that differ from a column only in case fill it when the exact name is absent.
const record = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i.j', 'i', 'op', 'after', 'before', 'payload', 'zz', 'A', 'E', 'H'), value);
const asLine = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
/** A Kafka Connect JSON value: random fields declared as random logical types (decodable or not). */
const LOGICAL_NAMES = ['io.debezium.time.Date', 'io.debezium.time.MicroTimestamp', 'io.debezium.time.NanoTime', 'org.apache.kafka.connect.data.Decimal', 'io.debezium.data.VariableScaleDecimal', 'io.debezium.data.Json', 'io.debezium.time.ZonedTimestamp'];
const connectField = fc.record({ field: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'h'), type: fc.constantFrom('int32', 'int64', 'bytes', 'string', 'struct'), name: fc.constantFrom(...LOGICAL_NAMES), parameters: fc.constant({ scale: '2' }) });
const logicalValue = fc.oneof(fc.integer(), fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), fc.constantFrom('AeJA', '/w==', '{"x":1}', '123', 'not base64!'), fc.record({ scale: fc.nat(6), value: fc.constantFrom('AeJA', '??') }), value);
const connectEnvelope = fc.record({ fields: fc.array(connectField, { maxLength: 4 }), row: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'h'), logicalValue), op: fc.constantFrom('c', 'u', 'd') }).map(({ fields, row, op }) => {
	const image = { type: 'struct', optional: true, fields };
	const schema = { type: 'struct', fields: [{ ...image, field: 'before' }, { ...image, field: 'after' }, { type: 'string', field: 'op' }] };
	return asLine({ schema, payload: { before: row, after: row, op } });
});
/** A line as the trigger may pack it: a record, an envelope (with or without a Connect schema), any JSON, or any text. */
export const lineArbitrary = fc.oneof(
	{ weight: 4, arbitrary: record.map(asLine) },
	{ weight: 2, arbitrary: connectEnvelope },
	{ weight: 2, arbitrary: fc.record({ payload: fc.record({ op: fc.constantFrom('c', 'u', 'd', 'r', 't'), after: record, before: record }) }).map(asLine) },
	{ weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
	{ weight: 1, arbitrary: fc.string().filter((s) => !s.includes('\n')) },
);
/** Runs over n lines: random topic/partition, some exact, some with gaps. */
export const runsFor = (n: number) =>
	fc.array(fc.record({ cut: fc.nat(n), gap: fc.nat(3), first: fc.bigInt(0n, 2n ** 62n) }), { maxLength: 4 }).map((cuts) => {
		const bounds = [...new Set([0, ...cuts.map((c) => c.cut), n])].sort((x, y) => x - y);
		const sources: PackedSource[] = [];
		for (let i = 0; i + 1 < bounds.length; i++) {
			const lines = bounds[i + 1] - bounds[i];
			const c = cuts[i] ?? { gap: 0, first: 0n };
			sources.push({ topic: `t${i % 2}`, partition: i, firstOffset: String(c.first), lastOffset: String(c.first + BigInt(lines - 1 + c.gap)), lines });
		}
		return sources;
	});
/** Lines with sources covering them. */
export const linesWithRuns = (maxLength: number) => fc.array(lineArbitrary, { maxLength }).chain((lines) => fc.tuple(fc.constant(lines), runsFor(lines.length)));
