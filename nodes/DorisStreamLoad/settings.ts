import type { IExecuteFunctions } from 'n8n-workflow';

import type { BatchLimits } from '../../src/batch/batcher';
import { DELETE_MODES, type DeleteMode } from '../../src/batch/load-items';
import { validateLabelPrefix } from '../../src/doris/stream-load/labels';
import { partialUpdateFor, type LoadOptions } from '../../src/doris/stream-load/options';
import { DEFAULT_RETRY, type RetryPolicy } from '../../src/doris/stream-load/retry';
import { atLeastZero, between, flag, httpAddresses, list, oneOf, positive, required, requiredList, text } from '../../src/common/settings';
import { nodeParameters, readNodeSettings, type NodeParameters } from '../shared/settings';
import { properties } from './description';


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

/**
 * Reads the node's parameters (item 0: one execution loads into one target). A bad value fails the
 * execution with a NodeOperationError naming the field, the value and the rule.
 */
export function readSettings(ctx: ParamContext): StreamLoadSettings {
	const params = nodeParameters(properties, (name, fallback) => ctx.getNodeParameter(name, 0, fallback));
	return readNodeSettings(ctx.getNode(), () => streamLoadSettings(params));
}

function streamLoadSettings(p: NodeParameters): StreamLoadSettings {
	const { option } = p;
	const table = required('Table', p.param('table'), 'choose a table or type its name');
	const format = oneOf('Format', p.param('format'), ['json', 'csv'] as const);
	const columns = format === 'csv' ? requiredList('CSV Columns', p.param('csvColumns'), 'the CSV format needs the order of the fields') : list(option('columns'));
	const compression = oneOf('Compression', option('compression'), ['none', 'gz'] as const);
	const groupCommit = oneOf('Group Commit', option('groupCommit'), ['off', 'async_mode', 'sync_mode'] as const);
	const deletes = oneOf('Deletes', option('deletes'), DELETE_MODES);
	const timeoutSeconds = Math.round(positive('Timeout (Seconds)', option('timeoutSeconds')));
	const maxFilterRatio = between('Max Filter Ratio', option('maxFilterRatio'), 0, 1);
	const jsonpaths = text(option('jsonpaths'));
	const sequenceColumn = text(option('sequenceColumn'));
	const timezone = text(option('timezone'));
	// Workflows saved with the former boolean Partial Columns read as Fixed Columns.
	const legacyPartial = option('partialColumns', false) === true ? 'fixed' : undefined;
	const partialUpdate = partialUpdateFor(oneOf('Partial Update', option('partialUpdate', legacyPartial), ['off', 'fixed', 'flexible'] as const), {
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
		strictMode: flag(option('strictMode')) ? true : undefined,
		timeoutSeconds,
		compress: compression === 'gz' ? 'gz' : undefined,
		groupCommit: groupCommit === 'off' ? undefined : groupCommit,
		partialUpdate,
		deleteSign: deletes === 'always' ? true : undefined,
		sequenceColumn: sequenceColumn === '' ? undefined : sequenceColumn,
		timezone: timezone === '' ? undefined : timezone,
	};

	const maxBytes = Math.round(positive('Batch Max Size (MB)', p.param('batchMb')) * MB);
	const bufferedMb = Number(option('maxBufferedMb'));
	const idleMs = atLeastZero('Batch Max Idle', option('batchIdleMs'), 'milliseconds');
	const batch: BatchLimits = {
		maxRows: Math.round(positive('Batch Max Rows', p.param('batchRows'))),
		maxBytes,
		maxIntervalMs: Math.round(positive('Batch Max Interval (Seconds)', p.param('batchIntervalSeconds')) * 1000),
		// 0 (the default) = twice the batch size: one batch loading while the next fills.
		maxBufferedBytes: bufferedMb > 0 ? Math.round(bufferedMb * MB) : maxBytes * 2,
		maxInFlight: Math.round(positive('Max Loads in Flight', option('maxInFlight'))),
		maxIdleMs: idleMs > 0 ? Math.round(idleMs) : undefined,
	};

	const maxRetries = Math.round(atLeastZero('Max Retries', option('maxRetries')));
	const backoff = atLeastZero('Retry Backoff', option('retryBackoffMs'), 'milliseconds');
	const retry: RetryPolicy = {
		maxRetries,
		initialDelayMs: backoff,
		maxDelayMs: Math.max(backoff, DEFAULT_RETRY.maxDelayMs),
		// Retries stop after two load timeouts' worth of time: long enough for a BE restart,
		// short enough that the Kafka trigger gets a verdict.
		maxElapsedMs: 2 * (timeoutSeconds + 60) * 1000,
	};

	return {
		database: text(p.param('database')),
		table,
		load,
		deletes,
		labelPrefix: validateLabelPrefix(text(option('labelPrefix'))),
		batch,
		retry,
		beUrls: httpAddresses('BE Addresses', option('beUrls'), 'http://host:8040'),
		loadImmediately: flag(option('loadImmediately')),
	};
}
