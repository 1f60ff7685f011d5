import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { firstUnloadable, loadSortedItems, sortItemsForLoad, summariseLoad } from '../../src/batch/load-items';
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

/**
 * Adds this execution's items to the shared batch of its table and returns when that batch is in
 * Doris (src/batch/load-items.ts). A failure fails the execution (so the Kafka trigger does not
 * commit its offsets), or with "continue on fail" sends every item to the error output with the reason.
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
	if (database === '') {
		throw new NodeOperationError(ctx.getNode(), 'Database is empty and the Doris credential has no default database');
	}
	const partialUpdate = settings.load.partialUpdate;
	if (partialUpdate !== undefined) {
		try {
			await assertPartialUpdateTarget(
				connection,
				database,
				settings.table,
				partialUpdate === 'flexible' ? { mode: 'flexible' } : { mode: 'fixed', columns: settings.load.columns ?? [] },
			);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
		}
	}

	const sorted = sortItemsForLoad(items, { format: settings.load.format, deletes: settings.deletes });
	const { undecodable, refused, loadable } = sorted;
	const continueOnFail = ctx.continueOnFail();
	const unloadable = firstUnloadable(sorted);
	if (unloadable !== undefined && !continueOnFail) {
		throw new NodeOperationError(ctx.getNode(), unloadable.message, { itemIndex: unloadable.index, description: unloadable.description });
	}

	const config: DorisTargetConfig = {
		connection,
		beUrls: settings.beUrls.length > 0 ? settings.beUrls : undefined,
		database,
		table: settings.table,
		load: settings.load,
		labelPrefix: settings.labelPrefix,
		batch: settings.batch,
		retry: settings.retry,
		logger: ctx.logger,
	};
	// In the editor a user waits for the result of their test: no batch interval.
	const manual = ctx.getMode() === 'manual';
	const flushNow = manual || settings.loadImmediately;

	const errorItems = (error: NodeApiError | NodeOperationError, indexes: number[]): INodeExecutionData[] =>
		indexes.map((i) => ({ json: { error: error.message }, error, pairedItem: { item: i } }));

	let loaded: INodeExecutionData[] = [];
	let failed: INodeExecutionData[] = [];
	if (undecodable.length > 0) {
		failed = errorItems(new NodeOperationError(ctx.getNode(), `Item could not be decoded (${PARSE_ERROR_FIELD})`), undecodable);
	}
	for (const bad of refused) failed.push(...errorItems(new NodeOperationError(ctx.getNode(), bad.message, { itemIndex: bad.index }), [bad.index]));
	if (loadable.length > 0) {
		try {
			const result = await loadSortedItems(config, sorted, { signal: ctx.getExecutionCancelSignal(), flushNow });
			// src/ builds plain JSON; IDataObject differs only in name.
			const summary = summariseLoad(database, settings.table, result, flushNow) as unknown as IDataObject;
			loaded = [{ json: summary, pairedItem: loadable.map((item) => ({ item })) }];
		} catch (error) {
			const nodeError = toNodeError(ctx, error);
			if (!continueOnFail) throw nodeError;
			failed = [...failed, ...errorItems(nodeError, loadable)];
		}
	}
	return [[...loaded, ...failed]];
}
