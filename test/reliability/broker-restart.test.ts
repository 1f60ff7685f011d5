// The Kafka broker restarts mid-stream. The broker is this file's own (test/ground/kafka/private-broker.ts:
// other ports, its own folder), so the restart disturbs no other test file and the file can run in any
// order. The restart is a real one: SIGTERM (a clean shutdown, data kept), down for DOWN_MS, then the
// same broker started again on the same data (`scripts/kafka.sh resume`): topics and committed offsets
// survive, as they do when a production broker restarts. RELIABILITY_BROKER_DOWN_S sets how long it stays
// down (3 s by default; the JVM's start adds ~6 s).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SinkExecution } from '../../src/kafka/consumer-options';
import { startPrivateBroker, type PrivateBroker } from '../ground/kafka/private-broker';
import { waitFor } from '../support/wait-for';
import { recordFigures } from './harness/figures';
import { assertInvariant, useWorld } from './harness/world';

const DOWN_MS = Number(process.env.RELIABILITY_BROKER_DOWN_S ?? 3) * 1000;
/**
 * The broker's smallest session timeout (group.min.session.timeout.ms, 6 s). kafkajs rejoins under a
 * new member id after the restart, and the group waits for the old one's session to expire before it
 * hands the partitions out again: each restart settled ~10 s after the broker was back with the suites'
 * 10 s session, and this file restarts the broker four to eight times.
 */
const SESSION_TIMEOUT_MS = 6_000;

let broker: PrivateBroker | undefined;
const world = useWorld(
	{
		brokers: () => {
			assert.ok(broker, 'the private broker starts before the world');
			return broker.brokers;
		},
	},
	{
		beforeStart: async () => {
			broker = await startPrivateBroker('broker-restart');
		},
		afterClose: () => broker?.stop(),
	},
);

describe('Kafka broker restart mid-stream', { timeout: 240_000 }, () => {
	it('consumption resumes after the restart; every row loaded, no commit ahead of Doris', async () => {
		const c = await world.newCase({ partitions: 2, consumer: { sessionTimeoutMs: SESSION_TIMEOUT_MS } });
		await c.produceRows(0, 3000);
		assert.ok(broker);
		await waitFor('500 rows in Doris before the restart', () => c.pipeline.tableRowCount() >= 500, { timeoutMs: 30_000, intervalMs: 20 });
		const loadedAtStop = c.pipeline.tableRowCount();
		const { downMs } = await broker.restart(DOWN_MS);
		await c.produceRows(3000, 2000);
		const settleMs = await c.pipeline.settle(120_000);
		assertInvariant(c);
		const [consumer] = c.pipeline.consumers;
		const delivered = c.pipeline.executions.reduce((s, e) => s + Number(e.last - e.first + 1n), 0);
		const crashes = world.capture.lines.filter((l) => /crashed/i.test(l)).length;
		recordFigures('brokerRestart', {
			rows: 5000,
			loadedAtStop,
			brokerDownMs: downMs,
			settleAfterRestartMs: settleMs,
			messagesDelivered: delivered,
			redelivered: delivered - 5000,
			consumerCrashLogLines: crashes,
			commitsConfirmed: consumer?.stats.commits ?? 0,
		});
		await c.pipeline.close();
	});

	// A clean shutdown first moves the group coordinator away (heartbeats and commits are answered
	// NOT_COORDINATOR, a lookup COORDINATOR_NOT_AVAILABLE) and closes the listener ~25-55 ms later. A
	// consumer that meets that window rejoins, and kafkajs 2.2.4's coordinator lookup retries on the
	// broker's connection, which is refused by then: before the fix that ended in a
	// KafkaJSGroupCoordinatorNotFound kafkajs would not restart from, and consumption stopped for good.
	// With the consumer's defaults (a heartbeat a second) a restart meets the window now and then (1 of 3
	// fresh-clone runs); a heartbeat after every 10 ms fetch meets it at every restart (6 of 6, a plain
	// kafkajs consumer on this broker).
	it('a rejoin begun as the broker shuts down: the consumer restarts by itself; every row loaded, no commit ahead of Doris', async (t) => {
		const c = await world.newCase({ partitions: 2, consumer: { heartbeatIntervalMs: 10, fetchMaxWaitMs: 10, sessionTimeoutMs: SESSION_TIMEOUT_MS } });
		await c.produceRows(0, 3000);
		assert.ok(broker);
		await waitFor('500 rows in Doris before the restart', () => c.pipeline.tableRowCount() >= 500, { timeoutMs: 30_000, intervalMs: 20 });
		// The case is about that window: a run that missed it would pass without testing anything. Under
		// load (two test files at a time in CI) a restart can miss it, so the broker restarts again, up to
		// three times, each with the invariant checked; never met, the case says so as skipped.
		let produced = 3000;
		let lookupRestarts = 0;
		let restarts = 0;
		let downMs = 0;
		let settleMs = 0;
		while (lookupRestarts === 0 && restarts < 3) {
			const linesBefore = world.capture.lines.length;
			({ downMs } = await broker.restart(DOWN_MS));
			restarts++;
			await c.produceRows(produced, 1000);
			produced += 1000;
			settleMs = await c.pipeline.settle(120_000);
			assertInvariant(c);
			lookupRestarts = world.capture.lines.slice(linesBefore).filter((l) => /kafkajs restarts it/.test(l) && /group coordinator/i.test(l)).length;
		}
		const delivered = c.pipeline.executions.reduce((s, e) => s + Number(e.last - e.first + 1n), 0);
		recordFigures('brokerRestartCoordinatorLookup', {
			rows: produced,
			brokerRestarts: restarts,
			brokerDownMs: downMs,
			settleAfterRestartMs: settleMs,
			consumerRestartsAfterFailedLookup: lookupRestarts,
			messagesDelivered: delivered,
			redelivered: delivered - produced,
		});
		await c.pipeline.close();
		if (lookupRestarts === 0) t.skip(`${restarts} broker restarts never met a failed coordinator lookup (the invariant held each time)`);
	});

	// kafkajs 2.2.4 restarts a consumer after a retriable crash under a new member id (a clean broker
	// shutdown moves the group coordinator: commits fail NOT_COORDINATOR and the consumer crashes). The
	// trigger took every partition as newly assigned and started again from the broker's committed offset:
	// executions that loaded after the coordinator moved, and those still in flight, were delivered and
	// loaded again (700-2,200 of 5,000 messages), a DUPLICATE KEY table holding those rows twice. A
	// partition that comes back to the same process with the group's offset where this process left it
	// now keeps its tracker: what loaded is committed, executions in flight keep their outcome, and
	// fetching goes on after them. Only what did not load may come again.
	// With Keep Order per Partition the kept partition's commits carry this process' HELD mark: the group's
	// metadata must read back as it was committed, or the partition would wait out its own deadline.
	for (const keepPartitionOrder of [false, true]) {
		it(`DUPLICATE KEY${keepPartitionOrder ? ', Keep Order per Partition' : ''}: rows loaded before the restart are not loaded again (only failed executions come again)`, async (t) => {
			// Every fifth execution fails once before anything loads (a node before Doris): failed ranges are
			// delivered again across the restart too, and only they come twice. Not with Keep Order per
			// Partition, where such a failure (not `settled`) is delivered again only after its deadline.
			let executions = 0;
			const failExecution = keepPartitionOrder
				? undefined
				: (e: SinkExecution) => (e.attempt === 0 && ++executions % 5 === 0 ? 'test: a node before Doris fails this execution once' : undefined);
			// The heartbeat of the coordinator-lookup case above: a restart then crashes the consumer and kafkajs
			// restarts it (with a heartbeat a second, a restart often passes without: nothing to test).
			const c = await world.newCase({ partitions: 2, model: 'DUPLICATE', failExecution, consumer: { heartbeatIntervalMs: 10, fetchMaxWaitMs: 10, keepPartitionOrder, sessionTimeoutMs: SESSION_TIMEOUT_MS } });
			await c.produceRows(0, 3000);
			assert.ok(broker);
			await waitFor('500 rows in Doris before the restart', () => c.pipeline.tableRowCount() >= 500, { timeoutMs: 30_000, intervalMs: 20 });
			const linesBefore = world.capture.lines.length;
			let produced = 3000;
			let kafkajsRestarts = 0;
			let restarts = 0;
			let downMs = 0;
			let settleMs = 0;
			while (kafkajsRestarts === 0 && restarts < 3) {
				({ downMs } = await broker.restart(DOWN_MS));
				restarts++;
				await c.produceRows(produced, 1000);
				produced += 1000;
				settleMs = await c.pipeline.settle(120_000);
				assertInvariant(c, { model: 'DUPLICATE' });
				kafkajsRestarts = world.capture.lines.slice(linesBefore).filter((l) => /kafkajs restarts it/.test(l)).length;
			}
			const rowsPerId = new Map<string, number>();
			for (const row of c.pipeline.spec.doris.tableRows(c.pipeline.spec.database, c.pipeline.spec.table)) rowsPerId.set(String(row.id), (rowsPerId.get(String(row.id)) ?? 0) + 1);
			const loadedTwice = [...rowsPerId.values()].filter((n) => n > 1).length;
			const deliveries = new Map<string, number>();
			for (const e of c.pipeline.executions) for (let o = e.first; o <= e.last; o++) deliveries.set(`${e.partition}:${o}`, (deliveries.get(`${e.partition}:${o}`) ?? 0) + 1);
			const deliveredTwice = [...deliveries.values()].filter((n) => n > 1).length;
			// What may come again: the messages of executions that failed (here before loading; a load whose answer was lost too).
			const failed = new Set(c.pipeline.failedExecutions.flatMap((e) => Array.from({ length: Number(e.last - e.first + 1n) }, (_, i) => `${e.partition}:${e.first + BigInt(i)}`)));
			const mayComeAgain = failed.size;
			const cameAgainUnfailed = [...deliveries].filter(([message, n]) => n > 1 && !failed.has(message)).map(([message]) => message);
			const after = world.capture.lines.slice(linesBefore);
			recordFigures(keepPartitionOrder ? 'brokerRestartDuplicateKeyOrdered' : 'brokerRestartDuplicateKey', {
				rows: produced,
				brokerRestarts: restarts,
				brokerDownMs: downMs,
				settleAfterRestartMs: settleMs,
				kafkajsRestarts,
				messagesDeliveredTwice: deliveredTwice,
				rowsLoadedTwice: loadedTwice,
				executionsFailed: c.pipeline.failedExecutions.length,
				messagesOfFailedExecutions: mayComeAgain,
				messagesDeliveredTwiceNotFailed: cameAgainUnfailed.length,
				partitionsKept: after.filter((l) => /came back to this process/.test(l)).length,
				partitionsRenewed: after.filter((l) => /came back after kafkajs restarted the consumer, but/.test(l)).length,
			});
			await c.pipeline.close();
			if (kafkajsRestarts === 0) return t.skip(`${restarts} broker restarts never made kafkajs restart the consumer (the invariant held each time)`);
			if (failExecution) assert.ok(c.pipeline.failedExecutions.length > 0, 'executions failed (the case\'s own precondition)');
			assert.deepEqual(cameAgainUnfailed.slice(0, 10), [], `${cameAgainUnfailed.length} messages of executions that did not fail were delivered again (partition:offset)`);
			assert.ok(loadedTwice <= mayComeAgain, `${loadedTwice} rows loaded twice (${deliveredTwice} messages delivered twice) where only ${mayComeAgain} messages of failed executions may come again`);
		});
	}
});
