/**
 * Splits a batch of items into rows that can load and items that cannot, keeping each item's index so
 * the node can set pairedItem: every input item comes out on exactly one of the two outputs.
 *
 * An invalid item is the original JSON plus `_invalid: { table, reasons: [{column, value, expected,
 * rule, message}] }` (INVALID_FIELD), so a downstream node can store or replay it.
 */
import { INVALID_FIELD, KAFKA_METADATA_FIELD } from '../../common/item-contract';
import { metrics } from '../../metrics/metrics';
import { itemOwnFieldReasons, withOwnFieldReasons } from './reserved-line-fields';
import type { Rejection, RowMapper } from './row-mapper';

export { INVALID_FIELD };

export interface InvalidInfo {
	table: string;
	reasons: Rejection[];
}

export interface RoutedItem {
	json: Record<string, unknown>;
	/** Index of the input item it came from. */
	index: number;
}

export interface RoutedItems {
	rows: RoutedItem[];
	invalid: RoutedItem[];
}

export interface RouteLabels {
	workflow: string;
	node: string;
	/** False: count nothing now (the caller counts the items it keeps, with countInvalidItems). */
	countMetrics?: boolean;
}

function topicOf(json: Record<string, unknown>): string {
	const meta = json[KAFKA_METADATA_FIELD];
	if (typeof meta === 'object' && meta !== null) {
		const topic = (meta as Record<string, unknown>).topic;
		if (typeof topic === 'string') return topic;
	}
	return '';
}

export function routeItems(items: ReadonlyArray<{ json: Record<string, unknown> }>, mapper: RowMapper, labels: RouteLabels): RoutedItems {
	const table = `${mapper.schema.database}.${mapper.schema.table}`;
	const rows: RoutedItem[] = [];
	const invalid: RoutedItem[] = [];
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		let result;
		try {
			// Under Unknown Fields Reject a value's own `_kafka` / `_doris` the trigger left out refuses the item.
			result = withOwnFieldReasons(mapper.mapItem(json), itemOwnFieldReasons(json, mapper));
		} catch (error) {
			// A bug or a hostile value (e.g. a getter that throws) must not drop the item.
			result = {
				ok: false as const,
				reasons: [{ column: null, value: null, expected: 'a row', rule: 'type' as const, message: `could not map the item: ${(error as Error).message}` }],
			};
		}
		if (result.ok) {
			rows.push({ json: result.row, index: i });
			continue;
		}
		const info: InvalidInfo = { table, reasons: result.reasons };
		invalid.push({ json: { ...json, [INVALID_FIELD]: info }, index: i });
		if (labels.countMetrics === false) continue;
		const rule = result.reasons[0]?.rule ?? 'type';
		metrics.rowsInvalid.inc({ workflow: labels.workflow, table, rule });
		if (rule === 'parse_error') metrics.jsonParseErrors.inc({ workflow: labels.workflow, node: labels.node, topic: topicOf(json) });
	}
	return { rows, invalid };
}

/**
 * Counts invalid items as routeItems and routePacked do (sinker_rows_invalid_total by the first
 * reason's rule, json_parse_errors_total by topic), for items mapped with `countMetrics: false`.
 */
export function countInvalidItems(invalid: ReadonlyArray<RoutedItem>, labels: RouteLabels, table: string): void {
	for (const item of invalid) {
		const rule = (item.json[INVALID_FIELD] as InvalidInfo | undefined)?.reasons[0]?.rule ?? 'type';
		metrics.rowsInvalid.inc({ workflow: labels.workflow, table, rule });
		if (rule === 'parse_error') metrics.jsonParseErrors.inc({ workflow: labels.workflow, node: labels.node, topic: topicOf(item.json) });
	}
}
