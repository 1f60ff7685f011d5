/**
 * validate_on_start at workflow activation: the tables (and named columns) a workflow writes to must
 * exist before its trigger starts consuming. The Kafka trigger collects the tables of the Doris nodes
 * downstream of it and calls `checkTables`; an error then fails the activation, so a typo in a
 * table or column name is reported when the workflow is published, not on the first Kafka message.
 *
 * Each distinct table is read once, fresh (not from the schema cache: a table created or altered
 * since the last read must pass now), over Doris' MySQL port with the auto-mode reader. A successful
 * read also marks the process's cached schema of that table stale, so a Doris Schema node running in
 * this process re-reads what activation just checked instead of a schema from before an ALTER.
 */
import type { DorisConnection } from '../connection';
import { queryHostOf } from '../mysql';
import { manualSchema } from './manual';
import { describeManualTypeProblem, manualTypeProblems } from './manual-types';
import { opaqueColumnProblems, type LoadColumns } from './opaque-columns';
import { partialUpdateProblems, type PartialUpdateTarget } from './partial-update';
import { partialUpdateRefusal } from '../stream-load/strict-mode';
import { dorisRelease } from '../version';
import { TableNotFoundError, readTableSchema } from './reader';
import { invalidateSchema, missingColumns, type SchemaReader } from './schema-cache';
import type { TableSchema } from './types';

export interface ColumnToCheck {
	/** The Doris column the node writes. */
	column: string;
	/** Why the node names it, shown in parentheses (e.g. `mapped from field "uid"`, `manual column list`). */
	from?: string;
	/** The type a manual column list gives it: it must hold no value the real column changes (manual-types.ts). */
	manualType?: string;
}

export interface TableToCheck {
	/** Names the node in messages, e.g. `Doris Schema node "Map rows"`. */
	label: string;
	/** '' = the connection's default database. */
	database: string;
	table: string;
	columns?: ColumnToCheck[];
	/** The partial update the node sends: the table must take it (partial-update.ts). */
	partialUpdate?: PartialUpdateTarget;
	/** The Columns a Stream Load node sends: the table's HLL / BITMAP / … columns need an expression there (opaque-columns.ts). */
	loadColumns?: LoadColumns;
}

export type TableProblemKind = 'noDatabase' | 'missingTable' | 'missingColumns' | 'manualTypes' | 'partialUpdate' | 'opaqueColumns' | 'unreadable';

export interface TableProblem {
	kind: TableProblemKind;
	label: string;
	database: string;
	table: string;
	missing: ColumnToCheck[];
	message: string;
}

export class TableCheckError extends Error {
	constructor(readonly problems: TableProblem[]) {
		super(problems.map((p) => p.message).join('; '));
		this.name = 'TableCheckError';
	}
}

type ReadResult = { schema: TableSchema } | { error: unknown };

function quoteList(columns: ColumnToCheck[]): string {
	return columns.map((c) => `"${c.column}"${c.from ? ` (${c.from})` : ''}`).join(', ');
}

/**
 * The problems of every table (empty when all are fine). Never throws for a problem of a table;
 * a connection failure is reported per table as `unreadable`, naming the MySQL host:port.
 */
export async function findTableProblems(
	connection: DorisConnection,
	tables: TableToCheck[],
	reader: SchemaReader = readTableSchema,
): Promise<TableProblem[]> {
	const reads = new Map<string, Promise<ReadResult>>();
	const read = (database: string, table: string): Promise<ReadResult> => {
		const key = JSON.stringify([database, table]);
		let pending = reads.get(key);
		if (pending === undefined) {
			pending = reader(connection, database, table).then(
				(schema) => {
					invalidateSchema(connection, database, table);
					return { schema };
				},
				(error: unknown) => ({ error }),
			);
			reads.set(key, pending);
		}
		return pending;
	};
	const where = `Doris' MySQL port ${queryHostOf(connection)}:${connection.queryPort}`;

	const problems = await Promise.all(
		tables.map(async (check): Promise<TableProblem | null> => {
			const database = check.database !== '' ? check.database : connection.database;
			const table = check.table;
			const problem = (kind: TableProblemKind, message: string, missing: ColumnToCheck[] = []): TableProblem => ({
				kind,
				label: check.label,
				database,
				table,
				missing,
				message: `${check.label}: ${message}`,
			});
			if (database === '') {
				return problem('noDatabase', `table "${table}" has no database: choose one in the node or set a default database in the trigger's Doris credential`);
			}
			const result = await read(database, table);
			if ('error' in result) {
				if (result.error instanceof TableNotFoundError) return problem('missingTable', `table ${database}.${table} does not exist (checked over ${where})`);
				const why = (result.error as Error).message;
				// The query errors name host:port already (src/doris/mysql.ts); others get it added.
				return problem('unreadable', `could not read table ${database}.${table}: ${why.includes(`:${connection.queryPort}`) ? why : `${where}: ${why}`}`);
			}
			const columns = check.columns ?? [];
			const absent = new Set(missingColumns(result.schema, columns.map((c) => c.column)));
			const missing = columns.filter((c) => absent.has(c.column));
			if (missing.length > 0) {
				const noun = missing.length === 1 ? 'column' : 'columns';
				return problem('missingColumns', `table ${database}.${table} has no ${noun} ${quoteList(missing)}`, missing);
			}
			const mistyped = manualTypesOf(columns);
			if (typeof mistyped === 'string') return problem('manualTypes', `manual column list: ${mistyped}`);
			const typeProblems = manualTypeProblems(result.schema, mistyped);
			if (typeProblems.length > 0) return problem('manualTypes', `table ${database}.${table}, manual column list: ${typeProblems.map(describeManualTypeProblem).join('; ')}`);
			const partial = check.partialUpdate === undefined ? [] : partialUpdateProblems(result.schema, check.partialUpdate);
			if (partial.length > 0) return problem('partialUpdate', partial.join('; '));
			if (check.partialUpdate?.strictModeSet === false) {
				// Before Doris 3.1 such a node fails every execution (stream-load/strict-mode.ts): refused now.
				const refusal = await dorisRelease(connection).then(
					(read) => partialUpdateRefusal(read, false),
					(error: unknown) => `could not read the Doris release (${(error as Error).message})`,
				);
				if (refusal !== undefined) return problem('partialUpdate', refusal);
			}
			const opaque = check.loadColumns === undefined ? [] : opaqueColumnProblems(result.schema, check.loadColumns);
			return opaque.length === 0 ? null : problem('opaqueColumns', `table ${database}.${table}: ${opaque.join('; ')}`);
		}),
	);
	return problems.filter((p): p is TableProblem => p !== null);
}

/** The typed manual columns, parsed as the Doris Schema node parses them; a message when one does not parse. */
function manualTypesOf(columns: ColumnToCheck[]): ReturnType<typeof manualSchema>['columns'] | string {
	const typed = columns.filter((c) => c.manualType !== undefined && c.manualType !== '');
	if (typed.length === 0) return [];
	try {
		return manualSchema('', '', typed.map((c) => ({ name: c.column, type: c.manualType ?? '' }))).columns;
	} catch (error) {
		return (error as Error).message;
	}
}

/** Throws a TableCheckError listing every problem, or resolves when all tables are fine. */
export async function checkTables(connection: DorisConnection, tables: TableToCheck[], reader?: SchemaReader): Promise<void> {
	const problems = await findTableProblems(connection, tables, reader);
	if (problems.length > 0) throw new TableCheckError(problems);
}
