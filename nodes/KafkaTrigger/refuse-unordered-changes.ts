import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import { CHANGE_ORDER_FIX, changeOrderProblems, type ChangeOrderSettings } from '../../src/common/change-order';
import { STALLING_SETTINGS_FIX, stallingSettingsProblems } from '../../src/common/stalling-settings';
import { TOMBSTONE_TARGETS_FIX, tombstoneTargetProblems } from '../../src/common/tombstone-targets';
import { workflowGraphOf } from '../shared/outputs';

/**
 * Refuses to activate a workflow whose settings let an older change of a key land in Doris over a newer
 * one (src/common/change-order.ts says which and why): Keep Order per Partition off before a Doris
 * Schema node reading Debezium Envelopes or a Doris Stream Load node deleting with Deletes "Always",
 * and Max Loads in Flight above 1 on a Doris Stream Load node loading such changes. Named with both
 * settings and what to change, before any consumer joins. A Doris node in a sub-workflow the
 * trigger's Execute Workflow node calls is not seen here.
 */
export function refuseUnorderedChanges(ctx: Pick<ITriggerFunctions, 'getNode'>, settings: ChangeOrderSettings): void {
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return;
	const problems = changeOrderProblems(graph, ctx.getNode().name, settings);
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), problems.join('; '), { description: CHANGE_ORDER_FIX });
}

/**
 * Refuses to activate a workflow in which one valid row would fail every delivery of its execution and
 * hold its partition for good (src/common/stalling-settings.ts says which and why): a Doris Stream Load
 * node whose Rejected output leads nowhere, on Deletes (CDC) Auto with Keep Order per Partition off, or
 * loading JSON by a Columns list, JSON Paths or json_root, or with a Sequence Column. Named with the settings
 * and what to change.
 */
export function refuseStallingSettings(ctx: Pick<ITriggerFunctions, 'getNode'>, settings: { keepPartitionOrder: boolean }): void {
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return;
	const problems = stallingSettingsProblems(graph, ctx.getNode().name, settings);
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), problems.join('; '), { description: STALLING_SETTINGS_FIX });
}

/**
 * Refuses to activate a workflow whose tombstones become deletes (Tombstones "Delete the Row of Its Key")
 * before a Doris Schema node naming tables by the Debezium source block, which a tombstone lacks: every
 * such delete would go to Invalid (src/common/tombstone-targets.ts says why, and why not guessed).
 */
export function refuseTombstoneTargets(ctx: Pick<ITriggerFunctions, 'getNode'>, tombstonesDelete: boolean): void {
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return;
	const problems = tombstoneTargetProblems(graph, ctx.getNode().name, tombstonesDelete);
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), problems.join('; '), { description: TOMBSTONE_TARGETS_FIX });
}
