/**
 * A PostgreSQL delete under the default REPLICA IDENTITY (DEFAULT): the old tuple holds the key alone,
 * and Debezium fills every NOT NULL column of `before` with its converter's fallback (JdbcValueConverters
 * .convertValue: the schema default, else 0 / "" / the epoch), so a sequence column reads 1970-01-01.
 * Doris ignores a delete whose sequence value is below the stored row's: before this, the delete loaded,
 * was counted, and the row stayed. It must go to Invalid (delete_sequence), per item, packed and in a
 * worker thread alike, envelope or flattened, with or without the Connect schema; a real delete (the
 * whole row, or MySQL's) still loads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { parseJsonExact } from '../../../../src/common/exact-json';
import { fixtureFile, VARIANTS } from '../../../fixtures/debezium/rows';

import { DELETE_SIGN_COLUMN, type PackedRows } from '../../../../src/common/item-contract';
import { isFallbackShaped } from '../../../../src/doris/schema/debezium-fallbacks';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { PackedWorkerPool } from '../../../../src/doris/schema/packed-worker-pool';
import { routeItems } from '../../../../src/doris/schema/route-items';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type Rejection } from '../../../../src/doris/schema/row-mapper';

const table = {
	...manualSchema('demo', 'customers', [
		{ name: 'id', type: 'BIGINT', nullable: false },
		{ name: 'name', type: 'VARCHAR(128)', nullable: false },
		{ name: 'email', type: 'VARCHAR(256)' },
		{ name: 'updated_at', type: 'DATETIME(3)', nullable: false },
	]),
	keyModel: 'UNIQUE' as const,
	keyColumns: ['id'],
	sequenceColumn: 'updated_at',
	deleteSign: true,
};

type Field = Record<string, unknown>;
const fields = (updatedAt: Field = { type: 'int64', optional: false, field: 'updated_at', name: 'io.debezium.time.Timestamp', version: 1 }): Field[] => [
	{ type: 'int64', optional: false, field: 'id' },
	{ type: 'string', optional: false, field: 'name' },
	{ type: 'string', optional: true, field: 'email' },
	updatedAt,
];
const rowSchema = (field: string, updatedAt?: Field) => ({ type: 'struct', optional: true, field, name: 'pg.public.customers.Value', fields: fields(updatedAt) });
const envelope = (payload: Record<string, unknown>, updatedAt?: Field) => ({
	schema: { type: 'struct', name: 'pg.public.customers.Envelope', fields: [rowSchema('before', updatedAt), rowSchema('after', updatedAt), { type: 'string', optional: false, field: 'op' }] },
	payload,
});
const pgSource = { connector: 'postgresql', db: 'inventory', schema: 'public', table: 'customers' };
/** What Debezium writes for DELETE FROM customers WHERE id = 7 under REPLICA IDENTITY DEFAULT: NOT NULL name "", NOT NULL updated_at 0L, nullable email null. */
const keyOnlyBefore = { id: 7, name: '', email: null, updated_at: 0 };
const labels = { workflow: 'w', node: 'n' };
/** Without a schema, io.debezium.time.Timestamp is a count of milliseconds. */
const options = { ...DEFAULT_ROW_MAPPER_OPTIONS, dates: { timeZone: 'UTC', epochUnit: 'ms' as const } };

/** The customers table with an integer sequence column (a version: 0 may be a real value). */
const versioned = {
	...manualSchema('demo', 'customers', [
		{ name: 'id', type: 'BIGINT', nullable: false },
		{ name: 'name', type: 'VARCHAR(128)', nullable: false },
		{ name: 'email', type: 'VARCHAR(256)' },
		{ name: 'version', type: 'BIGINT', nullable: false },
	]),
	keyModel: 'UNIQUE' as const,
	keyColumns: ['id'],
	sequenceColumn: 'version',
	deleteSign: true,
};

function reasonsOf(item: { json: Record<string, unknown> }): Rejection[] {
	return (item.json._invalid as { reasons: Rejection[] }).reasons;
}

function assertStandInRefused(reasons: Rejection[]): void {
	assert.equal(reasons.length, 1, JSON.stringify(reasons));
	assert.equal(reasons[0].rule, 'delete_sequence');
	assert.equal(reasons[0].column, 'updated_at');
	assert.match(reasons[0].message, /sequence column "updated_at" of demo\.customers is "1970-01-01 00:00:00\.000" \(field "updated_at"\)/);
	assert.match(reasons[0].message, /REPLICA IDENTITY FULL/);
}

function packedOf(values: readonly unknown[]): PackedRows {
	return {
		jsonLines: values.map((v) => `${JSON.stringify(v)}\n`).join(''),
		count: values.length,
		sources: [{ topic: 'pg.public.customers', partition: 0, firstOffset: '0', lastOffset: String(values.length - 1), lines: values.length }],
	};
}

describe('a key-only PostgreSQL delete (REPLICA IDENTITY DEFAULT) into a table with a sequence column', () => {
	const pool = new PackedWorkerPool({ size: 1, minLines: 0 });
	after(() => pool.close());
	const cdc = new RowMapper(table, { ...options, cdc: true });

	it('goes to Invalid (delete_sequence) naming the column, the value and REPLICA IDENTITY FULL: per item, packed and in a worker thread alike', async () => {
		const update = envelope({ op: 'u', before: null, after: { id: 7, name: 'Ann', email: null, updated_at: 1733560000000 }, source: pgSource });
		const variants = [
			envelope({ op: 'd', before: keyOnlyBefore, after: null, source: pgSource }),
			// schemas.enable=false: no schema, the source block says PostgreSQL.
			{ op: 'd', before: keyOnlyBefore, after: null, source: pgSource },
		];
		for (const del of variants) {
			const routed = routeItems([{ json: update }, { json: del }], cdc, labels);
			assert.equal(routed.rows.length, 1, 'the update loads');
			assert.equal(routed.invalid.length, 1);
			assertStandInRefused(reasonsOf(routed.invalid[0]));

			const packed = packedOf([update, del]);
			const inThread = routePacked(packed, cdc, labels, 0);
			assert.equal(inThread.invalid.length, 1);
			assert.deepEqual(reasonsOf(inThread.invalid[0]), reasonsOf(routed.invalid[0]), 'packed: the same reason');
			assert.deepEqual(await pool.route(packed, cdc, labels, 0), inThread, 'a worker thread gives the same output');
		}
	});

	it('a timestamptz sequence column (ZonedTimestamp, fallback the epoch text) and a NOT NULL column with a declared default (Debezium writes the default) are refused too', () => {
		const zoned = { type: 'string', optional: false, field: 'updated_at', name: 'io.debezium.time.ZonedTimestamp', version: 1 };
		const r1 = cdc.map(envelope({ op: 'd', before: { id: 7, name: '', email: null, updated_at: '1970-01-01T00:00:00Z' }, after: null, source: pgSource }, zoned));
		assert.equal(r1.ok, false);
		if (!r1.ok) assert.deepEqual(r1.reasons.map((r) => r.rule), ['delete_sequence']);
		// updated_at NOT NULL DEFAULT '2000-01-01 00:00:00': Debezium's schema declares the default and fills it in.
		const withDefault = { type: 'int64', optional: false, field: 'updated_at', name: 'io.debezium.time.Timestamp', version: 1, default: 946684800000 };
		const r2 = cdc.map(envelope({ op: 'd', before: { id: 7, name: '', email: null, updated_at: 946684800000 }, after: null, source: pgSource }, withDefault));
		assert.equal(r2.ok, false);
		if (!r2.ok) assert.deepEqual(r2.reasons.map((r) => r.rule), ['delete_sequence']);
	});

	it('a flattened delete (ExtractNewRecordState, __deleted "true") is refused the same way, with or without the schema, per item and packed', async () => {
		const flat = new RowMapper(table, options);
		const record = { ...keyOnlyBefore, __deleted: 'true' };
		const withSchema = { schema: { type: 'struct', name: 'pg.public.customers.Value', fields: [...fields(), { type: 'string', optional: true, field: '__deleted' }] }, payload: record };
		const flatPath = new RowMapper(table, { ...options, sourcePath: 'payload' });
		for (const [mapper, value] of [
			[flat, record],
			[flat, { ...record, __source_connector: 'postgresql' }],
			[flatPath, withSchema],
		] as const) {
			const routed = routeItems([{ json: value }], mapper, labels);
			assert.equal(routed.invalid.length, 1, JSON.stringify(value));
			assertStandInRefused(reasonsOf(routed.invalid[0]));
			const packed = packedOf([value]);
			const inThread = routePacked(packed, mapper, labels, 0);
			assert.deepEqual(reasonsOf(inThread.invalid[0]), reasonsOf(routed.invalid[0]));
			assert.deepEqual(await pool.route(packed, mapper, labels, 0), inThread);
		}
	});

	it('a real delete still loads: the whole row (REPLICA IDENTITY FULL), a MySQL delete, a sequence value of 0 next to real values', () => {
		const full = cdc.map(envelope({ op: 'd', before: { id: 7, name: 'Ann', email: null, updated_at: 1733560000000 }, after: null, source: pgSource }));
		assert.deepEqual(full, { ok: true, row: { id: 7, name: 'Ann', email: null, updated_at: '2024-12-07 08:26:40.000', [DELETE_SIGN_COLUMN]: 1 } });
		// MySQL refuses to stream without binlog_row_image FULL / NOBLOB: its "before" is the row, zeros and all.
		const mysql = cdc.map(envelope({ op: 'd', before: keyOnlyBefore, after: null, source: { connector: 'mysql', db: 'inventory', table: 'customers' } }));
		assert.equal(mysql.ok, true);
		// An upsert with a sequence value of 0 is the source's value.
		assert.equal(cdc.map({ op: 'c', before: null, after: keyOnlyBefore, source: pgSource }).ok, true);
	});

	it('an integer sequence column (a version, 0 may be real): refused only when every other non-key field holds its stand-in too', () => {
		const mapper = new RowMapper(versioned, { ...options, cdc: true });
		const refused = mapper.map({ op: 'd', before: { id: 7, name: '', email: null, version: 0 }, after: null, source: pgSource });
		assert.equal(refused.ok, false);
		if (!refused.ok) assert.deepEqual(refused.reasons.map((r) => `${String(r.column)} ${r.rule}`), ['version delete_sequence']);
		assert.equal(mapper.map({ op: 'd', before: { id: 7, name: 'Ann', email: null, version: 0 }, after: null, source: pgSource }).ok, true, 'a real row at version 0');
		// A nullable column that holds a value is no key-only image either.
		assert.equal(mapper.map({ op: 'd', before: { id: 7, name: '', email: 'a@x', version: 0 }, after: null, source: pgSource }).ok, true);
	});

	// Late review session 20, K1: a flattened record is read at the item's top level, beside `_kafka` (Include
	// Metadata) and the Add Kafka Fields; counted as source fields, they let the key-only delete load with version 0.
	it('a flattened key-only delete with an integer sequence column is refused also beside the item\'s own fields and the Add Kafka Fields, per item and packed', () => {
		const keyOnly = { id: 7, name: '', email: null, version: 0, __deleted: 'true', __source_connector: 'postgresql' };
		const withMetadata = { ...keyOnly, _kafka: { topic: 'pg.public.customers', partition: 0, offset: '42', timestamp: '1733560000000', key: '{"id":7}' } };
		const withKafkaFields = { ...keyOnly, kafka_offset: '42', _doris: { kafkaFields: ['kafka_offset'] } };
		for (const json of [withMetadata, withKafkaFields]) {
			const routed = routeItems([{ json }], new RowMapper(versioned, options), labels);
			assert.equal(routed.invalid.length, 1, JSON.stringify(routed.rows.map((r) => r.json)));
			assert.equal(reasonsOf(routed.invalid[0])[0].rule, 'delete_sequence');
		}
		const packed = { ...packedOf([{ ...keyOnly, kafka_offset: '42' }]), doris: { kafkaFields: ['kafka_offset'] } };
		const routed = routePacked(packed as PackedRows, new RowMapper(versioned, options), labels, 0);
		assert.equal(routed.invalid.length, 1);
	});

	it('a DATETIME sequence column at the epoch decides alone: a NOT NULL column with a constant DEFAULT (its stand-in unknown without the schema) does not hide the key-only delete', () => {
		// status text NOT NULL DEFAULT 'new': Debezium writes the default into the key-only before.
		const columns = [...table.columns.map((c) => ({ name: c.name, type: c.typeText, nullable: c.nullable })), { name: 'status', type: 'VARCHAR(16)', nullable: false }];
		const withStatus = { ...manualSchema('demo', 'customers', columns), keyModel: 'UNIQUE' as const, keyColumns: ['id'], sequenceColumn: 'updated_at', deleteSign: true };
		const mapper = new RowMapper(withStatus, { ...options, cdc: true });
		const r = mapper.map({ op: 'd', before: { ...keyOnlyBefore, status: 'new' }, after: null, source: pgSource });
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual(r.reasons.map((x) => x.rule), ['delete_sequence']);
	});

	// Late review session 20, K2: the epoch deciding alone refused a real delete at the epoch too. With the
	// message's own Connect schema the declared defaults are known, so the other fields decide.
	it('with the message\'s own Connect schema a whole row at the epoch loads (MySQL zero date flattened, REPLICA IDENTITY FULL); the key-only image is still refused, a declared constant DEFAULT too', () => {
		const flatPath = new RowMapper(table, { ...options, sourcePath: 'payload' });
		const flatSchema = (extra: Field[] = []) => ({ type: 'struct', name: 'my.inventory.customers.Value', fields: [...fields(), ...extra, { type: 'string', optional: true, field: '__deleted' }] });
		const zeroDate = flatPath.map({ schema: flatSchema(), payload: { id: 7, name: 'Ann', email: null, updated_at: 0, __deleted: 'true' } });
		assert.deepEqual(zeroDate, { ok: true, row: { id: 7, name: 'Ann', email: null, updated_at: '1970-01-01 00:00:00.000', [DELETE_SIGN_COLUMN]: 1 } });
		const full = cdc.map(envelope({ op: 'd', before: { id: 7, name: 'Ann', email: null, updated_at: 0 }, after: null, source: pgSource }));
		assert.equal(full.ok, true, 'REPLICA IDENTITY FULL, a row whose NOT NULL sequence really holds the epoch');
		const keyOnly = flatPath.map({ schema: flatSchema(), payload: { ...keyOnlyBefore, __deleted: 'true' } });
		assert.equal(keyOnly.ok, false);
		// status NOT NULL DEFAULT 'new', declared in the schema: Debezium writes it, the schema says it is the stand-in.
		const columns = [...table.columns.map((c) => ({ name: c.name, type: c.typeText, nullable: c.nullable })), { name: 'status', type: 'VARCHAR(16)', nullable: false }];
		const withStatus = { ...manualSchema('demo', 'customers', columns), keyModel: 'UNIQUE' as const, keyColumns: ['id'], sequenceColumn: 'updated_at', deleteSign: true };
		const status = { type: 'string', optional: false, field: 'status', default: 'new' };
		const r = new RowMapper(withStatus, { ...options, sourcePath: 'payload' }).map({ schema: flatSchema([status]), payload: { ...keyOnlyBefore, status: 'new', __deleted: 'true' } });
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual(r.reasons.map((x) => x.rule), ['delete_sequence']);
		// Without a schema of its own the epoch still decides alone: the cost README names (add.fields=source.connector tells MySQL).
		assert.equal(new RowMapper(table, options).map({ id: 7, name: 'Ann', email: null, updated_at: 0, __deleted: 'true' }).ok, false);
		assert.equal(new RowMapper(table, options).map({ id: 7, name: 'Ann', email: null, updated_at: 0, __deleted: 'true', __source_connector: 'mysql' }).ok, true);
	});

	it('tells the fallback shapes from values', () => {
		for (const v of [null, 0, '', false, '1970-01-01T00:00:00Z', '1970-01-01 00:00:00.000', '1970-01-01', '00:00:00Z', '0.0000', 'AA==', [], {}, '{}', { scale: 0, value: 'AA==' }]) assert.equal(isFallbackShaped(v), true, JSON.stringify(v));
		for (const v of [1, 'a', true, '1970-01-02', '2024-01-01T00:00:00Z', [0], { a: 1 }, '00:00:01']) assert.equal(isFallbackShaped(v), false, JSON.stringify(v));
	});
});

/**
 * What Debezium puts in a field of `before` for a column the old tuple lacks, by its Connect schema
 * (JdbcValueConverters.convertValue / toBigDecimal): null when optional, else the fallback, a Decimal's
 * being BigDecimal.ZERO at the column's scale (precise: its one 0 byte; string: "0.0000"; double: 0).
 */
function standIn(field: { optional?: boolean; type?: string; name?: string; parameters?: Record<string, string> }): unknown {
	if (field.optional === true) return null;
	if (field.name === 'org.apache.kafka.connect.data.Decimal') return 'AA==';
	if (field.type === 'string') return field.name === 'io.debezium.time.ZonedTimestamp' ? '1970-01-01T00:00:00Z' : `0.${'0'.repeat(4)}`;
	return 0;
}

describe('the PostgreSQL fixture streams with their delete as REPLICA IDENTITY DEFAULT sends it', () => {
	const sinkTable = {
		...manualSchema('demo', 'orders_cdc', [
			{ name: 'id', type: 'INT', nullable: false },
			{ name: 'order_date', type: 'DATE', nullable: false },
			{ name: 'updated_at', type: 'DATETIME(3)', nullable: false },
			{ name: 'amount', type: 'DECIMAL(20, 4)', nullable: false },
		]),
		keyModel: 'UNIQUE' as const,
		keyColumns: ['id'],
		sequenceColumn: 'updated_at',
		deleteSign: true,
	};
	for (const v of VARIANTS.filter((x) => x.connector === 'postgresql')) {
		it(`${fixtureFile(v)}: the key-only delete goes to Invalid (delete_sequence), the whole-row delete loads`, () => {
			const lines = readFileSync(path.join(__dirname, '../../../fixtures/debezium', fixtureFile(v)), 'utf8').split('\n').filter((l) => l !== '');
			const deleteText = lines.map((l) => l.slice(l.indexOf(',"value":') + ',"value":'.length, -1)).find((t) => t.includes('"op":"d"'));
			assert.ok(deleteText !== undefined);
			const whole = parseJsonExact(deleteText) as { schema: { fields: Array<{ field: string; fields: Array<Record<string, unknown>> }> }; payload: { before: Record<string, unknown> } };
			const mapper = new RowMapper(sinkTable, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
			assert.equal(mapper.map(whole as unknown as Record<string, unknown>).ok, true, 'REPLICA IDENTITY FULL: the row is deleted');
			const beforeFields = whole.schema.fields.find((f) => f.field === 'before')?.fields ?? [];
			const keyOnly = Object.fromEntries(beforeFields.map((f) => [f.field as string, f.field === 'id' ? whole.payload.before.id : standIn(f)]));
			const r = mapper.map({ ...whole, payload: { ...whole.payload, before: keyOnly } });
			assert.equal(r.ok, false, JSON.stringify(keyOnly));
			if (!r.ok) assert.deepEqual(r.reasons.map((x) => `${String(x.column)} ${x.rule}`), ['updated_at delete_sequence']);
		});
	}
});
