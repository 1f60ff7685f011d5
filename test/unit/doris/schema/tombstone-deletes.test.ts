/**
 * The rows the Kafka Trigger builds from tombstones with Tombstones "Delete the Row of Its Key": the
 * key's fields and `__DORIS_DELETE_SIGN__: 1`. They delete in a UNIQUE KEY table, items and packed
 * lines alike, whatever the source path or the Debezium Envelopes option say of the values; a table
 * that cannot apply them, or a NOT NULL column Doris would leave NULL, sends them to Invalid saying why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN } from '../../../../src/common/item-contract';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { routeItems, INVALID_FIELD, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import type { TableSchema } from '../../../../src/doris/schema/types';
import { labels, pack } from './packed-support';

const columns = [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'VARCHAR(10)' },
];
type ColumnSpec = Parameters<typeof manualSchema>[2][number];
const table = (keyModel: TableSchema['keyModel'], extra: ColumnSpec[] = []): TableSchema => ({ ...manualSchema('shop', 'orders', [...columns, ...extra]), keyModel, keyColumns: ['id'], deleteSign: keyModel === 'UNIQUE' });
const mapperOf = (schema: TableSchema, o: Partial<RowMapperOptions> = {}) => new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...o });
const tombstoneRow = { id: 7, [DELETE_SIGN_COLUMN]: 1 };

describe('tombstone delete rows (Kafka Trigger, Tombstones "Delete the Row of Its Key")', () => {
	it('into a UNIQUE KEY table: the key with the sign 1', () => {
		assert.deepEqual(mapperOf(table('UNIQUE')).map(tombstoneRow), { ok: true, row: { id: 7, [DELETE_SIGN_COLUMN]: 1 } });
	});

	it('with a source path for the values (payload, a Connect envelope\'s record), the delete row is read as it is', () => {
		const m = mapperOf(table('UNIQUE'), { sourcePath: 'payload' });
		assert.deepEqual(m.map(tombstoneRow), { ok: true, row: { id: 7, [DELETE_SIGN_COLUMN]: 1 } });
		assert.deepEqual(m.map({ payload: { id: 8, name: 'x' } }), { ok: true, row: { id: 8, name: 'x' } });
	});

	it('with the Debezium Envelopes (CDC) option on, the delete row deletes its key too (the op d before it already did: deleting again changes nothing)', () => {
		const m = mapperOf(table('UNIQUE'), { cdc: true, sourcePath: 'payload' });
		assert.deepEqual(m.map(tombstoneRow), { ok: true, row: { id: 7, [DELETE_SIGN_COLUMN]: 1 } });
		assert.deepEqual(m.map({ payload: { op: 'd', before: { id: 8, name: 'x' } } }), { ok: true, row: { id: 8, name: 'x', [DELETE_SIGN_COLUMN]: 1 } });
		// Anything else that is no envelope is refused as before.
		const r = m.map({ id: 9 });
		assert.equal(r.ok, false);
		if (!r.ok) assert.equal(r.reasons[0].rule, 'envelope');
	});

	// Only what the trigger builds (the sign 1) is read past the source path or the envelope: a record
	// that carries the sign 0 (or "0", true, …) where the values need a path or an envelope is no
	// tombstone's row, and loading its top-level fields as an upsert would be a row nobody asked for.
	it('a record carrying another sign at its top level, no envelope or nothing at the source path: Invalid as before', () => {
		for (const o of [{ sourcePath: 'payload' }, { cdc: true }, { cdc: true, sourcePath: 'payload' }] as Array<Partial<RowMapperOptions>>) {
			for (const sign of [0, '0', '1', true, false]) {
				const r = mapperOf(table('UNIQUE'), o).map({ id: 9, name: 'x', [DELETE_SIGN_COLUMN]: sign });
				assert.equal(r.ok, false, `${JSON.stringify(o)} sign ${JSON.stringify(sign)}`);
				if (!r.ok) assert.equal(r.reasons[0].rule, 'envelope');
			}
		}
		const packed = routePacked(pack([JSON.stringify({ id: 9, name: 'x', [DELETE_SIGN_COLUMN]: 0 })]), mapperOf(table('UNIQUE'), { sourcePath: 'payload' }), labels, 0);
		assert.equal(packed.invalid.length, 1);
	});

	it('into a DUPLICATE or AGGREGATE KEY table: Invalid, delete_unsupported, naming the Tombstones setting', () => {
		for (const keyModel of ['DUPLICATE', 'AGGREGATE'] as const) {
			for (const o of [{}, { cdc: true }] as Array<Partial<RowMapperOptions>>) {
				const r = mapperOf(table(keyModel), o).map(tombstoneRow);
				assert.equal(r.ok, false);
				if (r.ok) continue;
				assert.deepEqual(r.reasons.map((x) => x.rule), ['delete_unsupported']);
				assert.match(r.reasons[0].message, /Tombstones "Delete the Row of Its Key"/);
			}
		}
	});

	// Doris filters a row whose NOT NULL column is NULL, a delete too (vfile_scanner.cpp / file_scanner.cpp
	// `_convert_to_output_block`), so with a mirror of a MySQL table (NOT NULL columns) no tombstone
	// deleted anything: every one went to Invalid and the deleted rows stayed. A delete's value cells
	// are never read, and Doris' own partial update fills them with the type's zero (delete-placeholders.ts).
	it('NOT NULL value columns without a default that the key lacks: the delete carries the type\'s zero for each and loads', () => {
		const notNull: ColumnSpec[] = [
			{ name: 'qty', type: 'INT', nullable: false },
			{ name: 'label', type: 'VARCHAR(5)', nullable: false },
			{ name: 'code', type: 'CHAR(3)', nullable: false },
			{ name: 'price', type: 'DECIMAL(10,2)', nullable: false },
			{ name: 'ratio', type: 'DOUBLE', nullable: false },
			{ name: 'born', type: 'DATE', nullable: false },
			{ name: 'seen', type: 'DATETIME(3)', nullable: false },
			{ name: 'ok', type: 'BOOLEAN', nullable: false },
			{ name: 'doc', type: 'JSON', nullable: false },
			{ name: 'tags', type: 'ARRAY<INT>', nullable: false },
			{ name: 'attrs', type: 'MAP<STRING,INT>', nullable: false },
			{ name: 'ip', type: 'IPV4', nullable: false },
			{ name: 'big', type: 'LARGEINT', nullable: false },
			{ name: 'note', type: 'STRING', nullable: true },
			{ name: 'n', type: 'INT', nullable: false, hasDefault: true },
		];
		const m = mapperOf(table('UNIQUE', notNull));
		const r = m.map(tombstoneRow);
		assert.equal(r.ok, true, JSON.stringify(r));
		if (!r.ok) return;
		assert.equal(r.row[DELETE_SIGN_COLUMN], 1);
		assert.equal(r.row.id, 7);
		for (const c of notNull.filter((x) => x.nullable === false && x.hasDefault !== true)) assert.ok(r.row[c.name] !== undefined && r.row[c.name] !== null, `${c.name} has a placeholder`);
		assert.equal(r.row.qty, 0);
		assert.equal(r.row.label, '');
		assert.equal(r.row.born, '1970-01-01');
		assert.equal(r.row.doc, '{}');
		assert.ok(!('note' in r.row) && !('n' in r.row), 'Doris fills a nullable or defaulted column itself');
		// A Debezium delete with the key only (a NULL in each other column) and a flattened one alike.
		const before = { id: 7, name: null, qty: null, label: null, code: null, price: null, ratio: null, born: null, seen: null, ok: null, doc: null, tags: null, attrs: null, ip: null, big: null };
		assert.equal(mapperOf(table('UNIQUE', notNull), { cdc: true }).map({ op: 'd', before }).ok, true);
		assert.equal(m.map({ ...before, __deleted: 'true' }).ok, true);
		// An upsert lacking them is refused as before: its values are read.
		const upsert = m.map({ id: 7, name: 'x' });
		assert.equal(upsert.ok, false);
		if (!upsert.ok) assert.ok(upsert.reasons.every((x) => x.rule === 'not_null'));
		// Packed lines take the same path.
		const packed = routePacked(pack([JSON.stringify(tombstoneRow)]), m, labels, 0);
		assert.equal(packed.invalid.length, 0);
		assert.match(packed.packed?.jsonLines ?? '', /"qty":0,.*"__DORIS_DELETE_SIGN__":1\}\n$/);
	});

	it('a NOT NULL column of a type this node writes no zero for (a type this parser does not know, a newer Doris): Invalid, not_null, saying how to let it through', () => {
		const base = table('UNIQUE', [{ name: 'geo', type: 'STRING', nullable: false }]);
		const unknown: TableSchema = { ...base, columns: base.columns.map((c) => (c.name === 'geo' ? { ...c, type: { kind: 'unknown', name: 'GEOMETRY' }, typeText: 'GEOMETRY' } : c)) };
		const r = mapperOf(unknown).map(tombstoneRow);
		assert.equal(r.ok, false);
		if (r.ok) return;
		assert.deepEqual(r.reasons.map((x) => [x.column, x.rule]), [['geo', 'not_null']]);
		assert.match(r.reasons[0].message, /this delete has no value for geo .* values is null while columns is not nullable.* Doris 2\.1, 3\.0, 3\.1.*no placeholder for its type.*DEFAULT/);
	});

	// A UNIQUE KEY table created while the FE config enable_batch_delete_by_default was false has no
	// hidden __DORIS_DELETE_SIGN__, and a load drops `hidden_columns: __DORIS_DELETE_SIGN__` without a
	// word (Load.initColumns / NereidsLoadScanProvider: `column != null && !column.isVisible()`): the
	// placeholder row loaded as an upsert, the deleted row stayed with its values zeroed.
	// So is any other delete there (a Debezium or flattened one with its whole row): it loaded as an upsert
	// and the row the source deleted stayed.
	it('a table without the hidden delete sign: every delete on Invalid with delete_unsupported; one not known to have it: no placeholder, not_null', () => {
		const qty: ColumnSpec[] = [{ name: 'qty', type: 'INT', nullable: false }];
		const noSign: TableSchema = { ...table('UNIQUE', qty), deleteSign: false };
		const whole = { id: 7, name: 'x', qty: 3 };
		for (const [what, mapper, item] of [
			['tombstone', mapperOf(noSign), tombstoneRow],
			['tombstone, whole row', mapperOf(noSign), { ...tombstoneRow, qty: 3 }],
			['Debezium', mapperOf(noSign, { cdc: true }), { op: 'd', before: whole }],
			['flattened', mapperOf(noSign), { ...whole, __deleted: 'true' }],
		] as const) {
			const r = mapper.map(item);
			assert.equal(r.ok, false, `${what}: ${JSON.stringify(r)}`);
			if (r.ok) continue;
			assert.deepEqual(r.reasons.map((x) => x.rule), ['delete_unsupported'], what);
			assert.match(r.reasons[0].message, /has no hidden delete sign column __DORIS_DELETE_SIGN__.*ENABLE FEATURE "BATCH_DELETE"/);
		}
		assert.equal(mapperOf(noSign).map(whole).ok, true, 'an upsert loads');
		assert.equal(mapperOf(noSign, { cdc: true }).map({ op: 'c', after: whole }).ok, true, 'an upsert loads');
		for (const deleteSign of [null, undefined]) {
			const r = mapperOf({ ...table('UNIQUE', qty), deleteSign }).map(tombstoneRow);
			assert.equal(r.ok, false, `deleteSign ${String(deleteSign)}: ${JSON.stringify(r)}`);
			if (r.ok) continue;
			assert.deepEqual(r.reasons.map((x) => [x.column, x.rule]), [['qty', 'not_null']]);
			assert.match(r.reasons[0].message, /could not be read \(SET show_hidden_columns = true; DESC/);
			// The delete with its whole row needs no placeholder, and loads as before.
			assert.equal(mapperOf({ ...table('UNIQUE', qty), deleteSign }).map({ ...tombstoneRow, qty: 3 }).ok, true);
		}
	});

	// A manual schema knows no keys and no sequence: a zero in a column that is in truth a key column
	// would delete the row of another key (id 0), and in a sequence column lose.
	it('a schema typed by hand (keys and sequence unknown): no placeholder, Invalid with not_null saying why', () => {
		const manual = manualSchema('shop', 'orders', [...columns, { name: 'qty', type: 'INT', nullable: false }]);
		const r = mapperOf(manual).map(tombstoneRow);
		assert.equal(r.ok, false);
		if (r.ok) return;
		assert.deepEqual(r.reasons.map((x) => [x.column, x.rule]), [['qty', 'not_null']]);
		assert.match(r.reasons[0].message, /key and sequence columns are not known here/);
	});

	// A sequence table applies a delete only with a sequence value at least the stored row's: a
	// placeholder there (or in the field a hidden sequence column is read from) is a low value that
	// loses, the delete counted as loaded and the row kept. So no placeholder at all, and the reason
	// names the sequence.
	it('a table with a sequence column: no placeholder; the delete lacking its sequence value is on Invalid with delete_sequence', () => {
		const withSeq: TableSchema = { ...table('UNIQUE', [{ name: 'qty', type: 'INT', nullable: false }, { name: 'v', type: 'BIGINT', nullable: false }]), sequenceColumn: 'v' };
		const r = mapperOf(withSeq).map(tombstoneRow);
		assert.equal(r.ok, false);
		if (r.ok) return;
		assert.deepEqual(r.reasons.map((x) => [x.column, x.rule]), [['qty', 'not_null'], ['v', 'delete_sequence']]);
		assert.match(r.reasons[0].message, /has a sequence column.*whole row/);
		// With its sequence value and every NOT NULL column, the delete loads.
		assert.equal(mapperOf(withSeq).map({ ...tombstoneRow, qty: 1, v: 5 }).ok, true);
		const hidden: TableSchema = { ...table('UNIQUE', [{ name: 'qty', type: 'INT', nullable: false }]), hasSequenceType: true };
		const h = mapperOf(hidden).map(tombstoneRow);
		assert.equal(h.ok, false);
		if (!h.ok) assert.deepEqual(h.reasons.map((x) => [x.column, x.rule]), [['qty', 'not_null']]);
	});

	// Doris needs a UNIQUE KEY table's partition column in its key (UNIQUE KEY(id, dt) PARTITION BY dt),
	// where the Kafka key names the source's primary key (id) only. Doris fills the missing dt with its
	// default or NULL, so the delete named another key than the stored row's and deleted nothing: the
	// row the source deleted stayed in Doris, counted as loaded.
	it('a key column of the table the delete lacks, nullable or with a default: Invalid, delete_key, as it would delete another key (none)', () => {
		const keyed = (spec: ColumnSpec): TableSchema => ({ ...table('UNIQUE', [spec]), keyColumns: ['id', 'dt'] });
		for (const spec of [{ name: 'dt', type: 'DATE' }, { name: 'dt', type: 'DATE', nullable: false, hasDefault: true }] as ColumnSpec[]) {
			for (const o of [{}, { sourcePath: 'payload' }, { cdc: true }] as Array<Partial<RowMapperOptions>>) {
				const r = mapperOf(keyed(spec), o).map(tombstoneRow);
				assert.equal(r.ok, false, JSON.stringify([spec, o]));
				if (r.ok) continue;
				assert.deepEqual(r.reasons.map((x) => [x.column, x.rule]), [['dt', 'delete_key']]);
				assert.match(r.reasons[0].message, /this delete has no value for the key column dt/);
			}
			// The whole key given (null too: the record says so), the delete loads; an upsert may lack it as before.
			assert.equal(mapperOf(keyed(spec)).map({ ...tombstoneRow, dt: '2024-01-02' }).ok, true);
			assert.equal(mapperOf(keyed(spec)).map({ id: 7, name: 'x' }).ok, true);
		}
		const packed = routePacked(pack([JSON.stringify(tombstoneRow)]), mapperOf(keyed({ name: 'dt', type: 'DATE' })), labels, 0);
		assert.deepEqual(packed.invalid.map((r) => (r.json[INVALID_FIELD] as InvalidInfo).reasons[0].rule), ['delete_key']);
	});

	// A Debezium delete carries the whole "before" row; a key column it lacks is one the Doris Stream Load
	// node's Columns computes from its fields (`dt = from_unixtime(ts, …)`), which this node cannot see.
	it('a Debezium or flattened delete lacking a key column loads as before (a Columns expression may compute it)', () => {
		const keyed: TableSchema = { ...table('UNIQUE', [{ name: 'dt', type: 'DATE' }]), keyColumns: ['id', 'dt'] };
		assert.equal(mapperOf(keyed, { cdc: true }).map({ op: 'd', before: { id: 7, name: 'x', ts: 1 } }).ok, true);
		assert.equal(mapperOf(keyed).map({ id: 7, name: 'x', __deleted: 'true' }).ok, true);
	});

	it('a sequence column the key lacks: Invalid, delete_sequence, as for any delete', () => {
		const sequenced: TableSchema = { ...table('UNIQUE', [{ name: 'v', type: 'BIGINT' }]), sequenceColumn: 'v' };
		const r = mapperOf(sequenced).map(tombstoneRow);
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual(r.reasons.map((x) => x.rule), ['delete_sequence']);
	});

	it('packed lines as items: the delete line with the sign, upserts without; a DUPLICATE table\'s delete on Invalid', () => {
		const lines = ['{"id":1,"name":"a"}', '{"id":1,"__DORIS_DELETE_SIGN__":1}', '{"id":2,"name":"b"}'];
		const variants: Array<[Partial<RowMapperOptions>, string[]]> = [
			[{}, lines],
			[{ sourcePath: 'payload' }, ['{"payload":{"id":1,"name":"a"}}', lines[1], '{"payload":{"id":2,"name":"b"}}']],
			[{ cdc: true }, ['{"op":"c","after":{"id":1,"name":"a"}}', '{"op":"d","before":{"id":1,"name":"a"}}', lines[1]]],
		];
		for (const [o, input] of variants) {
			const m = mapperOf(table('UNIQUE'), o);
			const packed = routePacked(pack(input), m, labels, 0);
			assert.equal(packed.invalid.length, 0, JSON.stringify(o));
			assert.match(packed.packed?.jsonLines ?? '', /\{"id":1,"__DORIS_DELETE_SIGN__":1\}\n/);
			assert.equal(packed.packed?.deleteSign, true);
		}
		const duplicate = routePacked(pack(lines.slice(1)), mapperOf(table('DUPLICATE')), labels, 0);
		assert.deepEqual(duplicate.invalid.map((r) => (r.json[INVALID_FIELD] as InvalidInfo).reasons[0].rule), ['delete_unsupported']);
		const items = routeItems([{ json: { ...tombstoneRow } }], mapperOf(table('UNIQUE')), labels);
		assert.equal(items.rows.length, 1);
	});

	it('a Field Mapping from the sign keeps it as data (a soft delete flag), source path or not', () => {
		const soft = mapperOf(table('UNIQUE', [{ name: 'flag', type: 'TINYINT' }]), { mapping: [{ field: DELETE_SIGN_COLUMN, column: 'flag' }] });
		assert.deepEqual(soft.map(tombstoneRow), { ok: true, row: { id: 7, flag: 1 } });
	});
});
