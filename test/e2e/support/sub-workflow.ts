// The logs example moved into a sub-workflow (handOffToSubWorkflow) and run against real n8n: how
// much the trigger committed, and whether every committed row is in Doris or on the dead-letter topic.
import assert from 'node:assert/strict';

import { waitFor } from '../../support/wait-for';
import { logEvents, type TestEvent } from './events';
import { handOffToSubWorkflow, type ExampleWorkflow } from './examples';
import { prepareScenario, type E2eWorld } from './fixture';

/** The sequence numbers of the rows on a dead-letter topic (NaN for a letter holding no row, such as `{ error }`). */
export async function deadLetterSeqs(world: E2eWorld, topic: string): Promise<Set<number>> {
	return new Set((await world.kafka.readAll(topic)).map((m) => Number((JSON.parse(m.value) as { seq?: unknown }).seq)));
}

/**
 * The logs example moved into a sub-workflow that an Execute Workflow node calls from the trigger's
 * workflow, waiting for it (n8n's default), after `change` altered the example; then 299 messages,
 * of which `bad` are made refused by Doris (a 300-byte STRING, for a Doris test server whose
 * string_type_length_soft_limit_bytes is 256) or invalid (status 70000), none when both lists are
 * empty. Waits until three executions failed (the first and its redeliveries) or every offset
 * committed, and checks that no row was committed unless it is in Doris or on the dead-letter topic,
 * nothing past the first bad message (nothing at all without one: the setting alone must fail the
 * execution), and that an execution failed with `message`.
 */
export async function inSubWorkflow(
	world: E2eWorld,
	t: { diagnostic(message: string): void },
	change: (workflow: ExampleWorkflow) => void,
	bad: { refused: number[]; invalid: number[] },
	message: RegExp,
	trigger: Record<string, unknown> = {},
): Promise<void> {
	const scenario = await prepareScenario(world, 'logs-high-frequency', {
		partitions: 1,
		tableFrom: 'app_logs',
		ddl: 'logs',
		overrides: { trigger: { maxRecordsPerExecution: 100, executionsInFlight: 1, ...trigger }, streamLoad: { batchRows: 1000, batchIntervalSeconds: 1 } },
	});
	change(scenario.workflow);
	handOffToSubWorkflow(scenario.workflow);
	const workflowId = await scenario.deploy();
	const events = logEvents(300, 1).filter((e) => !e.invalid);
	const spoil = (seq: number, patch: Record<string, unknown>, invalid: TestEvent['invalid']) => {
		const at = events.findIndex((e) => e.id === String(seq));
		const line = JSON.parse(events[at].value as string) as Record<string, unknown>;
		events[at] = { ...events[at], value: JSON.stringify({ ...line, ...patch }), row: undefined, invalid };
	};
	for (const seq of bad.refused) spoil(seq, { message: 'x'.repeat(300) }, { rule: 'doris_rejected', column: 'message' });
	for (const seq of bad.invalid) spoil(seq, { status: 70000 }, { rule: 'range', column: 'status' });
	const produced = await world.kafka.produce(scenario.topic, events);
	// With no bad message, the setting alone must keep every offset uncommitted.
	const badOffsets = produced.filter((p) => [...bad.refused, ...bad.invalid].includes(Number(p.id))).map((p) => p.offset);
	const firstBad = badOffsets.length === 0 ? -1 : Math.min(...badOffsets);
	const committed = async () => (await world.kafka.offsets(scenario.groupId, scenario.topic)).get(0)?.committed ?? -1;
	// The parent's and the sub-workflow's executions (given inline, it runs under the parent's id).
	const failedExecutions = async () => await world.n8n.rest.executions({ workflowId, status: ['error'], limit: 3 });
	// Either outcome ends the wait: the execution fails and is redelivered (three failures), or every offset commits.
	await waitFor('three failed executions, or every offset committed', async () => (await failedExecutions()).length >= 3 || (await committed()) === events.length, {
		timeoutMs: 120_000,
		intervalMs: 250,
		progress: async () => `committed ${await committed()}, log ${world.n8n.logPath}`,
	});
	const at = await committed();
	const stored = new Set(world.doris.tableRows('demo', scenario.table).map((r) => Number(r.seq)));
	const letters = await deadLetterSeqs(world, scenario.deadLetterTopic);
	const gone = produced.filter((p) => p.offset < at && !stored.has(Number(p.id)) && !letters.has(Number(p.id))).map((p) => Number(p.id));
	const failed = await failedExecutions();
	const errors = await Promise.all(failed.map(async (e) => (await world.n8n.rest.execution(e.id)).data));
	const what = `committed offset ${at} of ${events.length}, ${stored.size} rows in Doris, ${letters.size} dead letters, committed but in neither: ${gone.length} (${gone.slice(0, 5).join(', ')}${gone.length > 5 ? ', …' : ''}), ${failed.length} failed executions`;
	t.diagnostic(what);
	assert.deepEqual(gone, [], `no row committed unless in Doris or on the dead-letter topic: ${what}`);
	assert.ok(at <= firstBad, `nothing committed past the first bad message (offset ${firstBad}): ${what}`);
	assert.ok(errors.some((data) => message.test(data)), `an execution failed with ${String(message)}: ${what}`);
}
