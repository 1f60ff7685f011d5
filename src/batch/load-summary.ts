/**
 * The one item a Doris Stream Load execution returns: its rows and what the Stream Load batches that
 * held them answered (labels, transactions, loaded / filtered / unselected rows, bytes, time), summed
 * over the batches. A batch is shared by every execution whose rows it held, so its counts are the
 * batch's; the execution's own rows are `rows`.
 */
import type { DorisBatchResult } from './doris-target';

/** One Stream Load batch that held some of the execution's rows. */
export interface BatchSummary {
	label: string;
	txnId: number | null;
	status: string;
	labelExisted: boolean;
	/** This batch's rows (all executions it served). */
	rows: number;
	loadedRows: number;
	filteredRows: number;
	/** Rows a `where` header left out (Doris' NumberUnselectedRows): not loaded, by the user's choice. */
	unselectedRows: number;
	bytes: number;
	sentBytes: number;
	loadTimeMs: number;
	attempts: number;
	executionsServed: number;
	/** Labels of the loads the batch was split into when Doris refused some of its rows. */
	partLabels?: string[];
	/** Rows of the batch Doris refused (all executions it served). */
	rejectedRows?: number;
}

/** The load result of one execution: one item, whatever the number of rows. */
export interface LoadSummary {
	database: string;
	table: string;
	/** The execution's rows: packed items' counts plus the ordinary items. */
	rows: number;
	/** "Success", or the batches' statuses. */
	status: string;
	label: string | null;
	labels: string[];
	txnIds: Array<number | null>;
	loadedRows: number;
	filteredRows: number;
	/** Rows a `where` header left out, summed over the batches. */
	unselectedRows: number;
	bytes: number;
	loadTimeMs: number;
	executionsServed: number;
	/** Loaded without waiting for the batch to fill (a manual run, or Load Immediately). */
	flushedImmediately: boolean;
	/** The execution's rows Doris refused: they are on the Rejected output, not in Doris. */
	rejectedRows: number;
	batches: BatchSummary[];
}

export function summariseLoad(database: string, table: string, result: DorisBatchResult, flushedImmediately: boolean): LoadSummary {
	const batches: BatchSummary[] = result.batches.map((b) => ({
		...(b.result.parts === undefined ? {} : { partLabels: b.result.parts.map((p) => p.label), rejectedRows: b.result.rejectedRows ?? 0 }),
		label: b.result.label,
		txnId: b.result.txnId ?? null,
		status: b.result.status,
		labelExisted: b.result.labelExisted,
		rows: b.rows,
		// An earlier attempt's answer was lost: Doris has the whole batch.
		loadedRows: b.result.labelExisted ? b.rows : b.result.loadedRows,
		filteredRows: b.result.filteredRows,
		unselectedRows: b.result.unselectedRows,
		bytes: b.bytes,
		sentBytes: b.result.bytes,
		loadTimeMs: b.result.loadTimeMs,
		attempts: b.result.attempts,
		executionsServed: b.executions,
	}));
	return {
		database,
		table,
		rows: result.rows,
		status: batches.every((b) => b.status === 'Success') ? 'Success' : batches.map((b) => b.status).join(', '),
		label: batches[0]?.label ?? null,
		labels: batches.flatMap((b) => b.partLabels ?? [b.label]),
		txnIds: batches.map((b) => b.txnId),
		loadedRows: batches.reduce((s, b) => s + b.loadedRows, 0),
		filteredRows: batches.reduce((s, b) => s + b.filteredRows, 0),
		unselectedRows: batches.reduce((s, b) => s + b.unselectedRows, 0),
		bytes: batches.reduce((s, b) => s + b.bytes, 0),
		loadTimeMs: batches.reduce((s, b) => Math.max(s, b.loadTimeMs), 0),
		executionsServed: batches.reduce((s, b) => Math.max(s, b.executionsServed), 0),
		flushedImmediately,
		rejectedRows: result.rejected.length,
		batches,
	};
}
