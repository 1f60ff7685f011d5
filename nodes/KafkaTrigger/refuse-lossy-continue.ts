import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import { continuingIntoNowhere } from '../shared/outputs';
import { STREAM_LOAD_NODE_TYPE } from './downstream-tables';

/** The Doris Stream Load node's Rejected output, and the error output n8n adds after it. */
const REJECTED_OUTPUT = 1;
const ERROR_OUTPUT = 2;

/**
 * A Doris Stream Load node with On Error "Continue" whose error route and Rejected output both lead
 * nowhere has no place for rows it cannot load, and its error would not stop the execution: n8n
 * swallows it and passes the raw input on (nodes/shared/outputs.ts continuesAfterThrow), so whether
 * the execution fails, and its offsets stay uncommitted, depends on which node n8n happens to run
 * last. Refused at activation instead, naming the node, before any consumer joins.
 */
export function refuseLossyContinue(ctx: Pick<ITriggerFunctions, 'getNode'>): void {
	const nodes = continuingIntoNowhere(ctx, STREAM_LOAD_NODE_TYPE, REJECTED_OUTPUT, ERROR_OUTPUT);
	if (nodes.length === 0) return;
	throw new NodeOperationError(
		ctx.getNode(),
		`Doris Stream Load node ${nodes.map((n) => `"${n}"`).join(', ')}: On Error is "Continue" but neither its error route nor its Rejected output leads anywhere, so rows it cannot load would be lost`,
		{
			description:
				'Connect the Rejected output (to a dead-letter branch, or to a No Operation node to drop such rows on purpose), or set On Error to "Stop Workflow" so a failed load fails the execution and the trigger redelivers it.',
		},
	);
}
