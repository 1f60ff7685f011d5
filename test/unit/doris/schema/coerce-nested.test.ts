// ARRAY / MAP / STRUCT handlers (src/doris/schema/coerce-nested.ts), compiled from Doris type text as
// the row mapper compiles them (compileType): each element checked by its own handler, the whole
// written as Doris' literal text, a failure located by its path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseType } from '../../../ground/doris/coltypes';
import { MapEntries, readComplexLiteral } from '../../../ground/doris/complex-literal';
import { bad, coerce, ok } from './coerce-support';

/** Texts an ARRAY / MAP / STRUCT element may hold that JSON.stringify escapes or Doris' splitters see. */
const TEXTS = ['a"b', 'say "hi"', "it's", 'line\nbreak', 'tab\there', 'cr\r', '\u0001\u001f', 'back\\slash', 'ends\\', '\\"', 'a,b', '[x, {y}]', 'k:v', 'null', '', ' pad ', 'é日本', '"quoted"', "'single'", "''", '""x', '"', "'", '"x', "x'"];

describe('ARRAY / MAP / STRUCT: checked recursively, serialised as Doris literal text', () => {
	it('serialises with exact big numbers unquoted', () => {
		ok('ARRAY<LARGEINT>', ['170141183460469231731687303715884105727', 1, null], '[170141183460469231731687303715884105727,1,null]');
		ok('ARRAY<STRING>', ['a"b', 'c'], `['a"b',"c"]`);
		ok('MAP<STRING,INT>', { a: 1, b: '2' }, '{"a":1,"b":2}');
		ok('MAP<INT,STRING>', { 1: 'x' }, '{1:"x"}');
		ok('STRUCT<a:INT,b:DECIMAL(10,2)>', { b: '1.5', A: 2 }, '{"a":2,"b":1.50}');
		ok('STRUCT<a:INT,b:STRING>', { a: 1 }, '{"a":1,"b":null}');
		ok('ARRAY<DATE>', ['2024-01-02'], '["2024-01-02"]');
		ok('ARRAY<INT>', '[1,2]', '[1,2]');
	});
	it('reads nested values given as JSON text exactly: no digit of a long decimal or big integer is rounded away', () => {
		// JSON.parse would make these doubles (0.12345678901234568, 12345678901234567000) and load other values.
		ok('ARRAY<DECIMAL(38,20)>', '[0.12345678901234567891]', '[0.12345678901234567891]');
		ok('MAP<STRING,LARGEINT>', '{"a":12345678901234567891}', '{"a":12345678901234567891}');
		ok('STRUCT<d:DECIMAL(30,20)>', '{"d":1.00000000000000000001}', '{"d":1.00000000000000000001}');
	});
	it('refuses a MAP value whose keys become one key of the key type: one entry would be dropped', () => {
		const r = coerce('MAP<INT,STRING>', { 1: 'a', '01': 'b' });
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual([r.rule, r.path], ['type', '["01"](key)']);
		bad('MAP<DATE,INT>', { '2024-01-01': 1, '2024-01-01 00:00:00': 2 }, 'type');
		ok('MAP<STRING,INT>', { a: 1, A: 2 }, '{"a":1,"A":2}');
	});
	it('refuses a STRUCT value naming one field twice in different case: one of the two would be dropped', () => {
		const r = coerce('STRUCT<a:INT>', { a: 1, A: 2 });
		assert.equal(r.ok, false);
		if (!r.ok) assert.equal(r.rule, 'type');
		if (!r.ok) assert.match(r.detail, /"a" and "A"/);
	});
	it('nested ARRAY<MAP<STRING,STRUCT<a:INT,b:DECIMAL(10,2)>>>', () => {
		const type = 'ARRAY<MAP<STRING,STRUCT<a:INT,b:DECIMAL(10,2)>>>';
		ok(type, [{ k: { a: 1, b: '3.450' } }, null, {}], '[{"k":{"a":1,"b":3.45}},null,{}]');
		assert.deepEqual(coerce(type, [{ k: { b: '3.456' } }]), { ok: false, rule: 'precision', path: '[0]["k"].b', detail: "more than 2 fractional digits: Doris would round the value; the Doris Schema node's option Fractional Digits the Column Cannot Keep: Round as Doris Does loads it rounded" });
		const r = coerce(type, [{ k: { a: 1 } }, { x: { a: 2.5 } }]);
		assert.deepEqual(r, { ok: false, rule: 'not_integer', path: '[1]["x"].a', detail: 'not an integer' });
		const r2 = coerce(type, [{ k: { a: 1, c: 2 } }]);
		assert.equal(r2.ok, false);
		if (!r2.ok) assert.equal(r2.rule, 'unknown_field');
		bad(type, { not: 'an array' }, 'type');
		bad('MAP<INT,INT>', { x: 1 }, 'not_integer');
	});
	it('writes text elements so that Doris 2.1 / 3.0 / 3.1 read each back as it is (not as JSON escapes)', () => {
		// JSON.stringify wrote "line\nbreak", which Doris' escape_string loads as "linenbreak", and
		// ["a\"b","c"], which Doris' ARRAY splitter reads as one element a"b","c.
		const read = (type: string, value: unknown): unknown => {
			const r = coerce(type, value);
			assert.ok(r.ok, `${type} ${JSON.stringify(value)}: ${r.ok ? '' : r.detail}`);
			return readComplexLiteral(parseType(type), r.value as string);
		};
		for (const text of TEXTS) {
			const what = JSON.stringify(text);
			assert.deepEqual(read('ARRAY<STRING>', [text, 'next', text]), [text, 'next', text], what);
			assert.deepEqual(read('ARRAY<VARCHAR(64)>', [null, text]), [null, text], what);
			assert.deepEqual(read('MAP<STRING,STRING>', { [text]: text, k: 'v' }), new MapEntries([[text, text], ['k', 'v']]), what);
			assert.deepEqual(read('STRUCT<a:STRING,b:CHAR(40)>', { a: text, b: text }), { a: text, b: text }, what);
			assert.deepEqual(read('ARRAY<ARRAY<STRING>>', [[text], [text, 'x']]), [[text], [text, 'x']], what);
			assert.deepEqual(read('ARRAY<NOT_NULL(STRING)>', [text]), [text], what);
		}
	});
	it('escapes a text element\'s leading quote: Doris unquotes a nullable text element twice', () => {
		// DataTypeNullableSerDe takes one pair of quotes off, the text serde a second one
		// (data_type_nullable_serde.cpp, data_type_string_serde.cpp): "'x'" loaded x, '"x"' loaded x.
		ok('ARRAY<STRING>', ["'x'", '"y"', 'z'], `["\\'x'",'\\"y"',"z"]`);
		ok('MAP<STRING,STRING>', { "'k'": "'v'" }, `{"\\'k'":"\\'v'"}`);
	});
	it('refuses a text element holding both quote characters: Doris would read other elements', () => {
		const r = coerce('ARRAY<STRING>', ['ok', `it's "x"`]);
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual([r.rule, r.path], ['type', '[1]']);
		if (!r.ok) assert.match(r.detail, /both quote characters/);
		bad('MAP<STRING,INT>', { [`"a" 'b'`]: 1 }, 'type');
		bad('STRUCT<a:VARCHAR(10)>', { a: `'"` }, 'type');
		// A top-level text column is no literal: both quotes load as they are.
		ok('VARCHAR(10)', `it's "x"`, `it's "x"`);
	});
});
