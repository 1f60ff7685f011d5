/**
 * How a failure of the Doris Stream Load node becomes its error: rows Doris refused with a Rejected
 * output that leads nowhere (they would be lost: connect it), a Stream Load failure with what Doris
 * answered, a cancelled execution; and which table failures may instead go to Rejected as not loaded.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions, type JsonObject } from 'n8n-workflow';

import { RejectedRowsError } from '../../src/batch/batcher';
import { DeadlineError } from '../../src/batch/load-deadline';
import type { DorisRefusal } from '../../src/batch/refusal';
import { StreamLoadError } from '../../src/doris/stream-load/errors';

const CONNECT_REJECTED =
	"Connect the Rejected output (to the dead-letter branch of the Doris Schema node's Invalid output, or to a No Operation node to drop such rows on purpose) so refused rows are handed back there and the other rows load.";

export function toNodeError(ctx: Pick<IExecuteFunctions, 'getNode'>, error: unknown, rejectedConnected = true): NodeApiError | NodeOperationError {
	if (error instanceof RejectedRowsError) {
		const [first] = error.rejected as Array<{ row: number; reason: DorisRefusal }>;
		return new NodeOperationError(
			ctx.getNode(),
			`Doris refused ${error.rejected.length} row(s) of this execution (first: row ${first.row}: ${first.reason.message}) and the Rejected output leads nowhere, so they would be lost`,
			{ description: CONNECT_REJECTED },
		);
	}
	if (error instanceof StreamLoadError) {
		const rejected = error.rejectedRows ?? [];
		const response: JsonObject = {
			message: error.message,
			kind: error.kind,
			retryable: error.retryable,
			table: error.table ?? null,
			label: error.label ?? null,
			attempts: error.attempts,
			rejectedRows: rejected,
			doris: (error.response ?? null) as JsonObject | null,
		};
		const hint = error.kind === 'data_quality' && !rejectedConnected ? `\n${CONNECT_REJECTED}` : '';
		return new NodeApiError(ctx.getNode(), response, {
			message: error.message,
			description: (rejected.length > 0 ? `First rejected rows:\n${rejected.join('\n')}` : `Label ${error.label ?? '(none)'}, ${error.attempts} attempt(s)`) + hint,
		});
	}
	if (error instanceof Error && error.name === 'AbortError') {
		return new NodeOperationError(ctx.getNode(), 'The execution was cancelled while its rows waited for their Doris load');
	}
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)));
}

/**
 * A table's load failure whose rows may go to Rejected when other rows of the execution loaded: not
 * a passed deadline (Keep Order: the trigger redelivers such an execution whatever it answers) and
 * not a cancelled execution.
 */
export function canHandBack(error: unknown): boolean {
	return !(error instanceof NodeOperationError) && !(error instanceof DeadlineError) && !(error instanceof Error && error.name === 'AbortError');
}
