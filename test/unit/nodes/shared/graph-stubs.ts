/**
 * n8n Workflow objects for the run-time check tests (republished-graph, republished-mark): node types
 * that keep only the parameters they declare, as n8n's Workflow does, two outputs for the Doris nodes.
 */
import type { INode, INodeTypes } from 'n8n-workflow';

export const node = (name: string, type: string, fields: Partial<INode> = {}): INode => ({ id: name, name, type, typeVersion: 1, position: [0, 0], parameters: {}, ...fields });
export const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];

const declared = (names: string[], outputs = 1) => ({
	description: { outputs: Array.from({ length: outputs }, () => 'main'), properties: names.map((name) => ({ displayName: name, name, type: 'json', default: undefined })) },
});
const TYPES: Record<string, ReturnType<typeof declared>> = {
	'n8n-nodes-doris-sinker.kafkaTrigger': declared(['options', 'output']),
	'n8n-nodes-doris-sinker.dorisSchema': declared(['operation', 'options'], 2),
	'n8n-nodes-doris-sinker.dorisStreamLoad': declared(['options', 'format', 'batchIntervalSeconds'], 2),
	'n8n-nodes-base.kafka': declared(['options']),
	'n8n-nodes-base.wait': declared(['resume', 'amount', 'unit']),
	'n8n-nodes-base.noOp': declared([]),
};
const typeOf = (type: string) => TYPES[type] ?? declared([]);
export const nodeTypes = { getByName: typeOf, getByNameAndVersion: typeOf, getKnownTypes: () => ({}) } as unknown as INodeTypes;
