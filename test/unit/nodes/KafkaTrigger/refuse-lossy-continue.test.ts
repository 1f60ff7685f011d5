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
	it('refuses "Continue (using error output)" when neither the error output nor Rejected leads anywhere, naming the node and the setting', () => {
		assert.throws(activate({ onError: 'continueErrorOutput' }, [[], []]), /Doris Stream Load node "Load": On Error is "Continue \(using error output\)" but neither its error output nor its Rejected output leads anywhere/);
		// Loaded leads somewhere, but that is not where n8n puts this node's failures.
		assert.throws(activate({ onError: 'continueErrorOutput' }, [to('Dead Letters'), []]), /"Continue \(using error output\)"/);
	});

	// n8n's regular output is Loaded, whose items whatever follows takes for loaded rows: a failed row
	// has no place there, so Rejected must lead somewhere, whether or not Loaded does. Before, a wired
	// Loaded output let the workflow activate and the failed rows went there, each with an `error` field.
	it('refuses "Continue (regular output)", or Continue On Fail, whenever Rejected leads nowhere, even with Loaded wired; the message says what to do', () => {
		for (const loaded of [[], to('Dead Letters')]) {
			assert.throws(
				activate({ onError: 'continueRegularOutput' }, [loaded, []]),
				(error: Error & { description?: string }) =>
					/Doris Stream Load node "Load": On Error is "Continue \(regular output\)" but its Rejected output leads nowhere; the regular output is Loaded, which holds loaded rows only, so rows it cannot load would be lost/.test(error.message) &&
					/Connect the Rejected output to a dead-letter branch .*"Continue \(using error output\)" and connect the error output.*"Stop Workflow"/.test(String(error.description)),
			);
			assert.throws(activate({ continueOnFail: true }, [loaded, []]), /"Load": Continue On Fail is on \(run as On Error "Continue \(regular output\)"\) but its Rejected output leads nowhere/);
			assert.throws(activate({ continueOnFail: true, onError: 'stopWorkflow' }, [loaded, []]), /"Load": Continue On Fail is on/);
		}
	});

	it('activates when Rejected, or under "Continue (using error output)" the error output, leads somewhere; or when the node stops on error, or is disabled', () => {
		activate({ onError: 'continueRegularOutput' }, [[], to('Dead Letters')])();
		activate({ onError: 'continueRegularOutput' }, [to('Dead Letters'), to('Dead Letters')])();
		activate({ continueOnFail: true }, [to('Dead Letters'), to('Dead Letters')])();
		activate({ onError: 'continueErrorOutput' }, [[], [], to('Dead Letters')])();
		activate({ onError: 'continueErrorOutput' }, [[], to('Dead Letters')])();
		activate({ continueOnFail: true, onError: 'continueErrorOutput' }, [[], [], to('Dead Letters')])();
		activate({ onError: 'stopWorkflow' }, [[], []])();
		activate({}, [[], []])();
		activate({ onError: 'continueRegularOutput', disabled: true }, [[], []])();
	});
});
