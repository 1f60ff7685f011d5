// Settings under which one valid row fails every delivery and holds its partition for good
// (src/common/stalling-settings.ts), on plain graphs: which Doris Stream Load nodes count and which do not.
// Session 16: none was refused before (the trigger's own activation is tested in
// test/unit/nodes/KafkaTrigger/refuse-unordered-changes.test.ts, in real n8n in test/e2e/activation-check.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { stallingSettingsProblems } from '../../../src/common/stalling-settings';
import { graphOf, type GraphNode, type StoredConnections } from '../../../src/common/workflow-graph';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
const UNORDERED = { keepPartitionOrder: false };
const ORDERED = { keepPartitionOrder: true };

/** Trigger → Schema → Load; Load's Rejected → Dead Letters when `rejected` (else nowhere); Elsewhere is not reached. */
function graph(load: Partial<GraphNode> = {}, rejected = false, deadLetters: Partial<GraphNode> = {}) {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE, parameters: { operation: 'mapRows', options: {} } },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: {} }, ...load },
		{ name: 'Dead Letters', type: 'n8n-nodes-base.kafka', ...deadLetters },
		{ name: 'Elsewhere', type: STREAM_LOAD_NODE_TYPE, parameters: { options: {} } },
	];
	const connections: StoredConnections = {
		'Kafka Trigger': { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Dead Letters')] },
		Load: { main: [[], rejected ? to('Dead Letters') : []] },
	};
	return graphOf(nodes, connections);
}
const names = (problems: string[]) => problems.map((p) => /node "([^"]+)"/.exec(p)?.[1]);

describe('stallingSettingsProblems', () => {
	it('Deletes Auto (absent, "auto" or an expression) without Keep Order and Rejected leading nowhere: one problem; Keep Order, Deletes Never or Always, Rejected wired: none', () => {
		assert.deepEqual(names(stallingSettingsProblems(graph(), 'Kafka Trigger', UNORDERED)), ['Load']);
		assert.equal(stallingSettingsProblems(graph({ parameters: { options: { deletes: 'auto' } } }), 'Kafka Trigger', UNORDERED).length, 1);
		assert.match(stallingSettingsProblems(graph({ parameters: { options: { deletes: '={{ "auto" }}' } } }), 'Kafka Trigger', UNORDERED)[0], /Deletes \(CDC\) an expression, which may be Auto/);
		assert.deepEqual(stallingSettingsProblems(graph(), 'Kafka Trigger', ORDERED), []);
		assert.deepEqual(stallingSettingsProblems(graph({ parameters: { options: { deletes: 'never' } } }), 'Kafka Trigger', UNORDERED), []);
		// Always without Keep Order is refused by change-order.ts, whatever Rejected does.
		assert.deepEqual(stallingSettingsProblems(graph({ parameters: { options: { deletes: 'always' } } }), 'Kafka Trigger', UNORDERED), []);
		assert.deepEqual(stallingSettingsProblems(graph({}, true), 'Kafka Trigger', UNORDERED), []);
	});

	it('Rejected into a disabled node leads nowhere; a disabled Stream Load node, one on On Error "Continue" and one the trigger does not reach count for nothing', () => {
		assert.deepEqual(names(stallingSettingsProblems(graph({}, true, { disabled: true }), 'Kafka Trigger', UNORDERED)), ['Load']);
		assert.deepEqual(stallingSettingsProblems(graph({ disabled: true }), 'Kafka Trigger', UNORDERED), []);
		assert.deepEqual(stallingSettingsProblems(graph({ onError: 'continueErrorOutput' }), 'Kafka Trigger', UNORDERED), []);
		assert.deepEqual(stallingSettingsProblems(graph({ onError: 'continueRegularOutput' }), 'Kafka Trigger', UNORDERED), []);
		assert.deepEqual(stallingSettingsProblems(graph({ continueOnFail: true }), 'Kafka Trigger', UNORDERED), []);
	});

	it('JSON loads naming what Doris reads (Columns, JSON Paths, json_root) with Rejected leading nowhere: one problem each, Keep Order or not; not CSV, a partial update, or empty settings', () => {
		const load = (options: Record<string, unknown>, format?: string) => graph({ parameters: { ...(format === undefined ? {} : { format }), options: { deletes: 'never', ...options } } });
		assert.match(stallingSettingsProblems(load({ columns: 'id, v' }), 'Kafka Trigger', ORDERED)[0], /Doris Stream Load node "Load" loads JSON with Columns id, v, but its Rejected output leads nowhere/);
		assert.match(stallingSettingsProblems(load({ jsonpaths: '["$.id"]' }), 'Kafka Trigger', ORDERED)[0], /loads JSON with JSON Paths \["\$\.id"\]/);
		assert.match(stallingSettingsProblems(load({ headers: { header: [{ name: 'JSON_ROOT', value: '$.data' }] } }), 'Kafka Trigger', ORDERED)[0], /a json_root header \$\.data/);
		assert.deepEqual(stallingSettingsProblems(load({ columns: 'id, v' }, 'csv'), 'Kafka Trigger', ORDERED), []);
		assert.deepEqual(stallingSettingsProblems(load({ columns: 'id, v', partialUpdate: 'flexible' }), 'Kafka Trigger', ORDERED), []);
		assert.deepEqual(stallingSettingsProblems(load({ columns: 'id, v', partialColumns: true }), 'Kafka Trigger', ORDERED), []);
		assert.deepEqual(stallingSettingsProblems(load({ columns: ' ', jsonpaths: '', headers: { header: [{ name: 'where', value: 'v > 1' }] } }), 'Kafka Trigger', ORDERED), []);
		// Both problems of one node are named, each on its own.
		assert.equal(stallingSettingsProblems(graph({ parameters: { options: { columns: 'id' } } }), 'Kafka Trigger', UNORDERED).length, 2);
	});

	it('a Sequence Column (set, or an expression) with Rejected leading nowhere: one problem naming the column, Keep Order or not, partial update or not; none with Rejected wired or the option empty', () => {
		// Session 17: a row lacking the field (null_sequence / missing_sequence) failed every delivery and
		// held its partition; nothing refused the workflow at activation.
		const load = (options: Record<string, unknown>, rejected = false) => graph({ parameters: { options: { deletes: 'never', ...options } } }, rejected);
		const [problem] = stallingSettingsProblems(load({ sequenceColumn: 'updated_at' }), 'Kafka Trigger', ORDERED);
		assert.match(problem, /Doris Stream Load node "Load" has the Sequence Column updated_at, but its Rejected output leads nowhere: a row whose updated_at is null or missing/);
		assert.match(problem, /hold its partition for good; connect its Rejected output/);
		assert.match(problem, /cannot simply be removed/);
		assert.equal(stallingSettingsProblems(load({ sequenceColumn: 'updated_at', partialUpdate: 'fixed', columns: 'id, updated_at' }), 'Kafka Trigger', ORDERED).length, 1);
		assert.match(stallingSettingsProblems(load({ sequenceColumn: '={{ "ts" }}' }), 'Kafka Trigger', ORDERED)[0], /has the Sequence Column an expression/);
		assert.deepEqual(stallingSettingsProblems(load({ sequenceColumn: 'updated_at' }, true), 'Kafka Trigger', ORDERED), []);
		assert.deepEqual(stallingSettingsProblems(load({ sequenceColumn: '  ' }), 'Kafka Trigger', ORDERED), []);
	});
});
