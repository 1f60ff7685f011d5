/**
 * Whether the Doris Stream Load nodes a Doris Schema node's rows reach send a partial update that
 * leaves the table's sequence column to Doris, read from the workflow's stored parameters (the same
 * Workflow object n8n runs, on a queue worker too: no side channel). There Doris keeps the stored
 * row's sequence value for a row that does not carry one, so such a row applies, where without a
 * partial update it would take NULL or the column's default and lose to a higher stored value
 * (row-mapper-options.ts SequenceInPartialUpdate names the Doris source, 2.1 / 3.0 / 3.1).
 *
 * Only when every enabled Doris Stream Load node the rows reach says so: one loading whole rows, one
 * whose settings are expressions or do not parse, or an Execute Workflow node (its sub-workflow may
 * load them whole) leaves every row needing its value, as does a graph that cannot be read (nothing
 * reached). The walk leaves the Doris Schema node by its Rows output only and stops at an enabled Doris
 * Stream Load node: what it hands on (loaded rows, Rejected rows) was loaded, or refused, there.
 */
import { EXECUTE_WORKFLOW_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../common/lossy-settings';
import type { GraphNode } from '../../common/workflow-graph';
import { columnName, splitColumns } from '../stream-load/columns';
import type { SequenceInPartialUpdate } from './row-mapper-options';

/** A partial update as a Doris Stream Load node sends it: fixed, with its Columns, or flexible. */
export type PartialUpdateSent = { mode: 'fixed'; columns: string[] } | { mode: 'flexible' };

/** The Doris Schema node's Rows output (1 is Invalid). */
const ROWS_OUTPUT = 0;

/** Which outputs the walk from the Doris Schema node `start` goes on through (workflow-graph.ts nodesReachedFrom). */
export function followsMappedRows(start: string): (node: GraphNode, output: number) => boolean {
	// A disabled node hands its input on through its first output (n8n runs it as a pass-through), so
	// the walk goes on there: a whole-row load behind a disabled Doris Stream Load node loads these rows.
	return (node, output) => (node.name === start ? output === ROWS_OUTPUT : node.type !== STREAM_LOAD_NODE_TYPE || (node.disabled === true && output === 0));
}

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
 * What every enabled Doris Stream Load node among `reached` (the walk from the Doris Schema node,
 * followsMappedRows) leaves Doris to fill of the sequence column `column`: `leftOut` when each sends a
 * fixed partial update whose Columns do not name it (in any case, computed or not: Doris then reads or
 * computes it for every row), `perRow` when one sends a flexible partial update; else undefined.
 */
export function sequenceInPartialUpdate(reached: readonly GraphNode[], column: string | null): SequenceInPartialUpdate | undefined {
	if (column === null) return undefined;
	const enabled = reached.filter((node) => node.disabled !== true);
	if (enabled.some((node) => node.type === EXECUTE_WORKFLOW_NODE_TYPE)) return undefined;
	const loads = enabled.filter((node) => node.type === STREAM_LOAD_NODE_TYPE);
	if (loads.length === 0) return undefined;
	const folded = column.toLowerCase();
	let answer: SequenceInPartialUpdate = 'leftOut';
	for (const load of loads) {
		const update = partialUpdateOf(load);
		if (update === undefined) return undefined;
		if (update.mode === 'flexible') answer = 'perRow';
		else if (update.columns.some((entry) => columnName(entry).toLowerCase() === folded)) return undefined;
	}
	return answer;
}
