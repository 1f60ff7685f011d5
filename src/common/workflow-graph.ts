/**
 * A running n8n workflow as its nodes and main connections, and the walks over it that tell where
 * items can go: which outputs lead to a node that runs, which nodes a node's items reach, which start
 * nodes lead to a node. Free of n8n so it is tested alone; nodes/shared/outputs.ts reads it from the
 * Workflow object n8n runs (its `nodes` and `connectionsBySourceNode`).
 *
 * A disabled node is not a destination of its own: n8n runs it as handleDisabledNode (n8n-core
 * WorkflowExecute, 2.40), which passes what reached its input 0 on as its output 0 and nothing else.
 * So a connection into a disabled node leads somewhere only when it enters input 0 and that node's
 * output 0 leads somewhere in turn; a disabled dead-letter node at the end drops the rows.
 */

/** What is read of a node: its name, type and the settings that decide where its items go. */
export interface GraphNode {
	name: string;
	type: string;
	/** The node's version, where its parameters differ by version (a Switch node's Fallback Output). */
	typeVersion?: number;
	disabled?: boolean;
	onError?: string;
	continueOnFail?: boolean;
	executeOnce?: boolean;
	alwaysOutputData?: boolean;
	parameters?: Record<string, unknown>;
}

/** A connection's end: the node and which of its inputs. */
export interface ConnectionTarget {
	node: string;
	index: number;
}

export interface WorkflowGraph {
	/** The nodes by name. */
	nodes: ReadonlyMap<string, GraphNode>;
	/** The targets of each main output of a node, by output index. */
	mainTargets(name: string): ReadonlyArray<readonly ConnectionTarget[]>;
	/** How many main outputs the node's type gives it (the error output included), undefined when unknown. */
	mainOutputCount(name: string): number | undefined;
}

/** The main connections as n8n stores them (connectionsBySourceNode), read defensively. */
export type StoredConnections = Record<string, { main?: unknown } | undefined>;

/** A graph over `nodes` and n8n's stored `connections`; `mainOutputCount` from whoever knows node types. */
export function graphOf(nodes: Iterable<GraphNode>, connections: StoredConnections, mainOutputCount: (name: string) => number | undefined = () => undefined): WorkflowGraph {
	const byName = new Map<string, GraphNode>();
	for (const node of nodes) if (node !== null && typeof node === 'object' && typeof node.name === 'string') byName.set(node.name, node);
	const targetsBySource = new Map<string, ConnectionTarget[][]>();
	return {
		nodes: byName,
		mainOutputCount,
		mainTargets(name) {
			let targets = targetsBySource.get(name);
			if (targets === undefined) {
				const main = connections[name]?.main;
				targets = (Array.isArray(main) ? main : []).map((output: unknown) =>
					(Array.isArray(output) ? output : [])
						.filter((t): t is { node: string; index?: unknown } => t !== null && typeof t === 'object' && typeof (t as { node?: unknown }).node === 'string')
						.map((t) => ({ node: t.node, index: typeof t.index === 'number' ? t.index : 0 })),
				);
				targetsBySource.set(name, targets);
			}
			return targets;
		},
	};
}

/** Whether output `index` of node `name` reaches a node that runs (see the header on disabled nodes). */
export function reachesRunningNode(graph: WorkflowGraph, name: string, index: number, passed: Set<string> = new Set([name])): boolean {
	return (graph.mainTargets(name)[index] ?? []).some((target) => {
		if (graph.nodes.get(target.node)?.disabled !== true) return true;
		if (target.index !== 0 || passed.has(target.node)) return false;
		passed.add(target.node);
		return reachesRunningNode(graph, target.node, 0, passed);
	});
}

/** The indexes of node `name`'s main outputs that lead to at least one node that runs. */
export function outputsLeadingSomewhere(graph: WorkflowGraph, name: string): Set<number> {
	const out = new Set<number>();
	graph.mainTargets(name).forEach((_targets, index) => {
		if (reachesRunningNode(graph, name, index)) out.add(index);
	});
	return out;
}

/**
 * The nodes the items of the nodes named in `starts` can reach through main connections, the starts
 * first. `follows(node, output)`, when given, says which outputs the walk goes on through (all by default).
 */
export function nodesReachedFrom(graph: WorkflowGraph, starts: readonly string[], follows?: (node: GraphNode, output: number) => boolean): GraphNode[] {
	const reached = [...new Set(starts)];
	const seen = new Set(reached);
	for (let k = 0; k < reached.length; k++) {
		const from = graph.nodes.get(reached[k]);
		graph.mainTargets(reached[k]).forEach((targets, output) => {
			if (follows !== undefined && from !== undefined && !follows(from, output)) return;
			for (const target of targets) {
				if (seen.has(target.node)) continue;
				seen.add(target.node);
				reached.push(target.node);
			}
		});
	}
	return reached.flatMap((n) => graph.nodes.get(n) ?? []);
}

/**
 * The nodes with no main connection into them from which node `name` can be reached (itself when it
 * has none): where an execution reaching it can have started, as a trigger or n8n's "When Executed by
 * Another Workflow" node.
 */
export function startsUpstreamOf(graph: WorkflowGraph, name: string): string[] {
	const sources = new Map<string, string[]>();
	for (const source of graph.nodes.keys()) {
		for (const targets of graph.mainTargets(source)) {
			for (const target of targets) sources.set(target.node, [...(sources.get(target.node) ?? []), source]);
		}
	}
	const upstream = [name];
	const seen = new Set(upstream);
	for (let k = 0; k < upstream.length; k++) {
		for (const source of sources.get(upstream[k]) ?? []) {
			if (seen.has(source)) continue;
			seen.add(source);
			upstream.push(source);
		}
	}
	return upstream.filter((n) => (sources.get(n) ?? []).length === 0);
}
