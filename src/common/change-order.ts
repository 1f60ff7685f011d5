/**
 * Settings under which an older change of a key can land in Doris over a newer one without a word:
 * Doris keeps the row loaded last (within one load by line, be/src/olap/memtable.cpp _sort "sort
 * extra round by _row_pos"; across loads by version, i.e. commit order), and a delete carries no
 * sequence value that could put it right (a Debezium delete's `before` image has the same sequence
 * value as the update before it, so only the load order decides between those two).
 *
 * Two ways loads of one partition's changes get out of Kafka's order:
 * - Keep Order per Partition off (the trigger's default): executions of one partition in flight together
 *   reach the Doris Stream Load node's shared batch in either order, and a failed one is delivered again
 *   alone after later ones of its partition loaded. An update then lands after the delete that followed
 *   it in the log (the row comes back), or an older update after a newer one (the older value stays).
 * - Max Loads in Flight above 1 on the Doris Stream Load node: consecutive batches of one table load at
 *   the same time and Doris commits them in either order. Also with Keep Order on: one execution's rows
 *   can straddle two batches (batcher.ts), and a load retried after a failure lands after the next one.
 *
 * Refused where the settings say the rows are changes of keys: a Doris Schema node reading Debezium
 * Envelopes (op u / d), a Doris Stream Load node with Deletes (CDC) "Always", the trigger's Tombstones
 * "Delete the Row of Its Key" (whose Keep Order half src/kafka/consumer-options.ts refuses). Keep Order
 * off with Deletes "Auto" (the default, which also loads the logs of the examples) is not: whether its
 * rows are deletes is known only per row (a flattened record's `__deleted`, a producer's own
 * `__DORIS_DELETE_SIGN__`): the Doris Stream Load node takes those out at run time (rule
 * delete_unordered, src/batch/delete-rows.ts), and stalling-settings.ts refuses it where they would
 * have nowhere to go. With Keep Order on nothing takes them out, so Max Loads in Flight above 1 is
 * refused with Deletes "Auto" too: a batch holding such a delete could commit before the one holding the
 * update before it (more loads in flight do not raise one table's rate: README, Tuning).
 */
import { nodesReachedFrom, type GraphNode, type WorkflowGraph } from './workflow-graph';
import { KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from './lossy-settings';

export interface ChangeOrderSettings {
	/** The trigger's Keep Order per Partition. */
	keepPartitionOrder: boolean;
	/** The trigger's Tombstones is "Delete the Row of Its Key". */
	tombstonesDelete: boolean;
}

/** The problems of the nodes the trigger's items reach, one sentence each; empty when nothing. */
export function changeOrderProblems(graph: WorkflowGraph, trigger: string, settings: ChangeOrderSettings): string[] {
	const enabled = (node: GraphNode) => node.disabled !== true;
	const reached = nodesReachedFrom(graph, [trigger]).filter(enabled);
	const cdcSchemas = reached.filter((node) => node.type === SCHEMA_NODE_TYPE && node.parameters?.operation !== 'getSchema' && cdcSetting(node) !== 'off');
	const alwaysDeleting = reached.filter((node) => node.type === STREAM_LOAD_NODE_TYPE && deletesSetting(node) !== 'other');
	const problems: string[] = [];
	if (!settings.keepPartitionOrder) {
		for (const node of cdcSchemas) {
			problems.push(`Keep Order per Partition (trigger options) is off, but Doris Schema node "${node.name}" has Debezium Envelopes (CDC) ${cdcSetting(node)}: ${UNORDERED_EXECUTIONS}`);
		}
		for (const node of alwaysDeleting) {
			problems.push(`Keep Order per Partition (trigger options) is off, but Doris Stream Load node "${node.name}" has Deletes (CDC) ${deletesSetting(node)}: ${UNORDERED_EXECUTIONS}`);
		}
	}
	// Which Stream Load nodes load changes, and from which setting: behind a CDC Doris Schema node's Rows
	// output, itself on Deletes Always, or every one when the trigger turns tombstones into deletes.
	const loadsChangesBecause = new Map<string, string>();
	for (const schema of cdcSchemas) {
		for (const node of streamLoadsBehind(graph, schema.name)) loadsChangesBecause.set(node.name, `Debezium Envelopes (CDC) on in Doris Schema node "${schema.name}"`);
	}
	for (const node of alwaysDeleting) loadsChangesBecause.set(node.name, `its Deletes (CDC) ${deletesSetting(node)}`);
	if (settings.tombstonesDelete) {
		for (const node of reached) if (node.type === STREAM_LOAD_NODE_TYPE) loadsChangesBecause.set(node.name, 'the trigger\'s Tombstones "Delete the Row of Its Key"');
	}
	// Deletes Auto learns per row whether a row deletes (a flattened record's __deleted, a producer's own
	// sign): with Keep Order on nothing takes such deletes out (with it off the node does, rule
	// delete_unordered), so a batch holding one could commit before the batch holding the update before it.
	if (settings.keepPartitionOrder) {
		for (const node of reached) {
			if (node.type !== STREAM_LOAD_NODE_TYPE || loadsChangesBecause.has(node.name) || autoDeletesSetting(node) === undefined) continue;
			loadsChangesBecause.set(node.name, `Deletes (CDC) ${autoDeletesSetting(node)}, which deletes the rows flagged as deletes (a flattened Debezium record's __deleted "true", a row's own __DORIS_DELETE_SIGN__), behind Keep Order per Partition`);
		}
	}
	for (const node of reached) {
		const because = loadsChangesBecause.get(node.name);
		const inFlight = maxLoadsInFlight(node);
		if (because === undefined || inFlight === 1) continue;
		problems.push(
			`Doris Stream Load node "${node.name}" has Max Loads in Flight ${inFlight} with ${because}: consecutive batches of one table load at the same time and Doris keeps whichever commits last (one execution's rows can straddle two batches, and a failed load is retried after the next one landed), so an older change of a key can land over a newer one`,
		);
	}
	return problems;
}

/**
 * Whether a Doris Schema node the trigger's items reach reads Debezium Envelopes (on, or an expression):
 * its tombstones then follow the op d event that deletes, so skipping them loses nothing and the
 * trigger's warning about skipped tombstones (execution-emitter.ts) would be noise.
 */
export function readsDebeziumEnvelopes(graph: WorkflowGraph, trigger: string): boolean {
	return nodesReachedFrom(graph, [trigger]).some(
		(node) => node.type === SCHEMA_NODE_TYPE && node.disabled !== true && node.parameters?.operation !== 'getSchema' && cdcSetting(node) !== 'off',
	);
}

/**
 * The Kafka trigger among the nodes that ran in this execution (`ran`: names) whose Keep Order per
 * Partition is off, or undefined: the Doris Stream Load node takes the deletes of such an execution out
 * (rule delete_unordered, src/batch/delete-rows.ts). Read from the running workflow's nodes as stored
 * (an option absent is off, the default).
 */
export function unorderedKafkaTrigger(nodes: Readonly<Record<string, GraphNode | undefined>>, ran: readonly string[]): string | undefined {
	return ran.find((name) => {
		const node = Object.hasOwn(nodes, name) ? nodes[name] : undefined;
		return node?.type === KAFKA_TRIGGER_NODE_TYPE && options(node).keepPartitionOrder !== true;
	});
}

const UNORDERED_EXECUTIONS =
	'two executions of one partition can then reach the Doris Stream Load node in either order, and a failed one is delivered again alone after later ones loaded, so an older change of a key can land over a newer one and an update can bring back a row a later delete removed, without a word';

/** What to change, for the error's description. */
export const CHANGE_ORDER_FIX =
	'Turn Keep Order per Partition on (Kafka trigger, Options) and set its Execution Timeout short, e.g. 120 s (the wait after a crash), as examples/cdc-debezium.json does; set Max Loads in Flight to 1 on the Doris Stream Load node (more does not raise one table\'s rate: README, Tuning). If the rows are no changes of keys, turn Debezium Envelopes off or set Deletes (CDC) to Auto, or, for rows that never delete, Never. Then activate the workflow again.';

function options(node: GraphNode): Record<string, unknown> {
	const value = node.parameters?.options;
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

function cdcSetting(node: GraphNode): 'on' | 'off' | 'an expression, which may turn it on' {
	const cdc = options(node).cdc;
	if (cdc === true) return 'on';
	return isExpression(cdc) ? 'an expression, which may turn it on' : 'off';
}

function deletesSetting(node: GraphNode): '"Always"' | 'an expression, which may be "Always"' | 'other' {
	const deletes = options(node).deletes;
	if (deletes === 'always') return '"Always"';
	return isExpression(deletes) ? 'an expression, which may be "Always"' : 'other';
}

/** Deletes (CDC) as the message names it when it is Auto (absent: the default) or may be (an expression); else undefined. */
function autoDeletesSetting(node: GraphNode): string | undefined {
	const deletes = options(node).deletes;
	if (deletes === undefined || deletes === 'auto') return 'Auto (the default)';
	return isExpression(deletes) ? 'an expression, which may be Auto' : undefined;
}

/** Max Loads in Flight as stored: absent means the default, 1. */
function maxLoadsInFlight(node: GraphNode): number | 'an expression' {
	const value = options(node).maxInFlight;
	if (isExpression(value)) return 'an expression';
	// Rounded as the node reads it (nodes/DorisStreamLoad/settings.ts).
	const loads = Math.round(Number(value));
	return Number.isFinite(loads) && loads > 1 ? loads : 1;
}

/** The Doris Stream Load nodes a Doris Schema node's Rows output (0) leads to, not past a Stream Load node. */
function streamLoadsBehind(graph: WorkflowGraph, schema: string): GraphNode[] {
	const follows = (node: GraphNode, output: number) => (node.name === schema ? output === 0 : node.type !== STREAM_LOAD_NODE_TYPE);
	return nodesReachedFrom(graph, [schema], follows).filter((node) => node.type === STREAM_LOAD_NODE_TYPE && node.disabled !== true);
}
