/**
 * A Columns expression reads a field of the data (`uv = hll_hash(user_id)`). Rows from a Doris Schema
 * node carry only the table's columns, so user_id, no column of the table, was dropped there (Unknown
 * Fields: Ignore) and Doris computed uv from NULL for every row, the load a success. The Stream Load
 * node now refuses a load none of whose rows carries such a field, naming it, the entry and the setting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD } from '../../../src/common/item-contract';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	tables: [{ name: 'visits', columns: 'id INT NOT NULL, hits BIGINT SUM, uv HLL HLL_UNION', keys: 'AGGREGATE KEY(id)' }],
	sharedBatches: true,
});
const ctx = nodeContextsIn(db);
const params = { table: 'visits', batchIntervalSeconds: 0.05, options: { columns: 'id, hits, user_id, uv = hll_hash(user_id)' } };

describe('Doris Stream Load node: a field a Columns expression reads', () => {
	it('rows as a Doris Schema node leaves them (no user_id): the execution fails naming the field, the entry and the setting; nothing loads', async () => {
		const rows = [{ json: { id: 1, hits: 1 } }, { json: { id: 2, hits: 1 } }];
		await assert.rejects(
			executeStreamLoad(ctx(params, rows)),
			/Columns entry "uv = hll_hash\(user_id\)" reads the field "user_id", which no row of this load carries: Doris would compute uv from NULL for every row.*Unknown Fields: Ignore drops "user_id"/,
		);
		const packed = { json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":3,"hits":1}\n', count: 1, sources: [] } } };
		await assert.rejects(executeStreamLoad(ctx(params, [packed])), /reads the field "user_id"/);
		assert.deepEqual(db.server.tableRows('d', 'visits'), []);
	});

	it('rows that carry it load; a row without it among them computes from NULL, as its data says', async () => {
		await executeStreamLoad(ctx(params, [{ json: { id: 4, hits: 1, user_id: 7 } }, { json: { id: 4, hits: 1 } }]));
		assert.equal(db.server.tableRows('d', 'visits').length, 1);
	});
});
