import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

// Placeholder until the Stream Load issue fills it: registered so the package loads with three nodes.
export class DorisStreamLoad implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Doris Stream Load',
		name: 'dorisStreamLoad',
		icon: 'file:dorisStreamLoad.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["table"]}}',
		description: 'Loads items into Apache Doris with Stream Load, batching across executions',
		defaults: { name: 'Doris Stream Load' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dorisApi', required: true }],
		properties: [{ displayName: 'Table', name: 'table', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }))];
	}
}
