import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { parseJsonExact } from '../../../../src/common/exact-json';
import { jsonText, ValueScan } from './scanner-support';

function acceptedByJsonParse(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

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

	it('an empty key twice is a key twice: JSON.stringify writes the object back with one (canonical cleared)', () => {
		const scanner = new ValueScan();
		for (const text of ['{"":1,"":2}', '{"a":{"":1,"":2}}', '[{"":[],"b":0,"":{}}]']) {
			assert.notEqual(JSON.stringify(JSON.parse(text)), text);
			assert.deepEqual(scanner.scan(text), { end: text.length, canonical: false }, text);
		}
		assert.deepEqual(scanner.scan('{"":1,"a":2}'), { end: 12, canonical: true });
	});

	it('refuses nesting past its depth limit, which JSON.parse would accept', () => {
		const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
		assert.equal(new ValueScan().scan(deep).end, -1);
	});
});
