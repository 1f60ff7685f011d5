// A consumer the group forgot (its session expired while its process stood still) gets partitions
// back under a new member id, against the real broker (KAFKA_BROKERS). Another consumer owned them
// meanwhile: the returning one must start from what that one committed, not from where it was itself.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import type { FrozenMemberData, MemberEvent } from './kafka-frozen-member';
import { committedOffsets, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

type Logged = MemberEvent & { consumer: 'stalled' | 'other' };

describe('sinker consumer: group membership lost and regained', () => {
	// The returning consumer waits out the other's HELD mark (partition-fence.ts) before it starts the
	// partition it gets back. It used to stall there now and then: a fence timer fired while Date.now()
	// still read a millisecond before the fence's end, and nothing resumed the partition afterwards.
	it('a consumer forgotten by the group resumes a partition it had from the other owner\'s commit, never redoing committed messages', async () => {
		const partitions = 2;
		const perPartition = 2_000;
		const topic = await broker.topic(partitions);
		await produce(broker.kafka, topic, partitions, partitions * perPartition, (i) => JSON.stringify({ i }));
		const groupId = uniqueName('membership');
		const options = { maxRecordsPerExecution: 50, keepPartitionOrder: true, executionTimeoutMs: 4_000, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 };
		const log: Logged[] = [];
		const worker = new Worker(join(__dirname, 'kafka-frozen-member.ts'), {
			execArgv: ['--import', 'tsx'],
			workerData: { topic, groupId, freezeMs: 14_000, options } satisfies FrozenMemberData,
		});
		worker.on('message', (event: MemberEvent) => log.push({ ...event, consumer: 'stalled' }));
		let other: SinkerConsumer | undefined;
		try {
			await waitFor('the stalled consumer to start its first execution', () => log.some((e) => e.kind === 'execution'), 30_000);
			const n8n = new FakeN8n(async (execution) => {
				log.push({ kind: 'execution', partition: execution.partition, firstOffset: execution.firstOffset, lastOffset: execution.lastOffset, at: Date.now(), consumer: 'other' });
				await sleep(300);
				return { ok: true };
			});
			other = await SinkerConsumer.start(
				testOptions(topic, groupId, {
					...options,
					observer: {
						onCommit: (_t, partition, offset) => log.push({ kind: 'commit', partition, offset, at: Date.now(), consumer: 'other' }),
						onAssignment: (assignment) => log.push({ kind: 'assignment', partitions: assignment[topic] ?? [], at: Date.now(), consumer: 'other' }),
					},
				}),
				n8n.run,
			);
			const stalledJoins = () => log.filter((e): e is Logged & { kind: 'assignment' } => e.consumer === 'stalled' && e.kind === 'assignment');
			await waitFor('the stalled consumer forgotten and given a partition back', () => stalledJoins().length >= 2 && (stalledJoins().at(-1)?.partitions.length ?? 0) > 0, 60_000);
			await waitFor(
				'every message committed',
				async () => [...(await committedOffsets(broker.admin, groupId, topic)).values()].reduce((s, o) => s + o, 0n) === BigInt(partitions * perPartition),
				{
					timeoutMs: 60_000,
					progress: async () =>
						`committed ${JSON.stringify([...(await committedOffsets(broker.admin, groupId, topic))].map(([p, o]) => [p, String(o)]))}; assignments ${JSON.stringify(log.filter((e) => e.kind === 'assignment'))}; last events of each partition ${JSON.stringify([0, 1].map((p) => log.filter((e) => 'partition' in e && e.partition === p).slice(-6)))}`,
				},
			);
			// Nothing committed is handed out again, and no commit moves a partition back.
			const committed = new Map<number, bigint>();
			for (const event of [...log].sort((a, b) => ('at' in a ? a.at : 0) - ('at' in b ? b.at : 0))) {
				if (event.kind === 'commit') {
					const before = committed.get(event.partition) ?? 0n;
					assert.ok(BigInt(event.offset) >= before, `${event.consumer} moved partition ${event.partition}'s commit back from ${before} to ${event.offset}`);
					committed.set(event.partition, BigInt(event.offset));
				}
				if (event.kind === 'execution') {
					const before = committed.get(event.partition) ?? 0n;
					assert.ok(BigInt(event.firstOffset) >= before, `${event.consumer} redid partition ${event.partition} from ${event.firstOffset}, below its commit ${before}`);
				}
			}
		} finally {
			await other?.close();
			worker.postMessage('close');
			await waitFor('the stalled consumer closed', () => log.some((e) => e.kind === 'closed'), 30_000).catch(() => undefined);
			await worker.terminate();
		}
	});
});
