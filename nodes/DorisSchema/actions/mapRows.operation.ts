import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { BrokenPackedItemError, mapItems } from '../../../src/doris/schema/map-items';
import type { RoutedItem } from '../../../src/doris/schema/route-items';
import { rowMapperFor, type RowMapper } from '../../../src/doris/schema/row-mapper';
import type { TableSchema } from '../../../src/doris/schema/types';
import type { SchemaContext } from './router';
import type { SchemaSettings } from './settings';

function toOutput(r: RoutedItem): INodeExecutionData {
	return { json: r.json as INodeExecutionData['json'], pairedItem: { item: r.index } };
}

/**
 * Output 0 "Rows": coerced rows; output 1 "Invalid": original item + `_invalid` reasons.
 * An item holding packed rows (the trigger's "One Item per Batch") stays one item on output 0 with
 * its valid rows as JSON lines; each of its lines that cannot load becomes an item on output 1.
 * Big packed items are mapped in worker threads (option Worker Threads) so n8n's main thread stays
 * free; the outputs are the same either way. Both outputs keep input order (src/doris/schema/map-items.ts).
 */
export async function executeMapRows(ctx: SchemaContext, settings: SchemaSettings, schema: TableSchema): Promise<INodeExecutionData[][]> {
	let mapper: RowMapper;
	try {
		mapper = rowMapperFor(schema, {
			unknownFields: settings.unknownFields,
			sourcePath: settings.sourcePath,
			mapping: settings.mapping,
			cdc: settings.cdc,
			dates: { timeZone: settings.timeZone, epochUnit: settings.epochUnit },
			epochUnits: settings.epochUnits,
			limits: settings.limits,
		});
	} catch (error) {
		// A bad time zone or a mapping to a column the table lacks: a settings error, not a row error.
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
	const workflow = ctx.getWorkflow();
	const logger = ctx.logger as SchemaContext['logger'] | undefined; // absent in narrow test contexts
	try {
		const routed = await mapItems(ctx.getInputData(), mapper, {
			labels: { workflow: workflow.id ?? workflow.name ?? '', node: ctx.getNode().name },
			workerThreads: settings.workerThreads,
			continueOnFail: ctx.continueOnFail(),
			warn: logger === undefined ? undefined : (message) => logger.warn(message),
		});
		return [routed.rows.map(toOutput), routed.invalid.map(toOutput)];
	} catch (error) {
		if (error instanceof BrokenPackedItemError) throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex: error.itemIndex });
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}
