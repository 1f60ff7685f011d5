// Bad input through the trigger's parser and the Doris Schema core, interleaved with good rows on
// the real broker: each bad message lands on the invalid output with its column, value and rule, the
// counters move, the good rows around it load (the stream goes on) and every offset is committed only
// once its message is in Doris or on the invalid output (nothing silently dropped).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { manualSchema } from '../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../src/doris/schema/row-mapper';
import { metrics } from '../../src/metrics/metrics';
import { counterSum, recordFigures } from './harness/figures';
import type { ToProduce } from './harness/ledger';
import { assertInvariant, DATABASE, useWorld } from './harness/world';

const TEN_MB = 10 * 1024 * 1024;
const COLUMNS = 'big LARGEINT, b BIGINT, n INT, s VARCHAR(10), d DATE, ts DATETIME, txt STRING, dec DECIMAL(10, 2), ts3 DATETIME(3), ip IPV6, arr ARRAY<DECIMAL(38, 20)>, st STRUCT<a:INT>, fl FLOAT, mp MAP<INT, STRING>, tags ARRAY<STRING>';

const world = useWorld();
// '"quoted"' and "'single'": Doris unquotes a nullable text element twice (nullable serde, then text serde).
const TAGS = ['a"b', 'c', 'line\nbreak\ttab', 'back\\slash', '"quoted"', "'single'"];

/** One bad message and what the invalid output must say about it. */
function bad(value: Buffer | string | null, rule: string, column: string | null, mentions?: RegExp, offending?: unknown): Omit<ToProduce, 'partition'> {
	return { id: null, value, invalid: { rule, column, mentions, ...(offending === undefined ? {} : { value: offending }) } };
}

const good = (id: number, extra: Record<string, unknown> = {}): Omit<ToProduce, 'partition'> => ({ id: String(id), value: JSON.stringify({ id, v: 'ok', ...extra }) });

describe('bad input: invalid output with column, value and rule; the stream goes on', { timeout: 120_000 }, () => {
	it('every kind of bad message, between good rows, on one partition', async () => {
		const c = await world.newCase({ partitions: 1, columns: COLUMNS, topicConfig: { 'max.message.bytes': String(12 * 1024 * 1024) } });
		const table = `${DATABASE}.${c.table}`;
		const invalidBefore = await counterSum(metrics.rowsInvalid, { table });
		const parseBefore = await counterSum(metrics.jsonParseErrors, { node: 'Kafka Trigger', topic: c.topic });
		const wide: Record<string, number> = { id: 9001, n: 1 };
		for (let i = 0; i < 10_000; i++) wide[`f${i}`] = i;
		const huge = `{"id": 9002, "s": "${'x'.repeat(TEN_MB)}"}`;
		const cases: Array<Omit<ToProduce, 'partition'>> = [
			bad('{"id": 1, "n": ', 'parse_error', null, /could not be decoded \(json\)/, '{"id": 1, "n": '),
			bad('[1, 2, 3]', 'parse_error', null, /not_object.*array/, '[1, 2, 3]'),
			bad('42', 'parse_error', null, /not_object.*number/, '42'),
			bad(JSON.stringify({ id: 1001, n: 'abc' }), 'not_integer', 'n', /^n: /, 'abc'),
			bad(JSON.stringify({ id: 1002, n: 12.5 }), 'not_integer', 'n', /^n: /, 12.5),
			bad('{"id": 1003, "n": 2147483648}', 'range', 'n', /2147483647/, 2147483648),
			bad('{"id": 1004, "b": 9223372036854775808}', 'range', 'b', /9223372036854775807/, '9223372036854775808'),
			bad('{"id": 1005, "big": 170141183460469231731687303715884105728}', 'range', 'big', /170141183460469231731687303715884105727/, '170141183460469231731687303715884105728'),
			bad(JSON.stringify({ id: 1006, s: 'ééééééé' }), 'too_long', 's', /14 UTF-8 bytes, limit 10/, 'ééééééé'),
			bad(JSON.stringify({ id: 1007, d: '2024-02-30' }), 'date_format', 'd', /^d: /, '2024-02-30'),
			bad(JSON.stringify({ id: 1008, ts: 'yesterday' }), 'date_format', 'ts', /^ts: /, 'yesterday'),
			bad(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'parse_error', null, /not valid UTF-8/, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64')),
			bad(null, 'parse_error', null, /tombstone/),
			bad(JSON.stringify({ v: 'no id' }), 'not_null', 'id', /id is NOT NULL/),
			bad(huge, 'too_long', 's', /10485760 UTF-8 bytes, limit 10/),
			// Values Doris would store as another value (rounded) or as NULL: refused, never changed.
			bad('{"id": 1009, "dec": 1.005}', 'precision', 'dec', /more than 2 fractional digits/, 1.005),
			bad(JSON.stringify({ id: 1010, ts: '2024-05-01 10:00:00.5' }), 'precision', 'ts', /DATETIME keeps/, '2024-05-01 10:00:00.5'),
			bad(JSON.stringify({ id: 1011, ts3: '2024-05-01T10:00:00.1234567Z' }), 'precision', 'ts3', /DATETIME\(3\) keeps/, '2024-05-01T10:00:00.1234567Z'),
			bad(JSON.stringify({ id: 1012, ip: 'fe80::1%eth0' }), 'type', 'ip', /zone index/, 'fe80::1%eth0'),
			bad(JSON.stringify({ id: 1013, st: { a: 1, A: 2 } }), 'type', 'st', /"a" and "A"/),
			bad(JSON.stringify({ id: 1014, fl: 16777217 }), 'precision', 'fl', /Doris would store 16777216/, 16777217),
			bad(JSON.stringify({ id: 1015, mp: { 1: 'a', '01': 'b' } }), 'type', 'mp', /keys "1" and "01" are the same key 1/),
			// No quoting of a text element holding both quotes reads back in Doris 2.1 / 3.0 / 3.1.
			bad(JSON.stringify({ id: 1016, tags: ['ok', `it's "x"`] }), 'type', 'tags', /both quote characters/),
			// Accepted: exact beyond 2^53 (BIGINT and LARGEINT), 10 bytes of 2-byte characters, 10,000 fields.
			{ id: '9003', value: '{"id": 9003, "b": 9007199254740993, "big": 170141183460469231731687303715884105727, "s": "ééééé"}' },
			{ id: '9001', value: JSON.stringify(wide) },
			// Accepted exactly: zeros past the scale, a decimal array given as JSON text, an IPv4-mapped address.
			{ id: '9004', value: '{"id": 9004, "dec": 1.250, "ts3": "2024-05-01 10:00:00.1230", "arr": "[0.12345678901234567891]", "ip": "::ffff:192.168.1.1"}' },
			// Text elements with quotes, a line break, a tab and a backslash, which Doris reads back from an
			// ARRAY / MAP literal only as the Doris Schema node now writes them.
			{ id: '9005', value: JSON.stringify({ id: 9005, tags: TAGS, mp: { 1: "it's", 2: 'say "hi"', 3: "'v'" } }) },
		];
		const items: ToProduce[] = [];
		let id = 0;
		for (const entry of cases) {
			items.push({ partition: 0, ...good(id++) });
			items.push({ partition: 0, ...entry });
		}
		for (let i = 0; i < 200; i++) items.push({ partition: 0, ...good(id++) });
		const started = Date.now();
		await c.produce(items);
		const ms = await c.pipeline.settle(90_000);
		assertInvariant(c);
		assert.deepEqual(c.pipeline.failures, [], 'bad input never fails an execution');

		// Exact big integers, as text end to end.
		const exact = world.doris.tableRows(DATABASE, c.table).find((r) => String(r.id) === '9003');
		assert.equal(String(exact?.b), '9007199254740993');
		assert.equal(String(exact?.big), '170141183460469231731687303715884105727');
		assert.equal(exact?.s, 'ééééé');
		const kept = world.doris.tableRows(DATABASE, c.table).find((r) => String(r.id) === '9004');
		assert.deepEqual([String(kept?.dec), String(kept?.ts3), String(kept?.arr), String(kept?.ip)], ['1.25', '2024-05-01 10:00:00.123', '[0.12345678901234567891]', '::ffff:c0a8:101']);

		const texts = world.doris.tableRows(DATABASE, c.table).find((r) => String(r.id) === '9005');
		assert.equal(texts?.tags, `[${TAGS.map((t) => JSON.stringify(t)).join(', ')}]`);
		assert.equal(texts?.mp, `{1:${JSON.stringify("it's")}, 2:${JSON.stringify('say "hi"')}, 3:${JSON.stringify("'v'")}}`);

		const expectedInvalid = cases.filter((x) => x.invalid).length;
		const invalidMetric = (await counterSum(metrics.rowsInvalid, { table })) - invalidBefore;
		assert.equal(invalidMetric, expectedInvalid, 'sinker_rows_invalid_total counts every invalid item once');
		// The trigger counts undecodable values (malformed, not an object, invalid UTF-8); tombstones are not parse errors.
		const parseMetric = (await counterSum(metrics.jsonParseErrors, { node: 'Kafka Trigger', topic: c.topic })) - parseBefore;
		assert.equal(parseMetric, 4);
		const byRule: Record<string, number> = {};
		for (const out of c.pipeline.invalid.values()) byRule[out.info.reasons[0].rule] = (byRule[out.info.reasons[0].rule] ?? 0) + 1;
		recordFigures('badInput', { messages: items.length, invalid: c.pipeline.invalid.size, loaded: c.pipeline.tableRowCount(), byRule, settleMs: ms, totalMs: Date.now() - started });
		await c.pipeline.close();
	});

	it('10,000 unknown fields with "reject unknown fields": every one is named', () => {
		const schema = manualSchema('d', 't', [{ name: 'id', type: 'BIGINT', nullable: false, hasDefault: false }]);
		const mapper = new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, unknownFields: 'reject' });
		const wide: Record<string, number> = { id: 1 };
		for (let i = 0; i < 10_000; i++) wide[`f${i}`] = i;
		const result = mapper.map(wide);
		assert.equal(result.ok, false);
		if (!result.ok) {
			assert.equal(result.reasons.length, 10_000);
			assert.deepEqual(result.reasons[9999], { column: null, value: 9999, expected: 'a column of d.t', rule: 'unknown_field', message: 'field "f9999" matches no column' });
		}
	});
});
