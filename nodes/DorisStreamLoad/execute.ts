import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { firstUnloadable, loadSortedItems, sortItemsForLoad, type SequenceOption, type SortedItems } from '../../src/batch/load-items';
import { expressionFields, refuseWithoutExpressionFields } from '../../src/batch/expression-fields';
import { summariseLoad } from '../../src/batch/load-summary';
import { notLoadedItems, rejectedItems, takenOutItems } from '../../src/batch/rejected-items';
import type { CsvCheckOption } from '../../src/batch/csv-rows';
import { sequenceDefault, sequenceReader, sequenceSourceField } from '../../src/batch/sequence-values';
import { deletesNeverCheck, tableWithoutDeletes } from '../../src/batch/delete-rows';
import { groupByTarget } from '../../src/batch/load-targets';
import type { DorisTargetConfig } from '../../src/batch/doris-target';
import { PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { registerDorisReadiness } from '../../src/doris/connection-check';
import { TableNotFoundError } from '../../src/doris/schema/reader';
import { keyFactsMarksOf, schemaWithCurrentKeyFacts } from '../../src/doris/schema/key-facts';
import { invalidateSchema, schemaCache } from '../../src/doris/schema/schema-cache';
import { columnsListCheck, csvRowCheck } from '../../src/doris/stream-load/wire-format';
import { DORIS_CREDENTIAL, toDorisConnection } from '../shared/credentials';
import { droppingSchemaNodeRanOf, unorderedKafkaTriggerOf } from '../shared/kafka-order';
import { refuseLossySettingsAtRunTime } from '../shared/lossy-settings';
import { connectedOutputs, continuesAfterThrow, failDespiteContinue, failureRoute, leadsSomewhere, refuseExecuteOnce } from '../shared/outputs';
import { LOSSY_CONTINUE_FIX, lossyContinueMessage } from '../../src/common/lossy-continue';
import { failureOutputs, type Failure, type FailureRoute } from './failure-outputs';
import { canHandBack, toNodeError } from './node-errors';
import { readSettings } from './settings';
import { targetIsExpression, targetNameFor } from '../shared/item-parameters';
import { checkedPartialUpdate } from '../../src/doris/stream-load/strict-mode';

type ExecuteContext = Pick<
	IExecuteFunctions,
	'getInputData' | 'getNodeParameter' | 'getNode' | 'getCredentials' | 'getMode' | 'continueOnFail' | 'getExecutionCancelSignal' | 'logger' | 'getChildNodes' | 'getWorkflow'
> &
	Partial<Pick<IExecuteFunctions, 'getExecuteData'>>;

/** Output indexes: the load summary, the rows Doris refused; n8n adds the error output after them. */
const REJECTED_OUTPUT = 1;
const ERROR_OUTPUT = 2;

/**
 * Adds this execution's items to the shared batch of their table and returns when every batch holding
 * them is in Doris (src/batch/load-items.ts): one table, or one per row when the rows say theirs
 * (src/batch/load-targets.ts), with one summary item per table. Rows Doris refused come out on the
 * Rejected output (shaped as the Doris Schema node's invalid items); when that output leads nowhere
 * they fail the execution instead. A failure fails the execution (so the Kafka trigger does not commit
 * its offsets) once every table's load has settled.
 *
 * Under On Error "Continue" a throw would not fail the execution: n8n swallows it and passes the raw
 * input on as the first output, Loaded (nodes/shared/outputs.ts continuesAfterThrow), so the rows
 * would look loaded, or vanish. There every failure, the whole execution's (a setting, the credential)
 * as a table's, sends its items, with their rows, to the error output under "Continue (using error
 * output)" when that leads somewhere; else (and always under "Continue (regular output)", whose
 * regular output is Loaded) to Rejected as not loaded (`doris_not_loaded`, the reason naming the
 * failure). When Rejected leads nowhere either, nowhere is safe: the Kafka trigger refuses to
 * activate such a workflow (nodes/KafkaTrigger/refuse-lossy-continue.ts), and in a workflow it never
 * checked (a sub-workflow its Execute Workflow node calls, a run from the editor) the node fails the
 * execution itself, despite the setting, before it loads anything, with the activation's message
 * (failDespiteContinue). Before, n8n passed the raw rows on as Loaded and the execution succeeded
 * whenever another node ran after this one (Loaded wired, the dead-letter node taking invalid items):
 * in real n8n a sub-workflow committed 199 of 299 rows that were neither in Doris nor dead-lettered.
 */
export async function executeStreamLoad(ctx: ExecuteContext): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	if (items.length === 0) return [[], []];
	// A setting that loses rows, in a workflow the Kafka trigger never checked (a sub-workflow).
	refuseLossySettingsAtRunTime(ctx);
	refuseExecuteOnce(ctx);
	const continues = continuesAfterThrow(ctx);
	const route = failureRoute(ctx.getNode(), continues, connectedOutputs(ctx), { fallback: REJECTED_OUTPUT, errorOutput: ERROR_OUTPUT });
	if (continues && route === 'throw') {
		failDespiteContinue(ctx, new NodeOperationError(ctx.getNode(), lossyContinueMessage([ctx.getNode()]), { description: LOSSY_CONTINUE_FIX }));
	}
	if (route === 'throw') return await loadExecution(ctx, items, route);
	try {
		return await loadExecution(ctx, items, route);
	} catch (error) {
		const nodeError = error instanceof NodeOperationError || error instanceof NodeApiError ? error : toNodeError(ctx, error);
		return failureOutputs(ctx, items, [], [], [{ error: nodeError, indexes: items.map((_item, i) => i), table: '' }], route);
	}
}

async function loadExecution(ctx: ExecuteContext, items: INodeExecutionData[], route: FailureRoute): Promise<INodeExecutionData[][]> {
	let settings;
	let connection;
	try {
		settings = readSettings(ctx);
		connection = toDorisConnection(await ctx.getCredentials(DORIS_CREDENTIAL));
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
	}
	if (ctx.getMode() !== 'manual') registerDorisReadiness(connection);
	const database = settings.database !== '' ? settings.database : connection.database;
	// Database and Table given as expressions are evaluated for each item (an empty Database is the
	// credential's default): each item loads into its own target's shared batch.
	const tablePerItem = settings.tableFrom === 'parameter' && targetIsExpression(ctx, 'table');
	const databasePerItem = settings.tableFrom === 'parameter' && targetIsExpression(ctx, 'database');
	if (database === '' && settings.tableFrom === 'parameter' && !databasePerItem) {
		throw new NodeOperationError(ctx.getNode(), 'Database is empty and the Doris credential has no default database');
	}
	const outputs = connectedOutputs(ctx);
	const rejectedConnected = leadsSomewhere(outputs, REJECTED_OUTPUT);
	const continueOnFail = route !== 'throw';

	const targetOf = (index: number) => ({
		database: databasePerItem ? targetNameFor(ctx, 'database', index) || connection.database : database,
		table: tablePerItem ? targetNameFor(ctx, 'table', index) : settings.table,
	});
	const grouped = groupByTarget(items, settings.tableFrom, targetOf, connection.database);
	if (grouped.refused.length > 0 && !continueOnFail) {
		throw new NodeOperationError(ctx.getNode(), grouped.refused[0].message, { itemIndex: grouped.refused[0].index });
	}
	// Every table must take the partial update; strict mode as the cluster's release allows (strict-mode.ts).
	let load = settings.load;
	if (load.partialUpdate !== undefined) {
		try {
			load = await checkedPartialUpdate(connection, load, settings.strictModeSet, grouped.groups.map((g) => g.target));
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
		}
	}

	// Rows without a value for the Sequence Column would load and be ignored by Doris: handed back on
	// Rejected, or, when it leads nowhere, their items fail the execution (src/batch/sequence-values.ts).
	const sequenceColumn = settings.load.sequenceColumn;
	const mergeType = Object.entries(settings.load.extraHeaders ?? {}).find(([name]) => name.toLowerCase() === 'merge_type')?.[1] ?? '';
	const jsonRoot = Object.entries(settings.load.extraHeaders ?? {}).find(([name]) => name.toLowerCase() === 'json_root')?.[1];
	const read = sequenceColumn === undefined ? undefined : sequenceReader(sequenceColumn, { columns: settings.load.columns, jsonpaths: settings.load.jsonpaths, jsonRoot });
	if (read instanceof Error) throw new NodeOperationError(ctx.getNode(), read);
	const sequence: SequenceOption | undefined =
		sequenceColumn === undefined ? undefined : { column: sequenceColumn, deletesAll: mergeType.trim().toUpperCase() === 'DELETE', handBack: rejectedConnected, read };
	const sourceField = sequenceColumn === undefined ? '' : sequenceSourceField(sequenceColumn, settings.load.columns);
	// With a Columns list, JSON Paths or json_root Doris reads only what they name of a JSON line and skips
	// any other field without a word: a row or packed line with one is handed back on Rejected (rule
	// field_not_read), or, when Rejected leads nowhere, its item fails the execution naming the field.
	const columnsCheck = settings.load.format === 'json' ? columnsListCheck(settings.load, settings.deletes !== 'never') : undefined;
	// With CSV, a row a CSV line cannot carry as written (the separator, a line break, the text \N) is
	// taken out before the shared batch: handed back on Rejected, or, when it leads nowhere, its item fails the execution.
	const csvCheckFn = csvRowCheck(settings.load);
	const csvCheck: CsvCheckOption | undefined = csvCheckFn === undefined ? undefined : { check: csvCheckFn, handBack: rejectedConnected };
	// Deletes Never loads without the delete sign: a row flagged as a delete would load as an upsert of
	// the deleted row. Taken out the same way (rule delete_not_applied, src/batch/delete-rows.ts), unless
	// Doris decides the deletes itself (merge_type DELETE / MERGE, Columns naming the sign, flexible partial update).
	const deletesNotApplied = settings.deletes === 'never' ? deletesNeverCheck(settings.load, rejectedConnected) : undefined;
	// A field a Columns expression reads that no row carries (a Doris Schema node dropped it): Doris would
	// compute the column from NULL for every row. Field names are the keys only without JSON Paths / json_root.
	// Only behind a Doris Schema node that drops unknown fields: elsewhere a field every row lacks is the data's own.
	const expressionRead = settings.load.jsonpaths === undefined && jsonRoot === undefined ? expressionFields(settings.load.columns ?? []) : [];
	const readByExpressions = expressionRead.length > 0 && droppingSchemaNodeRanOf(ctx) ? expressionRead : [];
	const sort = async (group: (typeof grouped.groups)[number]) => {
		const sorted = await sortGroup(group);
		if (readByExpressions.length === 0) return sorted;
		// A field that is a column of the table is kept by the Doris Schema node when a row has it: rows
		// that all lack it are the data's own (refused, an anonymous visit would hold its partition for good).
		const { database: db, table } = group.target;
		// A table Doris lacks: the load itself says why. Any other failed read fails the execution (it is
		// delivered again): going on unchecked, every row would load with the column computed from NULL.
		const columns = await schemaCache.get(connection, db, table).then(
			(schema) => new Set(schema.columns.map((c) => c.name.toLowerCase())),
			(error: unknown) => {
				if (error instanceof TableNotFoundError) return undefined;
				throw error;
			},
		);
		if (columns === undefined) return sorted;
		return refuseWithoutExpressionFields(group.items, sorted, readByExpressions.filter((f) => !columns.has(f.field.toLowerCase())));
	};
	const sortGroup = async (group: (typeof grouped.groups)[number]) => {
		const { database: db, table } = group.target;
		const readSchema = () => schemaCache.get(connection, db, table);
		const options = { format: settings.load.format, deletes: settings.deletes, sequence, columnsCheck, columnsHandBack: rejectedConnected, csvCheck, deletesNotApplied };
		let sorted = sortItemsForLoad(group.items, options);
		// A load with the delete sign into a table that is not UNIQUE KEY: Doris drops the sign there, so
		// deletes are taken out the same way (rule delete_unsupported). The schema is read only then.
		// From a Kafka trigger with Keep Order per Partition off, deletes are taken out too (rule
		// delete_unordered): an update before a delete in Kafka could land after it and bring the row back.
		if (settings.deletes !== 'never' && sorted.deleteSign) {
			// Read again when SHOW CREATE TABLE says another key model than the cache (a table recreated, key-facts.ts);
			// deletes the Doris Schema node mapped for other key facts fail the execution (mapped again on redelivery).
			const mappedFor = keyFactsMarksOf(group.items);
			const notUnique = await tableWithoutDeletes(() => schemaWithCurrentKeyFacts(schemaCache, connection, db, table, mappedFor), `${db}.${table}`);
			const trigger = notUnique === undefined ? unorderedKafkaTriggerOf(ctx) : undefined;
			if (notUnique !== undefined || trigger !== undefined) {
				options.deletesNotApplied = { handBack: rejectedConnected, notUnique, unordered: trigger === undefined ? undefined : { trigger } };
				sorted = sortItemsForLoad(group.items, options);
			}
		}
		// Rows lacking the field take a column DEFAULT instead of NULL: the schema is read only then. Only the
		// load's time (CURRENT_TIMESTAMP) lets them load; a constant default is refused (missing_sequence).
		if (sequence === undefined || sorted.lackingSequence === 0 || settings.load.format !== 'json') return sorted;
		const missingDefault = await sequenceDefault(readSchema, sourceField);
		if (missingDefault === undefined) return sorted;
		return sortItemsForLoad(group.items, { ...options, sequence: { ...sequence, missingDefault } });
	};
	const tables: Array<{ group: (typeof grouped.groups)[number]; sorted: SortedItems; global: (local: number) => number; renumber: (message: string, local: number) => string; loadable: number[] }> = [];
	for (const group of grouped.groups) {
		const sorted = await sort(group);
		const global = (local: number) => group.indexes[local];
		const renumber = (message: string, local: number) => message.replace(/^Item \d+/, `Item ${global(local)}`);
		tables.push({ group, sorted, global, renumber, loadable: sorted.loadable.map(global) });
	}
	for (const { sorted, global, renumber } of tables) {
		const unloadable = firstUnloadable(sorted);
		if (unloadable !== undefined && !continueOnFail) {
			throw new NodeOperationError(ctx.getNode(), renumber(unloadable.message, unloadable.index), { itemIndex: global(unloadable.index), description: unloadable.description });
		}
	}

	// In the editor a user waits for the result of their test: no batch interval.
	const manual = ctx.getMode() === 'manual';
	const flushNow = manual || settings.loadImmediately;

	const failures: Failure[] = [];
	for (const bad of grouped.refused) failures.push({ error: new NodeOperationError(ctx.getNode(), bad.message, { itemIndex: bad.index }), indexes: [bad.index], table: '' });
	for (const { group, sorted, global, renumber } of tables) {
		const table = `${group.target.database}.${group.target.table}`;
		if (sorted.undecodable.length > 0) {
			failures.push({ error: new NodeOperationError(ctx.getNode(), `Item could not be decoded (${PARSE_ERROR_FIELD})`), indexes: sorted.undecodable.map(global), table });
		}
		for (const bad of sorted.refused) {
			failures.push({ error: new NodeOperationError(ctx.getNode(), renumber(bad.message, bad.index), { itemIndex: global(bad.index) }), indexes: [global(bad.index)], table });
		}
	}

	// Aborted when n8n ends the execution (the editor's Stop, the REST stop, the workflow's Timeout: n8n-core
	// 2.40.7 workflow-execute.js setupCancellation aborts it and ends the run as canceled at once, without
	// awaiting this node): the batcher then takes the execution's rows out of batches not sent yet, which
	// would otherwise load and load again with the Kafka trigger's redelivery (src/batch/withdraw.ts).
	const signal = ctx.getExecutionCancelSignal();
	// Every table's load runs at once; each settles before the node answers, so a failed execution
	// leaves no rows of its own still on their way to Doris (the Kafka trigger redelivers it at once).
	const outcomes = await Promise.allSettled(
		tables.map(async ({ group, sorted, loadable, global }) => {
			if (loadable.length === 0) return undefined;
			const { database: db, table } = group.target;
			if (group.loadBy !== undefined && Date.now() >= group.loadBy) {
				throw new NodeOperationError(
					ctx.getNode(),
					`The rows for ${db}.${table} reached the node after their deadline (${new Date(group.loadBy).toISOString()}, the Kafka trigger's Execution Timeout with Keep Order per Partition): not loaded, so they cannot land after newer rows; the trigger redelivers them`,
				);
			}
			const config: DorisTargetConfig = {
				connection,
				beUrls: settings.beUrls.length > 0 ? settings.beUrls : undefined,
				database: db,
				table,
				load,
				labelPrefix: settings.labelPrefix,
				batch: settings.batch,
				retry: settings.retry,
				logger: ctx.logger,
				// Doris refused rows or columns: the table may have changed; the Doris Schema node re-reads it.
				onRefused: () => invalidateSchema(connection, db, table),
			};
			const result = await loadSortedItems(config, sorted, { signal, flushNow, acceptsRejected: rejectedConnected, deadline: group.loadBy });
			// src/ builds plain JSON; IDataObject differs only in name.
			const summary = summariseLoad(db, table, result, flushNow) as unknown as IDataObject;
			const rejected = rejectedItems(group.items, sorted, result.rejected, `${db}.${table}`).map((r) => ({ json: r.json as IDataObject, pairedItem: { item: global(r.index) } }));
			return { summary, rejected, loadedRows: result.rows - result.rejected.length };
		}),
	);
	const loaded: INodeExecutionData[] = [];
	const rejected: INodeExecutionData[] = tables.flatMap(({ group, sorted, global }) =>
		takenOutItems(group.items, sorted, `${group.target.database}.${group.target.table}`).map((r) => ({ json: r.json as IDataObject, pairedItem: { item: global(r.index) } })),
	);
	let firstError: NodeApiError | NodeOperationError | undefined;
	// A failed execution is redelivered whole: when rows of it loaded into one table, failing it for
	// another table's would load those twice, so that table's rows go to Rejected as not loaded.
	const handBack = !continueOnFail && rejectedConnected && outcomes.some((o) => o.status === 'fulfilled' && (o.value?.loadedRows ?? 0) > 0);
	outcomes.forEach((outcome, k) => {
		const { loadable, group, sorted, global } = tables[k];
		if (outcome.status === 'fulfilled') {
			if (outcome.value === undefined) return;
			loaded.push({ json: outcome.value.summary, pairedItem: loadable.map((item) => ({ item })) });
			rejected.push(...outcome.value.rejected);
			return;
		}
		if (handBack && canHandBack(outcome.reason)) {
			const { database: db, table } = group.target;
			rejected.push(...notLoadedItems(group.items, sorted, outcome.reason, `${db}.${table}`).map((r) => ({ json: r.json as IDataObject, pairedItem: { item: global(r.index) } })));
			return;
		}
		const nodeError = outcome.reason instanceof NodeOperationError ? outcome.reason : toNodeError(ctx, outcome.reason, rejectedConnected);
		firstError ??= nodeError;
		failures.push({ error: nodeError, indexes: loadable, table: `${group.target.database}.${group.target.table}` });
	});
	if (firstError !== undefined && !continueOnFail) throw firstError;
	return failureOutputs(ctx, items, loaded, rejected, failures, route);
}
