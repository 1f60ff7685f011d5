// Which settings let an older change of a key land over a newer one (src/common/change-order.ts), on
// plain graphs: the nodes that count (enabled, mapping rows, behind the Rows output) and those that do not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { changeOrderProblems, readsDebeziumEnvelopes, unorderedKafkaTrigger } from '../../../src/common/change-order';
import { KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { graphOf, type GraphNode, type StoredConnections } from '../../../src/common/workflow-graph';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
const UNORDERED = { keepPartitionOrder: false, tombstonesDelete: false };
const ORDERED = { keepPartitionOrder: true, tombstonesDelete: false };

/** Trigger → Schema → Load; Schema's Invalid → Invalid Load; Load's Loaded → After Load. */
function graph(fields: Record<string, Partial<GraphNode>> = {}) {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE, parameters: { operation: 'mapRows', options: { cdc: true } } },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: {} } },
		{ name: 'Invalid Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: { maxInFlight: 4, deletes: 'never' } } },
		{ name: 'After Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: { maxInFlight: 4, deletes: 'never' } } },
	].map((node) => ({ ...node, ...fields[node.name] }));
	const connections: StoredConnections = {
		'Kafka Trigger': { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Invalid Load')] },
		Load: { main: [to('After Load')] },
	};
	return graphOf(nodes, connections);
}

describe('changeOrderProblems', () => {
	it('Debezium Envelopes without Keep Order: one problem naming the node; none with Keep Order', () => {
		const problems = changeOrderProblems(graph(), 'Kafka Trigger', UNORDERED);
		assert.equal(problems.length, 1);
		assert.match(problems[0], /Doris Schema node "Schema" has Debezium Envelopes \(CDC\) on/);
		assert.deepEqual(changeOrderProblems(graph(), 'Kafka Trigger', ORDERED), []);
	});

	it('a disabled Doris Schema node, Get Schema, and Debezium Envelopes off count for nothing', () => {
		assert.deepEqual(changeOrderProblems(graph({ Schema: { disabled: true } }), 'Kafka Trigger', UNORDERED), []);
		assert.deepEqual(changeOrderProblems(graph({ Schema: { parameters: { operation: 'getSchema', options: { cdc: true } } } }), 'Kafka Trigger', UNORDERED), []);
		assert.deepEqual(changeOrderProblems(graph({ Schema: { parameters: { options: { cdc: false } } } }), 'Kafka Trigger', UNORDERED), []);
	});

	it('Max Loads in Flight: only on a Stream Load node behind the CDC node\'s Rows output, not behind Invalid nor after a Stream Load node; 1.4 rounds to 1 as the node reads it', () => {
		assert.deepEqual(changeOrderProblems(graph(), 'Kafka Trigger', ORDERED), []);
		const problems = changeOrderProblems(graph({ Load: { parameters: { options: { maxInFlight: 2 } } } }), 'Kafka Trigger', ORDERED);
		assert.deepEqual(problems.map((p) => p.slice(0, 57)), ['Doris Stream Load node "Load" has Max Loads in Flight 2 w']);
		assert.deepEqual(changeOrderProblems(graph({ Load: { parameters: { options: { maxInFlight: 1.4 } } } }), 'Kafka Trigger', ORDERED), []);
		assert.match(changeOrderProblems(graph({ Load: { parameters: { options: { maxInFlight: '={{ 2 }}' } } } }), 'Kafka Trigger', ORDERED)[0], /Max Loads in Flight an expression/);
	});

	// Session 16: Deletes Auto with Keep Order on loads a flattened delete as it comes, so with more loads
	// in flight its batch could commit before the one holding the update before it. Not refused before.
	it('Max Loads in Flight above 1 with Deletes Auto (absent: the default) behind Keep Order: refused wherever the node is; not without Keep Order (deletes go to Rejected there)', () => {
		const auto = graph({ Schema: { parameters: { options: {} } }, 'Invalid Load': { parameters: { options: { maxInFlight: 2 } } } });
		assert.deepEqual(changeOrderProblems(auto, 'Kafka Trigger', ORDERED).map((p) => /node "([^"]+)" has Max Loads in Flight 2 with Deletes \(CDC\) Auto \(the default\)/.exec(p)?.[1]), ['Invalid Load']);
		assert.deepEqual(changeOrderProblems(auto, 'Kafka Trigger', UNORDERED), []);
		const explicit = graph({ Schema: { parameters: { options: {} } }, Load: { parameters: { options: { maxInFlight: 3, deletes: 'auto' } } } });
		assert.match(changeOrderProblems(explicit, 'Kafka Trigger', ORDERED)[0] ?? '', /node "Load" has Max Loads in Flight 3 with Deletes \(CDC\) Auto/);
	});

	it('Tombstones "Delete the Row of Its Key": every Stream Load node reached with Max Loads in Flight above 1', () => {
		const problems = changeOrderProblems(graph({ Schema: { parameters: { options: {} } } }), 'Kafka Trigger', { keepPartitionOrder: true, tombstonesDelete: true });
		assert.deepEqual(problems.map((p) => /node "([^"]+)"/.exec(p)?.[1]), ['Invalid Load', 'After Load']);
	});

	it('readsDebeziumEnvelopes: a CDC Doris Schema node reached (on or an expression), not a disabled one nor Debezium Envelopes off', () => {
		assert.equal(readsDebeziumEnvelopes(graph(), 'Kafka Trigger'), true);
		assert.equal(readsDebeziumEnvelopes(graph({ Schema: { parameters: { options: { cdc: '={{ true }}' } } } }), 'Kafka Trigger'), true);
		assert.equal(readsDebeziumEnvelopes(graph({ Schema: { disabled: true } }), 'Kafka Trigger'), false);
		assert.equal(readsDebeziumEnvelopes(graph({ Schema: { parameters: { options: {} } } }), 'Kafka Trigger'), false);
	});

	it('unorderedKafkaTrigger: the Kafka trigger that ran with Keep Order off (absent is off), not one with it on nor one that did not run', () => {
		const nodes = {
			'Kafka Trigger': { name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE, parameters: { options: {} } },
			'Ordered Trigger': { name: 'Ordered Trigger', type: KAFKA_TRIGGER_NODE_TYPE, parameters: { options: { keepPartitionOrder: true } } },
			Webhook: { name: 'Webhook', type: 'n8n-nodes-base.webhook' },
		};
		assert.equal(unorderedKafkaTrigger(nodes, ['Kafka Trigger', 'Schema']), 'Kafka Trigger');
		assert.equal(unorderedKafkaTrigger(nodes, ['Ordered Trigger', 'Schema']), undefined);
		assert.equal(unorderedKafkaTrigger(nodes, ['Webhook', 'Schema']), undefined);
		assert.equal(unorderedKafkaTrigger(nodes, ['toString']), undefined);
	});
});
