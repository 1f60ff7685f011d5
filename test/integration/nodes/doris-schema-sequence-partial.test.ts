/**
 * A Doris Schema node whose rows go to a Doris Stream Load node sending a partial update that leaves the
 * table's sequence column to Doris, against the Doris test server (3.1, for flexible updates too). Doris
 * then keeps the stored row's sequence value for a row that does not carry one (2.1 / 3.0 / 3.1:
 * segment_writer.cpp / vertical_segment_writer.cpp `have_input_seq_column`, partial_update_info.cpp
 * `fill_missing_columns`; test/ground/doris-releases.test.ts shows the test server doing it per release),
 * so such rows load: fixed Columns without the column take nothing of the row for it, a flexible
 * update keeps the stored value for a row lacking the field but compares a null. Session 17: before,
 * the Doris Schema node sent every such row to Invalid (null_sequence / missing_sequence), a whole
 * valid partial-update stream to the dead letters. Columns naming the column still need every row's value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';
import { schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({ server: { version: '3.1' }, sharedBatches: true, readsTables: true });
const ctx = nodeContextsIn(db);

let tableNo = 0;
/** A merge-on-write table whose sequence column `updated_at` has the given DEFAULT clause, with id 1 stored at sequence 5. */
async function sequencedTable(defaultClause: string, properties = ''): Promise<string> {
	const name = `seq${++tableNo}`;
	await db.server.sql(
		`CREATE TABLE d.${name} (id INT NOT NULL, name VARCHAR(16) NULL, updated_at BIGINT NULL ${defaultClause}) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 ` +
			`PROPERTIES ("function_column.sequence_col" = "updated_at", "enable_unique_key_merge_on_write" = "true"${properties})`,
	);
	await executeStreamLoad(ctx({ table: name }, [{ json: { id: 1, name: 'a', updated_at: 5 } }], { mode: 'manual', connected: [0, 1] }));
	return name;
}

const rows = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id));
const rules = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${r.rule} ${r.column}`).join());
function packed(lines: string[]): INodeExecutionData {
	const packedRows: PackedRows = { jsonLines: lines.map((l) => `${l}\n`).join(''), count: lines.length, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(lines.length - 1), lines: lines.length }] };
	return { json: { [PACKED_ROWS_FIELD]: packedRows } as never };
}
const packedLines = (item: INodeExecutionData) => (item.json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines;

/**
 * The Doris Schema node mapping `items` into `table`, in a workflow whose Rows output leads to a Doris
 * Stream Load node with `loadOptions` (the running Workflow object n8n hands the node, nodes/shared/outputs.ts).
 */
async function mapBeforeLoad(table: string, loadOptions: Record<string, unknown>, items: INodeExecutionData[], rowsTo: RowsTo = { nodes: [], rows: ['Doris Stream Load'] }): Promise<INodeExecutionData[][]> {
	const settings = { operation: 'mapRows', database: 'd', table, schemaMode: 'auto', options: {} };
	const schemaCtx = schemaNodeContext(db.server, settings, items, { database: 'd', workflowId: 'wf-seq-partial' });
	const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
	const workflow = {
		nodes: Object.fromEntries(
			[
				{ name: 'Doris Schema', type: SCHEMA_NODE_TYPE, parameters: settings },
				{ name: 'Doris Stream Load', type: STREAM_LOAD_NODE_TYPE, parameters: { table, options: loadOptions } },
				{ name: 'Dead letters', type: 'n8n-nodes-base.noOp', parameters: {} },
				...rowsTo.nodes.map(({ name, type }) => ({ name, type, parameters: {} })),
			].map((node) => [node.name, node]),
		),
		connectionsBySourceNode: {
			'Doris Schema': { main: [to(...rowsTo.rows), to('Dead letters')] },
			'Doris Stream Load': { main: [[], to('Dead letters')] },
			...Object.fromEntries(rowsTo.nodes.map(({ name, outputs }) => [name, { main: outputs.map((names) => to(...names)) }])),
		},
	};
	return new DorisSchema().execute.call(Object.assign(schemaCtx, { workflow }) as IExecuteFunctions);
}

/** Where the Doris Schema node's Rows output leads (`rows`), through `nodes` (each with the targets of its outputs). */
interface RowsTo {
	nodes: Array<{ name: string; type: string; outputs: string[][] }>;
	rows: string[];
}

describe('Doris Schema node before a partial update that leaves the sequence column to Doris', () => {
	for (const [what, defaultClause, newKeySequence] of [
		['no default (null_sequence before)', '', null],
		['a constant DEFAULT (missing_sequence before)', 'DEFAULT "0"', 0],
	] as const) {
		it(`fixed Columns without the column, ${what}: rows lacking it load (per message and packed); the stored sequence value stays, a new key takes the default`, async () => {
			const table = await sequencedTable(defaultClause);
			const load = { partialUpdate: 'fixed', columns: 'id, name' };
			const [mapped, invalid] = await mapBeforeLoad(table, load, [{ json: { id: 1, name: 'b' } }, { json: { id: 2, name: 'new' } }, packed(['{"id":3,"name":"c"}', '{"id":4,"name":"d"}'])]);
			assert.deepEqual(rules(invalid), [], 'Doris keeps the stored sequence value for them');
			assert.equal(mapped.length, 3);
			assert.equal(packedLines(mapped[2]), '{"id":3,"name":"c"}\n{"id":4,"name":"d"}\n');
			const [summary, rejected] = await executeStreamLoad(ctx({ table, options: load }, mapped, { mode: 'manual', connected: [0, 1] }));
			assert.deepEqual(rejected, []);
			assert.equal(summary[0].json.rows, 4);
			assert.deepEqual(rows(table), [
				{ id: 1, name: 'b', updated_at: 5 },
				{ id: 2, name: 'new', updated_at: newKeySequence },
				{ id: 3, name: 'c', updated_at: newKeySequence },
				{ id: 4, name: 'd', updated_at: newKeySequence },
			]);
			// With the column among the Columns, Doris reads every row's value: a row lacking it still goes to Invalid.
			const [, listed] = await mapBeforeLoad(table, { partialUpdate: 'fixed', columns: 'id, name, updated_at' }, [{ json: { id: 1, name: 'lost' } }]);
			assert.deepEqual(rules(listed), [defaultClause === '' ? 'null_sequence updated_at' : 'missing_sequence updated_at']);
			// And behind a load of whole rows, as before.
			const [, whole] = await mapBeforeLoad(table, {}, [{ json: { id: 1, name: 'lost' } }]);
			assert.equal(whole.length, 1);
		});
	}

	it('flexible: a row lacking the field loads and keeps the stored value; a row whose field is null still goes to Invalid (null_sequence), as Doris compares it', async () => {
		const table = await sequencedTable('', ', "enable_unique_key_skip_bitmap_column" = "true"');
		const load = { partialUpdate: 'flexible' };
		const [mapped, invalid] = await mapBeforeLoad(table, load, [{ json: { id: 1, name: 'b' } }, { json: { id: 1, name: 'lost', updated_at: null } }]);
		assert.deepEqual(rules(invalid), ['null_sequence updated_at']);
		assert.equal(mapped.length, 1);
		await executeStreamLoad(ctx({ table, options: load }, mapped, { mode: 'manual', connected: [0, 1] }));
		assert.deepEqual(rows(table), [{ id: 1, name: 'b', updated_at: 5 }]);
	});

	// Review session 17, leftover 2: the walk went through any node and counted only the Doris Stream Load
	// nodes it met, so rows that an HTTP Request node (Stream Load over HTTP) or a Code node could load
	// whole lost the check. Now every path from the Rows output must end at such a partial update.
	it('a path to another node that may load the rows (HTTP Request, Code) keeps the check; one through If to the partial update alone does not', async () => {
		const table = await sequencedTable('');
		const load = { partialUpdate: 'fixed', columns: 'id, name' };
		const lacking = () => [{ json: { id: 1, name: 'b' } }];
		const ifNode = (second: string) => ({ name: 'If', type: 'n8n-nodes-base.if', outputs: [['Doris Stream Load'], [second]] });
		const http = { name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest', outputs: [] };
		const [, viaHttp] = await mapBeforeLoad(table, load, lacking(), { nodes: [ifNode('HTTP Request'), http], rows: ['If'] });
		assert.deepEqual(rules(viaHttp), ['null_sequence updated_at'], 'the If node\'s other branch posts the rows elsewhere');
		const code = { name: 'Code', type: 'n8n-nodes-base.code', outputs: [['Doris Stream Load']] };
		const [, viaCode] = await mapBeforeLoad(table, load, lacking(), { nodes: [code], rows: ['Code'] });
		assert.deepEqual(rules(viaCode), ['null_sequence updated_at'], 'a Code node may load them itself');
		const [mapped, viaIf] = await mapBeforeLoad(table, load, lacking(), { nodes: [ifNode('Doris Stream Load')], rows: ['If'] });
		assert.deepEqual([rules(viaIf), mapped.length], [[], 1], 'both branches end at the partial update');
	});
});
