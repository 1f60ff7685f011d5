/**
 * The Doris Schema node's schema evolution (Add New Columns) against the Doris test server, through
 * the node's execute(): a DDL refusal that passes fails the execution (redelivered, nothing on
 * Invalid), one that does not sends its rows to Invalid with the reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { startDorisTestServer, type DorisTestServer } from '../../ground/doris/server';
import { schemaNodeContext, useDorisTestServers } from './schema-node-context';

const VERSIONS = ['2.1', '3.0', '3.1'] as const;

function context(doris: DorisTestServer, params: Record<string, unknown>, items: INodeExecutionData[]): IExecuteFunctions {
	return schemaNodeContext(doris, params, items, { database: 'd', workflowId: 'wf-evolve' });
}

const evolving = { operation: 'mapRows', database: 'd', table: 'events', schemaMode: 'auto', options: { evolve: true } };

describe('Doris Schema node: Add New Columns', () => {
	const node = new DorisSchema();
	const servers = useDorisTestServers();
	async function server(version: (typeof VERSIONS)[number], ddl: string): Promise<DorisTestServer> {
		const doris = await startDorisTestServer({ version });
		servers.push(doris);
		await doris.sql('CREATE DATABASE d');
		await doris.sql(ddl);
		return doris;
	}
	const columnsOf = async (doris: DorisTestServer) => ((await doris.sql('DESC d.events')) as Array<{ Field: string; Type: string }>).map((c) => `${c.Field} ${c.Type.toUpperCase()}`);

	for (const version of VERSIONS) {
		it(`Doris ${version}: an ALTER refused while another alter job runs on the table fails the execution (nothing on Invalid); the redelivery adds the column`, async () => {
			const doris = await server(version, 'CREATE TABLE d.events (id BIGINT NOT NULL, v STRING NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
			const items = [{ json: { id: 1, v: 'a', note: 'first' } }, { json: { id: 2, v: 'b' } }];
			const job = doris.schemaChangeJob('d', 'events');
			await assert.rejects(node.execute.call(context(doris, evolving, items)), /state\(SCHEMA_CHANGE\) is not NORMAL\. Do not allow doing ALTER ops/);
			job.finish();
			const [rows, invalid] = await node.execute.call(context(doris, evolving, items));
			assert.deepEqual(invalid, []);
			assert.deepEqual(
				rows.map((r) => r.json),
				[
					{ id: 1, v: 'a', note: 'first' },
					{ id: 2, v: 'b' },
				],
			);
			assert.ok((await columnsOf(doris)).includes('note TEXT'));
		});
	}

	it('a field that differs from a column only in case loads into it; no DDL, nothing on Invalid, with Add New Columns on or off', async () => {
		const doris = await server('3.1', 'CREATE TABLE d.events (id BIGINT NOT NULL, name STRING NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		const items = [{ json: { id: 1, Name: 'a' } }, { json: { ID: 2, NAME: 'b', name: 'exact' } }];
		for (const options of [{ evolve: true }, {}]) {
			const [rows, invalid] = await node.execute.call(context(doris, { ...evolving, options }, items));
			assert.deepEqual(invalid, [], JSON.stringify(options));
			assert.deepEqual(
				rows.map((r) => r.json),
				[
					{ id: 1, name: 'a' },
					{ id: 2, name: 'exact' },
				],
			);
		}
		assert.deepEqual(await columnsOf(doris), ['id BIGINT', 'name TEXT']);
	});

	it('a new field with numbers, text and booleans in one execution gets the widest type (STRING) and every row loads', async () => {
		const doris = await server('3.1', 'CREATE TABLE d.events (id BIGINT NOT NULL, v STRING NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		const items = [{ json: { id: 1, x: 1 } }, { json: { id: 2, x: 1.5 } }, { json: { id: 3, x: 'abc' } }, { json: { id: 4, x: true } }];
		const [rows, invalid] = await node.execute.call(context(doris, evolving, items));
		assert.deepEqual(invalid, []);
		// A JSON boolean into a text column is written as Doris stores it: "1" / "0" (its JSON reader, new_json_reader.cpp).
		assert.deepEqual(
			rows.map((r) => r.json.x),
			['1', '1.5', 'abc', '1'],
		);
		assert.deepEqual(await columnsOf(doris), ['id BIGINT', 'v TEXT', 'x TEXT']);
	});

	it('a field with a dot in its name ("http.status", log / OpenTelemetry style) becomes column `http.status` and fills it; Doris loads it by the whole key', async () => {
		const doris = await server('3.1', 'CREATE TABLE d.events (id BIGINT NOT NULL, msg STRING NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		const items = [{ json: { id: 1, msg: 'GET /', 'http.status': 200 } }, { json: { id: 2, 'http.status': 404 } }];
		const [rows, invalid] = await node.execute.call(context(doris, evolving, items));
		assert.deepEqual(invalid, []);
		assert.deepEqual(
			rows.map((r) => r.json),
			[
				{ id: 1, msg: 'GET /', 'http.status': 200 },
				{ id: 2, 'http.status': 404 },
			],
		);
		assert.deepEqual(await columnsOf(doris), ['id BIGINT', 'msg TEXT', 'http.status BIGINT']);
		// The test server, as Doris' JSON reader (new_json_reader.cpp _column_index), matches a key to a column by its whole name.
		const load = await fetch(new URL('/api/d/events/_stream_load', doris.beUrl), {
			method: 'PUT',
			headers: { format: 'json', read_json_by_line: 'true', label: 'dotted_1', Authorization: `Basic ${Buffer.from(`${doris.user}:${doris.password}`).toString('base64')}` },
			body: rows.map((r) => `${JSON.stringify(r.json)}\n`).join(''),
		});
		assert.equal(((await load.json()) as { Status: string }).Status, 'Success');
		assert.deepEqual(await doris.sql('SELECT id, `http.status` FROM d.events ORDER BY id'), [
			{ id: 1, 'http.status': 200 },
			{ id: 2, 'http.status': 404 },
		]);
	});
});
