/**
 * What the Doris Schema node's "Map Rows to Table" does with one execution's items, without n8n:
 * ordinary items are routed one by one (route-items.ts), packed items (the trigger's "One Item per
 * Batch") as a whole (route-packed.ts, in worker threads when big), and the two are put back in input
 * order on each output. The node and the reliability harness both call `mapItems`, so the pipeline
 * the harness tests is the one the node runs.
 *
 * Every input item comes out exactly once: on `rows` (an ordinary item's row, or a packed item with
 * its valid lines) or on `invalid` (with the reasons); each line of a packed item that cannot load
 * becomes its own item on `invalid`.
 */
import { PACKED_ROWS_FIELD, type PackedRows } from '../../common/item-contract';
import { readPackedRows } from '../../common/packed-rows';
import { metrics } from '../../metrics/metrics';
import { routePackedParallel, sharedPackedPool } from './packed-worker-pool';
import { INVALID_FIELD, routeItems, type RouteLabels, type RoutedItem, type RoutedItems } from './route-items';
import type { RowMapper } from './row-mapper';

export interface MapItemsOptions {
	labels: RouteLabels;
	/** Worker threads for big packed items; 0 = this thread. */
	workerThreads: number;
	/**
	 * A packed item whose shape breaks the item contract: false throws BrokenPackedItemError before
	 * anything is mapped (the execution fails), true sends it to `invalid` with the reason (n8n's
	 * Continue On Fail).
	 */
	continueOnFail: boolean;
	/** Where a worker pool reports a worker it lost. */
	warn?: (message: string) => void;
	/**
	 * Counts, by name, the fields that match no column (drift.ts): of every item mapped in this thread,
	 * and of the first line of each packed item a worker maps.
	 */
	unmatched?: Map<string, number>;
}

/** A packed item that is not a PackedRows: refused before any item is mapped. */
export class BrokenPackedItemError extends Error {
	constructor(
		readonly itemIndex: number,
		reason: string,
	) {
		super(`Item ${itemIndex}: ${reason}`);
		this.name = 'BrokenPackedItemError';
	}
}

/** Maps the first line of a packed item a worker maps, for the unmatched fields it names (its result is not used). */
function sampleFirstLine(packed: PackedRows, mapper: RowMapper): void {
	const end = packed.jsonLines.indexOf('\n');
	try {
		const value: unknown = JSON.parse(end < 0 ? packed.jsonLines : packed.jsonLines.slice(0, end));
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) mapper.map(value as Record<string, unknown>);
	} catch {
		// A line that does not parse names no field; the worker reports it as invalid.
	}
}

/** Merges two lists each sorted by input index; on a tie `a` comes first (stable). */
export function mergeByIndex(a: ReadonlyArray<RoutedItem>, b: ReadonlyArray<RoutedItem>): RoutedItem[] {
	const out: RoutedItem[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length || j < b.length) {
		if (j >= b.length || (i < a.length && a[i].index <= b[j].index)) out.push(a[i++]);
		else out.push(b[j++]);
	}
	return out;
}

/** The input item on `invalid`, with why its packed rows cannot be read. */
function brokenItem(json: Record<string, unknown>, index: number, table: string, message: string): RoutedItem {
	const reason = { column: null, value: null, expected: 'packed rows', rule: 'envelope' as const, message };
	return { json: { ...json, [INVALID_FIELD]: { table, reasons: [reason] } }, index };
}

/**
 * Maps one execution's items to `mapper`'s table. Both outputs keep input order. Throws
 * BrokenPackedItemError (unless `continueOnFail`) before anything is mapped.
 */
export async function mapItems(items: ReadonlyArray<{ json: Record<string, unknown> }>, mapper: RowMapper, options: MapItemsOptions): Promise<RoutedItems> {
	const { labels } = options;
	// The sink is set only around synchronous mapping: executions sharing the mapper interleave at awaits.
	const sinking = <T>(run: () => T): T => {
		if (options.unmatched === undefined) return run();
		mapper.unmatchedSink = options.unmatched;
		try {
			return run();
		} finally {
			mapper.unmatchedSink = null;
		}
	};
	if (!items.some((item) => item.json[PACKED_ROWS_FIELD] !== undefined)) return sinking(() => routeItems(items, mapper, labels));

	// Every packed item is checked before any is mapped: a broken one fails the execution up front.
	const table = `${mapper.schema.database}.${mapper.schema.table}`;
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
			if (!options.continueOnFail) throw new BrokenPackedItemError(i, packed.message);
			broken.push(brokenItem(items[i].json, i, table, packed.message));
			// Counted like every other item on the invalid output.
			if (labels.countMetrics !== false) metrics.rowsInvalid.inc({ workflow: labels.workflow, table, rule: 'envelope' });
			continue;
		}
		packedItems.push({ packed, index: i });
	}
	// Handed to the workers first, so they map while this thread maps the ordinary items.
	const pool = sharedPackedPool(options.workerThreads, options.warn);
	const pending = sinking(() => packedItems.map((p) => routePackedParallel(p.packed, mapper, labels, p.index, pool)));
	if (pool !== null && options.unmatched !== undefined) sinking(() => packedItems.forEach((p) => sampleFirstLine(p.packed, mapper)));
	const routed = sinking(() => routeItems(plain, mapper, labels));
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
	return { rows: mergeByIndex(routed.rows, packedRows), invalid: mergeByIndex(routed.invalid, packedInvalid) };
}
