import { NodeOperationError, type IDataObject, type INodeExecutionData, type IRun, type ITriggerFunctions } from 'n8n-workflow';

import type { ExecutionOutcome, RunExecution } from '../../src/kafka/consumer-options';

/** The slice of the trigger context that starts executions, so it can be driven without a node. */
export type EmitContext = Pick<ITriggerFunctions, 'emit'> & {
	helpers: Pick<ITriggerFunctions['helpers'], 'createDeferredPromise'>;
};

const OK: ExecutionOutcome = Object.freeze({ ok: true });

/**
 * Hands one execution's items to n8n and reports how the execution ended. Success means the run's
 * donePromise resolved with status "success" and no resultData.error: with the Doris Stream Load
 * node in the workflow that happens only after the batch holding its rows is loaded. Anything else
 * (error, crashed, canceled, waiting, a rejected donePromise) is a failure, so the trigger redelivers.
 *
 * `ctx.emit` is read at every call, never kept: n8n replaces it on the context for manual runs.
 * A manual run commits nothing, so nothing waits for its donePromise.
 */
export function createRunExecution(ctx: EmitContext, isManual: boolean): RunExecution {
	return async (execution, signal) => {
		// src/ produces plain JSON objects, which are IDataObject values; the types differ only in name.
		const items: INodeExecutionData[] = execution.items.map((item) => ({ json: item.json as IDataObject }));
		if (isManual) {
			ctx.emit([items]);
			return OK;
		}
		const done = ctx.helpers.createDeferredPromise<IRun>();
		ctx.emit([items], undefined, done);
		return await waitForRun(done.promise, signal);
	};
}

async function waitForRun(run: Promise<IRun>, signal: AbortSignal): Promise<ExecutionOutcome> {
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<ExecutionOutcome>((resolve) => {
		onAbort = () => resolve({ ok: false, reason: 'trigger closed before the execution finished' });
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([run.then(runOutcome, (error: unknown) => ({ ok: false as const, reason: rejectedRunReason(error) })), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}

/**
 * Status "error" with an error a node raised means the run stopped at that node: none of the
 * execution's rows is still on its way to Doris (the Stream Load node raises only once its batches
 * are settled), so a redelivery need not wait for the execution's deadline. n8n keeps the raising
 * node in resultData.error.node (n8n-core workflow-execute.js reportNodeExecutionError spreads the
 * NodeError, whose `node` is its own property), in the queue's job result too. Status "error"
 * without a node is n8n's own failure (n8n workflow-runner.js processError): in queue mode a job
 * Bull found stalled (its worker lost its lock on Redis, `job stalled more than allowable limit`)
 * while that worker may still be loading; taken as settled, the redelivery loaded the rows again
 * beside it, and under Keep Order older rows could land after newer ones. Cancelled, crashed or
 * unknown runs may likewise have left rows in a batch.
 */
export function runOutcome(run: IRun | undefined): ExecutionOutcome {
	if (!run) return { ok: false, reason: NO_RESULT };
	const error = run.data?.resultData?.error;
	if (run.status === 'success' && !error) return OK;
	const why = error?.message ? `: ${error.message}` : '';
	return { ok: false, reason: `execution ended with status "${run.status}"${why}`, settled: run.status === 'error' && raisedByNode(error) };
}

function raisedByNode(error: unknown): boolean {
	const node = typeof error === 'object' && error !== null ? (error as { node?: unknown }).node : undefined;
	return typeof node === 'object' && node !== null;
}

/**
 * n8n fails some executions before they run (a credential the workflow may not use, a node with
 * issues: workflow-runner.js failExecution) and settles the donePromise with no run, or has already
 * forgotten the execution when the trigger asks (ExecutionNotFoundError, "No active execution
 * found"): the reason is only in n8n's execution list, which the warning then points to.
 */
const NO_RESULT = "execution finished without a result: n8n failed it before it ran (see the execution in n8n's execution list for why)";

function rejectedRunReason(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const notFound = error instanceof Error && (error.name === 'ExecutionNotFoundError' || /No active execution found/.test(message));
	return notFound ? `${message}: n8n failed the execution before it ran or had already forgotten it (see n8n's execution list for why)` : message;
}

/**
 * n8n's Engine 2.0 (workflow setting `engineType: 'v2'`, n8n 2.40) refuses every emit that carries a
 * donePromise (n8n: workflows/triggers/engine-v2-active-triggers.js assertSupported), after the
 * trigger is active: each execution would fail and be redelivered forever. Refused at activation
 * instead, before the consumer joins its group.
 */
export function refuseEngineV2(ctx: Pick<ITriggerFunctions, 'getWorkflowSettings' | 'getNode'>): void {
	if (ctx.getWorkflowSettings().engineType !== 'v2') return;
	throw new NodeOperationError(
		ctx.getNode(),
		"This workflow runs on n8n's Engine 2.0 (workflow setting engineType \"v2\"), which cannot run a trigger that waits for its executions to finish",
		{
			description:
				'The Kafka Trigger (Doris Sinker) commits offsets only after an execution has loaded its rows into Doris, so it must wait for each execution. Remove the setting engineType from the workflow (or set it to "v1") and activate it again.',
		},
	);
}
