/**
 * Whether a table takes the partial update a Stream Load node is set to send, checked against the
 * schema read over the MySQL port (reader.ts). Doris' own checks, in the FE planner
 * (fe/.../planner/StreamLoadPlanner.java `plan()`), refuse the load at run time; flexible partial
 * update on a cluster without it is worse: Doris 2.1 and 3.0 do not know `unique_key_update_mode`,
 * ignore it and load a full upsert that writes NULL or the default into every column a line lacks.
 * Only a table created or altered with `"enable_unique_key_skip_bitmap_column" = "true"` (a property
 * Doris 3.1 introduced) is safe to send it to, so that property is what is checked.
 */
import type { DorisConnection } from '../connection';
import { schemaCache } from './schema-cache';
import type { TableSchema } from './types';

/**
 * The partial update a node sends. `strictModeSet` (the trigger's activation check): whether its
 * Strict Mode option was added; false is checked against the cluster's release (table-check.ts).
 */
export type PartialUpdateTarget = ({ mode: 'fixed'; columns: string[] } | { mode: 'flexible' }) & { strictModeSet?: boolean };

/** The reasons the table cannot take the partial update (empty when it can). */
export function partialUpdateProblems(schema: TableSchema, update: PartialUpdateTarget): string[] {
	const name = `${schema.database}.${schema.table}`;
	if (schema.keyModel !== null && schema.keyModel !== 'UNIQUE') {
		return [`partial update needs a UNIQUE KEY table with merge-on-write; ${name} is a ${schema.keyModel} KEY table`];
	}
	if (schema.mergeOnWrite === false) {
		return [`partial update needs merge-on-write ("enable_unique_key_merge_on_write" = "true"); ${name} is merge-on-read`];
	}
	if (update.mode === 'flexible') {
		if (schema.skipBitmapColumn === true) return [];
		return [
			`flexible partial update needs Doris 3.1 or later and the table property "enable_unique_key_skip_bitmap_column" = "true" ` +
				`(ALTER TABLE ${name} ENABLE FEATURE "UPDATE_FLEXIBLE_COLUMNS"); without it Doris 2.1 / 3.0 ignore the mode and ` +
				`overwrite every column a row lacks with NULL or its default`,
		];
	}
	// The planner matches the `columns` names with equals(): a key given in another case is missing.
	const listed = new Set(update.columns);
	const keys = schema.keyColumns.length > 0 ? schema.keyColumns : schema.columns.filter((c) => c.isKey).map((c) => c.name);
	const missing = keys.filter((k) => !listed.has(k));
	if (missing.length === 0) return [];
	return [`the partial update columns must include every key column of ${name}; missing ${missing.map((k) => `"${k}"`).join(', ')} (names are case-sensitive)`];
}

/**
 * Throws, naming the table and the reason, when the table cannot take the partial update. Reads the
 * schema through the process's schema cache, so a node pays one read per table, not one per load:
 * without the trigger's activation check this is what keeps a flexible update off a Doris 2.1 / 3.0
 * table, where it would silently become a whole-row upsert.
 */
export async function assertPartialUpdateTarget(connection: DorisConnection, database: string, table: string, update: PartialUpdateTarget): Promise<void> {
	const problems = partialUpdateProblems(await schemaCache.get(connection, database, table), update);
	if (problems.length === 0) return;
	// Read again next time: the table may be altered to take the update without n8n restarting.
	schemaCache.invalidate(connection, database, table);
	throw new Error(`Doris table ${database}.${table}: ${problems.join('; ')}`);
}
