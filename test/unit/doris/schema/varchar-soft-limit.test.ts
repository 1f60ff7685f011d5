import assert from 'node:assert/strict';
import { it } from 'node:test';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { INVALID_FIELD, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';

// Doris' sink checks a CHAR / VARCHAR value against min(string_type_length_soft_limit_bytes, length)
// (vtablet_block_convertor.cpp). Before, only the declared length counted: on a cluster whose setting
// (Max STRING Size) is below a VARCHAR's length, a longer value passed here and was filtered there.
it('a VARCHAR value past Max STRING Size goes to Invalid (too_long, naming the setting), per message and packed', () => {
	const m = new RowMapper(manualSchema('db', 't', [{ name: 'v', type: 'VARCHAR(2000)' }]), { ...DEFAULT_ROW_MAPPER_OPTIONS, limits: { stringMaxBytes: 1000, jsonMaxBytes: 1000 } });
	const long = 'x'.repeat(1500);
	const r = m.map({ v: long });
	assert.equal(r.ok, false);
	assert.match(!r.ok ? r.reasons[0].message : '', /1500 UTF-8 bytes, limit 1000 \(Doris BE setting string_type_length_soft_limit_bytes\)/);
	assert.equal(m.map({ v: 'x'.repeat(1000) }).ok, true);
	const p = routePacked({ jsonLines: `{"v":"${long}"}\n{"v":"ok"}\n`, count: 2, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '1', lines: 2 }] }, m, { workflow: 'w', node: 'n' }, 0);
	assert.equal(p.packed?.jsonLines, '{"v":"ok"}\n');
	assert.deepEqual(
		p.invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].rule),
		['too_long'],
	);
	// Within both, and the length itself still counts when it is the smaller.
	const small = new RowMapper(manualSchema('db', 't', [{ name: 'v', type: 'VARCHAR(3)' }]), DEFAULT_ROW_MAPPER_OPTIONS);
	assert.match(((x) => (!x.ok ? x.reasons[0].message : ''))(small.map({ v: 'abcd' })), /4 UTF-8 bytes, limit 3$/);
});
