// What the Doris Stream Load nodes a Doris Schema node's rows reach leave Doris to fill of the table's
// sequence column (src/doris/schema/sequence-partial-update.ts), read from the workflow's stored
// parameters. Session 17: before, the Doris Schema node sent every row lacking the sequence field to
// Invalid, though a partial update that leaves the column out (fixed) or lets a row leave it out
// (flexible) keeps the stored value there (Doris 2.1 / 3.0 / 3.1, segment_writer.cpp `have_input_seq_column`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EXECUTE_WORKFLOW_NODE_TYPE, KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../../src/common/lossy-settings';
import { graphOf, nodesReachedFrom, type GraphNode, type StoredConnections } from '../../../../src/common/workflow-graph';
import { followsMappedRows, partialUpdateOf, sequenceInPartialUpdate } from '../../../../src/doris/schema/sequence-partial-update';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
const load = (name: string, parameters: Record<string, unknown>, more: Partial<GraphNode> = {}): GraphNode => ({ name, type: STREAM_LOAD_NODE_TYPE, parameters, ...more });

/** Trigger → Schema; Schema's Rows → `rows`, its Invalid → Dead Load (a Stream Load node loading the dead letters whole). */
function reachedFrom(rows: GraphNode[], chain: StoredConnections = {}): GraphNode[] {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE, parameters: { operation: 'mapRows' } },
		load('Dead Load', {}),
		...rows,
	];
	const connections: StoredConnections = { 'Kafka Trigger': { main: [to('Schema')] }, Schema: { main: [to(...rows.map((n) => n.name)), to('Dead Load')] }, ...chain };
	return nodesReachedFrom(graphOf(nodes, connections), ['Schema'], followsMappedRows('Schema'));
}
const fixed = (columns: string, more: Record<string, unknown> = {}) => ({ options: { partialUpdate: 'fixed', columns, ...more } });

describe('partialUpdateOf: a Doris Stream Load node\'s partial update from its stored parameters', () => {
	it('fixed with its Columns (JSON) or CSV Columns (CSV), the former Partial Columns flag, flexible; none when off, unset or not readable', () => {
		assert.deepEqual(partialUpdateOf(load('L', fixed('id, v'))), { mode: 'fixed', columns: ['id', 'v'] });
		assert.deepEqual(partialUpdateOf(load('L', { format: 'csv', csvColumns: 'id,v,ts', options: { partialUpdate: 'fixed' } })), { mode: 'fixed', columns: ['id', 'v', 'ts'] });
		assert.deepEqual(partialUpdateOf(load('L', { options: { partialColumns: true, columns: 'id' } })), { mode: 'fixed', columns: ['id'] });
		assert.deepEqual(partialUpdateOf(load('L', { options: { partialUpdate: 'flexible' } })), { mode: 'flexible' });
		for (const parameters of [{}, { options: {} }, { options: { partialUpdate: 'off', columns: 'id' } }, { options: { partialUpdate: '={{ "fixed" }}', columns: 'id' } }, fixed('={{ "id" }}'), fixed(''), fixed('id, v = ('), { format: '={{ "csv" }}', ...fixed('id') }]) {
			assert.equal(partialUpdateOf(load('L', parameters)), undefined, JSON.stringify(parameters));
		}
	});
});

describe('sequenceInPartialUpdate: what every Doris Stream Load node the rows reach leaves Doris', () => {
	it('fixed Columns without the column: leftOut; flexible: perRow; a mix: perRow', () => {
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('Load', fixed('id, name'))]), 'updated_at'), 'leftOut');
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('Load', { options: { partialUpdate: 'flexible' } })]), 'updated_at'), 'perRow');
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('A', fixed('id')), load('B', { options: { partialUpdate: 'flexible' } })]), 'updated_at'), 'perRow');
	});

	it('none (every row needs its value) when a node reads the column, loads whole rows, cannot be read, or the rows may reach a load the graph does not show', () => {
		// Columns naming the column, in any case or computed: Doris reads (or computes) it for every row.
		for (const columns of ['id, updated_at', 'id, UPDATED_AT', 'id, ts, updated_at = ts']) assert.equal(sequenceInPartialUpdate(reachedFrom([load('Load', fixed(columns))]), 'updated_at'), undefined, columns);
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('Load', {})]), 'updated_at'), undefined, 'whole rows');
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('A', fixed('id')), load('B', {})]), 'updated_at'), undefined, 'one of two loads whole rows');
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('Load', fixed('id'))]), null), undefined, 'no sequence column');
		assert.equal(sequenceInPartialUpdate(reachedFrom([]), 'updated_at'), undefined, 'no Doris Stream Load node reached');
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('Load', fixed('id'), { disabled: true })]), 'updated_at'), undefined, 'only a disabled one');
		// n8n hands a disabled node's input on through its first output: a whole-row load behind a disabled
		// Doris Stream Load node loads these rows (review session 17: the walk stopped there, the check was dropped).
		const behindDisabled = nodesReachedFrom(
			graphOf(
				[{ name: 'Schema', type: SCHEMA_NODE_TYPE, parameters: { operation: 'mapRows' } }, load('Partial', fixed('id')), load('Old', fixed('id'), { disabled: true }), load('Whole', {})],
				{ Schema: { main: [to('Partial', 'Old')] }, Old: { main: [to('Whole')] } },
			),
			['Schema'],
			followsMappedRows('Schema'),
		);
		assert.ok(behindDisabled.some((n) => n.name === 'Whole'), 'the walk goes on through a disabled node');
		assert.equal(sequenceInPartialUpdate(behindDisabled, 'updated_at'), undefined, 'a whole-row load behind a disabled one');
		const sub: GraphNode = { name: 'Sub', type: EXECUTE_WORKFLOW_NODE_TYPE };
		assert.equal(sequenceInPartialUpdate(reachedFrom([load('Load', fixed('id')), sub]), 'updated_at'), undefined, 'a sub-workflow may load them whole');
	});

	it('the walk follows the Rows output only and stops at a Doris Stream Load node: its Rejected rows loaded whole elsewhere do not count, a Code node in between does not stop it', () => {
		const code: GraphNode = { name: 'Code', type: 'n8n-nodes-base.code' };
		const reached = reachedFrom([code, load('Load', fixed('id')), load('Retry', {})], { Code: { main: [to('Load')] }, Load: { main: [[], to('Retry')] } });
		assert.deepEqual(
			reached.map((n) => n.name),
			['Schema', 'Code', 'Load', 'Retry'],
		);
		// Code → Load, and Schema → Retry directly: Retry loads whole rows, so none.
		assert.equal(sequenceInPartialUpdate(reached, 'updated_at'), undefined);
		const throughCode = reachedFrom([code, load('Load', fixed('id'))], { Code: { main: [to('Load')] }, Load: { main: [[], to('Dead Load')] } });
		assert.equal(sequenceInPartialUpdate(throughCode, 'updated_at'), 'leftOut', 'Dead Load is reached only past Load, and through Invalid');
	});
});
