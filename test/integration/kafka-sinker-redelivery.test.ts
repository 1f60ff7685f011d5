// A failed execution delivered again alone (commit-tracker.ts), against the real broker: many
// failures at once in several partitions, redeliveries that fail again, later executions finishing
// before earlier ones fail. Each message must succeed exactly once, commits must never pass a message
// not yet succeeded, and with Keep Order per Partition the successes of a partition must follow the
// log (a change delivered again alone after a later one loaded would overwrite the newer value of its
// key in a UNIQUE KEY table without a sequence column).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ExecutionOutcome, SinkExecution } from '../../src/kafka/consumer-options';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, endOffsets, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

/** A small deterministic generator, so a failing run can be replayed by its seed. */
function generator(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

interface Run {
	n8n: FakeN8n;
	violations: string[];
	/** partition → offsets of the messages of executions that succeeded, in finishing order. */
	succeededOffsets: Map<number, number[]>;
	maxRunningPerPartition: number;
}

async function runWithFailures(seed: number, keepPartitionOrder: boolean): Promise<Run> {
	const partitions = 3;
	const count = 1500;
	const topic = await broker.topic(partitions);
	await produce(broker.kafka, topic, partitions, count, (i) => JSON.stringify({ i }));
	const group = uniqueName(keepPartitionOrder ? 'redeliver-ordered' : 'redeliver');
	const random = generator(seed);
	const violations: string[] = [];
	const succeededOffsets = new Map<number, number[]>();
	const running = new Map<number, number>();
	let maxRunningPerPartition = 0;
	let failures = 0;
	const n8n = new FakeN8n(async (execution: SinkExecution): Promise<ExecutionOutcome> => {
		const now = (running.get(execution.partition) ?? 0) + 1;
		running.set(execution.partition, now);
		maxRunningPerPartition = Math.max(maxRunningPerPartition, now);
		try {
			// Uneven run times, so later executions often finish before an earlier one fails.
			await sleep(Math.floor(random() * 60));
			// A fair share fails, redeliveries included (a failed range failing again), up to a budget.
			if (failures < 40 && random() < 0.25) {
				failures++;
				return { ok: false, reason: `refused (seed ${seed})`, settled: true };
			}
			const offsets = succeededOffsets.get(execution.partition) ?? [];
			for (let offset = BigInt(execution.firstOffset); offset <= BigInt(execution.lastOffset); offset++) offsets.push(Number(offset));
			succeededOffsets.set(execution.partition, offsets);
			return { ok: true };
		} finally {
			running.set(execution.partition, (running.get(execution.partition) ?? 1) - 1);
		}
	});
	const consumer = await SinkerConsumer.start(
		testOptions(topic, group, {
			maxRecordsPerExecution: 23,
			executionsInFlight: 8,
			keepPartitionOrder,
			executionTimeoutMs: 20_000,
			redeliveryBackoff: { initialMs: 20, maxMs: 150 },
			observer: {
				onCommit: (_topic, partition, offset) => {
					// Every message below a commit must have succeeded already.
					const done = new Set(succeededOffsets.get(partition) ?? []);
					for (let o = 0; o < Number(offset); o++) if (!done.has(o)) violations.push(`partition ${partition}: commit ${offset} passed offset ${o}, not loaded`);
				},
			},
		}),
		n8n.run,
	);
	try {
		const perPartition = count / partitions;
		await waitFor(
			'every message committed',
			async () => [...(await committedOffsets(broker.admin, group, topic)).values()].filter((o) => o === BigInt(perPartition)).length === partitions,
			60_000,
		);
		await sleep(300);
		assert.ok(failures > 10, `enough failures to mean something (${failures})`);
	} finally {
		await consumer.close();
	}
	return { n8n, violations, succeededOffsets, maxRunningPerPartition };
}

function assertEachMessageSucceededOnce(run: Run, perPartition: number): void {
	for (let partition = 0; partition < 3; partition++) {
		const offsets = run.succeededOffsets.get(partition) ?? [];
		const seen = new Map<number, number>();
		for (const o of offsets) seen.set(o, (seen.get(o) ?? 0) + 1);
		const twice = [...seen].filter(([, n]) => n > 1).map(([o]) => o);
		const missing = Array.from({ length: perPartition }, (_, o) => o).filter((o) => !seen.has(o));
		assert.deepEqual({ partition, twice, missing }, { partition, twice: [], missing: [] }, 'each message of the partition succeeded exactly once');
	}
}

// The cases side by side: each has its own topic, group and fake n8n, and most of a case is waiting
// (fetches, redelivery backoffs, the fake executions' pauses); one after the other they took ~57 s.
describe('sinker consumer: failed executions delivered again alone', { concurrency: true }, () => {
	for (const seed of process.env.SEEDS ? process.env.SEEDS.split(',').map(Number) : [1, 2, 3]) {
		it(`many failures in several partitions, redeliveries failing again: each message succeeds once, no commit passes one not loaded (seed ${seed})`, async () => {
			const run = await runWithFailures(seed, false);
			assert.deepEqual(run.violations.slice(0, 5), []);
			assertEachMessageSucceededOnce(run, 500);
		});
	}

	for (const seed of [4, 5]) {
		it(`Keep Order per Partition: a partition's successes follow the log through failures and redeliveries, one execution at a time (seed ${seed})`, async () => {
			const run = await runWithFailures(seed, true);
			assert.deepEqual(run.violations.slice(0, 5), []);
			assert.equal(run.maxRunningPerPartition, 1, 'one execution per partition at a time');
			assertEachMessageSucceededOnce(run, 500);
			for (const [partition, offsets] of run.succeededOffsets) {
				assert.deepEqual(offsets, Array.from({ length: 500 }, (_, o) => o), `partition ${partition}: rows applied in log order`);
			}
		});
	}

	// A range delivered again whose last offsets hold no message: a transaction marker, records of an
	// aborted transaction. The cut at the range's end must neither skip a message nor wait for one that
	// never comes (the group must still commit to the end of the log).
	for (const keepPartitionOrder of [false, true]) {
		it(`a transactional topic with aborted transactions, many failures: each committed message succeeds once, none aborted, commits reach the end of the log${keepPartitionOrder ? ' (Keep Order per Partition)' : ''}`, async () => {
			const topic = await broker.topic(1);
			const group = uniqueName('redeliver-txn');
			const producer = broker.kafka.producer({ transactionalId: uniqueName('txn'), idempotent: true, maxInFlightRequests: 1 });
			await producer.connect();
			const random = generator(keepPartitionOrder ? 7 : 6);
			const committedMessages: number[] = [];
			try {
				let sent = 0;
				for (let t = 0; t < 60; t++) {
					const count = 1 + Math.floor(random() * 8);
					const commit = random() > 0.3;
					const txn = await producer.transaction();
					await txn.send({ topic, messages: Array.from({ length: count }, (_, k) => ({ value: JSON.stringify({ i: sent + k }) })) });
					if (commit) for (let k = 0; k < count; k++) committedMessages.push(sent + k);
					sent += count;
					await (commit ? txn.commit() : txn.abort());
				}
			} finally {
				await producer.disconnect();
			}
			const offsetOf = new Map<number, bigint>();
			const succeeded = new Map<number, number>();
			const violations: string[] = [];
			let failures = 0;
			const n8n = new FakeN8n(async (execution): Promise<ExecutionOutcome> => {
				for (const item of execution.items) offsetOf.set(item.json.i as number, BigInt((item.json._kafka as { offset: string }).offset));
				await sleep(Math.floor(random() * 40));
				if (failures < 30 && random() < 0.3) {
					failures++;
					return { ok: false, reason: 'refused', settled: true };
				}
				for (const item of execution.items) {
					const i = item.json.i as number;
					succeeded.set(i, (succeeded.get(i) ?? 0) + 1);
				}
				return { ok: true };
			});
			const consumer = await SinkerConsumer.start(
				testOptions(topic, group, {
					maxRecordsPerExecution: 3,
					executionsInFlight: 8,
					keepPartitionOrder,
					executionTimeoutMs: 20_000,
					redeliveryBackoff: { initialMs: 20, maxMs: 150 },
					parser: { format: 'json', includeMetadata: true, tombstones: 'skip' },
					observer: {
						onCommit: (_topic, _partition, offset) => {
							// Every message delivered below the commit must have succeeded already.
							for (const [i, at] of offsetOf) if (at < BigInt(offset) && !succeeded.has(i)) violations.push(`commit ${offset} passed offset ${at}, not loaded`);
						},
					},
				}),
				n8n.run,
			);
			try {
				// The end read each time: the marker of the last transaction is written after its commit returned,
				// and until then the end kafkajs' admin reads (read_committed) stops before that transaction.
				const lagZero = async () => (await committedOffsets(broker.admin, group, topic)).get(0) === (await endOffsets(broker.admin, topic)).get(0);
				await waitFor('the group committed to the end of the log', lagZero, {
					timeoutMs: 60_000,
					progress: async () => `committed ${(await committedOffsets(broker.admin, group, topic)).get(0)}, end ${(await endOffsets(broker.admin, topic)).get(0)}, failures ${failures}`,
				});
				await sleep(300);
			} finally {
				await consumer.close();
			}
			assert.ok(failures > 10, `enough failures to mean something (${failures})`);
			assert.deepEqual(violations.slice(0, 5), []);
			const twice = [...succeeded].filter(([, n]) => n > 1).map(([i]) => i);
			const missing = committedMessages.filter((i) => !succeeded.has(i));
			const aborted = [...succeeded.keys()].filter((i) => !committedMessages.includes(i));
			assert.deepEqual({ twice, missing, aborted }, { twice: [], missing: [], aborted: [] });
		});
	}

	// Failed ranges pending when the partition leaves this consumer (restart of n8n, a rebalance): the
	// tracker's state is gone, so the committed offset is all the next owner has. It must lie at or
	// before the lowest failed range, and the next owner must load every message from there.
	it('failed ranges pending while later executions loaded, then the consumer closes (n8n restarts) and another joins first: nothing committed past a failed range, the next owner loads every message from there', async () => {
		const partitions = 2;
		const topic = await broker.topic(partitions);
		await produce(broker.kafka, topic, partitions, 1200, (i) => JSON.stringify({ i }));
		const group = uniqueName('redeliver-handover');
		const failing = new Set(['100', '300', '400']);
		const first = new FakeN8n(async (execution): Promise<ExecutionOutcome> => {
			await sleep(20);
			// These ranges keep failing on this consumer (their redeliveries too); every other execution loads.
			return failing.has(execution.firstOffset) ? { ok: false, reason: 'refused', settled: true } : { ok: true };
		});
		const options = { maxRecordsPerExecution: 100, executionsInFlight: 6, redeliveryBackoff: { initialMs: 50, maxMs: 200 } };
		const commitsOfFirst: string[] = [];
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { ...options, observer: { onCommit: (_t, partition, offset) => commitsOfFirst.push(`${partition}:${offset}`) } }), first.run);
		const loadedByFirst = (partition: number) => first.succeeded.filter((s) => s.startsWith(`${partition}:`)).map((s) => Number(s.split(':')[1]));
		const second = new FakeN8n();
		let next: SinkerConsumer | undefined;
		try {
			await waitFor('every partition loaded its executions after the failed ones', () => [0, 1].every((p) => loadedByFirst(p).includes(500)), 20_000);
			await waitFor('the failed ranges delivered again at least once', () => first.executions.filter((e) => e.attempt > 0 && failing.has(e.firstOffset)).length >= 2 * 3, 20_000);
			next = await SinkerConsumer.start(testOptions(topic, group, options), second.run);
			await consumer.close();
			assert.deepEqual(commitsOfFirst.filter((c) => BigInt(c.split(':')[1]) > 100n), [], 'the first consumer committed nothing past the failed range at 100');
			assert.ok(commitsOfFirst.length > 0, 'it committed the executions before it');
			await waitFor('the next owner committed every partition to its end', async () => [...(await committedOffsets(broker.admin, group, topic)).values()].every((o) => o === 600n), 30_000);
			for (let p = 0; p < partitions; p++) {
				const loaded = new Set<number>();
				for (const e of [...first.executions, ...second.executions].filter((e) => e.partition === p)) {
					const ok = [...first.succeeded, ...second.succeeded].includes(`${p}:${e.firstOffset}`);
					if (ok) for (const item of e.items) loaded.add(item.json.i as number);
				}
				const missing = Array.from({ length: 600 }, (_, k) => k * partitions + p).filter((i) => !loaded.has(i));
				assert.deepEqual(missing, [], `partition ${p}: every message loaded`);
				const again = second.executions.filter((e) => e.partition === p).map((e) => Number(e.firstOffset));
				assert.ok(again.length > 0 && Math.min(...again) <= 100, `partition ${p}: the next owner starts at or before the failed range (${Math.min(...again)})`);
			}
		} finally {
			await consumer.close();
			await next?.close();
		}
	});
});
