/**
 * Which of a node's main outputs lead somewhere in the running workflow. Items a node puts on an
 * output that connects to nothing are dropped by n8n without a trace; for the Doris nodes those items
 * are rows (invalid, refused, failed), so a node must know before it hands rows to such an output.
 *
 * What n8n 2.40.7 offers: `getChildNodes` / `getParentNodes` name the nodes downstream or upstream,
 * but not which output of this node they hang off. The run data the Kafka trigger receives through
 * its donePromise carries each node's `source` with `previousNodeOutput` in regular mode only: in
 * queue mode the main process gets the status, the error and the custom data of the run, with empty
 * run data (WorkflowRunner.enqueueAndExecute). The node's own execution context holds the running
 * Workflow (its `workflow` field, set by NodeExecutionContext in regular mode and on queue workers
 * alike), whose `connectionsBySourceNode` is what n8n itself routes by; it is not part of the typed
 * interface, so it is read defensively: when it is missing (another n8n version, a test context),
 * the answer is `undefined` unless the node has no child at all (then nothing is connected).
 *
 * The walks over it (which outputs lead to a node that runs, disabled nodes passing items on through
 * their output 0 only) are n8n-free, in src/common/workflow-graph.ts.
 */
import { NodeConnectionTypes, NodeHelpers, NodeOperationError, type IExecuteFunctions, type INode, type INodeTypes } from 'n8n-workflow';

import { EXECUTE_ONCE_FIX, executeOnceMessage } from '../../src/common/execute-once';
import { graphOf, nodesReachedFrom as reachedInGraph, outputsLeadingSomewhere, type GraphNode, type StoredConnections, type WorkflowGraph } from '../../src/common/workflow-graph';

type OutputsContext = Pick<IExecuteFunctions, 'getNode' | 'getChildNodes'>;

/** The Workflow object as read here: not part of n8n's typed interface (see the header). */
interface RunningWorkflowObject {
	connectionsBySourceNode?: unknown;
	nodes?: unknown;
	nodeTypes?: INodeTypes;
}

/** The running Workflow object of a node's or trigger's context, when it carries one. */
export function runningWorkflowOf(ctx: object): object | undefined {
	// Not in n8n's typed interface: the field NodeExecutionContext keeps the running Workflow in.
	const workflow = (ctx as { workflow?: unknown }).workflow;
	return workflow !== null && typeof workflow === 'object' ? workflow : undefined;
}

/** One graph per running Workflow object: n8n builds a new one for each execution and never rewires it. */
const graphs = new WeakMap<object, WorkflowGraph>();

/** The running Workflow's nodes and connections as a graph (src/common/workflow-graph.ts), when the context carries them (see the header). */
export function workflowGraphOf(ctx: object): WorkflowGraph | undefined {
	const workflow = runningWorkflowOf(ctx) as RunningWorkflowObject | undefined;
	const connections = workflow?.connectionsBySourceNode;
	if (workflow === undefined || connections === null || typeof connections !== 'object') return undefined;
	const cached = graphs.get(workflow);
	if (cached !== undefined) return cached;
	const nodes = workflow.nodes !== null && typeof workflow.nodes === 'object' ? (workflow.nodes as Record<string, GraphNode | undefined>) : {};
	const graph = graphOf(
		Object.values(nodes).filter((n): n is GraphNode => n !== null && typeof n === 'object' && typeof n.name === 'string'),
		connections as StoredConnections,
		(name) => mainOutputCount(workflow, nodes[name] as INode | undefined),
	);
	graphs.set(workflow, graph);
	return graph;
}

/**
 * How many main outputs n8n gives the node, its error output included under On Error "Continue
 * (using error output)" (NodeHelpers.getNodeOutputs adds it); undefined when its type cannot be read.
 */
function mainOutputCount(workflow: RunningWorkflowObject, node: INode | undefined): number | undefined {
	if (node === undefined) return undefined;
	try {
		const description = workflow.nodeTypes?.getByNameAndVersion(node.type, node.typeVersion)?.description;
		if (description === undefined) return undefined;
		const outputs = NodeHelpers.getConnectionTypes(NodeHelpers.getNodeOutputs(workflow as Parameters<typeof NodeHelpers.getNodeOutputs>[0], node, description));
		return outputs.filter((type) => type === NodeConnectionTypes.Main).length;
	} catch {
		return undefined;
	}
}

/**
 * The indexes of this node's main outputs that lead to at least one node that runs (through disabled
 * nodes only by their output 0), or undefined when the workflow's connections cannot be read and
 * the node has children (then it cannot tell which).
 */
export function connectedOutputs(ctx: OutputsContext): ReadonlySet<number> | undefined {
	const name = ctx.getNode().name;
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) {
		const children = typeof ctx.getChildNodes === 'function' ? ctx.getChildNodes(name) : undefined;
		return children !== undefined && children.length === 0 ? new Set() : undefined;
	}
	return outputsLeadingSomewhere(graph, name);
}

/** Whether output `index` leads somewhere; true when it cannot be told (connectedOutputs undefined). */
export function leadsSomewhere(outputs: ReadonlySet<number> | undefined, index: number): boolean {
	return outputs === undefined || outputs.has(index);
}

/**
 * Whether n8n goes on when this node throws: On Error "Continue (regular output)", "Continue (using
 * error output)", or the older Continue On Fail flag. n8n then swallows the error and hands the
 * node's raw input on as its first output, whatever the mode (n8n-core WorkflowExecute
 * handleNodeExecutionError, 2.40.7; the error output gets nothing), and the execution can end as a
 * success, so the Kafka trigger commits its offsets. A Doris node must not throw there with rows in
 * hand: it puts them on an output where they stay visible with their reason instead.
 *
 * n8n decides by the node's own fields (WorkflowExecute.continuesOnError), which can say "continue"
 * where the context's continueOnFail() does not (Continue On Fail set with On Error "stop").
 */
export function continuesAfterThrow(ctx: Pick<IExecuteFunctions, 'getNode' | 'continueOnFail'>): boolean {
	return ctx.continueOnFail() || continuesOnError(ctx.getNode());
}

/**
 * Throws `error` so that it fails the execution although the node is on On Error "Continue" (either
 * mode) or Continue On Fail: for a Doris node with nowhere to put its rows (failureRoute says 'throw'
 * while continuesAfterThrow), where going on would hand them on as if loaded, or drop them, and let
 * the execution succeed. n8n decides whether to go on by the node of the IExecuteData it ran
 * (n8n-core 2.40 WorkflowExecute.handleNodeExecutionError: continuesOnError(executionData.node)),
 * the very object the node's context returns from getExecuteData(); that entry's node is replaced by
 * a copy on "Stop Workflow", so n8n stops, fails the execution with `error`, and a parent execution
 * waiting for it (Execute Workflow) fails in turn. Only this run of this node sees the copy: the
 * workflow's nodes (what is saved, other executions) keep the user's setting. Without getExecuteData
 * (another n8n, a test context) it throws all the same, and n8n goes on as its setting says.
 */
export function failDespiteContinue(ctx: Partial<Pick<IExecuteFunctions, 'getExecuteData'>>, error: Error): never {
	const executeData = typeof ctx.getExecuteData === 'function' ? ctx.getExecuteData() : undefined;
	if (executeData !== null && typeof executeData === 'object' && executeData.node !== null && typeof executeData.node === 'object') {
		executeData.node = { ...executeData.node, onError: 'stopWorkflow', continueOnFail: false };
	}
	throw error;
}

/**
 * A Doris node with Execute Once on, outside a run from the editor: n8n handed it the first item of
 * the execution only and dropped the others (n8n-core WorkflowExecute.handleExecuteOnce), so it
 * fails the execution instead of handling that one item, also under On Error "Continue"
 * (failDespiteContinue). The Kafka trigger refuses the setting at activation on a node the rows reach
 * (nodes/KafkaTrigger/refuse-lossy-settings.ts); this covers a workflow it never sees, a sub-workflow
 * its Execute Workflow node calls (before, in real n8n: 299 messages committed, 3 rows in Doris). In
 * the editor a user may try a node on one item on purpose, and nothing commits there.
 */
export function refuseExecuteOnce(ctx: Pick<IExecuteFunctions, 'getNode' | 'continueOnFail'> & Partial<Pick<IExecuteFunctions, 'getMode' | 'getExecuteData'>>): void {
	const node = ctx.getNode();
	if (node.executeOnce !== true || ctx.getMode?.() === 'manual') return;
	const error = new NodeOperationError(node, executeOnceMessage(node.name), { description: EXECUTE_ONCE_FIX });
	if (continuesAfterThrow(ctx)) failDespiteContinue(ctx, error);
	throw error;
}

function continuesOnError(node: { onError?: string; continueOnFail?: boolean }): boolean {
	return node.continueOnFail === true || node.onError === 'continueRegularOutput' || node.onError === 'continueErrorOutput';
}

/**
 * Where a Doris node that continues on error puts the rows of a failure (a load Doris refused after
 * its retries, a setting, the credential), given which of its outputs lead somewhere:
 * - 'throw' when the node does not continue: the execution fails and the Kafka trigger redelivers it.
 * - 'error' under On Error "Continue (using error output)" with that output leading somewhere: the
 *   node hands n8n items carrying the error, which n8n moves there (handleNodeErrorOutput).
 * - 'rejected' otherwise, when output `fallback` (the Doris Stream Load node's Rejected) leads
 *   somewhere: the rows as not loaded, with the failure as their reason.
 * - 'throw' when it does not either: nowhere is safe (the Kafka trigger refuses to activate such a
 *   workflow, continuingIntoNowhere).
 * Never the first output under "Continue (regular output)" or the older Continue On Fail, although
 * that is the output n8n calls regular: for the Doris Stream Load node it is Loaded, whose items
 * whatever follows (a summary, a notification, a No Operation node) takes for loaded rows, as the
 * trigger's activation checks do (refuse-lossy-settings.ts exempts the nodes after it). Failed rows
 * there, each with an `error` field nothing reads, were lost while the execution succeeded and the
 * trigger committed their offsets.
 */
export function failureRoute(
	node: { onError?: string },
	continues: boolean,
	outputs: ReadonlySet<number> | undefined,
	indexes: { fallback: number; errorOutput: number },
): 'throw' | 'error' | 'rejected' {
	if (!continues) return 'throw';
	if (node.onError === 'continueErrorOutput' && leadsSomewhere(outputs, indexes.errorOutput)) return 'error';
	return leadsSomewhere(outputs, indexes.fallback) ? 'rejected' : 'throw';
}

/**
 * The enabled nodes of `type` in the running workflow (read from a trigger's context at activation)
 * that continue on error with nowhere to put the rows of a failure (failureRoute says 'throw'); empty
 * when the workflow cannot be read. A throw would not stop the execution there (continuesAfterThrow):
 * n8n passes the node's raw input on as its first output, as if loaded.
 */
export function continuingIntoNowhere(ctx: object, type: string, indexes: { fallback: number; errorOutput: number }): GraphNode[] {
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return [];
	return [...graph.nodes.values()].filter(
		(node) => node.type === type && node.disabled !== true && continuesOnError(node) && failureRoute(node, true, outputsLeadingSomewhere(graph, node.name), indexes) === 'throw',
	);
}

/**
 * The nodes of the running workflow (read from a trigger's context at activation) that the rows of
 * node `name` can reach through main connections, `name` first; empty when the workflow cannot be read.
 * `follows(node, output)`, when given, says which outputs the walk goes on through (all by default).
 */
export function nodesReachedFrom(ctx: object, name: string, follows?: (node: GraphNode, output: number) => boolean): GraphNode[] {
	const graph = workflowGraphOf(ctx);
	return graph === undefined ? [] : reachedInGraph(graph, [name], follows);
}
