// What the Doris Stream Load nodes a Doris Schema node's rows reach leave Doris to fill of the table's
// sequence column (src/doris/schema/sequence-partial-update.ts), read from the workflow's stored
// parameters. Session 17: before, the Doris Schema node sent every row lacking the sequence field to
// Invalid, though a partial update that leaves the column out (fixed) or lets a row leave it out
// (flexible) keeps the stored value there (Doris 2.1 / 3.0 / 3.1, segment_writer.cpp `have_input_seq_column`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EXECUTE_WORKFLOW_NODE_TYPE, KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../../src/common/lossy-settings';
import { graphOf, type GraphNode, type StoredConnections } from '../../../../src/common/workflow-graph';
import { partialUpdateOf, sequenceInPartialUpdate } from '../../../../src/doris/schema/sequence-partial-update';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
const load = (name: string, parameters: Record<string, unknown>, more: Partial<GraphNode> = {}): GraphNode => ({ name, type: STREAM_LOAD_NODE_TYPE, parameters, ...more });
const node = (name: string, type: string, more: Partial<GraphNode> = {}): GraphNode => ({ name, type, ...more });

/**
 * Trigger → Schema; Schema's Rows → `rows` (the names its output 0 leads to), its Invalid → Dead Load (a
 * Stream Load node loading the dead letters whole); `chain` connects the other nodes.
 */
function answer(nodes: GraphNode[], rows: string[], chain: StoredConnections = {}, column: string | null = 'updated_at') {
	const all: GraphNode[] = [node('Kafka Trigger', KAFKA_TRIGGER_NODE_TYPE), node('Schema', SCHEMA_NODE_TYPE, { parameters: { operation: 'mapRows' } }), load('Dead Load', {}), ...nodes];
	const connections: StoredConnections = { 'Kafka Trigger': { main: [to('Schema')] }, Schema: { main: [to(...rows), to('Dead Load')] }, ...chain };
	return sequenceInPartialUpdate(graphOf(all, connections), 'Schema', column);
}
const fixed = (columns: string, more: Record<string, unknown> = {}) => ({ options: { partialUpdate: 'fixed', columns, ...more } });
const FLEXIBLE = { options: { partialUpdate: 'flexible' } };

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

describe('sequenceInPartialUpdate: what the Doris Stream Load nodes at the end of every path from the Rows output leave Doris', () => {
	it('fixed Columns without the column: leftOut; flexible: perRow; a mix: perRow', () => {
		assert.equal(answer([load('Load', fixed('id, name'))], ['Load']), 'leftOut');
		assert.equal(answer([load('Load', FLEXIBLE)], ['Load']), 'perRow');
		assert.equal(answer([load('A', fixed('id')), load('B', FLEXIBLE)], ['A', 'B']), 'perRow');
	});

	it('none (every row needs its value) when a load reads the column, loads whole rows or cannot be read, or nothing is reached', () => {
		// Columns naming the column, in any case or computed: Doris reads (or computes) it for every row.
		for (const columns of ['id, updated_at', 'id, UPDATED_AT', 'id, ts, updated_at = ts']) assert.equal(answer([load('Load', fixed(columns))], ['Load']), undefined, columns);
		assert.equal(answer([load('Load', {})], ['Load']), undefined, 'whole rows');
		assert.equal(answer([load('A', fixed('id')), load('B', {})], ['A', 'B']), undefined, 'one of two loads whole rows');
		assert.equal(answer([load('Load', fixed('='))], ['Load']), undefined, 'Columns as an expression');
		assert.equal(answer([load('Load', fixed('id'))], ['Load'], {}, null), undefined, 'no sequence column');
		assert.equal(answer([], []), undefined, 'the Rows output leads nowhere');
		assert.equal(answer([load('Load', fixed('id'))], ['Elsewhere']), undefined, 'a node the workflow does not hold');
		assert.equal(sequenceInPartialUpdate(undefined, 'Schema', 'updated_at'), undefined, 'a workflow that cannot be read');
	});

	// Review session 17, leftover 2: the walk went through any node and counted only the Doris Stream Load
	// nodes it met, so a path ending at (or passing) a node that may load the rows whole dropped the check.
	it('a path that ends at, or passes, any node that may load the rows keeps the check: HTTP Request, Kafka, Code, Execute Workflow, a community node', () => {
		for (const type of ['n8n-nodes-base.httpRequest', 'n8n-nodes-base.kafka', 'n8n-nodes-base.code', EXECUTE_WORKFLOW_NODE_TYPE, 'n8n-nodes-acme.anything', SCHEMA_NODE_TYPE]) {
			// Beside the partial update: If → Load and If → the node.
			assert.equal(answer([node('If', 'n8n-nodes-base.if'), load('Load', fixed('id')), node('Other', type)], ['If'], { If: { main: [to('Load'), to('Other')] } }), undefined, `${type} beside`);
			// At the end of the Rows output, with the partial update on another branch.
			assert.equal(answer([load('Load', fixed('id')), node('Other', type)], ['Load', 'Other']), undefined, `${type} at an end`);
			// In between: Other → Load (it may load them itself, or change them).
			assert.equal(answer([node('Other', type), load('Load', fixed('id'))], ['Other'], { Other: { main: [to('Load')] } }), undefined, `${type} between`);
		}
	});

	it("n8n's routing and reshaping nodes are passed through every output; a path ending at a qualifying load qualifies", () => {
		const chain: StoredConnections = {
			If: { main: [to('Switch'), to('Set')] },
			Switch: { main: [to('Load'), to('Merge'), []] },
			Set: { main: [to('Merge')] },
			Merge: { main: [to('Loop')] },
			Loop: { main: [to('Flexible'), to('Set')] },
		};
		const nodes = [
			node('If', 'n8n-nodes-base.if'),
			node('Switch', 'n8n-nodes-base.switch'),
			node('Set', 'n8n-nodes-base.set'),
			node('Merge', 'n8n-nodes-base.merge'),
			node('Loop', 'n8n-nodes-base.splitInBatches'),
			load('Load', fixed('id')),
			load('Flexible', FLEXIBLE),
		];
		// A loop (Loop → Set → Merge → Loop) and an output with no connection (Switch's third: no node gets those rows).
		assert.equal(answer(nodes, ['If'], chain), 'perRow');
		// One more branch to a whole-row load, deep in: none.
		assert.equal(answer([...nodes, load('Whole', {})], ['If'], { ...chain, Switch: { main: [to('Load'), to('Merge'), to('Whole')] } }), undefined);
		// Only pass-through nodes, no load at the end: none.
		assert.equal(answer([node('NoOp', 'n8n-nodes-base.noOp')], ['NoOp']), undefined);
	});

	it('a disabled node hands its first input on through its first output, whatever its type: the path goes on there', () => {
		// n8n runs it as a pass-through: a whole-row load behind a disabled Doris Stream Load node loads these
		// rows (review session 17: the walk stopped there, the check was dropped).
		assert.equal(answer([load('Partial', fixed('id')), load('Old', fixed('id'), { disabled: true }), load('Whole', {})], ['Partial', 'Old'], { Old: { main: [to('Whole')] } }), undefined);
		assert.equal(answer([load('Partial', fixed('id')), node('Off', 'n8n-nodes-base.httpRequest', { disabled: true })], ['Off'], { Off: { main: [to('Partial')] } }), 'leftOut', 'a disabled HTTP Request sends nothing');
		assert.equal(answer([load('Load', fixed('id'), { disabled: true })], ['Load']), undefined, 'only a disabled load: nothing loads them');
		// Into a disabled node's second input: n8n drops the rows there, nothing loads them.
		const second: StoredConnections = { Schema: { main: [[...to('Load'), { node: 'Off', type: 'main', index: 1 }], to('Dead Load')] }, Off: { main: [to('Whole')] } };
		assert.equal(answer([load('Load', fixed('id')), node('Off', 'n8n-nodes-base.merge', { disabled: true }), load('Whole', {})], [], second), 'leftOut');
	});

	it('the walk starts at the Rows output only and ends at a Doris Stream Load node: its Rejected rows loaded whole elsewhere do not count', () => {
		assert.equal(answer([load('Load', fixed('id')), load('Retry', {})], ['Load'], { Load: { main: [[], to('Retry')] } }), 'leftOut', 'Dead Load is behind Invalid, Retry behind Rejected');
	});
});
