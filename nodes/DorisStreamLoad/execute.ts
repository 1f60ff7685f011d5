import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import type { BatchPart, Row } from '../../src/batch/batcher';
import { loadPartsIntoDoris, packedFormatError, type DorisBatchResult, type DorisTargetConfig } from '../../src/batch/doris-target';
import { linesMentionDeleteSign } from '../../src/doris/stream-load/wire-format';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { checkDorisConnection } from '../../src/doris/connection-check';
import type { DorisConnection } from '../../src/doris/connection';
import { DELETE_SIGN_COLUMN, PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { readPackedRows } from '../../src/common/packed-rows';
import { registerReadinessProbe } from '../../src/metrics/readiness';
import { DORIS_CREDENTIAL, toDorisConnection } from '../shared/credentials';
import { readSettings } from './settings';

type ExecuteContext = Pick<
	IExecuteFunctions,
	'getInputData' | 'getNodeParameter' | 'getNode' | 'getCredentials' | 'getMode' | 'continueOnFail' | 'getExecutionCancelSignal' | 'logger'
>;

/** The load result of one execution: one item, whatever the number of rows. */
function summary(database: string, table: string, rows: number, result: DorisBatchResult, manual: boolean): JsonObject {
	const batches = result.batches.map((b) => ({
		label: b.result.label,
		txnId: b.result.txnId ?? null,
		status: b.result.status,
		labelExisted: b.result.labelExisted,
		rows: b.rows,
		loadedRows: b.result.labelExisted ? b.rows : b.result.loadedRows,
		filteredRows: b.result.filteredRows,
		bytes: b.bytes,
		sentBytes: b.result.bytes,
		loadTimeMs: b.result.loadTimeMs,
		attempts: b.result.attempts,
		executionsServed: b.executions,
	}));
	return {
		database,
		table,
		rows,
		status: batches.every((b) => b.status === 'Success') ? 'Success' : batches.map((b) => b.status).join(', '),
		label: batches[0]?.label ?? null,
		labels: batches.map((b) => b.label),
		txnIds: batches.map((b) => b.txnId),
		loadedRows: batches.reduce((s, b) => s + b.loadedRows, 0),
		filteredRows: batches.reduce((s, b) => s + b.filteredRows, 0),
		bytes: batches.reduce((s, b) => s + b.bytes, 0),
		loadTimeMs: batches.reduce((s, b) => Math.max(s, b.loadTimeMs), 0),
		executionsServed: batches.reduce((s, b) => Math.max(s, b.executionsServed), 0),
		flushedImmediately: manual,
		batches,
	};
}

const probedClusters = new Set<string>();

/**
 * /readyz reports "Doris reachable" for every cluster this process has loaded into: registered on the
 * first production execution per cluster, so an n8n that is loading nowhere stays ready.
 */
function registerDorisProbe(connection: DorisConnection): void {
	const name = `doris:${connection.feUrls.join(',')}`;
	if (probedClusters.has(name)) return;
	probedClusters.add(name);
	registerReadinessProbe(name, async () => {
		const result = await checkDorisConnection(connection);
		return { ok: result.ok, detail: result.ok ? undefined : result.message };
	});
}

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
 * Doris. A failure fails the execution (so the Kafka trigger does not commit its offsets), or with
 * "continue on fail" sends every item to the error output with the reason.
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
	if (ctx.getMode() !== 'manual') registerDorisProbe(connection);
	const database = settings.database !== '' ? settings.database : connection.database;
	if (database === '') {
		throw new NodeOperationError(ctx.getNode(), 'Database is empty and the Doris credential has no default database');
	}

	// Packed items (one per Kafka batch) load their lines as they are, ordinary items as rows; the
	// parts keep the items' order (the trigger emits them in offset order: CDC changes stay ordered).
	const parts: BatchPart[] = [];
	let run: Row[] = [];
	const loadable: number[] = [];
	const undecodable: number[] = [];
	const badPacked: Array<{ index: number; message: string }> = [];
	const auto = settings.deletes === 'auto';
	const formatError = packedFormatError(settings.load.format);
	let signSeen = false;
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		if (json[PARSE_ERROR_FIELD] !== undefined) {
			undecodable.push(i);
			continue;
		}
		const packed = readPackedRows(json);
		if (packed === undefined) {
			run.push(json);
			loadable.push(i);
			if (auto && !signSeen) signSeen = json[DELETE_SIGN_COLUMN] !== undefined;
			continue;
		}
		if (packed instanceof Error || formatError !== undefined) {
			badPacked.push({ index: i, message: packed instanceof Error ? packed.message : (formatError as string) });
			continue;
		}
		if (run.length > 0) {
			parts.push(run);
			run = [];
		}
		parts.push({ text: packed.jsonLines, rows: packed.count });
		loadable.push(i);
		// As for rows, auto means "some row names the sign". The Doris Schema node says so in the flag;
		// lines packed straight by the trigger nobody has read, so the text is searched.
		if (auto && !signSeen) signSeen = packed.deleteSign ?? linesMentionDeleteSign(packed.jsonLines);
	}
	if (run.length > 0) parts.push(run);
	const continueOnFail = ctx.continueOnFail();
	if (undecodable.length > 0 && !continueOnFail) {
		throw new NodeOperationError(ctx.getNode(), `Item ${undecodable[0]} could not be decoded by the Kafka trigger (${PARSE_ERROR_FIELD}); route it elsewhere before loading`, {
			itemIndex: undecodable[0],
			description: `${undecodable.length} undecodable item(s). The Doris Schema node sends them to its invalid output.`,
		});
	}
	if (badPacked.length > 0 && !continueOnFail) {
		throw new NodeOperationError(ctx.getNode(), `Item ${badPacked[0].index}: ${badPacked[0].message}`, { itemIndex: badPacked[0].index });
	}

	const deleteSign = settings.deletes === 'always' || signSeen;
	const config: DorisTargetConfig = {
		connection,
		beUrls: settings.beUrls.length > 0 ? settings.beUrls : undefined,
		database,
		table: settings.table,
		load: { ...settings.load, deleteSign: deleteSign ? true : undefined },
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
	for (const bad of badPacked) failed.push(...errorItems(new NodeOperationError(ctx.getNode(), bad.message, { itemIndex: bad.index }), [bad.index]));
	if (loadable.length > 0) {
		try {
			const result = await loadPartsIntoDoris(config, parts, { signal: ctx.getExecutionCancelSignal(), flushNow });
			// Rows counted from the packed items' counts plus the ordinary items.
			loaded = [{ json: summary(database, settings.table, result.rows, result, flushNow), pairedItem: loadable.map((item) => ({ item })) }];
		} catch (error) {
			const nodeError = toNodeError(ctx, error);
			if (!continueOnFail) throw nodeError;
			failed = [...failed, ...errorItems(nodeError, loadable)];
		}
	}
	return [[...loaded, ...failed]];
}
