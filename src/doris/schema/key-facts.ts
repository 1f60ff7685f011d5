/**
 * A table dropped and created again under its name while the stream runs (a migration) can come back
 * with another key model or a sequence column, and nothing in the rows says so: same columns, same
 * types, so no drift signal asks for a re-read (drift-signals.ts), and the cached schema stood until
 * the next timed read (Refresh Interval; never at 0, and the Stream Load node sets no timer). Meanwhile
 * a delete mapped for the old UNIQUE KEY table was sent with `hidden_columns: __DORIS_DELETE_SIGN__`,
 * which Doris drops without a word on a DUPLICATE / AGGREGATE KEY table (fe-core Load.initColumns and
 * NereidsLoadScanProvider add a hidden column only when `column != null && !column.isVisible()`; 2.1,
 * 3.0, 3.1): the deleted row loaded as a new row, or was summed in. So before a load that carries the
 * delete sign the Stream Load node asks SHOW CREATE TABLE (one statement) for the key facts now; when
 * they differ from the cached schema's, the schema is read again (and every node sharing the cache
 * maps with it from then on) before the load is judged (tableWithoutDeletes, src/batch/delete-rows.ts).
 * Not seen this way: a UNIQUE KEY table recreated without the hidden delete sign (FE config
 * enable_batch_delete_by_default false), which SHOW CREATE TABLE does not print.
 */
import type { DorisConnection } from '../connection';
import { readCreateTableFacts, type CreateTableFacts } from './reader';
import type { SchemaCache } from './schema-cache';
import type { TableSchema } from './types';

export type CreateTableFactsReader = (connection: DorisConnection, database: string, table: string) => Promise<CreateTableFacts>;

/** Whether the schema's key model, key columns and sequence column are those `facts` give. */
export function sameKeyFacts(schema: TableSchema, facts: CreateTableFacts): boolean {
	const keys = (names: readonly string[]) => names.map((n) => n.toLowerCase()).join(',');
	return (
		schema.keyModel === facts.keyModel &&
		(facts.keyColumns.length === 0 || keys(schema.keyColumns) === keys(facts.keyColumns)) &&
		(schema.sequenceColumn ?? '').toLowerCase() === (facts.sequenceColumn ?? '').toLowerCase() &&
		schema.hasSequenceType === facts.hasSequenceType
	);
}

/** The table's schema, read again first when its key facts are no longer the cached ones. */
export async function schemaWithCurrentKeyFacts(cache: SchemaCache, connection: DorisConnection, database: string, table: string, readFacts: CreateTableFactsReader = readCreateTableFacts): Promise<TableSchema> {
	const cached = await cache.get(connection, database, table);
	if (cached.source === 'manual') return cached;
	if (sameKeyFacts(cached, await readFacts(connection, database, table))) return cached;
	cache.invalidate(connection, database, table);
	return cache.get(connection, database, table);
}
