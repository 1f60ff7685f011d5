/**
 * doris_rows_rejected_total counts every row the Doris Stream Load node puts on its Rejected output,
 * by rule, once per execution that hands it back: rows taken out before the load (csv_unwritable,
 * null_sequence), rows handed back as not loaded under On Error "Continue" (doris_not_loaded), and
 * nothing for an execution that fails instead. Every case here sends nothing to Doris (every row is
 * taken out before the load, or the execution fails before it), so no Doris is needed.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import type { INode, INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../../nodes/DorisStreamLoad/execute';
import { countRejectedRows } from '../../../../src/batch/rejected-count';
import { INVALID_FIELD } from '../../../../src/doris/schema/route-items';
import { metrics } from '../../../../src/metrics/metrics';

type Context = Parameters<typeof executeStreamLoad>[0];

const WORKFLOW = 'wf-rejected-count';
const node = { name: 'Doris Stream Load', type: 'n8n-nodes-doris-sinker.dorisStreamLoad', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' } as INode;

/** The n8n context the node reads; `connected` lists the outputs that lead to a node (outputs.ts). */
function context(params: Record<string, unknown>, items: INodeExecutionData[], over: { connected: readonly number[]; onError?: INode['onError'] }): Context {
	const main: Array<Array<{ node: string; type: string; index: number }>> = [];
	for (const index of over.connected) main[index] = [{ node: `After ${index}`, type: 'main', index: 0 }];
	return {
		workflow: { connectionsBySourceNode: { [node.name]: { main } } },
		getWorkflow: () => ({ id: WORKFLOW, name: 'Rejected count', active: true }),
		getChildNodes: () => [{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, disabled: false }],
		getInputData: () => items,
		getNode: () => (over.onError === undefined ? node : { ...node, onError: over.onError }),
		getNodeParameter: ((name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback)) as never,
		// Nothing reaches it: every case fails or takes every row out before a load.
		getCredentials: (async () => ({ feUrls: 'http://127.0.0.1:9', queryPort: 9, user: 'root', password: '', database: 'd' })) as never,
		getMode: (() => 'manual') as never,
		continueOnFail: () => over.onError !== undefined && over.onError !== 'stopWorkflow',
		getExecutionCancelSignal: () => undefined,
		logger: { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as never,
	} as Context;
}

async function counted(labels: Record<string, string>): Promise<number> {
	const { values } = await metrics.rowsRejected.get();
	return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k as keyof typeof v.labels]) === want)).reduce((sum, v) => sum + v.value, 0);
}

const csv = { table: 'notes', format: 'csv', csvColumns: 'id, note' };
const rule = (item: INodeExecutionData) => (item.json[INVALID_FIELD] as { reasons: Array<{ rule: string }> }).reasons[0].rule;

describe('Doris Stream Load node: doris_rows_rejected_total counts the rows on Rejected', () => {
	beforeEach(() => metrics.rowsRejected.reset());

	it('rows taken out before the load (csv_unwritable) are counted with their rule, the table (database.table) and the workflow', async () => {
		const items = [{ json: { id: 1, note: 'tea\x01milk' } }, { json: { id: 2, note: '\\N' } }, { json: { id: 3, note: 'a\nb' } }];
		const [summary, rejected] = await executeStreamLoad(context(csv, items, { connected: [0, 1] }));
		assert.deepEqual(summary, []);
		assert.deepEqual(rejected.map(rule), ['csv_unwritable', 'csv_unwritable', 'csv_unwritable']);
		assert.equal(await counted({ workflow: WORKFLOW, table: 'd.notes', rule: 'csv_unwritable' }), 3);
		assert.equal(await counted({}), 3, 'nothing else counted');
	});

	it('rows without a value for the Sequence Column (null_sequence) are counted with their rule', async () => {
		const params = { table: 'notes', format: 'csv', csvColumns: 'id, note, updated_at', options: { sequenceColumn: 'updated_at' } };
		const items = [{ json: { id: 1, note: 'a', updated_at: null } }, { json: { id: 2, note: 'b' } }];
		const [, rejected] = await executeStreamLoad(context(params, items, { connected: [0, 1] }));
		assert.deepEqual(rejected.map(rule), ['null_sequence', 'null_sequence']);
		assert.equal(await counted({ workflow: WORKFLOW, table: 'd.notes', rule: 'null_sequence' }), 2);
	});

	it('On Error "Continue" with only Rejected connected: a failed execution\'s rows on Rejected as doris_not_loaded are counted; items the Doris Schema node marked invalid are not (it counted them)', async () => {
		const marked = { id: 3, [INVALID_FIELD]: { table: 'd.notes', reasons: [{ column: 'id', value: 3, expected: 'x', rule: 'type', message: 'wrong type' }] } };
		// Database empty and the credential has none: the execution fails before anything is sent.
		const items = [{ json: { id: 1, note: 'a' } }, { json: { id: 2, note: 'b' } }, { json: marked }];
		const ctx = context({ table: 'notes', format: 'json' }, items, { connected: [1], onError: 'continueRegularOutput' });
		const noDatabase = { ...ctx, getCredentials: (async () => ({ feUrls: 'http://127.0.0.1:9', queryPort: 9, user: 'root', password: '', database: '' })) as never };
		const [, rejected] = await executeStreamLoad(noDatabase);
		assert.deepEqual(rejected.map(rule), ['doris_not_loaded', 'doris_not_loaded', 'type']);
		assert.equal(await counted({ workflow: WORKFLOW, rule: 'doris_not_loaded' }), 2);
		assert.equal(await counted({}), 2, 'the marked item is not counted again');
	});

	it('an execution that fails instead (Rejected leads nowhere) counts nothing: no row is on Rejected, its redelivery hands them back', async () => {
		const items = [{ json: { id: 1, note: 'tea\x01milk' } }];
		await assert.rejects(executeStreamLoad(context(csv, items, { connected: [0] })), /note/);
		assert.equal(await counted({}), 0);
	});
});

describe('countRejectedRows', () => {
	beforeEach(() => metrics.rowsRejected.reset());

	const item = (table: string, rule: string) => ({ json: { id: 1, [INVALID_FIELD]: { table, reasons: [{ column: null, value: null, expected: '', rule, message: '' }] } } });

	it('one increment per table and rule, by the number of rows', async () => {
		const items = [item('d.a', 'doris_rejected'), item('d.a', 'doris_rejected'), item('d.b', 'doris_rejected'), item('d.a', 'csv_unwritable'), item('d.a', 'doris_rejected')];
		const incs: Array<[unknown, unknown]> = [];
		const inc = metrics.rowsRejected.inc.bind(metrics.rowsRejected);
		const spy = ((labels: unknown, value: unknown) => {
			incs.push([labels, value]);
			inc(labels as never, value as never);
		}) as typeof metrics.rowsRejected.inc;
		metrics.rowsRejected.inc = spy;
		try {
			countRejectedRows(items, 'w');
		} finally {
			metrics.rowsRejected.inc = inc;
		}
		assert.deepEqual(incs, [
			[{ workflow: 'w', table: 'd.a', rule: 'doris_rejected' }, 3],
			[{ workflow: 'w', table: 'd.b', rule: 'doris_rejected' }, 1],
			[{ workflow: 'w', table: 'd.a', rule: 'csv_unwritable' }, 1],
		]);
		assert.equal(await counted({ table: 'd.a', rule: 'doris_rejected' }), 3);
	});

	it('no rejected row: no increment, no series', async () => {
		countRejectedRows([], 'w');
		assert.deepEqual((await metrics.rowsRejected.get()).values, []);
	});

	it('an item without a table (the execution failed before its table was known) is counted under table ""', async () => {
		countRejectedRows([item('', 'doris_not_loaded')], 'w');
		assert.equal(await counted({ table: '', rule: 'doris_not_loaded' }), 1);
	});
});
