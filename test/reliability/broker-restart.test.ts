// The Kafka broker restarts mid-stream. The broker is this file's own (test/ground/kafka/private-broker.ts:
// other ports, its own folder), so the restart disturbs no other test file and the file can run in any
// order. The restart is a real one: SIGTERM (a clean shutdown, data kept), down for DOWN_MS, then the
// same broker started again on the same data (`scripts/kafka.sh resume`): topics and committed offsets
// survive, as they do when a production broker restarts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { startPrivateBroker, type PrivateBroker } from '../ground/kafka/private-broker';
import { waitFor } from '../support/wait-for';
import { recordFigures } from './harness/figures';
import { assertInvariant, useWorld } from './harness/world';

const DOWN_MS = 3000;

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
		const c = await world.newCase({ partitions: 2 });
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
});
