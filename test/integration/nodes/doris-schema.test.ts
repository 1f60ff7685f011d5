/**
 * The Doris Schema node's execute() against the Doris test server, through the narrow context it
 * declares (router.ts SchemaContext): settings read once, credential → connection, two outputs with
 * pairedItem, Get Schema, and the activation-style error for a missing table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

// `.node.js`: without it Node resolves the codex file (<Node>.node.json) before the TypeScript source.
import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { closeDorisPools } from '../../../src/doris/mysql';
import { closeSchemaCache } from '../../../src/doris/schema/schema-cache';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { DELETE_SIGN_COLUMN } from '../../../src/common/item-contract';
import { sortItemsForLoad } from '../../../src/batch/load-items';
import { DEFAULT_MIN_REREAD_MS } from '../../../src/doris/schema/drift-signals';
import { startDorisTestServer, type DorisTestServer } from '../../ground/doris/server';

describe('Doris Schema node', () => {
	let doris: DorisTestServer;
	const node = new DorisSchema();

	before(async () => {
		doris = await startDorisTestServer();
		await doris.sql('CREATE DATABASE nd');
		await doris.sql('CREATE TABLE nd.users (id BIGINT NOT NULL, name VARCHAR(5), born DATE) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
	});
	after(async () => {
		closeSchemaCache();
		await closeDorisPools();
		await doris.close();
	});

	function context(params: Record<string, unknown>, items: INodeExecutionData[], continueOnFail = false, connected?: number[], mode = 'trigger'): IExecuteFunctions {
		const main: Array<Array<{ node: string; type: string; index: number }>> = [];
		for (const index of connected ?? []) main[index] = [{ node: `After ${index}`, type: 'main', index: 0 }];
		const ctx = {
			// What n8n's execution context holds (nodes/shared/outputs.ts reads it): which outputs lead where.
			...(connected === undefined ? {} : { workflow: { connectionsBySourceNode: { 'Doris Schema': { main } } } }),
			getMode: () => mode,
			getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback),
			getNode: () => ({ name: 'Doris Schema', type: 'n8n-nodes-doris-sinker.dorisSchema', typeVersion: 1, position: [0, 0], parameters: {}, id: 'n1' }),
			getInputData: () => items,
			getCredentials: async () => ({ feUrls: doris.feUrl, queryPort: doris.mysqlPort, user: doris.user, password: doris.password, database: 'nd' }),
			getWorkflow: () => ({ id: 'wf1', name: 'wf', active: true }),
			continueOnFail: () => continueOnFail,
		};
		// The node only uses the methods of its SchemaContext; the rest of IExecuteFunctions is unused.
		return ctx as unknown as IExecuteFunctions;
	}

	it('Map Rows to Table: rows on output 0, invalid on output 1, each paired to its input', async () => {
		const items = [{ json: { id: '9007199254740993', name: 'ann', born: '2000-01-02' } }, { json: { id: 2, name: 'too long name' } }, { json: { name: 'x' } }];
		const [rows, invalid] = await node.execute.call(context({ operation: 'mapRows', table: 'users', schemaMode: 'auto', options: {} }, items));
		assert.deepEqual(rows, [{ json: { id: '9007199254740993', name: 'ann', born: '2000-01-02' }, pairedItem: { item: 0 } }]);
		assert.deepEqual(invalid.map((i) => i.pairedItem), [{ item: 1 }, { item: 2 }]);
		assert.deepEqual((invalid[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.rule), ['too_long']);
		assert.deepEqual((invalid[1].json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.rule), ['not_null']);
	});

	it('an Invalid output that leads nowhere fails the execution when items are invalid, saying so; connected, or no invalid item, it does not', async () => {
		const params = { operation: 'mapRows', table: 'users', schemaMode: 'auto', options: {} };
		const bad = [{ json: { id: 1, name: 'ann' } }, { json: { id: 2, name: 'too long name' } }];
		await assert.rejects(node.execute.call(context(params, bad, false, [0])), /1 item\(s\) cannot load \(first: name: .*\) and the Invalid output leads nowhere, so they would be lost/);
		const [rows, invalid] = await node.execute.call(context(params, bad, false, [0, 1]));
		assert.deepEqual([rows.length, invalid.length], [1, 1]);
		assert.equal((await node.execute.call(context(params, [bad[0]], false, [0])))[0].length, 1, 'nothing invalid: runs');
		assert.equal((await node.execute.call(context(params, bad, false, [0], 'manual')))[1].length, 1, 'the editor shows the output');
		// On Error "Continue": n8n would swallow a throw and hand the raw input on to Rows, unchecked. The
		// invalid items go on to Rows as they are (with _invalid), where Doris Stream Load refuses them.
		const [onRows, onInvalid] = await node.execute.call(context(params, bad, true, [0]));
		assert.deepEqual(onRows.map((r) => [r.json.id, r.json[INVALID_FIELD] === undefined]), [[1, true], [2, false]]);
		assert.deepEqual(onInvalid, []);
		const refused = sortItemsForLoad(onRows, { format: 'json', deletes: 'auto' });
		assert.deepEqual(refused.refused.map((r) => r.index), [1], 'the Stream Load node refuses the invalid item, failing the execution');
		const [unreadable] = await node.execute.call(context({ ...params, table: 'no_such_table' }, bad, true, [0]));
		assert.deepEqual(sortItemsForLoad(unreadable, { format: 'json', deletes: 'auto' }).loadable, [], 'an unreadable schema: every item refused');
	});

	// n8n hands a node's raw input on to its first output when the node throws under On Error
	// "Continue" (n8n-core WorkflowExecute.handleNodeExecutionError): for this node that is Rows, loaded
	// unchecked. So it never throws there: an execution it cannot map goes to Invalid with the reason.
	it('On Error "Continue": an execution the node cannot map (a bad setting, Doris unreachable) goes to Invalid with the reason, packed lines one by one; nothing reaches Rows', async () => {
		const packed = { jsonLines: '{"id":5,"name":"p"}\nnot json\n', count: 2, sources: [{ topic: 't', partition: 3, firstOffset: '40', lastOffset: '41', lines: 2 }] };
		const items = [{ json: { id: 1, name: 'ann' } }, { json: { packedRows: packed } }];
		const badZone = { operation: 'mapRows', table: 'users', schemaMode: 'auto', options: { timeZone: 'Mars/Olympus' } };
		await assert.rejects(node.execute.call(context(badZone, items, false, [0, 1])));
		const [rows, invalid] = await node.execute.call(context(badZone, items, true, [0, 1]));
		assert.deepEqual(rows, []);
		assert.deepEqual(
			invalid.map((i) => [i.json.id ?? i.json.line, i.pairedItem]),
			[
				[1, { item: 0 }],
				[5, { item: 1 }],
				['not json', { item: 1 }],
			],
		);
		const reason = (invalid[1].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0];
		assert.equal(reason.rule, 'schema');
		assert.match(reason.message, /^not mapped: .*Mars\/Olympus/);
		assert.deepEqual(invalid[2].json._kafka, { topic: 't', partition: 3, offset: '41', line: 1 });
		// Doris unreachable (nothing listens on the port): the same.
		const unreachable = context({ operation: 'mapRows', table: 'users', schemaMode: 'auto', options: { refreshInterval: 0 } }, items.slice(0, 1), true, [0, 1]);
		(unreachable as unknown as { getCredentials: () => Promise<unknown> }).getCredentials = async () => ({ feUrls: 'http://127.0.0.1:1', queryPort: 1, user: 'u', password: 'p', database: 'nd' });
		const [noRows, allInvalid] = await node.execute.call(unreachable);
		assert.deepEqual([noRows.length, allInvalid.length], [0, 1]);
	});

	// The re-read a row that does not fit asks for is rate-limited (one per table every 2 s). A re-read
	// asked for within that time must not answer with the schema read before the ALTER: the row waits
	// for the next allowed read instead of being declared invalid (and lost to the dead-letter branch).
	it('ALTER TABLE mid-stream within the re-read rate limit: a row the widened column takes loads, after waiting for the next allowed re-read', async () => {
		await doris.sql('CREATE TABLE nd.widen (id BIGINT NOT NULL, name VARCHAR(4)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
		const params = { operation: 'mapRows', table: 'widen', schemaMode: 'auto', options: { refreshInterval: 0 } };
		// A row too long for VARCHAR(4): invalid, and the table is re-read now (nothing changed yet).
		const [, first] = await node.execute.call(context(params, [{ json: { id: 1, name: 'toolong' } }], false, [0, 1]));
		assert.equal(first.length, 1);
		await doris.sql('ALTER TABLE nd.widen MODIFY COLUMN name VARCHAR(32)');
		const started = Date.now();
		const [rows, invalid] = await node.execute.call(context(params, [{ json: { id: 2, name: 'toolong' } }, { json: { id: 3, name: 'x'.repeat(40) } }], false, [0, 1]));
		const waitedMs = Date.now() - started;
		assert.deepEqual(rows.map((r) => r.json), [{ id: 2, name: 'toolong' }], 'the widened column takes the row');
		assert.deepEqual(invalid.map((i) => i.json.id), [3], 'too long for the new schema too: invalid');
		assert.ok(waitedMs <= DEFAULT_MIN_REREAD_MS + 500, `waited ${waitedMs} ms, at most the rate limit`);
	});

	// string_type_length_soft_limit_bytes / jsonb_type_length_soft_limit_bytes are BE settings a cluster may change.
	it("Max STRING / JSON Size follow the cluster's limits: a longer value goes to Invalid naming the setting", async () => {
		await doris.sql('CREATE TABLE nd.docs (id BIGINT NOT NULL, body STRING, meta JSON) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		const items = [{ json: { id: 1, body: 'x'.repeat(11) } }, { json: { id: 2, meta: { k: 'abcdefgh' } } }, { json: { id: 3, body: 'x'.repeat(10), meta: { k: 1 } } }];
		const options = { maxStringBytes: 10, maxJsonBytes: 12 };
		const [rows, invalid] = await node.execute.call(context({ operation: 'mapRows', table: 'docs', schemaMode: 'auto', options }, items));
		assert.deepEqual(rows.map((r) => r.json.id), [3]);
		assert.deepEqual(
			invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.message).join()),
			[
				'body: 11 UTF-8 bytes, limit 10 (Doris BE setting string_type_length_soft_limit_bytes)',
				'meta: 16 UTF-8 bytes, limit 12 (Doris BE setting jsonb_type_length_soft_limit_bytes)',
			],
		);
		await assert.rejects(node.execute.call(context({ operation: 'mapRows', table: 'docs', schemaMode: 'auto', options: { maxJsonBytes: 0 } }, items)), /Max JSON Size \(Bytes\) "0" must be a whole number of bytes from 1 to 2147483643/);
	});

	it('CDC option flags Debezium deletes with the delete sign', async () => {
		const items = [{ json: { payload: { op: 'd', before: { id: 5 } } } }, { json: { payload: { op: 'c', after: { id: 6 } } } }];
		const [rows] = await node.execute.call(context({ operation: 'mapRows', table: 'users', schemaMode: 'auto', options: { cdc: true } }, items));
		// The delete carries the key facts it was mapped for: the Stream Load node fails its load if the table changed since (key-facts.ts).
		assert.deepEqual(rows.map((r) => r.json), [{ id: 5, [DELETE_SIGN_COLUMN]: 1, _doris: { keyFacts: 'nd.users: UNIQUE KEY(id), no sequence column' } }, { id: 6, [DELETE_SIGN_COLUMN]: 0 }]);
	});

	it('Get Schema outputs one item per column', async () => {
		const [cols] = await node.execute.call(context({ operation: 'getSchema', database: 'nd', table: 'users', schemaMode: 'auto' }, [{ json: {} }]));
		assert.deepEqual(cols.map((c) => [c.json.name, c.json.normalizedType, c.json.isKey, c.json.keyModel]), [
			['id', 'BIGINT', true, 'UNIQUE'],
			['name', 'VARCHAR(5)', false, 'UNIQUE'],
			['born', 'DATE', false, 'UNIQUE'],
		]);
	});

	it('a missing table fails the run with a clear message; Continue On Fail routes items to Invalid', async () => {
		const params = { operation: 'mapRows', table: 'ghost', schemaMode: 'auto', options: {} };
		await assert.rejects(node.execute.call(context(params, [{ json: { id: 1 } }])), /Doris table nd\.ghost was not found/);
		const [rows, invalid] = await node.execute.call(context(params, [{ json: { id: 1 } }], true));
		assert.equal(rows.length, 0);
		assert.deepEqual(invalid[0].pairedItem, { item: 0 });
		assert.match((invalid[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /ghost/);
	});

	it('manual mode coerces without the MySQL port when validation is off', async () => {
		const params = {
			operation: 'mapRows',
			table: 'users',
			schemaMode: 'manual',
			manualColumns: { column: [{ name: 'id', type: 'INT', nullable: false }] },
			options: { validateOnStart: false },
		};
		const [rows, invalid] = await node.execute.call(context(params, [{ json: { id: '7' } }, { json: { id: 2 ** 40 } }]));
		assert.deepEqual(rows.map((r) => r.json), [{ id: 7 }]);
		assert.equal(invalid.length, 1);
	});

	it('Time Zone: an instant takes the date its zone read, offsets with seconds included (Liberia kept -0:44:30 until 1972)', async () => {
		const params = { operation: 'mapRows', table: 'users', schemaMode: 'auto', options: { timeZone: 'Africa/Monrovia' } };
		// 00:44:15Z was 23:59:45 of the day before in Monrovia; an offset rounded to -0:44 made it the next day.
		const items = [{ json: { id: 10, born: '1970-06-01T00:44:15Z' } }, { json: { id: 11, born: '1970-06-01T00:44:30Z' } }];
		const [rows, invalid] = await node.execute.call(context(params, items));
		assert.deepEqual(invalid, []);
		assert.deepEqual(rows.map((r) => r.json.born), ['1970-05-31', '1970-06-01']);
	});
});
