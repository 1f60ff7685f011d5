import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

// Opens the metrics server at n8n start-up when DORIS_SINKER_METRICS* asks for it (one per process).
import '../../src/metrics/autostart';

import { DORIS_NODE_VERSIONS, TABLE_SUBTITLE } from '../shared/doris-fields';
import { dorisConnectionTest, getDatabases, getTables, searchDatabases, searchTables } from '../shared/doris-methods';
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
		version: DORIS_NODE_VERSIONS,
		subtitle: `=${TABLE_SUBTITLE}`,
		description: 'Loads items into Apache Doris with Stream Load, batching across executions',
		defaults: { name: 'Doris Stream Load' },
		// Not a tool for AI agents: an execution returns only when the shared batch holding its rows is in
		// Doris (up to Batch Max Interval, 10 s by default, or longer when Doris is slow), so an agent
		// calling it would wait on other executions' batch, and one row per call would make one Stream Load
		// per row. Agents reach Doris better with a SQL node. (n8n's type allows only `true` or a tool
		// description: stated as undefined, the choice is visible and lint's node-usable-as-tool is met.)
		usableAsTool: undefined,
		inputs: [NodeConnectionTypes.Main],
		// Rejected: rows Doris refused at load time, shaped as the Doris Schema node's invalid items.
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Loaded', 'Rejected'],
		// n8n resolves `testedBy` per credential type, so all three nodes declaring dorisApi name the one
		// shared test (nodes/shared/doris-methods.ts).
		credentials: [{ name: 'dorisApi', required: true, testedBy: 'dorisConnectionTest' }],
		properties,
	};

	methods = {
		loadOptions: { getDatabases, getTables },
		listSearch: { searchDatabases, searchTables },
		credentialTest: { dorisConnectionTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeStreamLoad(this);
	}
}
