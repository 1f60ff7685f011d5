/**
 * Mapping that follows the table when it changes under a running pipeline, for one table given by
 * its schema source (the reliability harness and tests; the Doris Schema node does the same through
 * mapItemsToTargets with a `reread`). The signals and what they cost: drift-signals.ts.
 */
import type { ColumnSpec } from './column-types';
import { mapItemsToTargets, type MapItemsOptions } from './map-targets';
import type { RoutedItems } from './route-items';
import type { RowMapper } from './row-mapper';
import type { TargetRefusal } from './target';

export { DEFAULT_MIN_REREAD_MS } from './drift-signals';

/** Where the mapper comes from: the schema in hand, and a re-read (rate-limited by the source). */
export interface SchemaSource {
	current(): Promise<RowMapper>;
	/** A mapper for a read of the table begun at or after `since`, or undefined when none can be made (TargetMapping.reread). */
	reread(since: number): Promise<RowMapper | undefined>;
	/** Schema evolution (TargetMapping.addColumns); absent: off. */
	addColumns?(columns: ColumnSpec[]): Promise<RowMapper | TargetRefusal>;
}

/** mapItems for the source's table, re-reading its schema and mapping again when the items hint that it changed. */
export async function mapItemsFollowingSchema(items: ReadonlyArray<{ json: Record<string, unknown> }>, source: SchemaSource, options: MapItemsOptions): Promise<RoutedItems> {
	const mapper = await source.current();
	const table = { database: mapper.schema.database, table: mapper.schema.table };
	return mapItemsToTargets(
		items,
		{
			rules: { database: { kind: 'parameter' }, table: { kind: 'parameter' } },
			parameters: () => table,
			tagTargets: false,
			mapperFor: async () => mapper,
			reread: (_target, since) => source.reread(since),
			addColumns: source.addColumns === undefined ? undefined : (_target, columns) => (source.addColumns as NonNullable<SchemaSource['addColumns']>)(columns),
		},
		options,
	);
}
