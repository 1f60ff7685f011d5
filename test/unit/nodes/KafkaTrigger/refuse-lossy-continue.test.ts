// Activation refuses a Doris Stream Load node that continues on error with nowhere to put the rows it
// cannot load (nodes/KafkaTrigger/refuse-lossy-continue.ts), read from n8n's own Workflow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Workflow, type IConnections, type INode, type INodeTypes } from 'n8n-workflow';

import { refuseLossyContinue } from '../../../../nodes/KafkaTrigger/refuse-lossy-continue';

const node = (name: string, type: string, fields: Partial<INode> = {}): INode => ({ id: name, name, type, typeVersion: 1, position: [0, 0], parameters: {}, ...fields });
const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];
// Workflow asks its node types only when it runs or evaluates a node; reading connections needs none.
const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;

/** Trigger → Doris Stream Load ("Load", with `fields`) whose outputs connect as `loadOutputs` says. */
function activate(fields: Partial<INode>, loadOutputs: IConnections[string]['main']) {
	const nodes = [
		node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'),
		node('Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', fields),
		node('Dead Letters', 'n8n-nodes-base.noOp'),
	];
	const connections: IConnections = { 'Kafka Trigger': { main: [to('Load')] }, Load: { main: loadOutputs } };
	const workflow = new Workflow({ nodes, connections, active: true, nodeTypes });
	return () => refuseLossyContinue({ workflow, getNode: () => workflow.nodes['Kafka Trigger'] } as never);
}

describe('refuseLossyContinue', () => {
	it('refuses On Error "Continue" (either mode, or Continue On Fail) when neither the error route nor Rejected leads anywhere, naming the node', () => {
		for (const fields of [{ onError: 'continueRegularOutput' }, { onError: 'continueErrorOutput' }, { continueOnFail: true }] as Array<Partial<INode>>) {
			assert.throws(activate(fields, [[], []]), /Doris Stream Load node "Load": On Error is "Continue" but neither its error route nor its Rejected output leads anywhere/);
		}
		// The error output leads nowhere, but the first one does: still nowhere for continueErrorOutput.
		assert.throws(activate({ onError: 'continueErrorOutput' }, [to('Dead Letters'), []]));
	});

	it('activates when Rejected, or the error route, leads somewhere; or when the node stops on error, or is disabled', () => {
		activate({ onError: 'continueRegularOutput' }, [[], to('Dead Letters')])();
		activate({ onError: 'continueRegularOutput' }, [to('Dead Letters'), []])();
		activate({ onError: 'continueErrorOutput' }, [[], [], to('Dead Letters')])();
		activate({ onError: 'stopWorkflow' }, [[], []])();
		activate({}, [[], []])();
		activate({ onError: 'continueRegularOutput', disabled: true }, [[], []])();
	});
});
