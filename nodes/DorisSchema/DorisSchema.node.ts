import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { getDatabases, getTables } from '../shared/doris-methods';
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
		icon: 'file:dorisSchema.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "getSchema" ? "Get Schema: " : ""}}{{$parameter["table"]}}',
		description: "Coerces items to a Doris table's column types and routes rows that cannot load",
		defaults: { name: 'Doris Schema' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Rows', 'Invalid'],
		credentials: [{ name: 'dorisApi', required: true }],
		properties,
	};

	methods = {
		loadOptions: { getDatabases, getTables },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route(this);
	}
}
