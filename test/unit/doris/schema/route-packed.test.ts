import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { createSerializer } from '../../../../src/doris/stream-load/wire-format';
import { parseJsonExact } from '../../../../src/common/exact-json';
import { INVALID_FIELD, routeItems, type InvalidInfo, type RoutedItem } from '../../../../src/doris/schema/route-items';
import { emptyInvalidLineCounts, INVALID_PART_ITEMS, mapPackedLinesToBytes, routePacked, type PackedLineOrigin, type RoutedPacked } from '../../../../src/doris/schema/route-packed';
import { readPackedRows } from '../../../../src/common/packed-rows';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';
import { DELETE_SIGN_COLUMN, KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows, type ParseErrorInfo } from '../../../../src/common/item-contract';
import { registry } from '../../../../src/metrics/metrics';
import { cdcLines, gappedSources, labels, linesWithRuns, mapper, pack, wideOptions, wideSchema } from './packed-support';

const origin = (r: { json: Record<string, unknown> }) => r.json[KAFKA_METADATA_FIELD] as PackedLineOrigin;
const info = (r: { json: Record<string, unknown> }) => r.json[INVALID_FIELD] as InvalidInfo;

/** An invalid line's item is what per-message mode makes of that message: the parsed object, or the trigger's _parseError. */
function assertLineItem(json: Record<string, unknown>, line: string): void {
	const parseError = json[PARSE_ERROR_FIELD] as ParseErrorInfo | undefined;
	let parsed: unknown;
	try {
		parsed = parseJsonExact(line);
	} catch {
		parsed = undefined;
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		assert.equal(parseError?.raw, line);
		return;
	}
	const { [INVALID_FIELD]: _invalid, [KAFKA_METADATA_FIELD]: _kafka, ...own } = json;
	const { [INVALID_FIELD]: _i, [KAFKA_METADATA_FIELD]: _k, ...expected } = parsed as Record<string, unknown>;
	assert.deepEqual(own, expected);
}

describe('routePacked', () => {
	it('valid lines become JSON lines of the coerced rows, with count and sources', () => {
		const lines = ['{"id":1,"ts":"2024-01-02T03:04:05Z","extra":true}', '{"id":"2","name":"bo","amount":"12.5","ts":0}'];
		const r = routePacked(pack(lines, undefined, 40), mapper(), labels, 3);
		assert.deepEqual(r.invalid, []);
		assert.deepEqual(r.packed, {
			jsonLines: '{"id":1,"ts":"2024-01-02 03:04:05"}\n{"id":2,"name":"bo","amount":"12.50","ts":"1970-01-01 00:00:00"}\n',
			count: 2,
			sources: [{ topic: 't', partition: 0, firstOffset: '40', lastOffset: '41', lines: 2 }],
			deleteSign: false,
		});
	});

	it('a date-shaped number (YYYYMMDD[HHMMSS]) under an Epoch Unit is the date, packed and per message alike', () => {
		// Before, under seconds, 20240501103000 was an epoch beyond year 9999 and 20240501 1970-08-23.
		const lines = ['{"id":1,"ts":20240501103000}', '{"id":2,"ts":20240501}'];
		const r = routePacked(pack(lines), mapper(), labels, 0);
		assert.deepEqual(r.invalid, []);
		assert.equal(r.packed?.jsonLines, '{"id":1,"ts":"2024-05-01 10:30:00"}\n{"id":2,"ts":"2024-05-01 00:00:00"}\n');
		assert.deepEqual(
			lines.map((l) => mapper().map(parseJsonExact(l) as Record<string, unknown>)),
			[
				{ ok: true, row: { id: 1, ts: '2024-05-01 10:30:00' } },
				{ ok: true, row: { id: 2, ts: '2024-05-01 00:00:00' } },
			],
		);
	});

	it('sendInvalid takes the invalid items in parts of INVALID_PART_ITEMS, in order; the result keeps the rest; rows and counts as without it', () => {
		const lines = Array.from({ length: 3 * INVALID_PART_ITEMS + 30 }, (_, i) => (i % 3 === 0 ? `{"id":${i},"ts":0}` : `{"id":"x${i}","ts":0}`));
		const whole = mapPackedLinesToBytes(pack(lines), mapper(), 4, emptyInvalidLineCounts());
		const parts: RoutedItem[][] = [];
		const counts = emptyInvalidLineCounts();
		const inParts = mapPackedLinesToBytes(pack(lines), mapper(), 4, counts, false, undefined, (part) => parts.push(part));
		assert.deepEqual(
			parts.map((p) => p.length),
			[INVALID_PART_ITEMS, INVALID_PART_ITEMS],
		);
		assert.deepEqual([...parts.flat(), ...inParts.routed.invalid], whole.routed.invalid);
		assert.deepEqual(inParts.routed.packed, whole.routed.packed);
		assert.equal([...counts.byRule.values()].reduce((a, b) => a + b, 0), whole.routed.invalid.length);
	});

	it('a line that starts with a byte-order mark is its row, written without the mark (Doris skips it too), in-thread and as bytes', () => {
		const lines = ['\uFEFF{"id":1,"ts":"2024-01-02 03:04:05"}', '{"id":2,"ts":"2024-01-02 03:04:05"}'];
		const want = '{"id":1,"ts":"2024-01-02 03:04:05"}\n{"id":2,"ts":"2024-01-02 03:04:05"}\n';
		const r = routePacked(pack(lines), mapper(), labels, 0);
		assert.equal(r.packed?.jsonLines, want);
		assert.deepEqual(r.invalid, []);
		const bytes = mapPackedLinesToBytes(pack(lines), mapper(), 0, emptyInvalidLineCounts());
		assert.equal(bytes.bytes?.toString('utf8'), want);
	});

	it("a line with Debezium's placeholder for a value it did not receive goes to invalid (unavailable_value), on the fast path too", () => {
		const docs = manualSchema('shop', 'docs', [
			{ name: 'id', type: 'BIGINT', nullable: false },
			{ name: 'body', type: 'STRING' },
			{ name: 'doc', type: 'JSON' },
		]);
		const lines = ['{"id":1,"body":"__debezium_unavailable_value"}', '{"id":2,"body":"b"}', '{"id":3,"doc":"__debezium_unavailable_value"}', '{"id":4,"doc":["__debezium_unavailable_value"]}'];
		const r = routePacked(pack(lines), new RowMapper(docs, DEFAULT_ROW_MAPPER_OPTIONS), labels, 0);
		assert.equal(r.packed?.jsonLines, '{"id":2,"body":"b"}\n');
		assert.deepEqual(
			r.invalid.map((x) => (x.json[INVALID_FIELD] as InvalidInfo).reasons.map((reason) => `${reason.column} ${reason.rule}`)),
			[['body unavailable_value'], ['doc unavailable_value'], ['doc unavailable_value']],
		);
		// A placeholder named by the option, on the fast path too.
		const custom = routePacked(pack(['{"id":1,"body":"n/a"}', '{"id":2,"doc":["n/a"]}', '{"id":3,"body":"__debezium_unavailable_value"}']), new RowMapper(docs, { ...DEFAULT_ROW_MAPPER_OPTIONS, unavailableValue: 'n/a' }), labels, 0);
		assert.equal(custom.packed?.jsonLines, '{"id":3,"body":"__debezium_unavailable_value"}\n');
		assert.equal(custom.invalid.length, 2);
	});

	it('an unparsable line goes to invalid with its text, parse_error and exact offset; metrics counted', async () => {
		const r = routePacked(pack(['{"id":1,"ts":0}', '{oops', '{"id":3,"ts":0}'], [{ topic: 'tp-parse', partition: 2, firstOffset: '100', lastOffset: '102', lines: 3 }]), mapper(), labels, 7);
		assert.equal(r.packed?.count, 2);
		assert.equal(r.invalid.length, 1);
		const bad = r.invalid[0];
		assert.equal(bad.index, 7);
		// The shape of an invalid item in per-message mode: the trigger's _parseError, then _invalid and _kafka.
		assert.deepEqual(Object.keys(bad.json), [PARSE_ERROR_FIELD, INVALID_FIELD, KAFKA_METADATA_FIELD]);
		assert.deepEqual({ ...(bad.json[PARSE_ERROR_FIELD] as ParseErrorInfo), message: '' }, { kind: 'json', message: '', raw: '{oops', rawEncoding: 'utf8' });
		assert.equal(info(bad).table, 'shop.orders');
		assert.deepEqual(info(bad).reasons.map((x) => [x.rule, x.column, x.value]), [['parse_error', null, '{oops']]);
		assert.match(info(bad).reasons[0].message, /could not be decoded \(json\)/);
		assert.deepEqual(origin(bad), { topic: 'tp-parse', partition: 2, offset: '101', line: 1 });
		// The valid lines around it: two exact runs, 100 and 102.
		assert.deepEqual(r.packed?.sources, [
			{ topic: 'tp-parse', partition: 2, firstOffset: '100', lastOffset: '100', lines: 1 },
			{ topic: 'tp-parse', partition: 2, firstOffset: '102', lastOffset: '102', lines: 1 },
		]);
		assert.match(await registry.getSingleMetricAsString('json_parse_errors_total'), /json_parse_errors_total\{workflow="wf-packed",node="Doris Schema",topic="tp-parse"\} 1/);
		assert.match(await registry.getSingleMetricAsString('sinker_rows_invalid_total'), /sinker_rows_invalid_total\{workflow="wf-packed",table="shop.orders",rule="parse_error"\} 1/);
	});

	it('a line that is JSON but not an object is a parse error, as in the per-message path', () => {
		const lines = ['[1,2]', '42', 'null', '"text"', 'true', ''];
		const r = routePacked(pack(lines), mapper(), labels, 0);
		assert.equal(r.packed, null);
		assert.deepEqual(r.invalid.map((x) => (x.json[PARSE_ERROR_FIELD] as ParseErrorInfo).raw), lines);
		assert.deepEqual(r.invalid.map((x) => (x.json[PARSE_ERROR_FIELD] as ParseErrorInfo).kind), ['not_object', 'not_object', 'not_object', 'not_object', 'not_object', 'json']);
		assert.deepEqual(r.invalid.map((x) => info(x).reasons[0].rule), lines.map(() => 'parse_error'));
		assert.deepEqual(
			r.invalid.slice(0, 5).map((x) => info(x).reasons[0].message.replace(/^.*: /, '')),
			['JSON value is an array, not an object', 'JSON value is a number, not an object', 'JSON value is null, not an object', 'JSON value is a string, not an object', 'JSON value is a boolean, not an object'],
		);
		assert.match(info(r.invalid[5]).reasons[0].message, /\(json\)/, 'an empty line is not JSON');
	});

	it('type errors list every failing column, like an item', () => {
		const r = routePacked(pack(['{"id":"x","name":"much too long","ts":"nope"}']), mapper(), labels, 0);
		assert.equal(r.packed, null);
		assert.deepEqual(info(r.invalid[0]).reasons.map((x) => [x.column, x.rule]), [
			['id', 'not_integer'],
			['name', 'too_long'],
			['ts', 'date_format'],
		]);
	});

	it('keeps big integers and long decimals exact', () => {
		const r = routePacked(pack(['{"id":9007199254740993,"ts":0,"big":170141183460469231731687303715884105727,"amount":12345678.99}']), mapper(), labels, 0);
		assert.equal(r.packed?.jsonLines, '{"id":"9007199254740993","amount":"12345678.99","ts":"1970-01-01 00:00:00","big":"170141183460469231731687303715884105727"}\n');
	});

	it('Debezium c / u / d lines: after / after / before with the delete sign; deleteSign set', () => {
		const lines = cdcLines;
		const r = routePacked(pack(lines), mapper({ cdc: true }), labels, 0);
		assert.equal(r.packed?.deleteSign, true);
		assert.equal(
			r.packed?.jsonLines,
			`{"id":1,"ts":"1970-01-01 00:00:00","${DELETE_SIGN_COLUMN}":0}\n{"id":1,"name":"new","ts":"1970-01-01 00:00:00","${DELETE_SIGN_COLUMN}":0}\n{"id":1,"ts":"1970-01-01 00:00:00","${DELETE_SIGN_COLUMN}":1}\n`,
		);
		assert.deepEqual(r.invalid.map((x) => [info(x).reasons[0].rule, origin(x).line]), [['envelope', 3]]);
		assert.equal(routePacked(pack(['{"id":1,"ts":0}']), mapper(), labels, 0).packed?.deleteSign, false, 'no sign outside CDC, and said so');
	});

	it('maps lines to topic / partition / offset across runs, null offsets in a run with gaps', () => {
		const bad = '{"id":"bad","ts":0}';
		const ok = '{"id":1,"ts":0}';
		const sources = gappedSources;
		const lines = [ok, bad, ok, bad, bad, ok, ok, bad, bad];
		const r = routePacked(pack(lines, sources), mapper(), labels, 2);
		assert.deepEqual(
			r.invalid.map((x) => origin(x)),
			[
				{ topic: 'a', partition: 0, offset: '9007199254740992', line: 1 },
				{ topic: 'a', partition: 0, offset: '9007199254740994', line: 3 },
				{ topic: 'b', partition: 1, offset: null, line: 4 },
				{ topic: 'a', partition: 3, offset: '5', line: 7 },
				{ topic: 'a', partition: 3, offset: '6', line: 8 },
			],
		);
		assert.equal(r.packed?.count, 4);
		// An invalid line splits an exact run, so every output run stays exact; a run with gaps keeps its bounds.
		assert.deepEqual(r.packed?.sources, [
			{ topic: 'a', partition: 0, firstOffset: '9007199254740991', lastOffset: '9007199254740991', lines: 1 },
			{ topic: 'a', partition: 0, firstOffset: '9007199254740993', lastOffset: '9007199254740993', lines: 1 },
			{ topic: 'b', partition: 1, firstOffset: '10', lastOffset: '20', lines: 2 },
		]);
	});

	it('lines the sources do not cover still come out, with an unknown origin; a last line without "\\n" counts', () => {
		const p: PackedRows = { jsonLines: '{"id":1,"ts":0}\n{"id":"x","ts":0}', count: 2, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 }] };
		const r = routePacked(p, mapper(), labels, 0);
		assert.equal(r.packed?.count, 1);
		assert.deepEqual(origin(r.invalid[0]), { topic: null, partition: null, offset: null, line: 1 });
	});

	it('empty results: no lines, or every line invalid, give no packed rows', () => {
		assert.deepEqual(routePacked({ jsonLines: '', count: 0, sources: [] }, mapper(), labels, 0), { packed: null, invalid: [] });
		const all = routePacked(pack(['{}', '{"id":1}']), mapper(), labels, 0);
		assert.equal(all.packed, null);
		assert.equal(all.invalid.length, 2);
	});

	it('readPackedRows: absent, well-formed, or an error naming the field and value', () => {
		assert.equal(readPackedRows({ id: 1 }), undefined);
		const p = pack(['{}']);
		assert.equal(readPackedRows({ [PACKED_ROWS_FIELD]: p }), p);
		const cases: Array<[unknown, RegExp]> = [
			['lines', /packedRows must be an object, not "lines"/],
			[{ ...p, jsonLines: 5 }, /packedRows\.jsonLines must be a string, not number 5/],
			[{ ...p, count: -1 }, /packedRows\.count must be a whole number ≥ 0, not number -1/],
			[{ ...p, sources: null }, /packedRows\.sources must be an array, not null/],
			[{ ...p, sources: [{ ...p.sources[0], firstOffset: '1e3' }] }, /packedRows\.sources\[0\]\.firstOffset must be an offset as a decimal string, not "1e3"/],
			[{ ...p, sources: [{ ...p.sources[0], partition: '0' }] }, /packedRows\.sources\[0\]\.partition must be a whole number, not "0"/],
		];
		for (const [value, message] of cases) {
			const r = readPackedRows({ [PACKED_ROWS_FIELD]: value });
			assert.ok(r instanceof Error);
			assert.match(r.message, message);
		}
	});
});

describe('packed and per-item give the same bytes at the Stream Load wire format', () => {
	/** What the Stream Load node sends for these items (deletes = auto, JSON format). */
	function streamLoadBytes(items: Array<{ json: Record<string, unknown> }>, m: RowMapper): string {
		const rows = routeItems(items, m, labels).rows.map((r) => r.json);
		const deleteSign = rows.some((r) => r[DELETE_SIGN_COLUMN] !== undefined);
		const serialize = createSerializer({ format: 'json', deleteSign });
		return rows.map((r) => serialize(r)).join('');
	}
	const lines = [
		'{"id":9007199254740993,"name":"ünï","amount":1.050,"ts":"2024-03-10T02:30:00-05:00","big":-170141183460469231731687303715884105728}',
		'{"id":2,"name":"t\\t\\"q\\"\\u2028","ts":1700000000000}',
		'{"id":3,"name":null,"ts":"2024-01-01","amount":null}',
		'{"id":"4","ts":0}',
		'{"id":5,"ts":0,"name":"way too long for ten"}',
	];
	for (const cdc of [false, true]) {
		it(cdc ? 'CDC envelopes (delete sign)' : 'plain rows', () => {
			const m = mapper({ cdc, dates: { timeZone: 'Asia/Shanghai', epochUnit: 'ms' } });
			const src = cdc ? lines.map((l, i) => `{"payload":{"op":"${i === 2 ? 'd' : 'u'}","before":${l},"after":${i === 2 ? 'null' : l}}}`) : lines;
			// The per-item path gets what the trigger's per-message mode emits: the same text parsed exactly.
			const items = src.map((l) => ({ json: parseJsonExact(l) as Record<string, unknown> }));
			const packed = routePacked(pack(src), m, labels, 0);
			const expected = streamLoadBytes(items, m);
			assert.ok(expected.length > 0);
			assert.equal(packed.packed?.jsonLines, expected);
			// Line 3's amount is null in a NOT NULL column with a default: Invalid, unless the line is the delete.
			assert.equal(packed.packed?.count, cdc ? 4 : 3);
			assert.equal(packed.packed?.deleteSign, cdc);
		});
	}
});

describe('numbers a double would change keep every digit, per message and packed', () => {
	// Doris' JSON reader hands a number to a text column, and an ARRAY / MAP its JSON text, as written
	// (new_json_reader.cpp): the digits must reach it unchanged, where JSON.parse would round them.
	const texts = manualSchema('p', 'texts', [
		{ name: 'id', type: 'BIGINT', nullable: false },
		{ name: 'v', type: 'VARCHAR(64)' },
		{ name: 's', type: 'STRING' },
		{ name: 'a', type: 'ARRAY<DECIMAL(38,20)>' },
		{ name: 'av', type: 'ARRAY<VARCHAR(64)>' },
		{ name: 'm', type: 'MAP<VARCHAR(8),DECIMAL(38,2)>' },
		{ name: 'j', type: 'JSON' },
	]);
	const lines = [
		'{"id":1,"v":12345678901234567890,"s":-98765432109876543210.5,"a":[0.12345678901234567891,12345678901234567.5],"av":[9007199254740993],"m":{"k":123456789012345678901234567890.25}}',
		'{"id":2,"v":0.1000000000000000055511151231257827,"s":1e-400,"a":"[0.12345678901234567891]","j":"12345678901234567890"}',
	];
	const want =
		'{"id":1,"v":"12345678901234567890","s":"-98765432109876543210.5","a":"[0.12345678901234567891,12345678901234567.50000000000000000000]","av":"[\\"9007199254740993\\"]","m":"{\\"k\\":123456789012345678901234567890.25}"}\n' +
		'{"id":2,"v":"0.1000000000000000055511151231257827","s":"1e-400","a":"[0.12345678901234567891]","j":"12345678901234567890"}\n';
	it('in-thread, as bytes and per item', () => {
		const m = new RowMapper(texts, DEFAULT_ROW_MAPPER_OPTIONS);
		assert.equal(routePacked(pack(lines), m, labels, 0).packed?.jsonLines, want);
		assert.equal(mapPackedLinesToBytes(pack(lines), m, 0, emptyInvalidLineCounts()).bytes?.toString('utf8'), want);
		const serialize = createSerializer({ format: 'json', deleteSign: false });
		const rows = routeItems(lines.map((l) => ({ json: parseJsonExact(l) as Record<string, unknown> })), m, labels).rows;
		assert.equal(rows.map((r) => serialize(r.json)).join(''), want);
	});
});

describe('property: every line comes out exactly once', () => {
	const options = wideOptions;
	it('on the packed output as a row, or on the invalid output as an item', () => {
		fc.assert(
			fc.property(
				linesWithRuns(40),
				fc.nat(options.length - 1),
				([lines, sources], which) => {
					const m = new RowMapper(wideSchema, options[which]);
					const r: RoutedPacked = routePacked(pack(lines, sources), m, { workflow: 'prop', node: 'n' }, 5);
					// Oracle: each line alone as the per-message path treats it (parse exactly, must be an
					// object, map), serialised as the Stream Load node does.
					const serialize = createSerializer({ format: 'json', deleteSign: options[which].cdc });
					let expected = '';
					const expectedInvalid: number[] = [];
					lines.forEach((l, k) => {
						let v: unknown;
						try {
							v = parseJsonExact(l);
						} catch {
							v = undefined;
						}
						let mapped = null;
						try {
							if (typeof v === 'object' && v !== null && !Array.isArray(v)) mapped = m.map(v as Record<string, unknown>);
						} catch {
							// routePacked turns a throwing mapper into an invalid line (rule type), like routeItems
						}
						if (mapped?.ok === true) expected += serialize(mapped.row);
						else expectedInvalid.push(k);
					});
					assert.equal((r.packed?.count ?? 0) + r.invalid.length, lines.length);
					assert.equal(r.packed?.jsonLines ?? '', expected);
					assert.deepEqual(r.invalid.map((x) => origin(x).line), expectedInvalid);
					for (const x of r.invalid) {
						assert.equal(x.index, 5);
						const o = origin(x);
						assertLineItem(x.json, lines[o.line]);
						assert.ok(info(x).reasons.length > 0);
						// Its origin, found independently: the run holding line k.
						let k = o.line;
						const run = sources.find((src) => (k -= src.lines) < 0);
						assert.ok(run !== undefined);
						const inRun = k + run.lines;
						const exact = BigInt(run.lastOffset) - BigInt(run.firstOffset) + 1n === BigInt(run.lines);
						assert.deepEqual([o.topic, o.partition, o.offset], [run.topic, run.partition, exact ? String(BigInt(run.firstOffset) + BigInt(inRun)) : null]);
					}
					if (r.packed !== null) {
						assert.equal(r.packed.sources.reduce((s, x) => s + x.lines, 0), r.packed.count);
						for (const s of r.packed.sources) assert.ok(BigInt(s.lastOffset) - BigInt(s.firstOffset) + 1n >= BigInt(s.lines));
					}
				},
			),
			{ numRuns: 300 },
		);
	});
});

describe('routePacked with Fractional Digits the Column Cannot Keep', () => {
	const lines = ['{"id":1,"amount":"1.005","ts":1700000000.5}', '{"id":2,"amount":19.900000000000002,"ts":"2024-05-01T10:11:12.499Z"}', '{"id":3,"amount":"999999999.995","ts":0}'];
	it('Round as Doris Does: the rounded values load, a value rounded past the precision is still invalid', () => {
		const r = routePacked(pack(lines), mapper({ extraDigits: 'round' }), labels, 0);
		assert.equal(r.packed?.jsonLines, '{"id":1,"amount":"1.01","ts":"2023-11-14 22:13:21"}\n{"id":2,"amount":"19.90","ts":"2024-05-01 10:11:12"}\n');
		assert.deepEqual(r.invalid.map((x) => info(x).reasons.map((e) => `${e.column}:${e.rule}`)), [['amount:precision']]);
	});
	it('by default each such row goes to Invalid with rule precision', () => {
		const r = routePacked(pack(lines), mapper(), labels, 0);
		assert.equal(r.packed, null);
		assert.deepEqual(r.invalid.map((x) => info(x).reasons.map((e) => `${e.column}:${e.rule}`)), [['amount:precision', 'ts:precision'], ['amount:precision', 'ts:precision'], ['amount:precision']]);
	});
});
