/**
 * Doris messages that mean "this cluster's version (or a setting, or the node's Columns) does not take
 * this load", turned into a hint naming what to change, so the failed execution says it.
 */
const HINTS: { pattern: RegExp; hint: string | ((match: RegExpExecArray) => string) }[] = [
	{
		// be/src/http/action/stream_load.cpp (_on_header) of Doris 2.1 and 3.0.0-3.0.4; the check was
		// removed by apache/doris PR #48990 (branch-3.0: #49044, released in 3.0.5).
		pattern: /compress data of JSON format is not supported/i,
		hint: 'gzip-compressed JSON needs Doris 3.0.5 or later; on Doris 2.1 and 3.0.0-3.0.4 set Compression to None',
	},
	{
		// be/src/http/action/stream_load.cpp _on_header: a JSON body without read_json_by_line over
		// streaming_load_json_max_mb (100 by default). 2.1 / 3.x: "The size of this batch exceed the max size
		// [..] of json type data"; master / 4.x: "json body size N bytes … exceeds the limit of … set by BE's
		// conf streaming_load_json_max_mb". Checked first: the master wording of the next one is a substring.
		pattern: /exceed the max size .*of json type data|json body size .*exceeds the limit of .*streaming_load_json_max_mb/i,
		hint: "set the node's Batch Max Size (MB) below the BE's streaming_load_json_max_mb, or raise that BE setting",
	},
	{
		// be/src/http/action/stream_load.cpp _on_header: Content-Length over streaming_load_max_mb (BE
		// config, 10240 by default). 2.1, 3.0, 3.1: "body exceed max size: N, data: M"; master / 4.x: "body
		// size N bytes (… MiB) exceeds the limit of M bytes (… MiB) set by BE's conf streaming_load_max_mb".
		// Every batch that large is refused, so say what to change.
		pattern: /body exceed max size|body size .*exceeds the limit of .*streaming_load_max_mb/i,
		hint: "set the node's Batch Max Size (MB) below the BE's streaming_load_max_mb, or raise that BE setting",
	},
	{
		// FE StreamLoadPlanner: the table lacks the hidden skip bitmap column (Doris 3.1+).
		pattern: /Flexible partial update can only support table with skip bitmap/i,
		hint: 'flexible partial update needs Doris 3.1 or later and the table property "enable_unique_key_skip_bitmap_column" = "true"',
	},
	{
		// FE StreamLoadPlanner.plan(): the `columns` list of a fixed partial update must hold every key.
		pattern: /Partial update should include all key columns/i,
		hint: 'list every key column of the table in the partial update columns',
	},
	// FE FileLoadScanNode.finalizeParamsForLoad (2.1, 3.0, 3.1): a column no JSON value can fill, read as
	// a field of the data (every column is one without a `columns` header): every load into the table
	// fails until the node's Columns give it an expression (src/doris/schema/opaque-columns.ts).
	{
		pattern: /HLL column must use hll_hash function, like (\S+?)=hll_hash/i,
		hint: (m) => sketchHint(m[1], 'hll_hash(<field>), or ' + m[1] + ' = hll_empty() to leave it empty'),
	},
	{
		pattern: /bitmap column (\S+) require the function return type is BITMAP/i,
		hint: (m) => sketchHint(m[1], 'to_bitmap(<field>), or ' + m[1] + ' = bitmap_empty() to leave it empty'),
	},
	{
		// Doris leaves this message unformatted ("quantile_state column %s …"): the column is not named.
		pattern: /quantile_state column \S+ require the function return type is QUANTILE_STATE/i,
		hint: () => sketchHint('<column>', 'to_quantile_state(<field>, 2048)'),
	},
];

function sketchHint(column: string, expression: string): string {
	return `add to the Stream Load node's Columns an expression for it, e.g. ${column} = ${expression}, and list the row's other columns there too`;
}

/** `" (hint: …)"` for a Doris message that has one, else ''. */
export function versionHint(message: string): string {
	for (const { pattern, hint } of HINTS) {
		const match = pattern.exec(message);
		if (match !== null) return ` (hint: ${typeof hint === 'string' ? hint : hint(match)})`;
	}
	return '';
}
