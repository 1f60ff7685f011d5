// Record batches CRC-checked before kafkajs decodes them (src/kafka/corrupt-batch-watch.ts,
// record-set-check.ts, crc32c.ts): Fetch responses built from batches kafkajs' own encoder made, decoded
// by kafkajs' own (patched) response decoders, one byte of a value flipped.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { checkKafkajsBatchCrcs, corruptionOf, KafkaCorruptBatchError, tellCorruptBatches, type CorruptBatchReport, type FetchedBatch } from '../../../src/kafka/corrupt-batch-watch';
import { crc32c } from '../../../src/kafka/crc32c';
import { firstCorruptEntry } from '../../../src/kafka/record-set-check';

const kafkajs = createRequire(require.resolve('kafkajs'));
type Encoded = { buffer: Buffer };
const { RecordBatch } = kafkajs('./src/protocol/recordBatch/v0/index.js') as { RecordBatch: (options: object) => Promise<Encoded> };
const Record = kafkajs('./src/protocol/recordBatch/record/v0/index.js') as (options: object) => unknown;
const Long = kafkajs('./src/utils/long.js') as { fromInt(n: number): unknown };
const MessageProtocol = kafkajs('./src/protocol/message/index.js') as (options: { version: number }) => (entry: object) => Encoded & { size(): number };
const { Types: Compression } = kafkajs('./src/protocol/message/compression/index.js') as { Types: { None: number; GZIP: number } };
const Batch = kafkajs('./src/consumer/batch.js') as new (topic: string, fetchedOffset: string, partitionData: object) => FetchedBatch;
const kafkajsCrc32C = kafkajs('./src/protocol/recordBatch/crc32C/crc32C.js') as (bytes: Buffer) => number;

interface Message {
	offset: string;
	value: Buffer | null;
}
interface DecodedFetch {
	responses: Array<{ topicName: string; partitions: Array<{ partition: number; messages: Message[] }> }>;
}
const decoderOf = (version: number) => kafkajs(`./src/protocol/requests/fetch/v${version}/response.js`) as { decode(raw: Buffer): Promise<DecodedFetch> };

assert.equal(checkKafkajsBatchCrcs(), true, 'the patches are in place (kafkajs 2.2.4)');

/** A record batch of `values` at offsets from `firstOffset`, as kafkajs' producer encodes it. */
async function batch(firstOffset: number, values: string[], compression = Compression.None): Promise<Buffer> {
	const records = values.map((value, i) => Record({ offsetDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(value) }));
	return (await RecordBatch({ firstOffset: Long.fromInt(firstOffset), lastOffsetDelta: values.length - 1, records, compression })).buffer;
}

/** Legacy (magic 1) messages at offsets from `firstOffset`, each its own message set entry. */
function legacyMessages(firstOffset: number, values: string[]): Buffer {
	const Message = MessageProtocol({ version: 1 });
	return Buffer.concat(
		values.map((value, i) => {
			const message = Message({ key: Buffer.from(`k${i}`), value: Buffer.from(value), timestamp: 1_700_000_000_000 });
			const head = Buffer.alloc(12);
			head.writeBigInt64BE(BigInt(firstOffset + i));
			head.writeInt32BE(message.size(), 8);
			return Buffer.concat([head, message.buffer]);
		}),
	);
}

const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
	const b = Buffer.alloc(4);
	b.writeInt32BE(n);
	return b;
};
const int64 = (n: number) => {
	const b = Buffer.alloc(8);
	b.writeBigInt64BE(BigInt(n));
	return b;
};

/** A Fetch v11 response (as the broker sends it, after the correlation id): one topic, these partitions' record sets. */
function fetchV11(topic: string, sets: Buffer[]): Buffer {
	const partitions = sets.map((set, partition) =>
		Buffer.concat([int32(partition), int16(0), int64(100), int64(100), int64(0), int32(-1), int32(-1), int32(set.length), set]),
	);
	return Buffer.concat([int32(0), int16(0), int32(0), int32(1), int16(topic.length), Buffer.from(topic), int32(sets.length), ...partitions]);
}

/** A Fetch v4 response: the first version with record batches, without log start offset and preferred replica. */
function fetchV4(topic: string, set: Buffer): Buffer {
	return Buffer.concat([int32(0), int32(1), int16(topic.length), Buffer.from(topic), int32(1), int32(0), int16(0), int64(100), int64(100), int32(0), int32(set.length), set]);
}

/** `bytes` with the first byte of the first occurrence of `text` changed (a bit flipped, as a bad disk does). */
function flipIn(bytes: Buffer, text: string): Buffer {
	const at = bytes.indexOf(Buffer.from(text));
	assert.ok(at >= 0, `${text} is in the bytes`);
	const copy = Buffer.from(bytes);
	copy[at] ^= 0x01;
	return copy;
}

const values = (messages: Message[]) => messages.map((m) => `${m.offset}:${m.value?.toString()}`);

describe('record batches CRC-checked before kafkajs decodes them', () => {
	it('an intact fetch decodes every record; a byte flipped in a value of the second batch stops the partition before that batch', async () => {
		const set = Buffer.concat([await batch(0, ['alpha-0', 'alpha-1']), await batch(2, ['bravo-2', 'bravo-3'])]);
		const intact = await decoderOf(11).decode(fetchV11('t', [set]));
		const messages = intact.responses[0].partitions[0].messages;
		assert.deepEqual(values(messages), ['0:alpha-0', '1:alpha-1', '2:bravo-2', '3:bravo-3']);
		assert.equal(corruptionOf(messages), undefined);

		const corrupt = await decoderOf(11).decode(fetchV11('t', [flipIn(set, 'bravo-3')]));
		const kept = corrupt.responses[0].partitions[0].messages;
		// Before the patch kafkajs handed out '3:cravo-3' (the flipped value) as a valid record.
		assert.deepEqual(values(kept), ['0:alpha-0', '1:alpha-1']);
		const found = corruptionOf(kept);
		assert.ok(found, 'the partition is marked corrupt');
		assert.equal(found.baseOffset, '2');
		assert.equal(found.magic, 2);
		assert.notEqual(found.storedCrc, found.computedCrc);
		assert.match(found.reason, /^stored CRC-32C 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$/);
	});

	it('a corrupt first batch leaves the partition nothing; the next partition of the response decodes whole', async () => {
		const first = Buffer.concat([await batch(0, ['alpha-0']), await batch(1, ['alpha-1'])]);
		const second = await batch(0, ['charlie-0', 'charlie-1']);
		const decoded = await decoderOf(11).decode(fetchV11('t', [flipIn(first, 'alpha-0'), second]));
		const [p0, p1] = decoded.responses[0].partitions;
		assert.deepEqual(values(p0.messages), []);
		assert.equal(corruptionOf(p0.messages)?.baseOffset, '0');
		assert.equal(p1.partition, 1);
		assert.deepEqual(values(p1.messages), ['0:charlie-0', '1:charlie-1']);
		assert.equal(corruptionOf(p1.messages), undefined);
	});

	it('a corrupt gzip batch is refused before kafkajs decompresses it (which would fail the whole fetch)', async () => {
		const compressed = await batch(0, ['delta-0'.repeat(20), 'delta-1'.repeat(20)], Compression.GZIP);
		const flipped = Buffer.from(compressed);
		flipped[flipped.length - 5] ^= 0x10; // inside the gzip trailer / deflate stream
		const decoded = await decoderOf(11).decode(fetchV11('t', [flipped]));
		assert.deepEqual(values(decoded.responses[0].partitions[0].messages), []);
		assert.equal(corruptionOf(decoded.responses[0].partitions[0].messages)?.baseOffset, '0');
	});

	it('a version that re-exports another\'s decode is checked once, by that version\'s layout (the same)', () => {
		assert.equal(decoderOf(2).decode, decoderOf(1).decode);
		assert.equal(decoderOf(6).decode, decoderOf(5).decode);
		assert.equal(decoderOf(10).decode, decoderOf(8).decode);
		assert.notEqual(decoderOf(11).decode, decoderOf(8).decode);
	});

	it('older Fetch versions are walked by their own layout (v4)', async () => {
		const set = Buffer.concat([await batch(0, ['echo-0']), await batch(1, ['echo-1'])]);
		assert.deepEqual(values((await decoderOf(4).decode(fetchV4('t', set))).responses[0].partitions[0].messages), ['0:echo-0', '1:echo-1']);
		const cut = (await decoderOf(4).decode(fetchV4('t', flipIn(set, 'echo-1')))).responses[0].partitions[0].messages;
		assert.deepEqual(values(cut), ['0:echo-0']);
		assert.equal(corruptionOf(cut)?.baseOffset, '1');
	});

	it('legacy messages (magic 1) are checked by their CRC-32', async () => {
		const set = legacyMessages(0, ['fox-0', 'fox-1', 'fox-2']);
		assert.deepEqual(values((await decoderOf(4).decode(fetchV4('t', set))).responses[0].partitions[0].messages), ['0:fox-0', '1:fox-1', '2:fox-2']);
		const cut = (await decoderOf(4).decode(fetchV4('t', flipIn(set, 'fox-1')))).responses[0].partitions[0].messages;
		assert.deepEqual(values(cut), ['0:fox-0']);
		assert.equal(corruptionOf(cut)?.baseOffset, '1');
		assert.match(corruptionOf(cut)?.reason ?? '', /^stored CRC-32 /);
	});

	it('a batch cut short at the end of the bytes is the response size limit, not corruption', async () => {
		const whole = Buffer.concat([await batch(0, ['golf-0']), await batch(1, ['golf-1'])]);
		assert.equal(firstCorruptEntry(whole, 0, whole.length - 3), undefined);
		const shrunk = Buffer.from(whole);
		shrunk.writeInt32BE(10, 8); // a length smaller than any batch header
		assert.match(firstCorruptEntry(shrunk, 0, shrunk.length)?.batch.reason ?? '', /length 10 is below/);
	});
});

describe('a corrupt batch where a partition continues is told, not handed out as an empty fetch', () => {
	async function fetched(set: Buffer, fetchedOffset: string): Promise<FetchedBatch> {
		const decoded = await decoderOf(11).decode(fetchV11('orders', [set]));
		return new Batch('orders', fetchedOffset, decoded.responses[0].partitions[0]);
	}

	it('told with topic, partition, base offset and both CRCs when nothing comes before it; after the records before it otherwise', async () => {
		const set = Buffer.concat([await batch(0, ['hotel-0']), await batch(1, ['hotel-1'])]);
		const told: CorruptBatchReport[] = [];
		tellCorruptBatches([await fetched(flipIn(set, 'hotel-1'), '0')], (report) => told.push(report));
		assert.equal(told.length, 0, 'offset 0 is handed out first; the next fetch starts at the corrupt batch');
		tellCorruptBatches([await fetched(flipIn(set, 'hotel-0'), '0')], (report) => told.push(report));
		assert.equal(told.length, 1);
		assert.equal(told[0].topic, 'orders');
		assert.equal(told[0].partition, 0);
		assert.equal(told[0].baseOffset, '0');
		assert.equal(typeof told[0].storedCrc, 'number');
		assert.equal(typeof told[0].computedCrc, 'number');
		const message = new KafkaCorruptBatchError(told[0]).message;
		assert.match(message, /^Kafka record batch at offset 0 of orders\[0\] is corrupt \(magic 2, \d+ bytes\): stored CRC-32C 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}; not delivered/);
	});

	it('a consumer with no listener has its fetch failed with KafkaCorruptBatchError', async () => {
		const set = await batch(5, ['india-5']);
		const corrupt = await fetched(flipIn(set, 'india-5'), '5');
		assert.throws(() => tellCorruptBatches([corrupt], undefined), (error: Error) => error instanceof KafkaCorruptBatchError && /offset 5 of orders\[0\]/.test(error.message));
		tellCorruptBatches([await fetched(set, '5')], undefined); // an intact one passes
	});
});

describe('crc32c', () => {
	it('is CRC-32C: the check value of "123456789" and kafkajs\' own implementation on every length up to 100', () => {
		assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
		for (let length = 0; length <= 100; length++) {
			const bytes = randomBytes(length);
			assert.equal(crc32c(bytes), kafkajsCrc32C(bytes) >>> 0, `length ${length}`);
		}
		// Every alignment of the bytes in memory and of the range's start and end (the word path reads aligned words).
		const bytes = randomBytes(64);
		for (let shift = 0; shift < 8; shift++) {
			const view = Buffer.concat([Buffer.alloc(shift), bytes]).subarray(shift);
			for (const [start, end] of [[0, 64], [3, 61], [5, 50], [1, 9]]) assert.equal(crc32c(view, start, end), kafkajsCrc32C(bytes.subarray(start, end)) >>> 0, `shift ${shift}, ${start}..${end}`);
			// Ranges shorter than a word that end before an aligned address (review session 17: threw RangeError).
			for (const [start, end] of [[1, 2], [1, 3], [0, 0], [2, 2], [5, 7]]) assert.equal(crc32c(view, start, end), kafkajsCrc32C(bytes.subarray(start, end)) >>> 0, `shift ${shift}, ${start}..${end}`);
		}
	});
});
