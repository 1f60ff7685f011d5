// Commit order, failure redelivery and execution timeouts, against the real broker (KAFKA_BROKERS).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Sender } from 'kafkajs';

import type { ExecutionOutcome } from '../../src/kafka/consumer-options';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { metrics } from '../../src/metrics/metrics';
import { waitFor } from '../support/wait-for';
import { committedOffsets, endOffsets, FakeN8n, produce, quietLogger, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

async function topicWith(partitions: number, count: number): Promise<string> {
	const topic = await broker.topic(partitions);
	await produce(broker.kafka, topic, partitions, count, (i) => JSON.stringify({ i }));
	return topic;
}

describe('sinker consumer: commits', () => {
	it('executions finishing out of order commit in order, never past an unfinished one', async () => {
		const topic = await topicWith(1, 1000);
		const group = uniqueName('order');
		const commits: bigint[] = [];
		const violations: string[] = [];
		let holdFirst: (() => void) | undefined;
		// Later executions finish newest first: each one is held, and the newest is let go when the window
		// (4, with offset 0 in it) is full; once all 1000 messages are out, the rest go newest first.
		const held: Array<() => void> = [];
		const n8n = new FakeN8n(async (execution) => {
			if (execution.firstOffset === '0') {
				await new Promise<void>((resolve) => (holdFirst = resolve));
				return { ok: true };
			}
			await new Promise<void>((release) => {
				held.push(release);
				if (n8n.messageCount() === 1000) while (held.length > 0) held.pop()?.();
				else if (held.length === 3) held.pop()?.();
			});
			return { ok: true };
		});
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, {
				maxRecordsPerExecution: 100,
				executionsInFlight: 4,
				observer: {
					onCommit: (_t, _p, offset) => {
						const at = BigInt(offset);
						commits.push(at);
						// Every execution below the committed offset must have reported success already.
						for (const e of n8n.executions) {
							if (BigInt(e.lastOffset) < at && !n8n.succeeded.includes(`0:${e.firstOffset}`)) violations.push(`${offset} passed ${e.firstOffset}`);
						}
					},
				},
			}),
			n8n.run,
		);
		try {
			await waitFor('the first execution to be held', () => holdFirst !== undefined);
			await waitFor('every later execution to finish', () => n8n.messageCount() === 1000 && n8n.succeeded.length === n8n.executions.length - 1);
			const order = n8n.succeeded.map((s) => Number(s.split(':')[1]));
			assert.notDeepEqual(order, [...order].sort((a, b) => a - b), `executions finished out of order: ${order}`);
			// A wrong commit would be on its way now; absence can only be shown over a window.
			await sleep(300);
			assert.equal((await committedOffsets(broker.admin, group, topic)).get(0) ?? -1n, -1n, 'nothing committed while offset 0 is unfinished');
			assert.ok(consumer.stats.maxInFlight <= 4, `window of 4 respected (max ${consumer.stats.maxInFlight})`);
			holdFirst?.();
			await waitFor('all 1000 messages committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 1000n);
			assert.deepEqual(violations, []);
			assert.deepEqual([...commits].sort((a, b) => (a < b ? -1 : 1)), commits, 'commits only move forward');
			assert.equal(n8n.messageCount(), 1000);
		} finally {
			await consumer.close();
		}
	});

	// A failed execution is delivered again alone. Before, every later execution of the partition was
	// superseded and delivered again too, also those that had succeeded: their rows loaded twice (the
	// refused-rows reliability case saw 8 rows twice in a DUPLICATE KEY table).
	it('a failing execution is redelivered alone, from its first offset to its last; executions after it that succeeded are not delivered again; nothing after it is committed meanwhile', async () => {
		const topic = await topicWith(1, 600);
		const group = uniqueName('fail');
		const commitsBeforeRedelivery: bigint[] = [];
		let redelivered = false;
		let failedOnce = false;
		const n8n = new FakeN8n(async (execution): Promise<ExecutionOutcome> => {
			if (execution.firstOffset === '200' && !failedOnce) {
				failedOnce = true;
				// The later executions finish first, then this one fails.
				await waitFor('the executions after offset 200 to finish', () => ['0:300', '0:400', '0:500'].every((s) => n8n.succeeded.includes(s)), 10_000);
				return { ok: false, reason: 'Doris said no' };
			}
			return { ok: true };
		});
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, {
				maxRecordsPerExecution: 100,
				executionsInFlight: 6,
				redeliveryBackoff: { initialMs: 300, maxMs: 1000 },
				observer: {
					onCommit: (_t, _p, offset) => {
						if (!redelivered) commitsBeforeRedelivery.push(BigInt(offset));
					},
					onRedeliver: (_t, _p, offset) => {
						redelivered = true;
						assert.equal(offset, '200');
					},
				},
			}),
			n8n.run,
		);
		try {
			await waitFor('all 600 committed after the redelivery', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 600n, 20_000);
			assert.ok(commitsBeforeRedelivery.length > 0);
			assert.ok(commitsBeforeRedelivery.every((o) => o <= 200n), `committed past the failure: ${commitsBeforeRedelivery}`);
			const starts = n8n.executions.map((e) => e.firstOffset);
			assert.equal(starts.filter((s) => s === '200').length, 2, `offset 200 delivered twice: ${starts}`);
			const retry = n8n.executions.findIndex((e, i) => i > 0 && e.firstOffset === '200' && e.attempt === 1);
			assert.ok(retry > 0, 'the redelivery carries attempt 1');
			// After the redelivery only the failed execution's messages arrive again, in order, nothing skipped.
			await sleep(300);
			const again = n8n.executions.slice(retry).flatMap((e) => e.items.map((item) => item.json.i as number));
			assert.deepEqual(again, Array.from({ length: 100 }, (_, k) => 200 + k));
			assert.equal(n8n.messageCount(), 700, 'every message once, the failed execution\'s twice');
			assert.equal(consumer.stats.redeliveries, 1);
		} finally {
			await consumer.close();
		}
	});

	it('two failures among executions in flight: each failed range is delivered again once, the executions between them and after them are not', async () => {
		const topic = await topicWith(1, 600);
		const group = uniqueName('fail-two');
		const failed = new Set<string>();
		const n8n = new FakeN8n(async (execution): Promise<ExecutionOutcome> => {
			const first = execution.firstOffset;
			if ((first === '100' || first === '300') && !failed.has(first)) {
				// Both fail while the executions around them are still running; 400 finishes only after both failed.
				failed.add(first);
				if (first === '300') await waitFor('offset 100 to fail first', () => failed.has('100'), 10_000);
				return { ok: false, reason: `Doris said no to ${first}` };
			}
			if (first === '400' && execution.attempt === 0) await waitFor('both failures', () => failed.size === 2, 10_000).then(() => sleep(100));
			return { ok: true };
		});
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, { maxRecordsPerExecution: 100, executionsInFlight: 6, redeliveryBackoff: { initialMs: 300, maxMs: 1000 } }),
			n8n.run,
		);
		try {
			await waitFor('all 600 committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 600n, 20_000);
			await sleep(300);
			const delivered = new Map<number, number>();
			for (const e of n8n.executions) for (const item of e.items) delivered.set(item.json.i as number, (delivered.get(item.json.i as number) ?? 0) + 1);
			const twice = [...delivered].filter(([, n]) => n > 1).map(([i]) => i);
			assert.deepEqual(twice, [...Array.from({ length: 100 }, (_, k) => 100 + k), ...Array.from({ length: 100 }, (_, k) => 300 + k)]);
			assert.equal(delivered.size, 600, 'nothing skipped');
			assert.equal(consumer.stats.executionsFailed, 2);
		} finally {
			await consumer.close();
		}
	});

	it('an execution that does not finish in time counts as failed and is redelivered', async () => {
		const topic = await topicWith(1, 50);
		const group = uniqueName('timeout');
		// The first execution answers only once its redelivery has started: a late success, long after the timeout.
		let redeliveryStarted: (() => void) | undefined;
		const redelivery = new Promise<void>((resolve) => (redeliveryStarted = resolve));
		const n8n = new FakeN8n(async () => {
			if (n8n.executions.length === 1) await redelivery;
			else redeliveryStarted?.();
			return { ok: true };
		});
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { executionTimeoutMs: 300, redeliveryBackoff: { initialMs: 50, maxMs: 50 } }), n8n.run);
		try {
			await waitFor('offset 50 committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 50n, 10_000);
			assert.equal(consumer.stats.executionsFailed, 1);
			assert.equal(consumer.stats.redeliveries, 1);
			assert.deepEqual(n8n.executions.map((e) => [e.firstOffset, e.attempt]), [
				['0', 0],
				['0', 1],
			]);
		} finally {
			await consumer.close();
		}
	});

	for (const keepPartitionOrder of [false, true]) it(`a transactional topic is committed to its end: past the marker that closes its last transaction, once every message before it finished${keepPartitionOrder ? ' (Keep Order per Partition)' : ''}`, async () => {
		const topic = await broker.topic(1);
		const group = uniqueName('transactions');
		const producer = broker.kafka.producer({ transactionalId: uniqueName('txn'), idempotent: true, maxInFlightRequests: 1 });
		await producer.connect();
		let sent = 0;
		/** One transaction of `count` messages, committed or aborted (an aborted one is never delivered). */
		const transaction = async (count: number, commit: boolean) => {
			const txn = await producer.transaction();
			await txn.send({ topic, messages: Array.from({ length: count }, (_, k) => ({ value: JSON.stringify({ i: sent + k, commit }) })) });
			sent += count;
			await (commit ? txn.commit() : txn.abort());
		};
		const n8n = new FakeN8n();
		const delivered = () => n8n.executions.flatMap((e) => e.items.map((item) => item.json.i as number));
		const lagZero = async () => (await committedOffsets(broker.admin, group, topic)).get(0) === (await endOffsets(broker.admin, topic)).get(0);
		let consumer: SinkerConsumer | undefined;
		try {
			// A backlog: committed, aborted, committed (offsets 0-9, marker 10, 11-15 aborted, marker 16, 17-26, marker 27).
			await transaction(10, true);
			await transaction(5, false);
			await transaction(10, true);
			consumer = await SinkerConsumer.start(testOptions(topic, group, { keepPartitionOrder, maxRecordsPerExecution: 4 }), n8n.run);
			await waitFor('20 committed messages delivered', () => delivered().length >= 20);
			await waitFor('the group committed to the end of the log (28), past the last marker', lagZero, { timeoutMs: 5_000, progress: async () => `committed ${(await committedOffsets(broker.admin, group, topic)).get(0)}, end ${(await endOffsets(broker.admin, topic)).get(0)}` });
			// While it streams: a committed transaction comes with its marker; an aborted one at the tail is a
			// fetch of filtered records only, which kafkajs never hands to eachBatch.
			await transaction(7, true);
			await transaction(3, false);
			await waitFor('27 committed messages delivered', () => delivered().length >= 27);
			await waitFor('committed to the end again, past an aborted transaction at the tail', lagZero, { timeoutMs: 5_000, progress: async () => `committed ${(await committedOffsets(broker.admin, group, topic)).get(0)}, end ${(await endOffsets(broker.admin, topic)).get(0)}` });
			assert.deepEqual(delivered().sort((x, y) => x - y), [...Array.from({ length: 10 }, (_, k) => k), ...Array.from({ length: 10 }, (_, k) => 15 + k), ...Array.from({ length: 7 }, (_, k) => 25 + k)], 'every committed message once, no aborted one');
		} finally {
			await producer.disconnect();
			await consumer?.close();
		}
	});

	for (const keepPartitionOrder of [false, true]) it(`messages deleted from the log while their redelivery waits (retention, DeleteRecords): the error names the offsets gone and the partition goes on from the log start, instead of refusing that batch for ever${keepPartitionOrder ? ' (Keep Order per Partition)' : ''}`, async () => {
		const topic = await topicWith(1, 100);
		const group = uniqueName('deleted-below');
		const errors: string[] = [];
		let failed = false;
		const n8n = new FakeN8n(async (execution) => {
			if (execution.firstOffset !== '0' || failed) return { ok: true };
			failed = true;
			// Settled: with Keep Order per Partition the redelivery need not wait for the execution's deadline.
			return { ok: false, reason: 'Doris is down', settled: true };
		});
		const logger = { ...quietLogger, error: (message: string) => errors.push(message) };
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { keepPartitionOrder, maxRecordsPerExecution: 20, redeliveryBackoff: { initialMs: 2_000, maxMs: 2_000 }, logger }), n8n.run);
		try {
			await waitFor('the first execution failed', () => failed);
			await broker.admin.fetchTopicMetadata({ topics: [topic] });
			await broker.admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '50' }] });
			await waitFor('the group committed to the end of the log (100)', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 100n, { timeoutMs: 15_000 });
			const after = n8n.executions.filter((e) => BigInt(e.firstOffset) >= 50n);
			assert.deepEqual([...new Set(after.flatMap((e) => e.items.map((item) => item.json.i as number)))].sort((x, y) => x - y), Array.from({ length: 50 }, (_, k) => 50 + k));
			assert.ok(errors.some((message) => message.includes('no longer holds offsets 0 to 49')), `an error names the offsets gone; errors: ${errors.slice(0, 3).join(' | ')}`);
			const lost = (await metrics.kafkaMessagesLost.get()).values.filter((value) => value.labels.topic === topic);
			assert.deepEqual(lost.map((value) => value.value), [50], 'kafka_messages_lost_total counts the 50 offsets gone');
		} finally {
			await consumer.close();
		}
	});

	it('overlapping aborted transactions of two producers: none of their records is delivered (read_committed), every committed one is, and the group commits to the end', async () => {
		const topic = await broker.topic(1);
		const group = uniqueName('overlapping-aborts');
		const early = broker.kafka.producer({ transactionalId: uniqueName('txn-early'), idempotent: true, maxInFlightRequests: 1 });
		const late = broker.kafka.producer({ transactionalId: uniqueName('txn-late'), idempotent: true, maxInFlightRequests: 1 });
		const send = (txn: Sender, name: string, key?: Buffer) => txn.send({ topic, messages: [{ key, value: JSON.stringify({ name }) }] });
		const n8n = new FakeN8n();
		const delivered = () => n8n.executions.flatMap((e) => e.items.map((item) => item.json.name as string));
		let consumer: SinkerConsumer | undefined;
		try {
			await early.connect();
			await late.connect();
			// The broker lists aborted transactions in the order they ended (late first), not by first
			// offset: kafkajs 2.2.4 then handed out early-aborted-1, written before late's began.
			const earlyAborted = await early.transaction();
			await send(earlyAborted, 'early-aborted-1');
			const lateAborted = await late.transaction();
			await send(lateAborted, 'late-aborted');
			await lateAborted.abort();
			// A key of four zero bytes (an int 0 from Kafka's IntegerSerializer) is no abort marker.
			await send(earlyAborted, 'early-aborted-2', Buffer.alloc(4));
			await send(earlyAborted, 'early-aborted-3');
			await earlyAborted.abort();
			const lateCommitted = await late.transaction();
			await send(lateCommitted, 'late-committed');
			await lateCommitted.commit();
			const earlyCommitted = await early.transaction();
			await send(earlyCommitted, 'early-committed');
			await earlyCommitted.commit();
			consumer = await SinkerConsumer.start(testOptions(topic, group, { maxRecordsPerExecution: 2 }), n8n.run);
			await waitFor('the committed messages delivered', () => delivered().length >= 2);
			await waitFor('the group committed to the end of the log', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === (await endOffsets(broker.admin, topic)).get(0), { timeoutMs: 10_000 });
			assert.deepEqual(delivered(), ['late-committed', 'early-committed']);
		} finally {
			await early.disconnect();
			await late.disconnect();
			await consumer?.close();
		}
	});
});
