/**
 * Why the Doris Stream Load node refuses Strict Mode off, for its settings reader and for the Kafka
 * trigger's activation check (src/common/lossy-settings.ts), which both name the setting and the fix.
 * The Doris source behind it is cited in src/doris/stream-load/strict-mode.ts: without strict mode Doris
 * loads NULL in place of a value its column cannot take and counts nothing (vfile_scanner.cpp).
 */

/** The refusal of a stored Strict Mode value, or undefined when it is on (or not set). */
export function strictModeOffRefusal(value: unknown): string | undefined {
	if (value !== false) return undefined;
	return (
		'Strict Mode off is refused: Doris then loads NULL in place of a value its column cannot take, counting nothing (the row is neither filtered nor in the error log), so the value would be lost unseen. ' +
		"Leave Strict Mode on: such a row goes to Rejected with Doris' reason. With Partial Update, Doris 3.1 and later still insert rows whose key is new in strict mode (partial_update_new_key_behavior APPEND); " +
		'Doris 2.1 / 3.0 refuse them (README, Troubleshooting: "Partial Update on Doris 2.1 / 3.0")'
	);
}
