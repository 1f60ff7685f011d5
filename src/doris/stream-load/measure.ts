/**
 * The metrics layer, outermost: the one place Stream Load metrics are reported. It opens each
 * load's history, so every attempt outcome recorded by the layers inside (success, label_exists,
 * retried) is counted the moment it happens, counts `failed` when the load gives up, and the rows
 * Doris reported once it is done.
 */
import { metrics, tableLabel } from '../../metrics/metrics';
import { LoadHistory, type AttemptOutcome, type LoadCall, type LoadRequest } from './load-call';

export interface LoadMetrics {
	attempt(table: string, outcome: AttemptOutcome): void;
	/** A load that finished: rows it put in Doris, rows Doris filtered out, rows a `where` header left out. */
	rows(table: string, loaded: number, filtered: number, unselected: number): void;
}

/** doris_stream_load_total, doris_rows_loaded_total, doris_rows_filtered_total, doris_rows_unselected_total. */
export const prometheusLoadMetrics: LoadMetrics = {
	attempt: (table, status) => metrics.streamLoads.inc({ table, status }),
	rows: (table, loaded, filtered, unselected) => {
		metrics.rowsLoaded.inc({ table }, loaded);
		if (filtered > 0) metrics.rowsFiltered.inc({ table }, filtered);
		if (unselected > 0) metrics.rowsUnselected.inc({ table }, unselected);
	},
};

/** What the metrics layer reads from a finished load. */
export interface MeasuredResult {
	labelExisted: boolean;
	loadedRows: number;
	filteredRows: number;
	unselectedRows: number;
}

export function measured<T extends MeasuredResult>(next: (call: LoadCall) => Promise<T>, sink: LoadMetrics): (request: LoadRequest) => Promise<T> {
	return async (request) => {
		const table = tableLabel(request.database, request.table);
		const history = new LoadHistory((outcome) => sink.attempt(table, outcome));
		try {
			const result = await next({ request, attempt: 0, history });
			// An earlier attempt's answer was lost: Doris has the batch, its rows are ours.
			sink.rows(table, result.labelExisted && request.rows !== undefined ? request.rows : result.loadedRows, result.filteredRows, result.unselectedRows);
			return result;
		} catch (error) {
			history.record('failed');
			throw error;
		}
	};
}
