/**
 * Close Timeout is one deadline for the whole close (close-deadline.ts): executions in flight, the final
 * commit and its confirmation, leaving the group. Each wait had a Close Timeout of its own before: a
 * deleted topic's commit still retrying at close made close take the drain's Close Timeout and then a
 * fresh one, and a commit or a disconnect kafkajs never settled held close for good, while n8n gives a
 * deactivating trigger ~30 s. Driven without a broker, with a kafkajs consumer whose commits never settle;
 * the bounds are generous (1.5 × the deadline), not timings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Consumer } from 'kafkajs';

import { closeBudget, MIN_CLOSE_MS } from '../../../src/kafka/close-deadline';
import type { SinkerConsumerOptions, SinkerStats } from '../../../src/kafka/consumer-options';
import { OffsetCommitter } from '../../../src/kafka/offset-committer';
import type { PartitionState } from '../../../src/kafka/partition-state';
import type { CloseReport, SinkerConsumer } from '../../../src/kafka/sinker-consumer';
import { sinkerWithoutBroker, testConsumerOptions, type SinkerInternals } from './sinker-internals';

const CLOSE_TIMEOUT_MS = 1_000;
const BOUND_MS = 1.5 * CLOSE_TIMEOUT_MS;

type Offsets = Array<{ topic: string; partition: number; offset: string }>;

interface Fake {
	sinker: SinkerInternals & Pick<SinkerConsumer, 'close' | 'forgetTopics'> & { window: { acquire(): void } };
	commits: string[];
	disconnects: number;
	warnings: string[];
}

/** A consumer of `t` (and `gone`) whose kafkajs commits of `hanging` topics never settle; others are confirmed at once. */
async function fakeConsumer(hanging: (topic: string) => boolean, options: { disconnectHangs?: boolean; closeTimeoutMs?: number } = {}): Promise<Fake> {
	const warnings: string[] = [];
	const fake = { commits: [] as string[], disconnects: 0, warnings } as Fake;
	const kafkajs = {
		pause: () => {},
		resume: () => {},
		commitOffsets: (offsets: Offsets) => {
			for (const { topic, partition, offset } of offsets) fake.commits.push(`${topic}[${partition}]@${offset}`);
			if (offsets.some(({ topic }) => hanging(topic))) return new Promise(() => {});
			for (const { topic, partition, offset } of offsets) fake.sinker.committer.confirm(topic, partition, offset);
			return Promise.resolve();
		},
		disconnect: () => {
			fake.disconnects++;
			return options.disconnectHangs ? new Promise(() => {}) : Promise.resolve();
		},
	} as unknown as Consumer;
	const logger = { debug: () => {}, info: () => {}, warn: (message: string) => void warnings.push(message), error: () => {} };
	const overrides: Partial<SinkerConsumerOptions> = { closeTimeoutMs: options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS, topics: { names: ['t', 'gone'] }, logger };
	fake.sinker = sinkerWithoutBroker(kafkajs, { disconnect: async () => {} }, overrides) as Fake['sinker'];
	const closing = () => (fake.sinker as unknown as { closing: boolean }).closing;
	fake.sinker.committer = new OffsetCommitter(kafkajs, fake.sinker.assignment, testConsumerOptions(overrides), logger, { commits: 0 } as SinkerStats, closing);
	fake.sinker.onGroupJoin({ t: [0], gone: [0] }, 'member-1');
	// The join's commit round (nothing to commit yet) ends first.
	await new Promise((resolve) => setImmediate(resolve));
	return fake;
}

/** An execution of `topic`[0] covering offsets 100-149 that finished. */
function finished(sinker: SinkerInternals, topic: string): void {
	const state = sinker.assignment.get(topic, 0) as PartitionState;
	state.tracker.succeed(state.tracker.add(100n, 150n));
}

/** close()'s report, or 'still closing' once `BOUND_MS` passed. */
async function closeWithin(sinker: Fake['sinker']): Promise<CloseReport | 'still closing'> {
	let timer: NodeJS.Timeout | undefined;
	const bound = new Promise<'still closing'>((resolve) => (timer = setTimeout(() => resolve('still closing'), BOUND_MS)));
	try {
		return await Promise.race([sinker.close(), bound]);
	} finally {
		clearTimeout(timer);
	}
}

test('a final commit that never settles: close returns by its deadline and names what stays uncommitted', async () => {
	const fake = await fakeConsumer((topic) => topic === 't');
	const { sinker, warnings } = fake;
	finished(sinker, 't');
	const report = await closeWithin(sinker);
	assert.deepEqual(report, { drained: true, abandoned: 0 }, 'close returned by the deadline');
	assert.ok(
		warnings.some((line) => /read again at the next start: t\[0\] at its start \(finished up to 150\)/.test(line)),
		`a warning names the partition left uncommitted, got ${JSON.stringify(warnings)}`,
	);
	assert.equal(fake.disconnects, 1, 'the disconnect was begun all the same (it stops kafkajs\' runner)');
});

test('an execution still running and a deleted topic\'s commit still retrying: one deadline, not the drain\'s and then a fresh one', async () => {
	const fake = await fakeConsumer((topic) => topic === 'gone');
	const { sinker } = fake;
	// The deleted topic's commit is in kafkajs' retries; the topic is forgotten (following-consumer.ts), its request not.
	finished(sinker, 'gone');
	sinker.committer.request();
	sinker.forgetTopics(['gone']);
	finished(sinker, 't');
	sinker.window.acquire();
	const report = await closeWithin(sinker);
	assert.deepEqual(report, { drained: false, abandoned: 1 }, 'close returned by the deadline');
	assert.ok(fake.commits.includes('t[0]@150'), 'what finished was committed');
	assert.equal(fake.disconnects, 1, 'and the consumer left the group');
});

test('a disconnect that never settles: close returns by its deadline and says the group was not left', async () => {
	const fake = await fakeConsumer(() => false, { disconnectHangs: true });
	finished(fake.sinker, 't');
	const report = await closeWithin(fake.sinker);
	assert.deepEqual(report, { drained: true, abandoned: 0 }, 'close returned by the deadline');
	assert.ok(fake.commits.includes('t[0]@150'));
	assert.ok(fake.warnings.some((line) => /did not leave its group within Close Timeout/.test(line)), JSON.stringify(fake.warnings));
});

test('Close Timeout 0 still commits what finished and leaves the group', async () => {
	const fake = await fakeConsumer(() => false, { closeTimeoutMs: 0 });
	finished(fake.sinker, 't');
	fake.sinker.window.acquire();
	assert.deepEqual(await closeWithin(fake.sinker), { drained: false, abandoned: 1 });
	assert.ok(fake.commits.includes('t[0]@150'));
	assert.equal(fake.disconnects, 1);
});

test('the budget: executions get all but the last fifth (at most 5 s); a close may take 1 s whatever Close Timeout says', () => {
	assert.deepEqual(closeBudget(30_000), { drainMs: 25_000, totalMs: 30_000 });
	assert.deepEqual(closeBudget(10_000), { drainMs: 8_000, totalMs: 10_000 });
	assert.deepEqual(closeBudget(200), { drainMs: 160, totalMs: MIN_CLOSE_MS });
	assert.deepEqual(closeBudget(0), { drainMs: 0, totalMs: MIN_CLOSE_MS });
});
