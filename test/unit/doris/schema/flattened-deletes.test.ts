/**
 * Debezium records flattened by ExtractNewRecordState with delete rewriting (`__deleted: "true"` on a
 * delete, "false" on other changes): a delete must delete, as an op d envelope does, in per-message
 * and packed mode alike. Before, `__deleted` was a field no column takes and the deleted row loaded
 * as an upsert, so it stayed in Doris.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN } from '../../../../src/common/item-contract';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { routeItems, INVALID_FIELD, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import type { TableSchema } from '../../../../src/doris/schema/types';
import { createSerializer } from '../../../../src/doris/stream-load/wire-format';
import { labels, pack } from './packed-support';

const columns = [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'VARCHAR(10)' },
	{ name: 'body', type: 'STRING' },
];
const table = (keyModel: TableSchema['keyModel'], extra: typeof columns = []): TableSchema => ({ ...manualSchema('shop', 'orders', [...columns, ...extra]), keyModel, keyColumns: ['id'] });
const mapperOf = (schema: TableSchema, o: Partial<RowMapperOptions> = {}) => new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...o });

describe('flattened Debezium records (ExtractNewRecordState, delete rewriting)', () => {
	it('__deleted "true" (or true) into a UNIQUE KEY table loads the row with the delete sign, the marker left out; "false" is an upsert without it', () => {
		const m = mapperOf(table('UNIQUE'));
		for (const mark of ['true', true]) {
			assert.deepEqual(m.map({ id: 1, name: 'a', __deleted: mark }), { ok: true, row: { id: 1, name: 'a', [DELETE_SIGN_COLUMN]: 1 } }, String(mark));
		}
		for (const mark of ['false', false]) {
			assert.deepEqual(m.map({ id: 1, name: 'a', __deleted: mark }), { ok: true, row: { id: 1, name: 'a' } }, String(mark));
		}
		// A record without the marker is what it was.
		assert.deepEqual(m.map({ id: 1, name: 'a' }), { ok: true, row: { id: 1, name: 'a' } });
	});

	it('a flattened delete into a DUPLICATE or AGGREGATE KEY table goes to Invalid (delete_unsupported), as an op d does', () => {
		for (const keyModel of ['DUPLICATE', 'AGGREGATE'] as const) {
			const m = mapperOf(table(keyModel));
			const r = m.map({ id: 1, name: 'a', __deleted: 'true' });
			assert.equal(r.ok, false, keyModel);
			if (r.ok) continue;
			assert.deepEqual(r.reasons.map((x) => [x.column, x.rule]), [[null, 'delete_unsupported']]);
			assert.match(r.reasons[0].message, new RegExp(`shop\\.orders is a ${keyModel} KEY table`));
			assert.match(r.reasons[0].message, /column "__deleted"/);
			assert.deepEqual(m.map({ id: 1, name: 'a', __deleted: 'false' }), { ok: true, row: { id: 1, name: 'a' } });
		}
	});

	it('the delete rules of op d hold: the sequence value is needed, an unavailable value is left out', () => {
		const sequenced: TableSchema = { ...table('UNIQUE', [{ name: 'v', type: 'BIGINT', nullable: false, hasDefault: true } as (typeof columns)[number]]), sequenceColumn: 'v' };
		const m = mapperOf(sequenced);
		assert.deepEqual(m.map({ id: 1, v: 7, __deleted: 'true' }), { ok: true, row: { id: 1, v: 7, [DELETE_SIGN_COLUMN]: 1 } });
		const r = m.map({ id: 1, __deleted: 'true' });
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual(r.reasons.map((x) => [x.column, x.rule]), [['v', 'delete_sequence']]);
		const unique = mapperOf(table('UNIQUE'));
		assert.deepEqual(unique.map({ id: 1, body: '__debezium_unavailable_value', __deleted: 'true' }), { ok: true, row: { id: 1, [DELETE_SIGN_COLUMN]: 1 } });
		const upsert = unique.map({ id: 1, body: '__debezium_unavailable_value', __deleted: 'false' });
		assert.equal(upsert.ok, false);
		if (!upsert.ok) assert.equal(upsert.reasons[0].rule, 'unavailable_value');
	});

	it('a table with a column __deleted (any case), or a Field Mapping from it, keeps the field as data (soft deletes)', () => {
		const soft = mapperOf(table('UNIQUE', [{ name: '__deleted', type: 'VARCHAR(5)' }]));
		assert.deepEqual(soft.map({ id: 1, __deleted: 'true' }), { ok: true, row: { id: 1, __deleted: 'true' } });
		const upper = mapperOf(table('UNIQUE', [{ name: '__DELETED', type: 'VARCHAR(5)' }]));
		assert.deepEqual(upper.map({ id: 1, __deleted: 'true' }), { ok: true, row: { id: 1, __DELETED: 'true' } });
		const mapped = mapperOf(table('UNIQUE'), { mapping: [{ field: '__deleted', column: 'name' }] });
		assert.deepEqual(mapped.map({ id: 1, __deleted: 'true' }), { ok: true, row: { id: 1, name: 'true' } });
	});

	it('a marker Debezium never writes goes to Invalid naming the field and the value; the marker is never unmatched, unknown or a column to add', () => {
		const m = mapperOf(table('UNIQUE'), { unknownFields: 'reject', evolve: true });
		for (const mark of ['yes', 1, null, '']) {
			const r = m.map({ id: 1, __deleted: mark });
			assert.equal(r.ok, false, JSON.stringify(mark));
			if (r.ok) continue;
			assert.deepEqual(r.reasons.map((x) => [x.column, x.rule, x.value]), [[null, 'envelope', mark]]);
			assert.match(r.reasons[0].message, /field "__deleted" .* must be "true" or "false"/);
		}
		const unmatched = new Map<string, number>();
		m.unmatchedSink = unmatched;
		assert.deepEqual(m.map({ id: 1, __deleted: 'false' }), { ok: true, row: { id: 1 } });
		m.unmatchedSink = null;
		assert.deepEqual([...unmatched], []);
	});

	it('with the Debezium Envelopes (CDC) option on, a flattened record goes to Invalid saying to turn the option off; an envelope decides by its op', () => {
		const m = mapperOf(table('UNIQUE'), { cdc: true });
		const r = m.map({ id: 1, __deleted: 'true' });
		assert.equal(r.ok, false);
		if (!r.ok) assert.match(r.reasons[0].message, /flattened by ExtractNewRecordState .* option off/);
		assert.deepEqual(m.map({ op: 'c', after: { id: 1, __deleted: 'true' } }), { ok: true, row: { id: 1, [DELETE_SIGN_COLUMN]: 0 } });
	});

	it('packed lines load the same bytes as items: "false" on the fast path, "true" with the delete sign, a DUPLICATE table\'s delete on Invalid', () => {
		const lines = ['{"id":1,"name":"a","__deleted":"false"}', '{"id":2,"name":"b","__deleted":"true"}', '{"id":3,"__deleted":false}', '{"id":4,"__deleted":true}', '{"id":5,"__deleted":"false","__deleted":"true"}', '{"id":6}'];
		const serialize = createSerializer({ format: 'json' });
		const m = mapperOf(table('UNIQUE'));
		const packed = routePacked(pack(lines), m, labels, 0);
		assert.equal(packed.invalid.length, 0);
		const items = routeItems(lines.map((l) => ({ json: JSON.parse(l) as Record<string, unknown> })), m, labels);
		assert.equal(packed.packed?.jsonLines, items.rows.map((v) => serialize(v.json)).join(''));
		assert.equal(
			packed.packed?.jsonLines,
			['{"id":1,"name":"a"}', '{"id":2,"name":"b","__DORIS_DELETE_SIGN__":1}', '{"id":3}', '{"id":4,"__DORIS_DELETE_SIGN__":1}', '{"id":5,"__DORIS_DELETE_SIGN__":1}', '{"id":6}'].map((l) => `${l}\n`).join(''),
		);
		assert.equal(packed.packed?.deleteSign, true);
		const duplicate = routePacked(pack(lines), mapperOf(table('DUPLICATE')), labels, 0);
		assert.deepEqual(duplicate.invalid.map((r) => (r.json[INVALID_FIELD] as InvalidInfo).reasons[0].rule), ['delete_unsupported', 'delete_unsupported', 'delete_unsupported']);
		assert.equal(duplicate.packed?.count, 3);
		assert.equal(duplicate.packed?.deleteSign, false);
	});
});
