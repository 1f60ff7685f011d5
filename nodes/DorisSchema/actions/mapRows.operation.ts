import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { mapItemsFollowingSchema } from '../../../src/doris/schema/drift';
import { BrokenPackedItemError } from '../../../src/doris/schema/map-items';
import type { RoutedItem } from '../../../src/doris/schema/route-items';
import { rowMapperFor, type RowMapper, type RowMapperOptions } from '../../../src/doris/schema/row-mapper';
import type { TableSchema } from '../../../src/doris/schema/types';
import type { SchemaContext } from './router';
import type { SchemaSettings } from './settings';

/** A settings error (mapperFor) as it is; a broken packed item naming the item; anything else wrapped. */
function toNodeError(ctx: SchemaContext, error: unknown): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof BrokenPackedItemError) return new NodeOperationError(ctx.getNode(), error.message, { itemIndex: error.itemIndex });
	return new NodeOperationError(ctx.getNode(), error as Error);
}

function toOutput(r: RoutedItem): INodeExecutionData {
	return { json: r.json as INodeExecutionData['json'], pairedItem: { item: r.index } };
}

/**
 * Output 0 "Rows": coerced rows; output 1 "Invalid": original item + `_invalid` reasons.
 * An item holding packed rows (the trigger's "One Item per Batch") stays one item on output 0 with
 * its valid rows as JSON lines; each of its lines that cannot load becomes an item on output 1.
 * Big packed items are mapped in worker threads (option Worker Threads) so n8n's main thread stays
 * free; the outputs are the same either way. Both outputs keep input order (src/doris/schema/map-items.ts).
 * When the items hint that the table changed (a field matching no column, an item invalid for a
 * reason a newer schema may accept), `reread` reads it again (rate-limited) and the items are mapped
 * with the new columns (src/doris/schema/drift.ts).
 */
export async function executeMapRows(
	ctx: SchemaContext,
	settings: SchemaSettings,
	schema: TableSchema,
	reread: () => Promise<TableSchema | undefined> = async () => undefined,
): Promise<INodeExecutionData[][]> {
	const options: RowMapperOptions = {
		unknownFields: settings.unknownFields,
		sourcePath: settings.sourcePath,
		mapping: settings.mapping,
		cdc: settings.cdc,
		dates: { timeZone: settings.timeZone, epochUnit: settings.epochUnit },
		epochUnits: settings.epochUnits,
		limits: settings.limits,
	};
	const mapperFor = (table: TableSchema): RowMapper => {
		try {
			return rowMapperFor(table, options);
		} catch (error) {
			// A bad time zone or a mapping to a column the table lacks: a settings error, not a row error.
			throw new NodeOperationError(ctx.getNode(), error as Error);
		}
	};
	const mapper = mapperFor(schema);
	const workflow = ctx.getWorkflow();
	const logger = ctx.logger as SchemaContext['logger'] | undefined; // absent in narrow test contexts
	try {
		const source = {
			current: async () => mapper,
			reread: async () => {
				const fresh = await reread();
				return fresh === undefined ? undefined : mapperFor(fresh);
			},
		};
		const routed = await mapItemsFollowingSchema(ctx.getInputData(), source, {
			labels: { workflow: workflow.id ?? workflow.name ?? '', node: ctx.getNode().name },
			workerThreads: settings.workerThreads,
			continueOnFail: ctx.continueOnFail(),
			warn: logger === undefined ? undefined : (message) => logger.warn(message),
			info: logger === undefined ? undefined : (message) => logger.info(message),
		});
		return [routed.rows.map(toOutput), routed.invalid.map(toOutput)];
	} catch (error) {
		throw toNodeError(ctx, error);
	}
}
