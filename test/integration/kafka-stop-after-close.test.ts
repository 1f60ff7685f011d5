// A consumer disconnected while kafkajs restarts it after a crash (src/kafka/stop-after-close.ts,
// tulios/kafkajs#1639), on the test broker: kafkajs 2.2.4 alone leaves the restarted runner in the
// group, fetching after disconnect() resolved; with the wrapper the runner leaves and the group empties.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';

import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload } from 'kafkajs';

import { watchedMemberCount } from '../../src/kafka/offset-reset-watch';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { markClosed, stopRunnersStartedAfterClose } from '../../src/kafka/stop-after-close';
import { testOptions } from './kafka-sinker-helpers';
import { kafkaBrokers } from '../ground/kafka/env';
import { uniqueName } from '../ground/kafka/helpers';

async function until(what: string, holds: () => Promise<boolean>, ms: number): Promise<void> {
	const deadline = Date.now() + ms;
	while (!(await holds())) {
		if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** This process' resources of a kind (TCPSocketWrap, Timeout) still active: the test's admin client's included. */
function activeResources(kind: string): number {
	return process.getActiveResourcesInfo().filter((name) => name === kind).length;
}

describe('a consumer disconnected while kafkajs restarts it', () => {
	let admin: Admin;
	let kafkaForAdmin: Kafka;
	before(async () => {
		assert.equal(stopRunnersStartedAfterClose(), true);
		kafkaForAdmin = new Kafka({ clientId: uniqueName('stop-after-close-admin'), brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
		admin = kafkaForAdmin.admin();
		await admin.connect();
	});
	after(async () => admin.disconnect());

	it('leaves the group instead of fetching on after disconnect() resolved', async () => {
		const topic = uniqueName('stop-after-close');
		await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
		const producer = kafkaForAdmin.producer();
		await producer.connect();
		await producer.send({ topic, messages: [{ value: 'first' }] });

		const held: { consumer?: Consumer } = {};
		let starts = 0;
		let disconnected: Promise<void> | undefined;
		let closedAt: number | undefined;
		const batchesAfterClose: string[] = [];
		const eachBatch = async ({ batch }: EachBatchPayload) => {
			if (closedAt !== undefined) batchesAfterClose.push(batch.firstOffset() ?? '');
			// The first batch crashes the consumer with a retriable error: kafkajs restarts it (retries 0).
			if (starts === 1) throw new Error('retriable failure of the first batch');
		};
		// kafkajs logs "Starting" as start() begins: the second is the restart, still joining the group.
		const kafka = new Kafka({
			clientId: uniqueName('stop-after-close'),
			brokers: kafkaBrokers,
			logLevel: logLevel.INFO,
			logCreator: () => (entry) => {
				if (entry.log.message !== 'Starting' || ++starts !== 2 || held.consumer === undefined) return;
				closedAt = Date.now();
				markClosed(eachBatch);
				disconnected = held.consumer.disconnect();
			},
		});
		const groupId = uniqueName('stop-after-close-group');
		const consumer = kafka.consumer({ groupId, retry: { retries: 0, initialRetryTime: 200, restartOnFailure: async () => true } });
		held.consumer = consumer;
		let joins = 0;
		consumer.on(consumer.events.GROUP_JOIN, () => void joins++);
		await consumer.connect();
		await consumer.subscribe({ topics: [topic], fromBeginning: true });
		await consumer.run({ eachBatch });
		await until('the restart', async () => disconnected !== undefined, 20_000);
		await disconnected;
		await producer.send({ topic, messages: [{ value: 'after close' }] });
		await producer.disconnect();
		// The restart's start() was joining when disconnect() was called: it joins all the same.
		await until('the restarted runner to join', async () => joins === 2, 20_000);
		await until(
			'the group to empty',
			async () => (await admin.describeGroups([groupId])).groups[0]?.members.length === 0,
			20_000,
		).catch((error: unknown) => {
			throw new Error(`${(error as Error).message}; batches fetched after disconnect(): [${batchesAfterClose.join(', ')}]`);
		});
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		assert.equal((await admin.describeGroups([groupId])).groups[0]?.members.length, 0);
		// The runner stops as its start() ends, before its first fetch.
		assert.deepEqual(batchesAfterClose, []);
	});

	// The same window for the trigger's consumer: closed while kafkajs' restart is starting (its connection
	// retrying while a broker restarts, say). The restart's join still reached the consumer's GROUP_JOIN
	// handler (its runner leaves only once its start() ended), which registered a
	// watch on kafkajs' position resets for the new member after close() had ended the last one: nothing
	// ended it again, one listener left for the process' life per such close.
	it('a SinkerConsumer closed while the restart starts: no watch on position resets is left behind', async () => {
		const topic = uniqueName('close-during-restart');
		await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
		const producer = kafkaForAdmin.producer();
		await producer.connect();
		await producer.send({ topic, messages: [{ value: '{"n":1}' }] });
		const watchedBefore = watchedMemberCount();
		const groupId = uniqueName('close-during-restart-group');
		const assignments: string[] = [];
		const commits: string[] = [];
		const sinker = await SinkerConsumer.start(
			testOptions(topic, groupId, {
				observer: {
					onAssignment: (assignment) => void assignments.push(JSON.stringify(assignment)),
					onCommit: (_topic, _partition, offset) => void commits.push(offset),
				},
			}),
			async () => ({ ok: true }),
		);
		assert.equal(watchedMemberCount(), watchedBefore + 1, 'the running consumer watches its member');
		await until('the first message committed', async () => commits.includes('1'), 20_000);
		// The consumer's parts, reached for the test: its kafkajs consumer's handler, and the emit path made to crash it.
		const internals = sinker as unknown as { eachBatch: unknown; emitter: { emit: () => Promise<void> } };
		// The restart's start() (kafkajs Runner, already wrapped by stop-after-close.ts) waits for the close.
		const runner = (createRequire(__filename)('kafkajs/src/consumer/runner.js') as { prototype: { start(): Promise<void>; eachBatch: unknown } }).prototype;
		const start = runner.start;
		let closing: Promise<unknown> | undefined;
		let assignmentsAtClose = -1;
		runner.start = async function (this: typeof runner) {
			if (this.eachBatch === internals.eachBatch) {
				closing ??= sinker.close();
				await closing;
				assignmentsAtClose = assignments.length;
			}
			return start.call(this);
		};
		try {
			// A retriable error kafkajs' fetch loop does not retry (it bails on this name): a crash, then a restart.
			internals.emitter.emit = async () => {
				throw Object.assign(new Error('test: the broker went away'), { name: 'KafkaJSNoBrokerAvailableError', retriable: true });
			};
			await producer.send({ topic, messages: [{ value: '{"n":2}' }] });
			await until('the crash and the close during the restart', async () => assignmentsAtClose >= 0, 30_000);
		} finally {
			runner.start = start;
			await producer.disconnect();
		}
		// The restart began after close() (above). It used to join, then leave (stop-after-close.ts); since
		// the closed client's new connections are ended at once (client.ts endLeftoverSockets) it cannot reach
		// the broker to join at all. Either way the group ends empty and no watch is left.
		await until('the restarted runner to leave the group', async () => (await admin.describeGroups([groupId])).groups[0]?.state === 'Empty', 20_000);
		assert.ok(assignmentsAtClose >= 0, 'the restart started after close() (the case\'s own precondition)');
		assert.equal(watchedMemberCount(), watchedBefore, 'a watch on position resets outlived the closed consumer');
	});

	// The same restart, begun once close() ended: the closed client ends every new connection at once
	// (client.ts endLeftoverSockets), so the restart cannot connect. In a process that runs for weeks it must
	// then stop, not retry for good (a retry every few seconds: timers, sockets and log lines without end).
	// kafkajs 2.2.4: the restart's start() fails (runner.js start → onCrash; here at its first connection,
	// which the closed client ended: "write after end"), the crash handler asks restartOnFailure, which the
	// closed consumer vetoes (consumer-options.ts), and it schedules no restart (consumer/index.js onCrash).
	// Without the veto this case fails (a crash with restart: true) and the process never exits.
	it('a restart begun after close() cannot connect: it gives up once, is not restarted, and leaves nothing behind', async () => {
		const topic = uniqueName('restart-after-close');
		await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
		const before = { sockets: activeResources('TCPSocketWrap'), timers: activeResources('Timeout'), watches: watchedMemberCount() };
		const groupId = uniqueName('restart-after-close-group');
		const commits: string[] = [];
		const sinker = await SinkerConsumer.start(
			testOptions(topic, groupId, { observer: { onCommit: (_topic, _partition, offset) => void commits.push(offset) } }),
			async () => ({ ok: true }),
		);
		const internals = sinker as unknown as { eachBatch: unknown; emitter: { emit: () => Promise<void> }; consumer: Consumer };
		const crashes: Array<{ restart: boolean; retryTime: number | undefined }> = [];
		let closed = false;
		internals.consumer.on(internals.consumer.events.CRASH, ({ payload }) => {
			if (closed) crashes.push({ restart: payload.restart, retryTime: (payload.error as { retryTime?: number }).retryTime });
		});
		// Connection attempts of the whole process from close() on (node:net's channel, one message per new socket).
		let attemptsAfterClose = 0;
		const countAttempt = () => void (closed && attemptsAfterClose++);
		subscribe('net.client.socket', countAttempt);
		const runner = (createRequire(__filename)('kafkajs/src/consumer/runner.js') as { prototype: { start(): Promise<void>; eachBatch: unknown } }).prototype;
		const start = runner.start;
		let restart: Promise<void> | undefined;
		runner.start = async function (this: typeof runner) {
			if (this.eachBatch !== internals.eachBatch) return start.call(this);
			await sinker.close();
			closed = true;
			restart = start.call(this);
			return restart;
		};
		const producer = kafkaForAdmin.producer();
		try {
			await producer.connect();
			await producer.send({ topic, messages: [{ value: '{"n":1}' }] });
			await until('the first message committed', async () => commits.includes('1'), 20_000);
			internals.emitter.emit = async () => {
				throw Object.assign(new Error('test: the broker went away'), { name: 'KafkaJSNoBrokerAvailableError', retriable: true });
			};
			await producer.send({ topic, messages: [{ value: '{"n":2}' }] });
			await until('the restart begun after close()', async () => restart !== undefined, 30_000);
			// At most kafkajs' connection retries (5, from 300 ms, doubling: ~10 s).
			await until('the restart to end', async () => crashes.length > 0, 60_000);
			await restart;
			assert.ok(attemptsAfterClose >= 1, 'the restart tried to connect (the case\'s own precondition)');
			assert.deepEqual(crashes.map(({ restart }) => restart), [false], 'one crash after close, not restarted');
			// kafkajs would restart after the crash's retryTime: wait that long and a second more, nothing may come.
			const attempts = attemptsAfterClose;
			await new Promise((resolve) => setTimeout(resolve, (crashes[0]?.retryTime ?? 300) + 1_000));
			assert.equal(attemptsAfterClose, attempts, 'no connection attempt after the restart gave up');
			assert.equal(crashes.length, 1, 'no further crash');
		} finally {
			runner.start = start;
			unsubscribe('net.client.socket', countAttempt);
			await producer.disconnect();
		}
		await until('no socket or timer of the consumer left', async () => activeResources('TCPSocketWrap') <= before.sockets && activeResources('Timeout') <= before.timers, 10_000);
		assert.equal(watchedMemberCount(), before.watches, 'no watch of the consumer left');
		assert.equal((await admin.describeGroups([groupId])).groups[0]?.state, 'Empty');
	});
});
