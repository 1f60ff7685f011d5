// A Doris node runs the Kafka trigger's activation check itself in a workflow the trigger never saw
// (nodes/shared/lossy-settings.ts): a sub-workflow started at its "When Executed by Another Workflow"
// node, a webhook's workflow. Read from n8n's own Workflow, as the node's execution context holds it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeOperationError, Workflow, type IConnections, type IExecuteData, type INode, type INodeTypes } from 'n8n-workflow';

import { refuseLossySettingsAtRunTime } from '../../../../nodes/shared/lossy-settings';

const START = 'When Executed by Another Workflow';
const node = (name: string, type: string, fields: Partial<INode> = {}): INode => ({ id: name, name, type, typeVersion: 1, position: [0, 0], parameters: {}, ...fields });
const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];
// Every node has one main output, as n8n's No Operation node (n8n adds the error output under
// "Continue (using error output)"), and an Operation (Workflow keeps only the parameters a type declares).
const oneOutput = { description: { outputs: ['main'], properties: [{ displayName: 'Operation', name: 'operation', type: 'string', default: 'mapRows' }] } };
const nodeTypes = { getByName: () => oneOutput, getByNameAndVersion: () => oneOutput, getKnownTypes: () => ({}) } as unknown as INodeTypes;

type Fields = Partial<Record<'start' | 'enrich' | 'schema' | 'load', Partial<INode>>>;

/**
 * The sub-workflow Start → Enrich → Schema → Load, Schema's Invalid → Dead Letters, and a Kafka
 * Trigger and a Webhook feeding Schema too; the context of `running` (Schema by default) in an
 * execution of `mode` in which the nodes of `ran` ran.
 */
function running(fields: Fields, options: { mode?: string; ran?: string[]; runs?: Record<string, unknown[]>; more?: IConnections; running?: string; extra?: INode[] } = {}) {
	const nodes = [
		...(options.extra ?? []),
		node(START, 'n8n-nodes-base.executeWorkflowTrigger', fields.start),
		node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'),
		node('Webhook', 'n8n-nodes-base.webhook'),
		node('Enrich', 'n8n-nodes-base.set', fields.enrich),
		node('Schema', 'n8n-nodes-doris-sinker.dorisSchema', fields.schema),
		node('Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', fields.load),
		node('Dead Letters', 'n8n-nodes-base.noOp'),
	];
	const connections: IConnections = {
		[START]: { main: [to('Enrich')] },
		'Kafka Trigger': { main: [to('Schema')] },
		Webhook: { main: [to('Schema')] },
		Enrich: { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Dead Letters')] },
		...options.more,
	};
	const workflow = new Workflow({ nodes, connections, active: false, nodeTypes });
	const runData = options.runs ?? Object.fromEntries((options.ran ?? [START]).map((name) => [name, []]));
	const self = workflow.nodes[options.running ?? 'Schema'];
	const executeData = { node: self, data: {}, source: null } as unknown as IExecuteData;
	const ctx = {
		workflow,
		runExecutionData: { resultData: { runData } },
		getNode: () => self,
		getMode: () => options.mode ?? 'integrated',
		continueOnFail: () => false,
		getExecuteData: () => executeData,
	};
	return { ctx, workflow, executeData, check: () => refuseLossySettingsAtRunTime(ctx as never) };
}

describe('refuseLossySettingsAtRunTime', () => {
	it('fails a sub-workflow execution with a disabled Doris Stream Load node, naming it, with the fix', () => {
		assert.throws(running({ load: { disabled: true } }).check, (error: NodeOperationError) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /Doris Stream Load node "Load" is disabled/);
			assert.match(error.description ?? '', /enable the Doris Stream Load or Execute Workflow node/);
			return true;
		});
	});

	it('fails it for a node before the Doris nodes on "Continue", or with Execute Once, naming the node and the setting', () => {
		assert.throws(running({ enrich: { onError: 'continueRegularOutput' } }).check, /Node "Enrich": On Error is "Continue \(regular output\)"/);
		assert.throws(running({ enrich: { onError: 'continueErrorOutput' } }).check, /Node "Enrich": On Error is "Continue \(using error output\)" but its error output leads nowhere/);
		assert.throws(running({ enrich: { executeOnce: true } }).check, /Node "Enrich" has the setting Execute Once on/);
		assert.throws(running({ enrich: { alwaysOutputData: true } }).check, /Node "Enrich" has the setting Always Output Data on/);
		// The Doris Stream Load node runs the same check.
		assert.throws(running({ enrich: { executeOnce: true } }, { running: 'Load' }).check, /Node "Enrich" has the setting Execute Once on/);
	});

	it('fails it also when the Doris node itself is on On Error "Continue": n8n is told to stop for this run of the node', () => {
		const { check, executeData, workflow } = running({ schema: { onError: 'continueRegularOutput' }, enrich: { executeOnce: true } });
		assert.throws(check, /Execute Once/);
		assert.equal(executeData.node.onError, 'stopWorkflow');
		assert.equal(workflow.nodes.Schema.onError, 'continueRegularOutput', 'the workflow keeps the setting');
	});

	it('passes the plain sub-workflow, and one whose Doris Schema node maps rows for its parent (Rows leading nowhere)', () => {
		running({}).check();
		running({}, { more: { Schema: { main: [[], to('Dead Letters')] } } }).check();
	});

	it('passes Execute Once on a Doris Schema node reading the schema, and Always Output Data on a node feeding only that read', () => {
		// Get Schema reads the table once, whatever its input, and outputs the columns: its input rows
		// go no further, so handing it the first item only, or an empty item, loses or makes up no row.
		const readsSchema = { parameters: { operation: 'getSchema' } };
		running({ schema: { ...readsSchema, executeOnce: true } }, { running: 'Load' }).check();
		running({ schema: readsSchema, enrich: { alwaysOutputData: true } }, { running: 'Load' }).check();
		// Still refused where the empty item also goes on to the Doris Stream Load node past the read.
		assert.throws(
			running({ schema: readsSchema, enrich: { alwaysOutputData: true } }, { running: 'Load', more: { Enrich: { main: [[...to('Schema'), ...to('Load')]] } } }).check,
			/Node "Enrich" has the setting Always Output Data on/,
		);
	});

	// A run of a node as n8n records it in runData (n8n-core WorkflowExecute: ITaskData with the
	// source of each input, and the items of each output).
	const run = (items: number, source: Array<{ previousNode: string; previousNodeOutput?: number; previousNodeRun?: number } | null> = []) => ({
		source,
		data: { main: [Array.from({ length: items }, (_, k) => ({ json: { seq: k } }))] },
	});

	it('passes Execute Once on a node that ran with at most one item on its input in this execution (a schedule, a webhook, a sub-workflow called per item or with one packed batch)', () => {
		const once = { enrich: { executeOnce: true } };
		running(once, { runs: { [START]: [run(1)], Enrich: [run(1, [{ previousNode: START }])] } }).check();
		running(once, { runs: { [START]: [run(0)], Enrich: [run(0, [{ previousNode: START, previousNodeOutput: 0, previousNodeRun: 0 }])] } }).check();
	});

	it('still fails it when the node had more than one item on an input in some run, when its input cannot be read, or before it ran', () => {
		const once = { enrich: { executeOnce: true } };
		const refused = /Node "Enrich" has the setting Execute Once on/;
		assert.throws(running(once, { runs: { [START]: [run(3)], Enrich: [run(1, [{ previousNode: START }])] } }).check, refused);
		// A second run (a loop) with more items: refused then, although the first had one.
		assert.throws(running(once, { runs: { [START]: [run(1), run(2)], Enrich: [run(1, [{ previousNode: START }]), run(1, [{ previousNode: START, previousNodeRun: 1 }])] } }).check, refused);
		// Its input not in the run data (a start node's, or another n8n's): not known to lose nothing.
		assert.throws(running(once, { runs: { [START]: [run(1)], Enrich: [run(1, [])] } }).check, refused);
		assert.throws(running(once, { runs: { [START]: [run(1)], Enrich: [{}] } }).check, refused);
		// The node has not run yet (it comes after the Doris node running the check).
		assert.throws(running({ ...once }, { runs: { [START]: [run(1)] } }).check, refused);
	});

	it('passes Always Output Data on a node that ran and made up nothing in this execution (it output rows); fails it when it output an empty item alone, or has not run', () => {
		const always = { enrich: { alwaysOutputData: true } };
		const refused = /Node "Enrich" has the setting Always Output Data on/;
		running(always, { runs: { [START]: [run(2)], Enrich: [run(2, [{ previousNode: START }])] } }).check();
		running(always, { runs: { [START]: [run(1)], Enrich: [run(1, [{ previousNode: START }])] } }).check();
		// The item n8n makes up when the node outputs nothing (ensureAlwaysOutputData): { json: {} }.
		const madeUp = { source: [{ previousNode: START }], data: { main: [[{ json: {}, pairedItem: { item: 0 } }]] } };
		assert.throws(running(always, { runs: { [START]: [run(1)], Enrich: [madeUp] } }).check, refused);
		assert.throws(running(always, { runs: { [START]: [run(1)], Enrich: [run(1, [{ previousNode: START }]), madeUp] } }).check, refused);
		assert.throws(running(always, { runs: { [START]: [run(1)] } }).check, refused);
		assert.throws(running(always, { runs: { [START]: [run(1)], Enrich: [{}] } }).check, refused);
	});

	it('does not check a run from the editor', () => {
		running({ load: { disabled: true } }, { mode: 'manual' }).check();
	});

	it('checks an execution the Kafka trigger started from the trigger, with activation\'s rules (a version published after activation: republished-graph.test.ts)', () => {
		assert.throws(running({ load: { disabled: true } }, { mode: 'trigger', ran: ['Kafka Trigger'] }).check, /published after its Kafka trigger "Kafka Trigger" was activated.*Doris Stream Load node "Load" is disabled/);
		// Enrich is on the sub-workflow start's path only: not named (the Rejected output leading nowhere is).
		assert.throws(running({ enrich: { executeOnce: true } }, { mode: 'trigger', ran: ['Kafka Trigger'] }).check, (error: Error) => !/Enrich/.test(error.message));
	});

	it('refuses a node that puts the execution to wait in a sub-workflow (its parent waits with it), naming it; not after a webhook', () => {
		const waitAfterLoad = { more: { Load: { main: [to('Pause')] } }, extra: [node('Pause', 'n8n-nodes-base.wait')] };
		assert.throws(running({}, waitAfterLoad).check, (error: NodeOperationError) => {
			// Version 1 of the Wait node waits 1 hour by default.
			assert.match(error.message, /Wait node "Pause": a wait of 1 hours/);
			assert.match(error.description ?? '', /a workflow fed by Kafka must finish in one go/);
			return true;
		});
		running({}, { ...waitAfterLoad, mode: 'webhook', ran: ['Webhook'] }).check();
	});

	it('checks an execution a webhook started, from the webhook (not from a start that did not run)', () => {
		assert.throws(running({ load: { disabled: true } }, { mode: 'webhook', ran: ['Webhook'] }).check, /Doris Stream Load node "Load" is disabled/);
		// Enrich is on the sub-workflow start's path only, which did not run.
		running({ enrich: { executeOnce: true } }, { mode: 'webhook', ran: ['Webhook'] }).check();
	});

	it('passes when the context holds no workflow (another n8n, a test context)', () => {
		refuseLossySettingsAtRunTime({ getNode: () => node('Schema', 'n8n-nodes-doris-sinker.dorisSchema'), getMode: () => 'integrated', continueOnFail: () => false } as never);
	});

	it('keeps its verdict for the running Workflow object: the nodes of one execution walk it once', () => {
		const { check, workflow, ctx } = running({ load: { disabled: true } });
		assert.throws(check, /is disabled/);
		// Changed in place (n8n never does) the same object keeps the verdict; another object does not.
		workflow.nodes.Load.disabled = false;
		assert.throws(check, /is disabled/);
		const fresh = new Workflow({ nodes: Object.values(workflow.nodes), connections: workflow.connectionsBySourceNode, active: false, nodeTypes });
		refuseLossySettingsAtRunTime({ ...ctx, workflow: fresh } as never);
	});
});
