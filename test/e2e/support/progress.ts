// Waiting for a scenario to finish: the consumer group has committed every produced message (the
// trigger commits only what is loaded, so this is "everything is in Doris"), with failures explained;
// or, for a message that must never commit, its execution failing and redelivered with no commit past it.
import assert from 'node:assert/strict';
import type { N8nHost } from '../../ground/n8n/host';
import { timeUntil, waitFor } from '../../support/wait-for';
import type { E2eWorld, Scenario } from './fixture';
import type { KafkaTestClient } from './kafka';

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

/**
 * Waits until `failures` executions of the workflow have failed (the first and its redeliveries),
 * reading the group's committed offset of `partition` at every poll and failing at once when it is
 * past `badOffset`. Event-bound, not a fixed watch: the trigger requests a commit as soon as it
 * handles an outcome and redelivers only after its backoff (1 s, 2 s, ...), so by the time the
 * third failure is listed, a commit wrongly made after the first two would be on the broker.
 * Returns the last committed offset read.
 */
export async function watchNoCommitPast(
	n8n: N8nHost,
	kafka: KafkaTestClient,
	target: { workflowId: string; groupId: string; topic: string; partition: number },
	badOffset: number,
	failures = 3,
): Promise<number> {
	let committed = -1;
	const readCommitted = async (): Promise<number> => {
		committed = (await kafka.offsets(target.groupId, target.topic)).get(target.partition)?.committed ?? -1;
		assert.ok(committed <= badOffset, `committed ${committed} past the invalid message at offset ${badOffset}`);
		return committed;
	};
	await waitFor(
		`${failures} failed executions of workflow ${target.workflowId} (the first and its redeliveries)`,
		async () => {
			await readCommitted();
			return (await n8n.rest.executions({ workflowId: target.workflowId, status: ['error'], limit: failures })).length >= failures;
		},
		{ timeoutMs: 120_000, intervalMs: 250, progress: () => `committed ${committed}, log ${n8n.logPath}` },
	);
	return await readCommitted();
}
