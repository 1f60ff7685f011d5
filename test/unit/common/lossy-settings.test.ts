// The walk shared by the Kafka trigger's activation check and the Doris nodes' run-time check
// (src/common/lossy-settings.ts): which node settings lose rows while the execution succeeds, from
// which starts. Here on plain graphs, without n8n; the sub-workflow is the one the e2e tests run:
// "When Executed by Another Workflow" → Doris Schema → Doris Stream Load, Invalid and Rejected → Dead Letters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_TRIGGER_NODE_TYPE, LOSSY_SETTINGS_FIX, lossySettingProblems, runTimeStarts, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { graphOf, startsUpstreamOf, type GraphNode, type StoredConnections } from '../../../src/common/workflow-graph';

const START = 'When Executed by Another Workflow';
const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));

type Nodes = Record<string, Partial<GraphNode>>;

const BASE: Record<string, string> = {
	[START]: 'n8n-nodes-base.executeWorkflowTrigger',
	'Kafka Trigger': KAFKA_TRIGGER_NODE_TYPE,
	Webhook: 'n8n-nodes-base.webhook',
	Enrich: 'n8n-nodes-base.set',
	Schema: SCHEMA_NODE_TYPE,
	Load: STREAM_LOAD_NODE_TYPE,
	'Dead Letters': 'n8n-nodes-base.kafka',
	Summary: 'n8n-nodes-base.noOp',
	'Nested Sub-workflow': 'n8n-nodes-base.executeWorkflow',
};

/**
 * Start → Enrich → Schema → Load (Rejected → Dead Letters), Schema's Invalid → Dead Letters, with
 * `fields` set on the nodes and `more` connections replacing the defaults of a node. Every node has
 * one main output, two for the Doris nodes, one more under "Continue (using error output)".
 */
function subWorkflow(fields: Nodes = {}, more: StoredConnections = {}) {
	const connections: StoredConnections = {
		[START]: { main: [to('Enrich')] },
		Enrich: { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Dead Letters')] },
		Load: { main: [[], to('Dead Letters')] },
		...more,
	};
	// The dead-letter producer waits for the broker's answer (Acks on), as the examples' does.
	const nodes = Object.entries(BASE).map(([name, type]) => ({ name, type, ...(type === 'n8n-nodes-base.kafka' ? { parameters: { options: { acks: true } } } : {}), ...fields[name] }));
	const outputs = (name: string) => {
		const node = nodes.find((n) => n.name === name);
		if (node === undefined) return undefined;
		return (node.type === SCHEMA_NODE_TYPE || node.type === STREAM_LOAD_NODE_TYPE ? 2 : 1) + (node.onError === 'continueErrorOutput' ? 1 : 0);
	};
	return graphOf(nodes, connections, outputs);
}

/** The problems the run-time check finds in the sub-workflow, from its start. */
const atRunTime = (fields: Nodes = {}, more: StoredConnections = {}) => lossySettingProblems(subWorkflow(fields, more), [START], { rowsMustLoadHere: false });

describe('lossySettingProblems, from the start of a sub-workflow', () => {
	it('finds nothing in the plain sub-workflow', () => {
		assert.deepEqual(atRunTime(), []);
	});

	it('a disabled Doris Stream Load node after a Doris Schema node, naming it', () => {
		assert.match(atRunTime({ Load: { disabled: true } }).join(), /Doris Stream Load node "Load" is disabled: n8n passes the rows that reach it on unloaded/);
	});

	it('Group Commit on a Doris Stream Load node, naming it and why (Doris drops rows of no partition uncounted, the filter ratio unchecked past 10,000 rows); Off passes', () => {
		assert.match(atRunTime({ Load: { parameters: { options: { groupCommit: 'sync_mode' } } } }).join(), /Doris Stream Load node "Load": Group Commit "sync_mode" is refused: .*no partition.*10,000 rows/);
		assert.match(atRunTime({ Load: { parameters: { options: { groupCommit: 'async_mode' } } } }).join(), /Group Commit "async_mode" is refused/);
		assert.deepEqual(atRunTime({ Load: { parameters: { options: { groupCommit: 'off' } } } }), []);
	});

	it('Strict Mode off on a Doris Stream Load node, naming it and why (Doris loads NULL for a value it cannot convert, counting nothing); on and unset pass', () => {
		assert.match(atRunTime({ Load: { parameters: { options: { strictMode: false } } } }).join(), /Doris Stream Load node "Load": Strict Mode off is refused: Doris then loads NULL in place of a value/);
		assert.deepEqual(atRunTime({ Load: { parameters: { options: { strictMode: true } } } }), []);
		assert.deepEqual(atRunTime({ Load: { parameters: { options: {} } } }), []);
		assert.match(LOSSY_SETTINGS_FIX, /turn Strict Mode \(Doris Stream Load options\) on/);
	});

	it('a node other than the Doris nodes on a path holding rows on On Error "Continue (regular output)" or Continue On Fail, naming it', () => {
		for (const fields of [{ onError: 'continueRegularOutput' }, { continueOnFail: true }]) {
			assert.match(atRunTime({ Enrich: fields }).join(), /Node "Enrich": On Error is "Continue \(regular output\)"/, JSON.stringify(fields));
		}
		// On the dead-letter branch (reached through Invalid and Rejected) the rows are not in Doris either.
		assert.match(atRunTime({ 'Dead Letters': { onError: 'continueRegularOutput' } }).join(), /Node "Dead Letters": On Error is "Continue \(regular output\)"/);
	});

	it('a node on "Continue (using error output)" whose error output leads nowhere, naming it; not when it is wired', () => {
		assert.match(atRunTime({ Enrich: { onError: 'continueErrorOutput' } }).join(), /Node "Enrich": On Error is "Continue \(using error output\)" but its error output leads nowhere/);
		assert.deepEqual(atRunTime({ Enrich: { onError: 'continueErrorOutput' } }, { Enrich: { main: [to('Schema'), to('Dead Letters')] } }), []);
		// Wired only to a disabled node at the end: it leads nowhere.
		assert.equal(atRunTime({ Enrich: { onError: 'continueErrorOutput' }, Summary: { disabled: true } }, { Enrich: { main: [to('Schema'), to('Summary')] } }).length, 1);
	});

	// n8n also moves a start's items that look like errors (a message {"error": …, "message": …}, without
	// metadata) to its error output: the Kafka trigger on that setting, error output leading nowhere.
	it('the Kafka trigger on "Continue (using error output)" with its error output leading nowhere, at activation', () => {
		const fromTrigger = (fields: Partial<GraphNode>, more: StoredConnections = {}) =>
			lossySettingProblems(subWorkflow({ 'Kafka Trigger': fields }, { 'Kafka Trigger': { main: [to('Schema')] }, ...more }), ['Kafka Trigger'], { rowsMustLoadHere: true });
		assert.match(fromTrigger({ onError: 'continueErrorOutput' }).join(), /Node "Kafka Trigger": On Error is "Continue \(using error output\)" but its error output leads nowhere/);
		assert.deepEqual(fromTrigger({ onError: 'continueErrorOutput' }, { 'Kafka Trigger': { main: [to('Schema'), to('Dead Letters')] } }), []);
	});

	it('Execute Once on a node before the Doris nodes, on the start itself, or on a Doris node, naming it', () => {
		for (const name of ['Enrich', START, 'Schema', 'Load', 'Dead Letters']) {
			assert.match(atRunTime({ [name]: { executeOnce: true } }).join(), new RegExp(`Node "${name}" has the setting Execute Once on`), name);
		}
		// Disabled, the node does not run.
		assert.deepEqual(atRunTime({ Enrich: { executeOnce: true, disabled: true } }), []);
	});

	it('Always Output Data on a node before the Doris Stream Load node, naming it; not on it or after it', () => {
		for (const name of ['Enrich', 'Schema', START]) assert.match(atRunTime({ [name]: { alwaysOutputData: true } }).join(), new RegExp(`Node "${name}" has the setting Always Output Data on`), name);
		assert.deepEqual(atRunTime({ Load: { alwaysOutputData: true } }), []);
		assert.deepEqual(atRunTime({ Summary: { alwaysOutputData: true } }, { Load: { main: [to('Summary'), to('Dead Letters')] } }), []);
	});

	it('a nested Execute Workflow node that does not wait, or is disabled with no Doris Stream Load node after it, on a path holding rows', () => {
		const mapsThenHandsOn = { Schema: { main: [to('Nested Sub-workflow'), to('Dead Letters')] } };
		assert.match(atRunTime({ 'Nested Sub-workflow': { parameters: { options: { waitForSubWorkflow: false } } } }, mapsThenHandsOn).join(), /Execute Workflow node "Nested Sub-workflow": Wait For Sub-Workflow Completion is off/);
		assert.match(
			atRunTime({ 'Nested Sub-workflow': { parameters: { options: { waitForSubWorkflow: '={{ $json.wait }}' } } } }, mapsThenHandsOn).join(),
			/Wait For Sub-Workflow Completion is an expression, which may turn it off/,
		);
		assert.match(atRunTime({ 'Nested Sub-workflow': { disabled: true } }, mapsThenHandsOn).join(), /Execute Workflow node "Nested Sub-workflow" is disabled/);
		// Waiting (n8n's default), it is fine; disabled before a Doris Stream Load node, the rows still load.
		assert.deepEqual(atRunTime({}, mapsThenHandsOn), []);
		assert.deepEqual(atRunTime({ 'Nested Sub-workflow': { disabled: true } }, { [START]: { main: [to('Nested Sub-workflow')] }, 'Nested Sub-workflow': { main: [to('Enrich')] } }), []);
	});

	it('names every problem, each once', () => {
		const problems = atRunTime({ Enrich: { executeOnce: true, onError: 'continueRegularOutput' }, Load: { disabled: true } });
		assert.equal(problems.length, 3, problems.join('\n'));
	});

	it('not Execute Once or Always Output Data on a Doris Schema node reading the schema, nor on a node feeding only that read, at run time and activation', () => {
		const reads = { Schema: { executeOnce: true, alwaysOutputData: true, parameters: { operation: 'getSchema' } }, Enrich: { alwaysOutputData: true } };
		assert.deepEqual(atRunTime(reads), []);
		assert.deepEqual(lossySettingProblems(subWorkflow(reads), [START], { rowsMustLoadHere: true }), []);
		// Map Rows hands its rows on: both refused there.
		assert.equal(atRunTime({ Schema: { executeOnce: true }, Enrich: { alwaysOutputData: true } }).length, 2);
	});

	it('not a Doris Schema node whose Rows output leads nowhere: in a sub-workflow it may be the result the parent loads', () => {
		const mapsOnly = { Schema: { main: [[], to('Dead Letters')] } };
		assert.deepEqual(atRunTime({}, mapsOnly), []);
		// Where the rows must load in this workflow (the trigger's, at activation) it is refused.
		assert.match(lossySettingProblems(subWorkflow({}, mapsOnly), [START], { rowsMustLoadHere: true }).join(), /Doris Schema node "Schema": its Rows output leads nowhere/);
	});

	it('not a setting on a node after the Loaded output (its rows are in Doris), nor on a node the start never reaches', () => {
		const afterLoaded = { Load: { main: [to('Summary'), to('Dead Letters')] } };
		for (const fields of [{ executeOnce: true }, { onError: 'continueRegularOutput' }, { onError: 'continueErrorOutput' }]) {
			assert.deepEqual(atRunTime({ Summary: fields }, afterLoaded), [], JSON.stringify(fields));
		}
		// Not reached from the start (the Webhook's own branch).
		assert.deepEqual(atRunTime({ Summary: { executeOnce: true } }, { Webhook: { main: [to('Summary')] } }), []);
	});

	it('the fix names every setting it can be', () => {
		for (const words of ['Execute Once off', 'enable the Doris Stream Load', 'connect the error output', 'Always Output Data off', 'Wait For Sub-Workflow Completion on']) assert.ok(LOSSY_SETTINGS_FIX.includes(words), words);
	});
});

describe('startsUpstreamOf and runTimeStarts', () => {
	// Kafka Trigger → Schema and Webhook → Enrich → Schema, and the sub-workflow's start → Enrich.
	const graph = subWorkflow({}, { 'Kafka Trigger': { main: [to('Schema')] }, Webhook: { main: [to('Enrich')] } });

	it('the starts upstream of a node are the nodes with no input that lead to it', () => {
		assert.deepEqual(startsUpstreamOf(graph, 'Load').sort(), [START, 'Kafka Trigger', 'Webhook'].sort());
		assert.deepEqual(startsUpstreamOf(graph, 'Enrich').sort(), [START, 'Webhook'].sort());
		assert.deepEqual(startsUpstreamOf(graph, START), [START]);
	});

	it('walks from the starts that ran, never from the Kafka trigger (checked at activation)', () => {
		const upstream = startsUpstreamOf(graph, 'Load');
		assert.deepEqual(runTimeStarts(graph, upstream, (name) => name === START), [START]);
		assert.deepEqual(runTimeStarts(graph, upstream, (name) => name === 'Webhook'), ['Webhook']);
		assert.deepEqual(runTimeStarts(graph, upstream, (name) => name === 'Kafka Trigger'), []);
	});

	it('from every start but the Kafka trigger when which ran is unknown, or names none of them', () => {
		const upstream = startsUpstreamOf(graph, 'Load');
		assert.deepEqual(runTimeStarts(graph, upstream, undefined).sort(), [START, 'Webhook'].sort());
		assert.deepEqual(runTimeStarts(graph, upstream, () => false).sort(), [START, 'Webhook'].sort());
	});
});
