// Activation refuses One Item per Batch into a Doris Stream Load node with Format CSV
// (nodes/KafkaTrigger/refuse-packed-csv.ts): the Stream Load node refuses every packed item, so every
// execution would fail and hold its partition. Read from n8n's own Workflow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Workflow, type IConnections, type INode, type INodeTypes } from 'n8n-workflow';

import { refusePackedIntoCsv } from '../../../../nodes/KafkaTrigger/refuse-packed-csv';

const node = (name: string, type: string, fields: Partial<INode> = {}): INode => ({ id: name, name, type, typeVersion: 1, position: [0, 0], parameters: {}, ...fields });
const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];
// Workflow keeps only the parameters a node's type declares: every node here declares Format and Doris Schema's Operation.
const withFormat = {
	description: {
		outputs: ['main'],
		properties: [
			{ displayName: 'Format', name: 'format', type: 'string', default: 'json' },
			{ displayName: 'Operation', name: 'operation', type: 'string', default: 'mapRows' },
		],
	},
};
const nodeTypes = { getByName: () => withFormat, getByNameAndVersion: () => withFormat, getKnownTypes: () => ({}) } as unknown as INodeTypes;

/** Trigger → Doris Schema → Load; Schema's Invalid → Code (a node that may have made rows of the items) → Rows Load, or Invalid → Rows Load. */
function activate(output: 'message' | 'batch', load: Partial<INode>, rowsLoad: Partial<INode> = {}, schema: Partial<INode> = {}, invalidTo = 'Code') {
	const nodes = [
		node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'),
		node('Schema', 'n8n-nodes-doris-sinker.dorisSchema', schema),
		node('Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', load),
		node('Code', 'n8n-nodes-base.code'),
		node('Rows Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', rowsLoad),
	];
	const connections: IConnections = {
		'Kafka Trigger': { main: [to('Schema')] },
		Schema: { main: [to('Load'), to(invalidTo)] },
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

	it('refuses CSV behind a disabled Doris Schema node (n8n passes the packed items through it) and behind Map Rows to Tables', () => {
		assert.throws(activate('batch', { parameters: { format: 'csv' } }, {}, { disabled: true }), /Doris Stream Load node "Load" has Format CSV/);
		assert.throws(activate('batch', { parameters: { format: 'csv' } }, {}, { parameters: { operation: 'mapRowsToTables' } }), /Doris Stream Load node "Load" has Format CSV/);
	});

	it('activates CSV behind Get Schema (its items are columns, not packed lines), on the Invalid output, and with Format as an expression (known only per item)', () => {
		activate('batch', { parameters: { format: 'csv' } }, {}, { parameters: { operation: 'getSchema' } })();
		activate('batch', { parameters: { format: '={{ $json.format }}' } })();
		activate('batch', { parameters: { format: 'json' } }, { parameters: { format: 'csv' } }, {}, 'Rows Load')();
	});
});
