/**
 * n8n's own nodes that drop items by what they do, not by a setting of n8n's: on the way of rows not
 * yet in Doris (or of their dead letters) the execution still ends as a success, so the Kafka trigger
 * would commit the offsets of rows that went nowhere. Read in n8n-nodes-base 2.40:
 * - IF (If/V2): items whose condition is false go to its second output, true to its first; an output
 *   connected to nothing drops them.
 * - Switch (Switch/V3, also V1 / V2): in Rules mode an item no rule matches goes to the Fallback Output,
 *   which is "None" by default (`fallbackOutput: 'none'`, -1 in V1 / V2): the item is dropped; and an
 *   output connected to nothing drops what its rule sends there.
 * - Filter (Filter/V2): declares one output and returns `[kept, discarded]`; n8n keeps the first, so the
 *   discarded items are gone.
 * - Kafka (Kafka/V1 and V2) with Acks off, its default: the producer sends with `acks: 0` and resolves
 *   without an answer, so a message the broker refuses (larger than the topic's max.message.bytes —
 *   a dead letter is the message plus its reasons —, a topic that does not exist, no authorisation,
 *   not enough replicas) is lost while the node outputs `success: true`.
 * Dropping on purpose stays possible and visible: connect the output to a No Operation node.
 */
import { outputsLeadingSomewhere, type GraphNode, type WorkflowGraph } from './workflow-graph';

const IF_NODE_TYPE = 'n8n-nodes-base.if';
const SWITCH_NODE_TYPE = 'n8n-nodes-base.switch';
const FILTER_NODE_TYPE = 'n8n-nodes-base.filter';
const KAFKA_NODE_TYPE = 'n8n-nodes-base.kafka';

/** What to do instead, for the error's description. */
export const DROPPING_NODES_FIX =
	"Connect every output of an IF or Switch node on the rows' way (to a No Operation node to drop on purpose); give a Switch node a Fallback Output (Extra Output, connected); use an IF node instead of a Filter node; turn Acks on in a Kafka node's options.";

function optionOf(node: GraphNode, name: string): unknown {
	const options = node.parameters?.options;
	return options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>)[name] : undefined;
}

/** The node's own main outputs, without the error output n8n adds under "Continue (using error output)". */
function ownOutputs(graph: WorkflowGraph, node: GraphNode, known: number): number {
	const counted = graph.mainOutputCount(node.name);
	if (counted === undefined) return Math.max(known, graph.mainTargets(node.name).length);
	return node.onError === 'continueErrorOutput' ? counted - 1 : counted;
}

function unconnectedOutputs(graph: WorkflowGraph, node: GraphNode, outputs: number): number[] {
	const leading = outputsLeadingSomewhere(graph, node.name);
	return Array.from({ length: outputs }, (_, i) => i).filter((i) => !leading.has(i));
}

/**
 * How a Switch node routes, by its version's parameters (n8n-nodes-base 2.40.7 Switch/V1, V2, V3):
 * `fallback` its Fallback Output as stored (V3: options.fallbackOutput, 'none' by default, 'extra' or
 * an output index; V1 / V2: the top-level fallbackOutput, an output index, -1 = None by default), and
 * in Rules mode the outputs its rules send to: V1 each rule's own `output` (of its four fixed outputs),
 * V2 one output per rule, V3 all but an extra fallback's (undefined: every output it has).
 */
function switchRouting(node: GraphNode): { rulesMode: boolean; fallback: unknown; ruleOutputs: number[] | undefined } {
	const parameters = node.parameters ?? {};
	const rulesMode = (parameters.mode ?? 'rules') === 'rules';
	const rules = parameters.rules as { rules?: unknown; values?: unknown } | undefined;
	const legacyRules = Array.isArray(rules?.rules) ? (rules.rules as Array<{ output?: unknown }>) : undefined;
	const legacy = node.typeVersion !== undefined ? node.typeVersion < 3 : legacyRules !== undefined || parameters.fallbackOutput !== undefined;
	if (!legacy) return { rulesMode, fallback: optionOf(node, 'fallbackOutput'), ruleOutputs: undefined };
	const version = node.typeVersion ?? 2;
	const ruleOutputs = (legacyRules ?? []).map((rule, index) => (version < 2 ? (typeof rule.output === 'number' ? rule.output : 0) : index));
	return { rulesMode, fallback: parameters.fallbackOutput, ruleOutputs };
}

/** Switch in Rules mode without a fallback output drops the items no rule matches. */
function switchDropsUnmatched(routing: ReturnType<typeof switchRouting>): boolean {
	const fallback = routing.fallback;
	return routing.rulesMode && (fallback === undefined || fallback === 'none' || fallback === -1);
}

/** The Switch outputs items can be sent to that lead nowhere. */
function switchOutputsLeadingNowhere(graph: WorkflowGraph, node: GraphNode, routing: ReturnType<typeof switchRouting>): number[] {
	const open = unconnectedOutputs(graph, node, ownOutputs(graph, node, 0));
	if (!routing.rulesMode || routing.ruleOutputs === undefined) return open;
	const used = new Set(routing.ruleOutputs);
	if (typeof routing.fallback === 'number' && routing.fallback >= 0) used.add(routing.fallback);
	return open.filter((output) => used.has(output));
}

/** Why the enabled node drops items that reach it, or undefined. A disabled node passes its input on. */
export function droppingNodeProblem(graph: WorkflowGraph, node: GraphNode): string | undefined {
	if (node.disabled === true) return undefined;
	const lost = 'so their rows would be lost while the trigger commits their offsets';
	switch (node.type) {
		case IF_NODE_TYPE: {
			const open = unconnectedOutputs(graph, node, ownOutputs(graph, node, 2));
			if (open.length === 0) return undefined;
			const names = open.map((i) => (i === 0 ? 'true' : i === 1 ? 'false' : `${i}`)).join(' and ');
			return `IF node "${node.name}": its ${names} output leads nowhere: n8n drops the items sent there, ${lost}`;
		}
		case SWITCH_NODE_TYPE: {
			const routing = switchRouting(node);
			if (switchDropsUnmatched(routing)) return `Switch node "${node.name}": Fallback Output is None, so n8n drops the items no rule matches, ${lost}`;
			const open = switchOutputsLeadingNowhere(graph, node, routing);
			if (open.length === 0) return undefined;
			return `Switch node "${node.name}": its output${open.length > 1 ? 's' : ''} ${open.join(', ')} lead${open.length > 1 ? '' : 's'} nowhere: n8n drops the items sent there, ${lost}`;
		}
		case FILTER_NODE_TYPE:
			return `Filter node "${node.name}" drops the items its conditions do not keep, ${lost}`;
		case KAFKA_NODE_TYPE:
			if (optionOf(node, 'acks') === true) return undefined;
			return `Kafka node "${node.name}": Acks is off (its options), so it sends without waiting for the broker, and a message the broker refuses (too large for the topic, a topic that does not exist, no authorisation) is lost while the node reports success, ${lost}`;
		default:
			return undefined;
	}
}
