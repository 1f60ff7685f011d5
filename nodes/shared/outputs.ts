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
 */
import type { IConnections, IExecuteFunctions } from 'n8n-workflow';

type OutputsContext = Pick<IExecuteFunctions, 'getNode' | 'getChildNodes'>;

/** The running Workflow's connections, when the context carries them (see the header). */
function connectionsOf(ctx: OutputsContext): IConnections | undefined {
	// Not in n8n's typed interface: the field NodeExecutionContext keeps the running Workflow in.
	const workflow = (ctx as unknown as { workflow?: { connectionsBySourceNode?: unknown } }).workflow;
	const connections = workflow?.connectionsBySourceNode;
	return connections !== null && typeof connections === 'object' ? (connections as IConnections) : undefined;
}

/**
 * The indexes of this node's main outputs that connect to at least one node, or undefined when the
 * workflow's connections cannot be read and the node has children (then it cannot tell which).
 */
export function connectedOutputs(ctx: OutputsContext): ReadonlySet<number> | undefined {
	const name = ctx.getNode().name;
	const connections = connectionsOf(ctx);
	if (connections === undefined) {
		const children = typeof ctx.getChildNodes === 'function' ? ctx.getChildNodes(name) : undefined;
		return children !== undefined && children.length === 0 ? new Set() : undefined;
	}
	const main = connections[name]?.main ?? [];
	const out = new Set<number>();
	main.forEach((targets, index) => {
		if (Array.isArray(targets) && targets.some((t) => t !== null && typeof t === 'object' && typeof t.node === 'string')) out.add(index);
	});
	return out;
}

/** Whether output `index` leads somewhere; true when it cannot be told (connectedOutputs undefined). */
export function leadsSomewhere(outputs: ReadonlySet<number> | undefined, index: number): boolean {
	return outputs === undefined || outputs.has(index);
}
