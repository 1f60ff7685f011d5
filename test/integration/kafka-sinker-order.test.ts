// Keep Order per Partition against the real broker (KAFKA_BROKERS): one execution per partition in
// flight while partitions run in parallel, each execution's deadline in its items, redelivery after
// that deadline when the rows may still be loading, and the fence between two owners of a partition
// (partition-fence.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { DORIS_FIELD, PACKED_ROWS_FIELD, type DorisItemInfo, type PackedRows } from '../../src/common/item-contract';
import type { ExecutionOutcome, SinkExecution } from '../../src/kafka/consumer-options';
import { FENCE_MARGIN_MS, parseMark, RELEASED } from '../../src/kafka/partition-fence';
import { FollowingConsumer } from '../../src/kafka/following-consumer';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

async function fenceMarks(group: string, topic: string): Promise<Map<number, string | null>> {
	const [entry] = await broker.admin.fetchOffsets({ groupId: group, topics: [topic] });
	return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.metadata]));
}

/** Runs every execution for `ms`, recording how many of each partition ran at once. */
function concurrencyRecorder(ms: number) {
	const running = new Map<number, number>();
	let maxPerPartition = 0;
	let maxTotal = 0;
	let total = 0;
	const n8n = new FakeN8n(async (execution) => {
		const now = (running.get(execution.partition) ?? 0) + 1;
		running.set(execution.partition, now);
		total++;
		maxPerPartition = Math.max(maxPerPartition, now);
		maxTotal = Math.max(maxTotal, total);
		await sleep(ms);
		running.set(execution.partition, now - 1);
		total--;
		return { ok: true };
	});
	return { n8n, max: () => ({ perPartition: maxPerPartition, total: maxTotal }) };
}

/** Executions of each partition in delivery order must cover its offsets without gap or overlap. */
function assertContiguous(executions: SinkExecution[], partitions: number, perPartition: number): void {
	for (let p = 0; p < partitions; p++) {
		let next = 0n;
		for (const e of executions.filter((x) => x.partition === p)) {
			assert.equal(BigInt(e.firstOffset), next, `partition ${p}: execution starts at ${e.firstOffset}, expected ${next}`);
			next = BigInt(e.lastOffset) + 1n;
		}
		assert.equal(next, BigInt(perPartition), `partition ${p} delivered up to ${next}`);
	}
}

// The two suites run side by side: the second mostly waits out a previous owner's 15 s deadline, and
// they share no topic or consumer group.
describe('sinker consumer: Keep Order per Partition, within an owner and across owners', { concurrency: 2 }, () => {
	// Its own cases one after the other, as before (concurrency is inherited otherwise).
	describe('sinker consumer: Keep Order per Partition', { concurrency: 1 }, () => {
		it('never runs two executions of a partition at once, runs partitions in parallel, and stamps each item with its deadline', async () => {
			const partitions = 6;
			const count = 6000;
			const topic = await broker.topic(partitions);
			await produce(broker.kafka, topic, partitions, count, (i) => JSON.stringify({ i }));
			const group = uniqueName('order-one');
			const { n8n, max } = concurrencyRecorder(30);
			const timeoutMs = 20_000;
			const consumer = await SinkerConsumer.start(
				testOptions(topic, group, { maxRecordsPerExecution: 100, executionsInFlight: 8, keepPartitionOrder: true, executionTimeoutMs: timeoutMs }),
				n8n.run,
			);
			try {
				await waitFor('every message committed', async () => [...(await committedOffsets(broker.admin, group, topic)).values()].reduce((s, o) => s + Number(o), 0) === count, 60_000);
				assert.equal(max().perPartition, 1, 'at most one execution per partition in flight');
				assert.ok(max().total >= 4, `partitions ran in parallel (at most ${max().total} executions at once)`);
				assert.equal(n8n.messageCount(), count, 'every message delivered once');
				assertContiguous(n8n.executions, partitions, count / partitions);
				for (const e of n8n.executions) {
					assert.ok(e.loadBy !== undefined, 'the execution has a deadline');
					for (const item of e.items) assert.equal((item.json[DORIS_FIELD] as DorisItemInfo).loadBy, e.loadBy, 'every item carries its execution\'s deadline');
				}
				assert.ok(n8n.executions.every((e) => (e.loadBy as number) > Date.now() - 60_000 && (e.loadBy as number) <= Date.now() + timeoutMs));
				const marks = await fenceMarks(group, topic);
				assert.deepEqual([...marks.values()].map((m) => parseMark(m).held), Array(partitions).fill(true), 'an owner marks its partitions HELD');
				for (const [partition, metadata] of marks) {
					const mark = parseMark(metadata);
					const latest = Math.max(...n8n.executions.filter((e) => e.partition === partition).map((e) => e.loadBy as number));
					assert.ok(mark.held && mark.until !== undefined && mark.until >= latest, `partition ${partition}: the mark (${metadata}) covers the latest deadline handed out (${latest})`);
				}
			} finally {
				await consumer.close();
			}
			assert.deepEqual([...(await fenceMarks(group, topic)).values()], Array(partitions).fill(RELEASED), 'a drained close marks them RELEASED');
		});

		it('packed items carry the deadline in packedRows.doris', async () => {
			const topic = await broker.topic(2);
			await produce(broker.kafka, topic, 2, 400, (i) => JSON.stringify({ i }));
			const group = uniqueName('order-packed');
			const n8n = new FakeN8n();
			const consumer = await SinkerConsumer.start(
				testOptions(topic, group, { maxRecordsPerExecution: 100, keepPartitionOrder: true, parser: { format: 'json', includeMetadata: false, tombstones: 'skip', output: 'batch' } }),
				n8n.run,
			);
			try {
				await waitFor('400 messages delivered', () => n8n.executions.reduce((s, e) => s + e.messages, 0) >= 400);
				for (const e of n8n.executions) {
					assert.equal(e.items.length, 1);
					const packed = e.items[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows;
					assert.equal(packed.doris?.loadBy, e.loadBy);
					assert.equal(e.items[0].json[DORIS_FIELD], undefined, 'the deadline sits inside the packed rows, not next to them');
				}
			} finally {
				await consumer.close();
			}
		});

		it('redelivers a failure that may still be loading (cancelled, or an error at the deadline) only after its deadline, one that failed on an error earlier at once', async () => {
			const topic = await broker.topic(3);
			await produce(broker.kafka, topic, 3, 300, (i) => JSON.stringify({ i }));
			const group = uniqueName('order-redeliver');
			const timeoutMs = 2_000;
			const delivered = new Map<string, number[]>();
			const n8n = new FakeN8n(async (execution): Promise<ExecutionOutcome> => {
				const key = `${execution.partition}:${execution.firstOffset}`;
				const times = delivered.get(key) ?? [];
				times.push(Date.now());
				delivered.set(key, times);
				if (times.length > 1) return { ok: true };
				// Partition 0's first execution was cancelled (its rows may still load), partition 1's failed on an error.
				if (execution.partition === 0) return { ok: false, reason: 'cancelled' };
				if (execution.partition === 1) return { ok: false, reason: 'Doris refused the rows', settled: true };
				// Partition 2's failed on an error at its deadline: the Stream Load node giving up then, its last attempt may still commit.
				await sleep(Math.max(0, (execution.loadBy as number) - Date.now()));
				return { ok: false, reason: 'not loaded by the deadline', settled: true };
			});
			const consumer = await SinkerConsumer.start(
				testOptions(topic, group, { maxRecordsPerExecution: 100, keepPartitionOrder: true, executionTimeoutMs: timeoutMs }),
				n8n.run,
			);
			try {
				await waitFor('the first executions redelivered', () => ['0:0', '1:0', '2:0'].every((key) => (delivered.get(key)?.length ?? 0) >= 2), 30_000);
				const [first0, again0] = delivered.get('0:0') as number[];
				const [first1, again1] = delivered.get('1:0') as number[];
				const [first2, again2] = delivered.get('2:0') as number[];
				assert.ok(again0 - first0 >= timeoutMs + FENCE_MARGIN_MS - 200, `unsettled failure redelivered after ${again0 - first0} ms, before its deadline + margin`);
				assert.ok(again1 - first1 < 2_000, `settled failure redelivered after ${again1 - first1} ms, not after the backoff`);
				assert.ok(again2 - first2 >= timeoutMs + FENCE_MARGIN_MS - 200, `an error at the deadline redelivered after ${again2 - first2} ms, before the deadline + margin`);
			} finally {
				await consumer.close();
			}
		});

		it('a partition left HELD starts when its fence ends, even with a wall clock running behind the timers', async (t) => {
		// Node runs timers on the monotonic clock, Date.now() reads the wall clock: a timer can fire while
		// Date.now() still reads a moment before the end it was computed from (a millisecond from rounding
		// alone, measured on about 1 fence in 12; more while the wall clock is slewed). A fence judged by
		// the clock then kept its partition paused for good. Here the wall clock runs 0.1% slow.
		const topic = await broker.topic(1);
		await produce(broker.kafka, topic, 1, 100, (i) => JSON.stringify({ i }));
		const group = uniqueName('order-fence-clock');
		const options = { maxRecordsPerExecution: 100, keepPartitionOrder: true, executionTimeoutMs: 1_000, closeTimeoutMs: 200 };
		const stuck = new FakeN8n((_e, signal) => new Promise<ExecutionOutcome>((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'closed' }))));
		const first = await SinkerConsumer.start(testOptions(topic, group, options), stuck.run);
		await waitFor('the first owner to start an execution', () => stuck.executions.length === 1);
		await first.close();
		assert.ok(parseMark((await fenceMarks(group, topic)).get(0)).held, 'left HELD');

		const wallClock = Date.now.bind(Date);
		const slowFrom = wallClock();
		t.mock.method(Date, 'now', () => slowFrom + Math.floor((wallClock() - slowFrom) * 0.999));
		const second = new FakeN8n(async () => ({ ok: true }));
		const next = await SinkerConsumer.start(testOptions(topic, group, options), second.run);
		try {
			await waitFor('the partition to start once its fence ended', () => second.executions.length > 0, FENCE_MARGIN_MS + 15_000);
		} finally {
			await next.close();
		}
	});

	it('a consumer taking over a partition left HELD waits out the deadline; one left RELEASED starts at once', async () => {
			const topic = await broker.topic(1);
			await produce(broker.kafka, topic, 1, 300, (i) => JSON.stringify({ i }));
			const group = uniqueName('order-fence');
			const timeoutMs = 3_000;
			const options = { maxRecordsPerExecution: 100, keepPartitionOrder: true, executionTimeoutMs: timeoutMs, closeTimeoutMs: 200 };

			// The first owner's execution never finishes: it leaves with rows possibly still on their way.
			const stuck = new FakeN8n((_e, signal) => new Promise<ExecutionOutcome>((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'closed' }))));
			const first = await SinkerConsumer.start(testOptions(topic, group, options), stuck.run);
			await waitFor('the first owner to start an execution', () => stuck.executions.length === 1);
			const report = await first.close();
			assert.equal(report.drained, false);
			const left = parseMark((await fenceMarks(group, topic)).get(0));
			assert.ok(left.held && left.until !== undefined && left.until >= (stuck.executions[0]?.loadBy ?? Infinity), 'left HELD, until at least its execution\'s deadline');

			let assignedAt = 0;
			let firstExecutionAt = 0;
			const second = new FakeN8n(async () => {
				firstExecutionAt ||= Date.now();
				return { ok: true };
			});
			const next = await SinkerConsumer.start(testOptions(topic, group, { ...options, observer: { onAssignment: () => (assignedAt ||= Date.now()) } }), second.run);
			try {
				await waitFor('the second owner to consume everything', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 300n, 30_000);
				const waited = firstExecutionAt - assignedAt;
				assert.ok(waited >= timeoutMs + FENCE_MARGIN_MS, `the new owner started after ${waited} ms, inside the previous owner's deadline + margin`);
				assert.equal(second.executions[0]?.firstOffset, '0', 'it starts where the previous owner committed');
			} finally {
				await next.close();
			}
			assert.equal((await fenceMarks(group, topic)).get(0), RELEASED, 'a drained close leaves it RELEASED');

			await produce(broker.kafka, topic, 1, 100, (i) => JSON.stringify({ i: 1000 + i }));
			let assignedAgain = 0;
			let executedAgain = 0;
			const third = new FakeN8n(async () => {
				executedAgain ||= Date.now();
				return { ok: true };
			});
			const last = await SinkerConsumer.start(testOptions(topic, group, { ...options, observer: { onAssignment: () => (assignedAgain ||= Date.now()) } }), third.run);
			try {
				await waitFor('the third owner to run an execution', () => executedAgain > 0, 30_000);
				assert.ok(executedAgain - assignedAgain < timeoutMs, `after a RELEASED mark the new owner started after ${executedAgain - assignedAgain} ms`);
			} finally {
				await last.close();
			}
		});
	});

	describe('sinker consumer: Keep Order per Partition across owners with different Execution Timeouts', { concurrency: 1 }, () => {
		it('a new owner with a shorter Execution Timeout waits for the previous owner\'s last deadline, which the mark carries', async () => {
			const topic = await broker.topic(1);
			await produce(broker.kafka, topic, 1, 200, (i) => JSON.stringify({ i }));
			const group = uniqueName('order-deadline');
			const stuck = new FakeN8n((_e, signal) => new Promise<ExecutionOutcome>((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'closed' }))));
			const longTimeout = { maxRecordsPerExecution: 100, keepPartitionOrder: true, executionTimeoutMs: 15_000, closeTimeoutMs: 200 };
			const first = await SinkerConsumer.start(testOptions(topic, group, longTimeout), stuck.run);
			await waitFor('the first owner to start an execution', () => stuck.executions.length === 1);
			await first.close();
			const oldDeadline = stuck.executions[0]?.loadBy ?? 0;
			assert.ok(oldDeadline > Date.now() + 10_000, 'the first owner\'s execution may still load for a while');

			// The Execution Timeout was lowered before the workflow was activated again.
			let firstExecutionAt = 0;
			const second = new FakeN8n(async () => {
				firstExecutionAt ||= Date.now();
				return { ok: true };
			});
			const next = await SinkerConsumer.start(testOptions(topic, group, { ...longTimeout, executionTimeoutMs: 2_000 }), second.run);
			try {
				await waitFor('the second owner to consume everything', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 200n, 60_000);
				assert.ok(
					firstExecutionAt >= oldDeadline + FENCE_MARGIN_MS,
					`the new owner started ${oldDeadline + FENCE_MARGIN_MS - firstExecutionAt} ms before the previous owner's deadline + margin`,
				);
			} finally {
				await next.close();
			}
		});
	});
});

describe('sinker consumer: a topic pattern follows new topics', () => {
	it('a topic created after activation that matches the pattern is consumed; the others are not redelivered', async () => {
		const prefix = uniqueName('follow');
		const first = `${prefix}.db.t1`;
		await createTopicsReady(broker.admin, [{ topic: first, numPartitions: 2, replicationFactor: 1 }]);
		await produce(broker.kafka, first, 2, 200, (i) => JSON.stringify({ t: 1, i }));
		const group = uniqueName('follow-group');
		const n8n = new FakeN8n();
		const pattern = new RegExp(`^${prefix.replace(/[-.]/g, '\\$&')}\\.db\\.[^.]+$`);
		const consumer = await FollowingConsumer.start(
			testOptions(first, group, { topics: { pattern }, keepPartitionOrder: true, topicCheckIntervalMs: 1_000, executionTimeoutMs: 20_000 }),
			n8n.run,
		);
		const second = `${prefix}.db.t2`;
		try {
			await waitFor('the first topic consumed', () => n8n.messageCount() >= 200);
			await createTopicsReady(broker.admin, [{ topic: second, numPartitions: 2, replicationFactor: 1 }]);
			await produce(broker.kafka, second, 2, 100, (i) => JSON.stringify({ t: 2, i }));
			await waitFor('the new topic consumed', () => n8n.messageCount() >= 300, 30_000);
			await waitFor('both topics committed to their ends', async () => {
				const a = await committedOffsets(broker.admin, group, first);
				const b = await committedOffsets(broker.admin, group, second);
				return [...a.values(), ...b.values()].reduce((s, o) => s + Number(o), 0) === 300;
			});
			assert.equal(n8n.messageCount(), 300, 'the restart redelivered nothing that had finished');
			assert.deepEqual(new Set(n8n.executions.map((e) => e.topic)), new Set([first, second]));
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [first, second] }).catch(() => undefined);
		}
	});
});
