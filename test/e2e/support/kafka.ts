// Kafka side of the e2e checks: topics, a fast batched producer that records where each message
// landed, committed vs end offsets of a group, and reading a dead-letter topic back.
import { Kafka, type Admin, type Producer } from 'kafkajs';
import { fixKafkajsIdleTimers } from '../../../src/kafka/request-queue-fix';
import { plaintextConfig, uniqueName } from '../../ground/kafka/helpers';
import { createTopicsReady } from '../../support/kafka-topics';

export interface Produced {
	/** The message's key in the test's own terms (e.g. seq); messages are identified by it. */
	id: string;
	partition: number;
	offset: number;
}

export interface OutgoingMessage {
	id: string;
	/** A Buffer: binary, as a registry serializer writes a key. */
	key?: string | Buffer;
	/** null: a tombstone. */
	value: string | Buffer | null;
	partition: number;
}

export class KafkaTestClient {
	readonly kafka: Kafka;
	readonly admin: Admin;
	private producer: Producer | undefined;
	private producerConnected: Promise<Producer> | undefined;

	/** `brokers`: another broker than the shared test broker (a test's own, which it stops). */
	constructor(clientId = uniqueName('e2e'), brokers?: string[]) {
		// As the package does (src/kafka/client.ts): no 1 ms timer loop, no TimeoutNegativeWarning.
		fixKafkajsIdleTimers();
		this.kafka = new Kafka({ ...plaintextConfig(clientId), ...(brokers ? { brokers } : {}) });
		this.admin = this.kafka.admin();
	}

	async connect(): Promise<void> {
		await this.admin.connect();
	}

	async createTopic(topic: string, partitions: number): Promise<void> {
		await createTopicsReady(this.admin, [{ topic, numPartitions: partitions, replicationFactor: 1 }]);
	}

	/**
	 * The shared producer, once connected. Tests that run concurrently (a file's `concurrency`) share it:
	 * each waits for the one connection, where the second caller used to get the producer before its
	 * connect finished and failed with "The producer is disconnected".
	 */
	private producerReady(): Promise<Producer> {
		if (!this.producerConnected) {
			// Idempotent with acks=all: a retried request cannot duplicate or reorder a partition's messages,
			// so baseOffset + index is each message's offset.
			const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
			this.producer = producer;
			this.producerConnected = producer.connect().then(() => producer);
		}
		return this.producerConnected;
	}

	/**
	 * Sends `messages` in requests of `chunk` messages, `parallel` requests at a time; returns each
	 * message's partition and offset (a request's messages for one partition are one contiguous batch).
	 */
	async produce(topic: string, messages: OutgoingMessage[], chunk = 5000, parallel = 2): Promise<Produced[]> {
		const producer = await this.producerReady();
		const out: Produced[] = [];
		const chunks: OutgoingMessage[][] = [];
		for (let i = 0; i < messages.length; i += chunk) chunks.push(messages.slice(i, i + chunk));
		let next = 0;
		const worker = async (): Promise<void> => {
			while (next < chunks.length) {
				const batch = chunks[next++];
				const meta = await producer.send({
					topic,
					acks: -1,
					messages: batch.map((m) => ({ key: m.key ?? m.id, value: m.value, partition: m.partition })),
				});
				const base = new Map(meta.map((m) => [m.partition, Number(m.baseOffset)]));
				const seen = new Map<number, number>();
				for (const m of batch) {
					const index = seen.get(m.partition) ?? 0;
					seen.set(m.partition, index + 1);
					const first = base.get(m.partition);
					if (first === undefined || !Number.isFinite(first)) throw new Error(`no baseOffset for ${topic}[${m.partition}]`);
					out.push({ id: m.id, partition: m.partition, offset: first + index });
				}
			}
		};
		await Promise.all(Array.from({ length: parallel }, worker));
		return out;
	}

	/**
	 * Produces `messages` as a stream: `chunk` messages, then a pause, until all are sent, so a test can
	 * stop or kill n8n while messages are still arriving.
	 */
	async produceStream(topic: string, messages: OutgoingMessage[], chunk: number, pauseMs: number): Promise<Produced[]> {
		const out: Produced[] = [];
		for (let i = 0; i < messages.length; i += chunk) {
			out.push(...(await this.produce(topic, messages.slice(i, i + chunk), chunk, 1)));
			await new Promise((resolve) => setTimeout(resolve, pauseMs));
		}
		return out;
	}

	/** Per partition: [committed offset of the group (-1 when none), end offset (high watermark)]. */
	async offsets(groupId: string, topic: string): Promise<Map<number, { committed: number; end: number }>> {
		const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
		const ends = await this.admin.fetchTopicOffsets(topic);
		const result = new Map<number, { committed: number; end: number }>();
		for (const end of ends) result.set(end.partition, { committed: -1, end: Number(end.high) });
		for (const p of committed?.partitions ?? []) {
			const entry = result.get(p.partition);
			if (entry) entry.committed = Number(p.offset);
		}
		return result;
	}

	/** Sum over partitions of end − max(committed, 0): messages not yet committed by the group. */
	async lag(groupId: string, topic: string): Promise<number> {
		let lag = 0;
		for (const { committed, end } of (await this.offsets(groupId, topic)).values()) lag += end - Math.max(committed, 0);
		return lag;
	}

	/** Messages ever written to `topic`: the sum of its partitions' end offsets. */
	async endOffsetSum(topic: string): Promise<number> {
		return (await this.admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
	}

	/** Reads every message of `topic` currently there (from the beginning), as text, with headers. */
	async readAll(topic: string, timeoutMs = 30_000): Promise<Array<{ value: string; headers: Record<string, string> }>> {
		const ends = await this.admin.fetchTopicOffsets(topic);
		const total = ends.reduce((sum, e) => sum + Number(e.high) - Number(e.low), 0);
		const out: Array<{ value: string; headers: Record<string, string> }> = [];
		if (total === 0) return out;
		const consumer = this.kafka.consumer({ groupId: uniqueName('e2e-reader') });
		await consumer.connect();
		try {
			await consumer.subscribe({ topic, fromBeginning: true });
			let done!: () => void;
			const finished = new Promise<void>((resolve) => (done = resolve));
			await consumer.run({
				eachMessage: async ({ message }) => {
					const headers: Record<string, string> = {};
					for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
					out.push({ value: message.value?.toString('utf8') ?? '', headers });
					if (out.length >= total) done();
				},
			});
			const timer = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`read ${out.length} of ${total} messages of ${topic} in ${timeoutMs} ms`)), timeoutMs).unref());
			await Promise.race([finished, timer]);
		} finally {
			await consumer.disconnect();
		}
		return out;
	}

	async close(): Promise<void> {
		await this.producer?.disconnect();
		await this.admin.disconnect();
	}
}

/** Asserts-friendly view: partitions whose committed offset differs from the end offset. */
export function uncommitted(offsets: Map<number, { committed: number; end: number }>): string[] {
	return [...offsets].filter(([, o]) => o.committed !== o.end).map(([p, o]) => `partition ${p}: committed ${o.committed}, end ${o.end}`);
}
