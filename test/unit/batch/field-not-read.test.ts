// A row field Doris would not read under a Columns list, JSON Paths or json_root (an optional field some
// messages carry): taken out before the shared batch with rule field_not_read, handed back on Rejected, its
// execution's other rows load (src/batch/load-items.ts). Session 16: before, the row failed its execution
// at serialisation whether or not Rejected led somewhere (and a packed item was refused whole), so every
// delivery failed and the partition stalled on one optional field. With Rejected leading nowhere the item
// is refused naming the field, its value and the fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { firstUnloadable, sortItemsForLoad } from '../../../src/batch/load-items';
import { takenOutItems } from '../../../src/batch/rejected-items';
import { PACKED_ROWS_FIELD } from '../../../src/common/item-contract';
import { columnsListCheck } from '../../../src/doris/stream-load/wire-format';
import { json, row } from './items-support';

const paths = columnsListCheck({ format: 'json', jsonpaths: '["$.id","$.name"]', columns: ['id', 'name'] }, true);
const lines = (...texts: string[]) => ({ json: { [PACKED_ROWS_FIELD]: { jsonLines: texts.map((t) => `${t}\n`).join(''), count: texts.length, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(texts.length - 1), lines: texts.length }] } } });

describe('a row field no Columns entry, JSON Path or json_root reads', () => {
	it('Rejected leading somewhere: the row goes there with rule field_not_read, the field and its value; the other rows load', () => {
		const items = [row(1, { name: 'a' }), row(2, { name: 'b', note: 'optional field' }), row(3, { name: 'c' })];
		const sorted = sortItemsForLoad(items, { ...json, columnsCheck: paths, columnsHandBack: true });
		assert.deepEqual(sorted.refused, []);
		assert.deepEqual(sorted.loadable, [0, 2]);
		assert.deepEqual(sorted.parts, [[{ id: 1, name: 'a' }, { id: 3, name: 'c' }]]);
		const [handedBack] = takenOutItems(items, sorted, 'd.t');
		assert.equal(handedBack.index, 1);
		const reason = (handedBack.json._invalid as { reasons: Array<Record<string, unknown>> }).reasons[0];
		assert.deepEqual([reason.rule, reason.column, reason.value], ['field_not_read', 'note', 'optional field']);
		assert.match(String(reason.message), /^Row field "note" would not load: no JSON Path \(\$\.id, \$\.name\) reads it, and Doris skips what it does not read without a word \(its value "optional field"\)/);
	});

	it('Rejected leading nowhere: the item is refused naming the field, the value, the rule and the fix', () => {
		const sorted = sortItemsForLoad([row(1, { name: 'a' }), row(2, { name: 'b', note: 'optional field' })], { ...json, columnsCheck: paths, columnsHandBack: false });
		assert.deepEqual(sorted.loadable, [0]);
		const unloadable = firstUnloadable(sorted);
		assert.match(unloadable?.message ?? '', /^Item 1: Row field "note" would not load: .*\(its value "optional field"\); read it, or leave it out of the row \(rule field_not_read\); connect the Rejected output to hand such rows back/);
	});

	it('a Columns list and json_root behave the same; a nested field is named by its path', () => {
		const columns = columnsListCheck({ format: 'json', columns: ['id', 'v'] }, false);
		const byColumns = sortItemsForLoad([row(1, { v: 1, extra: { deep: true } })], { ...json, columnsCheck: columns, columnsHandBack: true });
		assert.deepEqual(byColumns.takenOut.map((t) => [t.reason.rule, t.reason.column, t.reason.value]), [['field_not_read', 'extra', { deep: true }]]);
		assert.match(byColumns.takenOut[0].reason.message, /^Row field "extra" is not in Columns \(id, v\): Doris would not load it \(its value \{"deep":true\}\)/);
		const root = columnsListCheck({ format: 'json', columns: ['id'], extraHeaders: { json_root: '$.data' } }, false);
		const byRoot = sortItemsForLoad([{ json: { data: { id: 1, more: 'x' } } }], { ...json, columnsCheck: root, columnsHandBack: true });
		assert.deepEqual(byRoot.takenOut.map((t) => [t.reason.column, t.reason.value]), [['data.more', 'x']]);
	});

	it('packed lines: the line with the field goes to Rejected with its line, the other lines load; without Rejected the item is refused as before', () => {
		const item = lines('{"id":1,"name":"a"}', '{"id":2,"name":"b","note":"x"}', '{"id":3,"name":"c"}');
		const sorted = sortItemsForLoad([item], { ...json, columnsCheck: paths, columnsHandBack: true });
		assert.deepEqual(sorted.refused, []);
		assert.deepEqual(sorted.parts, [{ text: '{"id":1,"name":"a"}\n{"id":3,"name":"c"}\n', rows: 2 }]);
		assert.deepEqual(sorted.takenOut.map((t) => [t.line, t.reason.rule, t.reason.column, t.reason.value]), [[1, 'field_not_read', 'note', 'x']]);
		assert.equal(sorted.lackingSequence, 0);
		const refused = sortItemsForLoad([item], { ...json, columnsCheck: paths });
		assert.match(refused.refused[0]?.message ?? '', /^line 1 of packedRows: Row field "note" would not load/);
	});
});
