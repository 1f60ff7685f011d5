import assert from 'node:assert/strict';
import { it } from 'node:test';

import { parseJsonExact } from '../../../../src/common/exact-json';
import { makeCompileContext } from '../../../../src/doris/schema/coerce-type';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { INVALID_FIELD, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';
import { bad, coerce, ok } from './coerce-support';

// The trigger keeps a JSON number a double would change as its text (exact-json.ts); into a DOUBLE column
// that text became Number(text) and loaded another number with no reason anywhere (Doris, given the
// text, stores the same rounded double). FLOAT passed such text too when the double rounded first.
it('DOUBLE / FLOAT refuse digits a double cannot hold (rule precision, naming what Doris would store); Round loads the double', () => {
	for (const v of ['9007199254740993', '0.12345678901234567891', '1e-400', '123456789012345678901234567890', 9007199254740993n]) bad('DOUBLE', v, 'precision');
	assert.match((coerce('DOUBLE', '9007199254740993') as { detail: string }).detail, /^a DOUBLE keeps 15 to 17 significant digits: Doris would store 9007199254740992/);
	bad('FLOAT', '9007199254740993', 'precision');
	assert.match((coerce('FLOAT', '9007199254740993') as { detail: string }).detail, /Doris would store 9007199000000000/);
	// What a double holds passes as before: up to 15 digits, the shortest text of a double, leading + and spaces.
	ok('DOUBLE', '0.1', 0.1);
	ok('DOUBLE', '123456789012345', 123456789012345);
	ok('DOUBLE', '0.30000000000000004', 0.30000000000000004);
	ok('DOUBLE', ' +1.5e300 ', 1.5e300);
	ok('DOUBLE', 9007199254740992n, 9007199254740992);
	ok('DOUBLE', 0.12345678901234568, 0.12345678901234568);
	const rounding = makeCompileContext({ timeZone: 'UTC', epochUnit: 'ms' }, undefined, 'round');
	assert.deepEqual(coerce('DOUBLE', '9007199254740993', rounding), { ok: true, value: 9007199254740992 });
});

it('per message and packed alike', () => {
	const m = new RowMapper(manualSchema('db', 't', [{ name: 'id', type: 'INT' }, { name: 'c', type: 'DOUBLE' }]), DEFAULT_ROW_MAPPER_OPTIONS);
	const lines = ['{"id":1,"c":9007199254740993}', '{"id":2,"c":0.12345678901234567891}', '{"id":3,"c":1.5}'];
	assert.deepEqual(
		lines.map((l) => {
			const r = m.map(parseJsonExact(l) as Record<string, unknown>);
			return r.ok ? r.row.c : r.reasons[0].rule;
		}),
		['precision', 'precision', 1.5],
	);
	const p = routePacked({ jsonLines: lines.map((l) => `${l}\n`).join(''), count: 3, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '2', lines: 3 }] }, m, { workflow: 'w', node: 'n' }, 0);
	assert.equal(p.packed?.jsonLines, '{"id":3,"c":1.5}\n');
	assert.deepEqual(
		p.invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].rule),
		['precision', 'precision'],
	);
});
