import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { DorisConnection } from '../../../src/doris/connection';
import { SchemaValidationError, resolveSchema } from '../../../src/doris/schema/resolve';
import type { TableSchema } from '../../../src/doris/schema/types';
import { DORIS_CREDENTIAL, toDorisConnection } from '../../shared/credentials';
import { executeGetSchema } from './getSchema.operation';
import { executeMapRows } from './mapRows.operation';
import { readSchemaSettings, type SchemaSettings } from './settings';

export type SchemaContext = Pick<
	IExecuteFunctions,
	'getNodeParameter' | 'getNode' | 'getInputData' | 'getCredentials' | 'getWorkflow' | 'continueOnFail' | 'logger'
>;

/** The schema of the node's own table (Get Schema, and Map Rows with a table that is not an expression). */
export async function loadSchema(ctx: SchemaContext, settings: SchemaSettings, connection: DorisConnection, table = settings.table): Promise<TableSchema | NodeOperationError> {
	try {
		return await resolveSchema({
			connection,
			database: settings.database !== '' ? settings.database : connection.database,
			table,
			mode: settings.mode,
			manualColumns: settings.manualColumns,
			refreshIntervalMs: settings.refreshIntervalMs,
			validateOnStart: settings.operation === 'mapRows' && settings.validateOnStart,
			namedColumns: settings.mapping.map((m) => m.column),
		});
	} catch (error) {
		const description = error instanceof SchemaValidationError ? undefined : 'Reading the table schema over Doris\' MySQL port failed';
		return new NodeOperationError(ctx.getNode(), error as Error, { description });
	}
}

/** Reads the settings once, builds the connection, dispatches to the operation. */
export async function route(ctx: SchemaContext): Promise<INodeExecutionData[][]> {
	const settings = readSchemaSettings(ctx);
	let connection: DorisConnection;
	try {
		connection = toDorisConnection(await ctx.getCredentials(DORIS_CREDENTIAL));
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, { description: 'The Doris credential is not usable' });
	}
	if (settings.operation !== 'getSchema') return executeMapRows(ctx, settings, connection);
	const schema = await loadSchema(ctx, settings, connection);
	if (schema instanceof NodeOperationError) throw schema;
	return executeGetSchema(schema);
}
