/**
 * What tells that a table changed under a running pipeline (ALTER TABLE), read from one table's
 * mapped items (map-targets.ts acts on it):
 * - a field that matches no column, seen for the first time against this read of the schema (ADD
 *   COLUMN: until the schema is re-read the new field is dropped from every row, and a CDC upsert
 *   writes NULL into the new column);
 * - an item invalid for a reason a newer schema may accept (a VARCHAR widened, a column retyped,
 *   made nullable, added): too long, out of range, NOT NULL, unknown field, not a number, ...;
 * - (elsewhere) Doris refusing a load: the Stream Load node marks the schema stale (schema-cache.ts).
 * Then the schema is read again, at most once per table every DEFAULT_MIN_REREAD_MS whatever the
 * cause; an execution asking within that time waits for the next read rather than being judged
 * against a schema read before its items arrived (schema-cache.ts reread), and when the columns
 * differ the items are mapped again with it. Fields that match no column
 * are counted (sinker_fields_unmatched_total) and each name is told once per read of the schema.
 */
import { metrics } from '../../metrics/metrics';
import type { RejectRule } from './coerce-result';
import { INVALID_FIELD, type InvalidInfo, type RouteLabels, type RoutedItem } from './route-items';
import type { TableSchema } from './types';

/**
 * At most one re-read per table this often when the items hint at a change. An execution holding such
 * items waits for the next read (up to this long) rather than being judged against a schema read
 * before it arrived, so this is also the longest such an execution waits: 2 s keeps that short while
 * chronic invalid rows cost Doris' FE at most one DESC and one SHOW CREATE TABLE per table, n8n
 * process and 2 s.
 */
export const DEFAULT_MIN_REREAD_MS = 2_000;

/** Reasons a newer schema may take back: the column is wider, nullable, retyped or new now. */
const SCHEMA_SENSITIVE = new Set<RejectRule>(['too_long', 'not_null', 'range', 'precision', 'not_integer', 'unsafe_integer', 'type', 'unknown_field', 'date_format', 'date_range', 'unsupported']);

/** Field names already seen unmatched against a read of the schema: they trigger no more re-reads. */
const knownUnmatched = new WeakMap<TableSchema, Set<string>>();

/**
 * What a re-read must change for the items to be mapped again: the columns, and the key facts deletes
 * and sequence rules are mapped by (a table recreated with another key model, key-facts.ts).
 */
export function columnsSignature(schema: TableSchema): string {
	const keyFacts = [schema.keyModel, schema.keyColumns, schema.sequenceColumn, schema.hasSequenceType, schema.deleteSign ?? null];
	return JSON.stringify([keyFacts, schema.columns.map((c) => [c.name, c.typeText, c.nullable, c.hasDefault])]);
}

/** Whether the mapped items hint that `schema` is out of date. */
export function suggestsSchemaChange(schema: TableSchema, unmatched: ReadonlyMap<string, number>, invalid: Iterable<RoutedItem>): boolean {
	const seen = knownUnmatched.get(schema);
	for (const name of unmatched.keys()) if (seen === undefined || !seen.has(name)) return true;
	for (const item of invalid) {
		if ((item.json[INVALID_FIELD] as InvalidInfo | undefined)?.reasons.some((r) => SCHEMA_SENSITIVE.has(r.rule)) === true) return true;
	}
	return false;
}

/**
 * Counts the unmatched fields and tells each new name once. `remember`: the schema was read after
 * the names appeared, so they are known not to be columns (else they ask for a re-read next time).
 */
export function reportUnmatched(schema: TableSchema, unmatched: ReadonlyMap<string, number>, remember: boolean, labels: RouteLabels, info?: (message: string) => void): void {
	if (unmatched.size === 0) return;
	const table = `${schema.database}.${schema.table}`;
	let total = 0;
	for (const n of unmatched.values()) total += n;
	metrics.fieldsUnmatched.inc({ workflow: labels.workflow, table }, total);
	if (!remember) return;
	let known = knownUnmatched.get(schema);
	if (known === undefined) knownUnmatched.set(schema, (known = new Set()));
	for (const name of unmatched.keys()) {
		if (known.has(name)) continue;
		if (known.size < 1000) known.add(name);
		info?.(`Doris Schema: field "${name}" matches no column of ${table} (the table was re-read); its value is not loaded`);
	}
}

/** Whether the names were all known unmatched against `schema` (then nothing new to remember). */
export function allKnownUnmatched(schema: TableSchema, unmatched: ReadonlyMap<string, number>): boolean {
	const seen = knownUnmatched.get(schema);
	for (const name of unmatched.keys()) if (seen === undefined || !seen.has(name)) return false;
	return true;
}
