// A subscribed topic deleted while the workflow runs (a CDC table dropped, a listed topic deleted),
// against the real broker (KAFKA_BROKERS). kafkajs keeps every topic its consumer subscribed and its
// admin client read in the metadata it asks for before each request, and fails the whole request on
// a topic the broker no longer knows (following-consumer.ts): the other topics must go on loading,
// exactly committed, and their partitions must not wait out the Keep Order fence; a listed topic
// created again is consumed again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Admin, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

import type { SinkerLogger } from '../../src/kafka/client';
import type { SinkerConsumerOptions } from '../../src/kafka/consumer-options';
import { FollowingConsumer } from '../../src/kafka/following-consumer';
import { kafkaBrokers } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

function recordingLogger(lines: string[]): SinkerLogger {
	const keep = (level: string) => (message: string, meta?: object) => {
		lines.push(`${level} ${message}`);
		if (process.env.SINKER_TEST_LOG) console.log(new Date().toISOString(), level, message, meta ?? '');
	};
	return { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

async function committedTotal(groupId: string, topic: string, admin: Admin = broker.admin): Promise<bigint> {
	return [...(await committedOffsets(admin, groupId, topic)).values()].reduce((sum, offset) => sum + (offset > 0n ? offset : 0n), 0n);
}

function messagesOf(n8n: FakeN8n, topic: string): number {
	return n8n.executions.filter((e) => e.topic === topic).reduce((sum, e) => sum + e.messages, 0);
}

/** kafkajs' crash-and-restart, as the consumer logs it (sinker-consumer.ts CRASH). */
function crashes(lines: readonly string[]): number {
	return lines.filter((line) => line.includes('Kafka consumer crashed')).length;
}

/**
 * Deletes `topic` and waits until the broker no longer lists it, with an admin of its own: an admin
 * that read the topic could create nothing afterwards (test/support/kafka-topics.ts).
 */
/** Runs `use` with an admin client of its own, disconnected after. */
async function withFreshAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
	const admin = kafka.admin();
	await admin.connect();
	try {
		return await use(admin);
	} finally {
		await admin.disconnect();
	}
}

async function deleteTopicFresh(kafka: Kafka, topic: string): Promise<void> {
	await withFreshAdmin(kafka, async (admin) => {
		await admin.deleteTopics({ topics: [topic] });
		await waitFor(`${topic} to be gone`, async () => !(await admin.listTopics()).includes(topic), { intervalMs: 200 });
	});
}

async function createTopicFresh(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
	await withFreshAdmin(kafka, (admin) => createTopicsReady(admin, [{ topic, numPartitions, replicationFactor: 1 }]));
}

/** Committed offsets of `topic` read with a client of its own (the topic may be deleted meanwhile). */
async function committedTotalFresh(kafka: Kafka, groupId: string, topic: string): Promise<bigint> {
	return await withFreshAdmin(kafka, async (admin) => {
		const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
		return (entry?.partitions ?? []).reduce((sum, p) => sum + (BigInt(p.offset) > 0n ? BigInt(p.offset) : 0n), 0n);
	});
}

describe('a topics pattern: a matching topic deleted', () => {
	it('the other topic goes on loading, committed exactly, its partitions not held by the fence', async () => {
		const prefix = uniqueName('deleted');
		const [kept, dropped] = [`${prefix}.db.kept`, `${prefix}.db.dropped`];
		await createTopicsReady(broker.admin, [
			{ topic: kept, numPartitions: 2, replicationFactor: 1 },
			{ topic: dropped, numPartitions: 1, replicationFactor: 1 },
		]);
		await produce(broker.kafka, kept, 2, 20, (i) => JSON.stringify({ i }));
		await produce(broker.kafka, dropped, 1, 10, (i) => JSON.stringify({ i }));
		const groupId = uniqueName('deleted-group');
		const lines: string[] = [];
		const n8n = new FakeN8n();
		// Execution Timeout 10 min: a fence lookup that failed would hold a partition that long.
		const consumer = await FollowingConsumer.start(
			testOptions(kept, groupId, {
				topics: { pattern: new RegExp(`^${prefix.replace(/[-.]/g, '\\$&')}\\.db\\.[^.]+$`) },
				topicCheckIntervalMs: 2_000,
				keepPartitionOrder: true,
				executionTimeoutMs: 600_000,
				lagIntervalMs: 3_600_000,
				logger: recordingLogger(lines),
			}),
			n8n.run,
		);
		try {
			await waitFor('every message of both topics committed', async () => (await committedTotal(groupId, kept)) === 20n && (await committedTotal(groupId, dropped)) === 10n);
			await broker.admin.deleteTopics({ topics: [dropped] });
			await produce(broker.kafka, kept, 2, 20, (i) => JSON.stringify({ i: 20 + i }));
			const held = (line: string) => line.includes('was held by a consumer') || line.includes("could not read the previous owner's fence mark");
			const outcome = await waitFor(
				'the new messages committed, or a partition of the kept topic held by the fence',
				async () => (lines.some(held) ? 'held' : (await committedTotal(groupId, kept)) === 40n ? 'committed' : false),
				{ timeoutMs: 60_000, progress: async () => `committed ${await committedTotal(groupId, kept)} of 40; last log lines: ${lines.filter((l) => !l.startsWith('debug')).slice(-6).join(' | ')}` },
			);
			assert.equal(outcome, 'committed', lines.filter(held).join('\n'));
			// Exact commits: each partition to its end; every message handed over once.
			assert.deepEqual([...(await committedOffsets(broker.admin, groupId, kept))].sort(), [[0, 20n], [1, 20n]]);
			assert.equal(messagesOf(n8n, kept), 40);
			assert.equal(messagesOf(n8n, dropped), 10);
		} finally {
			await consumer.close();
			await broker.admin.deleteTopics({ topics: [kept] }).catch(() => undefined);
		}
	});
});

describe('a subscribed topic deleted while the consumer runs, without a New Topics Check to notice it', () => {
	/**
	 * `keep` (2 partitions) and `gone` (1) consumed and committed, then 40 messages more of keep and 10 of
	 * gone produced and gone deleted while their executions (300 ms each) are in flight, then 20 more of
	 * keep. Waits
	 * until keep is committed to its end (60 s bound), counting the crashes after the deletion; asserts
	 * keep was committed exactly and handed over once, and that a warning names gone.
	 */
	async function deleteMidRun(keep: string, gone: string, overrides: Partial<SinkerConsumerOptions>) {
		await createTopicFresh(broker.kafka, keep, 2);
		await createTopicFresh(broker.kafka, gone, 1);
		await produce(broker.kafka, keep, 2, 20, (i) => JSON.stringify({ i }));
		await produce(broker.kafka, gone, 1, 10, (i) => JSON.stringify({ i }));
		const groupId = uniqueName('deleted-group');
		const lines: string[] = [];
		const n8n = new FakeN8n(async () => (await sleep(300), { ok: true }));
		// Reads keep only: an admin that read gone could read nothing more once gone is deleted.
		const reader = broker.kafka.admin();
		await reader.connect();
		const options = testOptions(keep, groupId, { maxRecordsPerExecution: 5, lagIntervalMs: 3_600_000, logger: recordingLogger(lines), ...overrides });
		const consumer = await FollowingConsumer.start(options, n8n.run);
		const close = async () => {
			await consumer.close();
			await reader.disconnect();
			await deleteTopicFresh(broker.kafka, keep).catch(() => undefined);
			await deleteTopicFresh(broker.kafka, gone).catch(() => undefined);
		};
		try {
			await waitFor('every message of both topics committed', async () => (await committedTotal(groupId, keep, reader)) === 20n && (await committedTotalFresh(broker.kafka, groupId, gone)) === 10n);
			// Executions of gone in flight too: their commit would be refused, and kafkajs fails the whole
			// commit with keep's offsets in it.
			await produce(broker.kafka, gone, 1, 10, (i) => JSON.stringify({ i: 10 + i }));
			await produce(broker.kafka, keep, 2, 40, (i) => JSON.stringify({ i: 20 + i }));
			const crashesBefore = crashes(lines);
			await deleteTopicFresh(broker.kafka, gone);
			const inFlightAtDeletion = consumer.inFlight;
			await produce(broker.kafka, keep, 2, 20, (i) => JSON.stringify({ i: 60 + i }));
			await waitFor('the new messages of keep committed', async () => (await committedTotal(groupId, keep, reader)) === 80n, {
				timeoutMs: 60_000,
				progress: async () => `committed ${await committedTotal(groupId, keep, reader)} of 80, ${crashes(lines) - crashesBefore} crashes; last log lines: ${lines.filter((l) => !l.startsWith('debug')).slice(-6).join(' | ')}`,
			});
			const crashCount = crashes(lines) - crashesBefore;
			console.log(`after the deletion: ${crashCount} crashes; keep handed over ${messagesOf(n8n, keep)} of 80, gone ${messagesOf(n8n, gone)} of 20 (${inFlightAtDeletion} executions in flight when the deletion was done)`);
			// The crash that tells of the deleted topic, and at most one more before the restart is under way.
			assert.ok(crashCount <= 2, `${crashCount} crashes after the deletion`);
			assert.ok(lines.some((l) => l.startsWith('warn') && l.includes(gone) && l.includes('deleted')), 'a warning names the deleted topic');
			assert.deepEqual([...(await committedOffsets(reader, groupId, keep))].sort(), [[0, 40n], [1, 40n]]);
			assert.equal(messagesOf(n8n, keep), 80, 'every message of keep handed over once');
		} catch (error) {
			await close();
			throw error;
		}
		return { groupId, lines, n8n, close };
	}

	it('a topic list "keep,gone": keep goes on, committed exactly once, gone named; gone created again is consumed again', async () => {
		const [keep, gone] = [uniqueName('listed-keep'), uniqueName('listed-gone')];
		const { groupId, lines, n8n, close } = await deleteMidRun(keep, gone, { topics: { names: [keep, gone] }, topicCheckIntervalMs: 2_000 });
		try {
			// Created again: consumed again, from its first message, without reactivating.
			await createTopicFresh(broker.kafka, gone, 1);
			await produce(broker.kafka, gone, 1, 7, (i) => JSON.stringify({ again: i }));
			const goneBefore = messagesOf(n8n, gone);
			await waitFor('the recreated topic consumed and committed', async () => messagesOf(n8n, gone) === goneBefore + 7 && (await committedTotalFresh(broker.kafka, groupId, gone)) === 7n, {
				timeoutMs: 30_000,
				progress: () => `${messagesOf(n8n, gone) - goneBefore} of 7 new messages of ${gone} handed over; last log lines: ${lines.filter((l) => !l.startsWith('debug')).slice(-4).join(' | ')}`,
			});
			assert.equal(messagesOf(n8n, keep), 80, 'nothing of keep handed over again');
		} finally {
			await close();
		}
	});

	it('a pattern with New Topics Check 0: the other topic goes on, committed exactly once, the deleted one named', async () => {
		const prefix = uniqueName('nocheck');
		const { close } = await deleteMidRun(`${prefix}.db.keep`, `${prefix}.db.gone`, {
			topics: { pattern: new RegExp(`^${prefix.replace(/[-.]/g, '\\$&')}\\.db\\.[^.]+$`) },
			topicCheckIntervalMs: 0,
		});
		await close();
	});

	it('a listed topic that does not exist at activation fails the start, naming it', async () => {
		const [keep, missing] = [uniqueName('listed-keep'), uniqueName('listed-missing')];
		await createTopicFresh(broker.kafka, keep, 1);
		try {
			await assert.rejects(FollowingConsumer.start(testOptions(keep, uniqueName('missing-group'), { topics: { names: [keep, missing] } }), new FakeN8n().run), (error: Error) => {
				assert.equal(error.message, `Kafka topic "${missing}" of Topics does not exist at ${kafkaBrokers.join(', ')}: create it, or remove it from Topics`);
				return true;
			});
		} finally {
			await deleteTopicFresh(broker.kafka, keep).catch(() => undefined);
		}
	});
});

describe('Read From Beginning off: a listed topic deleted and created again while the workflow is inactive', () => {
	const skipWarnings = (lines: readonly string[]) => lines.filter((l) => l.startsWith('warn') && l.includes('Read From Beginning is off'));

	/** Runs the list once: `history` messages per topic before (skipped), 5 after, committed; then closes. */
	async function firstActivation(options: SinkerConsumerOptions, topics: string[], lines: string[], n8n: FakeN8n): Promise<void> {
		for (const topic of topics) await createTopicFresh(broker.kafka, topic, 1);
		for (const topic of topics) await produce(broker.kafka, topic, 1, 10, (i) => JSON.stringify({ history: i }));
		const consumer = await FollowingConsumer.start(options, n8n.run);
		try {
			assert.deepEqual(skipWarnings(lines), [
				`warn Kafka: Read From Beginning is off and group ${options.groupId} has no committed offsets, so these topics start at their end and the messages already in them are skipped: ${topics.map((t) => `${t} (10 messages)`).join(', ')}. Right for a new group that is not to load the history; if the group consumed before (its only topic deleted and created again, or its offsets expired while the workflow was inactive), those messages are not loaded`,
			]);
			for (const topic of topics) await produce(broker.kafka, topic, 1, 5, (i) => JSON.stringify({ i }));
			for (const topic of topics) await waitFor(`${topic} committed to 15`, async () => (await committedTotalFresh(broker.kafka, options.groupId, topic)) === 15n, { intervalMs: 200 });
			for (const topic of topics) assert.equal(messagesOf(n8n, topic), 5, `only the new messages of ${topic}`);
		} finally {
			await consumer.close();
		}
	}

	async function recreate(topic: string, messages: number): Promise<void> {
		await deleteTopicFresh(broker.kafka, topic);
		await createTopicFresh(broker.kafka, topic, 1);
		await produce(broker.kafka, topic, 1, messages, (i) => JSON.stringify({ again: i }));
	}

	it('list "a,b", a created again with 12 messages: the next activation loads and commits all 12 (before: started at its end, all 12 skipped without a word)', async () => {
		const [a, b] = [uniqueName('listed-recreated'), uniqueName('listed-kept')];
		const lines: string[] = [];
		const n8n = new FakeN8n();
		const options = testOptions(a, uniqueName('recreated-group'), { topics: { names: [a, b] }, fromBeginning: false, topicCheckIntervalMs: 0, logger: recordingLogger(lines) });
		try {
			await firstActivation(options, [a, b], lines, n8n);
			await recreate(a, 12);
			const secondRun = await FollowingConsumer.start(options, n8n.run);
			try {
				await waitFor('a committed to 12', async () => (await committedTotalFresh(broker.kafka, options.groupId, a)) === 12n, {
					intervalMs: 200,
					progress: async () => `a committed at ${await committedTotalFresh(broker.kafka, options.groupId, a)}, ${messagesOf(n8n, a) - 5} of 12 handed over`,
				});
				assert.equal(messagesOf(n8n, a), 5 + 12, 'every message written to the recreated topic while inactive handed over once');
				assert.equal(messagesOf(n8n, b), 5, 'b resumed where it was committed');
				assert.equal(skipWarnings(lines).length, 1, 'nothing skipped at the second activation');
			} finally {
				await secondRun.close();
			}
		} finally {
			for (const topic of [a, b]) await deleteTopicFresh(broker.kafka, topic).catch(() => undefined);
		}
	});

	it('list "a" alone, a created again: Kafka dropped the group\'s only offsets, so it starts at its end like a new group, and the warning names the 8 messages skipped', async () => {
		const a = uniqueName('listed-alone');
		const lines: string[] = [];
		const n8n = new FakeN8n();
		const options = testOptions(a, uniqueName('alone-group'), { fromBeginning: false, topicCheckIntervalMs: 0, logger: recordingLogger(lines) });
		try {
			await firstActivation(options, [a], lines, n8n);
			await recreate(a, 8);
			// The broker's part: a deleted topic's committed offsets go with it (Kafka 4.1 here).
			assert.deepEqual(await withFreshAdmin(broker.kafka, (admin) => admin.fetchOffsets({ groupId: options.groupId })), [], 'the group has no offsets left');
			const secondRun = await FollowingConsumer.start(options, n8n.run);
			try {
				assert.equal(skipWarnings(lines).length, 2);
				assert.match(skipWarnings(lines)[1], new RegExp(`group ${options.groupId} has no committed offsets.*: ${a} \\(8 messages\\)\\.`));
				await waitFor('the pin committed at the end', async () => (await committedTotalFresh(broker.kafka, options.groupId, a)) === 8n, { intervalMs: 200 });
				assert.equal(messagesOf(n8n, a), 5);
			} finally {
				await secondRun.close();
			}
		} finally {
			await deleteTopicFresh(broker.kafka, a).catch(() => undefined);
		}
	});
});
