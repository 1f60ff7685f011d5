// Activation refuses One Item per Batch into a Doris Stream Load node with Format CSV
// (nodes/KafkaTrigger/refuse-packed-csv.ts): the Stream Load node refuses every packed item, so every
// execution would fail and hold its partition. Read from n8n's own Workflow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Workflow, type IConnections, type INode, type INodeTypes } from 'n8n-workflow';

import { refusePackedIntoCsv } from '../../../../nodes/KafkaTrigger/refuse-packed-csv';

const node = (name: string, type: string, fields: Partial<INode> = {}): INode => ({ id: name, name, type, typeVersion: 1, position: [0, 0], parameters: {}, ...fields });
const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];
// Workflow keeps only the parameters a node's type declares: every node here declares Format.
const withFormat = { description: { outputs: ['main'], properties: [{ displayName: 'Format', name: 'format', type: 'string', default: 'json' }] } };
const nodeTypes = { getByName: () => withFormat, getByNameAndVersion: () => withFormat, getKnownTypes: () => ({}) } as unknown as INodeTypes;

/** Trigger → Doris Schema → Load; Schema's Invalid → Code → Rows Load (a node that may have made rows of the items). */
function activate(output: 'message' | 'batch', load: Partial<INode>, rowsLoad: Partial<INode> = {}) {
	const nodes = [
		node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'),
		node('Schema', 'n8n-nodes-doris-sinker.dorisSchema'),
		node('Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', load),
		node('Code', 'n8n-nodes-base.code'),
		node('Rows Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', rowsLoad),
	];
	const connections: IConnections = {
		'Kafka Trigger': { main: [to('Schema')] },
		Schema: { main: [to('Load'), to('Code')] },
		Code: { main: [to('Rows Load')] },
	};
	const workflow = new Workflow({ nodes, connections, active: true, nodeTypes });
	return () => refusePackedIntoCsv({ workflow, getNode: () => workflow.nodes['Kafka Trigger'] } as never, output);
}

describe('refusePackedIntoCsv', () => {
	it('refuses One Item per Batch into a Doris Stream Load node with Format CSV, naming the node and both fixes', () => {
		assert.throws(activate('batch', { parameters: { format: 'csv' } }), (error: Error & { description?: string }) => {
			assert.match(error.message, /Output is "One Item per Batch" but Doris Stream Load node "Load" has Format CSV/);
			assert.match(error.description ?? '', /Set Format to JSON Lines.*One Item per Message/);
			return true;
		});
	});

	it('activates One Item per Message into CSV, One Item per Batch into JSON Lines, a disabled CSV node, and a CSV node behind another node', () => {
		activate('message', { parameters: { format: 'csv' } })();
		activate('batch', { parameters: { format: 'json' } })();
		activate('batch', { parameters: { format: 'csv' }, disabled: true })();
		activate('batch', { parameters: { format: 'json' } }, { parameters: { format: 'csv' } })();
	});
});
