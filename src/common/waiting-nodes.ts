/**
 * Nodes that put an execution to wait (status "waiting") in a workflow the Kafka trigger feeds. n8n
 * 2.40.7 resolves the trigger's donePromise as soon as the execution is parked (n8n-core WorkflowExecute
 * processSuccessExecution: waitTill set, status "waiting"; n8n workflow-runner.js finalizeExecution), so
 * the trigger takes it for a failure and delivers the messages again; every delivery parks one more
 * copy, the partition never commits, and each copy resumes later (n8n's WaitTracker) and runs the rest
 * of the workflow: a Doris Stream Load node before or after the wait loads the same rows once per copy
 * (review session 19, F2: 5 orders gave 35 rows in 45 s). Refused wherever the trigger's rows reach,
 * before or after the Doris nodes:
 * - Wait (n8n-nodes-base.wait), unless Resume is "After Time Interval" with a literal amount under
 *   65 s: Wait.node.js execute() sleeps in-process below 65 000 ms and parks the execution from there on;
 *   "At Specified Time", "On Webhook Call" and "On Form Submitted" park it (configureAndPutToWait).
 *   An expression for the amount may give 65 s or more, so it is refused too.
 * - Form (n8n-nodes-base.form): each page parks the execution for its submission (Form.node.js
 *   putExecutionToWait); without a Form Trigger before it, which a Kafka workflow has not, it fails every
 *   execution instead ("Form Trigger node must be set before this node"), which never commits either.
 * - any node whose Operation is "sendAndWait" (n8n-workflow SEND_AND_WAIT_OPERATION: Slack, Gmail,
 *   Outlook, Teams, Discord, Telegram, Google Chat, WhatsApp, Send Email), and GitHub's "dispatchAndWait":
 *   each parks the execution until its reply or webhook comes.
 * A sub-workflow that waits parks its parent's execution as well: not visible from the trigger, so the
 * Doris nodes refuse it at run time in a sub-workflow (nodes/shared/lossy-settings.ts).
 */
import { nodesReachedFrom, type GraphNode, type WorkflowGraph } from './workflow-graph';

export const WAIT_NODE_TYPE = 'n8n-nodes-base.wait';
export const FORM_NODE_TYPE = 'n8n-nodes-base.form';
const GITHUB_NODE_TYPE = 'n8n-nodes-base.github';

/** Wait.node.js: below this many milliseconds it waits in-process, from it on it parks the execution. */
const IN_PROCESS_WAIT_LIMIT_MS = 65_000;

const UNIT_MS: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

const NEVER_COMMITS =
	'so the Kafka trigger would take each execution for a failed one and deliver its messages again, its partition would never commit, and every parked copy would later resume and run on, loading the same rows once per copy';

/** Why the node puts an execution to wait, or undefined when it does not (disabled nodes do not run). */
export function waitingNodeProblem(node: GraphNode): string | undefined {
	if (node.disabled === true) return undefined;
	const parameters = node.parameters ?? {};
	if (node.type === WAIT_NODE_TYPE) {
		const why = waitParks(node);
		return why === undefined ? undefined : `Wait node "${node.name}": ${why}, ${NEVER_COMMITS}`;
	}
	if (node.type === FORM_NODE_TYPE) {
		return `Form node "${node.name}" puts the execution to wait for a form submission (and without a Form Trigger before it fails every execution), ${NEVER_COMMITS}`;
	}
	if (parameters.operation === 'sendAndWait' || (node.type === GITHUB_NODE_TYPE && parameters.operation === 'dispatchAndWait')) {
		return `Node "${node.name}": its operation "${String(parameters.operation)}" puts the execution to wait (status "waiting") until the reply comes, ${NEVER_COMMITS}`;
	}
	return undefined;
}

/**
 * Why a Wait node parks the execution, or undefined when it sleeps in-process. Absent parameters take
 * the Wait node's defaults: Resume "After Time Interval"; version 1: 1 hour, from 1.1: 5 seconds.
 */
function waitParks(node: GraphNode): string | undefined {
	const parameters = node.parameters ?? {};
	const resume = parameters.resume ?? 'timeInterval';
	if (resume === 'webhook') return 'Resume is "On Webhook Call", which puts the execution to wait (status "waiting")';
	if (resume === 'form') return 'Resume is "On Form Submitted", which puts the execution to wait (status "waiting")';
	if (resume !== 'timeInterval') return 'Resume is "At Specified Time" (or an expression), which puts the execution to wait (status "waiting") when the time is 65 s or more away';
	const legacy = node.typeVersion !== undefined && node.typeVersion < 1.1;
	const amount = parameters.amount ?? (legacy ? 1 : 5);
	const unit = parameters.unit ?? (legacy ? 'hours' : 'seconds');
	const ms = typeof amount === 'number' && typeof unit === 'string' && UNIT_MS[unit] !== undefined ? amount * UNIT_MS[unit] : undefined;
	if (ms !== undefined && ms < IN_PROCESS_WAIT_LIMIT_MS) return undefined;
	const setting = ms === undefined ? `a Wait Amount or Unit given by an expression (${String(amount)} ${String(unit)})` : `a wait of ${String(amount)} ${unit}`;
	return `${setting}: n8n waits in-process only below 65 s and from 65 s on puts the execution to wait (status "waiting")`;
}

/** The problems of the nodes the items of `starts` reach, one sentence each; empty when none. */
export function waitingNodeProblems(graph: WorkflowGraph, starts: readonly string[]): string[] {
	return nodesReachedFrom(graph, starts).flatMap((node) => waitingNodeProblem(node) ?? []);
}

/** What to do instead, for the error's description. */
export const WAITING_NODES_FIX =
	'Remove the node from the workflow the Kafka trigger feeds (or disable it): a workflow fed by Kafka must finish in one go. Wait a fixed time under 65 s, or move approvals and notifications that wait for a reply to a workflow of their own that this one starts without waiting (Execute Workflow with Wait For Sub-Workflow Completion off, after the Doris Stream Load node\'s Loaded output), or that reads what Doris loaded.';
