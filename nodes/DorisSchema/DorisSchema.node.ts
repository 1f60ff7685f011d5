import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

// Opens the metrics server at n8n start-up when DORIS_SINKER_METRICS* asks for it (one per process).
import '../../src/metrics/autostart';

import { DORIS_NODE_VERSIONS, TABLE_SUBTITLE } from '../shared/doris-fields';
import { dorisConnectionTest, getColumns, getDatabases, getTables, searchDatabases, searchTables } from '../shared/doris-methods';
import { properties } from './actions/description';
import { route } from './actions/router';

/**
 * Coerces items to a Doris table's column types (read from Doris, or typed in) and routes rows that
 * cannot load to a second output with the reasons. The work is in src/doris/schema; this is the n8n face.
 */
export class DorisSchema implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Doris Schema',
		name: 'dorisSchema',
		icon: { light: 'file:dorisSchema.svg', dark: 'file:dorisSchema.dark.svg' },
		group: ['transform'],
		version: DORIS_NODE_VERSIONS,
		subtitle: `={{$parameter["operation"] === "getSchema" ? "Get Schema: " : ""}}${TABLE_SUBTITLE}`,
		description: "Coerces items to a Doris table's column types and routes rows that cannot load",
		defaults: { name: 'Doris Schema' },
		// A tool for AI agents: Get Schema tells an agent a table's columns and types, and Map Rows checks
		// rows against them; neither waits on other executions nor writes to Doris.
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Rows', 'Invalid'],
		// n8n resolves `testedBy` per credential type, so all three nodes declaring dorisApi name the one
		// shared test (nodes/shared/doris-methods.ts).
		credentials: [{ name: 'dorisApi', required: true, testedBy: 'dorisConnectionTest' }],
		properties,
	};

	methods = {
		loadOptions: { getDatabases, getTables, getColumns },
		listSearch: { searchDatabases, searchTables },
		credentialTest: { dorisConnectionTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route(this);
	}
}
