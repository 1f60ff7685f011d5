// Tombstones "Delete the Row of Its Key" before a Doris Schema node naming tables by the Debezium source
// block (src/common/tombstone-targets.ts), on plain graphs: which nodes count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { tombstoneTargetProblems } from '../../../src/common/tombstone-targets';
import { graphOf, type GraphNode } from '../../../src/common/workflow-graph';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));

function graph(schema: Partial<GraphNode>) {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE, ...schema },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: {} } },
	];
	return graphOf(nodes, { 'Kafka Trigger': { main: [to('Schema')] }, Schema: { main: [to('Load')] } });
}

describe('tombstoneTargetProblems', () => {
	it('names a Map Rows to Tables node with Table From or Database From "Debezium Source", both when both are', () => {
		const both = tombstoneTargetProblems(graph({ parameters: { operation: 'mapRowsToTables', tableFrom: 'debezium', databaseFrom: 'debezium' } }), 'Kafka Trigger', true);
		assert.equal(both.length, 1);
		assert.match(both[0], /Doris Schema node "Schema" has Table From "Debezium Source" and Database From "Debezium Source"/);
	});

	it('nothing with tombstones not deleting, the topic naming the table (the defaults), a disabled node, one mapping rows into one table', () => {
		const debezium = { operation: 'mapRowsToTables', tableFrom: 'debezium' };
		assert.deepEqual(tombstoneTargetProblems(graph({ parameters: debezium }), 'Kafka Trigger', false), []);
		assert.deepEqual(tombstoneTargetProblems(graph({ parameters: { operation: 'mapRowsToTables' } }), 'Kafka Trigger', true), []);
		assert.deepEqual(tombstoneTargetProblems(graph({ parameters: { operation: 'mapRowsToTables', tableFrom: 'topicMap', databaseFrom: 'topic' } }), 'Kafka Trigger', true), []);
		assert.deepEqual(tombstoneTargetProblems(graph({ parameters: debezium, disabled: true }), 'Kafka Trigger', true), []);
		assert.deepEqual(tombstoneTargetProblems(graph({ parameters: { operation: 'mapRows', tableFrom: 'debezium' } }), 'Kafka Trigger', true), []);
	});
});
