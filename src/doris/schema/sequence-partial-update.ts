/**
 * Whether the Doris Stream Load nodes a Doris Schema node's rows reach send a partial update that
 * leaves the table's sequence column to Doris, read from the workflow's stored parameters (the same
 * Workflow object n8n runs, on a queue worker too: no side channel). There Doris keeps the stored
 * row's sequence value for a row that does not carry one, so such a row applies, where without a
 * partial update it would take NULL or the column's default and lose to a higher stored value
 * (row-mapper-options.ts SequenceInPartialUpdate names the Doris source, 2.1 / 3.0 / 3.1).
 *
 * The rule (sequenceInPartialUpdate): a row may lack its value only when EVERY path its items can take
 * from the Doris Schema node's Rows output ends at an enabled Doris Stream Load node that sends such a
 * partial update. Why every path, and why an allow-list: lacking the value is safe only where the row
 * is loaded as a partial update; anywhere else it can be loaded whole and lose to the stored row without
 * a word. Before (review session 17, leftover 2) the walk passed through any node and only counted the
 * Doris Stream Load nodes it met: an HTTP Request node posting the rows to Stream Load, a Kafka producer
 * feeding another sink, or a Code node could load them whole unseen, and the check was dropped. Now:
 * - a path ends at an enabled Doris Stream Load node (what it hands on, loaded or Rejected rows, was
 *   loaded or refused there): it qualifies when the node sends a fixed partial update whose Columns do
 *   not name the column (`leftOut`) or a flexible one (`perRow`); whole rows, an expression, Columns that
 *   do not parse, or Columns naming the column keep the check;
 * - a path goes on through the nodes of PASSES_ROWS_ON, n8n's own nodes that route, filter or reshape
 *   items inside the execution and send nothing out of it, through every output;
 * - a disabled node hands what enters its input 0 on through its output 0 (n8n runs it as a
 *   pass-through, workflow-graph.ts), whatever its type: the path goes on there;
 * - any other node (HTTP Request, Kafka, Code, Execute Workflow, a community node, a node the workflow
 *   does not hold) may load the rows elsewhere: the check is kept;
 * - a path on which the rows reach no node (an output with no connection, any input of a disabled node
 *   but its first) loads them nowhere, so it neither needs the value nor keeps the check; at least one
 *   qualifying Doris Stream Load node must be reached, and a graph that cannot be read keeps the check.
 */
import { STREAM_LOAD_NODE_TYPE } from '../../common/lossy-settings';
import type { ConnectionTarget, GraphNode, WorkflowGraph } from '../../common/workflow-graph';
import { columnName, splitColumns } from '../stream-load/columns';
import type { SequenceInPartialUpdate } from './row-mapper-options';

/** A partial update as a Doris Stream Load node sends it: fixed, with its Columns, or flexible. */
export type PartialUpdateSent = { mode: 'fixed'; columns: string[] } | { mode: 'flexible' };

/** The Doris Schema node's Rows output (1 is Invalid). */
const ROWS_OUTPUT = 0;

/**
 * n8n's own nodes that pass items on inside the execution and cannot send them out of it: If, Switch,
 * Filter, Merge, No Operation, Edit Fields (Set), Sort, Limit, Remove Duplicates, Loop Over Items. Not
 * Code (it runs any JavaScript, which may post the rows anywhere) nor Execute Workflow (its sub-workflow
 * may load them whole).
 */
export const PASSES_ROWS_ON: ReadonlySet<string> = new Set(
	['if', 'switch', 'filter', 'merge', 'noOp', 'set', 'sort', 'limit', 'removeDuplicates', 'splitInBatches'].map((name) => `n8n-nodes-base.${name}`),
);

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

/**
 * The partial update a Doris Stream Load node sends (nodes/DorisStreamLoad/settings.ts reads the same
 * parameters), or undefined: none, or not known here (an expression, Columns that do not parse).
 */
export function partialUpdateOf(node: GraphNode): PartialUpdateSent | undefined {
	const parameters = node.parameters ?? {};
	const raw = parameters.options;
	const options = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
	// Workflows saved with the former boolean Partial Columns read as Fixed Columns.
	const mode = options.partialUpdate ?? (options.partialColumns === true ? 'fixed' : undefined);
	if (mode === 'flexible') return { mode: 'flexible' };
	if (mode !== 'fixed') return undefined;
	const format = parameters.format ?? 'json';
	if (format !== 'json' && format !== 'csv') return undefined;
	const text = format === 'csv' ? parameters.csvColumns : options.columns;
	if (typeof text !== 'string' || isExpression(text) || text.trim() === '') return undefined;
	try {
		return { mode: 'fixed', columns: splitColumns(text) };
	} catch {
		return undefined;
	}
}

/**
 * What the Doris Stream Load nodes at the end of every path from Doris Schema node `schema`'s Rows
 * output leave Doris to fill of the sequence column `column` (the rule in the header): `leftOut` when
 * each sends a fixed partial update whose Columns do not name it (in any case, computed or not: Doris
 * then reads or computes it for every row), `perRow` when one sends a flexible partial update; else
 * undefined (every row needs its value).
 */
export function sequenceInPartialUpdate(graph: WorkflowGraph | undefined, schema: string, column: string | null): SequenceInPartialUpdate | undefined {
	if (column === null || graph === undefined) return undefined;
	const folded = column.toLowerCase();
	let answer: SequenceInPartialUpdate = 'leftOut';
	let loads = 0;
	const pending: ConnectionTarget[] = [...(graph.mainTargets(schema)[ROWS_OUTPUT] ?? [])];
	const seen = new Set<string>();
	for (let target = pending.pop(); target !== undefined; target = pending.pop()) {
		const key = `${target.index} ${target.node}`;
		if (seen.has(key)) continue;
		seen.add(key);
		const node = graph.nodes.get(target.node);
		if (node === undefined) return undefined;
		if (node.disabled === true) {
			if (target.index === 0) pending.push(...(graph.mainTargets(node.name)[0] ?? []));
			continue;
		}
		if (node.type === STREAM_LOAD_NODE_TYPE) {
			const update = partialUpdateOf(node);
			if (update === undefined) return undefined;
			if (update.mode === 'flexible') answer = 'perRow';
			else if (update.columns.some((entry) => columnName(entry).toLowerCase() === folded)) return undefined;
			loads++;
			continue;
		}
		if (!PASSES_ROWS_ON.has(node.type)) return undefined;
		for (const targets of graph.mainTargets(node.name)) pending.push(...targets);
	}
	return loads > 0 ? answer : undefined;
}
