/**
 * Glue between the batcher and the Stream Load client: the shared batch of one Doris target
 * (FE set + credentials + database + table + load options), its labels, its client and its batch
 * metrics (the Stream Load client counts its own loads).
 * `loadIntoDoris(config, rows)` is all a caller needs: it resolves once the rows are in Doris.
 * `loadPartsIntoDoris(config, parts)` takes rows and packed JSON lines (loaded as they are), in order.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

import { DELETE_SIGN_COLUMN, PACKED_ROWS_FIELD } from '../common/item-contract';
import type { DorisConnection } from '../doris/connection';
import { checkDorisName } from '../doris/names';
import { columnNames } from '../doris/stream-load/columns';
import { StreamLoadClient, type LoadResult, type StreamLoadLogger } from '../doris/stream-load/client';
import { buildLoadHeaders } from '../doris/stream-load/headers';
import { LabelFactory } from '../doris/stream-load/labels';
import type { LoadFormat, LoadOptions } from '../doris/stream-load/options';
import type { RetryPolicy } from '../doris/stream-load/retry';
import { metrics } from '../metrics/metrics';
import { TargetBatcher, type AddOptions, type AddResult, type BatchLimits, type BatchPart, type Row, isRows } from './batcher';
import { LOAD_DEFAULTS } from './load-defaults';
import { getOrCreateBatcher } from './registry';
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
	logger?: StreamLoadLogger;
}

export type DorisBatchResult = AddResult<LoadResult>;

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
	return JSON.stringify([c.feUrls, config.beUrls ?? [], c.user, hash(c.password), c.tls ?? null, config.retry, config.requestTimeoutMs ?? null]);
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
			logger: config.logger,
		});
		clients.set(key, client);
	}
	return client;
}

/** The shared batcher of a target, created on first use. Validates the options (throws naming the bad one). */
export function dorisBatcher(config: DorisTargetConfig): TargetBatcher<LoadResult> {
	// The database and table become URL path segments, columns a header: refuse what would change either.
	checkDorisName('Database', config.database);
	checkDorisName('Table', config.table);
	for (const column of columnNames(config.load.columns ?? [])) checkDorisName('Column', column);
	if (config.load.sequenceColumn !== undefined) checkDorisName('Column', config.load.sequenceColumn);
	const load = normaliseLoad(config.load);
	const labels = new LabelFactory(config.labelPrefix, config.table);
	// Fail on a bad option now, not when the first batch is sealed.
	buildLoadHeaders(load, load.groupCommit !== undefined && load.groupCommit !== 'off_mode' ? undefined : 'check');
	const serializer = createSerializer(load);
	const key = targetKey(config);
	const table = config.table;
	const batcher = getOrCreateBatcher(key, () => {
		const client = clientFor(config);
		return new TargetBatcher<LoadResult>(
			config.batch,
			serializer,
			async (batch) => {
				const label = load.groupCommit !== undefined && load.groupCommit !== 'off_mode' ? undefined : labels.next();
				const headers = buildLoadHeaders(load, label);
				const body = load.compress === 'gz' ? [await gzip(batch.body.length === 1 ? batch.body[0] : Buffer.concat(batch.body))] : batch.body;
				return await client.load({ database: config.database, table, label, headers, body, rows: batch.rows });
			},
			{
				onSeal: (b) => {
					metrics.batchRows.observe({ table }, b.rows);
					metrics.batchBytes.observe({ table }, b.bytes);
				},
				onSettled: (_b, ms) => metrics.batchFlushDuration.observe({ table }, ms / 1000),
				onBuffered: (bytes) => metrics.bufferedBytes.set({ table }, bytes),
			},
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
 * Parts as the load needs them: a chunk's last line ending in "\n" (a missing one would glue it to
 * what follows), the delete sign on every line when the load uses it. Rows-only input as it is.
 */
function prepareParts(load: LoadOptions, parts: ReadonlyArray<BatchPart>): ReadonlyArray<BatchPart> {
	let out: BatchPart[] | undefined;
	for (let i = 0; i < parts.length; i++) {
		const chunk = parts[i];
		if (isRows(chunk)) continue;
		const formatError = packedFormatError(load.format);
		if (formatError !== undefined) throw new Error(formatError);
		let text = chunk.text;
		if (text.length > 0 && !text.endsWith('\n')) text += '\n';
		if (load.deleteSign === true) text = addDeleteSignToLines(text);
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
