// Two consumers in one group with a rebalance mid-stream, and close with executions in flight,
// against the real broker (KAFKA_BROKERS).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, endOffsets, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

async function allCommitted(group: string, topic: string): Promise<boolean> {
	const [committed, ends] = await Promise.all([committedOffsets(broker.admin, group, topic), endOffsets(broker.admin, topic)]);
	return [...ends].every(([partition, end]) => committed.get(partition) === end);
}

describe('sinker consumer: group', () => {
	it('two consumers, 3 partitions, a rebalance mid-stream: every message delivered, all committed', async () => {
		const count = 30_000;
		const topic = await broker.topic(3);
		await produce(broker.kafka, topic, 3, count, (i) => JSON.stringify({ i }));
		const group = uniqueName('rebalance');
		const slow = async () => {
			await sleep(40);
			return { ok: true as const };
		};
		const b = new FakeN8n(slow);
		// Once mid-stream, the first consumer slows down until the second has received something: on a
		// quiet machine it would otherwise finish the whole topic before the second one has joined.
		const a = new FakeN8n(async () => {
			await sleep(b.messageCount() === 0 && a.messageCount() >= 3_000 ? 300 : 40);
			return { ok: true as const };
		});
		const assignmentsB: Array<Record<string, number[]>> = [];
		const first = await SinkerConsumer.start(testOptions(topic, group, { maxRecordsPerExecution: 500, executionsInFlight: 2 }), a.run);
		let second: SinkerConsumer | undefined;
		try {
			await waitFor('the first consumer to be mid-stream', () => a.messageCount() >= 3_000);
			second = await SinkerConsumer.start(
				testOptions(topic, group, { maxRecordsPerExecution: 500, executionsInFlight: 2, observer: { onAssignment: (x) => assignmentsB.push(x) } }),
				b.run,
			);
			await waitFor('every partition committed to its end', () => allCommitted(group, topic), 60_000);
			assert.ok(b.messageCount() > 0, 'the second consumer took over some partitions');
			assert.ok(Object.values(assignmentsB[0] ?? {}).flat().length >= 1);
			assert.equal(first.assigned().get(topic)?.length ?? 0, 3 - Object.values(assignmentsB.at(-1) ?? {}).flat().length);
			const seen = new Set<number>();
			for (const n8n of [a, b]) for (const e of n8n.executions) for (const item of e.items) seen.add(item.json.i as number);
			assert.equal(seen.size, count, 'no message lost across the rebalance');
			const delivered = a.messageCount() + b.messageCount();
			console.log(`rebalance: ${delivered} deliveries for ${count} messages (${delivered - count} redelivered by the new owner)`);
		} finally {
			await Promise.all([first.close(), second?.close()]);
		}
	});

	it('close waits for executions in flight (bounded), commits what finished, and leaves the group', async () => {
		const topic = await broker.topic(1);
		await produce(broker.kafka, topic, 1, 300, (i) => JSON.stringify({ i }));
		const group = uniqueName('close');
		const release = new Map<string, () => void>();
		let aborted = 0;
		const n8n = new FakeN8n(
			(execution, signal) =>
				new Promise((resolve) => {
					let settled = false;
					release.set(execution.firstOffset, () => {
						settled = true;
						resolve({ ok: true });
					});
					signal.addEventListener('abort', () => {
						if (!settled) aborted++;
						resolve({ ok: false, reason: 'closed' });
					});
				}),
		);
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { maxRecordsPerExecution: 100, executionsInFlight: 3, closeTimeoutMs: 1_500 }), n8n.run);
		await waitFor('three executions in flight', () => release.size === 3);
		// close() stops fetching and starts draining before it returns: what finishes now finishes during close.
		const closing = consumer.close();
		// The first finishes during close; the third finishes too but after the second, which never does.
		release.get('0')?.();
		release.get('200')?.();
		const report = await closing;
		assert.deepEqual(report, { drained: false, abandoned: 1 });
		assert.equal(aborted, 1, 'the abandoned execution was told to stop waiting');
		assert.equal((await committedOffsets(broker.admin, group, topic)).get(0), 100n, 'committed up to the unfinished execution only');
		assert.equal(n8n.executions.length, 3, 'nothing fetched or emitted after close began');
		const description = await broker.admin.describeGroups([group]);
		assert.equal(description.groups[0].members.length, 0, 'no ghost member left in the group');
		// A closed consumer stays closed: nothing restarts it (absence, shown over a window).
		await sleep(500);
		assert.equal(n8n.executions.length, 3);
	});
});

describe('sinker consumer: editor test run and lag', () => {
	it('a manual run starts near the end, emits only its first execution and commits nothing', async () => {
		const topic = await broker.topic(1);
		await produce(broker.kafka, topic, 1, 1_000, (i) => JSON.stringify({ i }));
		const group = uniqueName('manual');
		const n8n = new FakeN8n();
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { manual: { recentMessages: 100 }, maxRecordsPerExecution: 30 }), n8n.run);
		try {
			await waitFor('the test event', () => n8n.executions.length === 1);
			// A second execution would follow within a fetch (200 ms max wait); absence is shown over a window.
			await sleep(500);
			assert.equal(n8n.executions.length, 1, 'only the first execution is emitted');
			assert.equal(n8n.executions[0].firstOffset, '900', 'starts 100 messages before the end');
			assert.equal(n8n.executions[0].items.length, 30);
		} finally {
			await consumer.close();
		}
		assert.equal((await committedOffsets(broker.admin, group, topic)).get(0) ?? -1n, -1n, 'a test run never commits');
	});

	it('measures lag per partition as end offset minus committed offset', async () => {
		const topic = await broker.topic(2);
		await produce(broker.kafka, topic, 2, 400, (i) => JSON.stringify({ i }));
		const group = uniqueName('lag');
		// Every execution but the first of each partition waits until the lag is measured.
		let measured: (() => void) | undefined;
		const lagMeasured = new Promise<void>((resolve) => (measured = resolve));
		const n8n = new FakeN8n(async (execution) => {
			if (execution.firstOffset !== '0') await lagMeasured;
			return { ok: true };
		});
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { maxRecordsPerExecution: 50, lagIntervalMs: 60_000 }), n8n.run);
		try {
			await waitFor('offset 50 committed on both partitions', async () => {
				const committed = await committedOffsets(broker.admin, group, topic);
				return committed.get(0) === 50n && committed.get(1) === 50n;
			});
			const samples = await consumer.measureLag();
			assert.deepEqual(
				samples.map((s) => [s.partition, s.lag]).sort(),
				[
					[0, 150],
					[1, 150],
				],
			);
			const gauge = await (await import('../../src/metrics/metrics')).metrics.kafkaConsumerLag.get();
			assert.ok(gauge.values.some((v) => v.labels.group === group && v.value === 150));
		} finally {
			measured?.();
			await consumer.close();
		}
	});
});

describe('sinker consumer: a consumer joins while executions are in flight', () => {
	it('an idle consumer (nothing to fetch) lets its executions in flight finish and commits them before giving partitions up: no message succeeds twice', async () => {
		const topic = await broker.topic(2);
		await produce(broker.kafka, topic, 2, 20, (i) => JSON.stringify({ i }));
		const group = uniqueName('join-idle');
		// The first consumer's executions take 3 s (rows waiting for their Stream Load batch to fill);
		// meanwhile it has nothing more to fetch, so kafkajs' own fetch loop is what meets the rebalance.
		const a = new FakeN8n(async () => {
			await sleep(3_000);
			return { ok: true as const };
		});
		const b = new FakeN8n();
		const first = await SinkerConsumer.start(testOptions(topic, group), a.run);
		let second: SinkerConsumer | undefined;
		try {
			await waitFor('both partitions in flight at the first consumer', () => a.executions.length === 2);
			second = await SinkerConsumer.start(testOptions(topic, group), b.run);
			await waitFor('every partition committed to its end', () => allCommitted(group, topic), 30_000);
			assert.equal(Object.values(Object.fromEntries(second.assigned())).flat().length, 1, 'the second consumer took one partition');
			const succeeded = [...a.succeeded, ...b.succeeded];
			const twice = succeeded.filter((key, index) => succeeded.indexOf(key) !== index);
			assert.deepEqual(twice, [], `executions that succeeded at both consumers (partition:firstOffset), their rows loaded twice: first ${JSON.stringify(a.succeeded)}, second ${JSON.stringify(b.succeeded)}`);
		} finally {
			await Promise.all([first.close(), second?.close()]);
		}
	});
});
