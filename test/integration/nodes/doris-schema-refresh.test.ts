/**
 * Map Rows to Tables re-reads a table every Refresh Interval, with or without Create Missing Tables, on
 * the Doris test server (ALTER TABLE there mid-run). A change no item hints at is seen only so: a column
 * added for a field already flowing (the name was remembered as unmatched after the first re-read), a
 * column dropped while the source keeps sending its field. Before, the interval went to the schema cache
 * only with Create Missing Tables on: without, a table was read once per process, `x` was dropped from
 * every row for good, and `b` kept passing under Reject (Doris' JSON reader then skips it without a word).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import type { DorisConnection } from '../../../src/doris/connection';
import { schemaCache } from '../../../src/doris/schema/schema-cache';
import { useDorisDatabase } from '../stream-load-support';
import { kafkaOrigin, schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({
	tables: [
		{ name: 'added', columns: 'id BIGINT NOT NULL, a STRING NULL', keys: 'UNIQUE KEY(id)' },
		{ name: 'dropped', columns: 'id BIGINT NOT NULL, a STRING NULL, b STRING NULL', keys: 'UNIQUE KEY(id)' },
	],
	readsTables: true,
});

const item = (table: string, id: number, json: Record<string, unknown>): INodeExecutionData => ({ json: { id, ...json, _kafka: kafkaOrigin(`srv.d.${table}`, id) } });

function mapRows(options: Record<string, unknown>, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const params = { operation: 'mapRowsToTables', database: 'd', tableFrom: 'topic', databaseFrom: 'parameter', createTables: false, options: { refreshInterval: 1, ...options } };
	return new DorisSchema().execute.call(schemaNodeContext(db.server, params, items, { database: 'd', workflowId: 'wf-refresh' }));
}

/**
 * Until the cached schema of `table` satisfies `done` (a background read has run), up to 10 s: no
 * assertion on the time, the test's own assertion then says whether the refresh happened.
 */
async function untilCached(table: string, done: (columns: string[]) => boolean): Promise<void> {
	const { feUrls, mysqlPort, user, password } = db.server;
	const connection = { feUrls, queryPort: mysqlPort, user, password, database: 'd' } as unknown as DorisConnection;
	for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
		if (done((await schemaCache.get(connection, 'd', table)).columns.map((c) => c.name))) return;
	}
}

describe('Doris Schema, Map Rows to Tables without Create Missing Tables: Refresh Interval', () => {
	it('a column added in Doris for a field already flowing is filled once the table is re-read', async () => {
		// Two executions: the second re-reads on the unmatched `x`, then remembers it as unmatched.
		for (const id of [1, 2]) {
			const [rows] = await mapRows({}, [item('added', id, { a: 'x', x: 'new data' })]);
			assert.equal(rows[0].json.x, undefined);
		}
		await db.server.sql('ALTER TABLE d.added ADD COLUMN x STRING NULL');
		await untilCached('added', (columns) => columns.includes('x'));
		const [rows, invalid] = await mapRows({}, [item('added', 3, { a: 'x', x: 'new data' })]);
		assert.equal(invalid.length, 0);
		assert.equal(rows[0].json.x, 'new data');
	});

	it('a column dropped in Doris: under Unknown Fields Reject its field goes to Invalid once the table is re-read', async () => {
		const [rows1, invalid1] = await mapRows({ unknownFields: 'reject' }, [item('dropped', 1, { a: 'x', b: 'y' })]);
		assert.deepEqual([rows1.length, invalid1.length], [1, 0]);
		await db.server.sql('ALTER TABLE d.dropped DROP COLUMN b');
		await untilCached('dropped', (columns) => !columns.includes('b'));
		const [rows2, invalid2] = await mapRows({ unknownFields: 'reject' }, [item('dropped', 2, { a: 'x', b: 'y' })]);
		assert.equal(rows2.length, 0);
		assert.deepEqual(
			invalid2.map((i) => (i.json._invalid as { reasons: Array<{ rule: string }> }).reasons.map((r) => r.rule)),
			[['unknown_field']],
		);
	});
});
