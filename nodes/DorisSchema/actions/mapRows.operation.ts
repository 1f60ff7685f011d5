import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { PACKED_ROWS_FIELD } from '../../../src/item-contract';
import { readPackedRows, routePacked } from '../../../src/doris/schema/route-packed';
import { INVALID_FIELD, routeItems, type RouteLabels, type RoutedItem } from '../../../src/doris/schema/route-items';
import { rowMapperFor, type RowMapper } from '../../../src/doris/schema/row-mapper';
import type { TableSchema } from '../../../src/doris/schema/types';
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
 * Both outputs keep input order.
 */
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
	const labels: RouteLabels = { workflow: workflow.id ?? workflow.name ?? '', node: ctx.getNode().name };
	if (!items.some((item) => item.json[PACKED_ROWS_FIELD] !== undefined)) {
		const routed = routeItems(items, mapper, labels);
		return [routed.rows.map(toOutput), routed.invalid.map(toOutput)];
	}

	const plain: Array<{ json: Record<string, unknown> }> = [];
	const plainIndex: number[] = [];
	const packedRows: RoutedItem[] = [];
	const packedInvalid: RoutedItem[] = [];
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
			packedInvalid.push({ json: { ...items[i].json, [INVALID_FIELD]: { table: `${schema.database}.${schema.table}`, reasons: [reason] } }, index: i });
			continue;
		}
		const routed = routePacked(packed, mapper, labels, i);
		if (routed.packed !== null) packedRows.push({ json: { [PACKED_ROWS_FIELD]: routed.packed }, index: i });
		for (const r of routed.invalid) packedInvalid.push(r);
	}
	const routed = routeItems(plain, mapper, labels);
	for (const r of routed.rows) r.index = plainIndex[r.index];
	for (const r of routed.invalid) r.index = plainIndex[r.index];
	return [mergeByIndex(routed.rows, packedRows), mergeByIndex(routed.invalid, packedInvalid)];
}
