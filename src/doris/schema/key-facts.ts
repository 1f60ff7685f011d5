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
 *
 * Rows the Doris Schema node mapped for the old table are not judged again by that: a delete mapped
 * before the table had a `function_column.sequence_col` was never asked for its sequence value
 * (delete_sequence), loads with none, and Doris ignores a delete whose sequence value is below the
 * stored row's (late review session 20, S3). So the Doris Schema node marks each delete it maps with
 * the table and key facts it mapped it for (`_doris.keyFacts`, `packedRows.doris.keyFacts`: keyFactsMark), and
 * when SHOW CREATE TABLE now says other facts and the table is still UNIQUE KEY the execution fails
 * naming the table and the change (KeyFactsChangedError): the Kafka trigger delivers it again and the
 * Doris Schema node maps it with the table as it is. The mark is compared, not the cache: another
 * execution may have re-read the cache since these rows were mapped (the first to fail invalidates it),
 * and the rows would then have looked current. Not failed when the table is no longer UNIQUE KEY: every
 * delete of the load is then taken out (delete_unsupported) whatever it was mapped for, and for the other
 * rows a table that is not UNIQUE KEY has no sequence column and no delete sign, the only key facts the
 * Doris Schema node maps a row that is not a delete by, so mapping them again would change nothing.
 *
 * The mark names the table it was mapped for ("d.t: UNIQUE KEY(id), no sequence column"): a Doris Schema
 * node mapping for one table (d.a) and a Stream Load node loading into another (d.b, an expression) whose
 * key facts differ failed, before, with "Table d.b changed", at every delivery, though nothing changed
 * (late review session 21, S3c). Refusing stays right (a delete lacking d.b's sequence value would be
 * ignored), but the error now says the rows were mapped for d.a (KeyFactsOfAnotherTableError).
 *
 * The stale schema is marked under every connection (SchemaCache.invalidateTable): the Doris Schema node
 * may read the table with another credential or FE host than the Stream Load node, and with only the
 * Stream Load node's entry marked each redelivery was mapped with the same old schema and failed again,
 * for ever with Refresh Interval 0 (late review session 21, S3b).
 *
 * Not seen this way: a UNIQUE KEY table recreated without the hidden delete sign (FE config
 * enable_batch_delete_by_default false), which SHOW CREATE TABLE does not print; rows no Doris Schema
 * node of this version marked (a producer of one's own, a Code node that rebuilt the items), which are
 * judged against the cached schema as before; and loads without deletes (a sequence column added by the
 * recreate), which follow the table at the next read of the schema.
 */
import type { DorisConnection } from '../connection';
import { DELETE_SIGN_COLUMN, DORIS_FIELD, PACKED_ROWS_FIELD, type DorisItemInfo, type PackedRows } from '../../common/item-contract';
import { readCreateTableFacts, type CreateTableFacts } from './reader';
import type { SchemaCache } from './schema-cache';
import type { TableSchema } from './types';

export type CreateTableFactsReader = (connection: DorisConnection, database: string, table: string) => Promise<CreateTableFacts>;

type KeyFacts = Pick<CreateTableFacts, 'keyModel' | 'keyColumns' | 'sequenceColumn' | 'hasSequenceType'>;

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

/**
 * Key facts as the error names them: "UNIQUE KEY(id), sequence column updated_at". Compared without case
 * (Doris column names ignore it, fe-core catalog/Table.java nameToColumn CASE_INSENSITIVE_ORDER).
 */
export function keyFactsText(facts: KeyFacts): string {
	const sequence = facts.sequenceColumn !== null ? `sequence column ${facts.sequenceColumn}` : facts.hasSequenceType ? 'hidden sequence column (function_column.sequence_type)' : 'no sequence column';
	return `${facts.keyModel ?? 'unknown'} KEY(${facts.keyColumns.join(', ')}), ${sequence}`;
}

/**
 * The mark the Doris Schema node writes on a delete: the table it mapped it for and that table's key facts,
 * "d.t: UNIQUE KEY(id), sequence column updated_at".
 */
export function keyFactsMark(schema: TableSchema): string {
	return `${schema.database}.${schema.table}: ${keyFactsText(schema)}`;
}

/**
 * A mark read back: the table (undefined for a mark without one) and its key facts. Split at the first
 * ": ", which no Doris database or table name holds (fe-core common/FeNameFormat.java: letters, digits,
 * `_`, `-`, and letters of any script with enable_unicode_name_support), while a column name may.
 */
export function readKeyFactsMark(mark: string): { table: string | undefined; facts: string } {
	const at = mark.indexOf(': ');
	const table = at > 0 ? mark.slice(0, at) : undefined;
	// "UNIQUE KEY(a: b), …": a mark without a table whose key column holds ": " (never one this version writes).
	if (table === undefined || table.includes('(')) return { table: undefined, facts: mark };
	return { table, facts: mark.slice(at + 2) };
}

/**
 * Marks a row the Doris Schema node mapped from `schema` with its key facts when it is a delete (sign 1),
 * on the item or on a packed item whose lines carry the sign. Only deletes: the mark is for the load that
 * carries them (the only one that reads the facts again), and one more field on every row would cost n8n
 * on every item.
 */
export function markKeyFacts(json: Record<string, unknown>, schema: TableSchema): void {
	if (schema.source !== 'auto' || schema.keyModel === null) return;
	const packed: unknown = json[PACKED_ROWS_FIELD];
	if (typeof packed === 'object' && packed !== null) {
		const rows = packed as PackedRows;
		if (rows.deleteSign === true) rows.doris = { ...rows.doris, keyFacts: keyFactsMark(schema) };
		return;
	}
	if (json[DELETE_SIGN_COLUMN] !== 1) return;
	json[DORIS_FIELD] = { ...(json[DORIS_FIELD] as DorisItemInfo | undefined), keyFacts: keyFactsMark(schema) };
}

/** The key facts the items' deletes were mapped for (their marks), each once. */
export function keyFactsMarksOf(items: ReadonlyArray<{ json: Record<string, unknown> }>): Set<string> {
	const marks = new Set<string>();
	for (const { json } of items) {
		const packed: unknown = json[PACKED_ROWS_FIELD];
		const info: unknown = typeof packed === 'object' && packed !== null ? (packed as PackedRows).doris : json[DORIS_FIELD];
		const mark = typeof info === 'object' && info !== null ? (info as DorisItemInfo).keyFacts : undefined;
		if (typeof mark === 'string' && mark !== '') marks.add(mark);
	}
	return marks;
}

/** The deletes of a load were mapped for other key facts than the table's now: nothing of the execution is loaded. */
export abstract class KeyFactsMismatchError extends Error {
	constructor(
		readonly table: string,
		readonly mappedFor: readonly string[],
		readonly now: string,
		message: string,
	) {
		super(message);
	}
}

/** The rows of a load were mapped for key facts the table no longer has: the execution fails and is delivered again. */
export class KeyFactsChangedError extends KeyFactsMismatchError {
	constructor(table: string, mappedFor: readonly string[], now: string) {
		super(
			table,
			mappedFor,
			now,
			`Table ${table} changed since this execution's rows were mapped: they were mapped for ${mappedFor.join(' / ')}, and SHOW CREATE TABLE now says ${now} (the table was dropped and created again, or altered). ` +
				'Loaded as mapped, a delete lacking the new sequence column\'s value would be ignored by Doris and the row stay, so nothing of this execution is loaded: it fails and is delivered again, and the Doris Schema node maps it with the table as it is now',
		);
		this.name = 'KeyFactsChangedError';
	}
}

/**
 * The deletes of a load were mapped for another table (`mappedFor`: "d.a: UNIQUE KEY(id), …") whose key facts
 * differ from those of the table loaded into: a delivery again fails the same way, until the nodes agree.
 */
export class KeyFactsOfAnotherTableError extends KeyFactsMismatchError {
	constructor(table: string, mappedFor: readonly string[], now: string) {
		const tables = [...new Set(mappedFor.map((mark) => readKeyFactsMark(mark).table))].join(', ');
		super(
			table,
			mappedFor,
			now,
			`Table ${table}: this execution's deletes were mapped by the Doris Schema node for another table, ${mappedFor.join(' / ')}, and this node loads them into ${table}, whose key facts differ: SHOW CREATE TABLE says ${now}. ` +
				`Loaded so, a delete would go without what ${table}'s key columns and sequence column ask for, and Doris would ignore it (the row stays), so nothing of this execution is loaded, and every delivery fails the same way: ` +
				`let the Doris Schema node map for ${table} (or use its Map Rows to Tables with Table From "Each Row's Table"), or load into ${tables}`,
		);
		this.name = 'KeyFactsOfAnotherTableError';
	}
}

/**
 * The table's schema, read again first when its key facts are no longer the cached ones. `mappedFor`:
 * the marks of the load's deletes (keyFactsMarksOf); when one differs from the facts now and the table
 * is still UNIQUE KEY, throws after marking the table's cached schemas stale: KeyFactsChangedError for
 * marks of this table, KeyFactsOfAnotherTableError for marks of another (names compared without case, as
 * the cache does: one table on a cluster with lower_case_table_names 1 or 2).
 */
export async function schemaWithCurrentKeyFacts(
	cache: SchemaCache,
	connection: DorisConnection,
	database: string,
	table: string,
	mappedFor: ReadonlySet<string> = new Set(),
	readFacts: CreateTableFactsReader = readCreateTableFacts,
): Promise<TableSchema> {
	const cached = await cache.get(connection, database, table);
	if (cached.source === 'manual') return cached;
	const facts = await readFacts(connection, database, table);
	const now = keyFactsText(facts);
	const here = `${database}.${table}`;
	const differing = [...mappedFor].filter((mark) => readKeyFactsMark(mark).facts.toLowerCase() !== now.toLowerCase());
	if (differing.length === 0 && sameKeyFacts(cached, facts)) return cached;
	// Every connection's entry: the Doris Schema node may read with another credential or FE host (S3b).
	cache.invalidateTable(database, table);
	if (differing.length > 0 && facts.keyModel === 'UNIQUE') {
		const elsewhere = differing.filter((mark) => {
			const mappedTable = readKeyFactsMark(mark).table;
			return mappedTable !== undefined && mappedTable.toLowerCase() !== here.toLowerCase();
		});
		if (elsewhere.length > 0) throw new KeyFactsOfAnotherTableError(here, elsewhere, now);
		throw new KeyFactsChangedError(here, differing.map((mark) => readKeyFactsMark(mark).facts), now);
	}
	return cache.get(connection, database, table);
}
