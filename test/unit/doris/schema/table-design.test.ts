import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { columnFromConnect, inferColumn } from '../../../../src/doris/schema/column-types';
import { addColumnsStatement, createTableStatement, designTable, designTableFrom, keyColumnsOf, type CreateOptions } from '../../../../src/doris/schema/table-design';

const target = { database: 'inventory', table: 'customers' };
const options: CreateOptions = { cdc: true, sourcePath: '', keyColumns: [], properties: [] };

function message(fields: Array<Record<string, unknown>>, after: Record<string, unknown>, key?: string): Record<string, unknown> {
	return {
		schema: { type: 'struct', fields: [{ type: 'struct', optional: true, field: 'before', fields }, { type: 'struct', optional: true, field: 'after', fields }, { type: 'string', field: 'op' }] },
		payload: { before: null, after, op: 'c' },
		...(key === undefined ? {} : { _kafka: { topic: 'x', key } }),
	};
}

describe('Doris column types for Kafka Connect fields', () => {
	it('maps Connect and Debezium types to the Doris types that lose nothing', () => {
		const type = (schema: Record<string, unknown>) => (columnFromConnect('c', schema, false) as { type: string }).type;
		// isostring (Debezium 3.1+): a zone-less DATETIME / DATE as ISO text, a TIME as text (review session 20, F8).
		assert.equal(type({ type: 'string', name: 'io.debezium.time.IsoTimestamp' }), 'DATETIME(6)');
		assert.equal(type({ type: 'string', name: 'io.debezium.time.IsoDate' }), 'DATE');
		assert.equal(type({ type: 'string', name: 'io.debezium.time.IsoTime' }), 'STRING');
		assert.equal(type({ type: 'int16' }), 'SMALLINT');
		assert.equal(type({ type: 'int64', name: 'io.debezium.time.MicroTimestamp' }), 'DATETIME(6)');
		assert.equal(type({ type: 'int64', name: 'io.debezium.time.Timestamp' }), 'DATETIME(3)');
		assert.equal(type({ type: 'int32', name: 'io.debezium.time.Date' }), 'DATE');
		assert.equal(type({ type: 'int64', name: 'io.debezium.time.MicroTime' }), 'STRING');
		assert.equal(type({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '4', 'connect.decimal.precision': '20' } }), 'DECIMAL(20, 4)');
		assert.equal(type({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '65' } }), 'STRING');
		assert.equal(type({ type: 'string', name: 'io.debezium.data.Json' }), 'JSON');
		assert.equal(type({ type: 'string', parameters: { '__debezium.source.column.length': '64' } }), 'VARCHAR(256)');
		assert.equal(type({ type: 'string', parameters: { '__debezium.source.column.length': '20000' } }), 'STRING');
		assert.equal(type({ type: 'array', items: { type: 'int32' } }), 'ARRAY<INT>');
	});

	it('keys: STRING becomes VARCHAR(65533), FLOAT / DOUBLE / JSON are refused', () => {
		assert.deepEqual(columnFromConnect('k', { type: 'string' }, true), { name: 'k', type: 'VARCHAR(65533)', nullable: false });
		assert.match((columnFromConnect('k', { type: 'float64' }, true) as { refused: string }).refused, /DOUBLE, which Doris refuses in a key/);
		assert.deepEqual(inferColumn('n', 3, false), { name: 'n', type: 'BIGINT', nullable: true });
		assert.equal(inferColumn('n', null, false), undefined);
	});
});

describe('designTable: the table a change event asks for', () => {
	const fields = [
		{ type: 'int64', optional: false, field: 'id' },
		{ type: 'string', optional: true, field: 'email' },
		{ type: 'int64', optional: false, name: 'io.debezium.time.MicroTimestamp', field: 'updated_at' },
	];
	const key = JSON.stringify({ schema: { type: 'struct', fields: [{ type: 'int64', field: 'id' }] }, payload: { id: 1 } });

	it('UNIQUE KEY on the Kafka key\'s fields, key columns first and NOT NULL, the CREATE statement Doris takes', () => {
		const design = designTable(target, message([...fields].reverse(), { id: 1, email: null, updated_at: 1 }, key), { ...options, sequenceColumn: 'updated_at', properties: [['replication_num', '1']] });
		assert.ok(!('refused' in design));
		assert.deepEqual(design.keys, [{ name: 'id', type: 'BIGINT', nullable: false }]);
		assert.deepEqual(design.values.map((v) => v.name), ['updated_at', 'email']);
		assert.equal(
			createTableStatement(design),
			'CREATE TABLE IF NOT EXISTS `inventory`.`customers` (\n  `id` BIGINT NOT NULL,\n  `updated_at` DATETIME(6) NULL,\n  `email` STRING NULL\n) UNIQUE KEY(`id`)\nDISTRIBUTED BY HASH(`id`) BUCKETS AUTO\nPROPERTIES ("enable_unique_key_merge_on_write" = "true", "light_schema_change" = "true", "function_column.sequence_col" = "updated_at", "replication_num" = "1")',
		);
		assert.equal(addColumnsStatement(target, [{ name: 'a`b', type: 'INT', nullable: false }]), 'ALTER TABLE `inventory`.`customers` ADD COLUMN (`a``b` INT NULL)');
	});

	it('the key from the option, from a schemaless key, or refused naming what is missing', () => {
		const schemaless = designTable(target, message(fields, { id: 1, email: 'a', updated_at: 1 }, '{"id":1}'), options);
		assert.ok(!('refused' in schemaless) && schemaless.keys[0].name === 'id');
		assert.deepEqual(keyColumnsOf({ _kafka: { key: 'plain-text' } }), undefined);
		assert.match((designTable(target, message(fields, { id: 1 }), options) as { refused: string }).refused, /primary key is unknown/);
		assert.match((designTable(target, message(fields, { id: 1 }), { ...options, keyColumns: ['nope'] }) as { refused: string }).refused, /key column "nope" is not a field of the message/);
		assert.match((designTable(target, message(fields, { id: 1 }, key), { ...options, sequenceColumn: 'email' }) as { refused: string }).refused, /sequence column "email" would be STRING/);
	});
});

describe('the source column default (Connect schema "default") in created and added columns', () => {
	const spec = (schema: Record<string, unknown>) => columnFromConnect('c', schema, false) as { type: string; defaultValue?: string };
	it('decoded along its logical type into the text Doris reads; none where Doris takes only NULL or the default means nothing', () => {
		assert.equal(spec({ type: 'string', default: 'new' }).defaultValue, 'new');
		assert.equal(spec({ type: 'int32', default: 7 }).defaultValue, '7');
		assert.equal(spec({ type: 'int64', default: -1 }).defaultValue, '-1');
		assert.equal(spec({ type: 'boolean', default: false }).defaultValue, 'false');
		assert.equal(spec({ type: 'float64', default: 0.25 }).defaultValue, '0.25');
		assert.equal(spec({ type: 'int32', name: 'io.debezium.time.Date', default: 19844 }).defaultValue, '2024-05-01');
		// Decimal(10,2) 12.50: unscaled 1250 as big-endian bytes, base64.
		assert.equal(spec({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '10' }, default: 'BOI=' }).defaultValue, '12.50');
		assert.equal(spec({ type: 'string', name: 'io.debezium.data.Enum', default: 'open' }).defaultValue, 'open');
		for (const none of [
			{ type: 'string' },
			{ type: 'string', default: null },
			{ type: 'float32', default: 0.1 },
			{ type: 'int64', name: 'io.debezium.time.Timestamp', default: 0 },
			{ type: 'string', name: 'io.debezium.time.ZonedTimestamp', default: '1970-01-01T00:00:00Z' },
			{ type: 'string', name: 'io.debezium.data.Json', default: '{}' },
			{ type: 'bytes', default: 'AAE=' },
			{ type: 'int32', name: 'io.debezium.time.Date', default: 'not days' },
		]) assert.equal(spec(none).defaultValue, undefined, JSON.stringify(none));
	});
	it('written as DEFAULT "…" (quotes and backslashes escaped) in ADD COLUMN, the column still nullable', () => {
		assert.equal(
			addColumnsStatement(target, [{ name: 'status', type: 'STRING', nullable: true, defaultValue: 'say "hi" \\' }, { name: 'n', type: 'INT', nullable: true }]),
			'ALTER TABLE `inventory`.`customers` ADD COLUMN (`status` STRING NULL DEFAULT "say \\"hi\\" \\\\", `n` INT NULL)',
		);
	});
});

describe('Key Columns against the key a message carries', () => {
	const tenantFields = [
		{ type: 'int32', optional: false, field: 'tenant_id' },
		{ type: 'int64', optional: false, field: 'id' },
		{ type: 'string', optional: true, field: 'name' },
	];
	const tenantKey = JSON.stringify({ schema: { type: 'struct', fields: tenantFields.slice(0, 2) }, payload: { tenant_id: 1, id: 5 } });
	const keys = (d: ReturnType<typeof designTable>) => ('refused' in d ? d.refused : d.keys.map((k) => k.name).join(', '));

	it('refuses a table whose Key Columns name other columns than the Kafka key: a narrower UNIQUE KEY merges rows of different keys, quietly', () => {
		// Before: UNIQUE KEY(id) for a source keyed on (tenant_id, id): tenant 2's id 5 overwrote tenant 1's.
		const narrower = keys(designTable(target, message(tenantFields, { tenant_id: 1, id: 5, name: 'a' }, tenantKey), { ...options, keyColumns: ['id'] }));
		assert.match(narrower, /cannot create table inventory\.customers: Key Columns \(id\) and this message's Kafka key \(tenant_id, id\) name different columns/);
		assert.match(narrower, /clear Key Columns to take each message's key, or make it name the same columns/);
		// A Kafka key that is not the row's key (events keyed by user) against Key Columns naming the row's key: refused too, not guessed.
		const events = keys(designTable(target, message(tenantFields, { tenant_id: 1, id: 5 }, '{"tenant_id":1}'), { ...options, keyColumns: ['tenant_id', 'id'] }));
		assert.match(events, /Key Columns \(tenant_id, id\) and this message's Kafka key \(tenant_id\) name different columns/);
	});

	it('the same columns in either order: Key Columns gives the order; no Kafka key: Key Columns alone; no Key Columns: the Kafka key', () => {
		assert.equal(keys(designTable(target, message(tenantFields, { tenant_id: 1, id: 5 }, tenantKey), { ...options, keyColumns: ['id', 'tenant_id'] })), 'id, tenant_id');
		assert.equal(keys(designTable(target, message(tenantFields, { tenant_id: 1, id: 5 }), { ...options, keyColumns: ['id'] })), 'id');
		assert.equal(keys(designTable(target, message(tenantFields, { tenant_id: 1, id: 5 }, tenantKey), options)), 'tenant_id, id');
	});
});

describe('designTableFrom: the first message holding a row', () => {
	const keyed = { ...options, keyColumns: ['id'] };
	const columns = (d: ReturnType<typeof designTableFrom>) => ('refused' in d ? d.refused : [...d.keys, ...d.values].map((c) => `${c.name} ${c.type}`).join(', '));
	it('passes over messages without a row, and takes a delete only when no other message has a row', () => {
		const truncate = { op: 't', before: null, after: null };
		const keyOnlyDelete = { op: 'd', before: { id: 1 }, after: null };
		const create = { op: 'c', before: null, after: { id: 1, name: 'a' } };
		assert.equal(columns(designTableFrom(target, [truncate, { op: 'm' }, { _parseError: { kind: 'json' } }, keyOnlyDelete, create], keyed)), 'id BIGINT, name STRING');
		assert.equal(columns(designTableFrom(target, [truncate, keyOnlyDelete, { op: 'd', before: { id: 2, name: 'b' }, after: null }], keyed)), 'id BIGINT');
		assert.match(columns(designTableFrom(target, [truncate], keyed)), /cannot create table inventory\.customers from this message: Debezium op "t" has no row to load/);
		assert.match(columns(designTableFrom(target, [], keyed)), /no message to take its columns from/);
	});
});

describe('Create Tables from flattened Debezium records (ExtractNewRecordState, delete rewriting)', () => {
	const flat: CreateOptions = { cdc: false, sourcePath: '', keyColumns: ['id'], properties: [] };
	it('no column for __deleted (it would turn every delete into a stored row flagged "true"), and a delete designs the table only when nothing else can', () => {
		const design = designTableFrom(target, [{ id: 1, __deleted: 'true' }, { id: 2, name: 'a', __deleted: 'false' }], flat);
		assert.ok(!('refused' in design));
		assert.deepEqual([...design.keys, ...design.values].map((c) => c.name), ['id', 'name']);
		// Debezium Envelopes on: the record is the envelope's, a field __deleted there is the source table's column.
		const cdcDesign = designTable(target, { op: 'c', after: { id: 1, __deleted: 'x' } }, { ...flat, cdc: true });
		assert.ok(!('refused' in cdcDesign));
		assert.deepEqual([...cdcDesign.keys, ...cdcDesign.values].map((c) => c.name), ['id', '__deleted']);
	});
});
