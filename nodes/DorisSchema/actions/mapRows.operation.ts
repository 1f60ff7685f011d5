import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { routePackedParallel, sharedPackedPool } from '../../../src/doris/schema/packed-worker-pool';
import { readPackedRows } from '../../../src/common/packed-rows';
import { INVALID_FIELD, routeItems, type RouteLabels, type RoutedItem } from '../../../src/doris/schema/route-items';
import { rowMapperFor, type RowMapper } from '../../../src/doris/schema/row-mapper';
import type { TableSchema } from '../../../src/doris/schema/types';
import { metrics } from '../../../src/metrics/metrics';
import type { SchemaContext } from './router';
import type { SchemaSettings } from './settings';

function toOutput(r: RoutedItem): INodeExecutionData {
	return { json: r.json as INodeExecutionData['json'], pairedItem: { item: r.index } };
}

/** Merges two lists each sorted by input index; on a tie `a` comes first (stable). */
function mergeByIndex(a: RoutedItem[], b: RoutedItem[]): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length || j < b.length) {
		if (j >= b.length || (i < a.length && a[i].index <= b[j].index)) out.push(toOutput(a[i++]));
		else out.push(toOutput(b[j++]));
	}
	return out;
}

/**
 * Output 0 "Rows": coerced rows; output 1 "Invalid": original item + `_invalid` reasons.
 * An item holding packed rows (the trigger's "One Item per Batch") stays one item on output 0 with
 * its valid rows as JSON lines; each of its lines that cannot load becomes an item on output 1.
 * Big packed items are mapped in worker threads (option Worker Threads) so n8n's main thread stays
 * free; the outputs are the same either way. Both outputs keep input order.
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
		});
	} catch (error) {
		// A bad time zone or a mapping to a column the table lacks: a settings error, not a row error.
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
	const items = ctx.getInputData();
	const workflow = ctx.getWorkflow();
	const labels: RouteLabels = { workflow: workflow.id ?? workflow.name ?? '', node: ctx.getNode().name };
	if (!items.some((item) => item.json[PACKED_ROWS_FIELD] !== undefined)) {
		const routed = routeItems(items, mapper, labels);
		return [routed.rows.map(toOutput), routed.invalid.map(toOutput)];
	}

	// Every packed item is checked before any is mapped: a broken one fails the execution up front.
	const plain: Array<{ json: Record<string, unknown> }> = [];
	const plainIndex: number[] = [];
	const packedItems: Array<{ packed: PackedRows; index: number }> = [];
	const broken: RoutedItem[] = [];
	for (let i = 0; i < items.length; i++) {
		const packed = readPackedRows(items[i].json);
		if (packed === undefined) {
			plain.push(items[i]);
			plainIndex.push(i);
			continue;
		}
		if (packed instanceof Error) {
			if (!ctx.continueOnFail()) throw new NodeOperationError(ctx.getNode(), `Item ${i}: ${packed.message}`, { itemIndex: i });
			const reason = { column: null, value: null, expected: 'packed rows', rule: 'envelope' as const, message: packed.message };
			const table = `${schema.database}.${schema.table}`;
			broken.push({ json: { ...items[i].json, [INVALID_FIELD]: { table, reasons: [reason] } }, index: i });
			// Counted like every other item on the invalid output.
			metrics.rowsInvalid.inc({ workflow: labels.workflow, table, rule: 'envelope' });
			continue;
		}
		packedItems.push({ packed, index: i });
	}
	// Handed to the workers first, so they map while this thread maps the ordinary items.
	const logger = ctx.logger as SchemaContext['logger'] | undefined; // absent in narrow test contexts
	const pool = sharedPackedPool(settings.workerThreads, logger === undefined ? undefined : (message) => logger.warn(message));
	const pending = packedItems.map((p) => routePackedParallel(p.packed, mapper, labels, p.index, pool));
	const routed = routeItems(plain, mapper, labels);
	for (const r of routed.rows) r.index = plainIndex[r.index];
	for (const r of routed.invalid) r.index = plainIndex[r.index];

	const results = await Promise.all(pending);
	const packedRows: RoutedItem[] = [];
	const packedInvalid: RoutedItem[] = [];
	let b = 0;
	for (let k = 0; k < results.length; k++) {
		const index = packedItems[k].index;
		// The broken items and the packed ones are both in input order: interleave them back.
		while (b < broken.length && broken[b].index < index) packedInvalid.push(broken[b++]);
		const r = results[k];
		if (r.packed !== null) packedRows.push({ json: { [PACKED_ROWS_FIELD]: r.packed }, index });
		for (const x of r.invalid) packedInvalid.push(x);
	}
	while (b < broken.length) packedInvalid.push(broken[b++]);
	return [mergeByIndex(routed.rows, packedRows), mergeByIndex(routed.invalid, packedInvalid)];
}
