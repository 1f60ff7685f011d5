/**
 * doris_rows_rejected_total: every row the Doris Stream Load node puts on its Rejected output, counted
 * once, when the node hands it back (its execution's outputs), by the rule that put it there:
 * - Doris saw it: `doris_rejected` (Doris refused it), `doris_not_loaded` (it did not load while
 *   other rows of its execution did, or a failure under On Error "Continue"), `doris_uncounted` (in a
 *   load Doris committed without counting every row), `doris_new_key` (its key is not stored: a partial
 *   update in strict mode on Doris 2.1 / 3.0, new-keys.ts);
 * - taken out before the load, never sent: `csv_unwritable`, `null_sequence`, `missing_sequence`, `delete_sequence`,
 *   `delete_not_applied`, `delete_unsupported`, `delete_unordered`, `field_not_read`, `json_too_deep`.
 *
 * Counted at the node's output, not where a batch is split, so that a row is counted only when an
 * execution hands it back: a row refused in a shared batch whose execution then fails (its Rejected
 * output leads nowhere, another table of it failed) is not on any output, its execution is
 * redelivered, and counting it at the split counted it again on every redelivery. Retries of a load
 * never reach the output, so they are not counted either. A row is counted again only when an
 * execution that handed it back is itself redelivered (a node after Stream Load failed it): it is
 * then handed back again.
 *
 * Rows Doris filtered under Max Filter Ratio are not on Rejected: doris_rows_filtered_total counts
 * them. Items the Doris Schema node marked invalid and handed on are not counted here either: that
 * node counted them in sinker_rows_invalid_total.
 */
import { INVALID_FIELD, type InvalidInfo } from '../doris/schema/route-items';
import { metrics } from '../metrics/metrics';

/**
 * Counts the rejected items of one execution: one increment per (table, rule), by the number of
 * rows, so an execution with no rejected row costs a length check. Each item's table and rule are
 * read from its `_invalid` (the first reason's rule, as sinker_rows_invalid_total reads it).
 */
export function countRejectedRows(rejected: ReadonlyArray<{ json: Record<string, unknown> }>, workflow: string): void {
	if (rejected.length === 0) return;
	const counts = new Map<string, { table: string; rule: string; rows: number }>();
	for (const { json } of rejected) {
		const info = json[INVALID_FIELD] as Partial<InvalidInfo> | undefined;
		const table = typeof info?.table === 'string' ? info.table : '';
		const rule = info?.reasons?.[0]?.rule ?? 'unknown';
		const key = `${table}\n${rule}`;
		const entry = counts.get(key);
		if (entry === undefined) counts.set(key, { table, rule, rows: 1 });
		else entry.rows += 1;
	}
	for (const { table, rule, rows } of counts.values()) metrics.rowsRejected.inc({ workflow, table, rule }, rows);
}
