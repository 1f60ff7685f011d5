// Which Schema Registry fields of `_kafka` the trigger attaches (src/common/metadata-needs.ts), decided from
// the graph: `valueSchema` (kilobytes per item, sent to Doris in every JSON line when the trigger feeds a
// Doris Stream Load node directly) only for Create Missing Tables / Add New Columns downstream, `decodedKey`
// (a registry decode per message) only for Create Missing Tables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EXECUTE_WORKFLOW_NODE_TYPE, KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { kafkaMetadataNeeds } from '../../../src/common/metadata-needs';
import { graphOf, type GraphNode, type StoredConnections } from '../../../src/common/workflow-graph';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
const NONE = { valueSchema: false, decodedKey: false };
const BOTH = { valueSchema: true, decodedKey: true };

/** Trigger → (Schema, when given) → Load. */
function needsOf(schema?: Partial<GraphNode>, extra: GraphNode[] = []) {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: {} } },
		...extra,
	];
	const connections: StoredConnections = {};
	if (schema === undefined) connections['Kafka Trigger'] = { main: [to('Load', ...extra.map((n) => n.name))] };
	else {
		nodes.push({ name: 'Schema', type: SCHEMA_NODE_TYPE, ...schema });
		connections['Kafka Trigger'] = { main: [to('Schema')] };
		connections.Schema = { main: [to('Load', ...extra.map((n) => n.name))] };
	}
	return kafkaMetadataNeeds(graphOf(nodes, connections), 'Kafka Trigger');
}

describe('kafkaMetadataNeeds', () => {
	it('trigger → Stream Load, or a Doris Schema node that neither creates tables nor adds columns: neither field', () => {
		assert.deepEqual(needsOf(), NONE);
		assert.deepEqual(needsOf({ parameters: { operation: 'mapRows', options: { cdc: true } } }), NONE);
		assert.deepEqual(needsOf({ parameters: { options: {} } }), NONE, 'operation absent: Map Rows to Table');
		assert.deepEqual(needsOf({ parameters: { operation: 'mapRowsToTables', createTables: false, options: {} } }), NONE);
		assert.deepEqual(needsOf({ parameters: { operation: 'getSchema', options: { evolve: true } } }), NONE, 'Get Schema ignores the options');
		// createTables is shown only for Map Rows to Tables: a value left stored under Map Rows to Table is not read.
		assert.deepEqual(needsOf({ parameters: { operation: 'mapRows', createTables: true } }), NONE);
	});

	it('Create Missing Tables (on or an expression): both; Add New Columns alone: the schema only', () => {
		assert.deepEqual(needsOf({ parameters: { operation: 'mapRowsToTables', createTables: true } }), BOTH);
		assert.deepEqual(needsOf({ parameters: { operation: 'mapRowsToTables', createTables: '={{ $vars.create }}' } }), BOTH);
		assert.deepEqual(needsOf({ parameters: { operation: 'mapRows', options: { evolve: true } } }), { valueSchema: true, decodedKey: false });
		assert.deepEqual(needsOf({ parameters: { operation: 'mapRowsToTables', options: { evolve: '={{ true }}' } } }), { valueSchema: true, decodedKey: false });
	});

	it('a disabled Doris Schema node uses neither', () => {
		assert.deepEqual(needsOf({ disabled: true, parameters: { operation: 'mapRowsToTables', createTables: true } }), NONE);
	});

	it('an Execute Workflow node reached: both (its sub-workflow is not in this graph)', () => {
		assert.deepEqual(needsOf(undefined, [{ name: 'Sub', type: EXECUTE_WORKFLOW_NODE_TYPE }]), BOTH);
		assert.deepEqual(needsOf(undefined, [{ name: 'Sub', type: EXECUTE_WORKFLOW_NODE_TYPE, disabled: true }]), NONE);
	});
});
