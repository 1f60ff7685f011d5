import { droppingSchemaNodeRan } from '../../src/batch/expression-fields';
import { unorderedKafkaTrigger } from '../../src/common/change-order';
import type { GraphNode } from '../../src/common/workflow-graph';
import { runDataOf } from './lossy-settings';
import { runningWorkflowOf } from './outputs';

/**
 * The Kafka trigger that started this execution when its Keep Order per Partition is off, else
 * undefined (src/common/change-order.ts unorderedKafkaTrigger): read from the running workflow's nodes
 * and the nodes that ran so far, as nodes/shared/lossy-settings.ts tells a Kafka trigger's execution.
 */
export function unorderedKafkaTriggerOf(ctx: object): string | undefined {
	const nodes = (runningWorkflowOf(ctx) as { nodes?: unknown } | undefined)?.nodes;
	const runData = runDataOf(ctx);
	if (runData === undefined || nodes === null || typeof nodes !== 'object') return undefined;
	return unorderedKafkaTrigger(nodes as Record<string, GraphNode | undefined>, Object.keys(runData));
}

/** Whether a Doris Schema node that drops unknown fields ran in this execution (src/batch/expression-fields.ts); false when unreadable. */
export function droppingSchemaNodeRanOf(ctx: object): boolean {
	const nodes = (runningWorkflowOf(ctx) as { nodes?: unknown } | undefined)?.nodes;
	const runData = runDataOf(ctx);
	if (runData === undefined || nodes === null || typeof nodes !== 'object') return false;
	return droppingSchemaNodeRan(nodes as Record<string, GraphNode | undefined>, Object.keys(runData));
}
