/**
 * Doris messages that mean "this cluster's version lacks the feature", turned into a hint naming the
 * version that has it, so the failed execution says what to change.
 */
const HINTS: { pattern: RegExp; hint: string }[] = [
	{
		// be/src/http/action/stream_load.cpp (_on_header) of Doris 2.1 and 3.0.0-3.0.4; the check was
		// removed by apache/doris PR #48990 (branch-3.0: #49044, released in 3.0.5).
		pattern: /compress data of JSON format is not supported/i,
		hint: 'gzip-compressed JSON needs Doris 3.0.5 or later; on Doris 2.1 and 3.0.0-3.0.4 set Compression to None',
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
];

/** `" (hint: …)"` for a Doris message that has one, else ''. */
export function versionHint(message: string): string {
	for (const { pattern, hint } of HINTS) if (pattern.test(message)) return ` (hint: ${hint})`;
	return '';
}
