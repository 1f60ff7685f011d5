import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { parseJsonExact } from '../../../../src/common/exact-json';
import { LineSink } from '../../../../src/doris/schema/line-sink';
import { LineTranscoder } from '../../../../src/doris/schema/line-transcoder';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { countLineOwnFields } from '../../../../src/doris/schema/reserved-line-fields';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import { createSerializer } from '../../../../src/doris/stream-load/wire-format';
import { eventsMapper } from '../../../../bench/micro/events-schema';
import { makeEvent } from '../../../../bench/dataset';

/** Every column kind the fast path treats on its own, and some it hands to the handler. */
const schema = manualSchema('db', 'fast', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'n', type: 'INT' },
	{ name: 't', type: 'TINYINT' },
	{ name: 'big', type: 'LARGEINT' },
	{ name: 'd', type: 'DECIMAL(8,3)' },
	{ name: 'd0', type: 'DECIMAL(5,0)' },
	{ name: 'f', type: 'DOUBLE' },
	{ name: 'fl', type: 'FLOAT' },
	{ name: 'b', type: 'BOOLEAN' },
	{ name: 's', type: 'VARCHAR(6)' },
	{ name: 'st', type: 'STRING' },
	{ name: 'c', type: 'CHAR(3)' },
	{ name: 'dt', type: 'DATETIME(3)' },
	{ name: 'da', type: 'DATE' },
	{ name: 'j', type: 'JSON' },
	{ name: 'v', type: 'VARIANT' },
	{ name: 'arr', type: 'ARRAY<INT>' },
	{ name: 'def', type: 'INT', nullable: false, hasDefault: true },
	// A dot in a column's name (Doris allows it): filled from the key of that whole name, never from `h: {s: …}`.
	{ name: 'h.s', type: 'INT' },
]);
const KEYS = ['id', 'n', 't', 'big', 'd', 'd0', 'f', 'fl', 'b', 's', 'st', 'c', 'dt', 'da', 'j', 'v', 'arr', 'def', 'h.s', 'h', 'zz', '_kafka', '_doris', '__DORIS_DELETE_SIGN__', 'schema', 'payload', '__deleted', 'ID', 'St', 'Zz'];
const mapperWith = (o: Partial<RowMapperOptions> = {}) => new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, dates: { timeZone: 'Asia/Shanghai', epochUnit: 'ms' }, ...o });
const serialize = createSerializer({ format: 'json' });

/**
 * The reference: what the general path (parse, map, serialize) loads for the line, or undefined when
 * it is invalid; with `unmatched`, the mapper counts the fields no column takes into it.
 */
function general(m: RowMapper, line: string, unmatched: Map<string, number> | null = null): string | undefined {
	let value: unknown;
	try {
		value = parseJsonExact(line);
	} catch {
		return undefined;
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	m.unmatchedSink = unmatched;
	try {
		// As route-packed's general path (mapLine): a line's own _kafka / _doris counts as unmatched there.
		countLineOwnFields(value as Record<string, unknown>, m);
		const r = m.map(value as Record<string, unknown>);
		return r.ok ? serialize(r.row) : undefined;
	} catch {
		return undefined;
	} finally {
		m.unmatchedSink = null;
	}
}

/**
 * The fast path's line for text[start, end), or undefined when it leaves the line to the general path
 * (then it must have written nothing); its bytes are checked against the text's UTF-8.
 */
function transcode(t: LineTranscoder | null, text: string, start: number, end: number, unmatched: Map<string, number> | null): string | undefined {
	assert.ok(t !== null);
	const sink = new LineSink(text);
	const taken = t.line(text, start, end, unmatched, sink);
	const { text: out, bytes } = sink.finish();
	if (!taken) {
		assert.equal(out, '', 'a line left to the general path wrote nothing');
		return undefined;
	}
	assert.deepEqual(bytes, Buffer.from(out, 'utf8'));
	return out;
}

/** Values as they may be written in a line, oddities included. */
const valueText = fc.oneof(
	{ weight: 3, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
	{ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map((v) => JSON.stringify(v)) },
	{
		weight: 4,
		arbitrary: fc.constantFrom(
			'-0', '0', '7', '-7', '1.50', '1.5', '1e5', '1E-3', '0.0000001', '0.000001', '0.1', '-0.5', '123456789012345', '1234567890123456',
			'12345678901234567890', '9007199254740993', '-12.345', '127', '128', '-129', '2147483648', '99999.999', '99999.9999', '100000.0',
			'1.0005', '1.7976931348623157e308', '3.4e39', '01', '1.', '.5', '+1', '--1', '1e', 'NaN',
			'"12.5"', '"-0.5"', '"  7"', '"7"', '"7.0"', '"7."', '"\u00a07"', '"\\u00a07"', '"\\ttrue"', '"9223372036854775808"', '"\\u2028x"', '"\\ud800"', '"\ud800"', '"😀"', '"ü"', '"üüü"', '"ü\\u00fc"',
			'"a\\"b"', '"a\\\\"', '"abcdef"', '"abcdefg"', '"2024-01-02 03:04:05.123"', '"2024-01-02T03:04:05Z"', '"2024-02-30"', '"2024-01-02"',
			'"true"', '"1"', 'true', 'false', 'null', 'nul', 'tru', '"\u0001"', '"\\x"', '"unterminated',
			'{"a":1,"a":2}', '{"1":1,"b":2}', '{"01":1}', '{"__proto__":1}', '{ "a" : 1 }', '{"a":1 }', '[1, 2]', '[1,2]', '[]', '{}', '[1,2,]', '{"a":1,}',
			'{"x":[1,{"y":"z"}]}', '{"big":12345678901234567890}', '{"n":1.50}', '{"n":-0}', '{"s":"\\u00e9"}', '{"s":"\ud800"}', '"{\\"a\\":1}"', '"[1,2]"',
			'{"a":' + '['.repeat(70) + ']'.repeat(70) + '}', '"' + 'x'.repeat(300) + '"',
		),
	},
);
const space = fc.constantFrom('', '', '', '', '', ' ', '\t', '\r', '  ');
const ints = ['1', '-7', '0', '127', '123456789012345', '"12"', '1.0', '-0', '1e2', '"1.0"', '" 12. "', '128', '-129', '2147483648', 'true'];
const texts = ['"abc"', '"abcdef"', '"ü"', '"😀"', '"a\\"b"', '"\\u2028"', '"\ud800"', '""', '7', '{"k":[1,"x"]}', '[ 1 ]', 'true', '"abcdefg"', '"üüü"'];
const json = ['{"k":[1,"x"]}', '{"s":"ü😀 \\"q\\"","e":""}', '{"u":"ü\u2028€😀"}', '{"k":1,"k":2}', '{"a":0,"2":1}', '{ "k" : 1 }', '[1,2.50,-0]', '{"s":"\\u00e9"}', '{"n":12345678901234567890}', '"{\\"a\\":1}"', '"[1"', '"plain"', '5', 'true', '{}', '[]', '"123"', '"null"', '" 7 "', '""', '"12345678901234567890"', '"\\"q\\""', '{"s":"\\ud800"}', '["\\ud83d\\ude00"]', '"\\"\\\\udc00\\""'];
/** Per column: values it takes (in odd spellings too), then values it refuses. */
const valuesFor: Record<string, [string[], string[]]> = {
	id: [ints.slice(0, 12), ints.slice(12)],
	n: [ints.slice(0, 12).filter((v) => v !== '123456789012345'), ints.slice(12)],
	t: [ints.slice(0, 8).filter((v) => v !== '123456789012345'), ['128', '-129', 'true']],
	big: [[...ints.slice(0, 12), '"170141183460469231731687303715884105727"'], ['9007199254740993']],
	def: [ints.slice(0, 12).filter((v) => v !== '123456789012345'), ints.slice(12)],
	d: [['true', 'false', '1.5', '1.50', '"12.5"', '"12.500"', '"12."', '"-7"', '12', '-0.25', '0.001', '99999.999', '1e2', '100', '1.2500', '"0.0010"'], ['99999.9999', '0.0000001', '100000', '"-0.5x"', '1.0005', '"1.0005"']],
	// Scale 0: the digits alone (a string's trailing dot dropped).
	d0: [['12', '-3', '0', '"12"', '"12."', '"-0"', '99999', '1.0', '"007"'], ['100000', '1.5', '"1.5"', '"x"']],
	f: [['1.25', '-0', '1e5', '0.1', '"2.5"', '123456789012.345', '0.000001', '0.0000001'], ['"x"']],
	fl: [['1.25', '-2.5', '"1"', '0.1', '16777216', '3.1415927'], ['3.4e39', '16777217', '3.14159265', '"0.123456789"']],
	b: [['true', 'false', '1', '0', '"true"', '"01"', '"+1"', '" 1.0 "', '"-0"', '"0."'], ['"no"', '2', '"1.5"', '"2"', '"\u00a01"']],
	s: [texts.slice(0, 12).filter((v) => v !== '{"k":[1,"x"]}'), texts.slice(12)],
	st: [texts, []],
	c: [['"abc"', '"ü"', '""', '7', '"a\\"b"'], ['"abcd"']],
	dt: [['"2024-01-02 03:04:05.123"', '"2024-01-02T03:04:05Z"', '1700000000123', '"2024-01-02"', '"2024-01-02 03:04:05.1230000"'], ['"2024-02-30 00:00:00"', 'true', '"2024-01-02 03:04:05.1234"', '"2024-01-02T03:04:05.0000000001Z"', '1700000000123.5']],
	da: [['"2024-01-02"', '1700000000123', '"20240102"'], ['"2024-13-01"', '19000']],
	j: [json, []],
	v: [json, []],
	arr: [['[1,2]', '[]', '"[1,2]"', '[ 1 ]'], ['[1,"x"]']],
	'h.s': [ints.slice(0, 12).filter((v) => v !== '123456789012345'), ints.slice(12)],
	h: [['{"s":1}', '{"s":"x"}', '1'], []],
	zz: [json, []],
	_kafka: [['{"offset":"1"}'], []],
	_doris: [['{"loadBy":1}'], []],
	__DORIS_DELETE_SIGN__: [['0', '1'], ['"yes"', '300']],
	// A flattened Debezium record's delete marker: "false" is an upsert, "true" a delete (the general path's).
	__deleted: [['"false"', 'false', '"true"', 'true'], ['"yes"', '1', '"False"']],
	schema: [['{"type":"struct"}', '1'], []],
	payload: [['{}'], []],
	// Another case of a column's name: it fills the column when the line lacks the exact name.
	ID: [ints.slice(0, 12), ints.slice(12)],
	St: [texts, []],
	Zz: [json, []],
};
const fieldValue = (key: string, valid: boolean) => {
	const [takes, refuses] = valuesFor[key];
	if (valid) return fc.constantFrom(...takes);
	return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...takes, ...refuses) }, { weight: 2, arbitrary: valueText }, { weight: 1, arbitrary: fc.constant('null') });
};
/** A key as written: usually plain, sometimes with an escape that means the same key. */
const keyText = (k: string) => fc.nat(59).map((r) => (r === 0 ? `"\\u${k.charCodeAt(0).toString(16).padStart(4, '0')}${k.slice(1)}"` : JSON.stringify(k)));
const CASE_VARIANTS = new Set(['ID', 'St', 'Zz']);
const field = (k: string, valid: boolean) => {
	const written = fc.tuple(space, keyText(k), space, space, fieldValue(k, valid), space);
	// Rare, as they send their line to the general path.
	if (CASE_VARIANTS.has(k)) return fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: written });
	// A flattened delete ("true") takes the general path too: present in one line of seven; so does a
	// record's own delete sign (RowMapper reads it).
	if (k === '__deleted' || k === '__DORIS_DELETE_SIGN__') return fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: written });
	return fc.option(written, { freq: k === 'id' ? 30 : 2 });
};
/** A line: with `valid`, only values their columns take (the fast path's daily bread), else anything. */
const lineOf = (valid: boolean) =>
	fc.tuple(fc.tuple(...KEYS.map((k) => field(k, valid))), space, space, fc.nat(5), fc.nat(KEYS.length - 1)).map(([fields, lead, trail, shuffle, twice]) => {
		const present = fields.filter((f) => f !== null);
		// Mostly in column order; sometimes two fields swapped, or a field given twice.
		if (shuffle === 0 && present.length > 1) [present[0], present[present.length - 1]] = [present[present.length - 1], present[0]];
		if (shuffle === 1 && present.length > 0) present.push(present[twice % present.length]);
		return `${lead}{${present.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}${trail}`;
	});
const lineText = fc.oneof(lineOf(true), lineOf(false));

describe('LineTranscoder: the bytes of the general path, or the general path', () => {
	it("the benchmark's events all take the fast path, with the general path's bytes", () => {
		const m = eventsMapper();
		const t = LineTranscoder.of(m);
		assert.ok(t !== null);
		for (let i = 0; i < 3000; i++) {
			const line = JSON.stringify(makeEvent(i, Date.UTC(2024, 4, 17) + i * 7919));
			const out: string | undefined = transcode(t, line, 0, line.length, null);
			assert.ok(out !== undefined, `general path for ${line}`);
			assert.equal(out, general(m, line));
		}
	});

	it('property: on lines written every which way, a line it transcodes loads the same bytes, and an invalid line is left to the general path', () => {
		const options: Array<Partial<RowMapperOptions>> = [{}, { unknownFields: 'reject' }, { evolve: true }, { mapping: [{ field: 'zz', column: 'n' }] }, { mapping: [{ field: '__deleted', column: 'st' }] }, { limits: { stringMaxBytes: 8, jsonMaxBytes: 12 } }];
		let transcoded = 0;
		fc.assert(
			fc.property(fc.array(lineText, { minLength: 1, maxLength: 12 }), fc.nat(options.length - 1), fc.boolean(), (lines, which, counting) => {
				const m = mapperWith(options[which]);
				const t = LineTranscoder.of(m);
				assert.ok(t !== null);
				// As route-packed walks a packed item: ranges of one text, then the same text again; the
				// general path takes the lines the fast one leaves, and both count unmatched fields.
				const text = lines.map((l) => `${l}\n`).join('');
				for (let pass = 0; pass < 2; pass++) {
					const unmatched = counting ? new Map<string, number>() : null;
					const expected = counting ? new Map<string, number>() : null;
					let start = 0;
					for (const line of lines) {
						const out = transcode(t, text, start, start + line.length, unmatched);
						const reference = general(m, line, expected);
						if (out !== undefined) {
							transcoded++;
							assert.equal(out, reference, line);
						} else general(m, line, unmatched);
						// The line as a text of its own: read as bytes when it is ASCII, whatever its neighbours are.
						if (pass === 0) assert.equal(transcode(t, line, 0, line.length, null), out, line);
						start += line.length + 1;
					}
					assert.deepEqual(unmatched, expected);
				}
			}),
			{ numRuns: 2000 },
		);
		// The property only says something about the lines the fast path took: enough of them. The count
		// moves from seed to seed: 1,850–2,100 in 2,000 runs until session 17, whose generator sends more
		// lines to the general path (dotted keys h.s / h, a line's own _kafka / _doris under Reject, a DATE
		// day count): 1,444–1,622 in six runs, so 1,500 failed about every third run. A fast path that took
		// nothing, or a tenth of what it takes, still fails here.
		assert.ok(transcoded > 1000, `only ${transcoded} lines took the fast path`);
	});

	it('property: lines as JSON.stringify writes records take the fast path unless a value is refused', () => {
		const record = fc.dictionary(fc.constantFrom(...KEYS.slice(0, 20)), fc.oneof(fc.integer({ min: -100, max: 100 }), fc.constantFrom('abc', '2024-01-02 03:04:05', 1.25, true, null, { k: [1, 'x'] })));
		fc.assert(
			fc.property(record, (rec) => {
				const m = mapperWith();
				const t = LineTranscoder.of(m) as LineTranscoder;
				const line = JSON.stringify({ id: 1, ...rec });
				const expected = general(m, line);
				assert.equal(transcode(t, line, 0, line.length, null), expected, line);
			}),
			{ numRuns: 1000 },
		);
	});

	it('which lines take the fast path (defined) and which the general one', () => {
		const m = mapperWith();
		const t = LineTranscoder.of(m) as LineTranscoder;
		const cases: Array<[string, boolean]> = [
			['{"id":1,"s":"abc","d":1.5,"j":{"a":[1,2]},"b":true,"dt":"2024-01-02 03:04:05"}', true],
			['{"s":"abc","id":1}', true], // columns out of order: the row is written afresh
			['{ "id" : 1 }', true],
			['{"id":1,"zz":{"deep":[1,2,{"x":null}]}}', true], // a field no column takes, ignored
			['{"id":1,"h.s":5}', true], // a column with a dot in its name, from the key of that whole name
			['{"id":1,"h":{"s":5}}', true], // ... never from a nested object: `h` is a field no column takes
			['{"id":1,"j":{"":1,"":2}}', true], // a JSON value with an empty key twice: written as JSON.stringify writes it, with one
			['{"id":1,"st":{"a":{"":1,"":2}}}', true],
			['{"id":1,"n":null}', true], // NOT NULL with a default, missing: Doris fills it
			['{"id":1,"n":null,"def":null}', false], // ... null: Doris refuses it; the general path gives the reason
			['{"id":1,"s":"ü\\u00fc"}', true], // escapes: read by JSON.parse, written by JSON.stringify
			['{"id":1,"st":"😀"}', true],
			['{"n":1}', false], // NOT NULL id missing
			['{"id":1,"id":2}', false], // a column named twice
			['{"id":1,"s":"abcdefg"}', false], // too long
			['{"id":"x"}', false], // refused by the column
			['{"id":1,"_parseError":{"kind":"json"}}', false],
			['{"id":1,"schema":{"type":"struct"},"payload":{}}', false], // maybe a Kafka Connect envelope
			['{"id":1,}', false],
			['{"id":1} x', false],
			['[1]', false],
			['{"\\u0069d":1}', false], // a key with an escape
			['{"ID":1,"s":"abc"}', false], // another case of a column's name fills it: the general path settles which field
			['{"id":1,"S":"abc","s":"x"}', false], // ... or leaves it over
			['{"id":1,"__deleted":"false"}', true], // a flattened Debezium upsert: the marker left out
			['{"id":1,"__deleted" : false }', true],
			['{"id":1,"__deleted":"true"}', false], // a flattened delete: the general path adds the delete sign
			['{"id":1,"__deleted":"false","__deleted":"true"}', false], // JSON.parse keeps the last
			['{"id":1,"__deleted":"yes"}', false], // neither: Invalid, on the general path
		];
		for (const [line, fast] of cases) {
			const out = transcode(t, line, 0, line.length, null);
			assert.equal(out !== undefined, fast, line);
			if (out !== undefined) assert.equal(out, general(m, line), line);
		}
	});

	it('fields no column takes: skipped and counted as unmatched (each name once per line), unless refused or added as columns', () => {
		const line = '{"id":1,"zz":2,"payload":{},"zz":3}';
		const unmatched = new Map<string, number>();
		assert.ok(transcode(LineTranscoder.of(mapperWith()), line, 0, line.length, null) !== undefined);
		assert.ok(transcode(LineTranscoder.of(mapperWith()), line, 0, line.length, unmatched) !== undefined);
		assert.deepEqual(unmatched, new Map([['zz', 1], ['payload', 1]]));
		assert.equal(transcode(LineTranscoder.of(mapperWith({ unknownFields: 'reject' })), line, 0, line.length, null), undefined);
		assert.equal(transcode(LineTranscoder.of(mapperWith({ evolve: true })), line, 0, line.length, null), undefined);
		// A line's own _kafka / _doris: left out of the row and counted as unmatched, never a column to add
		// (reserved-line-fields.ts), so it keeps the fast path under Ignore and Add New Columns; under Reject
		// it refuses the line (session 17), which the general path says why.
		const own = '{"id":1,"_kafka":{"offset":"1"},"_doris":{"loadBy":1}}';
		for (const options of [{}, { evolve: true }]) {
			const counted = new Map<string, number>();
			assert.equal(transcode(LineTranscoder.of(mapperWith(options)), own, 0, own.length, counted), '{"id":1}\n');
			assert.deepEqual(counted, new Map([['_kafka', 1], ['_doris', 1]]));
		}
		assert.equal(transcode(LineTranscoder.of(mapperWith({ unknownFields: 'reject' })), own, 0, own.length, null), undefined);
		// A line left to the general path counts nothing here.
		const none = new Map<string, number>();
		assert.equal(transcode(LineTranscoder.of(mapperWith()), '{"zz":1}', 0, 8, none), undefined);
		assert.deepEqual(none, new Map());
	});

	it('a text walked twice: the second walk finds its escapes again (a line treated as plain would keep a raw U+2028 JSON.stringify… keeps, or a lone surrogate it escapes)', () => {
		const m = mapperWith();
		const t = LineTranscoder.of(m) as LineTranscoder;
		const lines = ['{"id":1}', '{"id":2,"st":"\ud800"}', '{"id":3,"st":"a\\"b"}', '{"id":4}'];
		const text = lines.map((l) => `${l}\n`).join('');
		for (let pass = 0; pass < 3; pass++) {
			let start = 0;
			for (const line of lines) {
				assert.equal(transcode(t, text, start, start + line.length, null), general(m, line));
				start += line.length + 1;
			}
		}
	});

	it('no fast path where records are read from elsewhere or column names are special to plain objects', () => {
		assert.equal(LineTranscoder.of(mapperWith({ cdc: true })), null);
		assert.equal(LineTranscoder.of(mapperWith({ sourcePath: 'payload.after' })), null);
		assert.equal(LineTranscoder.of(mapperWith({ mapping: [{ field: 'a.b', column: 'n' }] })), null);
		assert.equal(LineTranscoder.of(mapperWith({ mapping: [{ field: 's', column: 'st' }] })), null, 'two columns from one field');
		for (const name of ['constructor', 'toString', '__proto__', '7', '_doris']) {
			const special = manualSchema('db', 't', [{ name: 'id', type: 'INT' }, { name, type: 'INT' }]);
			assert.equal(LineTranscoder.of(new RowMapper(special, DEFAULT_ROW_MAPPER_OPTIONS)), null, name);
		}
	});
});

describe('LineTranscoder over a long life (one per mapper, kept while the schema is)', () => {
	it('after 2^31 lines its per-line marks still tell this line from older ones: no row loses its columns', () => {
		const nullable = manualSchema('db', 'loose', [
			{ name: 'a', type: 'INT' },
			{ name: 's', type: 'STRING' },
		]);
		const m = new RowMapper(nullable, DEFAULT_ROW_MAPPER_OPTIONS);
		const t = LineTranscoder.of(m) as LineTranscoder;
		// Two billion lines at 50,000 rows/s is half a day: the line counter is set there rather than walked.
		(t as unknown as { stamp: number }).stamp = 2 ** 31 - 3;
		const lines = ['{"a":1,"s":"x"}', '{"s":"y","a":2}', '{"a":3,"a":4}', '{"a":5}', '{"s":"z","a":6}'];
		for (let pass = 0; pass < 2; pass++) {
			for (const line of lines) {
				const out = transcode(t, line, 0, line.length, null);
				if (out !== undefined) assert.equal(out, general(m, line), line);
			}
		}
	});
});

describe('LineTranscoder and the sequence column', () => {
	const sequenced = {
		...manualSchema('db', 'seq', [
			{ name: 'id', type: 'BIGINT', nullable: false },
			{ name: 'updated_at', type: 'BIGINT' },
		]),
		keyModel: 'UNIQUE' as const,
		keyColumns: ['id'],
		sequenceColumn: 'updated_at',
	};

	it('a line whose sequence value would be NULL takes the general path, which sends it to Invalid', () => {
		const m = new RowMapper(sequenced, DEFAULT_ROW_MAPPER_OPTIONS);
		const t = LineTranscoder.of(m) as LineTranscoder;
		const at = (line: string) => transcode(t, line, 0, line.length, null);
		assert.equal(at('{"id":1,"updated_at":5}'), '{"id":1,"updated_at":5}\n');
		for (const line of ['{"id":1,"updated_at":null}', '{"id":1}', '{"id":1, "updated_at" : null }']) {
			assert.equal(at(line), undefined, line);
			assert.equal(general(m, line), undefined, line);
		}
	});

	it('behind a partial update that leaves the column to Doris, the fast path takes what the general path loads: a missing value (leftOut, perRow), a null (leftOut only)', () => {
		for (const [partial, loads] of [
			['leftOut', ['{"id":1}', '{"id":1,"updated_at":null}']],
			['perRow', ['{"id":1}']],
		] as const) {
			const m = new RowMapper(sequenced, { ...DEFAULT_ROW_MAPPER_OPTIONS, sequenceInPartialUpdate: partial });
			const t = LineTranscoder.of(m) as LineTranscoder;
			for (const line of loads) {
				assert.equal(transcode(t, line, 0, line.length, null), general(m, line), `${partial} ${line}`);
				assert.notEqual(general(m, line), undefined, `${partial} ${line}`);
			}
			if (partial === 'perRow') assert.equal(general(m, '{"id":1,"updated_at":null}'), undefined, 'a null is compared: Invalid');
		}
	});
});
