/**
 * validate_on_start at workflow activation: the tables (and named columns) a workflow writes to must
 * exist before its trigger starts consuming. The Kafka trigger collects the targets of the Doris nodes
 * downstream of it and calls `validateTargets`; an error then fails the activation, so a typo in a
 * table or column name is reported when the workflow is published, not on the first Kafka message.
 *
 * Each distinct table is read once, fresh (not from the schema cache: a table created or altered
 * since the last read must pass now), over Doris' MySQL port with the auto-mode reader. A successful
 * read also marks the process's cached schema of that table stale, so a Doris Schema node running in
 * this process re-reads what activation just checked instead of a schema from before an ALTER.
 */
import type { DorisConnection } from '../connection';
import { queryHostOf } from '../mysql';
import { partialUpdateProblems, type PartialUpdateTarget } from './partial-update';
import { TableNotFoundError, readTableSchema } from './reader';
import { invalidateSchema, missingColumns, type SchemaReader } from './schema-cache';
import type { TableSchema } from './types';

export interface TargetColumn {
	/** The Doris column the node writes. */
	column: string;
	/** Why the node names it, shown in parentheses (e.g. `mapped from field "uid"`, `manual column list`). */
	from?: string;
}

export interface ValidationTarget {
	/** Names the node in messages, e.g. `Doris Schema node "Map rows"`. */
	label: string;
	/** '' = the connection's default database. */
	database: string;
	table: string;
	columns?: TargetColumn[];
	/** The partial update the node sends: the table must take it (partial-update.ts). */
	partialUpdate?: PartialUpdateTarget;
}

export type TargetProblemKind = 'noDatabase' | 'missingTable' | 'missingColumns' | 'partialUpdate' | 'unreadable';

export interface TargetProblem {
	kind: TargetProblemKind;
	label: string;
	database: string;
	table: string;
	missing: TargetColumn[];
	message: string;
}

export class TargetValidationError extends Error {
	constructor(readonly problems: TargetProblem[]) {
		super(problems.map((p) => p.message).join('; '));
		this.name = 'TargetValidationError';
	}
}

type ReadResult = { schema: TableSchema } | { error: unknown };

function quoteList(columns: TargetColumn[]): string {
	return columns.map((c) => `"${c.column}"${c.from ? ` (${c.from})` : ''}`).join(', ');
}

/**
 * The problems of every target (empty when all are fine). Never throws for a problem of a target;
 * a connection failure is reported per target as `unreadable`, naming the MySQL host:port.
 */
export async function findTargetProblems(
	connection: DorisConnection,
	targets: ValidationTarget[],
	reader: SchemaReader = readTableSchema,
): Promise<TargetProblem[]> {
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
		targets.map(async (target): Promise<TargetProblem | null> => {
			const database = target.database !== '' ? target.database : connection.database;
			const table = target.table;
			const problem = (kind: TargetProblemKind, message: string, missing: TargetColumn[] = []): TargetProblem => ({
				kind,
				label: target.label,
				database,
				table,
				missing,
				message: `${target.label}: ${message}`,
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
			const columns = target.columns ?? [];
			const absent = new Set(missingColumns(result.schema, columns.map((c) => c.column)));
			const missing = columns.filter((c) => absent.has(c.column));
			if (missing.length > 0) {
				const noun = missing.length === 1 ? 'column' : 'columns';
				return problem('missingColumns', `table ${database}.${table} has no ${noun} ${quoteList(missing)}`, missing);
			}
			const partial = target.partialUpdate === undefined ? [] : partialUpdateProblems(result.schema, target.partialUpdate);
			return partial.length === 0 ? null : problem('partialUpdate', partial.join('; '));
		}),
	);
	return problems.filter((p): p is TargetProblem => p !== null);
}

/** Throws a TargetValidationError listing every problem, or resolves when all targets are fine. */
export async function validateTargets(connection: DorisConnection, targets: ValidationTarget[], reader?: SchemaReader): Promise<void> {
	const problems = await findTargetProblems(connection, targets, reader);
	if (problems.length > 0) throw new TargetValidationError(problems);
}
