// Which outputs of a node lead somewhere (nodes/shared/outputs.ts), read from n8n's own Workflow: a
// disabled node passes what reached its input 0 on as its output 0 only (n8n-core WorkflowExecute's
// handleDisabledNode), so it leads somewhere only through that output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Workflow, type IConnections, type INode, type INodeTypes } from 'n8n-workflow';

import { connectedOutputs, continuesAfterThrow, failDespiteContinue, failureRoute, leadsSomewhere, refuseExecuteOnce } from '../../../../nodes/shared/outputs';

const node = (name: string, disabled = false): INode => ({ id: name, name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {}, ...(disabled ? { disabled } : {}) });
const to = (name: string, index = 0) => [{ node: name, type: 'main' as const, index }];
// Workflow asks its node types only when it runs or evaluates a node; reading connections needs none.
const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;

/** Doris Schema's outputs as the execution context sees them, in a workflow of these nodes and connections. */
function outputsOf(nodes: INode[], connections: IConnections) {
	const workflow = new Workflow({ nodes: [node('Doris Schema'), ...nodes], connections, active: true, nodeTypes });
	const ctx = { workflow, getNode: () => workflow.nodes['Doris Schema'], getChildNodes: (name: string) => workflow.getChildNodes(name) };
	return connectedOutputs(ctx as never);
}

describe('connectedOutputs', () => {
	it('an output wired only to a disabled node at the end leads nowhere', () => {
		const outputs = outputsOf([node('Load'), node('Dead letter', true)], { 'Doris Schema': { main: [to('Load'), to('Dead letter')] } });
		assert.equal(leadsSomewhere(outputs, 0), true);
		assert.equal(leadsSomewhere(outputs, 1), false);
	});

	it('through a disabled node whose output 0 leads to a node that runs, it leads somewhere', () => {
		const outputs = outputsOf([node('Load'), node('Skipped', true), node('Dead letter')], {
			'Doris Schema': { main: [to('Load'), to('Skipped')] },
			Skipped: { main: [to('Dead letter')] },
		});
		assert.equal(leadsSomewhere(outputs, 1), true);
	});

	it("a disabled node's other outputs and other inputs carry nothing", () => {
		const secondOutput = outputsOf([node('Load'), node('Skipped', true), node('Dead letter')], {
			'Doris Schema': { main: [to('Load'), to('Skipped')] },
			Skipped: { main: [[], to('Dead letter')] },
		});
		assert.equal(leadsSomewhere(secondOutput, 1), false, 'only output 0 of a disabled node passes items on');
		const secondInput = outputsOf([node('Load'), node('Merge', true), node('Dead letter')], {
			'Doris Schema': { main: [to('Load'), to('Merge', 1)] },
			Merge: { main: [to('Dead letter')] },
		});
		assert.equal(leadsSomewhere(secondInput, 1), false, 'a disabled node passes on its input 0 only');
	});

	it('a chain of disabled nodes that loops leads nowhere (and ends)', () => {
		const outputs = outputsOf([node('Load'), node('A', true), node('B', true)], {
			'Doris Schema': { main: [to('Load'), to('A')] },
			A: { main: [to('B')] },
			B: { main: [to('A')] },
		});
		assert.equal(leadsSomewhere(outputs, 1), false);
	});
});

// n8n goes on after a throw by the node's own fields (n8n-core WorkflowExecute.continuesOnError), which
// may say "continue" where the context's continueOnFail() does not.
describe('continuesAfterThrow', () => {
	const ctx = (fields: Partial<INode>, continueOnFail = false) => ({ getNode: () => ({ ...node('Doris Schema'), ...fields }), continueOnFail: () => continueOnFail });
	it('either On Error "Continue" mode, or the older Continue On Fail flag, even beside On Error "stop"', () => {
		assert.equal(continuesAfterThrow(ctx({})), false);
		assert.equal(continuesAfterThrow(ctx({ onError: 'stopWorkflow' })), false);
		assert.equal(continuesAfterThrow(ctx({ onError: 'continueRegularOutput' })), true);
		assert.equal(continuesAfterThrow(ctx({ onError: 'continueErrorOutput' })), true);
		assert.equal(continuesAfterThrow(ctx({ onError: 'stopWorkflow', continueOnFail: true })), true);
		assert.equal(continuesAfterThrow(ctx({}, true)), true);
	});
});

// Where a Doris Stream Load node (Loaded 0, Rejected 1, n8n's error output 2) puts the rows of a
// failure. n8n's regular output is Loaded, whose items are loaded rows to whatever follows: under
// "Continue (regular output)" a failure never goes there (before, it did whenever Loaded was wired).
describe('failureRoute', () => {
	const indexes = { fallback: 1, errorOutput: 2 };
	const route = (fields: Partial<INode>, connected: number[] | undefined, continues = true) => failureRoute(fields, continues, connected === undefined ? undefined : new Set(connected), indexes);
	it('"Continue (regular output)" and Continue On Fail: Rejected when it leads somewhere, whether or not Loaded does; else nowhere (throw)', () => {
		for (const fields of [{ onError: 'continueRegularOutput' }, {}, { onError: 'stopWorkflow' }] as Array<Partial<INode>>) {
			assert.equal(route(fields, [0, 1]), 'rejected', JSON.stringify(fields));
			assert.equal(route(fields, [1]), 'rejected');
			assert.equal(route(fields, [0]), 'throw', 'Loaded alone is no place for failed rows');
			assert.equal(route(fields, []), 'throw');
			assert.equal(route(fields, undefined), 'rejected', 'connections unreadable: never Loaded');
		}
	});
	it('"Continue (using error output)": the error output when it leads somewhere, else Rejected, else throw', () => {
		const fields = { onError: 'continueErrorOutput' as const };
		assert.equal(route(fields, [0, 1, 2]), 'error');
		assert.equal(route(fields, [2]), 'error');
		assert.equal(route(fields, [0, 1]), 'rejected');
		assert.equal(route(fields, [0]), 'throw');
		assert.equal(route(fields, undefined), 'error');
	});
	it('a node that does not continue throws, whatever is wired', () => {
		assert.equal(route({}, [0, 1, 2], false), 'throw');
		assert.equal(route({ onError: 'stopWorkflow' }, [0, 1], false), 'throw');
	});
});

// n8n-core 2.40 decides whether to go on after a node's error by the node of the IExecuteData it ran
// (WorkflowExecute.handleNodeExecutionError), the object getExecuteData() returns: only that entry
// is switched to "Stop Workflow", never the workflow's node (real n8n: test/e2e/rejected-rows.test.ts).
describe('failDespiteContinue', () => {
	it('throws the error with this run of the node on "Stop Workflow", the workflow\'s node as saved', () => {
		const saved: INode = { ...node('Load'), onError: 'continueRegularOutput', continueOnFail: true };
		const executeData = { node: saved, data: { main: [] }, source: null };
		const error = new Error('nowhere to put the rows');
		assert.throws(() => failDespiteContinue({ getExecuteData: () => executeData }, error), (thrown) => thrown === error);
		assert.deepEqual([executeData.node.onError, executeData.node.continueOnFail, executeData.node.name], ['stopWorkflow', false, 'Load']);
		assert.deepEqual([saved.onError, saved.continueOnFail], ['continueRegularOutput', true]);
	});
	it('without getExecuteData (another n8n, a test context) it throws all the same', () => {
		const error = new Error('x');
		assert.throws(() => failDespiteContinue({}, error), (thrown) => thrown === error);
	});
});

// n8n hands a node with Execute Once the first item only (n8n-core WorkflowExecute.handleExecuteOnce):
// a Doris node with it fails the execution outside the editor, on "Continue" too (real n8n, a
// sub-workflow: test/e2e/rejected-rows.test.ts).
describe('refuseExecuteOnce', () => {
	const context = (fields: Partial<INode>, mode: string, continues = false) => {
		const executeData = { node: { ...node('Map'), ...fields }, data: { main: [] }, source: null };
		return { executeData, ctx: { getNode: () => executeData.node, continueOnFail: () => continues, getMode: (() => mode) as never, getExecuteData: () => executeData } };
	};
	it('throws naming the node and the setting, saying what to do', () => {
		const { ctx } = context({ executeOnce: true }, 'trigger');
		assert.throws(
			() => refuseExecuteOnce(ctx),
			(error: Error & { description?: string }) =>
				error.message === 'Node "Map" has the setting Execute Once on: n8n hands it the first item of each execution only and drops the others, so their rows would be lost while the trigger commits their offsets' &&
				/Turn Execute Once off/.test(String(error.description)),
		);
	});
	it('on "Continue" this run of the node is switched to "Stop Workflow", so n8n does not swallow the error', () => {
		const { ctx, executeData } = context({ executeOnce: true, onError: 'continueRegularOutput' }, 'integrated', true);
		assert.throws(() => refuseExecuteOnce(ctx), /Execute Once on/);
		assert.equal(executeData.node.onError, 'stopWorkflow');
	});
	it('passes without the setting, and in a run from the editor', () => {
		refuseExecuteOnce(context({}, 'trigger').ctx);
		refuseExecuteOnce(context({ executeOnce: false }, 'integrated').ctx);
		refuseExecuteOnce(context({ executeOnce: true }, 'manual').ctx);
	});
});
