/**
 * A Columns expression reads a field of the data (`uv = hll_hash(user_id)`). Rows from a Doris Schema
 * node carry only the table's columns, so user_id, no column of the table, was dropped there (Unknown
 * Fields: Ignore) and Doris computed uv from NULL for every row, the load a success. The Stream Load
 * node now refuses a load none of whose rows carries such a field, naming it, the entry and the setting,
 * when a Doris Schema node dropping unknown fields ran before it. Without one, a field every row lacks is
 * the data's own (an anonymous visit has no user_id): those rows load, as Doris computes them.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD } from '../../../src/common/item-contract';
import { closeDorisPools } from '../../../src/doris/mysql';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	tables: [
		{ name: 'visits', columns: 'id INT NOT NULL, hits BIGINT SUM, uv HLL HLL_UNION', keys: 'AGGREGATE KEY(id)' },
		{ name: 'visits_by_user', columns: 'id INT NOT NULL, user_id INT NULL, uv HLL HLL_UNION', keys: 'AGGREGATE KEY(id, user_id)' },
	],
	sharedBatches: true,
});
const plainCtx = nodeContextsIn(db);

/** The node's context in an execution where a Doris Schema node with Unknown Fields `unknownFields` ran first, or none. */
function contextAfter(schema: 'ignore' | 'reject' | 'none') {
	return (params: Record<string, unknown>, items: Parameters<typeof plainCtx>[1]) => {
		const base = plainCtx(params, items);
		if (schema === 'none') return { ...base, workflow: { nodes: { Kafka: { name: 'Kafka', type: 'n8n-nodes-doris-sinker.kafkaTrigger', parameters: {} } } }, runExecutionData: { resultData: { runData: { Kafka: [] } } } } as typeof base;
		const options = schema === 'ignore' ? {} : { unknownFields: schema };
		const nodes = { Kafka: { name: 'Kafka', type: 'n8n-nodes-doris-sinker.kafkaTrigger', parameters: {} }, Schema: { name: 'Schema', type: 'n8n-nodes-doris-sinker.dorisSchema', parameters: { options } } };
		return { ...base, workflow: { nodes }, runExecutionData: { resultData: { runData: { Kafka: [], Schema: [] } } } } as typeof base;
	};
}
const ctx = contextAfter('ignore');
const params = { table: 'visits', batchIntervalSeconds: 0.05, options: { columns: 'id, hits, user_id, uv = hll_hash(user_id)' } };

describe('Doris Stream Load node: a field a Columns expression reads', () => {
	// The table's columns are read (MySQL protocol) when every row lacks such a field.
	after(closeDorisPools);

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

	it('without a Doris Schema node dropping fields before it (none ran, or one with Unknown Fields: Reject), rows that all lack the field load: it is the data saying so', async () => {
		// Refused here, an execution of one anonymous visit would fail for good and hold its partition.
		await executeStreamLoad(contextAfter('none')(params, [{ json: { id: 5, hits: 1 } }]));
		await executeStreamLoad(contextAfter('reject')(params, [{ json: { id: 6, hits: 1 } }]));
		await executeStreamLoad(plainCtx(params, [{ json: { id: 7, hits: 1 } }]));
		const ids = db.server.tableRows('d', 'visits').map((row) => Number((row as unknown as Record<string, unknown>).id));
		assert.deepEqual(ids.filter((id) => id >= 5).sort(), [5, 6, 7]);
	});

	it('behind such a Doris Schema node, a field that is a column of the table: rows that all lack it load (the node keeps it when a row has it)', async () => {
		// Refused, an execution of one anonymous visit would fail on every delivery and hold its partition.
		const byUser = { table: 'visits_by_user', batchIntervalSeconds: 0.05, options: { columns: 'id, user_id, uv = hll_hash(user_id)' } };
		await executeStreamLoad(ctx(byUser, [{ json: { id: 8 } }]));
		assert.equal(db.server.tableRows('d', 'visits_by_user').length, 1);
	});

	it('rows that carry it load; a row without it among them computes from NULL, as its data says', async () => {
		await executeStreamLoad(ctx(params, [{ json: { id: 4, hits: 1, user_id: 7 } }, { json: { id: 4, hits: 1 } }]));
		assert.equal(db.server.tableRows('d', 'visits').filter((row) => Number((row as unknown as Record<string, unknown>).id) === 4).length, 1);
	});
});
