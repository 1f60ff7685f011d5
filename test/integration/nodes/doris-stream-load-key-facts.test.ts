/**
 * A table dropped and created again with a sequence column between the Doris Schema node's mapping and
 * the Doris Stream Load node's load (a migration while the stream runs), against the Doris test server.
 * The deletes were mapped for the table without a sequence column, so nothing asked for their sequence
 * value (delete_sequence); loaded as mapped, they go with none and Doris ignores a delete whose sequence
 * value is below the stored row's (NULL is below every value): counted as loaded, the row stayed (late
 * review session 20, S3). Now the execution fails naming the table and the change, and delivered again
 * it is mapped for the table as it is: the delete goes to Invalid, seen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';
import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { kafkaOrigin, mapRowsThroughSchemaNode, schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({ sharedBatches: true, readsTables: true });
const ctx = nodeContextsIn(db);
const rows = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id));
const manual = { mode: 'manual', connected: [0, 1] };
const mapThroughSchemaNode = (items: INodeExecutionData[]) => mapRowsThroughSchemaNode(db.server, 'wf-key-facts', items);

async function createTable(table: string, properties: string): Promise<void> {
	await db.server.sql(`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL, version BIGINT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 ${properties}`);
	await executeStreamLoad(ctx({ table }, [1, 2].map((id) => ({ json: { id, v: 'old', version: 5 } })), manual));
}

const recreateWithSequence = async (table: string) => {
	await db.server.sql(`DROP TABLE d.${table}`);
	await createTable(table, 'PROPERTIES ("function_column.sequence_col" = "version")');
};

describe('Doris Stream Load node: deletes mapped for a table recreated with a sequence column since', () => {
	for (const shape of ['per message', 'packed'] as const) {
		it(`${shape}: the execution fails naming the table and the change, nothing loads; delivered again, the delete goes to Invalid (delete_sequence)`, async () => {
			const table = shape === 'packed' ? 'seq_added_packed' : 'seq_added';
			await createTable(table, '');
			// A flattened delete without the version (a key-only image): the table has no sequence column yet.
			const changes = [
				{ id: 1, v: 'old', __deleted: 'true' },
				{ id: 2, v: 'new', version: 6, __deleted: 'false' },
			];
			const topic = `s.inventory.${table}`;
			const input: INodeExecutionData[] =
				shape === 'per message'
					? changes.map((c, k) => ({ json: { ...c, _kafka: kafkaOrigin(topic, k) } }))
					: [{ json: { [PACKED_ROWS_FIELD]: { jsonLines: changes.map((c) => `${JSON.stringify(c)}\n`).join(''), count: 2, sources: [{ topic, partition: 0, firstOffset: '0', lastOffset: '1', lines: 2 }] } satisfies PackedRows } as never }];
			const [mapped, invalid] = await mapThroughSchemaNode(input);
			assert.deepEqual(invalid, []);

			await recreateWithSequence(table);
			// Before: loaded and counted (2 rows), Doris ignored the delete (no sequence value) and row 1 stayed.
			await assert.rejects(
				executeStreamLoad(ctx({ table, tableFrom: 'item' }, mapped, manual)),
				new RegExp(`Table d\\.${table} changed since this execution's rows were mapped: they were mapped for UNIQUE KEY\\(id\\), no sequence column, and SHOW CREATE TABLE now says UNIQUE KEY\\(id\\), sequence column version`),
			);
			assert.deepEqual(rows(table), [
				{ id: 1, v: 'old', version: 5 },
				{ id: 2, v: 'old', version: 5 },
			]);

			// Redelivered: the Doris Schema node maps with the table as it is now.
			const [again, invalidAgain] = await mapThroughSchemaNode(input);
			assert.deepEqual(
				invalidAgain.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.rule).join()),
				['delete_sequence'],
			);
			await executeStreamLoad(ctx({ table, tableFrom: 'item' }, again, manual));
			assert.deepEqual(rows(table), [
				{ id: 1, v: 'old', version: 5 },
				{ id: 2, v: 'new', version: 6 },
			]);
		});
	}

	// Late review session 21, S3b: only the Stream Load node's cache entry was marked stale; the Doris Schema node,
	// reading the table over another FE host (or credential), mapped every redelivery with the old schema again.
	it('the Doris Schema node reading the table over another FE host maps the redelivery with the table as it is too', async () => {
		const table = 'seq_added_other_host';
		await createTable(table, '');
		const server = db.server;
		assert.match(server.feUrl, /127\.0\.0\.1/);
		// Same server, another spelling of its host: another entry of the schema cache.
		const otherHost = { ...server, feUrl: server.feUrl.replace('127.0.0.1', 'localhost') };
		const input: INodeExecutionData[] = [{ json: { id: 1, v: 'old', __deleted: 'true', _kafka: kafkaOrigin(`s.inventory.${table}`, 0) } }];
		const [mapped] = await mapRowsThroughSchemaNode(otherHost, 'wf-key-facts', input);
		await recreateWithSequence(table);
		await assert.rejects(executeStreamLoad(ctx({ table, tableFrom: 'item' }, mapped, manual)), /changed since this execution's rows were mapped/);
		// Redelivered (before: mapped with the old schema again, the same failure at every delivery).
		const [again, invalidAgain] = await mapRowsThroughSchemaNode(otherHost, 'wf-key-facts', input);
		assert.deepEqual(again, []);
		assert.deepEqual(
			invalidAgain.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.rule).join()),
			['delete_sequence'],
		);
	});

	// Late review session 21, S3c: rows mapped for d.a and loaded into d.b failed with "Table d.b changed", though it had not.
	it('deletes mapped for another table whose key facts differ fail naming both tables; nothing loads', async () => {
		await createTable('seq_none_src', '');
		await createTable('seq_dst', 'PROPERTIES ("function_column.sequence_col" = "version")');
		const settings = { operation: 'mapRows', database: 'd', table: 'seq_none_src', schemaMode: 'auto', options: {} };
		const items: INodeExecutionData[] = [{ json: { id: 1, v: 'old', __deleted: 'true' } }];
		const [mapped, invalid] = await new DorisSchema().execute.call(schemaNodeContext(db.server, settings, items, { database: 'd', workflowId: 'wf-key-facts' }));
		assert.deepEqual(invalid, []);
		await assert.rejects(
			executeStreamLoad(ctx({ table: 'seq_dst' }, mapped, manual)),
			/Table d\.seq_dst: this execution's deletes were mapped by the Doris Schema node for another table, d\.seq_none_src: UNIQUE KEY\(id\), no sequence column, and this node loads them into d\.seq_dst, whose key facts differ: SHOW CREATE TABLE says UNIQUE KEY\(id\), sequence column version\./,
		);
		assert.deepEqual(rows('seq_dst'), [
			{ id: 1, v: 'old', version: 5 },
			{ id: 2, v: 'old', version: 5 },
		]);
	});

	it('unchanged since the mapping, the deletes load as before', async () => {
		const table = 'seq_kept';
		await createTable(table, 'PROPERTIES ("function_column.sequence_col" = "version")');
		const [mapped] = await mapThroughSchemaNode([{ json: { id: 1, v: 'old', version: 7, __deleted: 'true', _kafka: kafkaOrigin(`s.inventory.${table}`, 0) } }]);
		const [summary] = await executeStreamLoad(ctx({ table, tableFrom: 'item' }, mapped, manual));
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(rows(table), [{ id: 2, v: 'old', version: 5 }]);
	});
});
