// Compressed topics as Kafka's own Java client writes them (kafka-clients 4.1, compiled at test time):
// every compression.type the producer can choose, and a topic-level compression.type that makes the
// broker recompress, consumed by the sinker consumer from the real broker and compared value by value.
// The stored batches are read back from the broker's log to prove each one really is compressed so.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { CompressionTypes } from 'kafkajs';

import { KAFKA_METADATA_FIELD } from '../../src/common/item-contract';
import { registerCompressionCodecs } from '../../src/kafka/compression';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { kafkaBrokers, kafkaCacheDir } from '../ground/kafka/env';
import { javaRecordSets, produceManyWithJavaClient } from '../ground/kafka/java-client';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

// kafkajs' own decoder for the records a fetch returns (the path every consumed batch takes).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs does not export its protocol decoders
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages') as (
	decoder: unknown,
) => Promise<Array<{ key: Buffer | null; value: Buffer | null }>>;

const broker = useKafkaAdmin();

const CODEC_IDS: Record<string, number> = { none: 0, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };

/** Values of varied length and content: together several 64 KB LZ4 blocks and 32 KB snappy blocks. */
function values(count: number, tag: string): string[] {
	return Array.from({ length: count }, (_, i) =>
		JSON.stringify({ id: i, codec: tag, big: '9007199254740993', name: `ünïcödé ✓ ${i}`, pad: 'x'.repeat((i * 37) % 400) }),
	);
}

/** The codec of every record batch in partition 0's log on the test broker (attributes & 7). */
function storedCodecs(topic: string): number[] {
	const log = join(kafkaCacheDir, 'data', `${topic}-0`, '00000000000000000000.log');
	if (!existsSync(log)) return [];
	const bytes = readFileSync(log);
	const codecs: number[] = [];
	// Record batch: baseOffset int64, batchLength int32, leaderEpoch int32, magic int8, crc int32, attributes int16.
	for (let at = 0; at + 23 <= bytes.length; at += 12 + bytes.readInt32BE(at + 8)) codecs.push(bytes.readInt16BE(at + 21) & 7);
	return codecs;
}

async function consumeAll(topic: string, expected: string[]): Promise<void> {
	const group = uniqueName('compressed');
	const n8n = new FakeN8n();
	const consumer = await SinkerConsumer.start(
		testOptions(topic, group, { parser: { format: 'text', includeMetadata: true, tombstones: 'skip' } }),
		n8n.run,
	);
	try {
		await waitFor(
			`${expected.length} messages committed`,
			async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(expected.length),
		);
		const items = n8n.executions.flatMap((e) => e.items.map((i) => i.json));
		assert.equal(items.length, expected.length);
		items.forEach((item, i) => {
			const kafka = item[KAFKA_METADATA_FIELD] as { offset: string; key: string };
			assert.equal(kafka.offset, String(i));
			assert.equal(kafka.key, String(i));
			assert.equal(item.value, expected[i], `value at offset ${i}`);
		});
		assert.equal(consumer.stats.parseErrors, 0);
	} finally {
		await consumer.close();
	}
}

/** One case of the first suite: the topic's own compression.type (none: the producer's stays), the producer's. */
interface TopicCase {
	name: string;
	topicCodec: string | undefined;
	producerCodec: string;
	count: number;
}

const TOPIC_CASES: TopicCase[] = [
	...['gzip', 'snappy', 'lz4', 'zstd'].map((codec) => ({
		name: `producer compression.type=${codec}: every value arrives intact`,
		topicCodec: undefined,
		producerCodec: codec,
		count: 3000,
	})),
	...[
		['lz4', 'none'],
		['zstd', 'snappy'],
		['snappy', 'gzip'],
	].map(([topicCodec, producerCodec]) => ({
		name: `topic compression.type=${topicCodec}, producer ${producerCodec}: the broker recompresses, every value arrives intact`,
		topicCodec,
		producerCodec,
		count: 2000,
	})),
];

// Every topic is written by one JVM before the cases (a JVM start per case was most of this file's time),
// and the cases, each with its own topic and group, consume side by side.
describe("compressed topics written by Kafka's Java client", { concurrency: true }, () => {
	const written = new Map<TopicCase, { topic: string; sent: string[] }>();

	before(async () => {
		for (const c of TOPIC_CASES) {
			const topic = await broker.topic(1, c.topicCodec === undefined ? undefined : { 'compression.type': c.topicCodec });
			const tag = c.topicCodec === undefined ? c.producerCodec : `${c.topicCodec}-${c.producerCodec}`;
			written.set(c, { topic, sent: values(c.count, tag) });
		}
		await produceManyWithJavaClient(
			kafkaBrokers,
			TOPIC_CASES.map((c) => ({ topic: written.get(c)!.topic, compression: c.producerCodec, values: written.get(c)!.sent })),
		);
	});

	for (const c of TOPIC_CASES) {
		it(c.name, async () => {
			const { topic, sent } = written.get(c)!;
			const expectedCodec = c.topicCodec ?? c.producerCodec;
			const stored = storedCodecs(topic);
			assert.ok(stored.length > 0 && stored.every((codec) => codec === CODEC_IDS[expectedCodec]), `stored batches are ${expectedCodec}: ${stored.join(',')}`);
			await consumeAll(topic, sent);
		});
	}
});

describe("older message formats as Kafka's Java client stores them, through kafkajs' fetch decoder", () => {
	const cases: Array<{ magic: 0 | 1 | 2; compression: string; values: string[] }> = (
		[
			[0, 'gzip'],
			[0, 'snappy'],
			// Message format v0 wrote LZ4 frames with a header checksum over the magic number too.
			[0, 'lz4'],
			[1, 'snappy'],
			[1, 'lz4'],
			[2, 'lz4'],
			[2, 'zstd'],
		] as const
	).map(([magic, compression]) => ({ magic, compression, values: values(500, `v${magic}-${compression}`) }));
	// All record sets from one JVM, before the cases.
	let recordSets: Buffer[] = [];
	before(async () => {
		recordSets = await javaRecordSets(cases);
	});

	cases.forEach(({ magic, compression: codec, values: sent }, index) => {
		it(`message format v${magic}, ${codec}`, async () => {
			registerCompressionCodecs();
			const records = recordSets[index];
			const sized = Buffer.alloc(4 + records.length);
			sized.writeInt32BE(records.length);
			records.copy(sized, 4);
			const messages = await decodeMessages(new Decoder(sized));
			assert.deepEqual(
				messages.map((m) => m.value?.toString('utf8')),
				sent,
			);
			assert.deepEqual(
				messages.map((m) => m.key?.toString('utf8')),
				sent.map((_, i) => String(i)),
			);
		});
	});
});
