/**
 * validate_on_start at activation against the Doris test server: src/doris/schema/table-check.ts
 * (missing table, missing column, all fine, unreachable MySQL port) and the trigger's
 * checkDorisTables through the narrow context it declares.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';

import type { INode, ITriggerFunctions, NodeTypeAndVersion } from 'n8n-workflow';

import { checkDorisTables } from '../../nodes/KafkaTrigger/check-doris-tables';
import { SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../nodes/KafkaTrigger/downstream-tables';
import type { DorisConnection } from '../../src/doris/connection';
import { closeDorisPools } from '../../src/doris/mysql';
import { readTableSchema } from '../../src/doris/schema/reader';
import type { SchemaReader } from '../../src/doris/schema/schema-cache';
import { TableCheckError, findTableProblems, checkTables } from '../../src/doris/schema/table-check';
import { startDorisTestServer, type DorisTestServer } from '../ground/doris/server';

const DDL = 'CREATE TABLE vt.events (id BIGINT NOT NULL, user_id BIGINT, ts DATETIME) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('activation check of Doris tables', () => {
	let doris: DorisTestServer;
	let conn: DorisConnection;

	before(async () => {
		doris = await startDorisTestServer({ password: 'vt-Secret-pw' });
		conn = { feUrls: [doris.feUrl], queryPort: doris.mysqlPort, queryHost: doris.mysqlHost, user: doris.user, password: doris.password, database: 'vt' };
		await doris.sql('CREATE DATABASE vt');
		await doris.sql(DDL);
	});
	after(async () => {
		await closeDorisPools();
		await doris.close();
	});

	it('passes when every table and mapped column exists (the default database fills an empty one)', async () => {
		const problems = await findTableProblems(conn, [
			{ label: 'A', database: 'vt', table: 'events', columns: [{ column: 'user_id', from: 'mapped from field "uid"' }, { column: 'TS' }] },
			{ label: 'B', database: '', table: 'events' },
		]);
		assert.deepEqual(problems, []);
		await checkTables(conn, [{ label: 'A', database: 'vt', table: 'events' }]);
	});

	it('names the node, the table and every missing column with where it was mapped from', async () => {
		const problems = await findTableProblems(conn, [
			{ label: 'Doris Schema node "Map rows"', database: 'vt', table: 'events', columns: [{ column: 'user_id' }, { column: 'uid2', from: 'mapped from field "uid"' }, { column: 'zz' }] },
		]);
		assert.equal(problems.length, 1);
		assert.equal(problems[0].kind, 'missingColumns');
		assert.deepEqual(problems[0].missing.map((m) => m.column), ['uid2', 'zz']);
		assert.equal(problems[0].message, 'Doris Schema node "Map rows": table vt.events has no columns "uid2" (mapped from field "uid"), "zz"');
	});

	it('reports a missing table and a missing database, all problems in one error, each table read once', async () => {
		let reads = 0;
		const reader: SchemaReader = (c, d, t) => {
			reads++;
			return readTableSchema(c, d, t);
		};
		const tables = [
			{ label: 'Doris Schema node "S"', database: 'vt', table: 'missing' },
			{ label: 'Doris Stream Load node "L"', database: 'vt', table: 'missing' },
			{ label: 'Doris Stream Load node "M"', database: 'nodb', table: 'events' },
			{ label: 'Doris Stream Load node "OK"', database: 'vt', table: 'events' },
		];
		const error = await checkTables(conn, tables, reader).then(
			() => assert.fail('validation passed'),
			(e: unknown) => e,
		);
		assert.ok(error instanceof TableCheckError);
		assert.deepEqual(error.problems.map((p) => [p.kind, p.label]), [
			['missingTable', 'Doris Schema node "S"'],
			['missingTable', 'Doris Stream Load node "L"'],
			['missingTable', 'Doris Stream Load node "M"'],
		]);
		assert.match(error.message, /^Doris Schema node "S": table vt\.missing does not exist \(checked over Doris' MySQL port 127\.0\.0\.1:\d+\); Doris Stream Load node "L": table vt\.missing/);
		assert.match(error.message, /Doris Stream Load node "M": table nodb\.events does not exist/);
		assert.equal(reads, 3, 'vt.missing is read once for both nodes');
	});

	it('a table created after a failed check passes the next check', async () => {
		const table = [{ label: 'X', database: 'vt', table: 'later', columns: [{ column: 'v' }] }];
		assert.equal((await findTableProblems(conn, table))[0]?.kind, 'missingTable');
		await doris.sql('CREATE TABLE vt.later (k INT, w INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
		assert.equal((await findTableProblems(conn, table))[0]?.kind, 'missingColumns');
		await doris.sql('ALTER TABLE vt.later ADD COLUMN v INT');
		assert.deepEqual(await findTableProblems(conn, table), []);
	});

	it('an unreachable MySQL port is a problem naming host:port, not a pass', async () => {
		const port = await closedPort();
		const problems = await findTableProblems({ ...conn, queryPort: port }, [{ label: 'N', database: 'vt', table: 'events' }]);
		assert.equal(problems.length, 1);
		assert.equal(problems[0].kind, 'unreadable');
		assert.ok(problems[0].message.startsWith('N: could not read table vt.events: '), problems[0].message);
		assert.ok(problems[0].message.includes(`127.0.0.1:${port}`), problems[0].message);
		assert.ok(!problems[0].message.includes(conn.password), 'the password is not in the message');
		console.log(`# ${problems[0].message}`);
	});

	describe('the trigger\'s checkDorisTables', () => {
		const node = { name: 'Kafka Trigger', type: 'n8n-nodes-doris-sinker.kafkaTrigger' } as INode;
		const logs: string[] = [];

		function context(children: NodeTypeAndVersion[], credential: Record<string, unknown> | Error) {
			const log = (message: string) => logs.push(message);
			const ctx: Pick<ITriggerFunctions, 'getChildNodes' | 'getNode' | 'getCredentials' | 'logger'> = {
				getChildNodes: (name) => (name === node.name ? children : []),
				getNode: () => node,
				// n8n types getCredentials as generic over the credential shape; the check only reads plain fields.
				getCredentials: (async () => {
					if (credential instanceof Error) throw credential;
					return credential;
				}) as ITriggerFunctions['getCredentials'],
				logger: { info: log, warn: log, error: log, debug: log } as unknown as ITriggerFunctions['logger'],
			};
			return ctx;
		}
		const credential = () => ({ feUrls: doris.feUrl, queryPort: doris.mysqlPort, user: doris.user, password: doris.password, database: 'vt' });
		const schemaNode = (table: string, mapping: Array<{ field: string; column: string }> = []): NodeTypeAndVersion => ({
			name: 'Map rows',
			type: SCHEMA_NODE_TYPE,
			typeVersion: 1,
			disabled: false,
			parameters: { operation: 'mapRows', database: 'vt', table, schemaMode: 'auto', options: { mapping: { mapping } } },
		});

		it('fails with a NodeOperationError naming node, table and column; passes when they exist', async () => {
			await assert.rejects(checkDorisTables(context([schemaNode('events', [{ field: 'uid', column: 'uid_col' }])], credential())), (error: Error) => {
				assert.equal(error.name, 'NodeOperationError');
				assert.equal(error.message, 'Check Doris Tables on Activation: Doris Schema node "Map rows": table vt.events has no column "uid_col" (mapped from field "uid")');
				return true;
			});
			await assert.rejects(checkDorisTables(context([schemaNode('nope')], credential())), /Doris Schema node "Map rows": table vt\.nope does not exist/);
			await checkDorisTables(
				context([schemaNode('events', [{ field: 'uid', column: 'user_id' }]), { name: 'Load', type: STREAM_LOAD_NODE_TYPE, typeVersion: 1, disabled: false, parameters: { database: '', table: 'events' } }], credential()),
			);
			assert.ok(logs.some((l) => l.includes('vt.events, vt.events OK')), logs.join('\n'));
		});

		// An HLL column takes no value from a JSON row: without a Columns expression for it Doris refuses
		// every load into the table (the Doris test server as Doris: test/ground/doris/sketches.ts).
		it('fails naming a Stream Load node whose table has an HLL column it sends no Columns expression for; passes with one', async () => {
			await doris.sql('CREATE TABLE vt.visits (day INT NOT NULL, hits BIGINT SUM, uv HLL HLL_UNION) AGGREGATE KEY(day) DISTRIBUTED BY HASH(day) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
			const load = (options: Record<string, string>): NodeTypeAndVersion => ({ name: 'Load', type: STREAM_LOAD_NODE_TYPE, typeVersion: 1, disabled: false, parameters: { database: 'vt', table: 'visits', format: 'json', options } });
			await assert.rejects(checkDorisTables(context([load({})], credential())), (error: Error & { description?: string }) => {
				assert.match(error.message, /Doris Stream Load node "Load": table vt\.visits: column "uv" \(HLL\) takes no value from a JSON row: the Stream Load node sends no Columns/);
				assert.match(error.message, /uv = hll_hash\(<field>\)/);
				return true;
			});
			await checkDorisTables(context([load({ columns: 'day, hits, user_id, uv = hll_hash(user_id)' })], credential()));
			// Left out of Columns, only Doris 3.0+ loads it empty (apache/doris PR #34447): refused, naming the
			// expression that loads it empty on every version.
			await assert.rejects(checkDorisTables(context([load({ columns: 'day, hits' })], credential())), /column "uv" \(HLL\).*left out of Columns.*uv = hll_empty\(\)/);
			await checkDorisTables(context([load({ columns: 'day, hits, uv = hll_empty()' })], credential()));
		});

		it('without a Doris credential the activation fails saying so; with no Doris node downstream it only warns', async () => {
			await assert.rejects(checkDorisTables(context([schemaNode('events')], new Error('Node does not have any credentials set for "dorisApi"'))), (error: Error & { description?: string }) => {
				assert.match(error.message, /dorisApi/);
				assert.match(error.description ?? '', /needs a Doris credential on this trigger/);
				return true;
			});
			logs.length = 0;
			await checkDorisTables(context([], new Error('never read')));
			assert.match(logs.join('\n'), /no Doris Schema .* or Doris Stream Load node with a fixed table follows this trigger/);
		});
	});
});
