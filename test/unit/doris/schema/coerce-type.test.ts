import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileType, INVALID, makeCompileContext, STRING_MAX_BYTES, type FailSlot, type ValueLimits } from '../../../../src/doris/schema/coerce-type';
import { parseDorisType } from '../../../../src/doris/schema/type-parser';
import { bad, coerce, ctx, ok } from './coerce-support';

describe('DECIMAL(p,s) and DATETIME(p) with Fractional Digits the Column Cannot Keep: Round as Doris Does', () => {
	const rounding = makeCompileContext({ timeZone: 'UTC', epochUnit: 'ms' }, undefined, 'round');
	const rounded = (type: string, value: unknown) => {
		const r = coerce(type, value, rounding);
		return r.ok ? r.value : `!${r.rule}`;
	};
	it('rounds extra scale half up, carrying into the integer part, as string_to_decimal does', () => {
		assert.equal(rounded('DECIMAL(5,2)', '1.005'), '1.01');
		assert.equal(rounded('DECIMAL(5,2)', '1.004'), '1.00');
		assert.equal(rounded('DECIMAL(5,2)', '-1.005'), '-1.01');
		assert.equal(rounded('DECIMAL(5,2)', 1.005), '1.01');
		assert.equal(rounded('DECIMAL(5,2)', 19.900000000000002), '19.90');
		assert.equal(rounded('DECIMAL(5,2)', '99.995'), '100.00');
		assert.equal(rounded('DECIMAL(5,2)', '0.995'), '1.00');
		assert.equal(rounded('DECIMAL(10,0)', '12.5'), '13');
		assert.equal(rounded('DECIMAL(5,2)', '-0.001'), '0.00');
		assert.equal(rounded('DECIMAL(38,10)', '1e-500'), '0.0000000000');
		// Rounding up past p - s integer digits is still out of range.
		assert.equal(rounded('DECIMAL(5,2)', '999.995'), '!precision');
		assert.deepEqual(rounded('ARRAY<DECIMAL(10,2)>', ['3.456', 1]), '[3.46,1.00]');
	});
	it('passes a FLOAT number on for Doris to store as its nearest single-precision float; beyond FLT_MAX is still out of range', () => {
		assert.equal(rounded('FLOAT', 3.14159265), 3.14159265);
		assert.equal(rounded('FLOAT', '16777217'), 16777217);
		assert.equal(rounded('FLOAT', 1e39), '!range');
		assert.equal(coerce('FLOAT', 3.14159265).ok, false);
	});
	it('rounds DATETIME(p) fractions half up, carrying into seconds and days', () => {
		assert.equal(rounded('DATETIME(3)', '2024-05-01 10:11:12.1234'), '2024-05-01 10:11:12.123');
		assert.equal(rounded('DATETIME(3)', '2024-05-01 10:11:12.1235'), '2024-05-01 10:11:12.124');
		assert.equal(rounded('DATETIME', '2024-05-01T10:11:12.500Z'), '2024-05-01 10:11:13');
		assert.equal(rounded('DATETIME', 1714557600499), '2024-05-01 10:00:00');
		assert.equal(rounded('DATETIME(6)', '2024-12-31 23:59:59.9999995'), '2025-01-01 00:00:00.000000');
		assert.equal(rounded('DATETIME(6)', '2024-05-01 10:11:12.1234564999999'), '2024-05-01 10:11:12.123456');
		assert.equal(rounded('DATETIME', '9999-12-31 23:59:59.9'), '!date_range');
		assert.equal(rounded('DATE', '2024-05-01 23:59:59.9'), '2024-05-01');
	});
	it('says in the default mode how to load such values rounded', () => {
		const r = coerce('DATETIME', '2024-05-01T10:11:12.123Z');
		assert.equal(r.ok, false);
		if (!r.ok) assert.match(r.detail, /Doris would round the time; the Doris Schema node's option Fractional Digits the Column Cannot Keep: Round as Doris Does loads it rounded/);
	});
});

describe('integer columns: Doris widths, both sides of each bound', () => {
	const cases: [string, string, string][] = [
		['TINYINT', '-128', '127'],
		['SMALLINT', '-32768', '32767'],
		['INT', '-2147483648', '2147483647'],
		['BIGINT', '-9223372036854775808', '9223372036854775807'],
		['LARGEINT', '-170141183460469231731687303715884105728', '170141183460469231731687303715884105727'],
	];
	for (const [type, min, max] of cases) {
		it(`${type} ${min}..${max}`, () => {
			const exact = (s: string) => (Number.isSafeInteger(Number(s)) ? Number(s) : s);
			ok(type, min, exact(min));
			ok(type, max, exact(max));
			ok(type, BigInt(min), exact(min));
			ok(type, BigInt(max), exact(max));
			bad(type, (BigInt(min) - 1n).toString(), 'range');
			bad(type, (BigInt(max) + 1n).toString(), 'range');
			bad(type, BigInt(max) + 1n, 'range');
			if (Number.isSafeInteger(Number(max) + 1)) {
				ok(type, Number(max), Number(max));
				bad(type, Number(max) + 1, 'range');
				bad(type, Number(min) - 1, 'range');
			}
		});
	}

	it('keeps big integers exact and refuses numbers that already lost digits', () => {
		ok('BIGINT', '9007199254740993', '9007199254740993');
		ok('BIGINT', '9007199254740991', 9007199254740991);
		ok('BIGINT', 9007199254740991, 9007199254740991);
		bad('BIGINT', 9007199254740992, 'unsafe_integer');
		bad('LARGEINT', 2 ** 70, 'unsafe_integer');
		ok('LARGEINT', '+000123', 123);
		ok('LARGEINT', '-0', 0);
		ok('LARGEINT', 12345678901234567890123456789012345678n, '12345678901234567890123456789012345678');
	});

	it('refuses fractions, text and floats; takes booleans as Doris does (1 / 0)', () => {
		bad('INT', 1.5, 'not_integer');
		bad('INT', '1.5', 'not_integer');
		bad('INT', '12abc', 'not_integer');
		bad('INT', '', 'not_integer');
		bad('INT', Number.NaN, 'not_integer');
		bad('INT', { a: 1 }, 'type');
		ok('INT', true, 1);
		ok('INT', ' 42 ', 42);
	});
	it('takes integral text with a fraction of zeros, as Doris loads it (string_to_int, is_float_suffix)', () => {
		ok('INT', '1.0', 1);
		ok('INT', '-7.000', -7);
		ok('INT', '12.', 12);
		ok('BIGINT', '9223372036854775807.00', '9223372036854775807');
		ok('TINYINT', ' +5.0\t', 5);
		bad('TINYINT', '128.0', 'range');
		// A non-zero fraction Doris would drop (it loads 1): refused, naming what Doris would do.
		bad('INT', '1.5', 'not_integer');
		assert.match((coerce('INT', '1.5') as { detail: string }).detail, /Doris would drop the fraction and load 1\b/);
		// The integer Doris would load, as it reads it: no leading zeros, no sign on zero.
		assert.match((coerce('INT', '-0.5') as { detail: string }).detail, /load 0$/);
		assert.match((coerce('INT', ' +007.25 ') as { detail: string }).detail, /load 7$/);
		assert.match((coerce('INT', '-012.9') as { detail: string }).detail, /load -12$/);
		// The handler's reused slot does not carry that to the next refusal.
		const handler = compileType(parseDorisType('INT'), ctx);
		const fail: FailSlot = { rule: 'type', detail: '', path: '' };
		assert.equal(handler.coerce('1.5', fail), INVALID);
		assert.equal(handler.coerce(2.5, fail), INVALID);
		assert.equal(fail.detail, 'not an integer');
		bad('INT', '.0', 'not_integer');
		bad('INT', '1.0e0', 'not_integer');
	});
	it("takes only ASCII whitespace around a number, as Doris' parsers skip", () => {
		// StringParser skips ' ', \t, \n, \v, \f, \r; a no-break space or U+2028 makes the text no number.
		ok('INT', '\v\f42\r\n', 42);
		bad('INT', '\u00a042', 'not_integer');
		bad('BIGINT', '42\u2028', 'not_integer');
		bad('DECIMAL(5,2)', '\u00a01.5', 'type');
		ok('DECIMAL(5,2)', '\t1.5 ', '1.50');
		bad('DOUBLE', '\ufeff1.5', 'type');
		ok('DOUBLE', ' 1.5\n', 1.5);
		bad('BOOLEAN', '\u00a0true', 'type');
		ok('BOOLEAN', '\ttrue ', true);
		// The refusal names the character and where it is, when the text is a value without it.
		const detail = (type: string, value: string) => (coerce(type, value) as { detail: string }).detail;
		assert.equal(detail('INT', '\u00a042'), 'not an integer: U+00A0 no-break space before the digits: Doris skips only ASCII spaces (space, tab, line breaks) and would read no number');
		assert.match(detail('BIGINT', ' 42\u2028'), /^not an integer: U\+2028 line separator after the digits: Doris skips only ASCII spaces/);
		assert.match(detail('DECIMAL(5,2)', '\u00a01.5'), /^wrong type: U\+00A0 no-break space before the digits: Doris skips only ASCII spaces/);
		assert.match(detail('DOUBLE', '\ufeff1.5'), /^wrong type: U\+FEFF zero width no-break space \(byte order mark\) before the digits/);
		assert.match(detail('BOOLEAN', '\u00a0true'), /^not true\/false\/1\/0: U\+00A0 no-break space before the value: Doris skips only ASCII spaces \(space, tab, line breaks\) and would read no BOOLEAN$/);
		assert.match(detail('INT', '7\u3000'), /U\+3000 ideographic space after the digits/);
		// Not a number without the space either: the plain reason, no character named.
		assert.equal(detail('INT', '\u00a0abc'), 'not an integer');
		assert.equal(detail('BOOLEAN', '\u00a0yes'), 'not true/false/1/0');
	});
});

describe('DECIMAL(p,s): string arithmetic, no floats', () => {
	it('accepts the largest and refuses one more integer digit', () => {
		ok('DECIMAL(5,2)', '999.99', '999.99');
		ok('DECIMAL(5,2)', '-999.99', '-999.99');
		bad('DECIMAL(5,2)', '1000', 'precision');
		bad('DECIMAL(5,2)', '-1000.00', 'precision');
		ok('DECIMAL(5,2)', 999.99, '999.99');
	});
	it('refuses a value with more non-zero fractional digits than the scale: Doris would round it to another value', () => {
		// Doris' string_to_decimal rounds the first digit past the scale half up (be/src/util/string_parser.hpp).
		bad('DECIMAL(5,2)', '1.005', 'precision');
		bad('DECIMAL(5,2)', '1.004', 'precision');
		bad('DECIMAL(5,2)', '-1.005', 'precision');
		bad('DECIMAL(5,2)', '99.995', 'precision');
		bad('DECIMAL(5,2)', '-0.001', 'precision');
		bad('DECIMAL(5,2)', 1.005, 'precision');
		bad('DECIMAL(10,0)', '12.5', 'precision');
		bad('DECIMAL(38,10)', '1e-500', 'precision');
		assert.match(coerce('DECIMAL(5,2)', '1.005').ok ? '' : (coerce('DECIMAL(5,2)', '1.005') as { detail: string }).detail, /more than 2 fractional digits/);
		// Zeros past the scale change nothing: the same value.
		ok('DECIMAL(5,2)', '1.2500', '1.25');
		ok('DECIMAL(5,2)', '-0.000', '0.00');
		ok('DECIMAL(10,0)', '12.000', '12');
		ok('DECIMAL(5,2)', '1.5e-1', '0.15');
		ok('DECIMAL(5,2)', '0e-600', '0.00');
	});
	it('handles exponents, bare points and 38-digit values exactly', () => {
		ok('DECIMAL(38,10)', '1.5e-7', '0.0000001500');
		ok('DECIMAL(10,2)', '1.2E3', '1200.00');
		ok('DECIMAL(10,2)', '.5', '0.50');
		ok('DECIMAL(10,2)', '5.', '5.00');
		ok('DECIMAL(38,0)', '99999999999999999999999999999999999999', '99999999999999999999999999999999999999');
		bad('DECIMAL(38,0)', '100000000000000000000000000000000000000', 'precision');
		ok('DECIMAL(38,18)', '12345678901234567890.123456789012345678', '12345678901234567890.123456789012345678');
		ok('DECIMAL(10,0)', 42n, '42');
		// A JSON boolean is "1" / "0" to Doris' cast, as for integers and floats.
		ok('DECIMAL(5,2)', true, '1.00');
		ok('DECIMAL(5,2)', false, '0.00');
		bad('DECIMAL(1,1)', true, 'precision');
		bad('DECIMAL(10,2)', 'abc', 'type');
		bad('DECIMAL(10,2)', '.', 'type');
		bad('DECIMAL(10,2)', 2 ** 60, 'unsafe_integer');
		ok('DECIMAL', '12345678901234567890', '12345678901234567890');
	});
});

describe('FLOAT / DOUBLE / BOOLEAN', () => {
	it('FLOAT range is single precision', () => {
		ok('FLOAT', 3.4e38, 3.4e38);
		bad('FLOAT', 3.5e38, 'range');
		bad('FLOAT', '-3.5e38', 'range');
		ok('DOUBLE', 3.5e38, 3.5e38);
		ok('DOUBLE', '1e308', 1e308);
		bad('DOUBLE', '1e309', 'range');
		bad('DOUBLE', 'NaN', 'type');
		ok('DOUBLE', '-0.5', -0.5);
	});
	it('FLOAT refuses a value its single precision would store as another number', () => {
		// Doris parses the text into a float (StringParser::string_to_float): 16777217 becomes 16777216.
		bad('FLOAT', 16777217, 'precision');
		bad('FLOAT', 3.14159265, 'precision');
		bad('FLOAT', '0.123456789', 'precision');
		bad('FLOAT', 1e-50, 'precision');
		assert.match((coerce('FLOAT', 16777217) as { detail: string }).detail, /Doris would store 16777216/);
		// Numbers a float reads back as written.
		ok('FLOAT', 16777216, 16777216);
		ok('FLOAT', 0.1, 0.1);
		ok('FLOAT', '3.1415927', 3.1415927);
		ok('FLOAT', 1e-45, 1e-45);
		// Java's Float.toString of Float.MIN_VALUE (Kafka Connect's JSON converter writes FLOAT32 so): the same float.
		ok('FLOAT', 1.4e-45, 1.4e-45);
		ok('FLOAT', '1.4E-45', 1.4e-45);
		bad('FLOAT', 1.5e-45, 'precision');
		// A single halfway between two decimals of its length (32009.3125): Java writes the even one,
		// 32009.312, which was refused ('Doris would store 32009.313'), though Doris parses both into it.
		ok('FLOAT', 32009.312, 32009.312);
		ok('FLOAT', '2077940.2', 2077940.2);
		ok('FLOAT', 32009.313, 32009.313);
		bad('FLOAT', 32009.311, 'precision');
		ok('FLOAT', 3.4028235e38, 3.4028235e38);
		ok('DOUBLE', 3.14159265, 3.14159265);
	});
	it('BOOLEAN takes true/false/1/0 in any case', () => {
		ok('BOOLEAN', true, true);
		ok('BOOLEAN', 0, false);
		ok('BOOLEAN', 'True', true);
		ok('BOOLEAN', '0', false);
		bad('BOOLEAN', 2, 'type');
		bad('BOOLEAN', 'yes', 'type');
		// Integer text is read first, as Doris 2.1 / 3.x do (try_read_bool_text): 1 and 0 in any spelling.
		ok('BOOLEAN', '01', true);
		ok('BOOLEAN', '+1', true);
		ok('BOOLEAN', ' 1.0 ', true);
		ok('BOOLEAN', '-0', false);
		ok('BOOLEAN', '0.', false);
		bad('BOOLEAN', '-1', 'type');
		bad('BOOLEAN', '1.5', 'type');
		// Doris reads integer text first and drops a fraction (try_read_bool_text, string_to_int): the reason says what it would read.
		assert.equal((coerce('BOOLEAN', '1.5') as { detail: string }).detail, 'not true/false/1/0: a fraction: Doris would drop the fraction and read 1 (true)');
		assert.match((coerce('BOOLEAN', ' +01.25 ') as { detail: string }).detail, /read 1 \(true\)$/);
		assert.match((coerce('BOOLEAN', '-0.5') as { detail: string }).detail, /read 0 \(false\)$/);
		// An integer other than 1 or 0 is no BOOLEAN for Doris either: the plain reason.
		assert.equal((coerce('BOOLEAN', '2.5') as { detail: string }).detail, 'not true/false/1/0');
		assert.equal((coerce('BOOLEAN', '-1.5') as { detail: string }).detail, 'not true/false/1/0');
		bad('BOOLEAN', '2', 'type');
		bad('BOOLEAN', '.0', 'type');
	});
});

describe('CHAR / VARCHAR length in UTF-8 bytes; STRING; JSON; IP', () => {
	it('counts bytes, not characters', () => {
		ok('VARCHAR(6)', '你好', '你好');
		bad('VARCHAR(5)', '你好', 'too_long');
		ok('CHAR(4)', '😀', '😀');
		bad('CHAR(3)', '😀', 'too_long');
		ok('VARCHAR(3)', 'abc', 'abc');
		bad('VARCHAR(3)', 'abcd', 'too_long');
		ok('VARCHAR(10)', 12, '12');
		ok('STRING', { a: 1 }, '{"a":1}');
	});
	it('a JSON boolean in a text column is "1" / "0", as Doris stores it; inside an ARRAY / MAP / STRUCT it stays its word', () => {
		// new_json_reader.cpp hands a boolean to a scalar column as "1" / "0"; a nested one is part of
		// the array's text, which Doris 2.1 / 3.0 read as the word.
		ok('VARCHAR(5)', true, '1');
		ok('CHAR(1)', false, '0');
		ok('STRING', true, '1');
		ok('ARRAY<STRING>', [true, 'x'], '["true","x"]');
		ok('STRING', 'true', 'true');
	});
	it('refuses text with a lone surrogate, which UTF-8 cannot carry and Doris cannot read', () => {
		// JSON.stringify writes it as the escape \\ud800, which Doris' JSON reader (simdjson) refuses.
		bad('VARCHAR(10)', 'a\ud800b', 'type');
		bad('STRING', '\udc00', 'type');
		bad('CHAR(5)', 'x\udbff', 'type');
		bad('JSON', 'a\ud800', 'type');
		bad('VARIANT', '\ud800', 'type');
		assert.match((coerce('STRING', 'a\ud800b') as { detail: string }).detail, /lone surrogate \(U\+D800\) at 1/);
		const nested = coerce('ARRAY<STRING>', ['ok', '\udfff']);
		assert.deepEqual(nested.ok ? nested : { rule: nested.rule, path: nested.path }, { rule: 'type', path: '[1]' });
		ok('VARCHAR(10)', 'a😀b', 'a😀b');
		ok('STRING', '\ud83d\ude00', '😀');
	});
	it('JSON / VARIANT: a lone surrogate inside an object, or escaped in JSON text, is refused as in a string', () => {
		// JSON.stringify writes it as the escape \ud800: the JSON text Doris would parse holds a string
		// with no UTF-8 form, as the plain string above.
		bad('JSON', { s: 'a\ud800' }, 'type');
		bad('VARIANT', { a: ['\udc00'] }, 'type');
		bad('JSON', '"\\ud800"', 'type');
		bad('JSON', '{"s":"x\\uDC00"}', 'type');
		bad('JSON', '["\\ud83d\\ud83d"]', 'type');
		assert.match((coerce('JSON', { s: 'a\ud800' }) as { detail: string }).detail, /lone surrogate escape \(\\ud800\) at 7 in the JSON text/);
		// A pair is a character; an escaped backslash before "ud800" is text, not an escape.
		ok('JSON', { s: '😀' }, '{"s":"😀"}');
		ok('JSON', '"\\ud83d\\ude00"', '"\\ud83d\\ude00"');
		ok('JSON', { s: '\\ud800' }, '{"s":"\\\\ud800"}');
		ok('JSON', '"\\\\ud800"', '"\\\\ud800"');
	});
	it('JSON / VARIANT: objects serialised; JSON text kept; other strings become JSON strings', () => {
		ok('JSON', { a: [1, 2] }, '{"a":[1,2]}');
		ok('JSON', '{"a":1}', '{"a":1}');
		ok('JSON', 'hello', '"hello"');
		ok('JSON', '{broken', '"{broken"');
		ok('VARIANT', 5, '5');
		// The text true, in a JSON string on the line, which Doris parses to the boolean (a JSON boolean
		// would reach the column as "1" and load the number 1).
		ok('JSON', true, 'true');
		ok('VARIANT', false, 'false');
	});
	it('JSON / VARIANT: a string that is JSON text of a scalar is that scalar, as Doris parses it', () => {
		// Doris' JSON reader unescapes a string value and parses its text into the JSON / VARIANT column
		// (JSONB cast of the text; parse_json_to_variant): "123" is the number 123, "null" JSON null.
		ok('JSON', '123', '123');
		ok('JSON', '-1.5e3', '-1.5e3');
		ok('JSON', 'true', 'true');
		ok('JSON', 'null', 'null');
		ok('JSON', '"quoted"', '"quoted"');
		ok('JSON', ' 7 ', ' 7 ');
		ok('VARIANT', '123', '123');
		// A snowflake id kept as text by the exact parser stays the number it was, every digit.
		ok('JSON', '12345678901234567890', '12345678901234567890');
		// Not JSON text: still a JSON string of it (Doris would refuse a JSON column's value).
		ok('JSON', '0123', '"0123"');
		ok('JSON', 'NaN', '"NaN"');
		ok('JSON', 'hello world', '"hello world"');
		// An empty string stays one: as the empty text, a VARIANT would make it the empty object {}.
		ok('VARIANT', '', '""');
		ok('JSON', '', '""');
	});
	it('IPv4 / IPv6', () => {
		ok('IPV4', '10.0.0.1', '10.0.0.1');
		bad('IPV4', '10.0.0.256', 'type');
		ok('IPV6', '::1', '::1');
		bad('IPV6', 'zz::1', 'type');
	});
	it('IPv6 text Doris cannot parse is refused or written in the form it parses', () => {
		// A zone index is no part of the 128-bit value: Doris' parser stops at '%' and loads NULL.
		bad('IPV6', 'fe80::1%eth0', 'type');
		// The dotted tail of an IPv4-mapped address: the same address in hexadecimal groups.
		ok('IPV6', '::ffff:192.168.1.1', '::ffff:c0a8:101');
		ok('IPV6', ' 2001:DB8::1 ', '2001:DB8::1');
	});
	// Doris parses IP columns only from text (IPv4Value::from_string, IPv6Value::from_string): a number
	// would load as NULL without strict mode, so numbers become the address text here.
	it('IPv4 with leading zeros is read as Doris reads it, each part decimal, and sent without them', () => {
		// parse_ipv4_whole (be/src/vec/common/format_ip.h): up to 4 decimal digits a part, at most 255.
		ok('IPV4', '010.001.002.003', '10.1.2.3');
		ok('IPV4', ' 0255.0.00.0000\t', '255.0.0.0');
		bad('IPV4', '00256.0.0.1', 'type');
		bad('IPV4', '0256.0.0.1', 'type');
		bad('IPV4', '1.2.3', 'type');
		bad('IPV4', '1.2.3.4.5', 'type');
		bad('IPV4', '1..2.3', 'type');
		bad('IPV4', '１.2.3.4', 'type');
	});
	it('IPv4 given as its number becomes a dotted quad; beyond 2^32 - 1 it is refused', () => {
		ok('IPV4', 3232235777, '192.168.1.1');
		ok('IPV4', 0, '0.0.0.0');
		ok('IPV4', 4294967295, '255.255.255.255');
		ok('IPV4', '167772161', '10.0.0.1');
		bad('IPV4', 4294967296, 'type');
		bad('IPV4', -1, 'type');
		bad('IPV4', 1.5, 'type');
	});
	it('IPv6 given as its number becomes the short text form; a JSON number past 2^53 is refused', () => {
		ok('IPV6', 1, '::1');
		ok('IPV6', '42540766411282592856903984951653826561', '2001:db8::1');
		ok('IPV6', 281473913979137, '::ffff:c0a8:101');
		bad('IPV6', (1n << 128n).toString(), 'type');
		bad('IPV6', 2 ** 60, 'unsafe_integer');
	});
	it('refuses values for HLL / BITMAP', () => {
		bad('BITMAP', 1, 'unsupported');
	});
});

describe('value size limits the cluster configures', () => {
	const small: ValueLimits = { stringMaxBytes: 4, jsonMaxBytes: 9 };
	const limited = (type: string, value: unknown) => {
		const fail: FailSlot = { rule: 'type', detail: '', path: '' };
		const out = compileType(parseDorisType(type), makeCompileContext({ timeZone: 'UTC', epochUnit: 'ms' }, small)).coerce(value, fail);
		return out === INVALID ? fail : out;
	};
	it('STRING and VARIANT follow string_type_length_soft_limit_bytes, naming it', () => {
		assert.equal(limited('STRING', 'éé'), 'éé');
		assert.deepEqual(limited('STRING', 'ééé'), { rule: 'too_long', path: '', detail: '6 UTF-8 bytes, limit 4 (Doris BE setting string_type_length_soft_limit_bytes)' });
		assert.match((limited('VARIANT', { a: 1 }) as FailSlot).detail, /limit 4 \(Doris BE setting string_type_length_soft_limit_bytes\)/);
	});
	it('JSON follows its own jsonb_type_length_soft_limit_bytes', () => {
		// 9 bytes: past the STRING limit, within the JSON one.
		assert.equal(limited('JSON', { a: 123 }), '{"a":123}');
		assert.deepEqual(limited('JSON', { a: 1234 }), { rule: 'too_long', path: '', detail: '10 UTF-8 bytes, limit 9 (Doris BE setting jsonb_type_length_soft_limit_bytes)' });
	});
	it("JSON has Doris' 1 MB default too", () => {
		const big = { s: 'x'.repeat(1_048_576) };
		assert.equal(coerce('JSON', big).ok, false);
	});
});

describe('STRING size limit', () => {
	it("rejects a value over Doris' 1 MB STRING soft limit in UTF-8 bytes, accepts one at it", () => {
		const atLimit = 'é'.repeat(STRING_MAX_BYTES / 2); // 2 bytes each: exactly the limit
		assert.deepEqual(coerce('STRING', atLimit), { ok: true, value: atLimit });
		const over = coerce('STRING', `${atLimit}x`);
		assert.equal(over.ok, false);
		assert.equal(over.ok === false && over.rule, 'too_long');
		assert.match(over.ok === false ? over.detail : '', /1048577 UTF-8 bytes, limit 1048576/);
	});
});
