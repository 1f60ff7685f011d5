/**
 * Stream Load headers a user adds: only those whose effect the node knows and keeps visible pass, as
 * they are (PASSED); the ones the node sets or an option owns, and the ones that would break what it
 * promises (an execution finishes exactly when Doris holds its rows, a retry never loads twice, the
 * body Doris reads is the body the node wrote, a row is loaded or shown with its reason) are refused,
 * as is any other name: a header Doris adds in a later release, or one whose effect on the rows the
 * node cannot see, never reaches Doris unread. Each refusal names the header, its value and the reason.
 *
 * The names are Doris' own (be/src/http/http_common.h, read in be/src/http/action/stream_load.cpp
 * StreamLoadAction::_process_put, 2.1, 3.0, 3.1 and master). Doris reads header names
 * case-insensitively (the BE looks them up in libevent's header list, which compares without case),
 * so the names are compared in lower case.
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
		'the node sends group_commit: off_mode itself (so a table property group_commit_mode cannot switch it on); with group commit Doris chooses the label, so a retried load can load twice, and it drops rows without counting them (see the Group Commit option, which refuses it)',
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

/**
 * Headers Doris reads whose effect on the rows would be silent: a row loaded other than it was written,
 * or where nobody sees it. Refused with the reason, before anything is sent.
 */
const REFUSED_EFFECT: Record<string, string> = {
	negative:
		'Doris loads every SUM column of the table multiplied by -1 (a negative load undoes an earlier one), so each row would subtract its values instead of adding them, and the load still reports success',
	temporary_partitions:
		'the rows would load into temporary partitions, which queries do not see until a REPLACE PARTITION this node never runs, while the execution finishes as loaded and its offsets commit',
	num_as_string:
		'Doris would read every JSON number as text and convert it again by its own rules, not the values the Doris Schema node checked (without strict mode a text it cannot convert loads as NULL, counted nowhere)',
	empty_field_as_null: 'Doris would load an empty field as NULL: a row holding an empty string would lose it without an error',
	sql: 'a load given as SQL belongs to the http_stream API, not the Stream Load this node sends',
	wal_id: 'it belongs to group commit internals (write-ahead log replay), not to a client load',
	auth_code: 'it belongs to loads between Doris processes; the Doris credential authenticates every load',
};

/**
 * Headers the node passes as given, each with what it does: what a row becomes stays visible (counted,
 * filtered into the load's verdict, or a failed load), or the header does not touch the rows at all.
 */
const PASSED: Record<string, string> = {
	where: 'rows it leaves out are counted as unselected, logged, and counted in doris_rows_unselected_total',
	partitions: 'a row outside them is filtered: the load fails unless Max Filter Ratio allows it, and filtered rows are logged and counted',
	json_root: 'the JSON object each line is read from (JSON only; checked against the row fields as JSON Paths are, json-paths.ts)',
	merge_type: 'APPEND, DELETE, or MERGE with a delete condition (Deletes (CDC) Never)',
	delete: "merge_type MERGE's condition",
	exec_mem_limit: "the load's memory limit: a load exceeding it fails",
	send_batch_parallelism: 'how many senders spread the rows to the BEs; the rows are the same',
	load_to_single_tablet: 'a random-bucket table: the rows of one load go to one tablet; the rows are the same',
	memtable_on_sink_node: 'where the BEs build memtables; the rows are the same',
	load_stream_per_node: 'streams per BE; the rows are the same',
	enable_profile: "keeps the load's profile for diagnosis",
	comment: "the load's comment, shown by SHOW LOAD",
	compute_group: 'the compute group that runs the load (Doris in cloud mode)',
	cloud_cluster: 'the compute group that runs the load (Doris in cloud mode, older name)',
	partial_update_new_key_behavior:
		'a partial update of a key the table does not hold yet: APPEND inserts the row (what the node sends itself under Partial Update on Doris 3.1+), ERROR fails the load (Doris 3.1+; 2.1 / 3.0 ignore it)',
};

const MERGE_TYPES = ['APPEND', 'DELETE', 'MERGE'];

/** The value as a refusal shows it; never an authorization header's (a credential). */
function shownValue(name: string, value: string): string {
	return name === 'authorization' ? '(value not shown)' : JSON.stringify(value);
}

/**
 * Checks the user's extra headers against the load they join; throws an Error naming the header and the
 * reason. Returns the headers with lower-case names (the form Doris matches).
 */
export function checkPassThroughHeaders(extra: Readonly<Record<string, string>>, options: LoadOptions): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [given, value] of Object.entries(extra)) {
		const name = given.trim().toLowerCase();
		// What the node sends anyway (headers.ts): nothing to pass.
		if (name === 'group_commit' && value.trim().toLowerCase() === 'off_mode') continue;
		const refused = REFUSED[name] ?? REFUSED_EFFECT[name];
		if (refused !== undefined) throw new Error(`Stream Load header "${given}" ${shownValue(name, value)} is refused: ${refused}`);
		if (PASSED[name] === undefined) {
			throw new Error(
				`Stream Load header "${given}" ${shownValue(name, value)} is refused: it is not a Stream Load header this node knows the effect of, so it could change or hide rows unseen. Headers it passes: ${Object.keys(PASSED).join(', ')}`,
			);
		}
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
