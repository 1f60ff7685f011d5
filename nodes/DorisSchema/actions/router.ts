import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { DorisConnection } from '../../../src/doris/connection';
import { SchemaValidationError, resolveSchema } from '../../../src/doris/schema/resolve';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import type { TableSchema } from '../../../src/doris/schema/types';
import { DORIS_CREDENTIAL, toDorisConnection } from '../../shared/credentials';
import { everyItemInvalid } from '../../../src/doris/schema/invalid-items';
import { refuseLossySettingsAtRunTime } from '../../shared/lossy-settings';
import { connectedOutputs, continuesAfterThrow, leadsSomewhere, refuseExecuteOnce } from '../../shared/outputs';
import { executeGetSchema } from './getSchema.operation';
import { executeMapRows } from './mapRows.operation';
import { readSchemaSettings, type SchemaSettings } from './settings';

export type SchemaContext = Pick<
	IExecuteFunctions,
	'getNodeParameter' | 'getNode' | 'getInputData' | 'getCredentials' | 'getWorkflow' | 'continueOnFail' | 'logger' | 'getChildNodes'
> &
	Partial<Pick<IExecuteFunctions, 'getMode' | 'getExecuteData'>>;

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

/** The node's table as the reasons name it, read without failing (the settings may be what failed). */
function tableLabel(ctx: SchemaContext): string {
	const read = (name: string): string => {
		try {
			const value = ctx.getNodeParameter(name, 0, '') as unknown;
			const text = typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value;
			return typeof text === 'string' ? text.trim() : '';
		} catch {
			return '';
		}
	};
	const table = read('table');
	if (table === '') return '';
	const database = read('database');
	return database === '' ? table : `${database}.${table}`;
}

/**
 * Under On Error "Continue" a throw would send the raw input on to Rows, unchecked (see
 * continuesAfterThrow): an execution the node cannot map goes to Invalid whole instead, every item
 * (every line of a packed item) with the reason.
 */
function notMapped(ctx: SchemaContext, error: unknown): INodeExecutionData[][] {
	const message = error instanceof Error ? error.message : String(error);
	const invalid = everyItemInvalid(ctx.getInputData(), tableLabel(ctx), {
		column: null,
		value: null,
		expected: 'an execution the node can map (its settings, the Doris connection, the table)',
		rule: 'schema',
		message: `not mapped: ${message}`,
	});
	return [[], invalid.map((r) => ({ json: r.json as INodeExecutionData['json'], pairedItem: { item: r.index } }))];
}

function itemIndex(item: INodeExecutionData): number {
	return typeof item.pairedItem === 'object' && !Array.isArray(item.pairedItem) ? item.pairedItem.item : 0;
}

/**
 * Under On Error "Continue" with an Invalid output that leads nowhere, failing the execution is no
 * way out (n8n would swallow the error and pass the raw input on to Rows): the invalid items go on
 * to Rows as they are, in input order, still carrying `_invalid`. The Doris Stream Load node refuses
 * such items (src/batch/load-items.ts), which fails the execution there, or, under its own
 * "Continue", sends them where its failures go.
 */
function invalidOnRowsWhenLeadingNowhere(ctx: SchemaContext, outputs: INodeExecutionData[][]): INodeExecutionData[][] {
	const [rows = [], invalid = []] = outputs;
	if (invalid.length === 0 || ctx.getMode?.() === 'manual' || leadsSomewhere(connectedOutputs(ctx), INVALID_OUTPUT)) return outputs;
	const merged = [...rows.map((item, k) => ({ item, k })), ...invalid.map((item, k) => ({ item, k: rows.length + k }))];
	merged.sort((a, b) => itemIndex(a.item) - itemIndex(b.item) || a.k - b.k);
	return [merged.map((m) => m.item), []];
}

/** Reads the settings once, builds the connection, dispatches to the operation. */
export async function route(ctx: SchemaContext): Promise<INodeExecutionData[][]> {
	const getSchema = ctx.getNodeParameter('operation', 0, 'mapRows') === 'getSchema';
	if (!getSchema) {
		// A setting that loses rows, in a workflow the Kafka trigger never checked (a sub-workflow).
		refuseLossySettingsAtRunTime(ctx);
		// Map Rows with Execute Once would map the first row only, the others dropped by n8n.
		refuseExecuteOnce(ctx);
	}
	// Get Schema hands no rows on: a throw stops it as any node.
	if (!continuesAfterThrow(ctx) || getSchema) {
		const settings = readSchemaSettings(ctx);
		const connection = await connectionOf(ctx);
		if (settings.operation !== 'getSchema') return refuseInvalidLeadingNowhere(ctx, await executeMapRows(ctx, settings, connection));
		const schema = await loadSchema(ctx, settings, connection);
		if (schema instanceof NodeOperationError) throw schema;
		return executeGetSchema(schema);
	}
	let outputs: INodeExecutionData[][];
	try {
		const settings = readSchemaSettings(ctx);
		outputs = await executeMapRows(ctx, settings, await connectionOf(ctx));
	} catch (error) {
		outputs = notMapped(ctx, error);
	}
	return invalidOnRowsWhenLeadingNowhere(ctx, outputs);
}

async function connectionOf(ctx: SchemaContext): Promise<DorisConnection> {
	try {
		return toDorisConnection(await ctx.getCredentials(DORIS_CREDENTIAL));
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, { description: 'The Doris credential is not usable' });
	}
}
