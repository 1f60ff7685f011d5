/**
 * The Doris Stream Load node loading one execution into several tables, against the Doris test
 * server: rows tagged by the Doris Schema node's Map Rows to Tables (`_doris`, `packedRows.doris`), a
 * Table expression evaluated per item, the refusals (no table, a passed deadline) and the `_doris`
 * field never reaching Doris.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INode, INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { DORIS_FIELD, PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	tables: [
		{ name: 'a', columns: 'id INT, v VARCHAR(8)', keys: 'UNIQUE KEY(id)' },
		{ name: 'b', columns: 'id INT, v VARCHAR(8)', keys: 'UNIQUE KEY(id)' },
	],
	sharedBatches: true,
});

type Context = Parameters<typeof executeStreamLoad>[0];

function context(params: Record<string, unknown>, items: INodeExecutionData[], perItem?: (name: string, index: number) => unknown): Context {
	const node = { name: 'Doris Stream Load', type: 'n8n-nodes-doris-sinker.dorisStreamLoad', typeVersion: 1, position: [0, 0], parameters: perItem ? { table: '={{ $json.t }}' } : {}, id: '1' } as INode;
	return {
		getWorkflow: () => ({ id: 'wf-tables', name: 'Tables', active: true }),
		getChildNodes: () => [{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, disabled: false }],
		getInputData: () => items,
		getNode: () => node,
		getNodeParameter: ((name: string, index: number, fallback?: unknown) => (perItem && name === 'table' ? perItem(name, index) : name in params ? params[name] : fallback)) as never,
		getCredentials: (async () => ({ feUrls: db.server.feUrls.join(','), queryPort: db.server.mysqlPort, user: db.server.user, password: db.server.password, database: 'd' })) as never,
		getMode: (() => 'manual') as never,
		continueOnFail: () => false,
		getExecutionCancelSignal: () => undefined,
		logger: { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as never,
	};
}

const rows = (table: string) => db.server.tableRows('d', table).sort((x, y) => Number(x.id) - Number(y.id));

describe('Doris Stream Load node: a table per row', () => {
	it('Each Row\'s Table: rows and packed items go to the table Doris Schema gave them, one summary per table', async () => {
		const packed: PackedRows = { jsonLines: '{"id":10,"v":"p"}\n{"id":11,"v":"q"}\n', count: 2, sources: [], doris: { table: 'b', database: 'd' } };
		const items: INodeExecutionData[] = [
			{ json: { id: 1, v: 'x', [DORIS_FIELD]: { table: 'a' } } },
			{ json: { [PACKED_ROWS_FIELD]: packed } as never },
			{ json: { id: 2, v: 'y', [DORIS_FIELD]: { table: 'b', database: 'd' } } },
			{ json: { id: 1, v: 'z', [DORIS_FIELD]: { table: 'a' } } },
		];
		const [out] = await executeStreamLoad(context({ tableFrom: 'item' }, items));
		assert.deepEqual(
			out.map((o) => [o.json.table, o.json.rows, o.pairedItem]),
			[
				['a', 2, [{ item: 0 }, { item: 3 }]],
				['b', 3, [{ item: 1 }, { item: 2 }]],
			],
		);
		// Item order within a table: the later upsert of id 1 wins.
		assert.deepEqual(rows('a'), [{ id: 1, v: 'z' }]);
		assert.deepEqual(rows('b').map((r) => r.id), [2, 10, 11]);
	});

	it('a Table expression is evaluated for each item', async () => {
		const items = [{ json: { id: 20, v: 'e', t: 'a' } }, { json: { id: 21, v: 'f', t: 'b' } }];
		const [out] = await executeStreamLoad(context({ tableFrom: 'parameter' }, items, (_n, index) => items[index].json.t));
		assert.deepEqual(out.map((o) => o.json.table), ['a', 'b']);
		assert.ok(rows('a').some((r) => r.id === 20) && rows('b').some((r) => r.id === 21));
	});

	it('refuses a row that names no table, and rows past their deadline, loading nothing of them', async () => {
		await assert.rejects(executeStreamLoad(context({ tableFrom: 'item' }, [{ json: { id: 30, v: 'n' } }])), /Item 0 names no table \(_doris\.table\)/);
		const before = db.server.loads.length;
		await assert.rejects(
			executeStreamLoad(context({ tableFrom: 'item' }, [{ json: { id: 31, v: 'late', [DORIS_FIELD]: { table: 'a', loadBy: Date.now() - 1 } } }])),
			/reached the node after their deadline/,
		);
		assert.equal(db.server.loads.length, before);
		assert.ok(!rows('a').some((r) => r.id === 31));
	});

	// An execution is redelivered whole: failing it for one table's rows after another table's loaded
	// would load those twice. With the Rejected output connected the rows that did not load go there.
	it('one table loads, another fails: the execution succeeds, the failed table\'s rows (and packed lines) come out on Rejected as not loaded', async () => {
		const packed: PackedRows = { jsonLines: '{"id":42,"v":"p"}\n{"id":43,"v":"q"}\n', count: 2, sources: [{ topic: 't', partition: 0, firstOffset: '7', lastOffset: '8', lines: 2 }], doris: { table: 'gone', database: 'd' } };
		const items: INodeExecutionData[] = [
			{ json: { id: 40, v: 'x', [DORIS_FIELD]: { table: 'a' } } },
			{ json: { id: 41, v: 'y', [DORIS_FIELD]: { table: 'gone' } } },
			{ json: { [PACKED_ROWS_FIELD]: packed } as never },
		];
		const [out, rejected] = await executeStreamLoad(context({ tableFrom: 'item' }, items));
		assert.deepEqual(out.map((o) => o.json.table), ['a']);
		assert.ok(rows('a').some((r) => r.id === 40));
		assert.deepEqual(rejected.map((r) => [r.json.id, r.pairedItem]), [[41, { item: 1 }], [42, { item: 2 }], [43, { item: 2 }]]);
		const reason = (rejected[0].json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons[0];
		assert.equal(reason.rule, 'doris_not_loaded');
		assert.match(reason.message, /^Not loaded: .*gone.*other rows of this execution loaded/);
		assert.deepEqual(rejected[1].json._kafka, { topic: 't', partition: 0, offset: '7', line: 0 });
	});

	it('every table fails: the execution fails (nothing of it loaded, its redelivery loads nothing twice)', async () => {
		await assert.rejects(executeStreamLoad(context({ tableFrom: 'item' }, [{ json: { id: 50, v: 'x', [DORIS_FIELD]: { table: 'gone' } } }])));
	});
});
