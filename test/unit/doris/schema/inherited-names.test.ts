/**
 * Columns named after a property every JavaScript object has (`constructor`, `toString`, `valueOf`,
 * `hasOwnProperty`): a record without such a field leaves the column out, as for any other column, and
 * one with it loads its value. Before, the column read the inherited function and the row went to
 * Invalid as a wrong type.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';

const columns = [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'constructor', type: 'STRING' },
	{ name: 'toString', type: 'STRING' },
	{ name: 'valueOf', type: 'INT' },
	{ name: 'hasOwnProperty', type: 'BOOLEAN' },
];

function mapped(mapper: RowMapper, json: Record<string, unknown>) {
	const sink = new Map<string, number>();
	mapper.unmatchedSink = sink;
	const result = mapper.mapItem(json);
	mapper.unmatchedSink = null;
	return { result, unmatched: Object.fromEntries(sink) };
}

describe('columns named after what every object inherits', () => {
	const mapper = new RowMapper(manualSchema('d', 't', columns), DEFAULT_ROW_MAPPER_OPTIONS);

	it('a record without those fields maps with the columns left out, and its other fields are counted as unmatched', () => {
		const { result, unmatched } = mapped(mapper, { id: 1, extra: 2 });
		assert.equal(result.ok, true, JSON.stringify(result));
		assert.deepEqual((result as { row: unknown }).row, { id: 1 });
		assert.deepEqual(unmatched, { extra: 1 });
	});

	it('a record with them loads their values', () => {
		const { result } = mapped(mapper, { id: 2, constructor: 'c', toString: 't', valueOf: 7, hasOwnProperty: true });
		assert.equal(result.ok, true, JSON.stringify(result));
		assert.deepEqual((result as { row: unknown }).row, { id: 2, constructor: 'c', toString: 't', valueOf: 7, hasOwnProperty: true });
	});

	it('a Field Mapping dot path through such a name reads only a field of that name', () => {
		const byPath = new RowMapper(manualSchema('d', 't', [{ name: 'id', type: 'BIGINT', nullable: false }, { name: 'kind', type: 'STRING' }]), {
			...DEFAULT_ROW_MAPPER_OPTIONS,
			mapping: [{ field: 'meta.constructor', column: 'kind' }],
		});
		const absent = mapped(byPath, { id: 3, meta: {} }).result;
		assert.equal(absent.ok, true, JSON.stringify(absent));
		assert.deepEqual((absent as { row: unknown }).row, { id: 3 });
		const present = mapped(byPath, { id: 4, meta: { constructor: 'order' } }).result;
		assert.deepEqual((present as { row: unknown }).row, { id: 4, kind: 'order' });
	});
});
