// Create Missing Tables behind a Schema Registry: the key from `_kafka.decodedKey` (a key in the
// registry's wire format, which `_kafka.key` shows as base64), the real reason when the key names no
// column, and the column types from `_kafka.valueSchema` (the Connect schema of the Avro writer
// schema), not guessed from values (a double of 3.0 arrives as 3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';
import { designTable, type CreateOptions } from '../../../../src/doris/schema/table-design';

const target = { database: 'inventory', table: 'orders' };
const cdc: CreateOptions = { cdc: true, sourcePath: '', keyColumns: [], properties: [] };
/** Debezium's Avro key of `{id: 7}` as the trigger shows its bytes: magic byte, schema id 3, zigzag long. */
const WIRE_KEY = Buffer.from([0, 0, 0, 0, 3, 14]).toString('base64');

function event(after: Record<string, unknown>, kafka: Record<string, unknown>): Record<string, unknown> {
	return { before: null, after, op: 'c', source: { table: 'orders' }, _kafka: { topic: 'dbserver1.inventory.orders', partition: 0, offset: '0', key: WIRE_KEY, ...kafka } };
}
const refusal = (d: ReturnType<typeof designTable>) => ('refused' in d ? d.refused : '');
const columns = (d: ReturnType<typeof designTable>) => ('refused' in d ? d.refused : [...d.keys, ...d.values].map((c) => `${c.name} ${c.type}${d.keys.includes(c) ? ' KEY' : ''}`).join(', '));

describe('Create Missing Tables: the key of a message whose key is in a Schema Registry wire format', () => {
	it('takes the key columns from the decoded key record (Debezium key struct), not the base64 of its bytes', () => {
		const design = designTable(target, event({ id: 7, name: 'tea' }, { decodedKey: { id: 7 } }), cdc);
		assert.equal(columns(design), 'id BIGINT KEY, name STRING');
	});

	it('a key that could not be decoded: the refusal names why, not "carries no Kafka key"', () => {
		const reason = "the message key (in the Schema Registry's wire format, schema id 3) could not be decoded: no schema with id 3";
		const text = refusal(designTable(target, event({ id: 7 }, { keyError: reason }), cdc));
		assert.match(text, /cannot create table inventory\.orders: its primary key is unknown \(the message key \(in the Schema Registry's wire format, schema id 3\) could not be decoded: no schema with id 3\); set Key Columns/);
		assert.doesNotMatch(text, /carries no Kafka key/);
		// Key Columns set: the table is created on them, as for any message without a usable key.
		assert.equal(columns(designTable(target, event({ id: 7 }, { keyError: reason }), { ...cdc, keyColumns: ['id'] })), 'id BIGINT KEY');
	});

	it('a wire-format key that was not decoded (Message Format JSON), a plain key, no key: each refusal says which', () => {
		assert.match(refusal(designTable(target, event({ id: 7 }, {}), cdc)), /its Kafka key "AAAAAAMO" is in a Schema Registry's wire format \(schema id 3, shown as base64\), which is decoded only with the trigger's Message Format Schema Registry/);
		assert.match(refusal(designTable(target, event({ id: 7 }, { decodedKey: 7 }), cdc)), /its Kafka key \(decoded through the Schema Registry\) is the single value "7", which names no column/);
		assert.match(refusal(designTable(target, event({ id: 7 }, { key: null }), cdc)), /the message has no Kafka key \(null\)/);
		assert.match(refusal(designTable(target, event({ id: 7 }, { key: 'user-42' }), cdc)), /its Kafka key "user-42" is not JSON naming the key columns/);
		assert.match(refusal(designTable(target, { op: 'c', after: { id: 7 } }, cdc)), /the message carries no Kafka key; turn on the trigger's Include Metadata with One Item per Message/);
	});
});

describe("Create Missing Tables: column types from the value's Connect schema (`_kafka.valueSchema`)", () => {
	const row = {
		type: 'struct',
		name: 'dbserver1.inventory.orders.Value',
		optional: true,
		fields: [
			{ field: 'id', type: 'int64', optional: false },
			{ field: 'price', type: 'float64', optional: false },
			{ field: 'weight', type: 'float32', optional: true },
			{ field: 'amount', type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '10' }, optional: true },
			{ field: 'placed_on', type: 'int32', name: 'org.apache.kafka.connect.data.Date', optional: true },
			{ field: 'placed_at', type: 'int64', name: 'io.debezium.time.MicroTimestamp', optional: true },
			{ field: 'ref', type: 'string', name: 'io.debezium.data.Uuid', optional: true },
			{ field: 'either', optional: true },
		],
	};
	const valueSchema = { type: 'struct', optional: false, fields: [{ ...row, field: 'before' }, { ...row, field: 'after' }, { field: 'op', type: 'string', optional: false }] };
	// As decoded from Avro: the double 3.0 is the number 3, logical types are text.
	const after = { id: 7, price: 3, weight: 2, amount: '12.50', placed_on: '2024-05-01', placed_at: '2024-05-01T12:00:00.000000', ref: '9d3e0123-0000-4000-8000-000000000000', either: 5 };

	it('a whole double is DOUBLE, not BIGINT (a later 3.5 went to Invalid for good); decimal, date, timestamp and uuid as declared', () => {
		const design = designTable(target, event(after, { decodedKey: { id: 7 }, valueSchema }), cdc);
		assert.equal(
			columns(design),
			'id BIGINT KEY, price DOUBLE, weight FLOAT, amount DECIMAL(10, 2), placed_on DATE, placed_at DATETIME(6), ref VARCHAR(36), either BIGINT',
		);
	});

	it('without Debezium envelopes: the item is the record; Add Kafka Fields beside it are inferred, `_kafka` and `_doris` are no columns', () => {
		const item = { ...after, kafka_offset: '0', _doris: { kafkaFields: ['kafka_offset'] }, _kafka: { topic: 't', partition: 0, offset: '0', key: WIRE_KEY, decodedKey: { id: 7 }, valueSchema: row } };
		const design = designTable(target, item, { ...cdc, cdc: false });
		assert.equal(
			columns(design),
			'id BIGINT KEY, price DOUBLE, weight FLOAT, amount DECIMAL(10, 2), placed_on DATE, placed_at DATETIME(6), ref VARCHAR(36), either BIGINT, kafka_offset STRING',
		);
	});
});

describe("Add New Columns: a field the source gained takes the type `_kafka.valueSchema` declares", () => {
	it('a double of 3.0 (decoded as 3) is added as DOUBLE, a date as DATE; through the envelope and without it', () => {
		const table = manualSchema('inventory', 'orders', [{ name: 'id', type: 'BIGINT', nullable: false }]);
		const row = { type: 'struct', optional: true, fields: [{ field: 'id', type: 'int64' }, { field: 'price', type: 'float64' }, { field: 'placed_on', type: 'int32', name: 'org.apache.kafka.connect.data.Date' }] };
		const envelope = { type: 'struct', fields: [{ ...row, field: 'before' }, { ...row, field: 'after' }, { field: 'op', type: 'string' }] };
		const added = (cdc: boolean, json: Record<string, unknown>) => {
			const result = new RowMapper(table, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc, evolve: true }).map(json);
			return result.ok ? [] : result.reasons.filter((r) => r.rule === 'new_column').map((r) => `${r.column} ${r.expected}`);
		};
		const values = { id: 1, price: 3, placed_on: '2024-05-01' };
		assert.deepEqual(added(true, { op: 'c', before: null, after: values, _kafka: { topic: 't', valueSchema: envelope } }), ['price DOUBLE', 'placed_on DATE']);
		assert.deepEqual(added(false, { ...values, _kafka: { topic: 't', valueSchema: row } }), ['price DOUBLE', 'placed_on DATE']);
	});
});

describe('Create Missing Tables: a Kafka key naming a column the record lacks is no key of it', () => {
	const plain: CreateOptions = { cdc: false, sourcePath: '', keyColumns: [], properties: [] };
	const item = (decodedKey: unknown) => ({ user_id: 5, price: 1.5, _kafka: { topic: 'orders', partition: 0, offset: '0', key: WIRE_KEY, decodedKey } });

	it('with Key Columns: the table is created on them (before: refused as "name different columns")', () => {
		assert.equal(columns(designTable(target, item({ account: -8257 }), { ...plain, keyColumns: ['user_id'] })), 'user_id BIGINT KEY, price DOUBLE');
	});

	it('without: refused, naming the column the record lacks', () => {
		assert.match(refusal(designTable(target, item({ account: -8257 }), plain)), /its primary key is unknown \(its Kafka key names "account", which is not a field of the message, so it is not this record's key\); set Key Columns/);
	});
});
