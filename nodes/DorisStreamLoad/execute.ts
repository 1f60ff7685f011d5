import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { RejectedRowsError } from '../../src/batch/batcher';
import { firstUnloadable, loadSortedItems, notLoadedItems, rejectedItems, sortItemsForLoad, summariseLoad } from '../../src/batch/load-items';
import { groupByTarget } from '../../src/batch/load-targets';
import { DeadlineError, type DorisTargetConfig } from '../../src/batch/doris-target';
import type { DorisRefusal } from '../../src/batch/refusal';
import { PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { registerDorisReadiness } from '../../src/doris/connection-check';
import { invalidateSchema } from '../../src/doris/schema/schema-cache';
import { columnNames } from '../../src/doris/stream-load/columns';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { DORIS_CREDENTIAL, toDorisConnection } from '../shared/credentials';
import { connectedOutputs, leadsSomewhere } from '../shared/outputs';
import { readSettings } from './settings';
import { assertPartialUpdateTarget } from '../../src/doris/schema/partial-update';

type ExecuteContext = Pick<
	IExecuteFunctions,
	'getInputData' | 'getNodeParameter' | 'getNode' | 'getCredentials' | 'getMode' | 'continueOnFail' | 'getExecutionCancelSignal' | 'logger' | 'getChildNodes'
>;

/** Output indexes: the load summary, the rows Doris refused; n8n adds the error output after them. */
const REJECTED_OUTPUT = 1;
const ERROR_OUTPUT = 2;

const CONNECT_REJECTED =
	"Connect the Rejected output (to the dead-letter branch of the Doris Schema node's Invalid output, or to a No Operation node to drop such rows on purpose) so refused rows are handed back there and the other rows load.";

function toNodeError(ctx: ExecuteContext, error: unknown, rejectedConnected = true): NodeApiError | NodeOperationError {
	if (error instanceof RejectedRowsError) {
		const [first] = error.rejected as Array<{ row: number; reason: DorisRefusal }>;
		return new NodeOperationError(
			ctx.getNode(),
			`Doris refused ${error.rejected.length} row(s) of this execution (first: row ${first.row}: ${first.reason.message}) and the Rejected output leads nowhere, so they would be lost`,
			{ description: CONNECT_REJECTED },
		);
	}
	if (error instanceof StreamLoadError) {
		const rejected = error.rejectedRows ?? [];
		const response: JsonObject = {
			message: error.message,
			kind: error.kind,
			retryable: error.retryable,
			table: error.table ?? null,
			label: error.label ?? null,
			attempts: error.attempts,
			rejectedRows: rejected,
			doris: (error.response ?? null) as JsonObject | null,
		};
		const hint = error.kind === 'data_quality' && !rejectedConnected ? `\n${CONNECT_REJECTED}` : '';
		return new NodeApiError(ctx.getNode(), response, {
			message: error.message,
			description: (rejected.length > 0 ? `First rejected rows:\n${rejected.join('\n')}` : `Label ${error.label ?? '(none)'}, ${error.attempts} attempt(s)`) + hint,
		});
	}
	if (error instanceof Error && error.name === 'AbortError') {
		return new NodeOperationError(ctx.getNode(), 'The execution was cancelled while its rows waited for their Doris load');
	}
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
}

/**
 * A table's load failure whose rows may go to Rejected when other rows of the execution loaded: not
 * a passed deadline (Keep Order: the trigger redelivers such an execution whatever it answers) and
 * not a cancelled execution.
 */
function canHandBack(error: unknown): boolean {
	return !(error instanceof NodeOperationError) && !(error instanceof DeadlineError) && !(error instanceof Error && error.name === 'AbortError');
}

/** The node's Table as n8n evaluates it for item `index` (a resource locator's value, or the string). */
function tableFor(ctx: ExecuteContext, index: number): string {
	const value = ctx.getNodeParameter('table', index, '') as unknown;
	const name = typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value;
	return typeof name === 'string' ? name.trim() : String(name ?? '').trim();
}

/** Whether the node's Table is an n8n expression, so every item may name another table. */
function tableIsExpression(ctx: ExecuteContext): boolean {
	const raw = ctx.getNode().parameters?.table as unknown;
	const text = typeof raw === 'object' && raw !== null && 'value' in raw ? (raw as { value: unknown }).value : raw;
	return typeof text === 'string' && text.startsWith('=');
}

/**
 * Adds this execution's items to the shared batch of their table and returns when every batch holding
 * them is in Doris (src/batch/load-items.ts): one table, or one per row when the rows say theirs
 * (src/batch/load-targets.ts), with one summary item per table. Rows Doris refused come out on the
 * Rejected output (shaped as the Doris Schema node's invalid items); when that output leads nowhere
 * they fail the execution instead. A failure fails the execution (so the Kafka trigger does not commit
 * its offsets) once every table's load has settled, or with "continue on fail" sends that table's
 * items, with their rows, to the output n8n routes errors to, unless that output leads nowhere: then
 * the rows would vanish, and the execution fails.
 */
export async function executeStreamLoad(ctx: ExecuteContext): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	if (items.length === 0) return [[], []];

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
	if (database === '' && settings.tableFrom === 'parameter') {
		throw new NodeOperationError(ctx.getNode(), 'Database is empty and the Doris credential has no default database');
	}
	const outputs = connectedOutputs(ctx);
	const rejectedConnected = leadsSomewhere(outputs, REJECTED_OUTPUT);
	// Continue On Fail puts failed items on the error output (or, with "continue", on the first one):
	// where that leads nowhere, continuing would drop the rows, so the execution fails instead.
	const errorOutput = ctx.getNode().onError === 'continueErrorOutput' ? ERROR_OUTPUT : 0;
	const continueOnFail = ctx.continueOnFail() && leadsSomewhere(outputs, errorOutput);

	const perItem = settings.tableFrom === 'parameter' && tableIsExpression(ctx);
	const grouped = groupByTarget(items, settings.tableFrom, (index) => ({ database, table: perItem ? tableFor(ctx, index) : settings.table }), connection.database);
	if (grouped.refused.length > 0 && !continueOnFail) {
		throw new NodeOperationError(ctx.getNode(), grouped.refused[0].message, { itemIndex: grouped.refused[0].index });
	}
	const partialUpdate = settings.load.partialUpdate;
	if (partialUpdate !== undefined) {
		try {
			for (const { target } of grouped.groups) {
				await assertPartialUpdateTarget(
					connection,
					target.database,
					target.table,
					// The columns the update writes: an entry `k = expr` writes k.
					partialUpdate === 'flexible' ? { mode: 'flexible' } : { mode: 'fixed', columns: columnNames(settings.load.columns ?? []) },
				);
			}
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
		}
	}

	const tables = grouped.groups.map((group) => {
		const sorted = sortItemsForLoad(group.items, { format: settings.load.format, deletes: settings.deletes });
		const global = (local: number) => group.indexes[local];
		const renumber = (message: string, local: number) => message.replace(/^Item \d+/, `Item ${global(local)}`);
		return { group, sorted, global, renumber, loadable: sorted.loadable.map(global) };
	});
	for (const { sorted, global, renumber } of tables) {
		const unloadable = firstUnloadable(sorted);
		if (unloadable !== undefined && !continueOnFail) {
			throw new NodeOperationError(ctx.getNode(), renumber(unloadable.message, unloadable.index), { itemIndex: global(unloadable.index), description: unloadable.description });
		}
	}

	// In the editor a user waits for the result of their test: no batch interval.
	const manual = ctx.getMode() === 'manual';
	const flushNow = manual || settings.loadImmediately;
	// Each failed item keeps its row: on the first output nothing else would say which row failed.
	const errorItems = (error: NodeApiError | NodeOperationError, indexes: number[]): INodeExecutionData[] =>
		indexes.map((i) => ({ json: { ...items[i].json, error: error.message }, error, pairedItem: { item: i } }));

	const failed: INodeExecutionData[] = [];
	for (const bad of grouped.refused) failed.push(...errorItems(new NodeOperationError(ctx.getNode(), bad.message, { itemIndex: bad.index }), [bad.index]));
	for (const { sorted, global, renumber } of tables) {
		if (sorted.undecodable.length > 0) {
			failed.push(...errorItems(new NodeOperationError(ctx.getNode(), `Item could not be decoded (${PARSE_ERROR_FIELD})`), sorted.undecodable.map(global)));
		}
		for (const bad of sorted.refused) {
			failed.push(...errorItems(new NodeOperationError(ctx.getNode(), renumber(bad.message, bad.index), { itemIndex: global(bad.index) }), [global(bad.index)]));
		}
	}

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
				load: settings.load,
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
	const rejected: INodeExecutionData[] = [];
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
		failed.push(...errorItems(nodeError, loadable));
	});
	if (firstError !== undefined && !continueOnFail) throw firstError;
	return [[...loaded, ...failed], rejected];
}
