import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import { LOAD_DEFAULTS } from '../../src/batch/load-defaults';
import { n8nExecutionTimeout, TIMEOUT_SETTINGS_FIX, timeoutProblems } from '../../src/common/timeout-settings';
import { workflowGraphOf } from '../shared/outputs';
import { n8nEnv } from '../shared/n8n-env';

/**
 * Refuses to activate a workflow whose executions n8n or the trigger gives up while their rows may
 * still wait in a Doris Stream Load batch (src/common/timeout-settings.ts says which and why): those
 * rows load with the batch and again with the redelivery. Named with both values and what to change.
 */
export function refuseContradictoryTimeouts(
	ctx: Pick<ITriggerFunctions, 'getNode' | 'getWorkflowSettings'>,
	settings: { keepPartitionOrder: boolean; executionTimeoutMs: number },
	env: Readonly<Record<string, string | undefined>> = n8nEnv(['EXECUTIONS_TIMEOUT', 'EXECUTIONS_TIMEOUT_MAX']),
): void {
	const graph = workflowGraphOf(ctx);
	if (graph === undefined) return;
	const n8n = n8nExecutionTimeout(ctx.getWorkflowSettings().executionTimeout, env);
	const problems = timeoutProblems(graph, ctx.getNode().name, {
		n8nTimeoutSeconds: n8n.seconds,
		n8nTimeoutSource: n8n.source,
		triggerTimeoutMs: settings.executionTimeoutMs,
		keepPartitionOrder: settings.keepPartitionOrder,
		defaultIntervalMs: LOAD_DEFAULTS.maxIntervalMs,
	});
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), problems.join('; '), { description: TIMEOUT_SETTINGS_FIX });
}
