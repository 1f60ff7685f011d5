// Partitions added to a change stream's topic while a backlog waits in the old one (review session 20, F3).
// Kafka's default partitioner (murmur2(key) % partitions: Kafka's BuiltInPartitioner, kafkajs'
// DefaultPartitioner) sends most keys' next changes to the new partitions, while their older changes
// still wait unread in the old one. The new partitions have no committed offset and start at their first
// message, in parallel with the old backlog: before the new partitions waited, a key's older change
// loaded after its newer one and the table kept the older value (UNIQUE KEY, no sequence column), with
// nothing logged. With Keep Order per Partition the new partitions now wait until the old one is committed
// up to the end it had when they were found; every key ends with its latest change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Partitioners, type PartitionMetadata } from 'kafkajs';

import { recordFigures } from './harness/figures';
import type { ToProduce } from './harness/ledger';
import { assertInvariant, DATABASE, useWorld } from './harness/world';

const KEYS = 300;
/** Changes per key in the backlog of the single partition, before the growth. */
const BACKLOG_VERSIONS = 4;
const GROWN_TO = 3;
const world = useWorld();

const change = (partition: number, id: number, version: number): ToProduce => ({ partition, id: String(id), key: String(id), value: JSON.stringify({ id, v: `v${version}` }) });

/** The partition Kafka's default partitioner picks for `key` among `count` partitions (kafkajs' murmur2, as Debezium's producer). */
function partitionOf(topic: string, key: string, count: number): number {
	const partitioner = Partitioners.DefaultPartitioner();
	const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
	return partitioner({ topic, partitionMetadata, message: { key, value: null } });
}

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!done()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('Partitions added to a CDC topic with a backlog: every key ends with its latest change (Keep Order per Partition)', { timeout: 180_000 }, () => {
	it('the new partitions wait for the old partition\'s backlog', async () => {
		// The old partition's executions take a little longer (a slow Doris): its backlog is still loading when the new partitions could start.
		const failExecution = async (execution: { partition: number }) => {
			if (execution.partition === 0) await new Promise((resolve) => setTimeout(resolve, 100));
			return undefined;
		};
		const c = await world.newCase({ partitions: 1, noStart: true, failExecution, consumer: { keepPartitionOrder: true, maxRecordsPerExecution: 100 } });
		// Version-major: every key's older changes spread over the whole backlog.
		const backlog: ToProduce[] = [];
		for (let version = 1; version <= BACKLOG_VERSIONS; version++) for (let id = 0; id < KEYS; id++) backlog.push(change(0, id, version));
		await c.produce(backlog);
		// The workflow runs a little (the group commits the old partition), then is deactivated with most of the backlog unread.
		await c.pipeline.begin();
		await until('a first commit of the old partition', () => c.pipeline.commits.some((commit) => commit.partition === 0 && commit.offset > 0n));
		for (const consumer of [...c.pipeline.consumers]) await c.pipeline.removeConsumer(consumer);
		const committedBefore = c.pipeline.commits.filter((commit) => commit.partition === 0).reduce((max, commit) => (commit.offset > max ? commit.offset : max), 0n);
		assert.ok(committedBefore < BigInt(backlog.length), 'a backlog is left in the old partition');

		// Meanwhile the topic grows (kafka-topics --alter --partitions 3) and the source writes each key's next change.
		await world.admin.createPartitions({ topicPartitions: [{ topic: c.topic, count: GROWN_TO }] });
		const latest = BACKLOG_VERSIONS + 1;
		const next = Array.from({ length: KEYS }, (_, id) => change(partitionOf(c.topic, String(id), GROWN_TO), id, latest));
		const moved = next.filter((item) => item.partition !== 0).length;
		assert.ok(moved > KEYS / 3, `most keys move to the new partitions (${moved} of ${KEYS})`);
		await c.produce(next);

		const started = Date.now();
		await c.pipeline.addConsumer();
		await c.pipeline.settle(120_000);
		assertInvariant(c);
		assert.deepEqual(c.pipeline.failures, [], 'no execution failed');
		const byId = new Map(world.doris.tableRows(DATABASE, c.table).map((row) => [Number(row.id), row.v]));
		const older = [...Array(KEYS).keys()].filter((id) => byId.get(id) !== `v${latest}`);
		assert.deepEqual(
			older.slice(0, 10).map((id) => `id ${id}: ${String(byId.get(id))}`),
			[],
			`${older.length} key(s) end with an older change than their latest (v${latest})`,
		);
		const log = world.capture.text();
		assert.match(log, new RegExp(`warn .*partitions? ${c.topic}\\[[12]\\].*partitions were added`), 'the hold is logged as a warning naming the topic and partition');
		assert.match(log, new RegExp(`info .*${c.topic}\\[[12]\\].*starts? now`), 'its release is logged');
		recordFigures('partition-growth', { keys: KEYS, backlog: backlog.length, committedBeforeGrowth: Number(committedBefore), movedKeys: moved, keysWithOlderValue: older.length, sinceRestartMs: Date.now() - started });
		await c.pipeline.close();
	});
});
