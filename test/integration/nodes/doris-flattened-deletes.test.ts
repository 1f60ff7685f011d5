/**
 * Debezium records flattened by ExtractNewRecordState with delete rewriting, from the Doris Schema node
 * (Debezium Envelopes off) through the Doris Stream Load node (Deletes Auto) into the Doris test
 * server: `__deleted: "true"` deletes the row, per message and packed; "false" upserts it. Before, the
 * marker was a field no column takes and the deleted row was loaded again as an upsert.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';
import { kafkaOrigin, mapRowsThroughSchemaNode } from './schema-node-context';

const db = useDorisDatabase({
	sharedBatches: true,
	readsTables: true,
});
const ctx = nodeContextsIn(db);
const rows = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id));
const manual = { mode: 'manual', connected: [0, 1] };

const mapThroughSchemaNode = (items: INodeExecutionData[]) => mapRowsThroughSchemaNode(db.server, 'wf-flattened', items);

const kafka = (table: string, offset: number) => kafkaOrigin(`s.inventory.${table}`, offset);

describe('flattened Debezium deletes (ExtractNewRecordState, delete rewriting) through the Doris Stream Load node', () => {
	it('__deleted "true" deletes the row from a UNIQUE KEY table, per message and packed; "false" upserts it', async () => {
		const table = 'flat_unique';
		await db.server.sql(`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		await executeStreamLoad(ctx({ table }, [1, 2, 3, 4].map((id) => ({ json: { id, v: 'old' } })), manual));
		const changes = [
			{ id: 1, v: 'old', __deleted: 'true' },
			{ id: 2, v: 'new', __deleted: 'false' },
		];
		const [mapped, invalid] = await mapThroughSchemaNode(changes.map((c, k) => ({ json: { ...c, _kafka: kafka(table, k) } })));
		assert.deepEqual(invalid, []);
		const [summary] = await executeStreamLoad(ctx({ table, tableFrom: 'item' }, mapped, manual));
		assert.equal(summary[0].json.rows, 2);
		assert.deepEqual(rows(table), [
			{ id: 2, v: 'new' },
			{ id: 3, v: 'old' },
			{ id: 4, v: 'old' },
		]);

		// One Item per Batch: the upsert takes the fast path, the delete the general one.
		const lines = ['{"id":3,"v":"old","__deleted":"true"}', '{"id":4,"v":"packed","__deleted":"false"}', '{"id":5,"v":"packed","__deleted":"false"}'];
		const packed: PackedRows = { jsonLines: lines.map((l) => `${l}\n`).join(''), count: 3, sources: [{ topic: `s.inventory.${table}`, partition: 0, firstOffset: '10', lastOffset: '12', lines: 3 }] };
		const [mappedPacked, invalidPacked] = await mapThroughSchemaNode([{ json: { [PACKED_ROWS_FIELD]: packed } as never }]);
		assert.deepEqual(invalidPacked, []);
		await executeStreamLoad(ctx({ table, tableFrom: 'item' }, mappedPacked, manual));
		assert.deepEqual(rows(table), [
			{ id: 2, v: 'new' },
			{ id: 4, v: 'packed' },
			{ id: 5, v: 'packed' },
		]);
	});

	it('into a DUPLICATE KEY table a flattened delete goes to Invalid (delete_unsupported) and nothing is appended; a table with a column __deleted stores the marker', async () => {
		const table = 'flat_dup';
		await db.server.sql(`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		const changes = [
			{ id: 1, v: 'a', __deleted: 'false' },
			{ id: 1, v: 'a', __deleted: 'true' },
		];
		const [mapped, invalid] = await mapThroughSchemaNode(changes.map((c, k) => ({ json: { ...c, _kafka: kafka(table, k) } })));
		assert.deepEqual(invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].rule), ['delete_unsupported']);
		await executeStreamLoad(ctx({ table, tableFrom: 'item' }, mapped, manual));
		assert.deepEqual(rows(table), [{ id: 1, v: 'a' }]);

		const soft = 'flat_soft';
		await db.server.sql(`CREATE TABLE d.${soft} (id INT NOT NULL, v VARCHAR(16) NULL, __deleted VARCHAR(5) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		const [mappedSoft] = await mapThroughSchemaNode(changes.map((c, k) => ({ json: { ...c, _kafka: kafka(soft, k) } })));
		await executeStreamLoad(ctx({ table: soft, tableFrom: 'item' }, mappedSoft, manual));
		assert.deepEqual(rows(soft), [{ id: 1, v: 'a', __deleted: 'true' }]);
	});
});
