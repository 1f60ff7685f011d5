import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

// Placeholder until the trigger issue fills it: registered so the package loads with three nodes.
export class KafkaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kafka Trigger (Doris Sinker)',
		name: 'kafkaTrigger',
		icon: 'file:kafkaTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["topics"]}}',
		description: 'Consumes Kafka topics in batches and commits offsets only after the rows are loaded into Doris',
		defaults: { name: 'Kafka Trigger (Doris Sinker)' },
		usableAsTool: undefined,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'kafkaDorisSinkApi', required: true }],
		properties: [
			{ displayName: 'Topics', name: 'topics', type: 'string', default: '', required: true },
			{ displayName: 'Group ID', name: 'groupId', type: 'string', default: 'n8n-doris-sinker', required: true },
		],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return { closeFunction: async () => {} };
	}
}
