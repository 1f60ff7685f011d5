// kafkajs moving a partition's position by itself, without calling eachBatch and without a reset,
// against the real broker (KAFKA_BROKERS): after a seek of ours, neither may be taken for kafkajs'
// own reset after OffsetOutOfRange (review session 18, F8). Taken for one, the tracker forgot the
// executions still running and the group committed past them: when one failed, nothing delivered its
// messages again, and the only error blamed retention for other offsets. A real reset is
// kafka-sinker-retention.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, endOffsets, FakeN8n, quietLogger, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

/** The `i` of every item of an execution that succeeded, sorted and deduplicated. */
function loaded(n8n: FakeN8n): number[] {
	const succeeded = new Set(n8n.succeeded);
	const values = n8n.executions.filter((e) => succeeded.has(`${e.partition}:${e.firstOffset}`)).flatMap((e) => e.items.map((item) => item.json.i as number));
	return [...new Set(values)].sort((x, y) => x - y);
}

/** The offsets a fresh consumer reads from the topic's partition 0 up to offset 20 and a little past. */
async function offsetsHeld(topic: string): Promise<number[]> {
	const reader = broker.kafka.consumer({ groupId: uniqueName('probe') });
	await reader.connect();
	const seen: number[] = [];
	try {
		await reader.subscribe({ topics: [topic], fromBeginning: true });
		await reader.run({
			eachMessage: async ({ message }) => {
				seen.push(Number(message.offset));
			},
		});
		await waitFor('the probe read to offset 20', () => seen.some((offset) => offset >= 20), { timeoutMs: 15_000 });
		return seen;
	} finally {
		await reader.disconnect();
	}
}

describe('sinker consumer: kafkajs moving past offsets that hold nothing, after a seek of ours', () => {
	it('compacted batch tails (Keep Order off): the execution still running when the redelivery skips to a removed tail keeps holding the commit, and is delivered again when it fails', async () => {
		// Record batch 1 = offsets 0-9, batch 2 = 10-19; newer values for the keys of 5-9 and 15-19 at
		// 20-29, so the cleaner removes each batch's tail (it keeps the batch's last offset in its header:
		// a fetch from 15 answers batch 2 with records 10-14 only, all below the fetch offset, and kafkajs
		// walks 15..19 itself, batch.js isEmptyDueToLogCompactedMessages).
		const topic = await broker.topic(1, { 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.001', 'min.compaction.lag.ms': '0' });
		const producer = broker.kafka.producer({ allowAutoTopicCreation: false });
		await producer.connect();
		const batchOf = (prefix: string, from: number) => Array.from({ length: 10 }, (_, k) => ({ key: `${prefix}${k}`, value: JSON.stringify({ i: from + k }), partition: 0 }));
		const newer = (prefix: string, from: number) => [5, 6, 7, 8, 9].map((k) => ({ key: `${prefix}${k}`, value: JSON.stringify({ i: from + k - 5 }), partition: 0 }));
		try {
			await producer.send({ topic, acks: -1, messages: batchOf('a', 0) });
			await producer.send({ topic, acks: -1, messages: batchOf('b', 10) });
			await producer.send({ topic, acks: -1, messages: [...newer('a', 20), ...newer('b', 25)] });
			let compacted = false;
			for (let round = 0; !compacted && round < 45; round++) {
				await sleep(2_000);
				// The active segment is never cleaned: a message rolls it (segment.ms has passed).
				await producer.send({ topic, acks: -1, messages: [{ key: 'roll', value: JSON.stringify({ i: 1000 + round }), partition: 0 }] });
				const held = await offsetsHeld(topic);
				compacted = !held.includes(5) && !held.includes(15);
			}
			assert.ok(compacted, 'the cleaner removed offsets 5-9 and 15-19');
		} finally {
			await producer.disconnect();
		}

		const group = uniqueName('compacted-tail');
		const errors: string[] = [];
		const commitsBeforeB: bigint[] = [];
		let aAttempts = 0;
		let bAttempts = 0;
		let bLoaded = false;
		let releaseB: () => void = () => {};
		const bGate = new Promise<void>((resolve) => (releaseB = resolve));
		const n8n = new FakeN8n(async (execution) => {
			if (execution.firstOffset === '0') {
				aAttempts++;
				if (aAttempts > 1) return { ok: true };
				await waitFor('B runs', () => bAttempts > 0);
				return { ok: false, reason: 'Doris is down', settled: true };
			}
			if (execution.firstOffset === '10') {
				bAttempts++;
				if (bAttempts > 1) {
					bLoaded = true;
					return { ok: true };
				}
				await bGate;
				return { ok: false, reason: 'Doris is down for B too', settled: true };
			}
			return { ok: true };
		});
		const options = testOptions(topic, group, {
			keepPartitionOrder: false,
			executionsInFlight: 2,
			maxRecordsPerExecution: 100,
			// One record batch per fetch: A is [0, 5), B [10, 15).
			fetchMaxBytesPerPartition: 100,
			fetchMaxBytes: 100,
			redeliveryBackoff: { initialMs: 300, maxMs: 300 },
			logger: { ...quietLogger, error: (message: string) => errors.push(message) },
			observer: {
				onCommitRequest: (_topic, _partition, offset) => {
					if (!bLoaded) commitsBeforeB.push(BigInt(offset));
				},
			},
		});
		const consumer = await SinkerConsumer.start(options, n8n.run);
		try {
			await waitFor('A delivered again and loaded', () => n8n.succeeded.includes('0:0'), { timeoutMs: 30_000 });
			await waitFor('an execution from offset 20 on loaded while B still runs', () => n8n.succeeded.some((entry) => BigInt(entry.split(':')[1]) >= 20n), { timeoutMs: 30_000 });
			releaseB(); // B fails now
			await waitFor('B delivered again', () => bAttempts >= 2, { timeoutMs: 30_000 });
			const end = (await endOffsets(broker.admin, topic)).get(0);
			await waitFor('the group committed to the end', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === end, { timeoutMs: 30_000 });
			assert.deepEqual(errors, [], 'nothing was lost: no "removed by retention" error');
			assert.ok(
				commitsBeforeB.every((offset) => offset <= 10n),
				`no commit passed B's offsets 10-14 before B loaded (asked to commit ${commitsBeforeB.join(', ')})`,
			);
			assert.equal(bAttempts, 2, 'B was delivered again after it failed');
			for (const i of [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]) assert.ok(loaded(n8n).includes(i), `message ${i} loaded`);
		} finally {
			await consumer.close();
		}
	});

	it('Keep Order per Partition, a transactional topic: a redelivery cut at the commit marker is followed by no false "topic recreated" reset', async () => {
		// The first execution holds offsets 0-2 and ends past the commit marker at 3. It fails; the next
		// transaction (4-5, marker 6) arrives first. The redelivery's fetch holds 0,1,2,[3],4,5: cut at the
		// failed range's end 4, kafkajs must continue at 4, not at 3 below the tracker's floor.
		const topic = await broker.topic(1);
		const group = uniqueName('ordered-marker');
		const producer = broker.kafka.producer({ transactionalId: uniqueName('txn'), idempotent: true, maxInFlightRequests: 1 });
		await producer.connect();
		let sent = 0;
		const transaction = async (count: number) => {
			const txn = await producer.transaction();
			await txn.send({ topic, messages: Array.from({ length: count }, (_, k) => ({ value: JSON.stringify({ i: sent + k }) })) });
			sent += count;
			await txn.commit();
		};
		const errors: string[] = [];
		let attemptsOfFirst = 0;
		let release: () => void = () => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const n8n = new FakeN8n(async (execution) => {
			if (execution.firstOffset !== '0') return { ok: true };
			attemptsOfFirst++;
			if (attemptsOfFirst > 1) return { ok: true };
			await gate; // the next transaction is written while this one runs
			return { ok: false, reason: 'Doris is down', settled: true };
		});
		let consumer: SinkerConsumer | undefined;
		try {
			await transaction(3); // 0-2, marker 3
			const options = testOptions(topic, group, {
				keepPartitionOrder: true,
				maxRecordsPerExecution: 100,
				redeliveryBackoff: { initialMs: 500, maxMs: 500 },
				logger: { ...quietLogger, error: (message: string) => errors.push(message) },
			});
			consumer = await SinkerConsumer.start(options, n8n.run);
			await waitFor('the first execution runs', () => attemptsOfFirst === 1);
			await transaction(2); // 4-5, marker 6
			release();
			// The coordinator writes a transaction's markers after the commit returns: the end may read 6 first.
			await waitFor('the marker closing the second transaction written (end 7)', async () => (await endOffsets(broker.admin, topic)).get(0) === 7n);
			await waitFor('the group committed to the end', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 7n, { timeoutMs: 30_000 });
			assert.deepEqual(errors, [], 'no "Kafka position was reset" error: nothing reset the position');
			assert.equal(attemptsOfFirst, 2, 'the failed execution was delivered again once');
			assert.deepEqual(loaded(n8n), [0, 1, 2, 3, 4]);
		} finally {
			await producer.disconnect();
			await consumer?.close();
		}
	});
});
