/** Kafka Connect logical types in JSON Schema values, named by each schema's title as JsonSchemaConverter writes them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { JsonValue } from '../../../src/common/exact-json';
import { decodeConnectTitles } from '../../../src/kafka/json-schema-logical';

const decimal = { type: 'number', title: 'org.apache.kafka.connect.data.Decimal', 'connect.parameters': { scale: '2' }, 'connect.type': 'bytes' };
const timestamp = { type: 'integer', title: 'io.debezium.time.Timestamp', 'connect.type': 'int64' };

describe('JSON Schema: Connect logical types by title', () => {
	it('decodes fields, optional ones (oneOf with null), array items and map values; other fields stay as they are', () => {
		const schema = {
			type: 'object',
			title: 'shop.Value',
			properties: {
				price: { oneOf: [{ type: 'null' }, decimal] },
				seen: { type: 'array', items: timestamp },
				byShop: { type: 'object', additionalProperties: timestamp, 'connect.type': 'map' },
				name: { type: 'string' },
			},
		};
		const value = { price: 'AMgF', seen: [1529476623000], byShop: { lyon: 0 }, name: 'tea', extra: 7 };
		assert.deepEqual(decodeConnectTitles(schema, value), {
			price: '512.05',
			seen: ['2018-06-20 06:37:03.000'],
			byShop: { lyon: '1970-01-01 00:00:00.000' },
			name: 'tea',
			extra: 7,
		});
		assert.deepEqual(decodeConnectTitles(schema, { price: null }), { price: null });
		// JsonSchemaConverter writes the Decimal 512.50 as the JSON number 512.50, parsed as 512.5: the text keeps its scale.
		assert.deepEqual(decodeConnectTitles(schema, { price: 512.5 }), { price: '512.50' });
	});

	it('a value that does not fit its declared type names the field and the type', () => {
		const schema = { type: 'object', properties: { price: decimal } };
		assert.throws(() => decodeConnectTitles(schema, { price: 'not base64!' }), /JSON Schema field "price": "not base64!" is neither base64 bytes nor a number, as org.apache.kafka.connect.data.Decimal requires/);
	});
});

describe('JSON Schema: keys as the value has them', () => {
	it('a "__proto__" key of a map or a struct stays an entry (assigning it set the prototype: the entry vanished)', () => {
		const parsed = JSON.parse('{"attrs":{"__proto__":{"k":"v"},"b":1}}') as JsonValue;
		const map = { type: 'object', properties: { attrs: { type: 'object', additionalProperties: { type: 'object' } } } };
		assert.equal(JSON.stringify(decodeConnectTitles(map, parsed)), '{"attrs":{"__proto__":{"k":"v"},"b":1}}');
		const struct = { type: 'object', properties: { attrs: { type: 'object', properties: { ['__proto__']: { type: 'object' }, b: { type: 'integer' } } } } };
		assert.equal(JSON.stringify(decodeConnectTitles(struct, parsed)), '{"attrs":{"__proto__":{"k":"v"},"b":1}}');
	});
});
