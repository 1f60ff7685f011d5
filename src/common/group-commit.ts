/**
 * Why the Doris Stream Load node refuses Doris group commit, for its settings reader and for the
 * activation check (src/common/lossy-settings.ts), which both name the setting and the fix (Off).
 *
 * async_mode breaks the promise that an execution finishes only when its rows are in Doris: Doris
 * answers once the rows are in a write-ahead log on one BE and commits them later (group commit
 * manual, "async_mode"), so the trigger would commit offsets of rows not yet committed. sync_mode
 * loses rows without a word: the group commit sink (be/src/pipeline/exec/group_commit_block_sink_operator.cpp,
 * GroupCommitBlockSinkOperatorX::sink) drops a row that fits no partition with only a BE log line,
 * counted as loaded, neither filtered nor in the error log (2.1 and 3.0 as read; a later release
 * counts them), and checks max_filter_ratio only while the load holds at most
 * group_commit_memory_rows_for_max_filter_ratio rows (10,000 by default; the group commit manual says
 * the same): a bigger load commits with its refused rows dropped, so they never reach the Rejected
 * output. Doris also picks the label, so a retried load can load twice.
 */

/** The refusal of a stored Group Commit value, or undefined for Off (or none). */
export function groupCommitRefusal(value: unknown): string | undefined {
	if (value === 'async_mode') {
		return 'Group Commit "async_mode" is refused: Doris answers an async load once its rows are in a write-ahead log, before they are committed, so the execution would finish and its offsets commit before the rows are in Doris; set Group Commit to Off';
	}
	if (value === 'sync_mode') {
		return 'Group Commit "sync_mode" is refused: under group commit Doris drops rows that fit no partition without counting them (Doris 2.1 and 3.0), and checks Max Filter Ratio only while a load holds at most 10,000 rows (group_commit_memory_rows_for_max_filter_ratio), so a bigger load succeeds with the rows it refused dropped, never handed back on Rejected; Doris also picks the label, so a retried load can load twice. The node already batches rows from many executions into one load: set Group Commit to Off';
	}
	return undefined;
}
