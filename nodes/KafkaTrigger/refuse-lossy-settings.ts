import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import { LOSSY_SETTINGS_FIX, lossySettingProblems } from '../../src/common/lossy-settings';
import { WAITING_NODES_FIX, waitingNodeProblems } from '../../src/common/waiting-nodes';
import { workflowGraphOf } from '../shared/outputs';

/**
 * Refuses to activate a workflow whose nodes the trigger's rows reach have a setting under which n8n
 * drops rows while the execution succeeds (src/common/lossy-settings.ts lists them and why), naming
 * each node and setting, before any consumer joins: the trigger would commit their offsets with the
 * rows nowhere. Here the rows must load in this workflow, so a Doris Schema node's Rows output leading
 * nowhere is refused too. A workflow the trigger never sees (a sub-workflow its Execute Workflow node
 * calls) is checked by the Doris nodes when they run, with the same walk and text
 * (nodes/shared/lossy-settings.ts).
 */
export function refuseLossySettings(ctx: Pick<ITriggerFunctions, 'getNode'>): void {
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return;
	const problems = lossySettingProblems(graph, [ctx.getNode().name], { rowsMustLoadHere: true });
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), problems.join('; '), { description: `${LOSSY_SETTINGS_FIX} Then activate it again.` });
}

/**
 * Refuses to activate a workflow in which a node the trigger's rows reach, before or after the Doris
 * nodes, puts the execution to wait (src/common/waiting-nodes.ts): a Wait node of 65 s or more, a Form
 * node, an operation that sends and waits. n8n hands the trigger such an execution as "waiting", so it
 * would redeliver it for ever while each parked copy later resumes and loads its rows again.
 */
export function refuseWaitingNodes(ctx: Pick<ITriggerFunctions, 'getNode'>): void {
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return;
	const problems = waitingNodeProblems(graph, [ctx.getNode().name]);
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), problems.join('; '), { description: `${WAITING_NODES_FIX} Then activate it again.` });
}
