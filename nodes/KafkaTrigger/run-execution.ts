import { NodeOperationError, type IDataObject, type INodeExecutionData, type IRun, type ITriggerFunctions } from 'n8n-workflow';

import type { ExecutionOutcome, RunExecution } from '../../src/kafka/consumer-options';
import { VERSION_CHECKED_KEY } from '../shared/republished-graph';

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
export function createRunExecution(ctx: EmitContext, isManual: boolean, versionCheck?: VersionCheck): RunExecution {
	return async (execution, signal) => {
		// src/ produces plain JSON objects, which are IDataObject values; the types differ only in name.
		const items: INodeExecutionData[] = execution.items.map((item) => ({ json: item.json as IDataObject }));
		if (isManual) {
			ctx.emit([items]);
			return OK;
		}
		const done = ctx.helpers.createDeferredPromise<IRun>();
		ctx.emit([items], undefined, done);
		return await waitForRun(done.promise, signal, versionCheck);
	};
}

/**
 * What the trigger expects of each successful run when activation found a Doris node right after it
 * (nodes/shared/republished-graph.ts versionCheckingNode): that node runs in every execution of the
 * activated version, checks it from the trigger and marks the run (VERSION_CHECKED_KEY). `onMissing`
 * hears of each successful run without the mark.
 */
export interface VersionCheck {
	node: string;
	onMissing: (reason: string) => void;
}

async function waitForRun(run: Promise<IRun>, signal: AbortSignal, versionCheck?: VersionCheck): Promise<ExecutionOutcome> {
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<ExecutionOutcome>((resolve) => {
		onAbort = () => resolve({ ok: false, reason: 'trigger closed before the execution finished' });
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		const judged = run.then(
			(ended) => runOutcome(ended, versionCheck),
			(error: unknown) => ({ ok: false as const, reason: rejectedRunReason(error) }),
		);
		return await Promise.race([judged, aborted]);
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
export function runOutcome(run: IRun | undefined, versionCheck?: VersionCheck): ExecutionOutcome {
	if (!run) return { ok: false, reason: NO_RESULT };
	const error = run.data?.resultData?.error;
	if (run.status === 'success' && !error) return versionCheck === undefined || run.data?.resultData?.metadata?.[VERSION_CHECKED_KEY] !== undefined ? OK : unchecked(versionCheck);
	const why = error?.message ? `: ${error.message}` : '';
	return { ok: false, reason: `execution ended with status "${run.status}"${why}`, settled: run.status === 'error' && raisedByNode(error) };
}

/**
 * A successful run without the mark of the Doris node activation found every execution reaching: n8n ran
 * a version published after the trigger was activated in which that node did not run (removed, disabled,
 * no longer reached by every item; n8n activates the trigger again only when the trigger node itself
 * changes), so nothing checked it and its rows may be nowhere. Not counted as loaded: nothing commits,
 * the messages are delivered again until the workflow is fixed or activated again. No Doris node marked
 * it, so no row of it is on its way and the redelivery need not wait for its deadline.
 */
function unchecked(versionCheck: VersionCheck): ExecutionOutcome {
	const reason = `the execution succeeded, but the Doris node "${versionCheck.node}" that every execution reached when the trigger was activated did not check it: the workflow was published after the trigger was activated, with that node removed, disabled or no longer reached by every item (or a node put before it, a Filter, IF, Switch or Code node, let no item through to it in this execution), and n8n runs the published version without activating the trigger again (it does so only when the trigger node itself changes), so its rows may be nowhere; nothing of it is committed. Deactivate and activate the workflow so the trigger checks the version it runs (or the execution's custom data already held 10 keys when that node ran, n8n's limit)`;
	versionCheck.onMissing(reason);
	return { ok: false, reason, settled: true };
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
