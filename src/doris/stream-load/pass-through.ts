/**
 * Stream Load headers a user adds as they are (`where`, `json_root`, `partitions`, `merge_type`,
 * `delete`, `exec_mem_limit`, ...), and the ones refused because they would break what the node
 * promises: an execution finishes exactly when Doris holds its rows, a retry never loads twice, and the
 * body Doris reads is the body the node wrote. Each refusal names the header and the reason.
 *
 * Doris reads header names case-insensitively (the BE looks them up in libevent's header list, which
 * compares without case), so the names are compared in lower case.
 */
import type { LoadOptions } from './options';

/** Headers the node sets or owns, with why a user's value is refused (and the option to use instead). */
const REFUSED: Record<string, string> = {
	label: 'the node labels every load (Label Prefix) and retries with the same label, which is what keeps a retry from loading twice',
	authorization: 'the Doris credential authenticates every load',
	expect: 'the client sends "Expect: 100-continue" on every hop, so a refused load costs no upload and a silent BE is noticed',
	'content-length': 'the HTTP client sets it for the body it sends',
	'transfer-encoding': 'the HTTP client sets it for the body it sends',
	host: 'the HTTP client sets it for the server it sends to',
	connection: 'the HTTP client manages its connections',
	group_commit:
		'with group commit Doris chooses the label, so a retried load can load twice; use the Group Commit option, which says so',
	two_phase_commit:
		'Doris then answers Success with the transaction only pre-committed: the rows stay invisible until a commit this node never sends, while the execution would finish as loaded',
	txn_id: 'it belongs to two-phase commit (the _stream_load_2pc API), which this node does not use',
	txn_operation: 'it belongs to two-phase commit (the _stream_load_2pc API), which this node does not use',
	format: 'the node writes the body in the format it sends (Format); another value makes Doris misread every line',
	read_json_by_line: 'the node writes one JSON object per line and says so; another value makes Doris misread the body',
	strip_outer_array: 'the node writes one JSON object per line, with no outer array',
	column_separator: 'the node writes the CSV lines with its own separator; another value makes Doris split them elsewhere',
	line_delimiter: 'the node writes the CSV lines with its own delimiter; another value makes Doris split them elsewhere',
	enclose: 'the node writes the CSV lines without enclosing quotes',
	escape: 'the node writes the CSV lines without escapes',
	trim_double_quotes: 'the node writes the CSV lines without enclosing quotes',
	compress_type: 'the node compresses the body as the Compression option says; another value makes Doris misread it',
	skip_lines: 'Doris would skip the first lines of every batch: rows dropped without an error',
	fuzzy_parse:
		"Doris would read every line's keys in the first line's order: a line whose keys differ (a row without a null field, a CDC delete) would load values into the wrong columns",
	columns: 'use the Columns option (CSV: CSV Columns), which also decides the order of the CSV fields',
	jsonpaths: 'use the JSON Paths option',
	hidden_columns: 'the Deletes (CDC) option sets it for the delete sign',
	partial_columns: 'use the Partial Update option, which checks the key columns first',
	unique_key_update_mode: 'use the Partial Update option, which checks the table first',
	'function_column.sequence_col': 'use the Sequence Column option',
	timeout: 'use the Timeout option: the client waits for that timeout plus a minute',
	max_filter_ratio: 'use the Max Filter Ratio option',
	strict_mode: 'use the Strict Mode option',
	timezone: 'use the Timezone option',
	time_zone: 'use the Timezone option',
};

const MERGE_TYPES = ['APPEND', 'DELETE', 'MERGE'];

/**
 * Checks the user's extra headers against the load they join; throws an Error naming the header and the
 * reason. Returns the headers with lower-case names (the form Doris matches).
 */
export function checkPassThroughHeaders(extra: Readonly<Record<string, string>>, options: LoadOptions): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [given, value] of Object.entries(extra)) {
		const name = given.trim().toLowerCase();
		const refused = REFUSED[name];
		if (refused !== undefined) throw new Error(`Stream Load header "${given}" is refused: ${refused}`);
		if (name in headers) throw new Error(`Stream Load header "${given}" is given twice`);
		headers[name] = value;
	}
	const refuse = (name: string, why: string) => {
		throw new Error(`Stream Load header "${name}" ${JSON.stringify(headers[name] ?? '')} is refused: ${why}`);
	};
	// Doris reads json_root for JSON loads only (StreamLoadTask.setOptionalFromTSLPutRequest): with CSV it would be ignored silently.
	if (headers.json_root !== undefined && options.format !== 'json') refuse('json_root', 'it applies to the JSON format only, and Doris ignores it with CSV');
	const mergeType = headers.merge_type?.trim().toUpperCase();
	if (mergeType !== undefined) {
		// be/src/http/action/stream_load.cpp: any other value fails every load ("Invalid merge type").
		if (!MERGE_TYPES.includes(mergeType)) refuse('merge_type', 'it must be APPEND, DELETE or MERGE');
		headers.merge_type = mergeType;
		if (mergeType !== 'APPEND' && options.deleteSign === true) {
			refuse('merge_type', 'the Deletes (CDC) option already decides per row which rows delete; set Deletes to Never to let merge_type decide');
		}
	}
	// FE: MERGE needs a DELETE ON condition (the `delete` header), and any other merge type refuses one.
	if ((mergeType === 'MERGE') !== (headers.delete !== undefined)) {
		refuse(headers.delete !== undefined ? 'delete' : 'merge_type', 'merge_type MERGE goes with a delete condition (the "delete" header), and only MERGE takes one');
	}
	for (const [name, value] of Object.entries(headers)) if (value.trim() === '') refuse(name, 'it is empty (remove it, or give it a value)');
	return headers;
}
