// The Doris Stream Load node's Rejected items (src/batch/rejected-items.ts): rows Doris refused, mapped
// back to the items they came from.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { sortItemsForLoad } from '../../../src/batch/load-items';
import { rejectedItems } from '../../../src/batch/rejected-items';
import { json, packed, row } from './items-support';

describe('rejectedItems', () => {
	const refusal = (column: string | null, message: string) => ({ column, message, errorLog: [], label: 'l' });

	it('maps refused rows back to their items: an ordinary item with _invalid, a packed line parsed with _kafka', () => {
		const items = [row(1, { s: 'ok' }), row(2, { s: 'toolong' }), packed([10, 11, 12]), row(3)];
		const sorted = sortItemsForLoad(items, json);
		// Rows as the load counts them: items 0, 1 (rows 0, 1), the packed lines (rows 2..4), item 3 (row 5).
		const out = rejectedItems(items, sorted, [
			{ row: 1, reason: refusal('s', 'column_name[s], the length of input is too long') },
			{ row: 3, reason: refusal(null, 'no partition for this tuple. tuple={...}') },
		], 'db.t');
		assert.deepEqual(out, [
			{
				index: 1,
				json: {
					id: 2,
					s: 'toolong',
					_invalid: { table: 'db.t', reasons: [{ column: 's', value: 'toolong', expected: 'a row table db.t accepts', rule: 'doris_rejected', message: 'Doris refused the row: column_name[s], the length of input is too long' }] },
				},
			},
			{
				index: 2,
				json: {
					id: 11,
					_invalid: { table: 'db.t', reasons: [{ column: null, value: null, expected: 'a row table db.t accepts', rule: 'doris_rejected', message: 'Doris refused the row: no partition for this tuple. tuple={...}' }] },
					_kafka: { topic: 't', partition: 0, offset: '11', line: 1 },
				},
			},
		]);
	});

	it('nothing refused: no items', () => {
		const items = [row(1)];
		assert.deepEqual(rejectedItems(items, sortItemsForLoad(items, json), [], 'db.t'), []);
	});
});
