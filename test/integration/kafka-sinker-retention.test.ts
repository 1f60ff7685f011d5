// Messages Kafka deleted before the sinker reached them (retention, DeleteRecords), against the real
// broker (KAFKA_BROKERS): the loss is an error naming the offsets and kafka_messages_lost_total, and
// offsets a compacted topic skips are no loss.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { metrics } from '../../src/metrics/metrics';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, produce, quietLogger, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

/** kafka_messages_lost_total of the topic's partition 0 (0 when never counted). */
async function lostCount(topic: string): Promise<number> {
	const counter = (metrics as Partial<typeof metrics>).kafkaMessagesLost;
	if (!counter) return 0;
	const { values } = await counter.get();
	return values.filter((value) => value.labels.topic === topic && value.labels.partition === '0').reduce((sum, value) => sum + value.value, 0);
}

/** The `i` of every item delivered (each message's `i` is its offset), sorted and deduplicated. */
function delivered(n8n: FakeN8n): number[] {
	return [...new Set(n8n.executions.flatMap((e) => e.items.map((item) => item.json.i as number)))].sort((x, y) => x - y);
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from }, (_, k) => from + k);
}

describe('sinker consumer: messages deleted before it read them', () => {
	it('the group was stopped at offset 30 and retention removed offsets 0-69: the error names offsets 30 to 69, kafka_messages_lost_total rises by 40, 70-99 load', async () => {
		const topic = await broker.topic(1);
		await produce(broker.kafka, topic, 1, 100, (i) => JSON.stringify({ i }));
		const group = uniqueName('stopped-behind');
		await broker.admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '30' }] });
		await broker.admin.fetchTopicMetadata({ topics: [topic] });
		await broker.admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '70' }] });
		const errors: string[] = [];
		const n8n = new FakeN8n();
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { maxRecordsPerExecution: 10, logger: { ...quietLogger, error: (message: string) => errors.push(message) } }), n8n.run);
		try {
			await waitFor('the group committed to the end of the log (100)', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 100n, { timeoutMs: 15_000 });
			assert.deepEqual(delivered(n8n), range(70, 100));
			const lost = errors.filter((message) => message.includes(`${topic}[0]`) && message.includes('no longer holds offsets 30 to 69'));
			assert.equal(lost.length, 1, `one error names the offsets gone; errors: ${errors.slice(0, 3).join(' | ')}`);
			assert.equal(await lostCount(topic), 40);
		} finally {
			await consumer.close();
		}
	});

	it('the sinker is behind (Doris slow) while DeleteRecords removes offsets 50-69 it had not fetched yet: the error names them, the counter rises by 20, the rest load', async () => {
		const topic = await broker.topic(1);
		// Two record batches (0-49, 50-99); with a fetch of 100 bytes each fetch returns one.
		await produce(broker.kafka, topic, 1, 50, (i) => JSON.stringify({ i }));
		await produce(broker.kafka, topic, 1, 50, (i) => JSON.stringify({ i: 50 + i }));
		const group = uniqueName('slow-behind');
		const errors: string[] = [];
		let release: (() => void) | undefined;
		const released = new Promise<void>((resolve) => (release = resolve));
		const n8n = new FakeN8n(async (execution) => {
			if (execution.firstOffset === '0') await released;
			return { ok: true };
		});
		const options = testOptions(topic, group, {
			maxRecordsPerExecution: 10,
			executionsInFlight: 1,
			fetchMaxBytesPerPartition: 100,
			fetchMaxBytes: 100,
			logger: { ...quietLogger, error: (message: string) => errors.push(message) },
		});
		const consumer = await SinkerConsumer.start(options, n8n.run);
		try {
			await waitFor('the first execution runs', () => n8n.executions.length === 1);
			await broker.admin.fetchTopicMetadata({ topics: [topic] });
			await broker.admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '70' }] });
			release?.();
			await waitFor('the group committed to the end of the log (100)', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 100n, { timeoutMs: 15_000 });
			assert.deepEqual(delivered(n8n), [...range(0, 50), ...range(70, 100)]);
			const lost = errors.filter((message) => message.includes(`${topic}[0]`) && message.includes('no longer holds offsets 50 to 69'));
			assert.equal(lost.length, 1, `one error names the offsets gone; errors: ${errors.slice(0, 3).join(' | ')}`);
			assert.equal(await lostCount(topic), 20);
		} finally {
			await consumer.close();
		}
	});

	it('a compacted topic skips the offsets compaction removed: nothing is counted lost and no loss is logged', async () => {
		// The log cleaner compacts closed segments (segment.ms rolls them) every log.cleaner.backoff.ms (15 s).
		const topic = await broker.topic(1, { 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.001', 'min.compaction.lag.ms': '0' });
		const producer = broker.kafka.producer({ allowAutoTopicCreation: false });
		await producer.connect();
		try {
			// Offsets 0-49, five rounds over keys k0-k9: compaction keeps 40-49.
			await producer.send({ topic, acks: -1, messages: range(0, 50).map((i) => ({ key: `k${i % 10}`, value: JSON.stringify({ i }), partition: 0 })) });
			await sleep(300);
			// Rolls the segment holding 0-49 so that the cleaner may compact it (the later ones under key 'last' too).
			await producer.send({ topic, acks: -1, messages: [{ key: 'last', value: JSON.stringify({ i: 50 }), partition: 0 }] });
			let compacted = false;
			for (const deadline = Date.now() + 60_000; !compacted && Date.now() < deadline; ) {
				await sleep(2_000);
				await producer.send({ topic, acks: -1, messages: [{ key: 'last', value: JSON.stringify({ i: -1 }), partition: 0 }] });
				compacted = await firstMessageOffset(topic) > 0;
			}
			assert.ok(compacted, 'the log cleaner compacted the topic within 60 s');
		} finally {
			await producer.disconnect();
		}
		const group = uniqueName('compacted');
		const errors: string[] = [];
		const n8n = new FakeN8n();
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { maxRecordsPerExecution: 5, logger: { ...quietLogger, error: (message: string) => errors.push(message) } }), n8n.run);
		try {
			await waitFor('offsets 40-49 delivered', () => range(40, 50).every((i) => delivered(n8n).includes(i)), { timeoutMs: 15_000 });
			assert.ok(!delivered(n8n).some((i) => i >= 0 && i < 40), `compaction removed offsets 0-39; delivered ${delivered(n8n).join(',')}`);
			assert.deepEqual(errors, []);
			assert.equal(await lostCount(topic), 0);
		} finally {
			await consumer.close();
		}
	});
});

/** The offset of the first message a fresh reader of partition 0 gets: above 0 once compaction removed the head. */
async function firstMessageOffset(topic: string): Promise<number> {
	const reader = broker.kafka.consumer({ groupId: uniqueName('compaction-probe') });
	await reader.connect();
	try {
		let first: number | undefined;
		await reader.subscribe({ topics: [topic], fromBeginning: true });
		await reader.run({
			eachMessage: async ({ message }) => {
				first ??= Number(message.offset);
			},
		});
		await waitFor('the probe read a message', () => first !== undefined, { timeoutMs: 15_000 });
		return first as number;
	} finally {
		await reader.disconnect();
	}
}
