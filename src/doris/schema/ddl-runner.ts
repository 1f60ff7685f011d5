/**
 * Runs the DDL of table-design.ts over Doris' MySQL port: every statement is logged with its text and
 * counted in doris_ddl_total{table,kind,status}. Several executions (and, in queue mode, several
 * workers) can ask for the same change at once, so:
 *
 * - per process, changes to one table are made one at a time (a promise chain per table);
 * - CREATE TABLE is `IF NOT EXISTS`: a table another process created meanwhile is kept as it is;
 * - ADD COLUMN first re-reads the table and asks only for the columns still missing, and an
 *   "already exists" refusal (another process was faster) is not a failure: the table is read again
 *   and what it now has counts.
 *
 * Doris applies a light schema change (a value column added to a table with light_schema_change, the
 * default since Doris 2.0 and set by tables the sinker creates) in metadata before the statement
 * returns; a heavy one runs as an alter job afterwards. Either way the change counts as done only
 * when DESC shows the columns (polled, bounded), and the schema cache is refreshed then.
 *
 * Errors: a refusal about the change itself (Doris answered with an error number: bad type, bad
 * name, no privilege, …) is returned as a reason, so the rows it concerns go to the Invalid output
 * with it. A refusal a later attempt can pass (the table is busy with another alter job, the cluster
 * has no backend or disk for it now: isTransientRefusal) throws DdlRetryLaterError, and a Doris that
 * cannot be reached throws: the execution fails, its offsets stay uncommitted and its messages are
 * redelivered after the trigger's backoff.
 */
import type { DorisConnection } from '../connection';
import { DorisQueryError, dorisQuery } from '../mysql';
import { metrics } from '../../metrics/metrics';
import type { ColumnSpec } from './column-types';
import { TableNotFoundError, readTableSchema } from './reader';
import { schemaCache } from './schema-cache';
import { addColumnsStatement, createTableStatement, type TableDesign } from './table-design';
import type { DorisTarget } from './target';
import type { TableSchema } from './types';

export interface DdlLogger {
	info(message: string, meta?: Record<string, unknown>): void;
	warn(message: string, meta?: Record<string, unknown>): void;
}

export type DdlOutcome = { ok: true } | { ok: false; reason: string };

/** Doris refused a DDL for a reason that passes (a busy table, a cluster short of backends): try later. */
export class DdlRetryLaterError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DdlRetryLaterError';
	}
}

/**
 * Doris' DDL refusals that say nothing about the statement, only about the table or cluster now. Every
 * one is a DdlException, so errno 1105 like a refusal of the statement itself: only the text tells them
 * apart.
 * - "Table[t]'s state(SCHEMA_CHANGE) is not NORMAL. Do not allow doing ALTER ops" and "Table[t] is in
 *   atomic restore state. Do not allow doing ALTER ops": another alter job (a heavy schema change, a
 *   rollup) or a restore runs on the table (fe-core catalog/OlapTable.java checkNormalStateForAlter,
 *   called by alter/Alter.java processAlterOlapTable and SchemaChangeHandler.process; Doris 2.1, 3.0,
 *   3.1; 1.x said "state is not NORMAL" without the state).
 * - "System has no available disk capacity or no available BE nodes" (system/SystemInfoService.java
 *   checkAvailableCapacity) and "Failed to find enough backend, please check the replication num, …"
 *   (SystemInfoService.selectBackendIdsForReplicaCreation): backends down, restarting or full.
 * - "unknown table, tableName=…": the table was dropped while the statement waited for its lock
 *   (catalog/Table.java writeLockOrDdlException); the redelivery reads the table again.
 * - a timeout of any kind: nothing about the statement is wrong.
 */
const TRANSIENT_REFUSALS = [/do not allow doing alter ops/i, /no available disk capacity or no available BE nodes/i, /failed to find enough backend/i, /unknown table, tableName=/i, /\btime(d)? ?out\b/i];

export function isTransientRefusal(message: string): boolean {
	return TRANSIENT_REFUSALS.some((pattern) => pattern.test(message));
}

/**
 * What to do when a refusal held as passing may not pass by itself: "Failed to find enough backend"
 * also comes from a cluster with fewer alive backends than the table's replication number (Doris creates
 * tables with replication_num 3 unless told: FeConstants.default_replication_num), where every
 * redelivery fails the same way for ever (review session 20, C3).
 */
export function refusalHint(message: string): string {
	if (/failed to find enough backend/i.test(message)) {
		return ' If the cluster has fewer alive backends than the replication number named above (Doris uses 3 unless told), this will not pass by itself: set Table Properties replication_num (for example 1 on a single-backend cluster) in the Doris Schema node.';
	}
	return '';
}

/** How long a change may take to show in DESC (a heavy schema change is an alter job). */
const VISIBLE_WITHIN_MS = 120_000;
const POLL_MS = 250;

const chains = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier change to the same table in this process has settled. */
function oneAtATime<T>(target: DorisTarget, work: () => Promise<T>): Promise<T> {
	const key = `${target.database}\u0000${target.table}`;
	const previous = chains.get(key) ?? Promise.resolve();
	const next = previous.then(work, work);
	const settled = next.then(
		() => undefined,
		() => undefined,
	);
	chains.set(key, settled);
	void settled.then(() => {
		if (chains.get(key) === settled) chains.delete(key);
	});
	return next;
}

function tableLabel(target: DorisTarget): string {
	return `${target.database}.${target.table}`;
}

type RunOutcome = DdlOutcome | { ok: false; reason: string; retryLater: true };

/**
 * One statement, logged and counted. Resolves with Doris' refusal as a reason (`retryLater` when a
 * later attempt can pass); throws when Doris cannot be asked.
 */
async function runDdl(connection: DorisConnection, target: DorisTarget, kind: 'create_table' | 'add_column', statement: string, logger: DdlLogger | undefined): Promise<RunOutcome> {
	const table = tableLabel(target);
	try {
		await dorisQuery(connection, statement);
	} catch (error) {
		metrics.ddlStatements.inc({ table, kind, status: 'failed' });
		logger?.warn(`Doris refused DDL for ${table}: ${(error as Error).message}`, { table, kind, statement });
		if (!(error instanceof DorisQueryError) || error.errno === undefined) throw error;
		if (isTransientRefusal(error.detail)) {
			return { ok: false, retryLater: true, reason: `Doris refused ${statement.split('\n')[0]}… for now, the execution fails so its messages are redelivered and the change is tried again: ${error.message}.${refusalHint(error.message)}` };
		}
		return { ok: false, reason: `Doris refused ${statement.split('\n')[0]}…: ${error.message}` };
	}
	metrics.ddlStatements.inc({ table, kind, status: 'success' });
	logger?.info(`Doris Schema: ${kind === 'create_table' ? 'created' : 'altered'} table ${table}: ${statement}`, { table, kind, statement });
	return { ok: true };
}

/** Reads the table until `done` says the change shows, up to VISIBLE_WITHIN_MS. */
async function untilVisible(connection: DorisConnection, target: DorisTarget, done: (schema: TableSchema) => boolean): Promise<TableSchema> {
	const deadline = Date.now() + VISIBLE_WITHIN_MS;
	for (;;) {
		try {
			const schema = await readTableSchema(connection, target.database, target.table);
			if (done(schema)) return schema;
		} catch (error) {
			if (!(error instanceof TableNotFoundError)) throw error;
		}
		if (Date.now() > deadline) throw new Error(`Doris table ${tableLabel(target)}: the DDL was accepted but did not show within ${VISIBLE_WITHIN_MS / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, POLL_MS));
	}
}

/** CREATE TABLE IF NOT EXISTS from a design; resolves once the table can be read. */
export function createTable(connection: DorisConnection, design: TableDesign, logger?: DdlLogger): Promise<DdlOutcome> {
	return oneAtATime(design, async () => {
		try {
			await readTableSchema(connection, design.database, design.table);
			return { ok: true } as const;
		} catch (error) {
			if (!(error instanceof TableNotFoundError)) throw error;
		}
		const outcome = await runDdl(connection, design, 'create_table', createTableStatement(design), logger);
		if (outcome.ok) await untilVisible(connection, design, () => true);
		else if ('retryLater' in outcome) throw new DdlRetryLaterError(outcome.reason);
		return outcome;
	});
}

/**
 * ADD COLUMN for those of `columns` the table does not have; resolves once DESC shows every one.
 * Columns of the same name with another type are left alone: nothing is ever retyped.
 */
export function addColumns(connection: DorisConnection, target: DorisTarget, columns: readonly ColumnSpec[], logger?: DdlLogger): Promise<DdlOutcome> {
	return oneAtATime(target, async () => {
		const has = (schema: TableSchema, name: string) => schema.columns.some((c) => c.name.toLowerCase() === name.toLowerCase());
		const current = await readTableSchema(connection, target.database, target.table);
		// In an AGGREGATE KEY table a column added without an aggregation type is a key column (Doris'
		// schema_change regression suites: a FLOAT added so fails with "Float or double can not used as a key").
		if (current.keyModel === 'AGGREGATE') {
			return { ok: false, reason: `table ${tableLabel(target)} is an AGGREGATE KEY table: a new column would need an aggregation type, so schema evolution does not add one` };
		}
		const missing = columns.filter((c) => !has(current, c.name));
		if (missing.length === 0) return { ok: true } as const;
		let outcome = await runDdl(connection, target, 'add_column', addColumnsStatement(target, missing), logger);
		for (let withDefaults = missing.some((c) => c.defaultValue !== undefined); !outcome.ok; withDefaults = false) {
			// Another process may have added them meanwhile ("Can not add column which already exists").
			const now = await readTableSchema(connection, target.database, target.table);
			if (missing.every((c) => has(now, c.name))) return { ok: true } as const;
			if ('retryLater' in outcome) throw new DdlRetryLaterError(outcome.reason);
			if (!withDefaults) return outcome;
			// A source default Doris will not take (a text longer than the column, a literal it reads
			// otherwise): the columns are still added, without it, and the log says which rows read NULL.
			const defaults = missing.filter((c) => c.defaultValue !== undefined).map((c) => `${c.name} DEFAULT ${JSON.stringify(c.defaultValue)}`);
			logger?.warn(
				`Doris refused the source's defaults for ${tableLabel(target)} (${defaults.join(', ')}): the columns are added without them, so rows loaded before this change read NULL there while the source holds the default`,
				{ table: tableLabel(target), defaults },
			);
			outcome = await runDdl(connection, target, 'add_column', addColumnsStatement(target, missing.map(({ defaultValue: _dropped, ...column }) => column)), logger);
		}
		await untilVisible(connection, target, (schema) => missing.every((c) => has(schema, c.name)));
		return outcome;
	});
}

/**
 * The schema of a table a change stream names: read (schema-cache.ts; re-read in the background every
 * `refreshIntervalMs`, 0 = once per process), or, when Doris has no such table and `create` allows it,
 * created from `design()` first. A refusal (no such table and creation off, a design or a CREATE Doris
 * refused) says why, for the Invalid output. The interval applies whether or not tables are created:
 * when it came only with `create`, Map Rows to Tables without Create Missing Tables never re-read a
 * table, so a column added in Doris for a field already flowing stayed empty (the field dropped) and a
 * dropped column kept taking its field under Unknown Fields Reject (Doris then drops the value), for
 * the life of the process.
 */
export async function tableSchemaOrCreate(
	connection: DorisConnection,
	target: DorisTarget,
	refreshIntervalMs: number,
	create: { design: () => TableDesign | { refused: string } } | undefined,
	logger?: DdlLogger,
): Promise<TableSchema | { refused: string }> {
	const read = () => schemaCache.get(connection, target.database, target.table, refreshIntervalMs);
	try {
		return await read();
	} catch (error) {
		if (!(error instanceof TableNotFoundError)) throw error;
		if (create === undefined) return { refused: `Doris table ${tableLabel(target)} does not exist; create it, or turn on Create Missing Tables` };
	}
	const design = create.design();
	if ('refused' in design) return design;
	const created = await createTable(connection, design, logger);
	if (!created.ok) return { refused: created.reason };
	schemaCache.invalidate(connection, target.database, target.table);
	return read();
}
