// Kafka-side faults under the core pipeline (the broker restart is in broker-restart.test.ts):
// a second consumer joins and leaves mid-stream, the topic gets more partitions mid-stream, the
// committed offset falls out of range (deleted by retention), and the topic is deleted and recreated
// under the same name (the position falls below where the sinker continues). Invariant as everywhere
// (harness/world.ts assertInvariant).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { metrics } from '../../src/metrics/metrics';
import { createPartitionsReady, createTopicsReady } from '../support/kafka-topics';
import { waitFor } from '../support/wait-for';
import { recordFigures } from './harness/figures';
import { plainRows } from './harness/ledger';
import { assertInvariant, midStream, useWorld } from './harness/world';

const world = useWorld();

describe('Kafka: group changes and offsets', { timeout: 150_000 }, () => {
	it('a second consumer joins and leaves mid-stream (two rebalances)', async () => {
		const c = await world.newCase({ partitions: 4 });
		const rows = 6000;
		let second: Awaited<ReturnType<typeof c.pipeline.addConsumer>> | undefined;
		await midStream(c, rows, async () => {
			second = await c.pipeline.addConsumer();
		});
		await waitFor('the second consumer to run executions', () => (second?.stats.executionsStarted ?? 0) > 0 || c.pipeline.tableRowCount() >= rows);
		const secondAssigned = [...(second?.assigned().values() ?? [])].flat();
		await c.produceRows(rows, 2000);
		if (second) await c.pipeline.removeConsumer(second);
		await c.produceRows(rows + 2000, 2000);
		const ms = await c.pipeline.settle();
		assertInvariant(c);
		assert.ok(secondAssigned.length > 0, 'the second consumer got partitions');
		assert.equal(c.pipeline.consumers[0].assigned().get(c.topic)?.length, 4, 'the first consumer owns all partitions again');
		const delivered = c.pipeline.executions.reduce((s, e) => s + Number(e.last - e.first + 1n), 0);
		recordFigures('consumerJoinsAndLeaves', {
			rows: rows + 4000,
			settleMs: ms,
			secondConsumerPartitions: secondAssigned.length,
			secondConsumerExecutions: second?.stats.executionsStarted ?? 0,
			messagesDelivered: delivered,
			redelivered: delivered - (rows + 4000),
		});
		await c.pipeline.close();
	});

	it('the topic gets more partitions mid-stream: new partitions are consumed from their start', async () => {
		const c = await world.newCase({ partitions: 2 });
		await c.produceRows(0, 2000);
		await c.pipeline.settle();
		await createPartitionsReady(world.admin, c.topic, 4);
		const at = Date.now();
		// Rows for all four partitions (ids keep i % 4 = partition).
		const more = plainRows(2000, 2000, 4);
		await c.produce(more);
		// kafkajs notices new partitions on its next metadata refresh (metadataMaxAge, 300 s by default,
		// not exposed by the trigger) or at the next rebalance, when the leader refreshes metadata
		// (consumerGroup.js sync). Observe the first, then force the second.
		await sleep(5000);
		const seenBeforeRebalance = c.pipeline.executions.filter((e) => e.partition >= 2 && e.at > at).length;
		const second = await c.pipeline.addConsumer();
		await c.pipeline.removeConsumer(second);
		const ms = await c.pipeline.settle();
		assertInvariant(c);
		assert.deepEqual([...(c.pipeline.consumers[0].assigned().get(c.topic) ?? [])].sort(), [0, 1, 2, 3]);
		// fromBeginning (the default, "earliest"): rows written to the new partitions before the consumer
		// knew them are all there. With "latest" they would be skipped: see docs/reliability.md.
		recordFigures('morePartitions', { rows: 4000, partitions: '2→4', newPartitionExecutionsWithin5sWithoutRebalance: seenBeforeRebalance, settleAfterRebalanceMs: ms });
		await c.pipeline.close();
	});

	it('committed offset out of range (deleted by retention): restarts from the earliest offset, per From Beginning', async () => {
		const c = await world.newCase({ partitions: 2 });
		await c.produceRows(0, 1000);
		await c.pipeline.settle();
		const [first] = c.pipeline.consumers;
		await c.pipeline.removeConsumer(first);
		const committed = await c.pipeline.committed();
		await c.produceRows(1000, 1000);
		// Retention deletes 200 records past the committed offset of partition 0 before anyone reads them.
		const cut = (committed.get(0) ?? 0n) + 200n;
		// kafkajs' deleteTopicRecords looks the partition's leader up in the admin's metadata before it reads
		// the topic ("Could not find the leader for the partition" otherwise): world.admin reads it first.
		await world.admin.fetchTopicOffsets(c.topic);
		await world.admin.deleteTopicRecords({ topic: c.topic, partitions: [{ partition: 0, offset: cut.toString() }] });
		const gone = c.ledger.forget(0, committed.get(0) ?? 0n, cut);
		const logFrom = world.capture.lines.length;
		await c.pipeline.addConsumer();
		const ms = await c.pipeline.settle();
		assertInvariant(c);
		const ids = c.pipeline.tableIds();
		const lostToRetention = gone.filter((e) => e.id !== null && !ids.has(e.id)).length;
		assert.equal(lostToRetention, 200, 'exactly the records retention deleted before they were read are missing');
		const reset = world.capture.lines.slice(logFrom).find((l) => /Offset out of range/i.test(l));
		assert.ok(reset, 'the reset is logged (kafkajs: "Offset out of range, resetting to default offset")');
		// kafkajs' line names no offset: the trigger's error names the range gone and the counter counts it.
		const named = world.capture.lines.slice(logFrom).find((l) => l.includes(`${c.topic}[0]`) && l.includes(`no longer holds offsets ${committed.get(0) ?? 0n} to ${cut - 1n}`));
		assert.ok(named, 'an error names the partition and the offsets retention deleted');
		const lost = (await metrics.kafkaMessagesLost.get()).values.filter((value) => value.labels.topic === c.topic);
		assert.deepEqual(lost.map((value) => [value.labels.partition, value.value]), [['0', 200]], 'kafka_messages_lost_total counts the 200');
		const firstAfter = c.pipeline.executions.filter((e) => e.partition === 0).map((e) => e.first);
		assert.ok(firstAfter.includes(cut), `partition 0 restarted at the log start ${cut}`);
		recordFigures('offsetOutOfRange', { rows: 2000, deletedBeforeRead: 200, restartedAt: String(cut), settleMs: ms, logLine: named.slice(0, 200) });
		await c.pipeline.close();
	});

	it("the pipeline reads offsets with its own admin: a topic deleted elsewhere leaves the world's admin able to create it again", async () => {
		// The next case deletes and recreates its topic through world.admin while the pipeline samples the
		// topic's offsets every 300 ms. Had both used one kafkajs admin, a read racing the delete could put
		// the deleted topic back into that admin's metadata targets, and every createTopics then fails
		// before reaching the broker (harness/pipeline.ts, `reader`). That state made certain here: the
		// pipeline reads the topic, another admin deletes it.
		const c = await world.newCase({ partitions: 1 });
		await c.produceRows(0, 10);
		await c.pipeline.settle();
		await c.pipeline.close();
		const other = world.kafka.admin();
		await other.connect();
		await other.deleteTopics({ topics: [c.topic] }).finally(() => other.disconnect());
		await createTopicsReady(world.admin, [{ topic: c.topic, numPartitions: 1, replicationFactor: 1 }]);
		assert.ok((await world.admin.listTopics()).includes(c.topic));
	});

	it('the topic is deleted and recreated under the same name: the position reset below the floor restarts the partition', async () => {
		const c = await world.newCase({ partitions: 1 });
		await c.produceRows(0, 1000);
		await c.pipeline.settle();
		const logFrom = world.capture.lines.length;
		await world.admin.deleteTopics({ topics: [c.topic] });
		// Its rows are in Doris; the new log starts again at offset 0.
		c.ledger.retireOffsets();
		await waitFor('the topic to be gone', async () => !(await world.admin.listTopics()).includes(c.topic), { intervalMs: 200 });
		// world.admin has not read the topic (the pipeline reads with its own admin, see the case above), so
		// its createTopics does not trip over the deleted topic in its own metadata targets.
		await createTopicsReady(world.admin, [{ topic: c.topic, numPartitions: 1, replicationFactor: 1 }]);
		const recreated = Date.now();
		// Until the broker's metadata has the new partition, a produce answers UNKNOWN_TOPIC_OR_PARTITION.
		await waitFor('the new topic to take messages', async () => (await world.admin.fetchTopicOffsets(c.topic).catch(() => [])).length === 1, { intervalMs: 200 });
		await c.produceRows(1000, 300);
		const ms = await c.pipeline.settle(60_000);
		const recoverMs = Date.now() - recreated;
		assertInvariant(c);
		const reset = world.capture.lines.slice(logFrom).find((l) => /position of .*\[0\] was reset to offset 0, below offset 1000/.test(l));
		assert.ok(reset, 'the reset is logged as an error with both offsets');
		assert.match(reset, /^error /);
		const newLog = c.pipeline.executions.filter((e) => e.at >= recreated);
		assert.equal(newLog[0]?.first, 0n, 'the new log is consumed from its first offset');
		recordFigures('topicRecreated', { oldRows: 1000, newRows: 300, recoverMs, settleMs: ms, logLine: reset.slice(0, 200) });
		await c.pipeline.close();
	});
});
