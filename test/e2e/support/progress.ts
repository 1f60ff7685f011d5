// Waiting for a scenario to finish: the consumer group has committed every produced message (the
// trigger commits only what is loaded, so this is "everything is in Doris"), with failures explained.
import type { E2eWorld, Scenario } from './fixture';
import { timeUntil } from '../../support/wait-for';

/** Recent failed executions of the workflow, for the message of a timeout. */
async function failures(world: E2eWorld, workflowId: string | undefined): Promise<string> {
	if (!workflowId || !world.n8n.running) return '';
	try {
		const failed = await world.n8n.rest.executions({ workflowId, status: ['error', 'crashed'], limit: 3 });
		if (failed.length === 0) return '';
		const details = await Promise.all(failed.map(async (e) => JSON.stringify(await world.n8n.executionData(e.id)).slice(0, 600)));
		return `; failed executions: ${details.join(' | ')}`;
	} catch (error) {
		return `; (could not list executions: ${(error as Error).message})`;
	}
}

/** Resolves with the milliseconds it took once the group's committed offsets reach the end offsets. */
export async function waitForCommitted(world: E2eWorld, scenario: Scenario, timeoutMs: number): Promise<number> {
	return await timeUntil(`group ${scenario.groupId} to commit all of ${scenario.topic}`, async () => (await world.kafka.lag(scenario.groupId, scenario.topic)) === 0, {
		timeoutMs,
		intervalMs: 500,
		progress: async () =>
			`lag ${await world.kafka.lag(scenario.groupId, scenario.topic)}, ${world.doris.loads.filter((l) => l.table === scenario.table && l.status === 'Success').reduce((s, l) => s + l.rows, 0)} rows loaded into ${scenario.table}, log ${world.n8n.logPath}${await failures(world, scenario.workflowId)}`,
	});
}
