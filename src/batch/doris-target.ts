/**
 * Glue between the batcher and the Stream Load client: the shared batch of one Doris target
 * (FE set + credentials + database + table + load options), its labels, its client and its batch
 * metrics (the Stream Load client counts its own loads).
 * `loadIntoDoris(config, rows)` is all a caller needs: it resolves once the rows are in Doris.
 * `loadPartsIntoDoris(config, parts)` takes rows and packed JSON lines (loaded as they are), in order.
 *
 * A batch Doris refuses for some of its rows (a data-quality failure) is split (refused-batch.ts): what
 * Doris takes loads under fresh labels, each refused row goes back to the execution that added it
 * with Doris' reason (`rejected` in the result), and only rows left unresolved fail their executions.
 * An execution some of whose rows loaded is never failed (its redelivery would load them twice): its
 * rows that did not load come back as rejected rows saying why (`notLoaded`), in this batch or another.
 * A load that may be in Doris without Doris saying so (an uncounted commit, a last attempt whose answer
 * was lost while no FE can tell: uncounted.ts) hands its rows back as doris_uncounted instead.
 * A load that succeeds with filtered rows (Max Filter Ratio > 0) has its error log read, and every
 * filtered row is logged with its reason and counted: Doris dropped it, and nothing else says so
 * (dropped-rows.ts).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

import { DELETE_SIGN_COLUMN, PACKED_ROWS_FIELD } from '../common/item-contract';
import type { DorisConnection } from '../doris/connection';
import { checkDorisName } from '../doris/names';
import { columnNames } from '../doris/stream-load/columns';
import { StreamLoadClient, type LoadResult, type StreamLoadLogger } from '../doris/stream-load/client';
import type { StreamLoadError } from '../doris/stream-load/errors';
import { buildLoadHeaders } from '../doris/stream-load/headers';
import { LabelFactory } from '../doris/stream-load/labels';
import type { LoadFormat, LoadOptions } from '../doris/stream-load/options';
import type { RetryPolicy } from '../doris/stream-load/retry';
import type { SilenceOptions } from '../doris/stream-load/silence';
import { metrics, tableLabel } from '../metrics/metrics';
import type { BatchLimits } from './batch-limits';
import { isRows, type BatchPart, type Row } from './batch-parts';
import { TargetBatcher, type AddOptions, type AddResult } from './batcher';
import { FILTERED_ROWS_LOG_LIMITS, reportDroppedRows, unselectedWithoutWhere } from './dropped-rows';
import { DEFAULT_MAX_ISOLATION_LOADS } from './isolate';
import { LOAD_DEFAULTS } from './load-defaults';
import { boundedByDeadline, DeadlineError, reportMayStillCommit } from './load-deadline';
import { processBudget } from './memory-budget';
import { explainNewKeys } from './new-keys';
import { loadAroundRefusal, type DorisLoadOutcome } from './refused-batch';
import { isMissingTable, isRowRefusal, isSchemaRefusal, notLoadedRefusal, type DorisRefusal } from './refusal';
import { handBackUncounted, mayHaveLanded } from './uncounted';
import { getOrCreateBatcher } from './registry';
import { reportStopped } from './withdraw';
import { addDeleteSignToLines, createSerializer } from '../doris/stream-load/wire-format';

const gzip = promisify(gzipCallback);

export interface DorisTargetConfig {
	connection: Pick<DorisConnection, 'feUrls' | 'user' | 'password' | 'tls'>;
	/** Load straight to these BEs instead of through the FE's redirect. */
	beUrls?: string[];
	database: string;
	table: string;
	load: LoadOptions;
	labelPrefix: string;
	batch: BatchLimits;
	retry: RetryPolicy;
	/** One HTTP exchange; by default Doris' own load timeout plus a minute. */
	requestTimeoutMs?: number;
	/** How long a load may stay unanswered after its body went out before its label is looked up (silence.ts); 30 s by default. */
	silence?: SilenceOptions;
	logger?: StreamLoadLogger;
	/** At most this many loads to find the rows of one refused batch (isolate.ts). Default 64. */
	maxIsolationLoads?: number;
	/**
	 * Called when Doris refuses a batch for its rows or its columns, or does not know its table: the
	 * table may have changed since its schema was read (the Doris Schema node then re-reads it).
	 * Called by the shared batch with the hook of the execution that created it: every execution of a
	 * target passes the same one.
	 */
	onRefused?: (error: StreamLoadError) => void;
}

export type { DorisLoadOutcome };

export type DorisBatchResult = AddResult<DorisLoadOutcome, DorisRefusal>;

const clients = new Map<string, StreamLoadClient>();

function hash(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** CSV lines carry the delete sign as a field, so it must be in the column list the lines follow. */
function normaliseLoad(load: LoadOptions): LoadOptions {
	if (load.format === 'csv' && load.deleteSign === true && load.columns !== undefined && !columnNames(load.columns).includes(DELETE_SIGN_COLUMN)) {
		return { ...load, columns: [...load.columns, DELETE_SIGN_COLUMN] };
	}
	return load;
}

function connectionKey(config: DorisTargetConfig): string {
	const c = config.connection;
	// The password only as a hash: keys may show up in a debugger or a heap dump.
	return JSON.stringify([c.feUrls, config.beUrls ?? [], c.user, hash(c.password), c.tls ?? null, config.retry, config.requestTimeoutMs ?? null, config.silence ?? null]);
}

/** The registry key of a target: two executions share a batch exactly when these agree. */
export function targetKey(config: DorisTargetConfig): string {
	return JSON.stringify([connectionKey(config), config.database, config.table, normaliseLoad(config.load), config.labelPrefix]);
}

function clientFor(config: DorisTargetConfig): StreamLoadClient {
	const key = connectionKey(config);
	let client = clients.get(key);
	if (client === undefined) {
		const timeoutSeconds = config.load.timeoutSeconds ?? LOAD_DEFAULTS.timeoutSeconds;
		client = new StreamLoadClient({
			feUrls: config.connection.feUrls,
			beUrls: config.beUrls,
			user: config.connection.user,
			password: config.connection.password,
			tls: config.connection.tls,
			retry: config.retry,
			requestTimeoutMs: config.requestTimeoutMs ?? (timeoutSeconds + 60) * 1000,
			labelWait: { pollIntervalMs: 500, maxWaitMs: (timeoutSeconds + 60) * 1000 },
			silence: config.silence,
			logger: config.logger,
		});
		clients.set(key, client);
	}
	return client;
}

/** The shared batcher of a target, created on first use. Validates the options (throws naming the bad one). */
export function dorisBatcher(config: DorisTargetConfig): TargetBatcher<DorisLoadOutcome, DorisRefusal> {
	// The database and table become URL path segments, columns a header: refuse what would change either.
	checkDorisName('Database', config.database);
	checkDorisName('Table', config.table);
	// Each entry as given first: a control character would otherwise surface as a column list Doris
	// cannot parse instead of the header injection it is.
	for (const entry of config.load.columns ?? []) checkDorisName('Column', entry);
	for (const column of columnNames(config.load.columns ?? [])) checkDorisName('Column', column);
	if (config.load.sequenceColumn !== undefined) checkDorisName('Column', config.load.sequenceColumn);
	const load = normaliseLoad(config.load);
	const labels = new LabelFactory(config.labelPrefix, config.table);
	// Fail on a bad option now, not when the first batch is sealed.
	buildLoadHeaders(load, 'check');
	const serializer = createSerializer(load);
	const key = targetKey(config);
	const table = config.table;
	const metricTable = tableLabel(config.database, config.table);
	const maxLoads = config.maxIsolationLoads ?? DEFAULT_MAX_ISOLATION_LOADS;
	const batcher = getOrCreateBatcher(key, () => {
		const client = clientFor(config);
		// Batchers of one table with other options (label prefix, load settings) share the gauge's series,
		// so each adds its change in bytes. Set outright, the last batcher to report overwrote the others'.
		let bufferedReported = 0;
		const reportBuffered = (bytes: number): void => {
			const change = bytes - bufferedReported;
			bufferedReported = bytes;
			if (change > 0) metrics.bufferedBytes.inc({ table: metricTable }, change);
			else if (change < 0) metrics.bufferedBytes.dec({ table: metricTable }, -change);
		};
		// The label each batch is being sent under (a split batch: its latest part's), for the warning about a
		// stopped execution whose rows are in it (withdraw.ts).
		const sending = new Map<number, string>();
		const loadBody = async (body: readonly Buffer[], rows: number, batchId: number, deadline?: number, rejectable = true): Promise<LoadResult> => {
			const label = labels.next();
			sending.set(batchId, label);
			const bounded = boundedByDeadline(load, deadline, table);
			const headers = buildLoadHeaders(bounded.load, label);
			const sent = load.compress === 'gz' ? [await gzip(body.length === 1 ? body[0] : Buffer.concat(body))] : body;
			let result: LoadResult;
			try {
				result = await client.load({ database: config.database, table, label, headers, body: sent, rows, signal: bounded.signal, settleBy: bounded.settleBy });
			} catch (error) {
				if (bounded.signal?.aborted !== true) throw error;
				if (mayHaveLanded(error)) reportMayStillCommit(config, label, rows, error);
				throw new DeadlineError(table, deadline as number);
			}
			await reportDroppedRows(client, result, bounded.load, table, config.logger);
			const unexplained = unselectedWithoutWhere(result, bounded.load, table);
			if (unexplained !== undefined) {
				if (rejectable) throw unexplained;
				// No caller takes rows back, and the load is committed: failing its executions would have each
				// redelivery load the other rows again and leave these out again (review session 19, H2).
				const logger = config.logger;
				(logger?.error ?? logger?.warn)?.call(
					logger,
					`${unexplained.message}; they are not in Doris and no output holds them: connect the Doris Stream Load node's Rejected output to have every row of such a load handed back. Not sent again, which would load the load's other rows twice`,
					{ table, label: result.label, unselectedRows: result.unselectedRows },
				);
			}
			return result;
		};
		return new TargetBatcher<DorisLoadOutcome, DorisRefusal>(
			config.batch,
			serializer,
			async (batch, verdicts) => {
				try {
					return await loadBody(batch.body, batch.rows, batch.id, batch.deadline, batch.rejectable);
				} catch (error) {
					// A table Doris no longer has is re-read too: with the schema cached, every redelivery would
					// map its rows for it and fail again until the cache's refresh; read again, it is created
					// (Create Missing Tables) or its rows go to Invalid saying it is missing.
					if (isRowRefusal(error) || isSchemaRefusal(error) || isMissingTable(error)) config.onRefused?.(error as StreamLoadError);
					// Committed uncounted, or maybe in Doris (its answer lost, Doris cannot say): handed back, never
					// failed, whose redelivery under a fresh label would load the rows that landed twice.
					if (mayHaveLanded(error) && batch.rejectable) return { ...handBackUncounted(verdicts, 0, batch.rows, error, table, config.logger), bytes: batch.bytes };
					// No caller in the batch takes refused rows back (its Rejected output leads nowhere):
					// splitting would load the others only for these to fail and be redelivered anyway.
					if (!isRowRefusal(error)) throw error;
					if (!batch.rejectable) throw explainNewKeys(error, load);
					return await loadAroundRefusal(batch, verdicts, error, {
						load,
						table,
						loadBody: (part, rows) => loadBody(part, rows, batch.id, batch.deadline),
						maxLoads: config.maxIsolationLoads ?? DEFAULT_MAX_ISOLATION_LOADS,
						logger: config.logger,
						readErrorLog: (refusal) => client.errorLog({ response: refusal.response }, FILTERED_ROWS_LOG_LIMITS),
					});
				} finally {
					sending.delete(batch.id);
				}
			},
			{
				// Past its deadline (Keep Order) the trigger redelivers the execution whatever it answers.
				handBack: (error) => (error instanceof DeadlineError ? undefined : notLoadedRefusal(error, 'failed', maxLoads)),
				onSeal: (b) => {
					metrics.batchRows.observe({ table: metricTable }, b.rows);
					metrics.batchBytes.observe({ table: metricTable }, b.bytes);
				},
				onSettled: (_b, ms) => metrics.batchFlushDuration.observe({ table: metricTable }, ms / 1000),
				onBuffered: reportBuffered,
				onStopped: (stopped) =>
					reportStopped(
						stopped,
						`${config.database}.${table}`,
						(stranded) => (stranded.state !== 'loaded' ? sending.get(stranded.batchId) : (stranded.result.parts ?? [stranded.result]).map((part) => part.label).join('", "')),
						config.logger,
					),
			},
			processBudget(),
		);
	});
	batcher.setLimits(config.batch);
	return batcher;
}

/**
 * Packed lines are JSON objects: only a JSON load can take them. The one check of the format for
 * packed lines (the Stream Load node asks it per item, to fail only those items): the message names
 * the setting and its value.
 */
export function packedFormatError(format: LoadFormat): string | undefined {
	if (format === 'json') return undefined;
	return `Format is "${format}" but the item holds packed JSON lines (${PACKED_ROWS_FIELD}); set Format to JSON`;
}

/**
 * Parts as the load needs them: the delete sign on every line when the load uses it. Rows-only input
 * as it is. A chunk's lines already end in "\n" (the Stream Load node ends a hand-built item's last
 * line, load-items.ts endedChunk); the batcher refuses a chunk that does not (batch-parts.ts).
 */
function prepareParts(load: LoadOptions, parts: ReadonlyArray<BatchPart>): ReadonlyArray<BatchPart> {
	let out: BatchPart[] | undefined;
	for (let i = 0; i < parts.length; i++) {
		const chunk = parts[i];
		if (isRows(chunk)) continue;
		const formatError = packedFormatError(load.format);
		if (formatError !== undefined) throw new Error(formatError);
		if (load.deleteSign !== true) continue;
		const text = addDeleteSignToLines(chunk.text);
		if (text === chunk.text) continue;
		out ??= parts.slice();
		out[i] = { text, rows: chunk.rows };
	}
	return out ?? parts;
}

/**
 * Adds `rows` to the target's shared batch and resolves when every batch holding them is loaded;
 * rejects when one of those batches failed. `flushNow` seals the batch at once (manual runs, or no
 * cross-execution batching wanted).
 */
export function loadIntoDoris(config: DorisTargetConfig, rows: ReadonlyArray<Row>, options: AddOptions = {}): Promise<DorisBatchResult> {
	return dorisBatcher(config).add([rows], options);
}

/**
 * loadIntoDoris for input in parts: arrays of rows and chunks of packed JSON lines, appended in
 * their order (the order of the items, so CDC changes keep their offset order). Throws at once for
 * packed lines and a format other than JSON.
 */
export function loadPartsIntoDoris(config: DorisTargetConfig, parts: ReadonlyArray<BatchPart>, options: AddOptions = {}): Promise<DorisBatchResult> {
	const batcher = dorisBatcher(config);
	return batcher.add(prepareParts(config.load, parts), options);
}

/** Closes every pooled client (process end, tests). Flush first: loads in flight would fail. */
export function closeDorisClients(): void {
	for (const client of clients.values()) client.close();
	clients.clear();
}
