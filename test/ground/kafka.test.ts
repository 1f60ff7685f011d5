// Proves kafkajs 2.2.4 against the test ground's Apache Kafka 4.1 broker (scripts/kafka.sh start):
// admin calls, produce, consumer-group consume with eachBatch and manual commits, committed offsets
// read back; SASL (PLAIN, SCRAM-SHA-256/512) and TLS listeners, with their failure cases.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, type Admin, type Consumer, type KafkaConfig } from 'kafkajs';
import { adminUser, kafkaBrokers, kafkaCerts, sinkerUser } from './kafka/env';
import { createPartitionsReady, createTopicsReady } from '../support/kafka-topics';
import { plaintextConfig, saslConfig, sslConfig, uniqueName, type SaslMechanism } from './kafka/helpers';

const TIMEOUT = 30_000;

/** Consumes from `topic` in `groupId` until `count` messages arrived; commits by hand after each batch. */
async function consumeAndCommit(
	config: KafkaConfig,
	topic: string,
	groupId: string,
	count: number,
): Promise<{ values: string[]; batches: number }> {
	const consumer: Consumer = new Kafka(config).consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
	const values: string[] = [];
	let batches = 0;
	try {
		await consumer.connect();
		await consumer.subscribe({ topic, fromBeginning: true });
		await new Promise<void>((resolve, reject) => {
			consumer
				.run({
					autoCommit: false,
					eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
						batches += 1;
						for (const message of batch.messages) {
							values.push(message.value?.toString() ?? '');
							resolveOffset(message.offset);
						}
						const last = batch.messages.at(-1);
						if (last) {
							// The committed offset is the next one to read (Kafka's convention).
							await consumer.commitOffsets([
								{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
							]);
						}
						await heartbeat();
						if (values.length >= count) resolve();
					},
				})
				.catch(reject);
		});
	} finally {
		await consumer.disconnect();
	}
	return { values, batches };
}

async function produce(config: KafkaConfig, topic: string, messages: Array<{ key?: string; value: string; partition?: number }>) {
	const producer = new Kafka(config).producer({ allowAutoTopicCreation: true });
	await producer.connect();
	try {
		return await producer.send({ topic, acks: -1, messages });
	} finally {
		await producer.disconnect();
	}
}

describe('kafkajs 2.2.4 on the Kafka 4.1 test broker (PLAINTEXT)', { timeout: 90_000 }, () => {
	let admin: Admin;
	const topic = uniqueName('ground-kafka');
	const groupId = uniqueName('ground-group');

	before(async () => {
		admin = new Kafka(plaintextConfig()).admin();
		await admin.connect();
	});
	after(async () => {
		await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
		await admin.disconnect();
	});

	it('describes the cluster: one broker on the PLAINTEXT address', { timeout: TIMEOUT }, async () => {
		const cluster = await admin.describeCluster();
		assert.equal(cluster.brokers.length, 1);
		assert.equal(`${cluster.brokers[0].host}:${cluster.brokers[0].port}`, kafkaBrokers[0]);
		assert.equal(cluster.controller, cluster.brokers[0].nodeId);
		assert.ok(cluster.clusterId.length > 0);
	});

	it('creates a topic with 3 partitions, grows it to 4, reports offsets per partition', { timeout: TIMEOUT }, async () => {
		await createTopicsReady(admin, [{ topic, numPartitions: 3 }]);
		let meta = await admin.fetchTopicMetadata({ topics: [topic] });
		assert.equal(meta.topics[0].partitions.length, 3);

		await createPartitionsReady(admin, topic, 4);
		meta = await admin.fetchTopicMetadata({ topics: [topic] });
		assert.equal(meta.topics[0].partitions.length, 4);

		const offsets = await admin.fetchTopicOffsets(topic);
		assert.deepEqual(
			offsets.map((o) => [o.partition, o.low, o.high]).sort((a, b) => Number(a[0]) - Number(b[0])),
			[
				[0, '0', '0'],
				[1, '0', '0'],
				[2, '0', '0'],
				[3, '0', '0'],
			],
		);
	});

	it('produces, consumes in a group with eachBatch, commits by hand, and reads the commits back', { timeout: TIMEOUT }, async () => {
		// 5 messages on partition 0, 3 on partition 2, none on 1 and 3.
		const messages = [
			...[0, 1, 2, 3, 4].map((i) => ({ key: `k${i}`, value: `p0-${i}`, partition: 0 })),
			...[0, 1, 2].map((i) => ({ key: `k${i}`, value: `p2-${i}`, partition: 2 })),
		];
		const acks = await produce(plaintextConfig(), topic, messages);
		assert.deepEqual(acks.map((a) => a.partition).sort(), [0, 2]);

		const high = await admin.fetchTopicOffsets(topic);
		assert.equal(high.find((o) => o.partition === 0)?.high, '5');
		assert.equal(high.find((o) => o.partition === 2)?.high, '3');

		const { values, batches } = await consumeAndCommit(plaintextConfig(), topic, groupId, messages.length);
		assert.deepEqual([...values].sort(), messages.map((m) => m.value).sort());
		assert.ok(batches >= 2, `one batch per partition at least, got ${batches}`);
		// Order within a partition is kept.
		assert.deepEqual(values.filter((v) => v.startsWith('p0-')), ['p0-0', 'p0-1', 'p0-2', 'p0-3', 'p0-4']);

		const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
		assert.equal(committed.topic, topic);
		const byPartition = Object.fromEntries(committed.partitions.map((p) => [p.partition, p.offset]));
		// -1: nothing committed on the empty partitions.
		assert.deepEqual(byPartition, { 0: '5', 1: '-1', 2: '3', 3: '-1' });
	});

	it('a new consumer in the same group resumes after the committed offsets', { timeout: TIMEOUT }, async () => {
		await produce(plaintextConfig(), topic, [{ value: 'after-commit', partition: 1 }]);
		const { values } = await consumeAndCommit(plaintextConfig(), topic, groupId, 1);
		assert.deepEqual(values, ['after-commit']);
		const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
		assert.equal(committed.partitions.find((p) => p.partition === 1)?.offset, '1');
		await admin.deleteGroups([groupId]);
	});
});

async function roundTrip(config: KafkaConfig): Promise<string[]> {
	const topic = uniqueName('ground-auth');
	const admin = new Kafka(config).admin();
	await admin.connect();
	try {
		await createTopicsReady(admin, [{ topic, numPartitions: 1 }]);
		await produce(config, topic, [{ value: 'one' }, { value: 'two' }]);
		const { values } = await consumeAndCommit(config, topic, uniqueName('ground-auth-group'), 2);
		return values;
	} finally {
		await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
		await admin.disconnect();
	}
}

/** Connecting an admin with `config` must fail; returns the error for the caller to check. */
async function connectFails(config: KafkaConfig): Promise<Error> {
	const admin = new Kafka({ ...config, retry: { retries: 0 } }).admin();
	try {
		await admin.connect();
		await admin.describeCluster();
	} catch (error) {
		assert.ok(error instanceof Error);
		return error;
	} finally {
		await admin.disconnect().catch(() => undefined);
	}
	assert.fail('connecting should have failed');
}

describe('SASL_PLAINTEXT listener', { timeout: 90_000 }, () => {
	it('PLAIN as the sinker user: produce and consume round trip', { timeout: TIMEOUT }, async () => {
		assert.deepEqual(await roundTrip(saslConfig('plain')), ['one', 'two']);
	});

	for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as SaslMechanism[]) {
		it(`${mechanism.toUpperCase()} (seeded at format time): admin and produce work`, { timeout: TIMEOUT }, async () => {
			const config = saslConfig(mechanism);
			const admin = new Kafka(config).admin();
			await admin.connect();
			try {
				assert.equal((await admin.describeCluster()).brokers.length, 1);
			} finally {
				await admin.disconnect();
			}
			const acks = await produce(config, uniqueName('ground-scram'), [{ value: mechanism }]);
			assert.equal(acks[0].errorCode, 0);
		});
	}

	for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as SaslMechanism[]) {
		it(`${mechanism.toUpperCase()} with a wrong password fails with an authentication error`, { timeout: TIMEOUT }, async () => {
			const error = await connectFails(saslConfig(mechanism, { username: sinkerUser.username, password: 'wrong-password' }));
			assert.equal(error.name, 'KafkaJSSASLAuthenticationError', `${error.name}: ${error.message}`);
			assert.match(error.message, /authentication failed/i);
			assert.doesNotMatch(error.message, /wrong-password/);
		});
	}

	it('the admin user logs in too (PLAIN)', { timeout: TIMEOUT }, async () => {
		const admin = new Kafka(saslConfig('plain', adminUser)).admin();
		await admin.connect();
		try {
			assert.equal((await admin.describeCluster()).brokers.length, 1);
		} finally {
			await admin.disconnect();
		}
	});
});

describe('SSL listener', { timeout: 90_000 }, () => {
	it('trusting the test CA: produce and consume round trip', { timeout: TIMEOUT }, async () => {
		assert.deepEqual(await roundTrip(sslConfig()), ['one', 'two']);
	});

	it('with the client certificate and key as well', { timeout: TIMEOUT }, async () => {
		const admin = new Kafka(sslConfig({ clientCert: true })).admin();
		await admin.connect();
		try {
			assert.equal((await admin.describeCluster()).brokers.length, 1);
		} finally {
			await admin.disconnect();
		}
	});

	it('without the test CA the handshake is refused (self-signed chain)', { timeout: TIMEOUT }, async () => {
		const error = await connectFails(sslConfig({ caFile: null }));
		assert.match(`${error.name}: ${error.message}`, /self[- ]signed|unable to (verify|get local issuer)/i);
	});

	it('trusting an unrelated CA the handshake is refused', { timeout: TIMEOUT }, async () => {
		const error = await connectFails(sslConfig({ caFile: kafkaCerts.otherCa }));
		assert.match(`${error.name}: ${error.message}`, /self[- ]signed|unable to (verify|get local issuer)/i);
	});
});
