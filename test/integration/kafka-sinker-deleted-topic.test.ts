// A topic of a pattern subscription deleted for good (a CDC table dropped, its topic deleted),
// against the real broker (KAFKA_BROKERS). kafkajs keeps every topic its consumer subscribed and its
// admin client read in the metadata it asks for before each request, and fails the whole request on
// a topic the broker no longer knows (following-consumer.ts): the other topics of the pattern must go
// on loading, exactly committed, and their partitions must not wait out the Keep Order fence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SinkerLogger } from '../../src/kafka/client';
import { FollowingConsumer } from '../../src/kafka/following-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

function recordingLogger(lines: string[]): SinkerLogger {
	const keep = (level: string) => (message: string, meta?: object) => {
		lines.push(`${level} ${message}`);
		if (process.env.SINKER_TEST_LOG) console.log(level, message, meta ?? '');
	};
	return { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

async function committedTotal(groupId: string, topic: string): Promise<bigint> {
	return [...(await committedOffsets(broker.admin, groupId, topic)).values()].reduce((sum, offset) => sum + (offset > 0n ? offset : 0n), 0n);
}

function messagesOf(n8n: FakeN8n, topic: string): number {
	return n8n.executions.filter((e) => e.topic === topic).reduce((sum, e) => sum + e.messages, 0);
}

describe('a topics pattern: a matching topic deleted', () => {
	it('the other topic goes on loading, committed exactly, its partitions not held by the fence', async () => {
		const prefix = uniqueName('deleted');
		const [kept, dropped] = [`${prefix}.db.kept`, `${prefix}.db.dropped`];
		await createTopicsReady(broker.admin, [
			{ topic: kept, numPartitions: 2, replicationFactor: 1 },
			{ topic: dropped, numPartitions: 1, replicationFactor: 1 },
		]);
		await produce(broker.kafka, kept, 2, 20, (i) => JSON.stringify({ i }));
		await produce(broker.kafka, dropped, 1, 10, (i) => JSON.stringify({ i }));
		const groupId = uniqueName('deleted-group');
		const lines: string[] = [];
		const n8n = new FakeN8n();
		// Execution Timeout 10 min: a fence lookup that failed would hold a partition that long.
		const consumer = await FollowingConsumer.start(
			testOptions(kept, groupId, {
				topics: { pattern: new RegExp(`^${prefix.replace(/[-.]/g, '\\$&')}\\.db\\.[^.]+$`) },
				topicCheckIntervalMs: 2_000,
				keepPartitionOrder: true,
				executionTimeoutMs: 600_000,
				lagIntervalMs: 3_600_000,
				logger: recordingLogger(lines),
			}),
			n8n.run,
		);
		try {
			await waitFor('every message of both topics committed', async () => (await committedTotal(groupId, kept)) === 20n && (await committedTotal(groupId, dropped)) === 10n);
			await broker.admin.deleteTopics({ topics: [dropped] });
			await produce(broker.kafka, kept, 2, 20, (i) => JSON.stringify({ i: 20 + i }));
			const held = (line: string) => line.includes('was held by a consumer') || line.includes("could not read the previous owner's fence mark");
			const outcome = await waitFor(
				'the new messages committed, or a partition of the kept topic held by the fence',
				async () => (lines.some(held) ? 'held' : (await committedTotal(groupId, kept)) === 40n ? 'committed' : false),
				{ timeoutMs: 60_000, progress: async () => `committed ${await committedTotal(groupId, kept)} of 40; last log lines: ${lines.filter((l) => !l.startsWith('debug')).slice(-6).join(' | ')}` },
			);
			assert.equal(outcome, 'committed', lines.filter(held).join('\n'));
			// Exact commits: each partition to its end; every message handed over once.
			assert.deepEqual([...(await committedOffsets(broker.admin, groupId, kept))].sort(), [[0, 20n], [1, 20n]]);
			assert.equal(messagesOf(n8n, kept), 40);
			assert.equal(messagesOf(n8n, dropped), 10);
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [kept] }).catch(() => undefined);
		}
	});
});
