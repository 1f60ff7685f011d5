import assert from 'node:assert/strict';
import { it } from 'node:test';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { INVALID_FIELD, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';

const schema = manualSchema('d', 't', [
	{ name: 'a', type: 'INT' },
	{ name: 'b', type: 'VARCHAR(5)' },
]);
const mapper = (o: Partial<RowMapperOptions> = {}) => new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...o });
const pack = (lines: string[]) => ({ jsonLines: lines.map((l) => `${l}\n`).join(''), count: lines.length, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(lines.length - 1), lines: lines.length }] });

// Doris 2.1 / 3.0 / 3.1 filter a JSON row in which no key names a column (new_json_reader.cpp
// `if (!has_valid_value)`); before, such a record mapped to {} as valid, per message and packed alike,
// and only its load said anything (Rejected, after a failed shared batch), or nothing under Max Filter Ratio.
it('a record with no field for any column goes to Invalid (no_column) naming its fields, per message and packed', () => {
	const r = mapper().map({ x: 1, heartbeat: true });
	assert.equal(r.ok, false);
	assert.deepEqual(
		!r.ok && r.reasons.map((x) => [x.rule, x.column]),
		[['no_column', null]],
	);
	assert.match(!r.ok ? r.reasons[0].message : '', /^no field of this record is a column of d\.t \(its fields: x, heartbeat\): Doris refuses a row without one/);
	assert.match(((m) => (!m.ok ? m.reasons[0].message : ''))(mapper().map({})), /\(it has no fields\)/);
	// A null for a column is a value Doris reads (it loads NULL): that row stays valid.
	assert.deepEqual(mapper().map({ a: null, x: 1 }), { ok: true, row: { a: null } });
	// CDC: the delete sign would be the row's only key, and Doris would load a row of NULLs.
	assert.equal(mapper({ cdc: true }).map({ op: 'c', before: null, after: { x: 1 } }).ok, false);

	const p = routePacked(pack(['{"x":1}', '{}', '{"a":1}', '{"a":null}']), mapper(), { workflow: 'w', node: 'n' }, 0);
	assert.equal(p.packed?.jsonLines, '{"a":1}\n{"a":null}\n');
	assert.deepEqual(
		p.invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((x) => x.rule).join()),
		['no_column', 'no_column'],
	);
});
