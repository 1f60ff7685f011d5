/**
 * Rows whose key is not stored yet in a partial update in strict mode on Doris 2.1 / 3.0: Doris refuses
 * them without a reason, and no redelivery can ever load them.
 *
 * What Doris does (apache/doris, 2.1 and 3.0):
 * - be/src/olap/rowset/segment_v2/segment_writer.cpp `append_block_with_partial_content`: a row whose
 *   key lookup is KEY_NOT_FOUND with `partial_update_info->is_strict_mode` is marked deleted and
 *   `++num_rows_filtered`; nothing is written to the error log (only RuntimeState::append_error_msg_to_file
 *   writes it, and it is not called there).
 * - be/src/vec/sink/writer/vtablet_writer.cpp `VTabletWriter::close`: for a strict partial update the
 *   count comes back per tablet (IndexChannel::num_rows_filtered adds the first replica's count of each
 *   tablet, after check_tablet_filtered_rows_consistency: not once per replica) and is added to the
 *   load's filtered rows (`num_rows_filtered_in_strict_mode_partial_update`), so NumberFilteredRows counts
 *   every such row, and with Max Filter Ratio 0 the load fails: "too many filtered rows".
 * - be/src/runtime/runtime_state.cpp: the error-log file is created on the first append_error_msg_to_file
 *   only; fragment_mgr.cpp `to_load_error_http_path("")` is "" and stream_load_context.cpp writes
 *   ErrorURL only when it is not empty. So a refusal without ErrorURL had no row with a reason: every row
 *   it filtered is a new key, and NumberFilteredRows is their exact count.
 * Doris 3.1 decides new keys by `partial_update_new_key_behavior` instead (the node sends APPEND: they
 * insert), see src/doris/stream-load/strict-mode.ts.
 */
import { StreamLoadError } from '../doris/stream-load/errors';
import type { LoadOptions } from '../doris/stream-load/options';
import { filteredRowsOf, isRowRefusal, type DorisRefusal } from './refusal';

type NewKeyLoad = Pick<LoadOptions, 'partialUpdate' | 'strictMode' | 'partialUpdateNewKeyBehavior'>;

/** A partial update in strict mode without the 3.1 header: Doris 2.1 / 3.0 (or a release the FE does not name). */
export function refusesNewKeys(load: NewKeyLoad): boolean {
	return load.partialUpdate !== undefined && load.strictMode === true && load.partialUpdateNewKeyBehavior === undefined;
}

/**
 * For a load that refuses new keys: how many rows a refusal filtered for their new key, when every row
 * it filtered was one (no ErrorURL: no row with a reason, see the header); else undefined.
 */
export function newKeysOf(error: unknown): number | undefined {
	if (!isRowRefusal(error)) return undefined;
	const errorUrl = error.response?.ErrorURL;
	if (typeof errorUrl === 'string' && errorUrl !== '') return undefined;
	const filtered = filteredRowsOf(error);
	return filtered !== undefined && filtered > 0 ? filtered : undefined;
}

const FIXES =
	'load rows whose key is new with a Doris Stream Load node without Partial Update (for a key that is not stored, it writes the same row), or upgrade Doris to 3.1, where a partial update in strict mode appends new keys';

/** The reason of a row on Rejected whose key is new (rule `doris_new_key`). */
export function newKeyRefusal(error: unknown): DorisRefusal {
	return {
		column: null,
		message: `its key is not stored in the table yet, and in a partial update in strict mode Doris 2.1 / 3.0 refuse such a row (filtered without a reason in the error log), on every delivery; ${FIXES}`,
		errorLog: [],
		label: error instanceof StreamLoadError ? (error.label ?? null) : null,
		newKey: true,
	};
}

/**
 * The refusal of a load that refuses new keys, when its filtered rows are all new keys, as an error that
 * says so and how to fix it (Doris' own message, "too many filtered rows", names neither; the execution
 * that fails with it is delivered again and fails the same way). Other errors as they are.
 */
export function explainNewKeys(error: StreamLoadError, load: NewKeyLoad): StreamLoadError {
	if (!refusesNewKeys(load)) return error;
	const newKeys = newKeysOf(error);
	if (newKeys === undefined) return error;
	const explained = new StreamLoadError(
		`${error.message} — ${newKeys} row(s) whose key is not stored in table ${error.table ?? '?'} yet: a partial update in strict mode on Doris 2.1 / 3.0 refuses them without a reason, on every delivery. ` +
			`With the Rejected output connected they go there (rule doris_new_key) and the other rows load; ${FIXES}`,
		{ kind: error.kind, retryable: error.retryable, table: error.table, label: error.label, response: error.response, cause: error, committed: error.committed, mayBeInDoris: error.mayBeInDoris },
	);
	explained.rejectedRows = error.rejectedRows;
	explained.attempts = error.attempts;
	return explained;
}
