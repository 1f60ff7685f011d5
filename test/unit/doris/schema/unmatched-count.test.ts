// The mapper counts a record's fields that fill no column (how a column added to the table first shows,
// drift-signals.ts). Its cheap first test compares the record's keys with the columns filled; an item's
// own `_doris` and `_kafka` (on every item of One Item per Message) are left out of that count unless a
// column reads them. Whatever the count, a field no column takes is counted, and nothing else is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';

const columns = [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'STRING' },
];

function unmatchedOf(m: RowMapper, json: Record<string, unknown>): Record<string, number> {
	const unmatched = new Map<string, number>();
	m.unmatchedSink = unmatched;
	try {
		assert.equal(m.mapItem(json).ok, true);
		return Object.fromEntries(unmatched);
	} finally {
		m.unmatchedSink = null;
	}
}

const mapper = (extra: typeof columns = [], options: Partial<RowMapperOptions> = {}) => new RowMapper(manualSchema('d', 't', [...columns, ...extra]), { ...DEFAULT_ROW_MAPPER_OPTIONS, ...options });
const info = { _doris: { loadBy: 1 }, _kafka: { topic: 't', partition: 0, offset: '7' } };

describe('fields no column takes, beside an item’s own `_doris` and `_kafka`', () => {
	it('are counted when every column is filled, and the item’s own fields are not', () => {
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, name: 'a', ...info }), {});
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, name: 'a', extra: 2, ...info }), { extra: 1 });
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, name: 'a', _doris: { loadBy: 1 }, extra: 2 }), { extra: 1 });
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, extra: 2, ...info }), { extra: 1 });
	});

	it('are counted when a column reads `_doris` or `_kafka` (its own name, another case, a Field Mapping)', () => {
		const readers = [
			mapper([{ name: '_doris', type: 'JSON' }]),
			mapper([{ name: '_Kafka', type: 'JSON' }]),
			mapper([{ name: 'topic', type: 'STRING' }], { mapping: [{ field: '_kafka.topic', column: 'topic' }] }),
		];
		for (const m of readers) {
			assert.deepEqual(unmatchedOf(m, { id: 1, name: 'a', extra: 2, ...info }), { extra: 1 });
			assert.deepEqual(unmatchedOf(m, { id: 1, name: 'a', ...info }), {});
		}
	});
});
