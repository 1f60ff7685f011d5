import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { RejectedRowsError } from '../../src/batch/batcher';
import { firstUnloadable, loadSortedItems, rejectedItems, sortItemsForLoad, summariseLoad } from '../../src/batch/load-items';
import type { DorisTargetConfig } from '../../src/batch/doris-target';
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
 * Adds this execution's items to the shared batch of its table and returns when that batch is in
 * Doris (src/batch/load-items.ts). Rows Doris refused come out on the Rejected output (shaped as the
 * Doris Schema node's invalid items); when that output leads nowhere they fail the execution instead.
 * A failure fails the execution (so the Kafka trigger does not commit its offsets), or with "continue
 * on fail" sends every item, with its row, to the output n8n routes errors to, unless that output
 * leads nowhere: then the rows would vanish, and the execution fails.
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
				// The columns the update writes: an entry `k = expr` writes k.
				partialUpdate === 'flexible' ? { mode: 'flexible' } : { mode: 'fixed', columns: columnNames(settings.load.columns ?? []) },
			);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
		}
	}

	const sorted = sortItemsForLoad(items, { format: settings.load.format, deletes: settings.deletes });
	const { undecodable, refused, loadable } = sorted;
	const outputs = connectedOutputs(ctx);
	const rejectedConnected = leadsSomewhere(outputs, REJECTED_OUTPUT);
	// Continue On Fail puts failed items on the error output (or, with "continue", on the first one):
	// where that leads nowhere, continuing would drop the rows, so the execution fails instead.
	const errorOutput = ctx.getNode().onError === 'continueErrorOutput' ? ERROR_OUTPUT : 0;
	const continueOnFail = ctx.continueOnFail() && leadsSomewhere(outputs, errorOutput);
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
		// Doris refused rows or columns: the table may have changed; the Doris Schema node re-reads it.
		onRefused: () => invalidateSchema(connection, database, settings.table),
	};
	// In the editor a user waits for the result of their test: no batch interval.
	const manual = ctx.getMode() === 'manual';
	const flushNow = manual || settings.loadImmediately;

	// Each failed item keeps its row: on the first output nothing else would say which row failed.
	const errorItems = (error: NodeApiError | NodeOperationError, indexes: number[]): INodeExecutionData[] =>
		indexes.map((i) => ({ json: { ...items[i].json, error: error.message }, error, pairedItem: { item: i } }));

	let loaded: INodeExecutionData[] = [];
	let failed: INodeExecutionData[] = [];
	let rejected: INodeExecutionData[] = [];
	if (undecodable.length > 0) {
		failed = errorItems(new NodeOperationError(ctx.getNode(), `Item could not be decoded (${PARSE_ERROR_FIELD})`), undecodable);
	}
	for (const bad of refused) failed.push(...errorItems(new NodeOperationError(ctx.getNode(), bad.message, { itemIndex: bad.index }), [bad.index]));
	if (loadable.length > 0) {
		try {
			const result = await loadSortedItems(config, sorted, { signal: ctx.getExecutionCancelSignal(), flushNow, acceptsRejected: rejectedConnected });
			// src/ builds plain JSON; IDataObject differs only in name.
			const summary = summariseLoad(database, settings.table, result, flushNow) as unknown as IDataObject;
			loaded = [{ json: summary, pairedItem: loadable.map((item) => ({ item })) }];
			rejected = rejectedItems(items, sorted, result.rejected, `${database}.${settings.table}`).map((r) => ({ json: r.json as IDataObject, pairedItem: { item: r.index } }));
		} catch (error) {
			const nodeError = toNodeError(ctx, error, rejectedConnected);
			if (!continueOnFail) throw nodeError;
			failed = [...failed, ...errorItems(nodeError, loadable)];
		}
	}
	return [[...loaded, ...failed], rejected];
}
