/**
 * A decoded Schema Registry value made plain JSON (toJsonSafe), for what the decoders hand back that
 * JSON has no form for: here Avro unions, which avsc returns wrapped as `{"<branch>": value}` when
 * two branches share a JavaScript shape (two records, float and double, string and an enum).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import avro from 'avsc';

import { logicalTypeHook } from '../../../src/kafka/avro-logical-types';
import { toJsonSafe } from '../../../src/kafka/schema-registry';

/** Bytes as any Avro producer writes them (avsc without this package's hook), read back as the decoder reads them. */
function decoded(schema: unknown, value: unknown): unknown {
	const writer = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: true });
	const reader = avro.Type.forSchema(schema as avro.Schema, { typeHook: logicalTypeHook as never });
	return toJsonSafe(reader.fromBuffer(writer.toBuffer(value)));
}

const customer = { type: 'record', name: 'Customer', namespace: 'shop', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }] };
const product = { type: 'record', name: 'Product', namespace: 'shop', fields: [{ name: 'sku', type: 'string' }, { name: 'price', type: 'double' }] };

describe('toJsonSafe: Avro unions', () => {
	it('a top-level union of records (several event types in one topic) is the record itself, not {"<name>": record}', () => {
		assert.deepEqual(decoded([customer, product], { 'shop.Customer': { id: 5, name: 'Ada' } }), { id: 5, name: 'Ada' });
		assert.deepEqual(decoded([customer, product], { 'shop.Product': { sku: 'T-1', price: 2.5 } }), { sku: 'T-1', price: 2.5 });
	});

	it('a field whose union branches share a shape holds the branch value: float or double, string or enum, two records', () => {
		const schema = {
			type: 'record',
			name: 'Event',
			namespace: 'shop',
			fields: [
				{ name: 'amount', type: ['null', 'float', 'double'] },
				{ name: 'label', type: ['null', 'string', { type: 'enum', name: 'Kind', symbols: ['A', 'B'] }] },
				{ name: 'subject', type: ['null', customer, product] },
				{ name: 'at', type: ['null', 'string', { type: 'long', logicalType: 'timestamp-millis' }] },
				{ name: 'none', type: ['null', 'float', 'double'] },
			],
		};
		assert.deepEqual(
			decoded(schema, { amount: { double: 1.5 }, label: { string: 'abc' }, subject: { 'shop.Customer': { id: 7, name: 'Bo' } }, at: { long: 1714557600123 }, none: null }),
			{ amount: 1.5, label: 'abc', subject: { id: 7, name: 'Bo' }, at: '2024-05-01T10:00:00.123Z', none: null },
		);
		assert.deepEqual(decoded(schema, { amount: { float: 0.5 }, label: { 'shop.Kind': 'B' }, subject: null, at: { string: 'later' }, none: null }), {
			amount: 0.5,
			label: 'B',
			subject: null,
			at: 'later',
			none: null,
		});
	});
});

describe('toJsonSafe: keys as the value has them', () => {
	it('a "__proto__" key stays an entry of the value (assigning it set the prototype: the entry vanished)', () => {
		const parsed = JSON.parse('{"attrs":{"__proto__":{"k":"v"},"b":1}}') as unknown;
		assert.equal(JSON.stringify(toJsonSafe(parsed)), '{"attrs":{"__proto__":{"k":"v"},"b":1}}');
	});
});
