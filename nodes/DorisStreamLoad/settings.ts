import type { IExecuteFunctions } from 'n8n-workflow';

import type { BatchLimits } from '../../src/batch/batch-limits';
import { DELETE_MODES, type DeleteMode } from '../../src/batch/load-items';
import { splitColumns } from '../../src/doris/stream-load/columns';
import { validateLabelPrefix } from '../../src/doris/stream-load/labels';
import { partialUpdateFor, type LoadOptions } from '../../src/doris/stream-load/options';
import { DEFAULT_RETRY, type RetryPolicy } from '../../src/doris/stream-load/retry';
import { checkPassThroughHeaders } from '../../src/doris/stream-load/pass-through';
import { columnsListCheck } from '../../src/doris/stream-load/wire-format';
import { groupCommitRefusal } from '../../src/common/group-commit';
import { strictModeOffRefusal } from '../../src/common/strict-mode-off';
import { SettingError, atLeastZero, between, flag, httpAddresses, oneOf, positive, required, shown, text } from '../../src/common/settings';
import { nodeParameters, readNodeSettings, type NodeParameters } from '../shared/settings';
import { properties } from './description';


/** Every parameter of the node, read once, defaulted and converted to the units src/ expects. */
export interface StreamLoadSettings {
	/** Empty = the credential's default database. */
	database: string;
	/** '' when each row names its table (tableFrom 'item'). */
	table: string;
	/** The node's own table, or the one the Doris Schema node gave each row (`_doris`). */
	tableFrom: 'parameter' | 'item';
	/** Load options before the per-execution delete decision. */
	load: LoadOptions;
	deletes: DeleteMode;
	labelPrefix: string;
	batch: BatchLimits;
	retry: RetryPolicy;
	beUrls: string[];
	loadImmediately: boolean;
	/** Whether the Strict Mode option was added (on: off is refused). */
	strictModeSet: boolean;
}

/** The fallback that tells an unset Strict Mode from one set on. */
const STRICT_MODE_UNSET = Symbol('strict mode unset');

type ParamContext = Pick<IExecuteFunctions, 'getNodeParameter' | 'getNode'>;

const MB = 1024 * 1024;

/**
 * Reads the node's parameters for item 0: the load options are the node's, one per execution. A
 * Database or Table given as an expression is evaluated again for each item (execute.ts), so every
 * item may name its own target. A bad value fails the execution with a NodeOperationError naming the
 * field, the value and the rule.
 */
export function readSettings(ctx: ParamContext): StreamLoadSettings {
	const params = nodeParameters(properties, (name, fallback) => ctx.getNodeParameter(name, 0, fallback));
	return readNodeSettings(ctx.getNode(), () => streamLoadSettings(params));
}

/** Group Commit is refused, in both modes, naming why and the fix (src/common/group-commit.ts). */
function refuseGroupCommit(value: unknown): unknown {
	const refusal = groupCommitRefusal(value);
	if (refusal !== undefined) throw new Error(refusal);
	return value;
}

function streamLoadSettings(p: NodeParameters): StreamLoadSettings {
	const { option } = p;
	const tableFrom = oneOf('Table From', p.param('tableFrom'), ['parameter', 'item'] as const);
	const table = tableFrom === 'item' ? '' : required('Table', p.param('table'), 'choose a table or type its name');
	const format = oneOf('Format', p.param('format'), ['json', 'csv'] as const);
	const columns = format === 'csv' ? columnsHeader('CSV Columns', p.param('csvColumns'), 'the CSV format needs the order of the fields') : columnsHeader('Columns', option('columns'));
	const compression = oneOf('Compression', option('compression'), ['none', 'gz'] as const);
	oneOf('Group Commit', refuseGroupCommit(option('groupCommit')), ['off'] as const);
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

	const headers = extraHeaders(option('headers') as RawHeaders);
	// Unset is told apart from on: under Partial Update on Doris 2.1 / 3.0 only an explicit on loads.
	const strictModeGiven = option('strictMode', STRICT_MODE_UNSET);
	const strictModeSet = strictModeGiven !== STRICT_MODE_UNSET;
	const strictModeRefused = strictModeOffRefusal(strictModeGiven);
	if (strictModeRefused !== undefined) throw new SettingError(strictModeRefused);

	const load: LoadOptions = {
		format,
		columns: columns.length > 0 ? columns : undefined,
		jsonpaths: format === 'json' && jsonpaths !== '' ? jsonpaths : undefined,
		maxFilterRatio: maxFilterRatio > 0 ? maxFilterRatio : undefined,
		// Always strict (Strict Mode off is refused above, src/common/strict-mode-off.ts). Under Partial
		// Update the execution adds what the cluster's release needs (src/doris/stream-load/strict-mode.ts).
		strictMode: true,
		timeoutSeconds,
		compress: compression === 'gz' ? 'gz' : undefined,
		partialUpdate,
		deleteSign: deletes === 'always' ? true : undefined,
		sequenceColumn: sequenceColumn === '' ? undefined : sequenceColumn,
		timezone: timezone === '' ? undefined : timezone,
		...(Object.keys(headers).length > 0 ? { extraHeaders: headers } : {}),
	};
	passThroughHeaders(load, deletes);
	// JSON Paths and json_root this node cannot follow are refused now, naming them: it could not tell
	// which row fields Doris would leave unread (src/doris/stream-load/json-paths.ts).
	if (format === 'json') columnsListCheck(load, deletes !== 'never');

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
		database: tableFrom === 'item' ? '' : text(p.param('database')),
		table,
		tableFrom,
		load,
		deletes,
		labelPrefix: validateLabelPrefix(text(option('labelPrefix'))),
		batch,
		retry,
		beUrls: httpAddresses('BE Addresses', option('beUrls'), 'http://host:8040'),
		loadImmediately: flag(option('loadImmediately')),
		strictModeSet,
	};
}

/**
 * Prevents a `columns` header from being split where Doris would not split it: the entries are cut at
 * the commas Doris' SQL parser cuts at (src/doris/stream-load/columns.ts), never at an expression's
 * own commas or blanks. Empty is allowed unless `required` says why it may not be.
 */
function columnsHeader(label: string, value: unknown, required?: string): string[] {
	const given = text(value);
	if (given === '' && required !== undefined) throw new SettingError(`${label} is empty: ${required}`);
	return splitColumns(given, label);
}

/** The Headers fixedCollection as n8n stores it: only the rows the user added. */
interface RawHeaders {
	header?: Array<{ name?: string; value?: string }>;
}

/** Prevents a header without a name, or a name given twice, from reaching Doris (only one value would count). */
function extraHeaders(raw: RawHeaders): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const { name, value } of raw.header ?? []) {
		const key = text(name);
		if (key === '' && text(value) === '') continue;
		if (key === '') throw new SettingError(`Headers: the header with value ${shown(text(value))} has no name`);
		if (Object.keys(headers).some((k) => k.toLowerCase() === key.toLowerCase())) throw new SettingError(`Headers: "${key}" is given twice`);
		headers[key] = text(value);
	}
	return headers;
}

/**
 * Prevents a header that would break the node's promise (a label, two-phase commit, a format the body
 * is not in) or contradict another option from reaching Doris; see src/doris/stream-load/pass-through.ts.
 * Deletes (CDC) Auto sends the delete sign whenever a batch holds deletes, so merge_type DELETE / MERGE
 * needs Deletes Never.
 */
function passThroughHeaders(load: LoadOptions, deletes: DeleteMode): void {
	const headers = checkPassThroughHeaders(load.extraHeaders ?? {}, load);
	if (headers.merge_type !== undefined && headers.merge_type !== 'APPEND' && deletes !== 'never') {
		throw new SettingError(
			`Stream Load header "merge_type" ${shown(headers.merge_type)} is refused with Deletes (CDC) ${shown(deletes)}: Deletes decides per row which rows delete; set Deletes to Never to let merge_type decide`,
		);
	}
}
