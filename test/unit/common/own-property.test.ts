// A key named "__proto__" in a decoded value is an entry like any other: every loop that rebuilds a
// value key by key writes it as an own property (own-property.ts), or the entry vanished from the row.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeConnectPayload } from '../../../src/common/connect-envelope';
import { setOwn } from '../../../src/common/own-property';

describe('setOwn', () => {
	it('writes "__proto__" as an own, enumerable entry and leaves the prototype alone', () => {
		const out: Record<string, unknown> = {};
		setOwn(out, '__proto__', { k: 'v' });
		setOwn(out, 'b', 1);
		assert.equal(Object.getPrototypeOf(out), Object.prototype);
		assert.deepEqual(Object.keys(out), ['__proto__', 'b']);
		assert.equal(JSON.stringify(out), '{"__proto__":{"k":"v"},"b":1}');
	});
});

describe('Kafka Connect payloads: keys as the value has them', () => {
	const parsed = JSON.parse('{"attrs":{"__proto__":{"k":"v"},"b":1}}') as Record<string, unknown>;

	it('a map with a "__proto__" key keeps it', () => {
		const schema = { type: 'struct', fields: [{ field: 'attrs', type: 'map', keys: { type: 'string' }, values: { type: 'struct', fields: [] } }] };
		const decoded = decodeConnectPayload(schema, parsed);
		assert.ok(decoded.ok);
		assert.equal(JSON.stringify(decoded.value), '{"attrs":{"__proto__":{"k":"v"},"b":1}}');
	});

	it('a struct field named "__proto__" keeps its value', () => {
		const schema = { type: 'struct', fields: [{ field: 'attrs', type: 'struct', fields: [{ field: '__proto__', type: 'struct', fields: [] }, { field: 'b', type: 'int32' }] }] };
		const decoded = decodeConnectPayload(schema, parsed);
		assert.ok(decoded.ok);
		assert.equal(JSON.stringify(decoded.value), '{"attrs":{"__proto__":{"k":"v"},"b":1}}');
	});

	it('a struct field named like an Object method ("constructor") that the payload lacks stays absent', () => {
		const schema = { type: 'struct', fields: [{ field: 'id', type: 'int32' }, { field: 'constructor', type: 'string', optional: true }] };
		const decoded = decodeConnectPayload(schema, { id: 1 });
		assert.ok(decoded.ok, JSON.stringify(decoded));
		assert.equal(JSON.stringify(decoded.value), '{"id":1}');
		assert.equal(Object.hasOwn(decoded.value as object, 'constructor'), false, 'not Object.prototype.constructor copied in as its value');
	});
});
