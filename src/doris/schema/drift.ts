/**
 * Mapping that follows the table when it changes under a running pipeline (ALTER TABLE): the Doris
 * Schema node calls this instead of mapItems when it reads the schema from Doris.
 *
 * What tells that the table may have changed since its schema was read:
 * - a field that matches no column, seen for the first time against this read of the schema (ADD
 *   COLUMN: until the schema is re-read the new field is dropped from every row, and a CDC upsert
 *   writes NULL into the new column);
 * - an item invalid for a reason a newer schema may accept (a VARCHAR widened, a column retyped,
 *   made nullable, added): too long, out of range, NOT NULL, unknown field, not a number, ...;
 * - Doris refusing a load (the Stream Load node then marks the schema stale, schema-cache.ts).
 * Then the schema is read again, at most once per table every `minRereadMs` (5 s) whatever the cause,
 * and when its columns differ the execution's items are mapped again with it, so nothing is declared
 * invalid, or loaded without a field, by a schema Doris no longer has. The invalid items are counted
 * once, after the last mapping. Fields that match no column are counted
 * (sinker_fields_unmatched_total) and each name is logged once per read of the schema.
 */
import { metrics } from '../../metrics/metrics';
import type { RejectRule } from './coerce-result';
import { mapItems, type MapItemsOptions } from './map-items';
import { countInvalidItems, INVALID_FIELD, type InvalidInfo, type RoutedItems } from './route-items';
import type { RowMapper } from './row-mapper';
import type { TableSchema } from './types';

/** Reasons a newer schema may take back: the column is wider, nullable, retyped or new now. */
const SCHEMA_SENSITIVE = new Set<RejectRule>(['too_long', 'not_null', 'range', 'precision', 'not_integer', 'unsafe_integer', 'type', 'unknown_field', 'date_format', 'date_range', 'unsupported']);

export const DEFAULT_MIN_REREAD_MS = 5_000;

/** Where the mapper comes from: the schema in hand, and a re-read (rate-limited by the source). */
export interface SchemaSource {
	current(): Promise<RowMapper>;
	/** A mapper for a fresh read of the table, or undefined when none was made (too soon, or it failed). */
	reread(): Promise<RowMapper | undefined>;
}

/** Field names already seen unmatched against a read of the schema: they trigger no more re-reads. */
const knownUnmatched = new WeakMap<TableSchema, Set<string>>();

function signature(schema: TableSchema): string {
	return JSON.stringify(schema.columns.map((c) => [c.name, c.typeText, c.nullable, c.hasDefault]));
}

function hasSchemaSensitiveInvalid(routed: RoutedItems): boolean {
	return routed.invalid.some((item) => (item.json[INVALID_FIELD] as InvalidInfo | undefined)?.reasons.some((r) => SCHEMA_SENSITIVE.has(r.rule)) === true);
}

export interface FollowingOptions extends Omit<MapItemsOptions, 'unmatched'> {
	/** Told once per field name and read of the schema: a field that matches no column. */
	info?: (message: string) => void;
}

/** mapItems, re-reading the schema and mapping again when the items hint that the table changed. */
export async function mapItemsFollowingSchema(items: ReadonlyArray<{ json: Record<string, unknown> }>, source: SchemaSource, options: FollowingOptions): Promise<RoutedItems> {
	const quiet = { ...options.labels, countMetrics: false };
	let mapper = await source.current();
	let unmatched = new Map<string, number>();
	let routed = await mapItems(items, mapper, { ...options, labels: quiet, unmatched });
	const seen = knownUnmatched.get(mapper.schema) ?? new Set<string>();
	const fresh = [...unmatched.keys()].some((name) => !seen.has(name));
	// A name is remembered only against a schema read after it appeared: too soon to re-read, it asks again next time.
	let remember = !fresh;
	if (fresh || hasSchemaSensitiveInvalid(routed)) {
		const reread = await source.reread();
		if (reread !== undefined && reread.schema !== mapper.schema) {
			remember = true;
			const changed = signature(reread.schema) !== signature(mapper.schema);
			mapper = reread;
			if (changed) {
				unmatched = new Map();
				routed = await mapItems(items, mapper, { ...options, labels: quiet, unmatched });
			}
		}
	}
	const table = `${mapper.schema.database}.${mapper.schema.table}`;
	countInvalidItems(routed.invalid, options.labels, table);
	if (unmatched.size > 0) {
		let total = 0;
		for (const n of unmatched.values()) total += n;
		metrics.fieldsUnmatched.inc({ workflow: options.labels.workflow, table }, total);
		let known = knownUnmatched.get(mapper.schema);
		if (known === undefined) knownUnmatched.set(mapper.schema, (known = new Set()));
		for (const name of unmatched.keys()) {
			if (known.has(name) || !remember) continue;
			if (known.size < 1000) known.add(name);
			options.info?.(`Doris Schema: field "${name}" matches no column of ${table} (the table was re-read); its value is not loaded`);
		}
	}
	return routed;
}
