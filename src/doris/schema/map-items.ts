/**
 * What the Doris Schema node's "Map Rows to Table" does with one execution's items for one table,
 * without n8n: ordinary items are routed one by one (route-items.ts), packed items (the trigger's "One
 * Item per Batch") as a whole (route-packed.ts, in worker threads when big), and the two are put back
 * in input order on each output. It is map-targets.ts with one table, so the node (which calls
 * mapItemsToTargets) and the reliability harness (which calls mapItems) run the same code.
 *
 * Every input item comes out exactly once: on `rows` (an ordinary item's row, or a packed item with
 * its valid lines) or on `invalid` (with the reasons); each line of a packed item that cannot load
 * becomes its own item on `invalid`.
 */
import type { RowMapper } from './row-mapper';
import { mapItemsToTargets, type MapItemsOptions } from './map-targets';
import type { RoutedItem, RoutedItems } from './route-items';

export { BrokenPackedItemError, type MapItemsOptions } from './map-targets';

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

/**
 * Maps one execution's items to `mapper`'s table. Both outputs keep input order. Throws
 * BrokenPackedItemError (unless `continueOnFail`) before anything is mapped.
 */
export function mapItems(items: ReadonlyArray<{ json: Record<string, unknown> }>, mapper: RowMapper, options: MapItemsOptions): Promise<RoutedItems> {
	const table = { database: mapper.schema.database, table: mapper.schema.table };
	return mapItemsToTargets(
		items,
		{ rules: { database: { kind: 'parameter' }, table: { kind: 'parameter' } }, parameters: () => table, tagTargets: false, mapperFor: async () => mapper },
		options,
	);
}
