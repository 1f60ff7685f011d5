/**
 * Finds the schema a Doris Schema node should coerce with, and runs validate_on_start.
 *
 * An n8n action node has no activation hook, so here "on start" is the first run in this process for
 * a given table and settings: that run fails with a message naming what is missing, and later runs skip
 * the check (until the process restarts). Failing activation itself is the Kafka trigger's job, when
 * its "Check Doris Tables on Activation" is on (table-check.ts). Auto mode always needs the table (no schema, nothing to
 * coerce with); validation adds the check that mapped columns exist. Manual mode with validation
 * compares the column list, names and types, with the real table over the MySQL port (turn validation
 * off when that port is unreachable, which is what manual mode is for): a manual type wider than the
 * column's lets values through that Doris then rounds or refuses (manual-types.ts).
 */
import type { DorisConnection } from '../connection';
import { manualSchema, type ManualColumn } from './manual';
import { describeManualTypeProblem, manualTypeProblems } from './manual-types';
import { TableNotFoundError } from './reader';
import { missingColumns, schemaCache, type SchemaCache } from './schema-cache';
import type { TableSchema } from './types';

export interface ResolveRequest {
	connection: DorisConnection;
	database: string;
	table: string;
	mode: 'auto' | 'manual';
	manualColumns: ManualColumn[];
	refreshIntervalMs: number;
	validateOnStart: boolean;
	/** Columns the settings name (field mapping targets). */
	namedColumns: string[];
}

export class SchemaValidationError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SchemaValidationError';
	}
}

const validated = new Set<string>();
const manualSchemas = new Map<string, TableSchema>();

function validationKey(r: ResolveRequest): string {
	return JSON.stringify([r.connection.feUrls[0], r.connection.queryPort, r.database, r.table, r.mode, r.manualColumns, r.namedColumns]);
}

export async function resolveSchema(request: ResolveRequest, cache: SchemaCache = schemaCache): Promise<TableSchema> {
	const { connection, database, table } = request;
	if (database === '') throw new SchemaValidationError('No database: choose one in the node or set a default database in the Doris credential');
	const key = validationKey(request);
	const mustValidate = request.validateOnStart && !validated.has(key);
	let schema: TableSchema;
	if (request.mode === 'manual') {
		let manual = manualSchemas.get(key);
		if (manual === undefined) {
			manual = manualSchema(database, table, request.manualColumns);
			manualSchemas.set(key, manual);
		}
		schema = manual;
		if (mustValidate) {
			let actual: TableSchema;
			try {
				actual = await cache.get(connection, database, table);
			} catch (error) {
				const why = error instanceof TableNotFoundError ? error.message : `could not read it: ${(error as Error).message}`;
				throw new SchemaValidationError(`Validate on start: Doris table ${database}.${table} ${why}. Turn "Validate on Start" off if the MySQL port is unreachable.`);
			}
			const missing = missingColumns(actual, request.manualColumns.map((c) => c.name));
			if (missing.length > 0) {
				throw new SchemaValidationError(`Validate on start: table ${database}.${table} has no column ${missing.map((m) => `"${m}"`).join(', ')} (manual column list)`);
			}
			const mistyped = manualTypeProblems(actual, manual.columns);
			if (mistyped.length > 0) {
				throw new SchemaValidationError(`Validate on start: table ${database}.${table}, manual column list: ${mistyped.map(describeManualTypeProblem).join('; ')}`);
			}
		}
	} else {
		try {
			schema = await cache.get(connection, database, table, request.refreshIntervalMs);
		} catch (error) {
			if (error instanceof TableNotFoundError) throw new SchemaValidationError(`${error.message}. Create it first, or check the database and table names.`);
			throw error;
		}
	}
	if (mustValidate || request.validateOnStart) {
		const missing = missingColumns(schema, request.namedColumns);
		if (missing.length > 0) {
			throw new SchemaValidationError(`Table ${database}.${table} has no column ${missing.map((m) => `"${m}"`).join(', ')} (field mapping)`);
		}
	}
	if (mustValidate) validated.add(key);
	return schema;
}
