/**
 * A table with a column named `_doris`, fed by the Doris Schema node and the Doris Stream Load node,
 * against the Doris test server. On One Item per Message an item's top-level `_doris` is the Doris
 * nodes' own (deadline, table, Add Kafka Fields names), so the Kafka trigger moves a message value's own
 * `_doris` into `_doris.ownFields` (message-items.ts, session 17). Review session 17, leftover 3: the
 * column then never got the message's value: the Doris Schema node mapped the item's information into it
 * (`{"ownFields":…}`), the deadline overwrote it or the Stream Load node left `_doris` out of every row,
 * so the row loaded with the column NULL without a word (or failed: a `_doris` that is no object). A
 * packed line's own `_doris` loaded only without a Doris Schema node: its packed output left `_doris` out
 * of every line. Now every path loads the row's own value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';
import { schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({ sharedBatches: true, readsTables: true });
const ctx = nodeContextsIn(db);

/** What the Kafka trigger makes of message values on One Item per Message (message-items.ts), with a deadline. */
const perMessage = (value: Record<string, unknown>, more: Record<string, unknown> = {}): INodeExecutionData => {
	const { _doris: own, ...rest } = value;
	const info = { ...more, ...(own === undefined ? {} : { ownFields: { _doris: own } }) };
	return { json: Object.keys(info).length === 0 ? rest : { ...rest, _doris: info } } as INodeExecutionData;
};
const packed = (values: Array<Record<string, unknown>>): INodeExecutionData => {
	const rows: PackedRows = { jsonLines: values.map((v) => `${JSON.stringify(v)}\n`).join(''), count: values.length, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(values.length - 1), lines: values.length }] };
	return { json: { [PACKED_ROWS_FIELD]: rows } as never };
};

async function mapRows(table: string, items: INodeExecutionData[], options: Record<string, unknown> = {}): Promise<INodeExecutionData[][]> {
	const settings = { operation: 'mapRows', database: 'd', table, schemaMode: 'auto', options };
	return new DorisSchema().execute.call(schemaNodeContext(db.server, settings, items, { database: 'd', workflowId: 'wf-own-doris' }));
}

const rows = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id));

describe('a table column named _doris', () => {
	for (const format of ['json', 'csv'] as const) {
		it(`${format}: per message and packed the column takes the row's own _doris; a row without one gets NULL, never the item's information`, async () => {
			const table = await db.newTable({ name: `own_doris_${format}`, columns: 'id INT, _doris VARCHAR(64) NULL, v VARCHAR(8) NULL' });
			const loadBy = Date.now() + 600_000;
			const items = [
				perMessage({ id: 1, _doris: 'own one', v: 'a' }, { loadBy }),
				perMessage({ id: 2, _doris: 'own two', v: 'b' }),
				perMessage({ id: 3, v: 'c' }, { loadBy, kafkaFields: ['v'] }),
				// Packed lines are JSON only.
				...(format === 'json' ? [packed([{ id: 4, _doris: 'own four', v: 'd' }])] : []),
			];
			for (const unknownFields of ['ignore', 'reject']) {
				const [mapped, invalid] = await mapRows(table, items, { unknownFields });
				assert.deepEqual(invalid, [], unknownFields);
				assert.equal(mapped.length, items.length);
			}
			const [mapped] = await mapRows(table, items, { unknownFields: 'reject' });
			const load = format === 'csv' ? { format: 'csv', csvColumns: 'id,_doris,v' } : {};
			const [summary, rejected] = await executeStreamLoad(ctx({ table, ...load }, mapped as INodeExecutionData[], { mode: 'manual', connected: [0, 1] }));
			assert.deepEqual(rejected, []);
			assert.equal(summary[0].json.rows, items.length);
			assert.deepEqual(rows(table), [
				{ id: 1, _doris: 'own one', v: 'a' },
				{ id: 2, _doris: 'own two', v: 'b' },
				{ id: 3, _doris: null, v: 'c' },
				...(format === 'json' ? [{ id: 4, _doris: 'own four', v: 'd' }] : []),
			]);
		});
	}

	it('without a Doris Schema node: the Stream Load node loads the message\'s own _doris into the column, as it loads a packed line\'s', async () => {
		const table = await db.newTable({ name: 'own_doris_direct', columns: 'id INT, _doris VARCHAR(64) NULL' });
		await executeStreamLoad(ctx({ table }, [perMessage({ id: 1, _doris: 'own' }, { loadBy: Date.now() + 600_000 }), packed([{ id: 2, _doris: 'line' }])], { mode: 'manual', connected: [0, 1] }));
		assert.deepEqual(rows(table), [
			{ id: 1, _doris: 'own' },
			{ id: 2, _doris: 'line' },
		]);
	});
});
