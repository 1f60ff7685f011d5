/**
 * Turns load options into Stream Load request headers, rejecting anything that could smuggle a
 * second header or request into the HTTP stream (CR, LF, NUL) before a byte is sent.
 */
import { DELETE_SIGN_COLUMN } from '../../common/item-contract';
import { columnNames } from './columns';
import { assertValidLabel } from './labels';
import { DEFAULT_CSV, type LoadOptions } from './options';
import { checkPassThroughHeaders } from './pass-through';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// CR/LF end a header line; NUL and other controls are refused by servers or mis-parsed by proxies.
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused.
const FORBIDDEN_VALUE = /[\r\n\0\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** Throws an error naming the header when its name or value could break the request. */
export function checkHeader(name: string, value: string): void {
	if (!HEADER_NAME.test(name)) throw new Error(`Stream Load header name ${JSON.stringify(name)} is not a valid HTTP header name`);
	if (FORBIDDEN_VALUE.test(value)) {
		throw new Error(`Stream Load header "${name}" has a control character (CR, LF or similar) in ${JSON.stringify(value)}`);
	}
}

/** What the BE refuses with UPDATE_FLEXIBLE_COLUMNS (be/src/http/action/stream_load.cpp), refused here first. */
function checkFlexible(options: LoadOptions): void {
	const refuse = (what: string) => {
		throw new Error(`Flexible partial update cannot be combined with ${what} (Doris refuses it)`);
	};
	if (options.format !== 'json') refuse('the CSV format: it reads JSON lines only');
	if (options.columns !== undefined && options.columns.length > 0) refuse('a column list');
	if (options.jsonpaths !== undefined && options.jsonpaths !== '') refuse('JSON paths');
	if (options.sequenceColumn !== undefined && options.sequenceColumn !== '') refuse("a sequence column header (the table's own sequence_col mapping still applies)");
	for (const name of Object.keys(options.extraHeaders ?? {})) {
		if (['where', 'merge_type', 'fuzzy_parse', 'hidden_columns', 'columns', 'jsonpaths'].includes(name.toLowerCase())) refuse(`the header "${name}"`);
	}
}

/**
 * The Doris headers of one load, labelled `label`, never group commit (which the Doris Stream Load
 * node refuses: nodes/DorisStreamLoad/settings.ts).
 */
export function buildLoadHeaders(options: LoadOptions, label: string | undefined): Record<string, string> {
	const headers: Record<string, string> = {};
	const set = (name: string, value: string | number | boolean | undefined) => {
		if (value === undefined) return;
		const text = String(value);
		checkHeader(name, text);
		headers[name] = text;
	};

	if (label !== undefined) set('label', assertValidLabel(label));
	// Never group commit, whatever the table says: Doris 4.1 / master group-commits a load without this
	// header when the table's property group_commit_mode is sync_mode / async_mode, label or not (it then
	// picks the label, so a retry loads twice, and async_mode answers before the rows are committed).
	// off_mode makes the BE skip group commit before it looks at the table (be/src/http/action/stream_load.cpp
	// `_handle_group_commit`), and the FE's LoadAction takes it as no group commit, redirecting as without
	// the header (fe LoadAction.streamLoad; 2.1, 3.0, 3.1 and master accept the value). response.ts refuses
	// an answer that is a group commit's all the same.
	set('group_commit', 'off_mode');

	const flexible = options.partialUpdate === 'flexible';
	if (flexible) checkFlexible(options);
	if (options.partialUpdate === 'fixed' && (options.columns === undefined || options.columns.length === 0)) {
		// Doris takes the updated columns from `columns` only and fails every load without it.
		throw new Error('Partial update (fixed columns) needs the list of columns to update, key columns included');
	}
	let columns = options.columns;
	if (options.format === 'json') {
		set('format', 'json');
		// One object per line: Doris then applies streaming_load_max_mb (10 GB) instead of the
		// 100 MB streaming_load_json_max_mb limit of a JSON document (be/src/http/action/stream_load.cpp
		// `_on_header`, checked against Content-Length; BE config.cpp defaults).
		set('read_json_by_line', 'true');
		set('jsonpaths', options.jsonpaths);
	} else {
		const csv = options.csv ?? DEFAULT_CSV;
		set('format', 'csv');
		set('column_separator', csv.columnSeparator);
		set('line_delimiter', csv.lineDelimiter);
	}

	// A flexible partial update reads the delete sign from each JSON line and refuses hidden_columns.
	if (options.deleteSign === true && !flexible) {
		if (columns !== undefined && columns.length > 0) {
			// With a `columns` header Doris ignores `hidden_columns` (manual: "takes effect when the
			// Header does not include Columns"), so the delete sign must be one of the columns.
			if (!columnNames(columns).includes(DELETE_SIGN_COLUMN)) columns = [...columns, DELETE_SIGN_COLUMN];
		} else {
			// Stream-load manual, `hidden_columns`: "__DORIS_DELETE_SIGN__" read from the data.
			set('hidden_columns', DELETE_SIGN_COLUMN);
		}
	}
	// Entries may hold commas themselves (`dt = from_unixtime(ts, '%Y-%m-%d')`, ./columns.ts): Doris
	// splits the header with its SQL parser, so joining the entries gives back the same list.
	if (columns !== undefined && columns.length > 0) set('columns', columns.join(','));

	if (options.maxFilterRatio !== undefined) {
		if (!(options.maxFilterRatio >= 0 && options.maxFilterRatio <= 1)) {
			throw new Error(`Max filter ratio ${options.maxFilterRatio} must be between 0 and 1`);
		}
		set('max_filter_ratio', options.maxFilterRatio);
	}
	if (options.strictMode !== undefined) set('strict_mode', options.strictMode ? 'true' : 'false');
	if (options.timeoutSeconds !== undefined) {
		if (!Number.isInteger(options.timeoutSeconds) || options.timeoutSeconds < 1) {
			throw new Error(`Stream Load timeout ${options.timeoutSeconds} must be a whole number of seconds, at least 1`);
		}
		set('timeout', options.timeoutSeconds);
	}
	if (options.compress === 'gz') set('compress_type', 'gz');
	if (options.partialUpdate === 'fixed') set('partial_columns', 'true');
	if (flexible) set('unique_key_update_mode', 'UPDATE_FLEXIBLE_COLUMNS');
	// be/src/http/http_common.h HTTP_PARTIAL_UPDATE_NEW_ROW_POLICY (3.1+); only with a partial update.
	if (options.partialUpdate !== undefined) set('partial_update_new_key_behavior', options.partialUpdateNewKeyBehavior);
	// The full header name: the BE reads HTTP_FUNCTION_COLUMN + "." + HTTP_SEQUENCE_COL
	// (be/src/http/http_common.h), i.e. `function_column.sequence_col`, not `sequence_col`.
	if (options.sequenceColumn !== undefined && options.sequenceColumn !== '') {
		set('function_column.sequence_col', options.sequenceColumn);
	}
	// be/src/http/http_common.h: HTTP_TIMEZONE "timezone" (HTTP_TIME_ZONE "time_zone" is the other spelling).
	set('timezone', options.timezone === '' ? undefined : options.timezone);

	for (const [name, value] of Object.entries(checkPassThroughHeaders(options.extraHeaders ?? {}, options))) set(name, value);
	return headers;
}
