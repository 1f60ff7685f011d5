// The whole-database workflow (examples/cdc-database.json) in n8n QUEUE mode: the Kafka trigger on main,
// the Doris Schema and Stream Load nodes on two workers, Redis and PostgreSQL (scripts/queue-services.sh).
// Keep Order per Partition holds without a side channel: the deadline travels in the items to the
// workers' batches, the partition fence in Kafka's commit metadata. The main is SIGKILLed mid-stream
// while the workers still hold rows of its executions, a worker later too: afterwards every Doris
// table equals the stream's final state. Needs `npm run build` and the broker; starts Redis and
// PostgreSQL itself when they are not running.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';

import type { DorisTestServer } from '../ground/doris/server';
import { kafkaBrokers } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { assertTables, lag, newCase, oneWorkflow, produceInSlices } from './support/cdc-database';
import type { KafkaTestClient } from './support/kafka';
import { createCredentials, deployWorkflow, type CredentialRefs } from './support/n8n-setup';
import { startQueueCluster, type QueueCluster } from './support/queue-cluster';
import { startScaleGround, type ScaleGround } from './support/queue-ground';
import { ensureQueueServices, type QueueServices } from './support/queue-services';

const CHANGES = Number(process.env.E2E_CDC_QUEUE_CHANGES ?? 12_000);
/**
 * Keep Order per Partition makes the owner after the kill wait out the killed owner's lease (1.25 ×
 * Execution Timeout, + 5 s): 15 s keeps that wait short; its executions take a few seconds.
 */
const EXECUTION_TIMEOUT_S = 15;

describe('a whole database in one workflow, n8n queue mode (main + 2 workers)', { timeout: 1_200_000 }, () => {
	let services: QueueServices;
	let ground: ScaleGround;
	let cluster: QueueCluster;
	let credentials: CredentialRefs;
	let world: { doris: DorisTestServer; kafka: KafkaTestClient; credentials: CredentialRefs };

	before(async () => {
		services = await ensureQueueServices();
		ground = await startScaleGround();
		cluster = await startQueueCluster(services, { workers: 2 });
		credentials = await createCredentials(cluster.main, { kafkaBrokers, doris: ground.dorisEndpoint });
		world = { doris: ground.doris, kafka: ground.kafka, credentials };
	});

	after(async () => {
		await cluster?.close();
		await ground?.close();
		await services?.stop();
	});

	it('main SIGKILLed mid-stream (workers keep its executions\' rows), then a worker: every table equals the stream\'s final state', async (t: TestContext) => {
		const c = await newCase(world, 'cdcqueue', CHANGES);
		const workflowId = await deployWorkflow(
			cluster.main,
			oneWorkflow(world, c, { executionsInFlight: 12, options: { topicCheckSeconds: 2, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3_000, executionTimeoutSeconds: EXECUTION_TIMEOUT_S } }),
		);
		const loads = () => world.doris.loads.filter((l) => l.db === c.database && l.status === 'Success').length;
		const started = Date.now();
		const events: string[] = [];
		// Restarted at once, as a supervisor would, while the stream goes on (slices 3 and 4 arrive with
		// main down or starting); awaited before the worker is killed, so that the two kills stay apart.
		let restarting: Promise<void> | undefined;
		await produceInSlices(world, c, 10, async (s) => {
			if (s === 2) {
				await waitFor('rows loaded before the main is killed', () => loads() >= 10, { timeoutMs: 180_000 });
				await cluster.main.kill();
				events.push(`main SIGKILLed at ${Date.now() - started} ms with ${loads()} loads done`);
				restarting = cluster.main.start().then(() => void events.push(`main restarted at ${Date.now() - started} ms`));
				// A failed start surfaces at the await below; until then it must not count as unhandled.
				restarting.catch(() => undefined);
			}
			if (s === 4) await restarting;
			if (s === 6) {
				await cluster.workers[0].kill();
				events.push(`${cluster.workers[0].name} SIGKILLed at ${Date.now() - started} ms`);
			}
		});
		await waitFor('every topic committed to its end', async () => (await lag(world, c, () => c.groupId)) === 0, {
			timeoutMs: 900_000,
			intervalMs: 1000,
			progress: async () => `lag ${await lag(world, c, () => c.groupId)}; main log ${cluster.main.logPath}`,
		});
		assertTables(world, c);
		assert.deepEqual(await world.kafka.readAll(c.deadLetters, 3_000), [], 'no change event dead-lettered');
		const changes = c.stream.messages.filter((m) => m.value !== null).length;
		t.diagnostic(`${changes} changes over ${c.stream.finalRows.size} tables in queue mode in ${Date.now() - started} ms; ${events.join('; ')}; workflow ${workflowId}`);
	});
});
