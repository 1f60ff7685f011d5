/**
 * An execution stopped in n8n while its rows wait in a shared batch: the editor's Stop or the REST
 * stop (POST /rest/executions/:id/stop), or the workflow's Timeout. What n8n 2.40.7 does then
 * (~/.cache/n8n-nodes-doris-sinker/n8n-2.40.7-*): ActiveExecutions.stopExecution (n8n
 * active-executions.js; for the Timeout, WorkflowRunner's timer, workflow-runner.js, and in queue mode
 * JobProcessor.cancelJob, scaling/job-processor.js) cancels the run's PCancelable, whose onCancel
 * (n8n-core execution-engine/workflow-execute.js setupCancellation) sets the status "canceled", aborts
 * the AbortController behind every node's getExecutionCancelSignal() and reports the run's end at once;
 * the node's pending promise is not awaited, the run is over. The Kafka trigger counts a canceled run
 * as failed and delivers its messages again (nodes/KafkaTrigger/run-execution.ts runOutcome).
 *
 * Before, the stopped execution's rows stayed in the batch and loaded with it, and the redelivery loaded
 * them a second time: a duplicate in a DUPLICATE KEY table. Now, on the signal's abort, the batcher
 * (batcher.ts) takes the execution's lines out of every batch whose body is not built yet (the open
 * one, and sealed ones still waiting for a load slot): bytes, rows, its count of calls, its deadline,
 * the memory it held (this batcher's and the process's budget). The other calls' lines close up:
 * their batch line and byte numbers shift, their own row numbers do not, so the lines Doris refuses
 * still go back to the right call as the right row. Lines in a load already sent, or already loaded,
 * cannot be taken back: reportStopped says so, naming rows, table and label, since they may load twice.
 */
import type { Owner } from './line-owners';
import { takeDeadline, type OpenBatch } from './open-batch';

/**
 * Takes `owner`'s lines out of `batch`, whose body is not built yet, and returns the rows and bytes
 * taken. `isOpen`: the batch still takes rows (its deadline seal is moved to the deadline left).
 * Throws, with the batch unchanged, only on a bug (a range that would cut a text, byte-buffer.ts drop).
 */
export function withdrawOwner<Report, X>(batch: OpenBatch<Report, X>, owner: Owner, isOpen: boolean, sealIfOpen: (batch: OpenBatch<Report, X>) => void): { rows: number; bytes: number } {
	const ranges: Array<{ from: number; to: number }> = [];
	let rows = 0;
	for (const segment of batch.segments) {
		if (segment.owner !== owner) continue;
		ranges.push({ from: segment.byte, to: segment.byte + segment.bytes });
		rows += segment.rows;
	}
	if (ranges.length === 0) return { rows: 0, bytes: 0 };
	const bytes = batch.buffer.drop(ranges);
	let line = 0;
	let byte = 0;
	const kept = [];
	for (const segment of batch.segments) {
		if (segment.owner === owner) continue;
		kept.push({ ...segment, line, byte });
		line += segment.rows;
		byte += segment.bytes;
	}
	batch.segments = kept;
	batch.rows -= rows;
	batch.executions -= 1;
	if (!owner.acceptsRejected) batch.refusing -= 1;
	// The stopped call's deadline may have been the earliest: the batch keeps the earliest of the rest.
	clearTimeout(batch.deadlineTimer);
	batch.deadlineTimer = undefined;
	batch.deadline = undefined;
	for (const other of new Set(kept.map((segment) => segment.owner))) takeDeadline(batch, other.deadline, isOpen, sealIfOpen);
	return { rows, bytes };
}

/** The owner's rows in `batch`. */
export function ownedRows(batch: { segments: ReadonlyArray<{ owner: Owner; rows: number }> }, owner: Owner): number {
	let rows = 0;
	for (const segment of batch.segments) if (segment.owner === owner) rows += segment.rows;
	return rows;
}

/**
 * Rows of a stopped call that stay where they are: in a load already sent (`sending`), in a batch that
 * loaded (`loaded`, its report), or in one whose withdrawal failed on a bug (`kept`, the error).
 */
export type StrandedRows<R> = { batchId: number; rows: number } & ({ state: 'sending' } | { state: 'loaded'; result: R } | { state: 'kept'; error: unknown });

/** What the batcher did with a stopped call's rows (BatcherHooks.onStopped). */
export interface StoppedRows<R> {
	/** Rows taken out of batches not sent yet: they load only when the execution is delivered again. */
	withdrawn: number;
	stranded: StrandedRows<R>[];
}

interface StoppedLogger {
	info(message: string, meta?: Record<string, unknown>): void;
	warn(message: string, meta?: Record<string, unknown>): void;
	error?(message: string, meta?: Record<string, unknown>): void;
}

const STOPPED = 'an execution stopped in n8n (Stop, or the workflow\'s Timeout)';
const TWICE = "a duplicate in a DUPLICATE KEY table; a UNIQUE KEY table keeps one row per key";

/**
 * Logs what became of a stopped execution's rows in `table`: an info line for rows taken out, and for
 * rows that could not be, a warning naming rows, table and label: they may load twice. `labelOf` says
 * the label of a load being sent, and of a loaded batch from its result.
 */
export function reportStopped<R>(stopped: StoppedRows<R>, table: string, labelOf: (stranded: StrandedRows<R>) => string | undefined, logger: StoppedLogger | undefined): void {
	if (stopped.withdrawn > 0) {
		logger?.info(`Stream Load into ${table}: ${stopped.withdrawn} row(s) of ${STOPPED} were taken out of the batch before it was sent; they load when the Kafka trigger delivers the execution again`, {
			table,
			rows: stopped.withdrawn,
		});
	}
	for (const stranded of stopped.stranded) {
		const label = labelOf(stranded);
		const named = label === undefined ? `batch ${stranded.batchId}` : `label "${label}"`;
		const meta = { table, label, rows: stranded.rows, batchId: stranded.batchId };
		if (stranded.state === 'kept') {
			const why = stranded.error instanceof Error ? stranded.error.message : String(stranded.error);
			(logger?.error ?? logger?.warn)?.call(logger, `Stream Load into ${table}: ${stranded.rows} row(s) of ${STOPPED} could not be taken out of ${named} (${why}): they load with it and may load again when the Kafka trigger delivers the execution again (${TWICE})`, meta);
			continue;
		}
		const what =
			stranded.state === 'sending'
				? `are in the load under ${named}, already sent: they cannot be taken back, and may load twice, under that label and again when the Kafka trigger delivers the execution again`
				: `are in Doris already (${named}) and load again when the Kafka trigger delivers the execution again`;
		logger?.warn(`Stream Load into ${table}: ${stranded.rows} row(s) of ${STOPPED} ${what} (${TWICE})`, meta);
	}
}
