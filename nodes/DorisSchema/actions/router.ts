import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { DorisConnection } from '../../../src/doris/connection';
import { SchemaValidationError, resolveSchema } from '../../../src/doris/schema/resolve';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import type { TableSchema } from '../../../src/doris/schema/types';
import { DORIS_CREDENTIAL, toDorisConnection } from '../../shared/credentials';
import { connectedOutputs, leadsSomewhere } from '../../shared/outputs';
import { executeGetSchema } from './getSchema.operation';
import { executeMapRows } from './mapRows.operation';
import { readSchemaSettings, type SchemaSettings } from './settings';

export type SchemaContext = Pick<
	IExecuteFunctions,
	'getNodeParameter' | 'getNode' | 'getInputData' | 'getCredentials' | 'getWorkflow' | 'continueOnFail' | 'logger' | 'getChildNodes'
> &
	Partial<Pick<IExecuteFunctions, 'getMode'>>;

const INVALID_OUTPUT = 1;

/**
 * Items on the Invalid output of a node whose Invalid output connects to nothing would be dropped by
 * n8n without a trace, and their offsets committed: the execution fails instead, saying so. (A run
 * from the editor shows the output, so nothing is lost there.)
 */
function refuseInvalidLeadingNowhere(ctx: SchemaContext, outputs: INodeExecutionData[][]): INodeExecutionData[][] {
	const invalid = outputs[INVALID_OUTPUT] ?? [];
	if (invalid.length === 0 || ctx.getMode?.() === 'manual' || leadsSomewhere(connectedOutputs(ctx), INVALID_OUTPUT)) return outputs;
	const first = (invalid[0].json[INVALID_FIELD] as InvalidInfo | undefined)?.reasons[0];
	throw new NodeOperationError(
		ctx.getNode(),
		`${invalid.length} item(s) cannot load (first: ${first?.message ?? 'see the reasons'}) and the Invalid output leads nowhere, so they would be lost`,
		{
			itemIndex: typeof invalid[0].pairedItem === 'object' && !Array.isArray(invalid[0].pairedItem) ? invalid[0].pairedItem.item : undefined,
			description:
				'Connect the Invalid output: to a dead-letter branch (for example a Kafka topic), or to a No Operation node to drop such items on purpose. The execution fails until then, so the Kafka trigger commits nothing past these items.',
		},
	);
}

/** The schema of the node's own table (Get Schema, and Map Rows for each table it maps into). */
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
	if (settings.operation !== 'getSchema') return refuseInvalidLeadingNowhere(ctx, await executeMapRows(ctx, settings, connection));
	const schema = await loadSchema(ctx, settings, connection);
	if (schema instanceof NodeOperationError) throw schema;
	return executeGetSchema(schema);
}
