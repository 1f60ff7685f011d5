/**
 * What is said of a Doris Stream Load node that continues on error (On Error "Continue (regular
 * output)", "Continue (using error output)", or the older Continue On Fail) with nowhere to put the
 * rows it cannot load: n8n would swallow its error and pass its raw input on as Loaded, the execution
 * would succeed and the Kafka trigger would commit the offsets of rows that are not in Doris. The
 * trigger says it when it refuses to activate such a workflow; the node says the same when it runs
 * in a workflow the trigger never checked (a sub-workflow, a run from the editor) and fails the
 * execution instead. One text, so a user finds the same fix either way.
 */

/** The node's fields the message names: its name and its continue settings as n8n stores them. */
export interface ContinueSettings {
	name: string;
	onError?: string;
	continueOnFail?: boolean;
}

/** The node's continue setting as the editor shows it, and where its failed rows could go. */
function problemOf(node: ContinueSettings): string {
	if (node.onError === 'continueErrorOutput') {
		return `Doris Stream Load node "${node.name}": On Error is "Continue (using error output)" but neither its error output nor its Rejected output leads anywhere`;
	}
	// The older Continue On Fail flag, without On Error "Continue (using error output)", is run by n8n
	// as "Continue (regular output)" (n8n-core WorkflowExecute: only that value routes to the error output).
	const setting = node.onError === 'continueRegularOutput' ? 'On Error is "Continue (regular output)"' : 'Continue On Fail is on (run as On Error "Continue (regular output)")';
	return `Doris Stream Load node "${node.name}": ${setting} but its Rejected output leads nowhere; the regular output is Loaded, which holds loaded rows only`;
}

/** The message naming each such node and its setting, and what would become of the rows. */
export function lossyContinueMessage(nodes: readonly ContinueSettings[]): string {
	return `${nodes.map(problemOf).join('; ')}, so rows it cannot load would be lost while the trigger commits their offsets`;
}

/** What to do instead, for the error's description. */
export const LOSSY_CONTINUE_FIX =
	'Connect the Rejected output to a dead-letter branch (or to a No Operation node to drop such rows on purpose), or set On Error to "Continue (using error output)" and connect the error output, or set it to "Stop Workflow" so a failed load fails the execution and the trigger redelivers it.';
