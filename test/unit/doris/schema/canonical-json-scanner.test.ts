// The one-loop scan of canonical objects and arrays (src/doris/schema/canonical-json-scanner.ts): it
// settles only what the recursive scan of json-scanner.ts also finds canonical, ending at the same place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { parseJsonExact } from '../../../../src/common/exact-json';
import { jsonText, ValueScan } from './scanner-support';

describe('CanonicalJsonScanner', () => {
	it('the one-loop scan of an object or array settles only canonical values, where the careful scan ends them', () => {
		const scanner = new ValueScan();
		let settled = 0;
		const nested = fc.oneof(
			jsonText,
			fc.array(fc.jsonValue()).map((v) => JSON.stringify(v)),
			fc.dictionary(fc.string(), fc.jsonValue()).map((v) => JSON.stringify(v)),
			fc.constantFrom('{"a":1,"a":2}', '{"a":{"b":1},"b":{"b":2}}', '{"ab":1,"ac":2}', '{"0":1}', '{"a":{"12":1}}', '{"__proto__":{}}', '[{"a":1},{"a":1}]', '[[],{},[{}]]', '{"a":[1,2.50]}', '[-0]', '[1e5]', '["\\u00e9"]', '["\ud800"]', '["😀"]', `${'['.repeat(40)}${']'.repeat(40)}`),
		);
		fc.assert(
			fc.property(nested, fc.nat(), (text, cut) => {
				// Also a value cut short by the line's end, with more text after it.
				for (const end of [text.length, cut % (text.length + 1)]) {
					const fast = scanner.scanNested(text, end);
					if (fast < 0) continue;
					settled++;
					assert.deepEqual(scanner.scan(text, end), { end: fast, canonical: true }, text);
					assert.equal(JSON.stringify(parseJsonExact(text.slice(0, fast))), text.slice(0, fast));
				}
			}),
			{ numRuns: 5000 },
		);
		assert.ok(settled > 1000, `only ${settled} values settled by the one-loop scan`);
		for (const text of ['{"a":1,"a":2}', '{"a":{"b":1},"a":2}', '{"0":1}', '{"__proto__":1}', '[1 ,2]', '[1.50]', '["\\u0041"]', '[1,]', '{"a":1,}', '{"a"}', '[tru]', '[1']) {
			assert.equal(scanner.scanNested(text), -1, text);
		}
		for (const text of ['{"source":"web","tags":["sed","do"],"geo":{"lat":-64.99,"lon":-34.65},"v":1}', '[]', '{}', '[[],{},[{"a":null}]]', '{"a":{"b":1},"b":{"b":2}}', '[true,false,null,"ü€"]']) {
			assert.equal(scanner.scanNested(text), text.length, text);
		}
	});

	it('does not settle an object with an empty key twice: JSON.stringify writes it back with one', () => {
		const scanner = new ValueScan();
		for (const text of ['{"":1,"":2}', '{"a":{"":1,"":2}}', '[{"":[],"b":0,"":{}}]']) assert.equal(scanner.scanNested(text), -1, text);
		assert.equal(scanner.scanNested('{"":1,"a":2}'), 12);
	});
});
