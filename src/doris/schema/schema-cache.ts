/**
 * One schema per (connection, database, table) per process, shared by every node and execution in it.
 *
 * - refresh interval 0: read once, kept until `invalidate()`.
 * - refresh interval > 0: re-read in the background every interval (timer unref'd, so it never keeps
 *   a process alive; `closeSchemaCache()` stops them all). A failed background read keeps the last
 *   good schema and records the error.
 * - `invalidate()`: the next `get()` re-reads. The Stream Load node calls it when Doris refuses a load
 *   for its rows or columns (a column added, retyped or made NOT NULL since the schema was read).
 * - `reread()`: a schema read that began after a given time, waiting when the table's last read began
 *   less than `minIntervalMs` ago; the Doris Schema node calls it when its items hint that the table
 *   changed (drift.ts), so rows are never judged against a schema read before they arrived.
 * Concurrent `get()`s of the same table share one read.
 */
import type { DorisConnection } from '../connection';
import { queryHostOf } from '../mysql';
import { closePackedWorkers } from './packed-worker-pool';
import { readTableSchema } from './reader';
import type { TableSchema } from './types';

/**
 * The Doris Schema node's default Refresh Interval: a minute, what a user who runs ALTER TABLE expects
 * at the latest; it costs one DESC and one SHOW CREATE TABLE (and, for a UNIQUE KEY table, a DESC of its hidden
 * columns) per table and process a minute. Changes
 * that show in the items (new fields, rows a wider column would take, loads Doris refuses) are
 * re-read sooner (drift.ts).
 */
export const DEFAULT_REFRESH_INTERVAL_SECONDS = 60;

export type SchemaReader = (connection: DorisConnection, database: string, table: string) => Promise<TableSchema>;

interface Entry {
	schema: TableSchema | null;
	/** When the read that gave `schema` began (ms since the epoch), 0 before. */
	schemaReadStartedAt: number;
	/** When the latest read began, finished or not: what the re-read rate limit counts from. */
	lastReadStartedAt: number;
	/** When the read in flight began. */
	inflightStartedAt: number;
	stale: boolean;
	inflight: Promise<TableSchema> | null;
	timer: NodeJS.Timeout | null;
	intervalMs: number;
	lastError: Error | null;
	connection: DorisConnection;
	database: string;
	table: string;
	foldedKey: string;
}

/**
 * Database and table keep their case: Doris compares table names case-sensitively unless the cluster
 * was set up otherwise (fe-common Config.java `lower_case_table_names = 0`: "table names are stored as
 * specified and comparisons are case sensitive") and database names always (fe-core
 * datasource/InternalCatalog.java getDbNullable: `fullNameToDb.get(dbName)`, information_schema
 * excepted). Lower-cased, `Users` and `users` (two source tables, two Debezium topics) shared one schema
 * and the rows of one were mapped against the other's columns, their fields dropped. Only the host
 * name, which DNS compares without case, is lower-cased.
 */
function keyOf(connection: DorisConnection, database: string, table: string): string {
	return JSON.stringify([connection.user, queryHostOf(connection).toLowerCase(), connection.queryPort, database, table]);
}

/** The key with database and table lower-cased: the spellings that may be one table (lower_case_table_names 1 / 2). */
function foldedKeyOf(connection: DorisConnection, database: string, table: string): string {
	return keyOf(connection, database.toLowerCase(), table.toLowerCase());
}

export class SchemaCache {
	private readonly entries = new Map<string, Entry>();

	constructor(private readonly reader: SchemaReader = readTableSchema) {}

	async get(connection: DorisConnection, database: string, table: string, refreshIntervalMs = 0): Promise<TableSchema> {
		const key = keyOf(connection, database, table);
		let entry = this.entries.get(key);
		if (entry === undefined) {
			entry = { schema: null, schemaReadStartedAt: 0, lastReadStartedAt: 0, inflightStartedAt: 0, stale: true, inflight: null, timer: null, intervalMs: 0, lastError: null, connection, database, table, foldedKey: foldedKeyOf(connection, database, table) };
			this.entries.set(key, entry);
		}
		entry.connection = connection;
		if (refreshIntervalMs > 0 && (entry.intervalMs === 0 || refreshIntervalMs < entry.intervalMs)) this.schedule(entry, refreshIntervalMs);
		if (entry.schema !== null && !entry.stale) return entry.schema;
		return this.read(entry);
	}

	/**
	 * The next get() re-reads this table, under every spelling read here: on a cluster whose
	 * lower_case_table_names is 1 or 2, `Users` (a Doris Schema node's Table) and `users` (the Stream Load
	 * node's, which saw Doris refuse the load) are one table, and its stale schema must go under both.
	 * Elsewhere this costs at most one extra read of a table whose name differs only in case.
	 */
	invalidate(connection: DorisConnection, database: string, table: string): void {
		const folded = foldedKeyOf(connection, database, table);
		for (const entry of this.entries.values()) if (entry.foldedKey === folded) entry.stale = true;
	}

	/**
	 * The next get() re-reads this table under every connection read here (any user, FE host or port) and
	 * every spelling, as invalidate() does: key facts changed under the Stream Load node's credential while
	 * the Doris Schema node reads the table with another one kept mapping each redelivery with the old schema
	 * (key-facts.ts, late review session 21, S3b). A table of the same name on another cluster costs one
	 * extra read, and this is called only when a table's key facts changed.
	 */
	invalidateTable(database: string, table: string): void {
		const folded = JSON.stringify([database.toLowerCase(), table.toLowerCase()]);
		for (const entry of this.entries.values()) if (JSON.stringify([entry.database.toLowerCase(), entry.table.toLowerCase()]) === folded) entry.stale = true;
	}

	/**
	 * A schema of the table read that began at or after `since` (ms since the epoch): the one in hand
	 * when it did, else the read in flight when it did, else a new read. A new read waits until
	 * `minIntervalMs` after the table's last read began, so items hinting at a change cost at most one
	 * read per table that often, shared by every caller waiting for it. Undefined when the table was
	 * never read here.
	 *
	 * Why wait rather than answer with the schema in hand: rows it refuses (too long for a VARCHAR, a
	 * field without a column) may fit a table changed since, and would be declared invalid though Doris
	 * takes them. A failed read throws for the same reason: the items cannot be judged.
	 */
	async reread(connection: DorisConnection, database: string, table: string, minIntervalMs: number, since = Date.now()): Promise<TableSchema | undefined> {
		const entry = this.entries.get(keyOf(connection, database, table));
		if (entry === undefined) return undefined;
		for (;;) {
			if (entry.schema !== null && entry.schemaReadStartedAt >= since) return entry.schema;
			if (entry.inflight !== null) {
				if (entry.inflightStartedAt >= since) return await entry.inflight;
				// Began before the items arrived: it may miss the change they hint at.
				await entry.inflight.catch(() => undefined);
				continue;
			}
			const waitMs = entry.lastReadStartedAt + minIntervalMs - Date.now();
			if (waitMs <= 0) return await this.read(entry);
			await new Promise((resolve) => setTimeout(resolve, waitMs));
		}
	}

	/** The last background-read error of a table, if its last read failed. */
	lastError(connection: DorisConnection, database: string, table: string): Error | null {
		return this.entries.get(keyOf(connection, database, table))?.lastError ?? null;
	}

	/** Stops every refresh timer and forgets every schema. */
	close(): void {
		for (const entry of this.entries.values()) if (entry.timer !== null) clearInterval(entry.timer);
		this.entries.clear();
	}

	private read(entry: Entry): Promise<TableSchema> {
		if (entry.inflight !== null) return entry.inflight;
		const startedAt = Date.now();
		entry.inflightStartedAt = startedAt;
		entry.lastReadStartedAt = startedAt;
		const p = this.reader(entry.connection, entry.database, entry.table).then(
			(schema) => {
				entry.schema = schema;
				entry.schemaReadStartedAt = startedAt;
				entry.stale = false;
				entry.lastError = null;
				entry.inflight = null;
				return schema;
			},
			(error: unknown) => {
				entry.inflight = null;
				entry.lastError = error as Error;
				throw error;
			},
		);
		entry.inflight = p;
		return p;
	}

	private schedule(entry: Entry, intervalMs: number): void {
		if (entry.timer !== null) clearInterval(entry.timer);
		entry.intervalMs = intervalMs;
		entry.timer = setInterval(() => {
			// Keeps the last good schema on failure; lastError tells why.
			this.read(entry).catch(() => undefined);
		}, intervalMs);
		entry.timer.unref();
	}
}

/** The process-wide cache the nodes use. */
export const schemaCache = new SchemaCache();

export function invalidateSchema(connection: DorisConnection, database: string, table: string): void {
	schemaCache.invalidate(connection, database, table);
}

export function closeSchemaCache(): void {
	schemaCache.close();
	// The Doris Schema node's worker threads (packed-worker-pool.ts) go with the schemas they map with.
	void closePackedWorkers();
}

/**
 * validate_on_start: every column the settings name must exist in the table. Returns the problems
 * (empty when fine) so the caller can word the activation error.
 */
export function missingColumns(schema: TableSchema, names: string[]): string[] {
	const have = new Set(schema.columns.map((c) => c.name.toLowerCase()));
	return names.filter((n) => !have.has(n.trim().toLowerCase()));
}
