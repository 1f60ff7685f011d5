// What the Doris Schema node does with an execution's items (src/doris/schema/map-items.ts): ordinary
// and packed items back in input order on each output, broken packed items refused up front or, with
// Continue On Fail, on the invalid output with the reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PACKED_ROWS_FIELD, type PackedRows } from '../../../../src/common/item-contract';
import { BrokenPackedItemError, mapItems, mergeByIndex } from '../../../../src/doris/schema/map-items';
import { INVALID_FIELD, routeItems, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import { labels, mapper, pack } from './packed-support';

const options = { labels, workerThreads: 0, continueOnFail: false };
const item = (json: Record<string, unknown>) => ({ json });
const packedItem = (lines: string[]) => item({ [PACKED_ROWS_FIELD]: pack(lines) });
const broken = item({ [PACKED_ROWS_FIELD]: { jsonLines: 'x\n', count: 'one', sources: [] } });

describe('mergeByIndex', () => {
	it('merges two index-sorted lists; on a tie the first list comes first', () => {
		const a = [{ json: { a: 0 }, index: 0 }, { json: { a: 2 }, index: 2 }, { json: { a: 5 }, index: 5 }];
		const b = [{ json: { b: 1 }, index: 1 }, { json: { b: 2 }, index: 2 }, { json: { b: 6 }, index: 6 }];
		assert.deepEqual(mergeByIndex(a, b).map((r) => r.json), [{ a: 0 }, { b: 1 }, { a: 2 }, { b: 2 }, { a: 5 }, { b: 6 }]);
		assert.deepEqual(mergeByIndex([], b), b);
	});
});

describe('mapItems', () => {
	it('without packed items: exactly what routeItems gives', async () => {
		const items = [item({ id: 1, ts: 0 }), item({ id: 'x', ts: 0 }), item({ id: 3, ts: 0 })];
		assert.deepEqual(await mapItems(items, mapper(), options), routeItems(items, mapper(), labels));
	});

	it('packed and ordinary items back in input order on both outputs', async () => {
		const items = [item({ id: 1, ts: 0 }), packedItem(['{"id":2,"ts":0}', '{"id":"bad","ts":0}']), item({ id: 'x', ts: 0 }), packedItem(['{"id":4,"ts":0}'])];
		const routed = await mapItems(items, mapper(), options);
		assert.deepEqual(routed.rows.map((r) => r.index), [0, 1, 3]);
		assert.equal((routed.rows[1].json[PACKED_ROWS_FIELD] as PackedRows).jsonLines, '{"id":2,"ts":"1970-01-01 00:00:00"}\n');
		assert.deepEqual(routed.invalid.map((r) => r.index), [1, 2]);
	});

	it('a broken packed item fails before anything is mapped, naming the item, the field and the value', async () => {
		await assert.rejects(mapItems([item({ id: 1, ts: 0 }), broken], mapper(), options), (error: unknown) => {
			assert.ok(error instanceof BrokenPackedItemError);
			assert.equal(error.itemIndex, 1);
			assert.equal(error.message, 'Item 1: packedRows.count must be a whole number ≥ 0, not "one"');
			return true;
		});
	});

	it('with Continue On Fail a broken packed item goes to invalid with its reason, in input order', async () => {
		const items = [broken, packedItem(['{"id":"bad","ts":0}']), broken, item({ id: 'x', ts: 0 })];
		const routed = await mapItems(items, mapper(), { ...options, continueOnFail: true });
		assert.deepEqual(routed.rows, []);
		assert.deepEqual(routed.invalid.map((r) => r.index), [0, 1, 2, 3]);
		const reason = (routed.invalid[0].json[INVALID_FIELD] as InvalidInfo).reasons[0];
		assert.deepEqual([reason.rule, reason.expected, reason.message], ['envelope', 'packed rows', 'packedRows.count must be a whole number ≥ 0, not "one"']);
		assert.equal((routed.invalid[0].json[INVALID_FIELD] as InvalidInfo).table, 'shop.orders');
	});
});
