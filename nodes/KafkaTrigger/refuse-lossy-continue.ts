import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import { LOSSY_CONTINUE_FIX, lossyContinueMessage } from '../../src/common/lossy-continue';
import { continuingIntoNowhere } from '../shared/outputs';
import { STREAM_LOAD_NODE_TYPE } from './downstream-tables';

/** The Doris Stream Load node's Rejected output, and the error output n8n adds after it. */
const REJECTED_OUTPUT = 1;
const ERROR_OUTPUT = 2;

/**
 * A Doris Stream Load node that continues on error with nowhere to put the rows it cannot load
 * (nodes/shared/outputs.ts failureRoute): under "Continue (using error output)" neither that output
 * nor Rejected leads anywhere; under "Continue (regular output)" (or Continue On Fail) Rejected leads
 * nowhere, since the regular output, Loaded, must never carry a failed row: what follows Loaded takes
 * its items for loaded rows. Its error would not stop the execution either: n8n swallows it and
 * passes the raw input on as Loaded (continuesAfterThrow), and the trigger would commit the offsets.
 * Refused at activation instead, naming the node and the setting, before any consumer joins. A
 * workflow the trigger does not hold (a sub-workflow, a run from the editor) is checked by the node
 * itself when it runs, with the same message (nodes/DorisStreamLoad/execute.ts).
 */
export function refuseLossyContinue(ctx: Pick<ITriggerFunctions, 'getNode'>): void {
	const nodes = continuingIntoNowhere(ctx, STREAM_LOAD_NODE_TYPE, { fallback: REJECTED_OUTPUT, errorOutput: ERROR_OUTPUT });
	if (nodes.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), lossyContinueMessage(nodes), { description: LOSSY_CONTINUE_FIX });
}
