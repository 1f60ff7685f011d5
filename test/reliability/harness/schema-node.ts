/**
 * The Doris Schema node's part of a pipeline (pipeline.ts), as the node does it without n8n: its
 * activation (the table read with Validate on Start; a bad mapping fails there, as on the node's first
 * run), and the schema each execution maps with: the one in the cache, the drift re-read, and with Add
 * New Columns the DDL, then the table read again.
 */
import type { DorisConnection } from '../../../src/doris/connection';
import { addColumns } from '../../../src/doris/schema/ddl-runner';
import { DEFAULT_MIN_REREAD_MS, type SchemaSource } from '../../../src/doris/schema/drift';
import { resolveSchema } from '../../../src/doris/schema/resolve';
import { DEFAULT_ROW_MAPPER_OPTIONS, rowMapperFor } from '../../../src/doris/schema/row-mapper';
import { schemaCache } from '../../../src/doris/schema/schema-cache';
import type { PipelineSpec } from './pipeline';

export interface SchemaNode {
	/** The schema (as its row mapper) each execution maps with (mapItemsFollowingSchema). */
	source: SchemaSource;
	/** The Stream Load target's onRefused: after Doris refused rows, the table is read again. */
	onRefused: () => void;
}

/** Activates the node on the table `spec` names (and fails as its activation fails). */
export async function activateSchemaNode(connection: DorisConnection, spec: Pick<PipelineSpec, 'database' | 'table' | 'mapper' | 'minRereadMs'>): Promise<SchemaNode> {
	const schema = await resolveSchema({
		connection,
		database: spec.database,
		table: spec.table,
		mode: 'auto',
		manualColumns: [],
		refreshIntervalMs: 0,
		validateOnStart: true,
		namedColumns: [],
	});
	const options = { ...DEFAULT_ROW_MAPPER_OPTIONS, ...spec.mapper };
	rowMapperFor(schema, options); // a bad mapping fails here, as the node's first run does
	// As the Doris Schema node: the schema in the cache at each execution (Refresh Interval 0, so only
	// what the items and Doris' refusals tell makes it re-read), and the drift re-read.
	const request = { connection, database: spec.database, table: spec.table, mode: 'auto' as const, manualColumns: [], refreshIntervalMs: 0, validateOnStart: false, namedColumns: [] };
	const source: SchemaSource = {
		current: async () => rowMapperFor(await resolveSchema(request), options),
		reread: async (since) => {
			const fresh = await schemaCache.reread(connection, spec.database, spec.table, spec.minRereadMs ?? DEFAULT_MIN_REREAD_MS, since);
			return fresh === undefined ? undefined : rowMapperFor(fresh, options);
		},
		// As the node with Add New Columns: the DDL, then the table read again.
		addColumns:
			options.evolve === true
				? async (columns) => {
						const target = { database: spec.database, table: spec.table };
						const outcome = await addColumns(connection, target, columns);
						if (!outcome.ok) return { refused: outcome.reason };
						schemaCache.invalidate(connection, target.database, target.table);
						return rowMapperFor(await schemaCache.get(connection, target.database, target.table, 0), options);
					}
				: undefined,
	};
	return { source, onRefused: () => schemaCache.invalidate(connection, spec.database, spec.table) };
}
