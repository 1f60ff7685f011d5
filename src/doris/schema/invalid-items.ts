/**
 * Every item of an execution as an Invalid item with one reason: what the Doris Schema node puts out
 * under n8n's On Error "Continue" when it cannot map the execution at all (a settings error, Doris
 * unreachable, a failed CREATE TABLE). Throwing there is no way out: n8n swallows the error and hands
 * the node's raw input on as its first output, Rows, which the Doris Stream Load node would load
 * unchecked (n8n-core WorkflowExecute.handleNodeExecutionError).
 *
 * The Doris Stream Load node hands failed items to Rejected the same way under "Continue (regular
 * output)", and under "Continue (using error output)" when that output leads nowhere.
 *
 * A packed item becomes one item per line, as the Invalid output carries packed lines everywhere
 * else: the parsed line (or `{line}` when it does not parse) with `_kafka` saying where it came from.
 */
import { parseJsonExact } from '../../common/exact-json';
import { KAFKA_METADATA_FIELD } from '../../common/item-contract';
import { packedLineOrigin, readPackedRows } from '../../common/packed-rows';
import { INVALID_FIELD, type InvalidInfo, type RoutedItem } from './route-items';
import type { Rejection } from './row-mapper';

function lineJson(text: string): Record<string, unknown> {
	try {
		const value = parseJsonExact(text);
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
	} catch {
		// Kept as text below: the reason is the execution's, not the line's.
	}
	return { line: text };
}

/** `items`, each (each line of a packed item) with `_invalid: {table, reasons: [reason]}`. */
export function everyItemInvalid(items: ReadonlyArray<{ json: Record<string, unknown> }>, table: string, reason: Rejection): RoutedItem[] {
	const info: InvalidInfo = { table, reasons: [reason] };
	const out: RoutedItem[] = [];
	items.forEach((item, index) => {
		const packed = readPackedRows(item.json);
		if (packed === undefined || packed instanceof Error) {
			out.push({ json: { ...item.json, [INVALID_FIELD]: info }, index });
			return;
		}
		let start = 0;
		for (let line = 0; start < packed.jsonLines.length; line++) {
			const end = packed.jsonLines.indexOf('\n', start);
			const text = packed.jsonLines.slice(start, end < 0 ? packed.jsonLines.length : end);
			start = end < 0 ? packed.jsonLines.length : end + 1;
			out.push({ json: { ...lineJson(text), [KAFKA_METADATA_FIELD]: packedLineOrigin(packed.sources, line), [INVALID_FIELD]: info }, index });
		}
	});
	return out;
}
