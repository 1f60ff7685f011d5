/**
 * The trigger's consumer closed while a New Topics Check restarts it (following-consumer.ts): the
 * restart's start of the new consumer waits for the group join (up to rebalance + session timeout +
 * 30 s), and close waited for the whole check before its own Close Timeout even began. Close Timeout is
 * one deadline for the whole close (close-deadline.ts): close stops waiting for the restart then, and
 * the consumer that restart starts later is closed as soon as it started, not left in the group.
 * Driven without a broker; the bound is generous (1.5 × Close Timeout), not a timing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Admin, Kafka } from 'kafkajs';

import type { CloseReport } from '../../../src/kafka/close-deadline';
import type { SinkerConsumerOptions } from '../../../src/kafka/consumer-options';
import { FollowingConsumer } from '../../../src/kafka/following-consumer';
import { SinkerConsumer } from '../../../src/kafka/sinker-consumer';
import { testConsumerOptions } from './sinker-internals';

const CLOSE_TIMEOUT_MS = 1_000;

/** The trigger's consumer as FollowingConsumer.start makes it, before its first start, over a fake admin. */
function followingWithoutBroker(options: SinkerConsumerOptions, admin: Partial<Admin>): FollowingConsumer {
	type Constructor = new (options: SinkerConsumerOptions, run: unknown, kafka: Kafka, admin: Partial<Admin>) => FollowingConsumer;
	return new (FollowingConsumer as unknown as Constructor)(options, async () => ({ ok: true }), {} as Kafka, admin);
}

test('closed while a topic check starts the new consumer: close returns by its deadline, the late consumer is closed', async () => {
	const admin = { listTopics: async () => ['t', 'u'], disconnect: async () => {} };
	const options = testConsumerOptions({ topics: { names: ['t', 'u'] }, closeTimeoutMs: CLOSE_TIMEOUT_MS, topicCheckIntervalMs: 0 });
	const following = followingWithoutBroker(options, admin);
	const internals = following as unknown as { known: Set<string>; started: boolean; look(): Promise<void> };
	internals.known = new Set(['t']);
	internals.started = true;

	// The restart's start of the new consumer (topic u listed again) is still joining the group.
	let joined: (consumer: SinkerConsumer) => void = () => {};
	const starting = new Promise<SinkerConsumer>((resolve) => (joined = resolve));
	const start = SinkerConsumer.start;
	let startCalled: () => void = () => {};
	const startBegun = new Promise<void>((resolve) => (startCalled = resolve));
	SinkerConsumer.start = () => (startCalled(), starting);
	let lateCloses = 0;
	const late = { close: async (): Promise<CloseReport> => (lateCloses++, { drained: true, abandoned: 0 }) } as unknown as SinkerConsumer;
	let timer: NodeJS.Timeout | undefined;
	try {
		const looking = internals.look();
		await startBegun;
		const bound = new Promise<'still closing'>((resolve) => (timer = setTimeout(() => resolve('still closing'), 1.5 * CLOSE_TIMEOUT_MS)));
		const closed = following.close();
		assert.deepEqual(await Promise.race([closed, bound]), { drained: true, abandoned: 0 }, 'close returned by its deadline');
		joined(late);
		await looking;
		assert.equal(lateCloses, 1, 'the consumer the restart started after close is closed');
	} finally {
		clearTimeout(timer);
		SinkerConsumer.start = start;
		joined(late);
	}
});

test('closed while what is buffered still loads: close starts the load and returns by its deadline', async () => {
	const admin = { disconnect: async () => {} };
	let flushes = 0;
	// Stream Load batches whose loads do not end (Doris not answering): executions in flight wait for them.
	const flushBuffered = () => (flushes++, new Promise<void>(() => {}));
	const options = testConsumerOptions({ closeTimeoutMs: CLOSE_TIMEOUT_MS, topicCheckIntervalMs: 0, flushBuffered });
	const following = followingWithoutBroker(options, admin);
	let timer: NodeJS.Timeout | undefined;
	const bound = new Promise<'still closing'>((resolve) => (timer = setTimeout(() => resolve('still closing'), 1.5 * CLOSE_TIMEOUT_MS)));
	try {
		assert.deepEqual(await Promise.race([following.close(), bound]), { drained: true, abandoned: 0 }, 'close returned by its deadline');
		assert.equal(flushes, 1, 'close loads what is buffered at once');
	} finally {
		clearTimeout(timer);
	}
});
