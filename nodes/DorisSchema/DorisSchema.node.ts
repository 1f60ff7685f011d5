import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

// Placeholder until the schema issue fills it: registered so the package loads with three nodes.
export class DorisSchema implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Doris Schema',
		name: 'dorisSchema',
		icon: 'file:dorisSchema.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: "Coerces items to a Doris table's column types and routes rows that cannot load",
		defaults: { name: 'Doris Schema' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Rows', 'Invalid'],
		credentials: [{ name: 'dorisApi', required: false }],
		properties: [{ displayName: 'Table', name: 'table', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } })), []];
	}
}
