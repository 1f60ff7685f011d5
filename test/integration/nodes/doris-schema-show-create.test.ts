/**
 * A schema read whose SHOW CREATE TABLE (or the DESC that looks for the hidden delete sign) fails, on the
 * Doris test server (fault queryFail). What they say (key model, sequence column, delete sign) is what
 * holds back rows Doris keeps or drops quietly: an update lacking its sequence value (null_sequence),
 * a delete into a DUPLICATE KEY table or a UNIQUE one without the hidden sign (delete_unsupported).
 * Before, a failure there was swallowed and the schema cached without them: those rows loaded and were
 * counted as loaded. Now the read fails, so the execution fails and is delivered again, and the next
 * read (nothing cached from the failed one) holds them back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';
import { kafkaOrigin, schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({
	tables: [
		{ name: 'dup', columns: 'id INT NOT NULL, v VARCHAR(8) NULL', keys: 'DUPLICATE KEY(id)' },
		{ name: 'dup_load', columns: 'id INT NOT NULL, v INT NULL', keys: 'DUPLICATE KEY(id)' },
	],
	sharedBatches: true,
	readsTables: true,
});
const loadCtx = nodeContextsIn(db);

const envelope = (table: string, op: string, row: Record<string, unknown>, offset: number): INodeExecutionData => ({
	json: { before: op === 'd' ? row : null, after: op === 'd' ? null : row, op, _kafka: kafkaOrigin(`srv.d.${table}`, offset) },
});
const mapRows = { operation: 'mapRowsToTables', database: 'd', tableFrom: 'topic', databaseFrom: 'parameter', createTables: false, options: { cdc: true } };
const rules = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.rule).join());

describe('a schema read whose SHOW CREATE TABLE fails', () => {
	it('Doris Schema (Map Rows to Tables, CDC): the execution fails naming the table, the statement and the error; its redelivery holds the rows back', async () => {
		await db.server.sql('CREATE TABLE d.seq (id INT NOT NULL, v VARCHAR(8) NULL, updated_at BIGINT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "updated_at")');
		const items = [
			envelope('seq', 'c', { id: 1, v: 'new', updated_at: 200 }, 0),
			envelope('seq', 'u', { id: 1, v: 'no-seq' }, 1),
			envelope('dup', 'c', { id: 7, v: 'row' }, 0),
			envelope('dup', 'd', { id: 7, v: 'row' }, 1),
		];
		db.server.faults.queryFail(/SHOW CREATE TABLE/i, 1, 'errCode = 2, detailMessage = query timeout');
		await assert.rejects(
			new DorisSchema().execute.call(schemaNodeContext(db.server, mapRows, items, { database: 'd', workflowId: 'wf-show-create' })),
			/Table d\.(seq|dup): SHOW CREATE TABLE `d`\.`(seq|dup)` failed: .*query timeout.*without its key model, sequence column and delete sign/,
		);
		// Delivered again with the FE well: nothing of the failed read was kept.
		const [rows, invalid] = await new DorisSchema().execute.call(schemaNodeContext(db.server, mapRows, items, { database: 'd', workflowId: 'wf-show-create' }));
		assert.deepEqual(rules(invalid), ['null_sequence', 'delete_unsupported']);
		assert.equal(rows.length, 2);
	});

	it('the DESC that looks for the hidden delete sign fails: the read fails too', async () => {
		await db.server.sql('CREATE TABLE d.uniq (id INT NOT NULL, v VARCHAR(8) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		db.server.faults.queryFail(/show_hidden_columns/i, 1, 'errCode = 2, detailMessage = query timeout');
		const items = [envelope('uniq', 'd', { id: 1, v: 'x' }, 0)];
		await assert.rejects(
			new DorisSchema().execute.call(schemaNodeContext(db.server, mapRows, items, { database: 'd', workflowId: 'wf-show-create' })),
			/Table d\.uniq: DESC `d`\.`uniq` with show_hidden_columns = true .*failed: .*query timeout/,
		);
		const [rows, invalid] = await new DorisSchema().execute.call(schemaNodeContext(db.server, mapRows, items, { database: 'd', workflowId: 'wf-show-create' }));
		assert.deepEqual([rows.length, invalid.length], [1, 0]);
	});

	// Doris words the refusal with ErrorCode ERR_TABLEACCESS_DENIED_ERROR (1142, "%s command denied to user
	// '%s'@'%s' for table '%s'"). DESC passed: the message says which privilege SHOW CREATE TABLE takes.
	it('a refused privilege: the message says which privileges SHOW CREATE TABLE accepts', async () => {
		db.server.faults.queryFail(/SHOW CREATE TABLE/i, 1, "SHOW CREATE TABLE command denied to user 'u'@'127.0.0.1' for table 'd: denied'", 1142);
		const items = [envelope('denied', 'c', { id: 1, v: 'x' }, 0)];
		await db.server.sql('CREATE TABLE d.denied (id INT NOT NULL, v VARCHAR(8) NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		await assert.rejects(
			new DorisSchema().execute.call(schemaNodeContext(db.server, mapRows, items, { database: 'd', workflowId: 'wf-show-create' })),
			/Table d\.denied: SHOW CREATE TABLE `d`\.`denied` failed: .*command denied to user .*\(SHOW CREATE TABLE needs a privilege on the table: any of SELECT_PRIV, LOAD_PRIV, .*as DESC does\)/,
		);
	});

	it("Doris Stream Load's own read (rows with the delete sign, no Doris Schema node): the execution fails instead of loading the deletes as new rows", async () => {
		const deletes = [{ json: { id: 1, v: 1, __DORIS_DELETE_SIGN__: 1 } }];
		db.server.faults.queryFail(/SHOW CREATE TABLE/i, 1, 'errCode = 2, detailMessage = query timeout');
		await assert.rejects(
			executeStreamLoad(loadCtx({ table: 'dup_load' }, deletes, { connected: [0, 1] })),
			/Table d\.dup_load: the load carries the delete sign, .*could not be read .*SHOW CREATE TABLE `d`\.`dup_load` failed: .*query timeout/,
		);
		assert.deepEqual(db.server.tableRows('d', 'dup_load'), []);
		const [, rejected] = await executeStreamLoad(loadCtx({ table: 'dup_load' }, deletes, { connected: [0, 1] }));
		assert.deepEqual(rules(rejected), ['delete_unsupported']);
		assert.deepEqual(db.server.tableRows('d', 'dup_load'), []);
	});
});
