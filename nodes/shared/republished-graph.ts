/**
 * The Kafka trigger's activation checks, run again by a Doris node in an execution the trigger started.
 *
 * Why: under n8n 2.40.7's default publication service (N8N_USE_WORKFLOW_PUBLICATION_SERVICE=true),
 * publishing a version whose Kafka trigger node is unchanged does not activate the trigger again:
 * workflows/publication/trigger-diff.js counts a trigger node "equal" when its name, type, typeVersion,
 * webhookId, credentials and parameters are, and workflow-publication-applier.js publish() then only
 * advances the published version. Yet each emit runs the version published now
 * (workflows/triggers/trigger-execution-context.factory.js emit → resolveWorkflowData →
 * loadPublishedWorkflowData). So a later version with the Doris Stream Load node disabled ran under the
 * first version's activation: 10 of 10 rows committed, none in Doris, no dead letter (review session 19,
 * F1). Nothing the trigger holds changes on such a publish (its context keeps the activation's Workflow,
 * and the run n8n hands back through the donePromise carries no version), so the check runs where the
 * new version runs: in the Doris nodes, on the running workflow, from the Kafka trigger, with
 * activation's rules (a Rows output leading nowhere refused, Execute Once refused whatever ran).
 *
 * For an unchanged version it finds what activation found, nothing: a harmless publish fails nothing.
 * The trigger's own settings are read as stored (the trigger node is unchanged, or n8n would have
 * activated it again); a check that needs one set by an expression is skipped (activation resolved it).
 * A version in which no Doris node runs at all (the Doris nodes removed or disabled) cannot check itself:
 * where activation found a Doris node every execution reaches (right after the trigger, or after nodes
 * that hand on an item for every item: versionCheckingNode), that node marks each execution it checked
 * (VERSION_CHECKED_KEY) and the trigger counts a run without the mark as not loaded. Not covered: such a
 * version where activation found a node that may hand on nothing first (a Filter, IF, Switch or Code node
 * before the Doris nodes, which a later version makes drop every row), the trigger's activation-time
 * choices that are not refusals
 * (which Schema Registry metadata it attaches, warnings on skipped tombstones, compacted topics), and
 * Check Doris Tables on Activation (a missing table fails the load instead). README says so.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { LOAD_DEFAULTS } from '../../src/batch/load-defaults';
import { CHANGE_ORDER_FIX, changeOrderProblems } from '../../src/common/change-order';
import { LOSSY_CONTINUE_FIX, lossyContinueMessage } from '../../src/common/lossy-continue';
import { LOSSY_SETTINGS_FIX, lossySettingProblems, STREAM_LOAD_NODE_TYPE, SCHEMA_NODE_TYPE } from '../../src/common/lossy-settings';
import { STALLING_SETTINGS_FIX, stallingSettingsProblems } from '../../src/common/stalling-settings';
import { n8nExecutionTimeout, TIMEOUT_SETTINGS_FIX, timeoutProblems } from '../../src/common/timeout-settings';
import { WAITING_NODES_FIX, waitingNodeProblems } from '../../src/common/waiting-nodes';
import { nodesReachedFrom, type GraphNode, type WorkflowGraph } from '../../src/common/workflow-graph';
import { SINKER_DEFAULTS } from '../../src/kafka/consumer-options';
import { n8nEnv } from './n8n-env';
import { continuingIntoNowhere } from './outputs';

/**
 * The execution's custom data (n8n's resultData.metadata) a Doris node sets when it found the running
 * version clean from the trigger. n8n hands it to the trigger with the run, in regular mode (the full run)
 * and queue mode (job-processor.js deriveJobFinishedProps: metadata), and the trigger counts a successful
 * execution as loaded only when it is there, where activation found a Doris node every execution reaches
 * (versionCheckingNode), which then runs in every execution (nodes/KafkaTrigger/run-execution.ts): a version published later in
 * which no Doris node ran (removed, disabled, moved) is refused there. Letters, digits and underscores
 * only (n8n-core execution-metadata.js).
 */
export const VERSION_CHECKED_KEY = 'doris_sinker_version_checked';

/** The Doris Stream Load node's Rejected output, and the error output n8n adds after it. */
const STREAM_LOAD_OUTPUTS = { fallback: 1, errorOutput: 2 };

/** What the checks found in one running workflow: each problem, and the fixes of the checks that found any. */
export interface RepublishVerdict {
	problems: string[];
	fixes: string[];
}

/**
 * Keyed by the running Workflow object, which n8n builds for each execution, then by the Kafka trigger
 * the check starts from: its nodes walk it once. By trigger because a workflow may hold two Kafka
 * triggers whose rows take other paths: a verdict found from one is not the other's (late review 2,
 * H1: trigger B's disabled Stream Load node passed on trigger A's clean verdict, rows committed).
 */
const verdicts = new WeakMap<object, Map<string, RepublishVerdict>>();

/**
 * Keyed by the stored connections object the running Workflow routes by (Workflow.setConnections keeps it
 * as given), with the node objects the verdict was found on. In regular mode each emit takes the
 * published version from n8n's in-memory cache (WorkflowPublishedDataService
 * getCachedPublishedWorkflowDataForExecution; cache-manager's memory store clones on set, not on get),
 * so the executions of one version share these objects and a publish brings new ones: the walk (about
 * 40 us for the orders example, 0.9 ms for 200 nodes, bench/micro/run-time-checks.ts) runs once per
 * version, not per execution. Where they are not shared (queue-mode workers read the version from the
 * database) each execution walks once.
 */
const versionVerdicts = new WeakMap<object, { nodes: unknown[]; byTrigger: Map<string, RepublishVerdict> }>();

/**
 * The problems activation would refuse in the running workflow, from the Kafka trigger `trigger`:
 * kept per running Workflow object, so the Doris nodes of one execution (and each of their runs) pay
 * once, and per stored version where n8n shares its objects between executions.
 */
export function republishVerdict(workflow: object, ctx: object, graphOf: () => WorkflowGraph | undefined, trigger: string): RepublishVerdict {
	let ofWorkflow = verdicts.get(workflow);
	if (ofWorkflow === undefined) {
		ofWorkflow = new Map();
		verdicts.set(workflow, ofWorkflow);
	}
	let verdict = ofWorkflow.get(trigger);
	if (verdict !== undefined) return verdict;
	const { connectionsBySourceNode: connections, nodes } = workflow as { connectionsBySourceNode?: unknown; nodes?: unknown };
	const nodeObjects = nodes !== null && typeof nodes === 'object' ? Object.values(nodes) : [];
	let shared = connections !== null && typeof connections === 'object' ? versionVerdicts.get(connections) : undefined;
	if (shared === undefined || shared.nodes.length !== nodeObjects.length || !shared.nodes.every((node, i) => node === nodeObjects[i])) {
		shared = { nodes: nodeObjects, byTrigger: new Map() };
		if (connections !== null && typeof connections === 'object') versionVerdicts.set(connections, shared);
	}
	verdict = shared.byTrigger.get(trigger);
	if (verdict === undefined) {
		const graph = graphOf();
		verdict = graph === undefined ? { problems: [], fixes: [] } : activationProblems(ctx, graph, trigger);
		shared.byTrigger.set(trigger, verdict);
	}
	ofWorkflow.set(trigger, verdict);
	return verdict;
}

/** The activation checks that read only the workflow (nodes/KafkaTrigger/KafkaTrigger.node.ts trigger()). */
function activationProblems(ctx: object, graph: WorkflowGraph, trigger: string): RepublishVerdict {
	const problems: string[] = [];
	const fixes: string[] = [];
	const add = (found: string[], fix: string) => {
		if (found.length === 0) return;
		problems.push(...found);
		fixes.push(fix);
	};
	const continuing = continuingIntoNowhere(ctx, STREAM_LOAD_NODE_TYPE, STREAM_LOAD_OUTPUTS);
	add(continuing.length === 0 ? [] : [lossyContinueMessage(continuing)], LOSSY_CONTINUE_FIX);
	add(lossySettingProblems(graph, [trigger], { rowsMustLoadHere: true }), LOSSY_SETTINGS_FIX);
	add(waitingNodeProblems(graph, [trigger]), WAITING_NODES_FIX);
	const settings = storedTriggerSettings(graph.nodes.get(trigger));
	if (settings.keepPartitionOrder !== undefined && settings.tombstonesDelete !== undefined) {
		add(changeOrderProblems(graph, trigger, { keepPartitionOrder: settings.keepPartitionOrder, tombstonesDelete: settings.tombstonesDelete }), CHANGE_ORDER_FIX);
	}
	if (settings.keepPartitionOrder !== undefined) add(stallingSettingsProblems(graph, trigger, { keepPartitionOrder: settings.keepPartitionOrder }), STALLING_SETTINGS_FIX);
	if (settings.packed === true) add(packedIntoCsvProblems(graph, trigger), 'Set Format to JSON Lines on the Doris Stream Load node, or the trigger\'s Output to "One Item per Message".');
	// A publish that changes only the workflow's Timeout or a Batch Max Interval activates nothing either.
	if (settings.keepPartitionOrder !== undefined && settings.executionTimeoutMs !== undefined) {
		const n8n = n8nExecutionTimeout(runningWorkflowSettings(ctx).executionTimeout, n8nEnv(['EXECUTIONS_TIMEOUT', 'EXECUTIONS_TIMEOUT_MAX']));
		add(
			timeoutProblems(graph, trigger, {
				n8nTimeoutSeconds: n8n.seconds,
				n8nTimeoutSource: n8n.source,
				triggerTimeoutMs: settings.executionTimeoutMs,
				keepPartitionOrder: settings.keepPartitionOrder,
				defaultIntervalMs: LOAD_DEFAULTS.maxIntervalMs,
			}),
			TIMEOUT_SETTINGS_FIX,
		);
	}
	return { problems, fixes };
}

/**
 * The error a Doris node fails the execution with when the running version has problems: each named,
 * and that the version was published after the trigger was activated, with what to do.
 */
export function republishError(ctx: Pick<IExecuteFunctions, 'getNode'>, trigger: string, verdict: RepublishVerdict): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`This workflow was published after its Kafka trigger "${trigger}" was activated, and n8n runs the published version without activating the trigger again (it does so only when the trigger node itself changes), so the trigger's activation checks never saw it. The published version has: ${verdict.problems.join('; ')}`,
		{
			description: `Nothing of this execution is committed; the trigger delivers its messages again. Fix the workflow and publish it again, or deactivate and activate the workflow so the trigger checks the version it runs. ${verdict.fixes.join(' ')}`,
		},
	);
}

/**
 * The trigger's settings the checks need, as stored on its node (n8n has filled in the top-level
 * defaults, not those of the Options collection): undefined where an expression sets one.
 */
function storedTriggerSettings(node: GraphNode | undefined): { keepPartitionOrder?: boolean; tombstonesDelete?: boolean; packed?: boolean; executionTimeoutMs?: number } {
	const parameters = node?.parameters ?? {};
	const options = parameters.options !== null && typeof parameters.options === 'object' ? (parameters.options as Record<string, unknown>) : {};
	const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');
	const keep = options.keepPartitionOrder;
	const tombstones = options.tombstones;
	const output = parameters.output ?? 'message';
	return {
		keepPartitionOrder: isExpression(keep) ? undefined : keep === true,
		tombstonesDelete: isExpression(tombstones) ? undefined : tombstones === 'delete',
		packed: isExpression(output) ? undefined : output === 'batch',
		executionTimeoutMs: executionTimeoutMsOf(options.executionTimeoutSeconds),
	};
}

/** The trigger's Execution Timeout as stored: its default when unset, undefined for an expression or a non-number. */
function executionTimeoutMsOf(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return SINKER_DEFAULTS.executionTimeoutMs;
	const seconds = typeof value === 'number' ? value : NaN;
	return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** The running workflow's settings (n8n's Timeout among them), from the node's context. */
function runningWorkflowSettings(ctx: object): { executionTimeout?: unknown } {
	const read = (ctx as { getWorkflowSettings?: () => unknown }).getWorkflowSettings;
	const settings = typeof read === 'function' ? read.call(ctx) : undefined;
	return settings !== null && typeof settings === 'object' ? (settings as { executionTimeout?: unknown }) : {};
}

/** As nodes/KafkaTrigger/refuse-packed-csv.ts: a CSV Doris Stream Load node the packed items reach still packed. */
function packedIntoCsvProblems(graph: WorkflowGraph, trigger: string): string[] {
	const packedStillAt = (node: GraphNode, out: number) =>
		node.name === trigger || (node.type === SCHEMA_NODE_TYPE && out === 0 && (node.disabled === true || node.parameters?.operation !== 'getSchema'));
	return nodesReachedFrom(graph, [trigger], packedStillAt)
		.filter((node) => node.type === STREAM_LOAD_NODE_TYPE && node.disabled !== true && node.parameters?.format === 'csv')
		.map((node) => `Output is "One Item per Batch" but Doris Stream Load node "${node.name}" has Format CSV: the packed items hold JSON lines, which a CSV load refuses, so every execution would fail`);
}

/** The running Workflow objects whose execution carries the mark already (one per execution). */
const marked = new WeakSet<object>();

/**
 * Marks the execution as checked (VERSION_CHECKED_KEY), once per running Workflow object. n8n keeps at
 * most 10 custom data keys and drops more without a word (n8n-core execution-metadata.js KV_LIMIT): the
 * mark is read back, and where n8n dropped it the execution fails here, before this node loads a row
 * (late review 2, M2: the rows loaded, the trigger found no mark and redelivered them, a copy more on
 * every delivery). Returns the error to throw, or undefined.
 */
export function markVersionChecked(ctx: Pick<IExecuteFunctions, 'getNode'>, workflow: object): NodeOperationError | undefined {
	if (marked.has(workflow)) return undefined;
	let customData: { set?: (key: string, value: string) => void; get?: (key: string) => unknown } | undefined;
	try {
		// Not in every context (a test's); n8n's getter throws without run data.
		customData = (ctx as { customData?: typeof customData }).customData;
	} catch {
		customData = undefined;
	}
	if (customData?.set === undefined) return undefined;
	customData.set(VERSION_CHECKED_KEY, '1');
	if (typeof customData.get === 'function' && customData.get(VERSION_CHECKED_KEY) === undefined) {
		return new NodeOperationError(
			ctx.getNode(),
			`n8n did not keep this execution's custom data "${VERSION_CHECKED_KEY}": it keeps at most 10 keys per execution, and other nodes set 10 before this one ran. The Kafka trigger counts an execution as loaded only with that mark (it shows the version running was checked), so this execution fails before loading anything, and its messages are delivered again`,
			{ description: 'Have the nodes before this one set fewer custom data keys (Execution Data node, Code node customData.set), so one is left for the Doris nodes. Then publish the workflow again.' },
		);
	}
	marked.add(workflow);
	return undefined;
}

/**
 * n8n nodes that hand on an item for every item they get (Edit Fields, Rename Keys, No Operation, Date &
 * Time, Crypto), so a node after them runs whenever they run. A node that may hand on nothing (Filter,
 * IF, Switch, Code, Remove Duplicates, Limit, Split Out, …) is not one, nor is any other type: there the
 * walk stops. A disabled node of any type hands its input on through its first output (n8n-core
 * WorkflowExecute: a disabled node's output is its input).
 */
const ITEM_FOR_ITEM_TYPES = new Set(['n8n-nodes-base.set', 'n8n-nodes-base.renameKeys', 'n8n-nodes-base.noOp', 'n8n-nodes-base.dateTime', 'n8n-nodes-base.crypto']);

/**
 * The Doris node that runs in every execution of this version and marks it (markVersionChecked): an
 * enabled Doris Stream Load node, or an enabled Doris Schema node mapping rows (stored operation not Get
 * Schema nor an expression), reached from the trigger's output directly or through nodes that hand on an
 * item for every item (ITEM_FOR_ITEM_TYPES, not on On Error "Continue (using error output)"; disabled nodes
 * reached on their first input). n8n runs every node the trigger's items reach
 * this way. Undefined when there is none: the trigger then cannot expect the mark. (Before session 20 only a
 * Doris node right after the trigger counted: with an Edit Fields node first, a later version with the Doris
 * nodes disabled committed its messages with no row in Doris.)
 */
export function versionCheckingNode(graph: WorkflowGraph, trigger: string): string | undefined {
	const seen = new Set<string>([trigger]);
	const next = [trigger];
	for (let at = 0; at < next.length; at++) {
		for (const target of graph.mainTargets(next[at])[0] ?? []) {
			const node = graph.nodes.get(target.node);
			if (node === undefined || seen.has(node.name)) continue;
			if (node.disabled === true) {
				// n8n-core handleDisabledNode hands on its first input only: reached on another, it hands on nothing.
				if (target.index !== 0) continue;
			} else {
				if (node.type === STREAM_LOAD_NODE_TYPE) return node.name;
				const operation = node.parameters?.operation ?? 'mapRows';
				if (node.type === SCHEMA_NODE_TYPE && operation !== 'getSchema' && !(typeof operation === 'string' && operation.startsWith('='))) return node.name;
				// On Error "Continue (using error output)": an item it fails on leaves by the error output, so an
				// execution whose items all fail there reaches no Doris node, and would be refused for ever as
				// unchecked (late review session 20, V1).
				if (!ITEM_FOR_ITEM_TYPES.has(node.type) || node.onError === 'continueErrorOutput') continue;
			}
			seen.add(node.name);
			next.push(node.name);
		}
	}
	return undefined;
}
