// Whether the trigger checks each JSON value of One Item per Batch for a second value glued on
// (src/common/packed-value-check.ts): left out only where its items go nowhere but into enabled Doris
// Schema nodes that map rows (each parses every line exactly); a Stream Load node wired straight to it,
// anything in between, an expression or an unreadable graph checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EXECUTE_WORKFLOW_NODE_TYPE, KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { packedValuesNeedCheck } from '../../../src/common/packed-value-check';
import { graphOf, type GraphNode, type StoredConnections } from '../../../src/common/workflow-graph';

/** The trigger's output connected to `targets` (input 0 unless said), each going on to a Stream Load node. */
function checkOf(targets: Array<GraphNode & { input?: number }>): boolean {
	const nodes: GraphNode[] = [{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE }, { name: 'Load', type: STREAM_LOAD_NODE_TYPE }, ...targets];
	const connections: StoredConnections = { 'Kafka Trigger': { main: [targets.map((t) => ({ node: t.name, type: 'main', index: t.input ?? 0 }))] } };
	for (const t of targets) connections[t.name] = { main: [[{ node: 'Load', type: 'main', index: 0 }]] };
	return packedValuesNeedCheck(graphOf(nodes, connections), 'Kafka Trigger');
}

const schema = (parameters: Record<string, unknown>, extra: Partial<GraphNode> = {}): GraphNode => ({ name: `Schema ${JSON.stringify(parameters)}${JSON.stringify(extra)}`, type: SCHEMA_NODE_TYPE, parameters, ...extra });

describe('packedValuesNeedCheck', () => {
	it('not when every node the trigger feeds is an enabled Doris Schema node mapping rows', () => {
		assert.equal(checkOf([schema({})]), false, 'operation absent: Map Rows to Table');
		assert.equal(checkOf([schema({ operation: 'mapRows' })]), false);
		assert.equal(checkOf([schema({ operation: 'mapRowsToTables' }), schema({ operation: 'mapRows', options: {} })]), false);
	});

	it('when a Stream Load node, or any other node, takes the items as they are', () => {
		assert.equal(checkOf([{ name: 'Load2', type: STREAM_LOAD_NODE_TYPE }]), true);
		assert.equal(checkOf([schema({}), { name: 'Sub', type: EXECUTE_WORKFLOW_NODE_TYPE }]), true);
		assert.equal(checkOf([{ name: 'IF', type: 'n8n-nodes-base.if' }]), true);
	});

	it('when the Doris Schema node does not parse them: disabled, Get Schema, an expression, another input', () => {
		assert.equal(checkOf([schema({}, { disabled: true })]), true);
		assert.equal(checkOf([schema({ operation: 'getSchema' })]), true);
		assert.equal(checkOf([schema({ operation: '={{ $json.op }}' })]), true);
		assert.equal(checkOf([{ ...schema({}), input: 1 }]), true);
	});

	it('when the graph cannot be read', () => {
		assert.equal(packedValuesNeedCheck(undefined, 'Kafka Trigger'), true);
	});
});
