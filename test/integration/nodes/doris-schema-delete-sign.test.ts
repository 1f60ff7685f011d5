/**
 * A record that carries Doris' delete sign itself (`__DORIS_DELETE_SIGN__`, written by a producer of
 * its own or a Code node before the Doris Schema node, Debezium Envelopes off), through the Doris
 * Schema node and the Doris Stream Load node (Deletes Auto) into the Doris test server: a sign Doris
 * reads as a delete deletes the row, per message and packed; 0 upserts it. Before, the Doris Schema
 * node took the field for one of its own and left it out of the row: the delete loaded as an upsert
 * and the row stayed, with nothing on Invalid or Rejected.
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

const mapThroughSchemaNode = (items: INodeExecutionData[]) => mapRowsThroughSchemaNode(db.server, 'wf-own-sign', items);

const kafka = (table: string, offset: number) => kafkaOrigin(table, offset);
const reasons = (invalid: INodeExecutionData[]) => invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${r.rule} ${r.column ?? ''}`).join());

describe("a record's own __DORIS_DELETE_SIGN__ through the Doris Schema node and the Doris Stream Load node", () => {
	it('a sign Doris reads as a delete (1, "1", true, 2) deletes the row of a UNIQUE KEY table, per message and packed; 0 upserts it', async () => {
		const table = 'own_sign';
		await db.server.sql(`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		await executeStreamLoad(ctx({ table }, [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ json: { id, v: 'old' } })), manual));
		const changes = [
			{ id: 1, v: 'old', __DORIS_DELETE_SIGN__: 1 },
			{ id: 2, v: 'old', __DORIS_DELETE_SIGN__: '1' },
			{ id: 3, v: 'new', __DORIS_DELETE_SIGN__: 0 },
		];
		const [mapped, invalid] = await mapThroughSchemaNode(changes.map((c, k) => ({ json: { ...c, _kafka: kafka(table, k) } })));
		assert.deepEqual(invalid, []);
		await executeStreamLoad(ctx({ table, tableFrom: 'item' }, mapped, manual));
		assert.deepEqual(
			rows(table).map((r) => `${r.id} ${r.v}`),
			['3 new', '4 old', '5 old', '6 old', '7 old', '8 old'],
		);

		// One Item per Batch: the upserts take the fast path, the lines with a sign the general one.
		const lines = ['{"id":4,"v":"old","__DORIS_DELETE_SIGN__":true}', '{"id":5,"v":"packed"}', '{"id":6,"v":"old","__DORIS_DELETE_SIGN__":2}', '{"id":7,"v":"packed","__DORIS_DELETE_SIGN__":0}'];
		const packed: PackedRows = { jsonLines: lines.map((l) => `${l}\n`).join(''), count: 4, sources: [{ topic: table, partition: 0, firstOffset: '10', lastOffset: '13', lines: 4 }] };
		const [mappedPacked, invalidPacked] = await mapThroughSchemaNode([{ json: { [PACKED_ROWS_FIELD]: packed } as never }]);
		assert.deepEqual(invalidPacked, []);
		await executeStreamLoad(ctx({ table, tableFrom: 'item' }, mappedPacked, manual));
		assert.deepEqual(
			rows(table).map((r) => `${r.id} ${r.v}`),
			['3 new', '5 packed', '7 packed', '8 old'],
		);
	});

	it('a sign that is no TINYINT goes to Invalid naming the field; a delete into a DUPLICATE KEY table goes to Invalid (delete_unsupported), nothing appended', async () => {
		const table = 'own_sign_dup';
		await db.server.sql(`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		const changes = [
			{ id: 1, v: 'a', __DORIS_DELETE_SIGN__: 0 },
			{ id: 1, v: 'a', __DORIS_DELETE_SIGN__: 1 },
			{ id: 2, v: 'b', __DORIS_DELETE_SIGN__: 'yes' },
		];
		const [mapped, invalid] = await mapThroughSchemaNode(changes.map((c, k) => ({ json: { ...c, _kafka: kafka(table, k) } })));
		assert.deepEqual(reasons(invalid), ['delete_unsupported ', 'not_integer __DORIS_DELETE_SIGN__']);
		await executeStreamLoad(ctx({ table, tableFrom: 'item' }, mapped, manual));
		assert.deepEqual(rows(table), [{ id: 1, v: 'a' }]);
	});
});
