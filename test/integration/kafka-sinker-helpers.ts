// Shared by the kafka-*.test.ts files: topics on the real test broker, fast producing, the group's
// committed offsets as the broker sees them, and consumer options sized for tests.
import { after, before } from 'node:test';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Admin, type Message } from 'kafkajs';

import { SINKER_DEFAULTS, type ExecutionOutcome, type RunExecution, type SinkExecution, type SinkerConsumerOptions } from '../../src/kafka/consumer-options';
import type { SinkerLogger } from '../../src/kafka/client';
import { fixKafkajsIdleTimers } from '../../src/kafka/request-queue-fix';
import { kafkaBrokers } from '../ground/kafka/env';
import { uniqueName } from '../ground/kafka/helpers';
import { createTopicsReady } from '../support/kafka-topics';

export { createTopicsReady, uniqueName };

/** Registers an Avro record schema under a fresh `<prefix>-…-value` subject; returns its id. */
export async function registerAvroRecord(
	registry: SchemaRegistry,
	name: string,
	namespace: string,
	fields: Array<{ name: string; type: string }>,
	subjectPrefix: string,
): Promise<number> {
	const { id } = await registry.register(
		{ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name, namespace, fields }) },
		{ subject: `${uniqueName(subjectPrefix)}-value` },
	);
	return id;
}

export function testKafka(): Kafka {
	fixKafkajsIdleTimers();
	return new Kafka({ clientId: uniqueName('sinker-test'), brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
}

export interface KafkaAdminFixture {
	/** The file's Kafka client (read it in hooks and tests: it is made by the before hook). */
	readonly kafka: Kafka;
	/** Connected by the before hook, disconnected by the after hook. */
	readonly admin: Admin;
	/** A new topic on the test broker, deleted after the file's tests. */
	topic(partitions: number, configs?: Record<string, string>): Promise<string>;
}

export interface KafkaAdminSetup {
	/** Decided before connecting; false leaves the file without Kafka (its tests skip themselves). */
	when?: () => boolean | Promise<boolean>;
	/**
	 * The file's own set-up once the admin is connected. It lives here, not in a second top-level
	 * before(): node:test starts a file's top-level before hooks together, not one after the other.
	 */
	setup?: () => Promise<void>;
}

/**
 * Registers the file-level hooks a sinker integration file needs (call it at the top level): a
 * client and a connected admin before the tests; after them, the topics made by `topic()` deleted
 * and the admin disconnected.
 */
export function useKafkaAdmin({ when, setup }: KafkaAdminSetup = {}): KafkaAdminFixture {
	let kafka: Kafka | undefined;
	let admin: Admin | undefined;
	const topics: string[] = [];
	const ready = <T>(value: T | undefined, what: string): T => {
		if (value === undefined) throw new Error(`useKafkaAdmin: ${what} is made by its before hook, read it in a test`);
		return value;
	};
	const broker: KafkaAdminFixture = {
		get kafka() {
			return ready(kafka, 'kafka');
		},
		get admin() {
			return ready(admin, 'admin');
		},
		async topic(partitions, configs) {
			const topic = await createTopic(ready(admin, 'admin'), partitions, configs);
			topics.push(topic);
			return topic;
		},
	};
	before(async () => {
		if (when && !(await when())) return;
		kafka = testKafka();
		admin = kafka.admin();
		await admin.connect();
		await setup?.();
	});
	after(async () => {
		if (!admin) return;
		await admin.deleteTopics({ topics }).catch(() => {});
		await admin.disconnect();
	});
	return broker;
}

export async function createTopic(admin: Admin, partitions: number, configs: Record<string, string> = {}): Promise<string> {
	const topic = uniqueName('sinker');
	await createTopicsReady(admin, [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }]);
	return topic;
}

/**
 * Produces `count` messages round-robin over `partitions` in big batches (one request per batch
 * and partition), so a 200k backlog takes seconds, not minutes.
 */
export async function produce(
	kafka: Kafka,
	topic: string,
	partitions: number,
	count: number,
	value: (i: number) => Buffer | string | null,
	batchSize = 5000,
): Promise<void> {
	const producer = kafka.producer({ allowAutoTopicCreation: false });
	await producer.connect();
	try {
		const inFlight: Array<Promise<unknown>> = [];
		for (let start = 0; start < count; start += batchSize) {
			const end = Math.min(start + batchSize, count);
			const messages: Message[] = [];
			for (let i = start; i < end; i++) messages.push({ value: value(i), key: String(i), partition: i % partitions });
			inFlight.push(producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages }] }));
			if (inFlight.length >= 4) await inFlight.shift();
		}
		await Promise.all(inFlight);
	} finally {
		await producer.disconnect();
	}
}

export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
	const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
	const out = new Map<number, bigint>();
	for (const { partition, offset } of entry?.partitions ?? []) out.set(partition, BigInt(offset));
	return out;
}

export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
	const out = new Map<number, bigint>();
	for (const { partition, high } of await admin.fetchTopicOffsets(topic)) out.set(partition, BigInt(high));
	return out;
}

export const quietLogger: SinkerLogger = {
	debug: () => {},
	info: () => {},
	warn: () => {},
	error: (message, meta) => {
		if (process.env.SINKER_TEST_LOG) console.error(message, meta);
	},
};

export const consoleLogger: SinkerLogger = {
	debug: () => {},
	info: (m, meta) => console.log('INFO', m, meta ?? ''),
	warn: (m, meta) => console.log('WARN', m, meta ?? ''),
	error: (m, meta) => console.log('ERROR', m, meta ?? ''),
};

/** Options for one test consumer: short timeouts so rebalances and redeliveries happen in seconds. */
export function testOptions(topic: string, groupId: string, overrides: Partial<SinkerConsumerOptions> = {}): SinkerConsumerOptions {
	return {
		connection: { brokers: kafkaBrokers, clientId: uniqueName('sinker-client') },
		groupId,
		topics: { names: [topic] },
		fromBeginning: true,
		maxRecordsPerExecution: SINKER_DEFAULTS.maxRecordsPerExecution,
		maxBytesPerExecution: SINKER_DEFAULTS.maxBytesPerExecution,
		fetchMaxBytesPerPartition: SINKER_DEFAULTS.fetchMaxBytesPerPartition,
		fetchMaxBytes: SINKER_DEFAULTS.fetchMaxBytes,
		fetchMaxWaitMs: 200,
		executionsInFlight: 4,
		sessionTimeoutMs: 10_000,
		heartbeatIntervalMs: 1_000,
		rebalanceTimeoutMs: 15_000,
		executionTimeoutMs: 30_000,
		redeliveryBackoff: { initialMs: 100, maxMs: 1_000 },
		closeTimeoutMs: 10_000,
		rebalanceDrainMs: 5_000,
		lagIntervalMs: 0,
		parser: { format: 'json', includeMetadata: false, tombstones: 'skip' },
		labels: { workflow: 'test', node: 'Kafka Trigger' },
		logger: process.env.SINKER_TEST_LOG ? consoleLogger : quietLogger,
		...overrides,
	};
}

/**
 * Plays n8n's part at the trigger boundary: records every execution handed over and answers with
 * whatever `decide` returns (a delay, a failure, a hang). The broker on the other side is real.
 */
export class FakeN8n {
	/** Every execution handed over; without `keepItems` the items are dropped (a backlog test must not hold them). */
	readonly executions: SinkExecution[] = [];
	/** `partition:firstOffset` of executions that reported success, in finishing order. */
	readonly succeeded: string[] = [];
	private delivered = 0;
	constructor(
		public decide: (execution: SinkExecution, signal: AbortSignal) => Promise<ExecutionOutcome> = async () => ({ ok: true }),
		private readonly keepItems = true,
	) {}

	readonly run: RunExecution = async (execution, signal) => {
		this.delivered += execution.items.length;
		this.executions.push(this.keepItems ? execution : { ...execution, items: [] });
		const outcome = await this.decide(execution, signal);
		if (outcome.ok) this.succeeded.push(`${execution.partition}:${execution.firstOffset}`);
		return outcome;
	};

	/** Items delivered over all executions (redeliveries included). */
	messageCount(): number {
		return this.delivered;
	}
}
