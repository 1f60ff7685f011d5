/**
 * Tables whose names differ only in case, on the Doris test server (which, like Doris with its default
 * lower_case_table_names 0, keeps them apart). Two Debezium topics `srv.d.Users` and `srv.d.users`: each
 * table's rows are mapped against its own columns. Before, the schema cache's key was lower-cased, so
 * `users` got `Users`' schema and its `nick` was dropped without a word (Unknown Fields Ignore).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { useDorisDatabase } from '../stream-load-support';
import { kafkaOrigin, schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({
	tables: [
		{ name: 'Users', columns: 'id BIGINT NOT NULL, email STRING NULL', keys: 'UNIQUE KEY(id)' },
		{ name: 'users', columns: 'id BIGINT NOT NULL, nick STRING NULL', keys: 'UNIQUE KEY(id)' },
	],
	readsTables: true,
});

const item = (table: string, json: Record<string, unknown>): INodeExecutionData => ({ json: { ...json, _kafka: kafkaOrigin(`srv.d.${table}`, 0) } });

describe('Doris Schema: tables whose names differ only in case', () => {
	it('each table is mapped against its own columns', async () => {
		const params = { operation: 'mapRowsToTables', database: 'd', tableFrom: 'topic', databaseFrom: 'parameter', createTables: false, options: {} };
		const items = [item('Users', { id: 1, email: 'a@b' }), item('users', { id: 2, nick: 'bob' })];
		const [rows, invalid] = await new DorisSchema().execute.call(schemaNodeContext(db.server, params, items, { database: 'd', workflowId: 'wf-name-case' }));
		assert.equal(invalid.length, 0);
		const byTable = Object.fromEntries(rows.map((r) => [(r.json._doris as { table: string }).table, { id: r.json.id, email: r.json.email, nick: r.json.nick }]));
		assert.deepEqual(byTable, { Users: { id: 1, email: 'a@b', nick: undefined }, users: { id: 2, email: undefined, nick: 'bob' } });
	});
});
