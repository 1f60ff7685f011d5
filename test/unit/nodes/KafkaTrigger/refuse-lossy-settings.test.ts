// Activation refuses node settings under which n8n drops rows of an execution that still succeeds,
// so the trigger would commit their offsets (nodes/KafkaTrigger/refuse-lossy-settings.ts): Execute
// Once (n8n-core WorkflowExecute.handleExecuteOnce hands the node the first item only) and a disabled
// Doris Stream Load node (handleDisabledNode passes the rows on unloaded). Read from n8n's own Workflow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Workflow, type IConnections, type INode, type INodeTypes } from 'n8n-workflow';

import { refuseLossySettings, refuseWaitingNodes } from '../../../../nodes/KafkaTrigger/refuse-lossy-settings';

const node = (name: string, type: string, fields: Partial<INode> = {}): INode => ({ id: name, name, type, typeVersion: 1, position: [0, 0], parameters: {}, ...fields });
const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];
// Every node of these workflows has one main output, as n8n's No Operation node, and an Operation
// (Workflow keeps only the parameters a node's type declares); the Execute Workflow node declares its
// Options collection as n8n-nodes-base's ExecuteWorkflow node does (Wait For Sub-Workflow Completion, default on).
const oneOutput = { description: { outputs: ['main'], properties: [{ displayName: 'Operation', name: 'operation', type: 'string', default: 'mapRows' }] } };
const executeWorkflow = {
	description: {
		outputs: ['main'],
		properties: [
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [{ displayName: 'Wait For Sub-Workflow Completion', name: 'waitForSubWorkflow', type: 'boolean', default: true }] },
		],
	},
};
const typeOf = (type: string) => (type === 'n8n-nodes-base.executeWorkflow' ? executeWorkflow : oneOutput);
const nodeTypes = { getByName: typeOf, getByNameAndVersion: typeOf, getKnownTypes: () => ({}) } as unknown as INodeTypes;

type Fields = Partial<Record<'trigger' | 'schema' | 'load' | 'deadLetter' | 'elsewhere' | 'subWorkflow', Partial<INode>>>;

/** Trigger → Doris Schema → Doris Stream Load, Invalid and Rejected → Dead Letters; "Elsewhere" is not downstream. */
function activate(fields: Fields, more: IConnections = {}) {
	const nodes = [
		node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger', fields.trigger),
		node('Schema', 'n8n-nodes-doris-sinker.dorisSchema', fields.schema),
		node('Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', fields.load),
		node('Dead Letters', 'n8n-nodes-base.noOp', fields.deadLetter),
		node('Elsewhere', 'n8n-nodes-base.noOp', fields.elsewhere),
		node('Second Load', 'n8n-nodes-doris-sinker.dorisStreamLoad'),
		node('Sub-workflow', 'n8n-nodes-base.executeWorkflow', fields.subWorkflow),
	];
	const connections: IConnections = {
		'Kafka Trigger': { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Dead Letters')] },
		Load: { main: [[], to('Dead Letters')] },
		...more,
	};
	const workflow = new Workflow({ nodes, connections, active: true, nodeTypes });
	return () => refuseLossySettings({ workflow, getNode: () => workflow.nodes['Kafka Trigger'] } as never);
}

describe('refuseLossySettings', () => {
	it('refuses a node on On Error "Continue (using error output)" whose error output leads nowhere, naming it', () => {
		assert.throws(activate({ deadLetter: { onError: 'continueErrorOutput' } }), /Node "Dead Letters": On Error is "Continue \(using error output\)" but its error output leads nowhere/);
	});

	it('refuses a node on On Error "Continue (regular output)" or Continue On Fail, naming it', () => {
		assert.throws(activate({ deadLetter: { onError: 'continueRegularOutput' } }), /Node "Dead Letters": On Error is "Continue \(regular output\)"/);
		assert.throws(activate({ deadLetter: { continueOnFail: true } }), /Node "Dead Letters": On Error is "Continue \(regular output\)"/);
	});

	it('activates On Error "Continue" on the Doris nodes (they never hand n8n a failed item)', () => {
		activate({ schema: { onError: 'continueErrorOutput' } })();
		activate({ schema: { onError: 'continueRegularOutput' } })();
		activate({ load: { continueOnFail: true } })();
		// Its error output (the second, after its one regular output) wired on: it activates.
		activate({ deadLetter: { onError: 'continueErrorOutput' } }, { 'Dead Letters': { main: [[], to('Elsewhere')] } })();
	});

	it('refuses Execute Once on the trigger or on any node its rows reach, naming the node and the setting', () => {
		for (const at of ['trigger', 'schema', 'load', 'deadLetter'] as const) {
			const name = { trigger: 'Kafka Trigger', schema: 'Schema', load: 'Load', deadLetter: 'Dead Letters' }[at];
			assert.throws(activate({ [at]: { executeOnce: true } }), new RegExp(`"${name}".*Execute Once`), at);
		}
	});

	it('refuses Always Output Data on a node before a Doris Stream Load node, naming it', () => {
		for (const at of ['trigger', 'schema'] as const) assert.throws(activate({ [at]: { alwaysOutputData: true } }), /has the setting Always Output Data on/, at);
		// On the Stream Load node and after it, an empty item loads nothing.
		activate({ load: { alwaysOutputData: true } })();
		activate({ deadLetter: { alwaysOutputData: true } })();
	});

	it('refuses a Doris Schema node whose Rows output leads nowhere (or only to a disabled node at the end), naming it; not for Get Schema', () => {
		assert.throws(activate({}, { Schema: { main: [[], to('Dead Letters')] } }), /Doris Schema node "Schema": its Rows output leads nowhere/);
		assert.throws(activate({ deadLetter: { disabled: true } }, { Schema: { main: [to('Dead Letters'), to('Load')] } }), /its Rows output leads nowhere/);
		activate({ schema: { parameters: { operation: 'getSchema' } } }, { Schema: { main: [[], to('Load')] } })();
	});

	it('refuses a disabled Doris Stream Load node the rows reach, naming it', () => {
		assert.throws(activate({ load: { disabled: true } }), /Doris Stream Load node "Load" is disabled/);
	});

	it('activates the plain workflow, Execute Once on a disabled node or on a node the rows never reach, and a disabled Doris Schema node', () => {
		activate({})();
		activate({ deadLetter: { executeOnce: true, disabled: true } })();
		activate({ elsewhere: { executeOnce: true } })();
		activate({ schema: { disabled: true } })();
	});

	it('activates Execute Once, On Error "Continue" and an unwired error output on a node after the Loaded output (its rows are in Doris), but not on one leading on to another Doris Stream Load node', () => {
		// Loaded → Elsewhere, e.g. a notification sent once per execution that must not fail it.
		const afterLoaded = { Load: { main: [to('Elsewhere'), to('Dead Letters')] } };
		activate({ elsewhere: { executeOnce: true } }, afterLoaded)();
		activate({ elsewhere: { onError: 'continueRegularOutput' } }, afterLoaded)();
		activate({ elsewhere: { onError: 'continueErrorOutput' } }, afterLoaded)();
		// Loaded → Elsewhere → a second Doris Stream Load node: Elsewhere hands that node its rows.
		const onToAnotherLoad = { ...afterLoaded, Elsewhere: { main: [to('Second Load')] } };
		assert.throws(activate({ elsewhere: { executeOnce: true } }, onToAnotherLoad), /"Elsewhere".*Execute Once/);
		// Reached through the Rejected output (a dead-letter branch), it is still refused.
		assert.throws(activate({ deadLetter: { onError: 'continueRegularOutput' } }, afterLoaded), /Node "Dead Letters": On Error is "Continue \(regular output\)"/);
	});

	// With Wait For Sub-Workflow Completion off, n8n-nodes-base's ExecuteWorkflow node starts the
	// sub-workflow (executeWorkflow with doNotWaitToFinish) and returns its input at once: the execution
	// succeeds and the trigger commits before the sub-workflow has loaded the rows.
	const noWait = { parameters: { options: { waitForSubWorkflow: false } } };
	it('refuses an Execute Workflow node that does not wait for its sub-workflow on a path holding rows, naming the node, the setting and the fix', () => {
		const refusal = /Execute Workflow node "Sub-workflow": Wait For Sub-Workflow Completion is off/;
		// Trigger → Execute Workflow: the sub-workflow holds the Doris nodes.
		assert.throws(activate({ subWorkflow: noWait }, { 'Kafka Trigger': { main: [to('Sub-workflow')] } }), refusal);
		// Doris Schema's Rows → Execute Workflow, and on a dead-letter branch (Rejected → Execute Workflow).
		assert.throws(activate({ subWorkflow: noWait }, { Schema: { main: [to('Sub-workflow'), to('Dead Letters')] } }), refusal);
		assert.throws(activate({ subWorkflow: noWait }, { Load: { main: [[], to('Sub-workflow')] } }), refusal);
		// Set by an expression it may be off for some item: refused too.
		assert.throws(activate({ subWorkflow: { parameters: { options: { waitForSubWorkflow: '={{ $json.wait }}' } } } }, { 'Kafka Trigger': { main: [to('Sub-workflow')] } }), /Execute Workflow node "Sub-workflow": Wait For Sub-Workflow Completion is an expression/);
		assert.throws(activate({ subWorkflow: noWait }, { 'Kafka Trigger': { main: [to('Sub-workflow')] } }), (error: Error & { description?: string }) =>
			/turn Wait For Sub-Workflow Completion on.*or put the Doris nodes in this workflow/.test(error.description ?? ''),
		);
	});

	// A disabled node passes its input on (n8n-core WorkflowExecute handleDisabledNode): a disabled
	// Execute Workflow node never starts its sub-workflow, and the execution succeeds.
	it('refuses a disabled Execute Workflow node on a path holding rows that reach no Doris Stream Load node after it, naming it', () => {
		const refusal = /Execute Workflow node "Sub-workflow" is disabled: n8n passes the rows that reach it on without starting its sub-workflow/;
		assert.throws(activate({ subWorkflow: { disabled: true } }, { 'Kafka Trigger': { main: [to('Sub-workflow')] } }), refusal);
		assert.throws(activate({ subWorkflow: { ...noWait, disabled: true } }, { 'Kafka Trigger': { main: [to('Sub-workflow')] } }), refusal);
		assert.throws(activate({ subWorkflow: { disabled: true } }, { Load: { main: [[], to('Sub-workflow')] } }), refusal);
		// The rows it passes on reach a Doris Stream Load node: nothing lost.
		activate({ subWorkflow: { disabled: true } }, { 'Kafka Trigger': { main: [to('Sub-workflow')] }, 'Sub-workflow': { main: [to('Schema')] } })();
		// After the Loaded output the rows are in Doris.
		activate({ subWorkflow: { disabled: true } }, { Load: { main: [to('Sub-workflow'), to('Dead Letters')] } })();
	});

	it('activates an Execute Workflow node that waits (the default), is not downstream, or follows the Loaded output', () => {
		activate({}, { 'Kafka Trigger': { main: [to('Sub-workflow')] } })();
		activate({ subWorkflow: { parameters: { options: { waitForSubWorkflow: true } } } }, { 'Kafka Trigger': { main: [to('Sub-workflow')] } })();
		activate({ subWorkflow: { ...noWait, disabled: true } }, { 'Kafka Trigger': { main: [to('Sub-workflow')] }, 'Sub-workflow': { main: [to('Schema')] } })();
		activate({ subWorkflow: noWait })();
		// Loaded → Execute Workflow: the rows it hands on are in Doris already.
		activate({ subWorkflow: noWait }, { Load: { main: [to('Sub-workflow'), to('Dead Letters')] } })();
	});
});

describe('refuseWaitingNodes', () => {
	/** Trigger → Load → Wait (n8n's Wait node, version 1: 1 hour by default), with the Wait node's `fields`. */
	function activateWithWait(fields: Partial<INode>, where: 'after' | 'before' = 'after') {
		const nodes = [node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'), node('Load', 'n8n-nodes-doris-sinker.dorisStreamLoad'), node('Wait', 'n8n-nodes-base.wait', fields)];
		const connections: IConnections =
			where === 'after' ? { 'Kafka Trigger': { main: [to('Load')] }, Load: { main: [to('Wait')] } } : { 'Kafka Trigger': { main: [to('Wait')] }, Wait: { main: [to('Load')] } };
		const workflow = new Workflow({ nodes, connections, active: true, nodeTypes });
		return () => refuseWaitingNodes({ workflow, getNode: () => workflow.nodes['Kafka Trigger'] } as never);
	}

	it('refuses a Wait node that puts the execution to wait, before or after the Doris Stream Load node, naming it and the fix', () => {
		assert.throws(activateWithWait({}), (error: Error & { description?: string }) => {
			assert.match(error.message, /Wait node "Wait": a wait of 1 hours: n8n waits in-process only below 65 s/);
			assert.match(error.description ?? '', /a workflow fed by Kafka must finish in one go.*Then activate it again/);
			return true;
		});
		assert.throws(activateWithWait({}, 'before'), /Wait node "Wait"/);
	});

	it('activates a disabled one', () => {
		activateWithWait({ disabled: true })();
	});
});
