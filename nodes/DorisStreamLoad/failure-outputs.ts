/**
 * The Doris Stream Load node's outputs once its tables' loads settled: Loaded (the summaries), Rejected
 * (the rows Doris refused or that were taken out before the load), and its failures where their route
 * sends them (nodes/shared/outputs.ts failureRoute).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { countRejectedRows } from '../../src/batch/rejected-count';
import { everyItemInvalid } from '../../src/doris/schema/invalid-items';
import { INVALID_FIELD } from '../../src/doris/schema/route-items';
import type { failureRoute } from '../shared/outputs';

/**
 * Where the rows of a failure go (nodes/shared/outputs.ts failureRoute): thrown (the execution fails,
 * the Kafka trigger redelivers it), the error output under On Error "Continue (using error output)",
 * or Rejected as not loaded. Never Loaded: its items are loaded rows to whatever follows it.
 */
export type FailureRoute = ReturnType<typeof failureRoute>;

/** A failure and the input items whose rows it kept out of Doris. */
export interface Failure {
	error: NodeApiError | NodeOperationError;
	indexes: number[];
	/** The table the rows were for ("db.table"), or '' when the execution failed before it was known. */
	table: string;
}

/**
 * The node's outputs: the summaries, the rows Doris refused, and the failures as `route` says
 * (error items keep their row: on the error output nothing else would say which row failed). The
 * error items go out with the summaries on Loaded only for n8n to move them: under "Continue (using
 * error output)" it takes every item carrying an error to the error output (handleNodeErrorOutput;
 * how they must look to keep their row: errorOutputItem).
 * Every answer the node gives passes here, so this is where the rows it hands back on Rejected are
 * counted (doris_rows_rejected_total by rule, src/batch/rejected-count.ts): once per execution that
 * hands them back, none when it fails instead.
 */
export function failureOutputs(
	ctx: Pick<IExecuteFunctions, 'getWorkflow'>,
	items: INodeExecutionData[],
	loaded: INodeExecutionData[],
	rejected: INodeExecutionData[],
	failures: Failure[],
	route: FailureRoute,
): INodeExecutionData[][] {
	const workflow = ctx.getWorkflow();
	const workflowLabel = workflow.id ?? workflow.name ?? '';
	if (route !== 'rejected') {
		const failed = failures.flatMap(({ error, indexes }) => indexes.map((i) => errorOutputItem(error, i)));
		countRejectedRows(rejected, workflowLabel);
		return [[...loaded, ...failed], rejected];
	}
	const notLoaded: INodeExecutionData[] = [];
	const markedItems = new Set<INodeExecutionData>();
	for (const { error, indexes, table } of failures) {
		// An item the Doris Schema node marked invalid keeps its own reasons.
		const marked = indexes.filter((i) => items[i].json[INVALID_FIELD] !== undefined);
		const unmarked = indexes.filter((i) => items[i].json[INVALID_FIELD] === undefined);
		for (const i of marked) {
			const item = { json: items[i].json, pairedItem: { item: i } };
			markedItems.add(item);
			notLoaded.push(item);
		}
		const reason = { column: null, value: null, expected: 'a row loaded into Doris', rule: 'doris_not_loaded' as const, message: `Not loaded: ${error.message}` };
		for (const r of everyItemInvalid(unmarked.map((i) => items[i]), table, reason)) notLoaded.push({ json: r.json as IDataObject, pairedItem: { item: unmarked[r.index] } });
	}
	notLoaded.sort((a, b) => itemOf(a) - itemOf(b));
	// Items the Doris Schema node marked invalid were counted there (sinker_rows_invalid_total).
	countRejectedRows(rejected, workflowLabel);
	countRejectedRows(notLoaded.filter((item) => !markedItems.has(item)), workflowLabel);
	return [loaded, [...rejected, ...notLoaded]];
}

/**
 * An item n8n moves to the error output with the failed input item's own fields and the reason in
 * `error`. Only `{ error }` and the pairedItem, no `error` property: n8n-core 2.40.7 workflow-execute.js
 * normalizeNodeErrors, run after handleNodeErrorOutput, replaces the json of every item with an
 * `error` property by `{ error: message }`, which sent dead letters of only
 * `{"error":"Item could not be decoded (_parseError)"}`: without `_parseError.raw` nor `_kafka`, while
 * the offset committed. handleNodeErrorOutput takes an item whose json holds only error / message /
 * details keys as an error too, and gives it the paired input item's json under its own
 * (`{ ...pairedInput.json, error }`).
 */
function errorOutputItem(error: NodeApiError | NodeOperationError, index: number): INodeExecutionData {
	return { json: { error: error.message }, pairedItem: { item: index } };
}

function itemOf(item: INodeExecutionData): number {
	return typeof item.pairedItem === 'object' && !Array.isArray(item.pairedItem) ? item.pairedItem.item : 0;
}
