import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isExact, mayLosePrecision, mayLosePrecisionInBytes, parseJsonExact, parseJsonExactFromBytes, withoutByteOrderMark } from '../../../src/common/exact-json';
import { prng } from '../../support/prng';

describe('parseJsonExact', () => {
	it('keeps integers beyond 2^53 as their exact text', () => {
		const parsed = parseJsonExact('{"id":12345678901234567890,"small":42,"max":9007199254740991,"over":9007199254740993}');
		assert.deepEqual(parsed, { id: '12345678901234567890', small: 42, max: 9007199254740991, over: '9007199254740993' });
	});

	it('keeps negative big integers and big integers inside arrays and nested objects', () => {
		const parsed = parseJsonExact('{"a":[-98765432109876543210,1],"b":{"c":18446744073709551615}}');
		assert.deepEqual(parsed, { a: ['-98765432109876543210', 1], b: { c: '18446744073709551615' } });
	});

	it('keeps decimals with more digits than a double holds, and only those', () => {
		const parsed = parseJsonExact('{"d":1234567890.123456789,"pi":3.141592653589793,"tiny":0.1,"trail":1.50000000000000000}');
		assert.deepEqual(parsed, { d: '1234567890.123456789', pi: 3.141592653589793, tiny: 0.1, trail: 1.5 });
	});

	it('keeps exponents a double cannot hold as text instead of Infinity', () => {
		assert.deepEqual(parseJsonExact('{"huge":1e400,"ok":1e300}'), { huge: '1e400', ok: 1e300 });
	});

	it('keeps numbers a double underflows as text: to 0, or to a subnormal with fewer digits', () => {
		// JSON.parse makes 0 of 1e-400 and 1.2346e-320 of 1.23456789012345e-320: short literals, yet changed.
		const parsed = parseJsonExact('{"under":1e-400,"sub":1.23456789012345e-320,"min":5e-324,"zero":0e-400,"ok":1e-300}');
		assert.deepEqual(parsed, { under: '1e-400', sub: '1.23456789012345e-320', min: 5e-324, zero: 0, ok: 1e-300 });
	});

	it('takes the fast path when no long digit run exists and gives the same result as JSON.parse', () => {
		const text = '{"id":123,"price":19.99,"name":"x","ts":"2024-01-01T00:00:00Z"}';
		assert.deepEqual(parseJsonExact(text), JSON.parse(text));
	});

	it('a long digit run inside a string takes the slow path but changes nothing', () => {
		const text = '{"card":"12345678901234567890","n":5}';
		assert.deepEqual(parseJsonExact(text), { card: '12345678901234567890', n: 5 });
	});

	it('skips a byte-order mark at the very start, as Doris\' JSON reader does; anywhere else it is an error', () => {
		assert.deepEqual(parseJsonExact('\uFEFF{"id":1,"big":12345678901234567890}'), { id: 1, big: '12345678901234567890' });
		assert.throws(() => parseJsonExact(' \uFEFF{"id":1}'), SyntaxError);
		assert.throws(() => parseJsonExact('{"id":1}\uFEFF'), SyntaxError);
	});

	it('throws on malformed JSON like JSON.parse does', () => {
		assert.throws(() => parseJsonExact('{"a":'), SyntaxError);
		assert.throws(() => parseJsonExact('{"a":123456789012345678901'), SyntaxError);
	});
});

describe('isExact', () => {
	it('judges literals against their doubles', () => {
		assert.equal(isExact(9007199254740992, '9007199254740992'), false);
		assert.equal(isExact(0.30000000000000004, '0.30000000000000004'), true);
		assert.equal(isExact(0.3, '0.30000000000000004441'), false);
		assert.equal(isExact(-0, '-0'), true);
		assert.equal(isExact(1e21, '1e21'), true);
		assert.equal(isExact(123.456, '1.23456e2'), true);
	});
});

describe('mayLosePrecision (the fast-path guard)', () => {
	it('fires on long digit runs, long decimals and huge exponents', async () => {
		const { mayLosePrecision } = await import('../../../src/common/exact-json');
		assert.equal(mayLosePrecision('{"a":1234567890123456}'), true);
		assert.equal(mayLosePrecision('{"a":12345678.12345678}'), true);
		assert.equal(mayLosePrecision('{"a":1e400}'), true);
		assert.equal(mayLosePrecision('[2.5E-308]'), true);
	});
	it('stays quiet on everyday messages: UUIDs, timestamps, short numbers', async () => {
		const { mayLosePrecision } = await import('../../../src/common/exact-json');
		assert.equal(mayLosePrecision('{"session":"b7f1c0de-5a7e-4c1a-9d3e-0123456789ab","ts":"2024-06-01T12:34:56.789Z","n":123456789012345,"x":1.5e10}'), false);
	});
	it('skips strings (ids sent as text), and still sees numbers after strings with escaped quotes', async () => {
		const { mayLosePrecision, parseJsonExact } = await import('../../../src/common/exact-json');
		assert.equal(mayLosePrecision('{"id":"9007199254740993","e":"1e400","12345678901234567":1}'), false);
		assert.equal(mayLosePrecision('{"a":"x\\"12345678901234567","b":1}'), false);
		assert.equal(mayLosePrecision('{"a":"x\\"","b":12345678901234567}'), true);
		assert.equal(mayLosePrecision('{"a":"x\\\\","b":12345678901234567}'), true);
		assert.equal(mayLosePrecision('{"a":"\\\\\\"","b":[1e400]}'), true);
		assert.deepEqual(parseJsonExact('{"a":"q\\"","b":12345678901234567}'), { a: 'q"', b: '12345678901234567' });
		assert.throws(() => parseJsonExact('{"a":"unterminated'), SyntaxError);
	});
});

describe('mayLosePrecisionInBytes (the trigger reads a message value’s bytes)', () => {
	/** Texts built from the pieces the scan cares about: digits, dots, exponents, quotes, escapes, non-ASCII. */
	function texts(seed: number, count: number): string[] {
		const r = prng(seed);
		const pieces = ['1', '23', '4567890', '12345678', '.', '.5', 'e', 'E', 'e+', 'e-', '308', '1e400', '"', '\\"', '\\\\', '\\', ',', '}', ']', ' ', '\n', ':', '{', '[', 'é', '漢', '😀', '\uFEFF', 'x', 'null', '-'];
		const out = ['', '"', '{"a":"\\', '12345678901234567', '"12345678901234567"', '1e400', '{"a":1e400}'];
		for (let i = 0; i < count; i++) {
			let text = r() < 0.2 ? '\uFEFF' : '';
			const n = 1 + Math.floor(r() * 40);
			for (let k = 0; k < n; k++) text += pieces[Math.floor(r() * pieces.length)];
			out.push(text);
		}
		return out;
	}

	it('answers as mayLosePrecision does on the text, whatever the text (random texts of digits, strings, escapes, non-ASCII)', () => {
		let fired = 0;
		for (const text of texts(20261207, 50_000)) {
			const expected = mayLosePrecision(withoutByteOrderMark(text));
			assert.equal(mayLosePrecisionInBytes(Buffer.from(text, 'utf8')), expected, JSON.stringify(text));
			if (expected) fired++;
		}
		assert.ok(fired > 1000, `${fired} texts may lose precision`);
	});

	it('parseJsonExactFromBytes parses as parseJsonExact, long numbers kept as text', () => {
		for (const text of ['{"a":12345678901234567,"b":"12345678901234567","c":1.5}', '\uFEFF{"a":"é","b":[1e400]}', '{"a":0.1}']) {
			assert.deepEqual(parseJsonExactFromBytes(Buffer.from(text, 'utf8'), text), parseJsonExact(text));
		}
	});
});
