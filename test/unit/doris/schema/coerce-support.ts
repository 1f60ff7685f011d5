/**
 * Helpers shared by the value-handler tests (coerce-type.test.ts, coerce-nested.test.ts): a Doris
 * type given as its text, compiled with the UTC context, and a value's result or failure.
 */
import assert from 'node:assert/strict';

import { compileType, INVALID, makeCompileContext, type FailSlot } from '../../../../src/doris/schema/coerce-type';
import { parseDorisType } from '../../../../src/doris/schema/type-parser';

export const ctx = makeCompileContext({ timeZone: 'UTC', epochUnit: 'ms' });

export function coerce(type: string, value: unknown, context = ctx): { ok: true; value: unknown } | { ok: false; rule: string; path: string; detail: string } {
	const fail: FailSlot = { rule: 'type', detail: '', path: '' };
	const out = compileType(parseDorisType(type), context).coerce(value, fail);
	return out === INVALID ? { ok: false, rule: fail.rule, path: fail.path, detail: fail.detail } : { ok: true, value: out };
}
export const ok = (type: string, value: unknown, expected: unknown) => assert.deepEqual(coerce(type, value), { ok: true, value: expected }, `${type} ${String(value)}`);
export const bad = (type: string, value: unknown, rule: string) => {
	const r = coerce(type, value);
	assert.equal(r.ok, false, `${type} ${String(value)} should be refused`);
	if (!r.ok) assert.equal(r.rule, rule, `${type} ${String(value)}: ${r.detail}`);
};
