/**
 * A table whose sequence column has a constant DEFAULT, through the Doris Schema node against the Doris
 * test server. An upsert lacking the sequence field takes the default, and Doris keeps a stored row of
 * the same key whose sequence value is higher (sequence column docs, data-operate/update/
 * unique-update-concurrent-control.md: "larger values replacing smaller ones"): the update loaded,
 * was counted, and vanished. Such a row goes to Invalid (missing_sequence) naming the column, per
 * message, packed CDC and packed plain (the fast path). A DEFAULT CURRENT_TIMESTAMP, the exception
 * those docs name, and a Field Mapping from another field the row has still load.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { startDorisTestServer, type DorisTestServer } from '../../ground/doris/server';
import { streamLoad } from '../../ground/doris/testing';
import { schemaNodeContext, useDorisTestServers } from './schema-node-context';

const rules = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${r.rule} ${r.column}`).join());
const packedItem = (lines: string[]): INodeExecutionData => {
	const packed: PackedRows = { jsonLines: lines.map((l) => `${l}\n`).join(''), count: lines.length, sources: [{ topic: 'orders', partition: 0, firstOffset: '0', lastOffset: String(lines.length - 1), lines: lines.length }] };
	return { json: { [PACKED_ROWS_FIELD]: packed } as never };
};
const packedLines = (item: INodeExecutionData) => (item.json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines;

describe('Doris Schema node: a sequence column with a constant DEFAULT', () => {
	const node = new DorisSchema();
	const servers = useDorisTestServers();
	let doris: DorisTestServer;
	const run = (params: Record<string, unknown>, items: INodeExecutionData[]) => node.execute.call(schemaNodeContext(doris, params, items, { database: 'd', workflowId: 'wf-seq' }));
	const plain = (table: string, options: Record<string, unknown> = {}) => ({ operation: 'mapRows', database: 'd', table, schemaMode: 'auto', options });

	it('the test server, as Doris: a row lacking the field takes the default and is ignored under a higher stored sequence value, counted as loaded', async () => {
		doris = await startDorisTestServer({ version: '3.1' });
		servers.push(doris);
		await doris.sql('CREATE DATABASE d');
		await doris.sql('CREATE TABLE d.orders (id BIGINT NOT NULL, name STRING NULL, updated_at BIGINT NOT NULL DEFAULT "0") UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "updated_at")');
		const load = async (body: string) => (await streamLoad(doris.feUrl, 'd', 'orders', body, { format: 'json', read_json_by_line: 'true' }, [doris.user, doris.password])).json;
		await load('{"id":1,"name":"a","updated_at":5}\n');
		const answer = await load('{"id":1,"name":"lost"}\n');
		assert.equal(answer.Status, 'Success');
		assert.equal(answer.NumberLoadedRows, 1, 'counted as loaded');
		assert.deepEqual(doris.tableRows('d', 'orders'), [{ id: 1, name: 'a', updated_at: 5 }], 'and ignored');
	});

	it('an upsert lacking the sequence field goes to Invalid (missing_sequence), per message, packed CDC and packed plain; one with it loads', async () => {
		const [rows, invalid] = await run(plain('orders'), [{ json: { id: 2, name: 'b', updated_at: 3 } }, { json: { id: 1, name: 'lost' } }]);
		assert.deepEqual(rows.map((r) => r.json.name), ['b']);
		assert.deepEqual(rules(invalid), ['missing_sequence updated_at']);
		const reason = (invalid[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0];
		assert.match(reason.message, /the row has no field "updated_at" for the sequence column "updated_at" of d\.orders: Doris would give it the column's DEFAULT 0/);
		assert.match(reason.message, /keeps a stored row of the same key whose sequence value is higher/);
		assert.match(reason.message, /give every row a value for it/);
		// Packed plain lines take the fast path: the same.
		const [plainRows, plainInvalid] = await run(plain('orders'), [packedItem(['{"id":3,"name":"c","updated_at":1}', '{"id":1,"name":"lost"}'])]);
		assert.equal(packedLines(plainRows[0]), '{"id":3,"name":"c","updated_at":1}\n');
		assert.deepEqual(rules(plainInvalid), ['missing_sequence updated_at']);
		// Debezium envelopes, per message and packed (the general path).
		const cdc = plain('orders', { cdc: true });
		const changes = [
			{ op: 'u', before: null, after: { id: 1, name: 'lost' } },
			{ op: 'u', before: null, after: { id: 1, name: 'kept', updated_at: 6 } },
		];
		const [cdcRows, cdcInvalid] = await run(cdc, changes.map((c) => ({ json: c })));
		assert.deepEqual(cdcRows.map((r) => r.json.name), ['kept']);
		assert.deepEqual(rules(cdcInvalid), ['missing_sequence updated_at']);
		const [cdcPacked, cdcPackedInvalid] = await run(cdc, [packedItem(changes.map((c) => JSON.stringify(c)))]);
		assert.equal((cdcPacked[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).count, 1);
		assert.deepEqual(rules(cdcPackedInvalid), ['missing_sequence updated_at']);
	});

	it('still loads: a Field Mapping from another field the row has; a DEFAULT CURRENT_TIMESTAMP (the load time, the exception Doris documents)', async () => {
		const mapped = plain('orders', { mapping: { mapping: [{ field: 'version', column: 'updated_at' }] } });
		const [rows, invalid] = await run(mapped, [{ json: { id: 1, name: 'newer', version: 9 } }]);
		assert.deepEqual(invalid, []);
		assert.deepEqual(rows.map((r) => r.json), [{ id: 1, name: 'newer', updated_at: 9 }]);
		await doris.sql('CREATE TABLE d.stamped (id BIGINT NOT NULL, name STRING NULL, changed DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "changed")');
		const [stamped, stampedInvalid] = await run(plain('stamped'), [{ json: { id: 1, name: 'now' } }, packedItem(['{"id":2,"name":"now too"}'])]);
		assert.deepEqual(stampedInvalid, []);
		assert.deepEqual(stamped.map((r) => r.json.name ?? packedLines(r)), ['now', '{"id":2,"name":"now too"}\n']);
	});
});
