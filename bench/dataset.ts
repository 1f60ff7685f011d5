/**
 * The benchmark's fixed data set: N JSON events of about 300 bytes, 12 fields of mixed types, in a
 * 6-partition topic named after N. Produced once; a later run reuses the topic when its end offsets
 * already add up to N (each partition is written from offset 0 and never compacted).
 *
 *   node --import tsx bench/dataset.ts [--size 1000000]
 *
 * The events are generated from a seeded PRNG, so every run loads the same bytes. `event_time` is
 * the time the event was produced (also the Kafka message timestamp): the latency phase produces
 * live events through `makeEvent` with the current time and measures visible-time minus it.
 */
import { Kafka, logLevel, type Admin, type Producer, type Message } from 'kafkajs';
import { createTopicsReady } from '../test/support/kafka-topics';
import { prng } from '../test/support/prng';

export const PARTITIONS = 6;
export const BENCH_DB = 'bench';

/** Doris DDL for the events (DUPLICATE KEY: every load appends, like an event log). */
export function tableDdl(table: string, db = BENCH_DB): string {
	return `CREATE TABLE IF NOT EXISTS \`${db}\`.\`${table}\` (
  \`id\` BIGINT NOT NULL,
  \`user_id\` INT NOT NULL,
  \`amount\` DECIMAL(12, 2) NOT NULL,
  \`score\` DOUBLE NULL,
  \`active\` BOOLEAN NOT NULL,
  \`event_date\` DATE NOT NULL,
  \`event_time\` DATETIME(3) NOT NULL,
  \`country\` VARCHAR(64) NOT NULL,
  \`message\` STRING NOT NULL,
  \`attrs\` JSON NULL,
  \`quantity\` INT NULL,
  \`note\` VARCHAR(255) NULL
) ENGINE=OLAP
DUPLICATE KEY(\`id\`)
DISTRIBUTED BY HASH(\`id\`) BUCKETS 6
PROPERTIES ("replication_num" = "1")`;
}

export function topicFor(size: number): string {
	return `bench-events-${size}`;
}

export interface BenchEvent {
	/** Mostly a number; every 97th id is beyond 2^53 and travels as a decimal string. */
	id: number | string;
	user_id: number;
	/** Two decimals; every 5th as a string, the way payment systems often send money. */
	amount: number | string;
	score: number | null;
	active: boolean;
	event_date: string;
	event_time: string;
	country: string;
	message: string;
	attrs: { source: string; tags: string[]; geo: { lat: number; lon: number }; v: number };
	quantity: number | null;
	note: string | null;
}

const COUNTRIES = ['DE', 'FR', 'CN', 'US', 'BR', 'IN', 'JP', 'NG', 'SE', 'ZA'];
const SOURCES = ['web', 'ios', 'android', 'api', 'batch'];
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
const BIG_BASE = 2n ** 53n;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Doris DATETIME(3) text in UTC: `2024-05-17 12:34:56.789`. */
export function dorisDateTime(ms: number): string {
	const d = new Date(ms);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** Inverse of dorisDateTime (the test server returns DATETIME as this text). */
export function parseDorisDateTime(text: string): number {
	return Date.parse(`${text.replace(' ', 'T')}Z`);
}

export function makeEvent(i: number, producedAt: number): BenchEvent {
	const r = prng(i + 1);
	const words = (n: number): string => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
	const cents = Math.floor(r() * 10_000_000);
	return {
		id: i % 97 === 0 ? (BIG_BASE + BigInt(i)).toString() : i,
		user_id: Math.floor(r() * 2_000_000_000),
		amount: i % 5 === 0 ? (cents / 100).toFixed(2) : cents / 100,
		score: i % 11 === 0 ? null : Math.round(r() * 1e8) / 1e5,
		active: r() < 0.5,
		event_date: `2024-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
		event_time: dorisDateTime(producedAt),
		country: COUNTRIES[i % COUNTRIES.length],
		message: words(3 + Math.floor(r() * 6)),
		attrs: {
			source: SOURCES[i % SOURCES.length],
			tags: [words(1), words(1)],
			geo: { lat: Math.round(r() * 18000 - 9000) / 100, lon: Math.round(r() * 36000 - 18000) / 100 },
			v: 1 + (i % 3),
		},
		quantity: i % 10 === 0 ? null : Math.floor(r() * 1000),
		note: i % 3 === 0 ? null : words(1 + Math.floor(r() * 3)),
	};
}

export function kafkaClient(clientId: string): Kafka {
	const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
	return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** Sum of end minus start offsets over the topic's partitions; -1 when the topic does not exist. */
export async function topicCount(admin: Admin, topic: string): Promise<number> {
	const topics = await admin.listTopics();
	if (!topics.includes(topic)) return -1;
	const offsets = await admin.fetchTopicOffsets(topic);
	return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
}

/**
 * Sends events [from, from+count) round-robin over the partitions, `chunk` per request and
 * `inFlight` requests at a time: the broker is local, so the producer's own per-request cost is
 * the limit and large batches amortise it. acks=1 (one broker); no compression (kafkajs has no LZ4,
 * and the consumers should pay no decompression cost in the benchmark).
 */
export async function produceEvents(
	producer: Producer,
	topic: string,
	from: number,
	count: number,
	opts: { chunk?: number; inFlight?: number; producedAt?: () => number } = {},
): Promise<void> {
	const chunk = opts.chunk ?? 6000;
	const inFlight = opts.inFlight ?? 4;
	const now = opts.producedAt ?? Date.now;
	let next = from;
	const end = from + count;
	const worker = async (): Promise<void> => {
		while (next < end) {
			const start = next;
			const stop = Math.min(end, start + chunk);
			next = stop;
			const at = now();
			const messages: Message[] = [];
			for (let i = start; i < stop; i++) {
				messages.push({ partition: i % PARTITIONS, value: JSON.stringify(makeEvent(i, at)), timestamp: String(at) });
			}
			await producer.send({ topic, messages, acks: 1 });
		}
	};
	await Promise.all(Array.from({ length: inFlight }, worker));
}

/** Makes sure `bench-events-<size>` holds exactly `size` events; returns the topic name and its bytes. */
export async function ensureDataset(size: number, log: (msg: string) => void = console.error): Promise<{ topic: string; bytes: number }> {
	const topic = topicFor(size);
	const kafka = kafkaClient('doris-sinker-bench-dataset');
	const admin = kafka.admin();
	await admin.connect();
	try {
		const have = await topicCount(admin, topic);
		if (have !== size) {
			if (have >= 0) {
				log(`[dataset] ${topic} holds ${have} events, not ${size}: recreating it`);
				await admin.deleteTopics({ topics: [topic] });
				await waitUntil(async () => !(await admin.listTopics()).includes(topic));
			}
			await createTopicsReady(admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
			const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 8 });
			await producer.connect();
			const started = Date.now();
			try {
				await produceEvents(producer, topic, 0, size);
			} finally {
				await producer.disconnect();
			}
			const secs = (Date.now() - started) / 1000;
			log(`[dataset] produced ${size} events into ${topic} in ${secs.toFixed(1)} s (${Math.round(size / secs)} events/s)`);
		} else {
			log(`[dataset] reusing ${topic} (${size} events)`);
		}
	} finally {
		await admin.disconnect();
	}
	return { topic, bytes: datasetBytes(size) };
}

/** Total value bytes of the data set (computed, not read back: the events are deterministic). */
export function datasetBytes(size: number): number {
	const at = Date.UTC(2024, 0, 1);
	let bytes = 0;
	for (let i = 0; i < size; i++) bytes += Buffer.byteLength(JSON.stringify(makeEvent(i, at)));
	return bytes;
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 100): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

if (require.main === module) {
	const flag = process.argv.indexOf('--size');
	const size = flag >= 0 ? Number(process.argv[flag + 1]) : Number(process.env.BENCH_SIZE ?? 1_000_000);
	ensureDataset(size).then(
		({ topic, bytes }) => console.log(JSON.stringify({ topic, size, bytes, avgBytes: Math.round(bytes / size) })),
		(err: unknown) => {
			console.error(err);
			process.exit(1);
		},
	);
}
