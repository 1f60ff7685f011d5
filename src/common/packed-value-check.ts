/**
 * Whether the trigger's One Item per Batch output must check each JSON value for a second value glued
 * on (`{"id":1}{"id":2}`, src/kafka/trailing-json.ts) before it packs it as a line, decided once at
 * activation from the graph.
 *
 * Doris reads the first value of such a line and drops the rest without a word; a Doris Schema node
 * that maps rows parses every packed line exactly (parseJsonExact) and sends it to Invalid. So the
 * check is left out only where the trigger's items go nowhere but into input 0 of enabled Doris Schema
 * nodes set to a Map Rows operation (the recommended wiring, and the busiest path: the check costs ~a
 * third of the packing itself). Anything else checks: a Doris Stream Load node wired straight to the
 * trigger, a node in between that may pass the items on (IF, Code, Execute Workflow into a workflow
 * this graph does not show), an operation given as an expression, a graph that cannot be read.
 */
import { SCHEMA_NODE_TYPE } from './lossy-settings';
import type { WorkflowGraph } from './workflow-graph';

/** Map Rows to Table is the stored default (an absent operation): nodes/DorisSchema/actions/description.ts. */
const MAPPING_OPERATIONS: ReadonlySet<unknown> = new Set([undefined, 'mapRows', 'mapRowsToTables']);

export function packedValuesNeedCheck(graph: WorkflowGraph | undefined, trigger: string): boolean {
	if (graph === undefined) return true;
	const targets = graph.mainTargets(trigger).flat();
	return targets.some(({ node: name, index }) => {
		const node = graph.nodes.get(name);
		return node === undefined || node.type !== SCHEMA_NODE_TYPE || node.disabled === true || index !== 0 || !MAPPING_OPERATIONS.has(node.parameters?.operation);
	});
}
