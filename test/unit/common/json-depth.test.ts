import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { JsonTooDeepError, parseJsonExact } from '../../../src/common/exact-json';
import { nestedJson } from '../../support/deep-json';
import { decodedDepthError, jsonBytesDepth, jsonBytesDepthError, jsonTextDepth, jsonTextDepthError, MAX_JSON_DEPTH, valueDepth } from '../../../src/common/json-depth';

describe('JSON depth', () => {
	it('counts arrays and objects, the root object as level 1; brackets inside strings (escaped quotes too) do not count', () => {
		for (const [text, depth] of [
			['{}', 1],
			['{"a":[1,{"b":[]}]}', 4],
			['{"a":"[[[[{{{{","b":"\\"[[[","c":"\\\\"}', 1],
			['[]', 1],
			['"[["', 0],
		] as const) {
			assert.equal(jsonTextDepth(text), depth, text);
			assert.equal(jsonBytesDepth(Buffer.from(text)), depth, text);
		}
		assert.equal(jsonTextDepth(nestedJson(8000)), 8000);
	});

	it('the limit exactly: 1,024 levels pass, 1,025 are refused with the depth, the limit and the rule', () => {
		assert.equal(MAX_JSON_DEPTH, 1024);
		assert.equal(jsonTextDepthError(nestedJson(1024)), undefined);
		assert.equal(jsonBytesDepthError(Buffer.from(nestedJson(1024))), undefined);
		const reason = jsonTextDepthError(nestedJson(1025));
		assert.match(reason ?? '', /JSON value nests 1025 levels of arrays\/objects, deeper than the 1024 allowed: serialising such an item .* overflows the stack/);
		assert.equal(jsonBytesDepthError(Buffer.from(nestedJson(1025))), reason);
	});

	it('a long value that is not deep passes: depth is measured, not guessed from the length', () => {
		const wide = `{"ids":[${Array.from({ length: 5000 }, (_, i) => `[${i}]`).join(',')}],"s":"${'['.repeat(5000)}"}`;
		assert.equal(jsonTextDepthError(wide), undefined);
		assert.equal(jsonBytesDepthError(Buffer.from(wide)), undefined);
	});

	it('parseJsonExact refuses a value deeper than the limit before parsing, on both its paths (plain and exact numbers)', () => {
		assert.throws(() => parseJsonExact(nestedJson(8000)), (error: unknown) => error instanceof JsonTooDeepError && /nests 8000 levels/.test(error.message));
		// The reviver path (a 20-digit number) overflowed the stack at ~2,300 levels before the check.
		assert.throws(() => parseJsonExact(nestedJson(8000, ',"big":12345678901234567890')), JsonTooDeepError);
		assert.equal((parseJsonExact(nestedJson(1024, ',"big":12345678901234567890')) as { big: string }).big, '12345678901234567890');
	});

	it('a decoded value (Schema Registry) is walked only when its encoding is long enough to be that deep', () => {
		let deep: unknown = { leaf: 1 };
		for (let i = 1; i < 2000; i++) deep = { next: deep };
		assert.equal(valueDepth(deep), 2000);
		assert.match(decodedDepthError(deep, 3000) ?? '', /decoded value nests 2000 levels/);
		assert.equal(decodedDepthError(deep, MAX_JSON_DEPTH), undefined, 'an encoding of at most 1,024 bytes cannot hold more levels');
		assert.equal(decodedDepthError({ a: [1, { b: 2 }] }, 100_000), undefined);
	});
});
