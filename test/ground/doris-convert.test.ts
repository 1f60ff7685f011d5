/**
 * The BE's compiled per-column converters (convert-compiled.ts) must answer exactly as `convert`, the
 * reference statement of Doris' conversion rules, for every value: same stored value (Object.is, so
 * -0 and 0 differ), same INVALID / REJECT, same reason text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseType } from './doris/coltypes';
import { BigNumText, convert, INVALID, type ConvertCtx } from './doris/convert';
import { tzOffsetFn } from './doris/convert-datetime';
import { compileConverter } from './doris/convert-compiled';

const TYPES = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT', 'BOOLEAN', 'FLOAT', 'DOUBLE', 'DECIMAL(12, 2)', 'DECIMAL(27, 9)', 'DATE', 'DATETIME', 'DATETIME(3)', 'DATETIME(6)', 'CHAR(4)', 'VARCHAR(5)', 'VARCHAR(64)', 'STRING', 'JSON', 'VARIANT', 'ARRAY<INT>', 'IPV4', 'IPV6'];

const VALUES: unknown[] = [
	null, 0, -0, 1, -1, 127, 128, -128, -129, 32767, 32768, 2147483647, 2147483648, -2147483648, -2147483649,
	1.5, -2.25, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -Number.MAX_SAFE_INTEGER, 2 ** 63, NaN, Infinity,
	'', ' ', '0', '-0', '+5', ' 7 ', '007', '12', '-12', '127', '128', '2147483647', '2147483648', '-2147483649', '1234567890', '12345678901',
	'123456789012345', '1234567890123456', '9007199254740993', '-9223372036854775808', '9223372036854775808', '1.0', '1e3', 'abc', '１２',
	'1.5', '-7.', ' 3.25', '1.5 ', '\u00a05', '5\u2028', '9223372036854775807.9',
	true, false, 'true', 'false', 'TRUE', '1',
	'2024-05-01', '2024-02-30', '2024-5-1', '2024-05-01 10:11:12', '2024-05-01T10:11:12', '2024-05-01 10:11:12.123', '2024-05-01 10:11:12.1',
	'2024-05-01 10:11:12.123456', '2024-05-01 10:11:12.1234567', '2024-05-01 24:00:00', '2024-05-01 10:11:12Z', '2024-05-01 10:11:12.5+02:00', '20240501',
	'abcd', 'abcde', 'abcdef', 'ééé', 'é', '日本', '{"a":1}', '{"a": 1, "b":[1,2.50]}', '[1,2]', '"str"', 'null', '{bad', '{"a":12345678901234567890}',
	'1.2.3.4', '256.1.1.1', '::1', 'fe80::1%eth0', [1, 2], [1, 'x'], { a: 1 }, { a: { b: [true, null] } }, new BigNumText('12345678901234567890'), new BigNumText('1.25'),
];

const ctx = (): ConvertCtx => ({ reason: '', nestedInvalid: false, tzOffset: tzOffsetFn('+08:00') });

test('compiled converters agree with convert on every type and value', () => {
	let compared = 0;
	for (const text of TYPES) {
		const type = parseType(text);
		const fast = compileConverter(type);
		for (const v of VALUES) {
			const a = ctx();
			const b = ctx();
			const want = convert(type, v, a);
			const got = fast(v, b);
			const what = `${text} ← ${JSON.stringify(v instanceof BigNumText ? { BigNumText: v.text } : v)}`;
			assert.ok(Object.is(got, want), `${what}: compiled ${String(got)}, convert ${String(want)}`);
			assert.equal(b.reason, a.reason, what);
			assert.equal(b.nestedInvalid, a.nestedInvalid, what);
			compared++;
		}
	}
	assert.equal(compared, TYPES.length * VALUES.length);
});

test('DATETIME text already in stored form is kept; other forms are rewritten to it', () => {
	const c = ctx();
	assert.equal(convert(parseType('DATETIME(3)'), '2024-05-01 10:11:12.123', c), '2024-05-01 10:11:12.123');
	assert.equal(convert(parseType('DATETIME(3)'), '2024-05-01T10:11:12.123', c), '2024-05-01 10:11:12.123');
	assert.equal(convert(parseType('DATETIME(3)'), '2024-05-01 10:11:12', c), '2024-05-01 10:11:12.000');
	assert.equal(convert(parseType('DATETIME(3)'), '2024-05-01 10:11:12.12', c), '2024-05-01 10:11:12.120');
	assert.equal(convert(parseType('DATETIME'), '2024-05-01 10:11:12', c), '2024-05-01 10:11:12');
	assert.equal(convert(parseType('DATETIME'), '2024-05-01', c), '2024-05-01 00:00:00');
	assert.equal(convert(parseType('DATE'), '2024-05-01', c), '2024-05-01');
	assert.equal(convert(parseType('DATE'), '2024-05-01 10:11:12', c), '2024-05-01');
});

test('0000-02-29 is not a date, as in Doris (year 0 is no leap year: be/src/util/time_lut.cpp is_leap)', () => {
	for (const [type, text] of [['DATE', '0000-02-29'], ['DATETIME', '0000-02-29 10:11:12'], ['DATETIME(3)', '0000-02-29T10:11:12.123'], ['DATE', '0000-2-29']]) {
		const c = ctx();
		assert.equal(convert(parseType(type), text, c), INVALID, `${type} ← ${text}`);
	}
	assert.equal(convert(parseType('DATE'), '0400-02-29', ctx()), '0400-02-29');
	assert.equal(convert(parseType('DATE'), '0000-02-28', ctx()), '0000-02-28');
});

test('IPv6 with a zone index is no address, as in Doris (format_ip.h parseIPv6whole stops at the %)', () => {
	assert.equal(convert(parseType('IPV6'), 'fe80::1%eth0', ctx()), INVALID);
	assert.equal(convert(parseType('IPV6'), 'FE80::1', ctx()), 'fe80::1');
});

test('integer text as Doris loads it (since PR #38847): a fraction dropped, ASCII whitespace only (string_to_int)', () => {
	const c = ctx();
	assert.equal(convert(parseType('INT'), '1.0', c), 1);
	assert.equal(convert(parseType('INT'), '1.5', c), 1);
	assert.equal(convert(parseType('INT'), '-7.', c), -7);
	assert.equal(convert(parseType('INT'), ' 3.25', c), 3);
	// is_float_suffix takes digits only after the dot: a space after the fraction makes no number.
	assert.equal(convert(parseType('INT'), '1.5 ', c), INVALID);
	assert.equal(convert(parseType('INT'), '\u00a05', c), INVALID);
	assert.equal(convert(parseType('BIGINT'), '9223372036854775807.9', c), 9223372036854775807n.toString());
	assert.equal(convert(parseType('INT'), '1e3', c), INVALID);
});

test('JSON text with an escaped lone surrogate: a JSON column refuses it (simdjson), a VARIANT keeps the text as a string', () => {
	const text = '{"s":"a\\ud800"}';
	const a = ctx();
	assert.equal(convert(parseType('JSON'), text, a), INVALID);
	assert.equal(compileConverter(parseType('JSON'))(text, ctx()), INVALID);
	assert.equal(convert(parseType('VARIANT'), text, ctx()), JSON.stringify(text));
	assert.equal(convert(parseType('JSON'), '"\\ud83d\\ude00"', ctx()), '"😀"');
});

test('an empty string into a VARIANT is the empty object (parse_json_to_variant)', () => {
	assert.equal(convert(parseType('VARIANT'), '', ctx()), '{}');
});

test('a JSON boolean into a text column is "1" / "0", as the JSON reader hands it over', () => {
	assert.equal(convert(parseType('VARCHAR(5)'), true, ctx()), '1');
	assert.equal(convert(parseType('STRING'), false, ctx()), '0');
	assert.equal(convert(parseType('DECIMAL(5, 2)'), true, ctx()), '1.00');
	assert.equal(convert(parseType('INT'), true, ctx()), 1);
	assert.equal(convert(parseType('DATE'), true, ctx()), INVALID);
});

test('BOOLEAN reads integer text first, as try_read_bool_text does', () => {
	assert.equal(convert(parseType('BOOLEAN'), '01', ctx()), 1);
	assert.equal(convert(parseType('BOOLEAN'), ' 1.0', ctx()), 1);
	assert.equal(convert(parseType('BOOLEAN'), '-0', ctx()), 0);
	assert.equal(convert(parseType('BOOLEAN'), '2', ctx()), INVALID);
	assert.equal(convert(parseType('BOOLEAN'), ' TRUE ', ctx()), 1);
	assert.equal(convert(parseType('BOOLEAN'), 'yes', ctx()), INVALID);
});

test('text with an offset moves by (the load zone − the offset) at 1970-01-01, a DATE from its midnight (from_date_str_base, 2.1 / 3.0 / 3.1)', () => {
	const at = (zone: string): ConvertCtx => ({ reason: '', nestedInvalid: false, tzOffset: tzOffsetFn(zone) });
	// The instant is 2024-03-10 15:30 UTC, yet the DATE keeps its date, then moves back 8 h from midnight.
	assert.equal(convert(parseType('DATE'), '2024-03-10T23:30:00+08:00', at('UTC')), '2024-03-09');
	assert.equal(convert(parseType('DATE'), '2024-03-10T23:30:00+08:00', at('+08:00')), '2024-03-10');
	// Never forward past the written date with an offset west of the zone: 20:00Z is 2024-03-11 in Shanghai.
	assert.equal(convert(parseType('DATE'), '2024-03-10T20:00:00Z', at('Asia/Shanghai')), '2024-03-10');
	assert.equal(convert(parseType('DATETIME'), '2024-03-10T20:00:00Z', at('Asia/Shanghai')), '2024-03-11 04:00:00');
	// The zone's offset at 1970-01-01: New York's standard time, also in July.
	assert.equal(convert(parseType('DATETIME'), '2024-07-01T12:00:00Z', at('America/New_York')), '2024-07-01 07:00:00');
	assert.equal(convert(parseType('DATETIME(3)'), '0099-12-31 23:30:00.5-01:00', at('UTC')), '0100-01-01 00:30:00.500');
});

test('a JSON boolean into a JSON / VARIANT column is the number the reader\'s "1" / "0" parses to; the text "true" is the boolean', () => {
	for (const type of ['JSON', 'VARIANT']) {
		assert.equal(convert(parseType(type), true, ctx()), '1', type);
		assert.equal(convert(parseType(type), false, ctx()), '0', type);
		assert.equal(convert(parseType(type), 'true', ctx()), 'true', type);
		assert.equal(convert(parseType(type), { a: true }, ctx()), '{"a":true}', type);
	}
});

test('IPv4 parts are decimals of up to 4 digits, leading zeros dropped (format_ip.h parse_ipv4_whole)', () => {
	assert.equal(convert(parseType('IPV4'), '010.001.002.003', ctx()), '10.1.2.3');
	assert.equal(convert(parseType('IPV4'), ' 0255.0.0.1 ', ctx()), '255.0.0.1');
	assert.equal(convert(parseType('IPV4'), '00001.0.0.1', ctx()), INVALID);
	assert.equal(convert(parseType('IPV4'), '256.0.0.1', ctx()), INVALID);
});

test('ARRAY / MAP / STRUCT text is read as Doris 2.1 / 3.0 / 3.1 read it, not as JSON (complex-literal.ts: serde splitters, trim_quote, escape_string)', () => {
	const text = (type: string, v: string) => convert(parseType(type), v, ctx());
	// escape_string keeps the character after a backslash: a JSON escape is not read.
	assert.equal(text('ARRAY<STRING>', '["line\\nbreak","back\\\\slash"]'), '["linenbreak", "back\\\\slash"]');
	// The ARRAY splitter takes an escaped quote as a quote: one element where two were written.
	assert.equal(text('ARRAY<STRING>', '["a\\"b","c"]'), '["a\\"b\\",\\"c"]');
	// MAP and STRUCT splitters skip the character after a backslash.
	assert.equal(text('MAP<STRING,INT>', '{"a\\"b":1,"c":2}'), '{"a\\"b":1, "c":2}');
	assert.equal(text('STRUCT<a:STRING,b:INT>', '{"a":\'x"y\',"b":2}'), '{"a":"x\\"y", "b":2}');
	// Text quoted with ' and control characters written as they are come back unchanged.
	assert.equal(text('ARRAY<STRING>', `['a"b',"tab\there"]`), '["a\\"b", "tab\\there"]');
	assert.equal(text('STRUCT<b:INT,a:STRING>', '{"a":"x","b":2}'), INVALID);
	// A nullable element is unquoted twice (nullable serde, then the text serde): its own quotes go;
	// an ARRAY<NOT_NULL(T)> element only once (no nullable serde).
	assert.equal(text('ARRAY<STRING>', `["'x'",'"y"',"\\'z'"]`), '["x", "y", "\'z\'"]');
	assert.equal(text('ARRAY<NOT_NULL(STRING)>', `["'x'"]`), '["\'x\'"]');
	assert.equal(text('ARRAY<NOT_NULL(STRING)>', `["\\'x'"]`), '["\'x\'"]');
});
