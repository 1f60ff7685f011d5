import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

// Opens the metrics server at n8n start-up when DORIS_SINKER_METRICS* asks for it (one per process).
import '../../src/metrics/autostart';

import { dorisConnectionTest, getDatabases, getTables } from '../shared/doris-methods';
import { properties } from './description';
import { executeStreamLoad } from './execute';

/**
 * Loads items into Doris with Stream Load. Executions loading into the same table share one batch
 * per process; each execution finishes only when the batch holding its rows is in Doris, which is
 * what lets the Kafka trigger commit offsets on a finished execution.
 */
export class DorisStreamLoad implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Doris Stream Load',
		name: 'dorisStreamLoad',
		icon: { light: 'file:dorisStreamLoad.svg', dark: 'file:dorisStreamLoad.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["table"]}}',
		description: 'Loads items into Apache Doris with Stream Load, batching across executions',
		defaults: { name: 'Doris Stream Load' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// n8n resolves `testedBy` per credential type, so all three nodes declaring dorisApi name the one
		// shared test (nodes/shared/doris-methods.ts).
		credentials: [{ name: 'dorisApi', required: true, testedBy: 'dorisConnectionTest' }],
		properties,
	};

	methods = {
		loadOptions: { getDatabases, getTables },
		credentialTest: { dorisConnectionTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeStreamLoad(this);
	}
}
