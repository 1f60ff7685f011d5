import { NodeOperationError, type INodeParameters, type ITriggerFunctions } from 'n8n-workflow';

import { executeOnceMessage } from '../../src/common/execute-once';
import { errorOutputLeadsNowhere, nodesReachedFrom, outputLeadsNowhere } from '../shared/outputs';
import { SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from './downstream-tables';

const EXECUTE_WORKFLOW_NODE_TYPE = 'n8n-nodes-base.executeWorkflow';

/**
 * Node settings under which n8n drops rows of an execution that still ends as a success, so the
 * trigger would commit their offsets with the rows nowhere (n8n-core WorkflowExecute, 2.40.7):
 * - Execute Once (handleExecuteOnce): n8n hands the node the first item of its input only, the
 *   others are gone; on the trigger itself the execution carries one message of its batch.
 * - a disabled Doris Stream Load node (handleDisabledNode): n8n passes its input on as its Loaded
 *   output without loading anything.
 * - On Error "Continue (using error output)" with that output leading nowhere (handleNodeErrorOutput):
 *   n8n moves the items the node fails on there. Not the Doris nodes: they never hand n8n a failed
 *   item (a Doris Stream Load node on "Continue" is checked by refuse-lossy-continue.ts, which also
 *   accepts its Rejected output as a place for such rows).
 * - On Error "Continue (regular output)" (or the older Continue On Fail) on a node other than the
 *   Doris nodes: n8n's nodes put an item holding only the error in place of each item they fail on
 *   (`{ error }`, e.g. Edit Fields' manual mode), so the row is gone; at best its error is dead-lettered.
 * - a Doris Schema node mapping rows whose Rows output leads nowhere: n8n drops what it hands there.
 * - an Execute Workflow node with Wait For Sub-Workflow Completion off (n8n-nodes-base ExecuteWorkflow,
 *   options.waitForSubWorkflow): n8n starts the sub-workflow with doNotWaitToFinish and the node
 *   returns its input at once, so the execution succeeds and the trigger commits while the
 *   sub-workflow has not loaded the rows yet; n8n stopping then loses them. An expression there may
 *   turn it off for some item, so it is refused too. A disabled Execute Workflow node never starts its
 *   sub-workflow and passes the rows on: refused unless a Doris Stream Load node after it loads them.
 * And one that makes up a row: Always Output Data on a node before a Doris Stream Load node
 * (ensureAlwaysOutputData) puts an empty item on the node's first output whenever it is empty, as a
 * Doris Schema node's Rows output is when every row of an execution is invalid. Doris loads that {}
 * as a row of NULLs and defaults, or refuses it and a row that never existed is dead-lettered.
 * Refused at activation, naming the node, before any consumer joins. The first four and the Execute
 * Workflow node only on a node
 * that holds rows not yet in Doris (rowsNotLoadedAt): after a Doris Stream Load node's Loaded output
 * they are, and a node there (a notification sent once per execution, one that must not fail it)
 * loses nothing.
 */
export function refuseLossySettings(ctx: Pick<ITriggerFunctions, 'getNode'>): void {
	const reached = nodesReachedFrom(ctx, ctx.getNode().name);
	const holdingRows = rowsNotLoadedAt(ctx, reached);
	const problems = [
		...holdingRows
			.filter((node) => node.executeOnce === true && node.disabled !== true)
			.map((node) => executeOnceMessage(node.name)),
		...reached
			.filter((node) => node.type === STREAM_LOAD_NODE_TYPE && node.disabled === true)
			.map((node) => `Doris Stream Load node "${node.name}" is disabled: n8n passes the rows that reach it on unloaded, so they would be lost while the trigger commits their offsets`),
		...holdingRows
			.filter((node) => !isDorisNode(node.type) && errorOutputLeadsNowhere(ctx, node.name))
			.map((node) => `Node "${node.name}": On Error is "Continue (using error output)" but its error output leads nowhere: n8n moves the items it fails on there, so their rows would be lost while the trigger commits their offsets`),
		...holdingRows
			.filter((node) => !isDorisNode(node.type) && node.disabled !== true && (node.onError === 'continueRegularOutput' || (node.continueOnFail === true && node.onError !== 'continueErrorOutput')))
			.map((node) => `Node "${node.name}": On Error is "Continue (regular output)": n8n's nodes put an item holding only the error in place of each item they fail on, so its row would be lost while the trigger commits its offset`),
		...reached
			.filter((node) => node.type === SCHEMA_NODE_TYPE && node.disabled !== true && node.parameters?.operation !== 'getSchema' && outputLeadsNowhere(ctx, node.name, 0))
			.map((node) => `Doris Schema node "${node.name}": its Rows output leads nowhere, so the rows it maps would be lost while the trigger commits their offsets`),
		...holdingRows
			.filter((node) => node.type === EXECUTE_WORKFLOW_NODE_TYPE && node.disabled !== true && subWorkflowWait(node) !== 'on')
			.map((node) => `Execute Workflow node "${node.name}": Wait For Sub-Workflow Completion is ${subWorkflowWait(node)}: n8n hands the rows to the sub-workflow and goes on at once, so the trigger would commit their offsets before the sub-workflow loads them, and they would be lost if n8n stopped in between`),
		...holdingRows
			.filter((node) => node.type === EXECUTE_WORKFLOW_NODE_TYPE && node.disabled === true && !leadsToStreamLoad(ctx, node.name))
			.map((node) => `Execute Workflow node "${node.name}" is disabled: n8n passes the rows that reach it on without starting its sub-workflow, and no Doris Stream Load node after it loads them, so they would be lost while the trigger commits their offsets`),
		...reached
			.filter((node) => node.alwaysOutputData === true && node.disabled !== true && node.type !== STREAM_LOAD_NODE_TYPE && leadsToStreamLoad(ctx, node.name))
			.map((node) => `Node "${node.name}" has the setting Always Output Data on: n8n then sends an empty item on to Doris Stream Load whenever the node outputs no row, which Doris would load as a row of NULLs and defaults`),
	];
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), problems.join('; '), {
		description: 'Connect the Doris Schema node\'s Rows output to the Doris Stream Load node; turn Execute Once off (node Settings); enable the Doris Stream Load or Execute Workflow node, or deactivate the workflow instead of disabling the node; connect the error output (to a dead-letter branch) or set On Error to "Stop Workflow" (a failed execution is redelivered); turn Always Output Data off; turn Wait For Sub-Workflow Completion on (Execute Workflow node options), or put the Doris nodes in this workflow. Then activate it again.',
	});
}

/**
 * The nodes of `reached` that can hold rows not yet in Doris: those the trigger's or a Doris node's
 * items reach other than through a Doris Stream Load node's Loaded output (whose items are loaded
 * rows), and any node that leads on to a Doris Stream Load node (it hands that node its rows).
 */
function rowsNotLoadedAt(ctx: object, reached: ReturnType<typeof nodesReachedFrom>): ReturnType<typeof nodesReachedFrom> {
	const notThroughLoaded = (node: { type: string }, output: number) => !(node.type === STREAM_LOAD_NODE_TYPE && output === 0);
	const starts = [reached[0], ...reached.filter((node) => isDorisNode(node.type))].filter((node) => node !== undefined);
	const holding = new Set(starts.flatMap((start) => nodesReachedFrom(ctx, start.name, notThroughLoaded).map((node) => node.name)));
	return reached.filter((node) => holding.has(node.name) || leadsToStreamLoad(ctx, node.name));
}

/** Wait For Sub-Workflow Completion as stored: absent means n8n's default, on. */
function subWorkflowWait(node: { parameters?: INodeParameters }): 'on' | 'off' | 'an expression, which may turn it off' {
	const options = node.parameters?.options;
	const wait = options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as INodeParameters).waitForSubWorkflow : undefined;
	if (wait === undefined || wait === true) return 'on';
	return typeof wait === 'string' && wait.startsWith('=') ? 'an expression, which may turn it off' : 'off';
}

function leadsToStreamLoad(ctx: object, name: string): boolean {
	return nodesReachedFrom(ctx, name).some((node) => node.name !== name && node.type === STREAM_LOAD_NODE_TYPE && node.disabled !== true);
}

function isDorisNode(type: string): boolean {
	return type === SCHEMA_NODE_TYPE || type === STREAM_LOAD_NODE_TYPE;
}
