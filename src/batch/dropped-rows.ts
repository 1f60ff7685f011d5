/**
 * Rows a load that succeeded still left out of Doris, which no execution fails for: rows Doris
 * filtered (Max Filter Ratio > 0) and rows a `where` header did not select. Each is logged with its
 * reason so the loss is visible (the metrics count them: measure.ts); a load found committed under
 * its label after its answer was lost says that such rows cannot be counted. Rows Doris left out
 * unselected without a `where` header are no setting's doing: unselectedWithoutWhere.
 */
import type { LoadResult, StreamLoadClient, StreamLoadLogger } from '../doris/stream-load/client';
import type { ErrorLogLimits } from '../doris/stream-load/error-log';
import type { LoadOptions } from '../doris/stream-load/options';
import { StreamLoadError } from '../doris/stream-load/errors';
import { refusesNewKeys } from './new-keys';
import { reasonOfErrorLine } from './refusal';

/**
 * The whole of what Doris keeps of a load's filtered rows: at most 51 (MAX_ERROR_NUM, see
 * test/ground/doris/be.ts saveErrorLog), each line cut at 1,000 characters by fetchRejectedRows. The
 * refusal's own read stops at 10 lines (DEFAULT_ERROR_LOG_LIMITS): there one reason names the failure;
 * here every row Doris dropped and the log still names is shown.
 */
export const FILTERED_ROWS_LOG_LIMITS: ErrorLogLimits = { maxBytes: 256 * 1024, maxLines: 60, timeoutMs: 5000 };

/** Logs what the successful load `result` left out of Doris (reads its error log when Doris filtered rows). */
export async function reportDroppedRows(client: Pick<StreamLoadClient, 'errorLog'>, result: LoadResult, load: LoadOptions, table: string, logger: StreamLoadLogger | undefined): Promise<void> {
	if (result.filteredRows > 0) await reportFiltered(client, result, load, table, logger);
	reportUncounted(result, load, table, logger);
}

/**
 * A load that succeeded although Doris filtered rows (Max Filter Ratio > 0): those rows are not in
 * Doris and no execution fails for them. Each row its error log names is logged with Doris' reason,
 * so the loss is visible; doris_rows_filtered_total counts them all.
 */
async function reportFiltered(client: Pick<StreamLoadClient, 'errorLog'>, result: LoadResult, load: LoadOptions, table: string, logger: StreamLoadLogger | undefined): Promise<void> {
	// A strict partial update before 3.1 filters rows whose key is new without an error-log line, and
	// Doris then sends no ErrorURL (new-keys.ts): said so, rather than a log that "could not be read".
	const errorUrl = result.response?.ErrorURL;
	if (refusesNewKeys(load) && (typeof errorUrl !== 'string' || errorUrl === '')) {
		logger?.warn(
			`Doris filtered ${result.filteredRows} row(s) of load ${result.label} into table "${table}" (Max Filter Ratio allows it): they are not in Doris. ` +
				'Doris wrote no error log for them: in a partial update in strict mode before Doris 3.1 these are rows whose key is not stored yet (Max Filter Ratio 0 sends them to Rejected as doris_new_key instead)',
		);
		return;
	}
	const lines = await client.errorLog(result, FILTERED_ROWS_LOG_LIMITS);
	const shown = lines.filter((line) => line.startsWith('Reason:'));
	const which =
		shown.length >= result.filteredRows
			? 'Reasons'
			: `Reasons of the ${shown.length} its error log names (Doris writes at most 51 rows there, and fewer are read when they are long; the other ${result.filteredRows - shown.length} are only counted)`;
	logger?.warn(
		`Doris filtered ${result.filteredRows} row(s) of load ${result.label} into table "${table}" (Max Filter Ratio allows it): they are not in Doris.` +
			(shown.length > 0 ? ` ${which}: ${shown.map(reasonOfErrorLine).join(' | ')}` : ' Its error log could not be read.'),
		{ table, label: result.label, filteredRows: result.filteredRows, errorLog: lines },
	);
}

/**
 * Rows a load left out by the user's settings, which no execution fails for: rows a `where` header
 * did not select (NumberUnselectedRows), logged with the header and counted (doris_rows_unselected_total,
 * in measure.ts). A load found committed under its label after its answer was lost has no counts at
 * all: when Max Filter Ratio or a `where` header let Doris drop rows, it says that how many cannot be
 * told (Doris keeps no per-label row counts it would answer with: get_load_state gives the state only).
 */
function reportUncounted(result: LoadResult, load: LoadOptions, table: string, logger: StreamLoadLogger | undefined): void {
	const where = whereHeader(load);
	if (result.unselectedRows > 0 && where !== undefined) {
		logger?.info(`Doris left out ${result.unselectedRows} row(s) of load ${result.label} into table "${table}" by its where header (${where}): they are not in Doris, as that header says.`, {
			table,
			label: result.label,
			unselectedRows: result.unselectedRows,
		});
	}
	if (result.labelExisted && ((load.maxFilterRatio ?? 0) > 0 || where !== undefined)) {
		logger?.warn(
			`Load ${result.label} into table "${table}" was found committed under its label after its answer was lost; it may have filtered rows (Max Filter Ratio ${load.maxFilterRatio ?? 0})` +
				(where === undefined ? '' : ` or left rows out by its where header (${where})`) +
				', which cannot be counted or logged now: its rows are reported as loaded.',
			{ table, label: result.label },
		);
	}
}

function whereHeader(load: LoadOptions): string | undefined {
	return Object.entries(load.extraHeaders ?? {}).find(([name]) => name.trim().toLowerCase() === 'where')?.[1];
}

/**
 * A load that succeeded with NumberUnselectedRows although no `where` header was sent: the rows of a
 * partition that takes no writes (its property "mutable" = "false"), which Doris skips without an
 * error-log line and counts as unselected (be/src/vec/sink/vtablet_finder.cpp `!is_mutable` →
 * num_immutable_partition_filtered_rows, added to NumberUnselectedRows when the table sink closes;
 * Doris 2.1, 3.0, 3.1). Which rows Doris does not say, and the load is committed: returned as a
 * committed error, so the batch hands every row of the load back as doris_uncounted (uncounted.ts)
 * instead of the execution succeeding without them; where no caller takes rows back, the batch logs
 * it as an error and succeeds (doris-target.ts), since a failed execution's redelivery would load the
 * other rows again and lose these again.
 */
export function unselectedWithoutWhere(result: LoadResult, load: LoadOptions, table: string): StreamLoadError | undefined {
	if (result.unselectedRows <= 0 || whereHeader(load) !== undefined) return undefined;
	const error = new StreamLoadError(
		`Stream Load into Doris table "${table}" (label ${result.label}) was committed with ${result.unselectedRows} row(s) Doris left out as unselected although no where header was sent: ` +
			'rows of a partition that takes no writes ("mutable" = "false"), which Doris skips without naming them',
		{ kind: 'doris', retryable: false, table, label: result.label, response: result.response, committed: true },
	);
	error.attempts = result.attempts;
	return error;
}
