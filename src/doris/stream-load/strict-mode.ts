/**
 * The Stream Load node's strict mode, which it never turns off.
 *
 * Without strict mode Doris loads NULL into a nullable column in place of a value its cast cannot
 * convert, and counts nothing: the row is neither filtered nor in the error log, and the load says
 * Success (be/src/vec/exec/scan/vfile_scanner.cpp `_convert_to_output_block`: only `if (_strict_mode)`
 * compares the source and converted null maps and filters "column(x) value is incorrect while strict
 * mode is true"; 2.1, 3.0, 3.1; the data-operate/import/handling-messy-data doc says the same). Values
 * Doris cannot convert reach it when the table changed after the Doris Schema node read it (within its
 * refresh interval), with a manual schema, or without a Doris Schema node; and with nothing refused
 * the Schema node's "schema stale" signal never fires either. So the node refuses Strict Mode off:
 * such a row goes to Rejected with Doris' reason instead.
 *
 * Partial Update is where strict mode used to be off by default, because strict mode also decided
 * what happens to a row whose key is not stored yet:
 * - Doris 2.1 / 3.0: in strict mode a partial update refuses every such row (the segment writer,
 *   be/src/olap/rowset/segment_v2/segment_writer.cpp `append_block_with_partial_content`, KEY_NOT_FOUND
 *   with `is_strict_mode`, marks it deleted and counts it filtered, without an error-log line; the
 *   3.0 handling-messy-data doc, "Restricting Partial Column Updates to Existing Columns Only").
 * - Doris 3.1: the load header `partial_update_new_key_behavior` (APPEND / ERROR, default APPEND)
 *   decides it, strict mode no longer does (apache/doris PR #41232, picked to branch-3.1 by #52290;
 *   be/src/olap/partial_update_info.cpp `handle_new_key`; the 3.x partial-column-update doc:
 *   "Starting from version 3.1.0"). Strict mode and new keys then go together: the node sends
 *   strict_mode true and partial_update_new_key_behavior APPEND, so new keys insert as before.
 * On 2.1 / 3.0 (or a release the FE does not name) a partial update cannot have both. Rather than
 * choose a silent NULL for the user, the node refuses to load until Strict Mode is set on explicitly,
 * which says that rows whose key is new are refused (they go to Rejected as `doris_new_key`, visibly:
 * src/batch/new-keys.ts), or Doris is upgraded to 3.1. The refusal of Strict Mode off itself is
 * src/common/strict-mode-off.ts.
 */
import type { DorisConnection } from '../connection';
import { assertPartialUpdateTarget } from '../schema/partial-update';
import { dorisRelease, releaseAtLeast, releaseName, type ReadRelease } from '../version';
import { columnNames } from './columns';
import type { LoadOptions } from './options';

/** Whether the release takes `partial_update_new_key_behavior` (Doris 3.1+, PR #41232 / #52290). */
export function takesNewKeyBehavior(read: ReadRelease): boolean {
	return releaseAtLeast(read.release, 3, 1);
}

/**
 * Why a partial update cannot load on the cluster's release with Strict Mode set (`strictModeSet`) or
 * not, or undefined when it can: before 3.1 only an explicit Strict Mode on loads. Named for the
 * settings, the release and the rule; also the trigger's activation check (schema/table-check.ts).
 */
export function partialUpdateRefusal(read: ReadRelease, strictModeSet: boolean): string | undefined {
	if (takesNewKeyBehavior(read) || strictModeSet) return undefined;
	return (
		`Partial Update on Doris ${releaseName(read.release, read.said)} needs Strict Mode set explicitly: before 3.1 Doris either refuses every row whose key is not stored yet (strict mode) or loads NULL in place of a value it cannot convert, counting nothing (strict mode off, which the node refuses). ` +
		'Add the option Strict Mode, on: rows whose key is new then go to Rejected (rule doris_new_key; insert them with a Stream Load node without Partial Update) and the other rows load, a batch of new keys only at the cost of its one refused load, new keys scattered among stored ones at the cost of extra loads to find them; or upgrade Doris to 3.1, where new keys insert in strict mode (partial_update_new_key_behavior APPEND)'
	);
}

/**
 * The load options of a partial update for the cluster's release: strict mode with new keys
 * appended on 3.1+. On 2.1 / 3.0 strict mode refuses new keys, so the node loads only when Strict Mode
 * was set on explicitly (`strictModeSet`); else it throws partialUpdateRefusal's message.
 */
export function partialUpdateLoad(load: LoadOptions, read: ReadRelease, strictModeSet: boolean): LoadOptions {
	if (load.partialUpdate === undefined) return load;
	if (takesNewKeyBehavior(read)) return { ...load, strictMode: true, partialUpdateNewKeyBehavior: 'APPEND' };
	const refusal = partialUpdateRefusal(read, strictModeSet);
	if (refusal !== undefined) throw new Error(refusal);
	return { ...load, strictMode: true };
}

/**
 * A partial update's load options once every target table takes the update (schema/partial-update.ts,
 * through the schema cache) and the cluster's release is read: partialUpdateLoad. Throws naming the
 * table, or the setting and the release.
 */
export async function checkedPartialUpdate(connection: DorisConnection, load: LoadOptions, strictModeSet: boolean, targets: ReadonlyArray<{ database: string; table: string }>): Promise<LoadOptions> {
	if (load.partialUpdate === undefined) return load;
	// The columns the update writes: an entry `k = expr` writes k.
	const update = load.partialUpdate === 'flexible' ? { mode: 'flexible' as const } : { mode: 'fixed' as const, columns: columnNames(load.columns ?? []) };
	for (const { database, table } of targets) await assertPartialUpdateTarget(connection, database, table, update);
	return partialUpdateLoad(load, await dorisRelease(connection), strictModeSet);
}
