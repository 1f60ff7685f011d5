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
 * A disabled node is not a destination of its own: n8n runs it as handleDisabledNode
 * (n8n-core WorkflowExecute), which passes what reached its input 0 on as its output 0 and nothing
 * else. So a connection into a disabled node leads somewhere only when it enters input 0 and that
 * node's output 0 leads somewhere in turn; a disabled dead-letter node at the end drops the rows.
 */
import { NodeConnectionTypes, NodeHelpers, NodeOperationError, type IConnections, type IExecuteFunctions, type INode, type INodeTypes } from 'n8n-workflow';

import { EXECUTE_ONCE_FIX, executeOnceMessage } from '../../src/common/execute-once';

type OutputsContext = Pick<IExecuteFunctions, 'getNode' | 'getChildNodes'>;

/** What is read of a node of the running workflow. */
type NodeFields = Pick<INode, 'name' | 'type' | 'disabled' | 'onError' | 'continueOnFail' | 'executeOnce' | 'alwaysOutputData' | 'parameters'>;

interface RunningWorkflow {
	connections: IConnections;
	/** Whether the node of that name is disabled. */
	disabled(name: string): boolean;
	nodes: NodeFields[];
}

/** The running Workflow's connections and nodes, when the context carries them (see the header). */
function workflowOf(ctx: object): RunningWorkflow | undefined {
	// Not in n8n's typed interface: the field NodeExecutionContext keeps the running Workflow in.
	const workflow = (ctx as { workflow?: { connectionsBySourceNode?: unknown; nodes?: unknown } }).workflow;
	const connections = workflow?.connectionsBySourceNode;
	if (connections === null || typeof connections !== 'object') return undefined;
	const nodes = workflow?.nodes !== null && typeof workflow?.nodes === 'object' ? (workflow.nodes as Record<string, NodeFields | undefined>) : {};
	return {
		connections: connections as IConnections,
		disabled: (name) => nodes[name]?.disabled === true,
		nodes: Object.values(nodes).filter((n): n is NodeFields => n !== null && typeof n === 'object' && typeof n.name === 'string'),
	};
}

/** The main connections of output `index` of node `name`. */
function targetsOf(workflow: RunningWorkflow, name: string, index: number): Array<{ node: string; index: number }> {
	const targets = workflow.connections[name]?.main?.[index];
	if (!Array.isArray(targets)) return [];
	return targets.filter((t) => t !== null && typeof t === 'object' && typeof t.node === 'string').map((t) => ({ node: t.node, index: typeof t.index === 'number' ? t.index : 0 }));
}

/** Whether output `index` of node `name` reaches a node that runs (see the header on disabled nodes). */
function reachesRunningNode(workflow: RunningWorkflow, name: string, index: number, passed: Set<string>): boolean {
	return targetsOf(workflow, name, index).some((target) => {
		if (!workflow.disabled(target.node)) return true;
		if (target.index !== 0 || passed.has(target.node)) return false;
		passed.add(target.node);
		return reachesRunningNode(workflow, target.node, 0, passed);
	});
}

/**
 * The indexes of this node's main outputs that lead to at least one node that runs (through disabled
 * nodes only by their output 0), or undefined when the workflow's connections cannot be read and
 * the node has children (then it cannot tell which).
 */
export function connectedOutputs(ctx: OutputsContext): ReadonlySet<number> | undefined {
	const name = ctx.getNode().name;
	const workflow = workflowOf(ctx);
	if (workflow === undefined) {
		const children = typeof ctx.getChildNodes === 'function' ? ctx.getChildNodes(name) : undefined;
		return children !== undefined && children.length === 0 ? new Set() : undefined;
	}
	return outputsLeadingSomewhere(workflow, name);
}

function outputsLeadingSomewhere(workflow: RunningWorkflow, name: string): Set<number> {
	const main = workflow.connections[name]?.main ?? [];
	const out = new Set<number>();
	main.forEach((_targets, index) => {
		if (reachesRunningNode(workflow, name, index, new Set([name]))) out.add(index);
	});
	return out;
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

function continuesOnError(node: Pick<INode, 'onError' | 'continueOnFail'>): boolean {
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
	node: Pick<INode, 'onError'>,
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
export function continuingIntoNowhere(ctx: object, type: string, indexes: { fallback: number; errorOutput: number }): NodeFields[] {
	const workflow = workflowOf(ctx);
	if (workflow === undefined) return [];
	return workflow.nodes.filter(
		(node) => node.type === type && node.disabled !== true && continuesOnError(node) && failureRoute(node, true, outputsLeadingSomewhere(workflow, node.name), indexes) === 'throw',
	);
}

/**
 * The nodes of the running workflow (read from a trigger's context at activation) that the rows of
 * node `name` can reach through main connections, `name` first; empty when the workflow cannot be read.
 * `follows(node, output)`, when given, says which outputs the walk goes on through (all by default).
 */
export function nodesReachedFrom(ctx: object, name: string, follows?: (node: NodeFields, output: number) => boolean): NodeFields[] {
	const workflow = workflowOf(ctx);
	if (workflow === undefined) return [];
	const byName = new Map(workflow.nodes.map((node) => [node.name, node]));
	const reached = [name];
	for (let k = 0; k < reached.length; k++) {
		const from = byName.get(reached[k]);
		(workflow.connections[reached[k]]?.main ?? []).forEach((targets, output) => {
			if (!Array.isArray(targets) || (follows !== undefined && from !== undefined && !follows(from, output))) return;
			for (const target of targets) if (typeof target?.node === 'string' && !reached.includes(target.node)) reached.push(target.node);
		});
	}
	return reached.flatMap((n) => byName.get(n) ?? []);
}

/**
 * Whether node `name` (of the running workflow read from a trigger's context at activation) is on On
 * Error "Continue (using error output)" with that output, the last of its main outputs, leading
 * nowhere. n8n moves the items the node failed on there (n8n-core WorkflowExecute
 * handleNodeErrorOutput) and the execution succeeds. False when the workflow or the node's type
 * cannot be read.
 */
export function errorOutputLeadsNowhere(ctx: object, name: string): boolean {
	const running = workflowOf(ctx);
	// Not in n8n's typed interface: see workflowOf; the Workflow knows its node types.
	const workflow = (ctx as { workflow?: { nodes?: Record<string, INode>; nodeTypes?: INodeTypes } }).workflow;
	const node = workflow?.nodes?.[name];
	if (running === undefined || node === undefined || node.onError !== 'continueErrorOutput' || node.disabled === true) return false;
	let outputs;
	try {
		const description = workflow?.nodeTypes?.getByNameAndVersion(node.type, node.typeVersion)?.description;
		if (description === undefined) return false;
		outputs = NodeHelpers.getConnectionTypes(NodeHelpers.getNodeOutputs(workflow as Parameters<typeof NodeHelpers.getNodeOutputs>[0], node, description));
	} catch {
		return false;
	}
	const main = outputs.filter((type) => type === NodeConnectionTypes.Main).length;
	return main > 0 && !outputsLeadingSomewhere(running, name).has(main - 1);
}

/** Whether output `index` of node `name` (read from a trigger's context) leads to no node that runs; false when the workflow cannot be read. */
export function outputLeadsNowhere(ctx: object, name: string, index: number): boolean {
	const workflow = workflowOf(ctx);
	return workflow !== undefined && !reachesRunningNode(workflow, name, index, new Set([name]));
}
