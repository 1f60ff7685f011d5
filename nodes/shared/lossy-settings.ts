import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { KAFKA_TRIGGER_NODE_TYPE, LOSSY_SETTINGS_FIX, lossySettingProblems, runTimeStarts } from '../../src/common/lossy-settings';
import { startsUpstreamOf } from '../../src/common/workflow-graph';
import { WAITING_NODES_FIX, waitingNodeProblems } from '../../src/common/waiting-nodes';
import { continuesAfterThrow, failDespiteContinue, runningWorkflowOf, workflowGraphOf } from './outputs';
import { markVersionChecked, republishError, republishVerdict } from './republished-graph';

/** n8n's "When Executed by Another Workflow" node, where a sub-workflow starts (n8n-workflow EXECUTE_WORKFLOW_TRIGGER_NODE_TYPE). */
const EXECUTE_WORKFLOW_TRIGGER_NODE_TYPE = 'n8n-nodes-base.executeWorkflowTrigger';

type RunTimeContext = Pick<IExecuteFunctions, 'getNode' | 'continueOnFail'> & Partial<Pick<IExecuteFunctions, 'getMode' | 'getExecuteData'>>;

/** What one running Workflow object has been found to hold, so each execution walks it once. */
interface Verdicts {
	/** The start nodes upstream of each Doris node that ran. */
	upstream: Map<string, string[]>;
	/** The problems found from each set of starts (joined by a newline). */
	problems: Map<string, string[]>;
}

/** Keyed by the running Workflow object, which n8n builds for each execution and drops after it. */
const verdicts = new WeakMap<object, Verdicts>();

/**
 * The Kafka trigger's activation check (src/common/lossy-settings.ts) for a workflow it never saw,
 * run by a Doris node (Doris Schema mapping rows, Doris Stream Load) before it handles any row: a
 * sub-workflow its Execute Workflow node calls, waiting for it, whose success commits the parent's
 * offsets. There n8n passed rows on unloaded past a disabled Doris Stream Load node, dropped the
 * items a node on "Continue" failed on, handed a node on Execute Once the first item only, and the
 * execution succeeded: offsets committed, rows neither in Doris nor anywhere visible. Now it fails,
 * naming each node and setting as activation does, also when this node is on On Error "Continue"
 * (failDespiteContinue).
 *
 * The walk starts from the start nodes upstream of this node that ran in this execution ("When
 * Executed by Another Workflow" in a sub-workflow: n8n starts one at the first node of type
 * n8n-nodes-base.executeWorkflowTrigger, findSubworkflowStart). In an execution the Kafka trigger
 * started, its activation's checks instead, from the trigger (refuseRepublishedProblems): n8n may run a
 * version published after the trigger was activated. In a sub-workflow, also a node that puts the
 * execution to wait (src/common/waiting-nodes.ts), which parks the parent waiting for it. It runs for every other start too (a webhook, a schedule, an error
 * workflow, a retry): there no offset is committed, but rows vanishing while the execution succeeds
 * are a loss nobody sees (a webhook that answers when the last node finishes says 200 for them), and
 * a failed execution is visible where n8n shows executions and runs the error workflow. Not in a run
 * from the editor, where a user may try a node on one item or with a node disabled on purpose, and
 * nothing commits.
 *
 * Unlike activation, a Doris Schema node whose Rows output leads nowhere is not refused: in a
 * sub-workflow that output may be its result, which the parent's Execute Workflow node hands on to a
 * Doris Stream Load node. Nor Execute Once on a node that ran with at most one item on each input
 * (executeOnceLostNothing): after a schedule or a webhook, or in a sub-workflow given one packed
 * batch, n8n dropped nothing there, and refusing it failed every such execution.
 * The verdict is kept per running Workflow object and set of starts, so the
 * nodes of an execution walk it once: a few microseconds for a workflow of ten nodes.
 */
export function refuseLossySettingsAtRunTime(ctx: RunTimeContext): void {
	if (ctx.getMode?.() === 'manual') return;
	const workflow = runningWorkflowOf(ctx);
	const runData = runDataOf(ctx);
	if (workflow === undefined) return;
	const kafkaTrigger = kafkaTriggerThatRan(workflow, runData);
	if (kafkaTrigger !== undefined) return refuseRepublishedProblems(ctx, workflow, kafkaTrigger);
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return;
	let known = verdicts.get(workflow);
	if (known === undefined) {
		known = { upstream: new Map(), problems: new Map() };
		verdicts.set(workflow, known);
	}
	const name = ctx.getNode().name;
	let upstream = known.upstream.get(name);
	if (upstream === undefined) {
		upstream = startsUpstreamOf(graph, name);
		known.upstream.set(name, upstream);
	}
	const ran = runData === undefined ? undefined : (node: string) => Object.prototype.hasOwnProperty.call(runData, node);
	const starts = runTimeStarts(graph, upstream, ran);
	if (starts.length === 0) return;
	// Execute Once found harmless so far is part of the key: a node in a loop may run again with more items.
	const lostNothing = executeOnceLostNothing(runData);
	const madeUpNothing = alwaysOutputDataMadeUpNothing(runData);
	const harmless = [...graph.nodes.values()].filter((node) => node.executeOnce === true && lostNothing(node.name)).map((node) => node.name);
	const honest = [...graph.nodes.values()].filter((node) => node.alwaysOutputData === true && madeUpNothing(node.name)).map((node) => node.name);
	const key = [...starts, '', ...harmless, '', ...honest].join('\n');
	let problems = known.problems.get(key);
	if (problems === undefined) {
		problems = lossySettingProblems(graph, starts, {
			rowsMustLoadHere: false,
			executeOnceLostNothing: (node) => harmless.includes(node),
			alwaysOutputDataMadeUpNothing: (node) => honest.includes(node),
		});
		known.problems.set(key, problems);
	}
	// A parent waiting for this sub-workflow is parked with it (status "waiting"): a Kafka trigger's
	// redelivers it for ever, and every parked copy resumes and loads (src/common/waiting-nodes.ts).
	const subWorkflowStarts = starts.filter((start) => graph.nodes.get(start)?.type === EXECUTE_WORKFLOW_TRIGGER_NODE_TYPE);
	const waiting = subWorkflowStarts.length === 0 ? [] : waitingNodeProblems(graph, subWorkflowStarts);
	if (problems.length === 0 && waiting.length === 0) return;
	const description = [...(problems.length > 0 ? [LOSSY_SETTINGS_FIX] : []), ...(waiting.length > 0 ? [WAITING_NODES_FIX] : [])].join(' ');
	const error = new NodeOperationError(ctx.getNode(), [...problems, ...waiting].join('; '), { description });
	if (continuesAfterThrow(ctx)) failDespiteContinue(ctx, error);
	throw error;
}

/**
 * In an execution the Kafka trigger started: its activation checks on the version running now, which
 * may have been published after the trigger was activated (nodes/shared/republished-graph.ts).
 */
function refuseRepublishedProblems(ctx: RunTimeContext, workflow: object, trigger: string): void {
	const verdict = republishVerdict(workflow, ctx, () => workflowGraphOf(ctx), trigger);
	const error = verdict.problems.length === 0 ? markVersionChecked(ctx, workflow) : republishError(ctx, trigger, verdict);
	if (error === undefined) return;
	if (continuesAfterThrow(ctx)) failDespiteContinue(ctx, error);
	throw error;
}

/**
 * The runs of each node that ran in this execution so far, by node name; undefined when they cannot be read.
 * Not in n8n's typed interface: NodeExecutionContext keeps the execution's data in `runExecutionData`,
 * whose resultData.runData holds them (n8n-core 2.40).
 */
export function runDataOf(ctx: object): object | undefined {
	const runData = (ctx as { runExecutionData?: { resultData?: { runData?: unknown } } | null }).runExecutionData?.resultData?.runData;
	return runData !== null && typeof runData === 'object' ? runData : undefined;
}

/**
 * Whether Execute Once lost nothing on a node in this execution so far, from its runs in `runData`:
 * it ran, and every input of every run came from a node output of at most one item. Each run records
 * where each input came from (ITaskData.source: previousNode, previousNodeOutput, previousNodeRun;
 * n8n-core 2.40 WorkflowExecute), and that node's run its output items. False when any of it cannot
 * be read: a start node's input (no source), a node that has not run yet.
 */
function executeOnceLostNothing(runData: object | undefined): (name: string) => boolean {
	const runsOf = runsIn(runData);
	const atMostOneItem = (source: unknown): boolean => {
		// n8n records null for an input that received nothing.
		if (source === null) return true;
		const { previousNode, previousNodeOutput, previousNodeRun } = (typeof source === 'object' ? source : {}) as Record<string, unknown>;
		if (typeof previousNode !== 'string') return false;
		const previous = runsOf(previousNode)[typeof previousNodeRun === 'number' ? previousNodeRun : 0] as { data?: { main?: unknown } } | null | undefined;
		const outputs = previous?.data?.main;
		const items: unknown = Array.isArray(outputs) ? outputs[typeof previousNodeOutput === 'number' ? previousNodeOutput : 0] : undefined;
		return Array.isArray(items) && items.length <= 1;
	};
	return (name) => {
		const runs = runsOf(name);
		return (
			runs.length > 0 &&
			runs.every((run) => {
				const sources = run !== null && typeof run === 'object' ? (run as { source?: unknown }).source : undefined;
				return Array.isArray(sources) && sources.length > 0 && sources.every(atMostOneItem);
			})
		);
	};
}

/**
 * Whether Always Output Data made up nothing on a node in this execution so far, from its runs in
 * `runData`: it ran, and every run output rows other than a lone item with an empty `json`, the one
 * n8n puts on the first output when the node outputs nothing (n8n-core 2.40 WorkflowExecute
 * ensureAlwaysOutputData). A query node set so to go on when it finds nothing, before an IF that
 * drops the empty item, failed every execution; when the empty item does reach a Doris node, that
 * node's check finds it here and fails the execution. False when the runs cannot be read.
 */
function alwaysOutputDataMadeUpNothing(runData: object | undefined): (name: string) => boolean {
	const runsOf = runsIn(runData);
	const outputRows = (run: unknown): boolean => {
		const outputs = run !== null && typeof run === 'object' ? (run as { data?: { main?: unknown } }).data?.main : undefined;
		if (!Array.isArray(outputs)) return false;
		const items = outputs.flatMap((output: unknown) => (Array.isArray(output) ? (output as unknown[]) : []));
		if (items.length !== 1) return items.length > 1;
		const json = (items[0] as { json?: unknown } | null)?.json;
		return json !== null && typeof json === 'object' && Object.keys(json).length > 0;
	};
	return (name) => {
		const runs = runsOf(name);
		return runs.length > 0 && runs.every(outputRows);
	};
}

/** The runs of a node in `runData`, by name: empty when it has not run or they cannot be read. */
function runsIn(runData: object | undefined): (name: string) => unknown[] {
	return (name) => {
		const runs: unknown = runData !== undefined && Object.prototype.hasOwnProperty.call(runData, name) ? (runData as Record<string, unknown>)[name] : undefined;
		return Array.isArray(runs) ? runs : [];
	};
}

/**
 * The Kafka trigger that started this execution (it ran in it), or undefined: told from the few nodes
 * that ran so far, before the workflow's graph is built, because per message
 * the trigger starts one execution per message, each with a Workflow object of its own (about 15 us
 * for 11 nodes, 135 us for 201, to build it and find the starts; told here, about 2 us at any size).
 */
function kafkaTriggerThatRan(workflow: object, runData: object | undefined): string | undefined {
	const nodes = (workflow as { nodes?: unknown }).nodes;
	if (runData === undefined || nodes === null || typeof nodes !== 'object') return undefined;
	return Object.keys(runData).find((name) => {
		const node: unknown = Object.prototype.hasOwnProperty.call(nodes, name) ? (nodes as Record<string, unknown>)[name] : undefined;
		return node !== null && typeof node === 'object' && (node as { type?: unknown }).type === KAFKA_TRIGGER_NODE_TYPE;
	});
}
