import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { routeItems } from '../../../src/doris/schema/route-items';
import { rowMapperFor, type RowMapper } from '../../../src/doris/schema/row-mapper';
import type { TableSchema } from '../../../src/doris/schema/types';
import type { SchemaContext } from './router';
import type { SchemaSettings } from './settings';

/** Output 0 "Rows": coerced rows; output 1 "Invalid": original item + `_invalid` reasons. */
export function executeMapRows(ctx: SchemaContext, settings: SchemaSettings, schema: TableSchema): INodeExecutionData[][] {
	let mapper: RowMapper;
	try {
		mapper = rowMapperFor(schema, {
			unknownFields: settings.unknownFields,
			sourcePath: settings.sourcePath,
			mapping: settings.mapping,
			cdc: settings.cdc,
			dates: { timeZone: settings.timeZone, epochUnit: settings.epochUnit },
		});
	} catch (error) {
		// A bad time zone or a mapping to a column the table lacks: a settings error, not a row error.
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
	const items = ctx.getInputData();
	const workflow = ctx.getWorkflow();
	const routed = routeItems(items, mapper, { workflow: workflow.id ?? workflow.name ?? '', node: ctx.getNode().name });
	return [
		routed.rows.map((r) => ({ json: r.json as INodeExecutionData['json'], pairedItem: { item: r.index } })),
		routed.invalid.map((r) => ({ json: r.json as INodeExecutionData['json'], pairedItem: { item: r.index } })),
	];
}
