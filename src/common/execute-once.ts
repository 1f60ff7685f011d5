/**
 * What is said of a node with n8n's Execute Once setting on a path the rows take: n8n hands such a
 * node the first item of each execution only and drops the others (n8n-core WorkflowExecute
 * handleExecuteOnce), while the execution succeeds and the Kafka trigger commits their offsets. The
 * trigger says it when it refuses to activate such a workflow; a Doris node with the setting says the
 * same when it runs in a workflow the trigger never checked (a sub-workflow) and fails the execution.
 */
export function executeOnceMessage(nodeName: string): string {
	return `Node "${nodeName}" has the setting Execute Once on: n8n hands it the first item of each execution only and drops the others, so their rows would be lost while the trigger commits their offsets`;
}

/** What to do instead, for the error's description. */
export const EXECUTE_ONCE_FIX = 'Turn Execute Once off (node Settings): the node then gets every item of the execution.';
