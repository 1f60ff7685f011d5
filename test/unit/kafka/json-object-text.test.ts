import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { ownTopLevelNames } from '../../../src/kafka/json-object-text';

/** What the scan must say: null unless JSON.parse reads one object, else the names it has as own keys. */
function byJsonParse(text: string, names: readonly string[]): string[] | null {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return null;
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
	return names.filter((name) => Object.prototype.hasOwnProperty.call(value, name));
}

function agrees(text: string, names: readonly string[]): void {
	const scanned = ownTopLevelNames(text, names);
	assert.deepEqual(scanned === null ? null : [...scanned].sort(), byJsonParse(text, names)?.sort() ?? null, JSON.stringify(text));
}

const NAMES = ['a', 'src_topic', 'é', 'x"y', '__proto__', ''];

describe('ownTopLevelNames', () => {
	it('one JSON object as JSON.parse reads it: whitespace around it, nothing after it', () => {
		for (const text of ['{}', ' {}', '\t{ }\r\n', '{"a":1}', '{"a":[1,{"b":[]}],"c":{"d":null}}', '{"n":-0.5e+3,"m":0,"k":1E9,"t":true,"f":false}', '{"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}']) {
			assert.deepEqual(ownTopLevelNames(text, []), [], text);
		}
		const malformed = [
			'', ' ', '{', '}', '{"a":1,', '{"a":1} x', '{"a":1}}', '{"a":1,}', '{,}', '{"a" 1}', '{"a":1 "b":2}', '{a:1}', "{'a':1}",
			'{"a":01}', '{"a":-}', '{"a":1.}', '{"a":.5}', '{"a":1e}', '{"a":+1}', '{"a":tru}', '{"a":nul}', '{"a":NaN}', '{"a":[1,]}',
			'{"a":[1}', '{"a":{]}', '{"a":"\t"}', '{"a":"\\x"}', '{"a":"\\u12g4"}', '{"a":"open}', ' \uFEFF{}', '{}\uFEFF', '{}\u00a0', '[1]', '"x"', '5', 'null',
		];
		for (const text of malformed) assert.equal(ownTopLevelNames(text, ['a']), null, JSON.stringify(text));
	});

	it('a byte-order mark at the very start is skipped, as Doris and parseJsonExact skip it', () => {
		assert.deepEqual(ownTopLevelNames('\uFEFF{"a":1}', ['a']), ['a']);
		assert.deepEqual(ownTopLevelNames('\uFEFF {}', ['a']), []);
	});

	it('own top-level names only, escaped keys by their decoded name, each once', () => {
		assert.deepEqual(ownTopLevelNames('{"b":{"a":1},"note":"\\"a\\"","a":2,"a":3}', ['a', 'b', 'c']), ['b', 'a']);
		assert.deepEqual(ownTopLevelNames('{"\\u0061":1,"x\\"y":2}', ['a', 'x"y']), ['a', 'x"y']);
		assert.deepEqual(ownTopLevelNames('{"a\\b":1}', ['a\\b']), [], 'the escape \\b is a backspace, not a backslash and b');
		assert.equal(ownTopLevelNames('{"a":1,"b":', ['a']), null);
	});

	it('agrees with JSON.parse on JSON values, their cuts and one-character edits', () => {
		const edit = fc.tuple(fc.json(), fc.nat(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', ' ', '\\', '0', '-', 'e', '\u0001', '{'));
		fc.assert(
			fc.property(edit, fc.subarray(NAMES), ([text, at, cut, insert], names) => {
				agrees(text, names);
				const i = text.length === 0 ? 0 : at % text.length;
				agrees(text.slice(0, i) + insert + text.slice(i + (cut % 2)), names);
				agrees(text.slice(0, i), names);
			}),
			{ numRuns: 5000 },
		);
		fc.assert(
			fc.property(fc.dictionary(fc.constantFrom(...NAMES, 'b', 'c'), fc.jsonValue()), fc.subarray(NAMES), (object, names) => {
				agrees(JSON.stringify(object), names);
				agrees(JSON.stringify(object, null, 2), names);
			}),
			{ numRuns: 2000 },
		);
	});

	it('a deeply nested value does not overflow the stack', () => {
		const deep = `{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
		assert.deepEqual(ownTopLevelNames(deep, ['a']), ['a']);
		assert.equal(ownTopLevelNames(deep.slice(0, -2), ['a']), null);
	});
});
