import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DORIS_FIELD, looksLikeAnN8nErrorItem } from '../../../src/common/item-contract';
import type { DorisConnection } from '../../../src/doris/connection';
import type { ColumnSpec } from '../../../src/doris/schema/column-types';
import { addColumns, tableSchemaOrCreate, type DdlLogger } from '../../../src/doris/schema/ddl-runner';
import { DEFAULT_MIN_REREAD_MS } from '../../../src/doris/schema/drift-signals';
import { BrokenPackedItemError } from '../../../src/doris/schema/map-items';
import { mapItemsToTargets, type TargetMapping } from '../../../src/doris/schema/map-targets';
import type { RoutedItem } from '../../../src/doris/schema/route-items';
import { rowMapperFor, type RowMapper, type RowMapperOptions, type SequenceInPartialUpdate } from '../../../src/doris/schema/row-mapper';
import { schemaCache } from '../../../src/doris/schema/schema-cache';
import { sequenceInPartialUpdate } from '../../../src/doris/schema/sequence-partial-update';
import { designTableFrom, type CreateOptions } from '../../../src/doris/schema/table-design';
import { isFixedTarget, type DorisTarget } from '../../../src/doris/schema/target';
import type { TableSchema } from '../../../src/doris/schema/types';
import { targetIsExpression, targetNameFor } from '../../shared/item-parameters';
import { continuesAfterThrow, workflowGraphOf } from '../../shared/outputs';
import { loadSchema, type SchemaContext } from './router';
import type { SchemaSettings } from './settings';

function toOutput(r: RoutedItem): INodeExecutionData {
	return { json: r.json as INodeExecutionData['json'], pairedItem: { item: r.index } };
}

/**
 * A mapped row as n8n would take it for an error (looksLikeAnN8nErrorItem) gets an empty `_doris`,
 * which the Doris Stream Load node never loads: without it, under On Error "Continue (using error
 * output)" n8n moved the row off Rows to the error output.
 */
function rowToOutput(r: RoutedItem): INodeExecutionData {
	const item = toOutput(r);
	if (looksLikeAnN8nErrorItem(item.json)) item.json = { ...item.json, [DORIS_FIELD]: {} };
	return item;
}

/**
 * The mapper options for one table: with several tables, Field Mapping and Epoch Unit per Column apply
 * to the tables that have the column (a table without it simply has nothing to map there).
 * `partialUpdate`: what the Doris Stream Load nodes downstream leave Doris of the table's sequence column.
 */
function mapperOptions(settings: SchemaSettings, schema: TableSchema, severalTables: boolean, partialUpdate: (column: string | null) => SequenceInPartialUpdate | undefined): RowMapperOptions {
	const has = (column: string) => schema.columns.some((c) => c.name.toLowerCase() === column.trim().toLowerCase());
	const sequenceInPartialUpdate = partialUpdate(schema.sequenceColumn);
	return {
		...(sequenceInPartialUpdate === undefined ? {} : { sequenceInPartialUpdate }),
		unknownFields: settings.unknownFields,
		sourcePath: settings.sourcePath,
		mapping: severalTables ? settings.mapping.filter((m) => has(m.column)) : settings.mapping,
		cdc: settings.cdc,
		dates: { timeZone: settings.timeZone, epochUnit: settings.epochUnit },
		epochUnits: severalTables ? settings.epochUnits.filter((u) => has(u.column)) : settings.epochUnits,
		limits: settings.limits,
		evolve: settings.evolve,
		extraDigits: settings.extraDigits,
		unavailableValue: settings.unavailableValue,
	};
}

/**
 * Output 0 "Rows": coerced rows; output 1 "Invalid": original item + `_invalid` reasons.
 * An item holding packed rows (the trigger's "One Item per Batch") comes out as one packed item per
 * table its lines go to, with its valid rows as JSON lines; each line that cannot load becomes an
 * item on output 1. Big packed items are mapped in worker threads (option Worker Threads) so n8n's
 * main thread stays free. Both outputs keep input order (src/doris/schema/map-targets.ts).
 */
export async function executeMapRows(ctx: SchemaContext, settings: SchemaSettings, connection: DorisConnection): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const logger = ctx.logger as SchemaContext['logger'] | undefined; // absent in narrow test contexts
	const ddlLogger: DdlLogger | undefined = logger === undefined ? undefined : { info: (m, meta) => logger.info(m, meta), warn: (m, meta) => logger.warn(m, meta) };
	const database = settings.database !== '' ? settings.database : connection.database;
	// Database and Table given as expressions are evaluated for each item (also each packed item), so
	// each row is checked against, and tagged with, its own item's table (an empty Database is the
	// credential's default). Read for item 0 only, every row was checked against item 0's table and
	// loaded into its database.
	const tablePerItem = settings.operation === 'mapRows' && targetIsExpression(ctx, 'table');
	const databasePerItem = settings.rules.database.kind === 'parameter' && targetIsExpression(ctx, 'database');
	const severalTables = !isFixedTarget(settings.rules) || tablePerItem || databasePerItem;
	const continueOnFail = continuesAfterThrow(ctx);
	// Where this node's rows go, read once: when every path ends at a partial update that leaves the
	// sequence column to Doris, a row may lack its value (src/doris/schema/sequence-partial-update.ts).
	const name = ctx.getNode().name;
	const graph = workflowGraphOf(ctx);
	const partialUpdate = (column: string | null) => sequenceInPartialUpdate(graph, name, column);

	const mapperOf = (schema: TableSchema): RowMapper => {
		try {
			return rowMapperFor(schema, mapperOptions(settings, schema, severalTables, partialUpdate));
		} catch (error) {
			// A bad time zone or a mapping to a column the table lacks: a settings error, not a row error.
			throw new NodeOperationError(ctx.getNode(), error as Error);
		}
	};
	const createOptions: CreateOptions = {
		cdc: settings.cdc,
		sourcePath: settings.sourcePath,
		keyColumns: settings.keyColumns,
		sequenceColumn: settings.sequenceColumn === '' ? undefined : settings.sequenceColumn,
		properties: settings.tableProperties,
	};
	const mapping: TargetMapping = {
		rules: settings.rules,
		parameters: (index) => ({
			database: databasePerItem ? targetNameFor(ctx, 'database', index) || connection.database : database,
			table: tablePerItem ? targetNameFor(ctx, 'table', index) : settings.table,
		}),
		tagTargets: severalTables,
		mapperFor: async (target, samples) => {
			if (settings.operation === 'mapRowsToTables') {
				const create = settings.createTables ? { design: () => designTableFrom(target, samples(), createOptions) } : undefined;
				const schema = await tableSchemaOrCreate(connection, target, settings.refreshIntervalMs, create, ddlLogger);
				return 'refused' in schema ? schema : mapperOf(schema);
			}
			const schema = await loadSchema(ctx, { ...settings, database: target.database }, connection, target.table);
			if (!(schema instanceof NodeOperationError)) return mapperOf(schema);
			// Continue On Fail: nothing can be coerced, so every item goes to Invalid with the reason.
			if (!continueOnFail) throw schema;
			return { refused: schema.message, rule: 'schema', expected: 'a readable table schema' };
		},
		// Auto mode follows the table when the items say it changed (src/doris/schema/drift-signals.ts);
		// a typed column list does not change.
		reread:
			settings.mode === 'auto'
				? async (target: DorisTarget, since: number) => {
						const fresh = await schemaCache.reread(connection, target.database, target.table, DEFAULT_MIN_REREAD_MS, since);
						return fresh === undefined ? undefined : mapperOf(fresh);
					}
				: undefined,
		addColumns: settings.evolve
			? async (target: DorisTarget, columns: ColumnSpec[]) => {
					const outcome = await addColumns(connection, target, columns, ddlLogger);
					if (!outcome.ok) return { refused: outcome.reason };
					schemaCache.invalidate(connection, target.database, target.table);
					return mapperOf(await schemaCache.get(connection, target.database, target.table, settings.refreshIntervalMs));
				}
			: undefined,
	};
	const workflow = ctx.getWorkflow();
	try {
		const routed = await mapItemsToTargets(items, mapping, {
			labels: { workflow: workflow.id ?? workflow.name ?? '', node: ctx.getNode().name },
			workerThreads: settings.workerThreads,
			continueOnFail,
			warn: logger === undefined ? undefined : (message) => logger.warn(message),
			info: logger === undefined ? undefined : (message) => logger.info(message),
		});
		return [routed.rows.map(rowToOutput), routed.invalid.map(toOutput)];
	} catch (error) {
		// A settings or schema error is already a node error; anything else becomes one here.
		const nodeError =
			error instanceof NodeOperationError
				? error
				: error instanceof BrokenPackedItemError
					? new NodeOperationError(ctx.getNode(), error.message, { itemIndex: error.itemIndex })
					: new NodeOperationError(ctx.getNode(), error as Error);
		throw nodeError;
	}
}
