// n8n's nodes that drop items by what they do (src/common/dropping-nodes.ts), and a disabled Doris
// Schema node, on the way of rows not yet in Doris: the trigger's activation walk refuses them, naming
// the node, as it refuses the settings that lose rows (lossy-settings.ts). Here on plain graphs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DROPPING_NODES_FIX } from '../../../src/common/dropping-nodes';
import { KAFKA_TRIGGER_NODE_TYPE, LOSSY_SETTINGS_FIX, lossySettingProblems, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { graphOf, type GraphNode, type StoredConnections } from '../../../src/common/workflow-graph';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
const ACKS_ON = { options: { acks: true } };

/**
 * Kafka Trigger → Gate → Schema → Load, Invalid and Rejected → Dead Letters (a Kafka node), and a No
 * Operation node "Dropped" to wire outputs to. `outputs`: each node's main output count as n8n's node
 * types give it (undefined: unknown).
 */
function problems(gate: Partial<GraphNode> & { type: string }, gateOutputs: StoredConnections[string], extra: { nodes?: Record<string, Partial<GraphNode>>; outputs?: number } = {}): string[] {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Gate', ...gate },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE },
		{ name: 'Dead Letters', type: 'n8n-nodes-base.kafka', parameters: ACKS_ON },
		{ name: 'Dropped', type: 'n8n-nodes-base.noOp' },
	].map((node) => ({ ...node, ...extra.nodes?.[node.name] }));
	const connections: StoredConnections = {
		'Kafka Trigger': { main: [to('Gate')] },
		Gate: gateOutputs,
		Schema: { main: [to('Load'), to('Dead Letters')] },
		Load: { main: [[], to('Dead Letters')] },
	};
	return activationProblems(nodes, connections, (name) => (name === 'Gate' ? extra.outputs : undefined));
}

/** What the trigger's activation walk refuses in this graph. */
function activationProblems(nodes: GraphNode[], connections: StoredConnections, outputs?: (name: string) => number | undefined): string[] {
	return lossySettingProblems(graphOf(nodes, connections, outputs), ['Kafka Trigger'], { rowsMustLoadHere: true });
}

describe('nodes that drop items on the rows\' way, at activation', () => {
	it('an IF node with its false output leading nowhere, naming it and the output; both wired passes', () => {
		const gate = { type: 'n8n-nodes-base.if' };
		assert.match(problems(gate, { main: [to('Schema')] }).join(), /IF node "Gate": its false output leads nowhere: n8n drops the items sent there/);
		assert.match(problems(gate, { main: [[], to('Schema')] }).join(), /IF node "Gate": its true output leads nowhere/);
		assert.match(problems(gate, { main: [to('Schema'), to('Dropped')] }, { nodes: { Dropped: { disabled: true } } }).join(), /its false output leads nowhere/, 'a disabled node at the end drops them');
		assert.deepEqual(problems(gate, { main: [to('Schema'), to('Dropped')] }), []);
		// On the dead letters' way too: Invalid → IF → Dead Letters, false to nothing.
		assert.match(problemsOnDeadLetters().join(), /IF node "Route Dead Letters": its false output leads nowhere/);
	});

	it('a Switch node: Fallback Output None (the default) drops unmatched items; an output leading nowhere; Expression mode and an extra, wired fallback pass', () => {
		const rules = (options: Record<string, unknown>, mode?: string) => ({ type: 'n8n-nodes-base.switch', parameters: { ...(mode === undefined ? {} : { mode }), rules: { values: [{}, {}] }, options } });
		assert.match(problems(rules({}), { main: [to('Schema'), to('Schema')] }, { outputs: 2 }).join(), /Switch node "Gate": Fallback Output is None, so n8n drops the items no rule matches/);
		assert.match(problems(rules({ fallbackOutput: 'none' }), { main: [to('Schema'), to('Schema')] }, { outputs: 2 }).join(), /Fallback Output is None/);
		assert.match(problems(rules({ fallbackOutput: -1 }), { main: [to('Schema'), to('Schema')] }, { outputs: 2 }).join(), /Fallback Output is None/, 'Switch 1 / 2 store none as -1');
		assert.match(problems(rules({ fallbackOutput: 'extra' }), { main: [to('Schema'), to('Schema')] }, { outputs: 3 }).join(), /Switch node "Gate": its output 2 leads nowhere/);
		assert.deepEqual(problems(rules({ fallbackOutput: 'extra' }), { main: [to('Schema'), to('Schema'), to('Dropped')] }, { outputs: 3 }), []);
		assert.deepEqual(problems(rules({ fallbackOutput: 0 }), { main: [to('Schema'), to('Schema')] }, { outputs: 2 }), [], 'unmatched items go to output 0');
		assert.deepEqual(problems(rules({}, 'expression'), { main: [to('Schema'), to('Schema')] }, { outputs: 2 }), [], 'an index out of range fails the execution instead');
	});

	it('a Switch node of version 1 or 2: Fallback Output is its top-level parameter (-1 = None, the default); only the outputs its rules or fallback send to must lead somewhere', () => {
		const legacy = (typeVersion: number, rules: Array<{ output?: number }>, fallbackOutput?: number) => ({
			type: 'n8n-nodes-base.switch',
			typeVersion,
			parameters: { dataType: 'string', value1: '={{ $json.kind }}', rules: { rules: rules.map((r, i) => ({ value2: `k${i}`, ...r })) }, ...(fallbackOutput === undefined ? {} : { fallbackOutput }) },
		});
		// Version 2: one output per rule, fallback to output 1: every item goes somewhere.
		assert.deepEqual(problems(legacy(2, [{}, {}], 1), { main: [to('Schema'), to('Schema')] }, { outputs: 2 }), []);
		// Version 1: four fixed outputs; rules send to 0 and 1, the fallback to 0: outputs 2 and 3 are never used.
		assert.deepEqual(problems(legacy(1, [{ output: 0 }, { output: 1 }], 0), { main: [to('Schema'), to('Schema')] }, { outputs: 4 }), []);
		assert.match(problems(legacy(1, [{ output: 0 }, { output: 2 }], 0), { main: [to('Schema'), to('Schema')] }, { outputs: 4 }).join(), /Switch node "Gate": its output 2 leads nowhere/);
		for (const none of [-1, undefined]) assert.match(problems(legacy(2, [{}, {}], none), { main: [to('Schema'), to('Schema')] }, { outputs: 2 }).join(), /Fallback Output is None/, String(none));
		// Without typeVersion (a graph from elsewhere), the version-2 shape is read from the parameters.
		const { typeVersion: _v, ...unversioned } = legacy(2, [{}, {}], 1);
		assert.deepEqual(problems(unversioned, { main: [to('Schema'), to('Schema')] }, { outputs: 2 }), []);
	});

	it('a Filter node, which discards what its conditions do not keep', () => {
		assert.match(problems({ type: 'n8n-nodes-base.filter' }, { main: [to('Schema')] }).join(), /Filter node "Gate" drops the items its conditions do not keep/);
	});

	it('a Kafka node with Acks off (its default) on the rows\' or the dead letters\' way; Acks on passes', () => {
		const passThrough = { type: 'n8n-nodes-base.noOp' };
		assert.match(problems(passThrough, { main: [to('Schema')] }, { nodes: { 'Dead Letters': { parameters: { options: {} } } } }).join(), /Kafka node "Dead Letters": Acks is off/);
		assert.match(problems(passThrough, { main: [to('Schema')] }, { nodes: { 'Dead Letters': { parameters: { options: { acks: false } } } } }).join(), /Acks is off/);
		assert.deepEqual(problems(passThrough, { main: [to('Schema')] }), []);
		// After the Loaded output the rows are in Doris: a notification there loses nothing.
		assert.deepEqual(problemsAfterLoaded(), []);
	});

	it('a disabled Doris Schema node that reshapes the messages (n8n hands them on unmapped), naming what; not one that only checks them, nor one reading the schema', () => {
		const passThrough = { type: 'n8n-nodes-base.noOp' };
		const disabled = (parameters: Record<string, unknown>) => problems(passThrough, { main: [to('Schema')] }, { nodes: { Schema: { disabled: true, parameters } } }).join();
		assert.match(disabled({ operation: 'mapRows', options: { cdc: true } }), /Doris Schema node "Schema" is disabled: n8n passes the messages that reach it on unmapped, without its Debezium Envelopes/);
		assert.match(disabled({ operation: 'mapRows', options: { cdc: '={{ true }}' } }), /without its Debezium Envelopes/);
		assert.match(disabled({ operation: 'mapRows', options: { sourcePath: 'payload.after' } }), /without its Source Path \(payload\.after\)/);
		assert.match(disabled({ operation: 'mapRows', options: { mapping: { mapping: [{ field: 'a', column: 'b' }] } } }), /without its Field Mapping/);
		assert.match(disabled({ operation: 'mapRowsToTables' }), /without its table per message/);
		assert.equal(disabled({ operation: 'mapRows', options: {} }), '', 'it only checks plain messages: a workflow without it');
		assert.equal(disabled({ operation: 'mapRows', options: { cdc: false, sourcePath: '' } }), '');
		assert.equal(disabled({ operation: 'getSchema', options: { cdc: true } }), '');
	});

	it('a disabled IF, Switch or Filter node passes its input on: nothing to refuse', () => {
		for (const type of ['n8n-nodes-base.if', 'n8n-nodes-base.switch', 'n8n-nodes-base.filter']) assert.deepEqual(problems({ type, disabled: true }, { main: [to('Schema')] }), [], type);
	});

	it('the fix text says what to do', () => {
		assert.ok(LOSSY_SETTINGS_FIX.includes(DROPPING_NODES_FIX));
		assert.match(DROPPING_NODES_FIX, /No Operation node/);
		assert.match(DROPPING_NODES_FIX, /turn Acks on/);
	});
});

/** Schema's Invalid → IF "Route Dead Letters" (true → Dead Letters, false → nothing). */
function problemsOnDeadLetters(): string[] {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE },
		{ name: 'Route Dead Letters', type: 'n8n-nodes-base.if' },
		{ name: 'Dead Letters', type: 'n8n-nodes-base.kafka', parameters: ACKS_ON },
	];
	const connections: StoredConnections = {
		'Kafka Trigger': { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Route Dead Letters')] },
		Load: { main: [[], to('Dead Letters')] },
		'Route Dead Letters': { main: [to('Dead Letters')] },
	};
	return activationProblems(nodes, connections);
}

/** Load's Loaded → IF (false to nothing) → Notify (a Kafka node, Acks off): the rows are in Doris there. */
function problemsAfterLoaded(): string[] {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE },
		{ name: 'Only Big Batches', type: 'n8n-nodes-base.if' },
		{ name: 'Notify', type: 'n8n-nodes-base.kafka', parameters: { options: {} } },
		{ name: 'Dead Letters', type: 'n8n-nodes-base.kafka', parameters: ACKS_ON },
	];
	const connections: StoredConnections = {
		'Kafka Trigger': { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Dead Letters')] },
		Load: { main: [to('Only Big Batches'), to('Dead Letters')] },
		'Only Big Batches': { main: [to('Notify')] },
	};
	return activationProblems(nodes, connections);
}
