import { NodeOperationError, type INode, type ITriggerFunctions } from 'n8n-workflow';

import { continuingIntoNowhere } from '../shared/outputs';
import { STREAM_LOAD_NODE_TYPE } from './downstream-tables';

/** The Doris Stream Load node's Rejected output, and the error output n8n adds after it. */
const REJECTED_OUTPUT = 1;
const ERROR_OUTPUT = 2;

/** The node's continue setting as the editor shows it, and where its failed rows could go. */
function problemOf(node: Pick<INode, 'name' | 'onError'>): string {
	if (node.onError === 'continueErrorOutput') {
		return `Doris Stream Load node "${node.name}": On Error is "Continue (using error output)" but neither its error output nor its Rejected output leads anywhere`;
	}
	// The older Continue On Fail flag, without On Error "Continue (using error output)", is run by n8n
	// as "Continue (regular output)" (n8n-core WorkflowExecute: only that value routes to the error output).
	const setting = node.onError === 'continueRegularOutput' ? 'On Error is "Continue (regular output)"' : 'Continue On Fail is on (run as On Error "Continue (regular output)")';
	return `Doris Stream Load node "${node.name}": ${setting} but its Rejected output leads nowhere; the regular output is Loaded, which holds loaded rows only`;
}

/**
 * A Doris Stream Load node that continues on error with nowhere to put the rows it cannot load
 * (nodes/shared/outputs.ts failureRoute): under "Continue (using error output)" neither that output
 * nor Rejected leads anywhere; under "Continue (regular output)" (or Continue On Fail) Rejected leads
 * nowhere, since the regular output, Loaded, must never carry a failed row: what follows Loaded takes
 * its items for loaded rows. Its error would not stop the execution either: n8n swallows it and
 * passes the raw input on as Loaded (continuesAfterThrow), and the trigger would commit the offsets.
 * Refused at activation instead, naming the node and the setting, before any consumer joins. (A run
 * of the node alone from the editor starts no trigger: the node throws there, and the editor shows
 * its error.)
 */
export function refuseLossyContinue(ctx: Pick<ITriggerFunctions, 'getNode'>): void {
	const nodes = continuingIntoNowhere(ctx, STREAM_LOAD_NODE_TYPE, { fallback: REJECTED_OUTPUT, errorOutput: ERROR_OUTPUT });
	if (nodes.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), `${nodes.map(problemOf).join('; ')}, so rows it cannot load would be lost while the trigger commits their offsets`, {
		description:
			'Connect the Rejected output to a dead-letter branch (or to a No Operation node to drop such rows on purpose), or set On Error to "Continue (using error output)" and connect the error output, or set it to "Stop Workflow" so a failed load fails the execution and the trigger redelivers it.',
	});
}
