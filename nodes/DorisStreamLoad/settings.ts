import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INode } from 'n8n-workflow';

import type { BatchLimits } from '../../src/batch/batcher';
import type { LoadOptions } from '../../src/doris/stream-load/options';
import { validateLabelPrefix } from '../../src/doris/stream-load/labels';
import type { RetryPolicy } from '../../src/doris/stream-load/retry';
import { DEFAULT_BATCH_INTERVAL_S, DEFAULT_BATCH_MB, DEFAULT_BATCH_ROWS } from './description';

import type { DeleteMode } from '../../src/batch/load-items';

/** Every parameter of the node, read once, defaulted and converted to the units src/ expects. */
export interface StreamLoadSettings {
	/** Empty = the credential's default database. */
	database: string;
	table: string;
	/** Load options before the per-execution delete decision. */
	load: LoadOptions;
	deletes: DeleteMode;
	labelPrefix: string;
	batch: BatchLimits;
	retry: RetryPolicy;
	beUrls: string[];
	loadImmediately: boolean;
}

type ParamContext = Pick<IExecuteFunctions, 'getNodeParameter' | 'getNode'>;

const MB = 1024 * 1024;

type Fail = (message: string) => NodeOperationError;

function list(text: string): string[] {
	return text
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

function positive(bad: Fail, name: string, value: number): number {
	if (!Number.isFinite(value) || value <= 0) throw bad(`${name} must be a number greater than 0, not ${value}`);
	return value;
}

function urls(bad: Fail, name: string, text: string): string[] {
	return list(text).map((entry) => {
		let url: URL;
		try {
			url = new URL(entry);
		} catch {
			throw bad(`${name}: "${entry}" is not a URL (expected http://host:8040)`);
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`${name}: "${entry}" must use http or https`);
		if (url.username !== '' || url.password !== '') throw bad(`${name}: "${url.host}" must not carry credentials`);
		return `${url.protocol}//${url.host}`;
	});
}

/**
 * Reads the node's parameters (item 0: one execution loads into one target). Throws an Error that
 * names the parameter and the value when one is invalid.
 */
export function readSettings(ctx: ParamContext): StreamLoadSettings {
	const node: INode = ctx.getNode();
	// Errors name the parameter and its value; NodeOperationError so n8n shows them on the node.
	const bad: Fail = (message) => new NodeOperationError(node, message);
	const str = (name: string, fallback = '') => String(ctx.getNodeParameter(name, 0, fallback) ?? fallback).trim();
	const num = (name: string, fallback: number) => Number(ctx.getNodeParameter(name, 0, fallback));
	// The one untyped read: n8n gives a collection as a plain object; each field is checked below.
	const o = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const opt = (name: string, fallback: unknown): unknown => (o[name] === undefined || o[name] === null ? fallback : o[name]);

	const table = str('table');
	if (table === '') throw bad('Table is empty: choose a table or give its name');
	const format = str('format', 'json');
	if (format !== 'json' && format !== 'csv') throw bad(`Format "${format}" must be json or csv`);

	const columns = format === 'csv' ? list(str('csvColumns')) : list(String(opt('columns', '')));
	if (format === 'csv' && columns.length === 0) throw bad('CSV Columns is empty: the CSV format needs the order of the fields');

	const compression = String(opt('compression', 'none'));
	if (compression !== 'none' && compression !== 'gz') throw bad(`Compression "${compression}" must be none or gz`);
	const groupCommit = String(opt('groupCommit', 'off'));
	if (!['off', 'async_mode', 'sync_mode'].includes(groupCommit)) throw bad(`Group Commit "${groupCommit}" must be off, async_mode or sync_mode`);
	const deletes = String(opt('deletes', 'auto')) as DeleteMode;
	if (!['auto', 'always', 'never'].includes(deletes)) throw bad(`Deletes "${deletes}" must be auto, always or never`);

	const timeoutSeconds = Math.round(positive(bad, 'Timeout (Seconds)', Number(opt('timeoutSeconds', 600))));
	const maxFilterRatio = Number(opt('maxFilterRatio', 0));
	if (!(maxFilterRatio >= 0 && maxFilterRatio <= 1)) throw bad(`Max Filter Ratio ${maxFilterRatio} must be between 0 and 1`);
	const jsonpaths = String(opt('jsonpaths', '')).trim();
	const sequenceColumn = String(opt('sequenceColumn', '')).trim();
	const timezone = String(opt('timezone', '')).trim();

	const partialUpdate = readPartialUpdate(bad, String(opt('partialUpdate', opt('partialColumns', false) === true ? 'fixed' : 'off')), {
		format,
		columns,
		jsonpaths,
		sequenceColumn,
	});

	const load: LoadOptions = {
		format,
		columns: columns.length > 0 ? columns : undefined,
		jsonpaths: format === 'json' && jsonpaths !== '' ? jsonpaths : undefined,
		maxFilterRatio: maxFilterRatio > 0 ? maxFilterRatio : undefined,
		strictMode: opt('strictMode', false) === true ? true : undefined,
		timeoutSeconds,
		compress: compression === 'gz' ? 'gz' : undefined,
		groupCommit: groupCommit === 'off' ? undefined : (groupCommit as NonNullable<LoadOptions['groupCommit']>),
		partialUpdate,
		deleteSign: deletes === 'always' ? true : undefined,
		sequenceColumn: sequenceColumn === '' ? undefined : sequenceColumn,
		timezone: timezone === '' ? undefined : timezone,
	};

	const maxBytes = Math.round(positive(bad, 'Batch Max Size (MB)', num('batchMb', DEFAULT_BATCH_MB)) * MB);
	const bufferedMb = Number(opt('maxBufferedMb', 0));
	const maxInFlight = Math.round(positive(bad, 'Max Loads in Flight', Number(opt('maxInFlight', 1))));
	const idleMs = Number(opt('batchIdleMs', 1000));
	if (!(idleMs >= 0)) throw bad(`Batch Max Idle ${String(opt('batchIdleMs', 1000))} must be 0 or more milliseconds`);
	const batch: BatchLimits = {
		maxRows: Math.round(positive(bad, 'Batch Max Rows', num('batchRows', DEFAULT_BATCH_ROWS))),
		maxBytes,
		maxIntervalMs: Math.round(positive(bad, 'Batch Max Interval (Seconds)', num('batchIntervalSeconds', DEFAULT_BATCH_INTERVAL_S)) * 1000),
		maxBufferedBytes: bufferedMb > 0 ? Math.round(bufferedMb * MB) : maxBytes * 2,
		maxInFlight,
		maxIdleMs: idleMs > 0 ? Math.round(idleMs) : undefined,
	};

	const maxRetries = Math.round(Number(opt('maxRetries', 5)));
	if (!(maxRetries >= 0)) throw bad(`Max Retries ${String(opt('maxRetries', 5))} must be 0 or more`);
	const backoff = Number(opt('retryBackoffMs', 1000));
	if (!(backoff >= 0)) throw bad(`Retry Backoff ${backoff} must be 0 or more milliseconds`);
	const retry: RetryPolicy = {
		maxRetries,
		initialDelayMs: backoff,
		maxDelayMs: Math.max(backoff, 30_000),
		// Retries stop after two load timeouts' worth of time: long enough for a BE restart,
		// short enough that the Kafka trigger gets a verdict.
		maxElapsedMs: 2 * (timeoutSeconds + 60) * 1000,
	};

	return {
		database: str('database'),
		table,
		load,
		deletes,
		labelPrefix: validateLabelPrefix(String(opt('labelPrefix', 'n8n')).trim()),
		batch,
		retry,
		beUrls: urls(bad, 'BE Addresses', String(opt('beUrls', ''))),
		loadImmediately: opt('loadImmediately', false) === true,
	};
}

/**
 * Partial Update: off, fixed (the columns list is the update set, FE StreamLoadPlanner.plan()) or
 * flexible (Doris 3.1+). Workflows saved with the former boolean Partial Columns read as fixed.
 */
function readPartialUpdate(
	bad: Fail,
	mode: string,
	given: { format: string; columns: string[]; jsonpaths: string; sequenceColumn: string },
): LoadOptions['partialUpdate'] {
	if (mode === 'off') return undefined;
	if (mode === 'fixed') {
		if (given.columns.length === 0) {
			throw bad('Partial Update "Fixed Columns" needs Columns (CSV: CSV Columns) listing the columns to update, every key column included: Doris takes the update set from that list only');
		}
		return 'fixed';
	}
	if (mode === 'flexible') {
		if (given.format !== 'json') throw bad('Partial Update "Flexible" reads JSON lines only: set Format to JSON');
		if (given.columns.length > 0) throw bad('Partial Update "Flexible" takes the columns from each row: leave Columns empty');
		if (given.jsonpaths !== '') throw bad('Partial Update "Flexible" cannot be combined with JSON Paths');
		if (given.sequenceColumn !== '') throw bad("Partial Update \"Flexible\" cannot be combined with Sequence Column (the table's own sequence_col mapping still applies)");
		return 'flexible';
	}
	throw bad(`Partial Update "${mode}" must be off, fixed or flexible`);
}
