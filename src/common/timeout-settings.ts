/**
 * Timeouts under which an execution is given up while its rows still wait in a Doris Stream Load
 * batch. The rows are in a batch shared with other executions, so they load with it all the same,
 * and the execution's redelivery loads them again; with steady traffic every delivery can be given
 * up the same way, so the partition never commits while a DUPLICATE KEY table gains the rows on every
 * delivery (review session 19, F3: in real n8n a workflow Timeout of 3 s against a Batch Max Interval
 * of 8 s made 800 rows of 200 messages). Refused at activation, naming both values:
 * - n8n's own execution timeout, which cancels the execution (the workflow setting Timeout, else
 *   EXECUTIONS_TIMEOUT, at most EXECUTIONS_TIMEOUT_MAX when above 0: n8n 2.40.7 workflow-runner.js
 *   runMainProcess, scaling/job-processor.js in queue mode): not above a Stream Load node's Batch
 *   Max Interval, or, with Keep Order per Partition, below the trigger's Execution Timeout (the rows'
 *   deadline, up to which they may still load; n8n's clock starts after the trigger's, so equal is safe);
 * - the trigger's own Execution Timeout without Keep Order (with it a batch is sealed ahead of its
 *   rows' deadline): not above a Batch Max Interval.
 * Only the plain contradiction is refused; a timeout above the interval but short of its retries can
 * still give up an execution whose load is retried (README, Timeouts). A node on Load Immediately holds
 * no rows for its interval; a Batch Max Interval given as an expression, and a Stream Load node in a
 * sub-workflow, are not seen.
 */
import { STREAM_LOAD_NODE_TYPE } from './lossy-settings';
import { nodesReachedFrom, type GraphNode, type WorkflowGraph } from './workflow-graph';

export interface TimeoutSettings {
	/** n8n's execution timeout in seconds (n8nExecutionTimeoutSeconds); 0: none. */
	n8nTimeoutSeconds: number;
	/** Where n8n's timeout comes from, for the message. */
	n8nTimeoutSource: string;
	/** The trigger's Execution Timeout in ms; 0: none. */
	triggerTimeoutMs: number;
	keepPartitionOrder: boolean;
	/** Batch Max Interval of a node that leaves it at its default, in ms. */
	defaultIntervalMs: number;
}

/** What to change, for the error's description. */
export const TIMEOUT_SETTINGS_FIX =
	"Give executions longer than their rows may wait: without Keep Order per Partition, raise the workflow's Timeout (Workflow settings; or EXECUTIONS_TIMEOUT) and the trigger's Execution Timeout above the Doris Stream Load node's Batch Max Interval plus its retries, or lower Batch Max Interval (or turn its Load Immediately on); with Keep Order, keep the workflow's Timeout at least the trigger's Execution Timeout (raise the Timeout, or lower the Execution Timeout). Then activate the workflow again.";

/**
 * n8n's timeout for this workflow's executions in seconds, 0 for none, as n8n 2.40.7 computes it:
 * the workflow setting `executionTimeout` (-1: none) when set, else EXECUTIONS_TIMEOUT (default -1);
 * above 0 it is capped at EXECUTIONS_TIMEOUT_MAX (default 3600). Read from this process's environment:
 * in queue mode the workers' must match it.
 */
export function n8nExecutionTimeout(workflowTimeout: unknown, env: Readonly<Record<string, string | undefined>>): { seconds: number; source: string } {
	const own = typeof workflowTimeout === 'number' && Number.isFinite(workflowTimeout);
	const configured = own ? (workflowTimeout as number) : Number(env.EXECUTIONS_TIMEOUT ?? -1);
	if (!(configured > 0)) return { seconds: 0, source: 'none' };
	// n8n takes min(timeout, max) and starts no timer unless the result is above 0.
	const max = Number(env.EXECUTIONS_TIMEOUT_MAX ?? 3600);
	const seconds = Number.isFinite(max) ? Math.min(configured, max) : configured;
	if (!(seconds > 0)) return { seconds: 0, source: 'none' };
	return { seconds, source: own ? "the workflow's Timeout setting" : 'EXECUTIONS_TIMEOUT' };
}

/** The contradictions between timeouts and the Doris Stream Load nodes the trigger's items reach, one sentence each. */
export function timeoutProblems(graph: WorkflowGraph, trigger: string, settings: TimeoutSettings): string[] {
	const problems: string[] = [];
	const n8nMs = settings.n8nTimeoutSeconds * 1000;
	const n8n = `n8n cancels each execution after ${settings.n8nTimeoutSeconds} s (${settings.n8nTimeoutSource})`;
	const loadsTwice = 'an execution given up while its rows wait still has them loaded with the batch, and its redelivery loads them again (in a DUPLICATE KEY table a duplicate every time, and with steady traffic the partition may never commit)';
	if (settings.keepPartitionOrder && n8nMs > 0 && settings.triggerTimeoutMs > 0 && n8nMs < settings.triggerTimeoutMs) {
		problems.push(`${n8n}, before the trigger's Execution Timeout of ${settings.triggerTimeoutMs / 1000} s, up to which Keep Order per Partition lets an execution's rows load: ${loadsTwice}`);
	}
	for (const node of nodesReachedFrom(graph, [trigger])) {
		if (node.type !== STREAM_LOAD_NODE_TYPE || node.disabled === true || loadsImmediately(node)) continue;
		const intervalMs = batchIntervalMs(node.parameters?.batchIntervalSeconds, settings.defaultIntervalMs);
		if (intervalMs === undefined) continue;
		const waits = `Doris Stream Load node "${node.name}" may hold rows for ${intervalMs / 1000} s (Batch Max Interval) before loading them`;
		if (!settings.keepPartitionOrder && n8nMs > 0 && n8nMs <= intervalMs) problems.push(`${n8n}, but ${waits}: ${loadsTwice}`);
		if (!settings.keepPartitionOrder && settings.triggerTimeoutMs > 0 && settings.triggerTimeoutMs <= intervalMs) {
			problems.push(`the trigger gives up an execution after its Execution Timeout of ${settings.triggerTimeoutMs / 1000} s, but ${waits}: ${loadsTwice}`);
		}
	}
	return problems;
}

/** Load Immediately on (or an expression, which may be): each execution's rows load at once, no interval. */
function loadsImmediately(node: GraphNode): boolean {
	const options = node.parameters?.options;
	const value = options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>).loadImmediately : undefined;
	return value === true || (typeof value === 'string' && value.startsWith('='));
}

/** Batch Max Interval in ms: the node's number, its default when unset, undefined for an expression. */
function batchIntervalMs(value: unknown, defaultMs: number): number | undefined {
	if (value === undefined || value === null || value === '') return defaultMs;
	const seconds = typeof value === 'number' ? value : typeof value === 'string' && !value.startsWith('=') ? Number(value) : NaN;
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
