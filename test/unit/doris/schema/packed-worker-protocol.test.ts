/**
 * The row mapper as the worker thread gets it (packed-worker-protocol.ts): plain data it can rebuild
 * the mapper from, under a key that is the same exactly when the mapper would be.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { routeRequest } from '../../../../src/doris/schema/packed-worker-protocol';
import { RowMapper } from '../../../../src/doris/schema/row-mapper';
import { mapper, pack } from './packed-support';

const item = pack(['{"id":1}', '{"id":2}']);

function keyOf(m: RowMapper): string {
	const request = routeRequest(1, m, item, 0);
	assert.equal(request.kind, 'route');
	return request.key;
}

describe('routeRequest', () => {
	it('carries the item, its index and the mapper\'s schema and options, all of which survive a structured clone', () => {
		const m = mapper();
		const request = routeRequest(7, m, item, 3);
		assert.ok(request.kind === 'route');
		assert.equal(request.id, 7);
		assert.equal(request.index, 3);
		assert.equal(request.packed, item);
		assert.deepEqual(structuredClone(request), request);
		const rebuilt = new RowMapper(request.schema, request.options);
		assert.deepEqual(rebuilt.map({ id: 1 }), m.map({ id: 1 }), 'the worker\'s mapper maps as this thread\'s does');
	});

	it('gives mappers of the same schema and options one key, so the worker compiles them once', () => {
		assert.equal(keyOf(mapper()), keyOf(mapper()));
		const m = mapper();
		assert.equal(keyOf(m), keyOf(m));
	});

	it('gives mappers that map differently different keys', () => {
		assert.notEqual(keyOf(mapper()), keyOf(mapper({ cdc: true })));
	});
});
