import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { parseJsonExact } from '../../../../src/common/exact-json';
import { JsonScanner } from '../../../../src/doris/schema/json-scanner';
import { LineSink } from '../../../../src/doris/schema/line-sink';

/** The scanner's protected scans of one value, from the start of the text, read as the line sink reads it. */
class ValueScan extends JsonScanner {
	scan(text: string, end = text.length): { end: number; canonical: boolean } {
		this.units = new LineSink(text).inputUnits;
		this.canonical = true;
		const after = this.scanValue(text, 0, end, 0);
		return { end: after, canonical: this.canonical };
	}

	/** scanCanonicalNested's end (-1: it leaves the value to scanValue). */
	scanNested(text: string, end = text.length): number {
		this.units = new LineSink(text).inputUnits;
		this.canonical = true;
		return this.scanCanonicalNested(text, 0, end);
	}
}

function acceptedByJsonParse(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

/** JSON texts with spaces, escapes and odd numbers, and texts one character off valid JSON. */
const jsonText = fc.oneof(
	fc.jsonValue().map((v) => JSON.stringify(v)),
	fc.jsonValue().map((v) => JSON.stringify(v, null, 1)),
	fc.string({ unit: 'binary', maxLength: 8 }).map((s) => JSON.stringify(s)),
	fc.constantFrom('1.50', '-0', '1e3', '0.0000001', '1234567890123456', '"\\u0041"', '{"a":1,"a":2}', '{"1":0}', '{"__proto__":1}', '[1 ,2]'),
	fc
		.tuple(
			fc.jsonValue().map((v) => JSON.stringify(v)),
			fc.nat(),
			fc.constantFrom('', '"', '\\', ',', ':', '}', ']', '{', '[', '-', '.', 'e', '0', '\u0001', '\ud800', ' '),
		)
		.map(([t, at, c]) => {
			const k = t.length === 0 ? 0 : at % t.length;
			return t.slice(0, k) + c + t.slice(k + 1);
		}),
);

describe('JsonScanner', () => {
	it('takes a whole text as one value exactly when JSON.parse accepts it', () => {
		const scanner = new ValueScan();
		fc.assert(
			fc.property(jsonText, (text) => {
				if (/^\s|\s$/.test(text)) return; // JSON.parse allows spaces around the value; the scanner starts at the value
				assert.equal(scanner.scan(text).end === text.length, acceptedByJsonParse(text), text);
			}),
			{ numRuns: 3000 },
		);
	});

	it('calls a value canonical only when JSON.stringify writes its parsed value back as that text', () => {
		const scanner = new ValueScan();
		fc.assert(
			fc.property(jsonText, (text) => {
				const { end, canonical } = scanner.scan(text);
				if (end !== text.length || !canonical) return;
				assert.equal(JSON.stringify(parseJsonExact(text)), text);
			}),
			{ numRuns: 3000 },
		);
	});

	it('clears canonical for text JSON.stringify would write otherwise', () => {
		const scanner = new ValueScan();
		for (const text of ['1.50', '-0', '1e3', '0.0000001', '1234567890123456', '"\\u0041"', '{"a":1,"a":2}', '{"1":0}', '{"__proto__":1}', '[1 ,2]', '{ "a":1}']) {
			const { end, canonical } = scanner.scan(text);
			assert.equal(end, text.length, text);
			assert.equal(canonical, false, text);
		}
		for (const text of ['1.5', '-12', '0.000001', '"a\u00e9"', '{"a":[1,{"b":null}],"c":true}']) {
			assert.deepEqual(scanner.scan(text), { end: text.length, canonical: true }, text);
		}
	});

	it('an empty key twice is a key twice: JSON.stringify writes the object back with one (both scans clear canonical)', () => {
		const scanner = new ValueScan();
		for (const text of ['{"":1,"":2}', '{"a":{"":1,"":2}}', '[{"":[],"b":0,"":{}}]']) {
			assert.notEqual(JSON.stringify(JSON.parse(text)), text);
			assert.deepEqual(scanner.scan(text), { end: text.length, canonical: false }, text);
			assert.equal(scanner.scanNested(text), -1, text);
		}
		assert.deepEqual(scanner.scan('{"":1,"a":2}'), { end: 12, canonical: true });
	});

	it('refuses nesting past its depth limit, which JSON.parse would accept', () => {
		const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
		assert.equal(new ValueScan().scan(deep).end, -1);
	});

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
});
