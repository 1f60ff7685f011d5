/**
 * A Database given as an n8n expression, evaluated for each item, in the Doris Schema and Doris Stream
 * Load nodes, against the Doris test server with two databases holding a table of the same name (with
 * other columns). Before, both nodes read the Database for item 0 only: every row loaded into item 0's
 * database (the execution succeeded, its offsets committed), and the Doris Schema node checked and
 * tagged every row against item 0's table, dropping the fields only the other table has.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { INode, INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { DORIS_FIELD, PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { dorisBatcher } from '../../../src/batch/doris-target';
import { metrics } from '../../../src/metrics/metrics';
import { targetsIn, useDorisDatabase } from '../stream-load-support';
import { schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({ sharedBatches: true, readsTables: true });
const target = targetsIn(db, { batch: { maxIntervalMs: 600_000 } });

/** The database each item's expression evaluates to, as n8n would hand it for item `index`. */
type DatabaseOf = (index: number) => string;

/**
 * The node's parameters as stored (the Database an expression) and as n8n evaluates them per item:
 * `getNodeParameter('database', i)` answers item i's database, every other parameter its value.
 */
function perItemDatabase<T extends { getNode: () => INode; getNodeParameter: unknown }>(ctx: T, params: Record<string, unknown>, databaseOf: DatabaseOf): T {
	const node = ctx.getNode();
	return {
		...ctx,
		getNode: () => ({ ...node, parameters: { ...params, database: '={{ $json.db }}' } }),
		getNodeParameter: ((name: string, index: number, fallback?: unknown) => (name === 'database' ? databaseOf(index) : name in params ? params[name] : fallback)) as never,
	};
}

function streamLoadContext(params: Record<string, unknown>, items: INodeExecutionData[], databaseOf: DatabaseOf): Parameters<typeof executeStreamLoad>[0] {
	const node = { name: 'Doris Stream Load', type: 'n8n-nodes-doris-sinker.dorisStreamLoad', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' } as INode;
	const base: Parameters<typeof executeStreamLoad>[0] = {
		getWorkflow: () => ({ id: 'wf-databases', name: 'Databases', active: true }),
		getChildNodes: () => [{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, disabled: false }],
		getInputData: () => items,
		getNode: () => node,
		getNodeParameter: (() => undefined) as never,
		getCredentials: (async () => ({ feUrls: db.server.feUrls.join(','), queryPort: db.server.mysqlPort, user: db.server.user, password: db.server.password, database: 'd' })) as never,
		getMode: (() => 'trigger') as never,
		continueOnFail: () => false,
		getExecutionCancelSignal: () => undefined,
		logger: { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as never,
	};
	return perItemDatabase(base, params, databaseOf);
}

/** doris_rows_loaded_total of one `table` label value. */
async function rowsLoadedMetric(table: string): Promise<number> {
	return (await metrics.rowsLoaded.get()).values.find((v) => v.labels.table === table)?.value ?? 0;
}

const rowsOf = (database: string) => db.server.tableRows(database, 'orders').sort((x, y) => Number(x.id) - Number(y.id));

describe('A Database expression, evaluated for each item', () => {
	before(async () => {
		await db.server.sql('CREATE DATABASE ta');
		await db.server.sql('CREATE TABLE ta.orders (id INT, v VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		await db.server.sql('CREATE DATABASE tb');
		await db.server.sql('CREATE TABLE tb.orders (id INT, w VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
	});

	it('Doris Stream Load: each item, and each packed item, loads into its own database; one summary per database; metrics per database', async () => {
		const loadedBefore = { ta: await rowsLoadedMetric('ta.orders'), tb: await rowsLoadedMetric('tb.orders') };
		const packed: PackedRows = { jsonLines: '{"id":10,"w":"p"}\n{"id":11,"w":"q"}\n', count: 2, sources: [] };
		const items: INodeExecutionData[] = [{ json: { id: 1, v: 'for ta' } }, { json: { id: 2, w: 'for tb' } }, { json: { [PACKED_ROWS_FIELD]: packed } as never }];
		const databaseOf = (index: number) => (index === 0 ? 'ta' : 'tb');
		const [out] = await executeStreamLoad(streamLoadContext({ tableFrom: 'parameter', table: 'orders', options: { loadImmediately: true } }, items, databaseOf));
		assert.deepEqual(
			out.map((o) => [o.json.database, o.json.table, o.json.rows, o.pairedItem]),
			[
				['ta', 'orders', 1, [{ item: 0 }]],
				['tb', 'orders', 3, [{ item: 1 }, { item: 2 }]],
			],
		);
		assert.deepEqual(rowsOf('ta'), [{ id: 1, v: 'for ta' }]);
		assert.deepEqual(rowsOf('tb'), [{ id: 2, w: 'for tb' }, { id: 10, w: 'p' }, { id: 11, w: 'q' }]);
		// Before, the series were of the bare table: both databases' rows counted under table="orders".
		assert.deepEqual({ ta: (await rowsLoadedMetric('ta.orders')) - loadedBefore.ta, tb: (await rowsLoadedMetric('tb.orders')) - loadedBefore.tb }, { ta: 1, tb: 3 });
		assert.equal(await rowsLoadedMetric('orders'), 0);
	});

	it('Doris Stream Load: an item whose expression gives no database, with none in the credential, is refused naming the item; nothing of it loads', async () => {
		const items: INodeExecutionData[] = [{ json: { id: 3, v: 'x' } }];
		const ctx = streamLoadContext({ tableFrom: 'parameter', table: 'orders', options: { loadImmediately: true } }, items, () => '');
		const noDefault = { ...ctx, getCredentials: (async () => ({ ...(await ctx.getCredentials('dorisApi')), database: '' })) as never };
		await assert.rejects(executeStreamLoad(noDefault), /Item 0: no database/);
		assert.equal(rowsOf('ta').some((r) => r.id === 3), false);
	});

	it("Doris Schema (Map Rows to Table): each item is checked against, and tagged with, its own database's table; Stream Load's Each Row's Table then loads it there", async () => {
		const items: INodeExecutionData[] = [
			{ json: { id: 21, v: 'for ta' } },
			{ json: { id: 22, w: 'for tb' } },
			{ json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":23,"w":"packed"}\n', count: 1, sources: [] } } as never },
		];
		const params = { operation: 'mapRows', table: 'orders', schemaMode: 'auto', options: { unknownFields: 'reject' } };
		const databaseOf = (index: number) => (index === 0 ? 'ta' : 'tb');
		const ctx = perItemDatabase(schemaNodeContext(db.server, params, items, { database: 'd', workflowId: 'wf-databases' }), params, databaseOf);
		const [rows, invalid] = (await new DorisSchema().execute.call(ctx)) as INodeExecutionData[][];
		assert.deepEqual(invalid, []);
		assert.deepEqual(
			rows.map((r) => r.json[DORIS_FIELD] ?? (r.json[PACKED_ROWS_FIELD] as unknown as PackedRows).doris),
			[
				{ database: 'ta', table: 'orders' },
				{ database: 'tb', table: 'orders' },
				{ database: 'tb', table: 'orders' },
			],
		);
		assert.equal(rows[1].json.w, 'for tb');
		await executeStreamLoad(streamLoadContext({ tableFrom: 'item', options: { loadImmediately: true } }, rows, () => ''));
		assert.ok(rowsOf('ta').some((r) => r.id === 21 && r.v === 'for ta'));
		assert.ok(rowsOf('tb').some((r) => r.id === 22 && r.w === 'for tb'));
		assert.ok(rowsOf('tb').some((r) => r.id === 23 && r.w === 'packed'));
	});

	it('Doris Schema: a row tagged for one database never loads into another: Stream Load refuses it naming both', async () => {
		const items: INodeExecutionData[] = [{ json: { id: 31, w: 'x', [DORIS_FIELD]: { database: 'tb', table: 'orders' } } }];
		await assert.rejects(
			executeStreamLoad(streamLoadContext({ tableFrom: 'parameter', table: 'orders', options: { loadImmediately: true } }, items, () => 'ta')),
			/mapped for table tb\.orders .* loads into ta\.orders/,
		);
	});

	it("the buffered-bytes gauge is per database's table, and the sum of a table's batches with different options, not the last one reported", async () => {
		const gauge = async (table: string) => (await metrics.bufferedBytes.get()).values.find((v) => v.labels.table === table)?.value ?? 0;
		const before = { ta: await gauge('ta.orders'), tb: await gauge('tb.orders') };
		const ta = dorisBatcher({ ...target('orders'), database: 'ta' });
		const tb = dorisBatcher({ ...target('orders'), database: 'tb' });
		// The same table with other load options is another batch in the same series.
		const tbOther = dorisBatcher({ ...target('orders'), database: 'tb', labelPrefix: 'other' });
		const added = [ta.add([[{ id: 41 }]]), tb.add([[{ id: 42 }, { id: 43 }]]), tbOther.add([[{ id: 44 }]])];
		await new Promise((resolve) => setImmediate(resolve));
		assert.ok(ta.bufferedBytes > 0 && tb.bufferedBytes > ta.bufferedBytes && tbOther.bufferedBytes > 0);
		assert.equal((await gauge('ta.orders')) - before.ta, ta.bufferedBytes);
		assert.equal((await gauge('tb.orders')) - before.tb, tb.bufferedBytes + tbOther.bufferedBytes);
		ta.flush();
		tb.flush();
		tbOther.flush();
		await Promise.all(added);
		assert.deepEqual({ ta: await gauge('ta.orders'), tb: await gauge('tb.orders') }, before);
	});
});
