import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { firstUnloadable, loadSortedItems, sortItemsForLoad, summariseLoad } from '../../src/batch/load-items';
import { groupByTarget } from '../../src/batch/load-targets';
import type { DorisTargetConfig } from '../../src/batch/doris-target';
import { PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { registerDorisReadiness } from '../../src/doris/connection-check';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { DORIS_CREDENTIAL, toDorisConnection } from '../shared/credentials';
import { readSettings } from './settings';
import { assertPartialUpdateTarget } from '../../src/doris/schema/partial-update';

type ExecuteContext = Pick<
	IExecuteFunctions,
	'getInputData' | 'getNodeParameter' | 'getNode' | 'getCredentials' | 'getMode' | 'continueOnFail' | 'getExecutionCancelSignal' | 'logger'
>;

function toNodeError(ctx: ExecuteContext, error: unknown): NodeApiError | NodeOperationError {
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
		return new NodeApiError(ctx.getNode(), response, {
			message: error.message,
			description: rejected.length > 0 ? `First rejected rows:\n${rejected.join('\n')}` : `Label ${error.label ?? '(none)'}, ${error.attempts} attempt(s)`,
		});
	}
	if (error instanceof Error && error.name === 'AbortError') {
		return new NodeOperationError(ctx.getNode(), 'The execution was cancelled while its rows waited for their Doris load');
	}
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
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
 * (src/batch/load-targets.ts). A failure fails the execution (so the Kafka trigger does not commit its
 * offsets) once every table's load has settled, or with "continue on fail" sends that table's items
 * to the error output with the reason.
 */
export async function executeStreamLoad(ctx: ExecuteContext): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	if (items.length === 0) return [[]];

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
	const perItem = settings.tableFrom === 'parameter' && tableIsExpression(ctx);
	const grouped = groupByTarget(items, settings.tableFrom, (index) => ({ database, table: perItem ? tableFor(ctx, index) : settings.table }), connection.database);
	const continueOnFail = ctx.continueOnFail();
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
					partialUpdate === 'flexible' ? { mode: 'flexible' } : { mode: 'fixed', columns: settings.load.columns ?? [] },
				);
			}
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
		}
	}

	// In the editor a user waits for the result of their test: no batch interval.
	const manual = ctx.getMode() === 'manual';
	const flushNow = manual || settings.loadImmediately;
	const errorItems = (error: NodeApiError | NodeOperationError, indexes: number[]): INodeExecutionData[] =>
		indexes.map((i) => ({ json: { error: error.message }, error, pairedItem: { item: i } }));

	const failed: INodeExecutionData[] = [];
	for (const bad of grouped.refused) failed.push(...errorItems(new NodeOperationError(ctx.getNode(), bad.message, { itemIndex: bad.index }), [bad.index]));
	const sortedGroups = grouped.groups.map((group) => {
		const sorted = sortItemsForLoad(group.items, { format: settings.load.format, deletes: settings.deletes });
		const global = (local: number) => group.indexes[local];
		return {
			group,
			sorted,
			loadable: sorted.loadable.map(global),
			undecodable: sorted.undecodable.map(global),
			refused: sorted.refused.map((r) => ({ index: global(r.index), message: r.message.replace(/^Item \d+/, `Item ${global(r.index)}`) })),
		};
	});
	for (const { sorted, group } of sortedGroups) {
		const unloadable = firstUnloadable(sorted);
		if (unloadable !== undefined && !continueOnFail) {
			const index = group.indexes[unloadable.index];
			throw new NodeOperationError(ctx.getNode(), unloadable.message.replace(/^Item \d+/, `Item ${index}`), { itemIndex: index, description: unloadable.description });
		}
	}
	for (const { undecodable, refused } of sortedGroups) {
		if (undecodable.length > 0) failed.push(...errorItems(new NodeOperationError(ctx.getNode(), `Item could not be decoded (${PARSE_ERROR_FIELD})`), undecodable));
		for (const bad of refused) failed.push(...errorItems(new NodeOperationError(ctx.getNode(), bad.message, { itemIndex: bad.index }), [bad.index]));
	}

	const signal = ctx.getExecutionCancelSignal();
	// Every table's load runs at once; each settles before the node answers, so a failed execution
	// leaves no rows of its own still on their way to Doris (the Kafka trigger redelivers it at once).
	const outcomes = await Promise.allSettled(
		sortedGroups.map(async ({ group, sorted, loadable }) => {
			if (loadable.length === 0) return undefined;
			if (group.loadBy !== undefined && Date.now() >= group.loadBy) {
				throw new NodeOperationError(
					ctx.getNode(),
					`The rows for ${group.target.database}.${group.target.table} reached the node after their deadline (${new Date(group.loadBy).toISOString()}, the Kafka trigger's Execution Timeout with Keep Order per Partition): not loaded, so they cannot land after newer rows; the trigger redelivers them`,
				);
			}
			const config: DorisTargetConfig = {
				connection,
				beUrls: settings.beUrls.length > 0 ? settings.beUrls : undefined,
				database: group.target.database,
				table: group.target.table,
				load: settings.load,
				labelPrefix: settings.labelPrefix,
				batch: settings.batch,
				retry: settings.retry,
				logger: ctx.logger,
			};
			const result = await loadSortedItems(config, sorted, { signal, flushNow });
			// src/ builds plain JSON; IDataObject differs only in name.
			return summariseLoad(group.target.database, group.target.table, result, flushNow) as unknown as IDataObject;
		}),
	);
	const loaded: INodeExecutionData[] = [];
	let firstError: NodeApiError | NodeOperationError | undefined;
	outcomes.forEach((outcome, k) => {
		const { loadable } = sortedGroups[k];
		if (outcome.status === 'fulfilled') {
			if (outcome.value !== undefined) loaded.push({ json: outcome.value, pairedItem: loadable.map((item) => ({ item })) });
			return;
		}
		const nodeError = outcome.reason instanceof NodeOperationError ? outcome.reason : toNodeError(ctx, outcome.reason);
		firstError ??= nodeError;
		failed.push(...errorItems(nodeError, loadable));
	});
	if (firstError !== undefined && !continueOnFail) throw firstError;
	return [[...loaded, ...failed]];
}
