// kafkajs' record decoder replaced by one without BigInt arithmetic (src/kafka/record-decoder.ts): for
// records kafkajs' own encoder wrote, over every range of offsets, timestamps and deltas, with keys,
// values and headers of every shape, it returns what kafkajs' own decoder returns, field for field, and
// stops at the same byte; a record cut short fails or decodes the same way in both. createKafka puts it
// in place before kafkajs' record batch decoder reads it.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { createKafka } from '../../../src/kafka/client';
import { decodeKafkajsRecordsWithNumbers, decodeRecord, type KafkajsDecoder, type RecordBatchContext } from '../../../src/kafka/record-decoder';

const kafkajs = createRequire(require.resolve('kafkajs'));
const RECORD_DECODER = './src/protocol/recordBatch/record/v0/decoder.js';
const BATCH_DECODER = './src/protocol/recordBatch/v0/decoder.js';
// kafkajs' own record decoder, loaded before createKafka below replaces it in the module cache.
const kafkajsDecodeRecord = kafkajs(RECORD_DECODER) as typeof decodeRecord;
const Decoder = kafkajs('./src/protocol/decoder.js') as new (buffer: Buffer) => KafkajsDecoder;
const Record = kafkajs('./src/protocol/recordBatch/record/v0/index.js') as (options: object) => { buffer: Buffer };
const { RecordBatch } = kafkajs('./src/protocol/recordBatch/v0/index.js') as { RecordBatch: (options: object) => Promise<{ buffer: Buffer }> };
const Long = kafkajs('./src/utils/long.js') as { fromValue(value: string | number): unknown };
const { Types: Compression } = kafkajs('./src/protocol/message/compression/index.js') as { Types: { None: number; GZIP: number } };

const cacheEntry = (path: string) => kafkajs.cache[kafkajs.resolve(path)];
assert.equal(cacheEntry(BATCH_DECODER), undefined, 'kafkajs record batch decoder not loaded before createKafka');
createKafka({ brokers: ['127.0.0.1:1'], clientId: 'record-decoder-test' });

/** A small deterministic random source, so a failure names a case that can be run again. */
function randomSource(seed: number) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const pick = <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)];
	const bytes = (max: number) => Buffer.from(Array.from({ length: Math.floor(next() * max) }, () => Math.floor(next() * 256)));
	return { next, pick, bytes };
}

const FIRST_OFFSETS = ['0', '5', '123456789', '9007199254740000', '9007199254740991', '9007199254740992', '9223372036854775000', '-1'];
const FIRST_TIMESTAMPS = ['-1', '0', '1700000000000', '9007199254740900', '9007199254740991', '9223372036854775807'];
const TIMESTAMP_DELTAS = ['0', '1', '-1', '63', '-64', '64', '1000', '-70000', '281474976710655', '-281474976710656', '562949953421312', '-562949953421313', '1152921504606846976', '-4611686018427387904'];
const OFFSET_DELTAS = [0, 1, 63, 64, 2047, 100000, 2147483647, -1, -2147483648];

function randomCase(seed: number) {
	const random = randomSource(seed);
	const headers: Record<string, Buffer | Buffer[] | string> = {};
	for (let n = Math.floor(random.next() * 4); n > 0; n--) {
		const name = random.pick(['trace', 'source', 'a', '', 'élan', '__proto__', 'constructor']);
		const value = random.bytes(12);
		if (random.next() < 0.3) headers[name] = [value, random.bytes(4)];
		else Object.defineProperty(headers, name, { value, enumerable: true, configurable: true, writable: true });
	}
	const record = Record({
		offsetDelta: random.pick(OFFSET_DELTAS),
		timestampDelta: Long.fromValue(random.pick(TIMESTAMP_DELTAS)),
		key: random.pick([null, Buffer.alloc(0), random.bytes(40)]),
		value: random.pick([null, Buffer.alloc(0), random.bytes(400)]),
		headers,
	}).buffer;
	const context: RecordBatchContext = {
		firstOffset: random.pick(FIRST_OFFSETS),
		firstTimestamp: random.pick(FIRST_TIMESTAMPS),
		magicByte: 2,
		isControlBatch: random.next() < 0.2,
		timestampType: random.pick([0, 1]),
		maxTimestamp: random.pick(['1700000000999', '-1', '9223372036854775807']),
	};
	return { record, context: random.next() < 0.05 ? {} : context };
}

/** What a decoder makes of one record's bytes (the record's own, after its length), or the error it throws. */
function outcome(decode: typeof decodeRecord, bytes: Buffer, context: RecordBatchContext) {
	const decoder = new Decoder(bytes);
	try {
		return { record: decode(decoder, context), end: decoder.offset };
	} catch (error) {
		return { error: `${(error as Error).name}: ${(error as Error).message}` };
	}
}

const recordBytes = (encoded: Buffer) => new Decoder(encoded).readVarIntBytes() as Buffer;

describe('record decoder without BigInts', () => {
	it('createKafka installed it before kafkajs loaded its record batch decoder, which therefore holds it', () => {
		assert.equal(cacheEntry(RECORD_DECODER)?.exports, decodeRecord);
		assert.notEqual(cacheEntry(BATCH_DECODER), undefined, 'the CRC check loaded the batch decoder after it');
		assert.equal(decodeKafkajsRecordsWithNumbers(), true);
	});

	it('returns what kafkajs returns, field for field, and ends at the same byte, for 3,000 random records', () => {
		for (let seed = 1; seed <= 3000; seed++) {
			const { record, context } = randomCase(seed);
			const bytes = recordBytes(record);
			assert.deepStrictEqual(outcome(decodeRecord, bytes, context), outcome(kafkajsDecodeRecord, bytes, context), `seed ${seed}`);
		}
	});

	it('a record cut short at any byte decodes or fails as in kafkajs', () => {
		for (let seed = 1; seed <= 60; seed++) {
			const { record, context } = randomCase(seed);
			const bytes = recordBytes(record);
			for (let cut = 0; cut < bytes.length; cut++) {
				const piece = bytes.subarray(0, cut);
				assert.deepStrictEqual(outcome(decodeRecord, piece, context), outcome(kafkajsDecodeRecord, piece, context), `seed ${seed}, cut at ${cut}`);
			}
		}
	});

	it("a timestamp delta of more than ten bytes fails with kafkajs' own error", () => {
		const bytes = Buffer.from([0, ...Array<number>(10).fill(0xff), 0x01, 0, 0, 0, 0]);
		const context = { firstOffset: '0', firstTimestamp: '0', timestampType: 0 };
		const ours = outcome(decodeRecord, bytes, context);
		assert.match(String(ours.error), /Invalid Long, must contain 9 bytes or less/);
		assert.deepStrictEqual(ours, outcome(kafkajsDecodeRecord, bytes, context));
	});

	for (const [name, compression] of [
		['uncompressed', Compression.None],
		['gzip', Compression.GZIP],
	] as const) {
		it(`kafkajs' record batch decoder gives the offsets, timestamps and values written (${name})`, async () => {
			const decodeBatch = kafkajs(BATCH_DECODER) as (decoder: KafkajsDecoder) => Promise<{ records: Array<{ offset: string; timestamp: string; value: Buffer }> }>;
			const values = Array.from({ length: 50 }, (_, i) => `{"n":${i}}`);
			const records = values.map((value, i) => Record({ offsetDelta: i, timestampDelta: Long.fromValue(i * 7), key: null, value: Buffer.from(value) }));
			const encoded = await RecordBatch({
				firstOffset: Long.fromValue('9007199254740970'),
				firstTimestamp: 1_700_000_000_000,
				maxTimestamp: 1_700_000_000_343,
				lastOffsetDelta: values.length - 1,
				records,
				compression,
			});
			const decoded = await decodeBatch(new Decoder(encoded.buffer));
			assert.deepEqual(
				decoded.records.map((r) => [r.offset, r.timestamp, r.value.toString()]),
				values.map((value, i) => [String(9007199254740970n + BigInt(i)), String(1_700_000_000_000 + i * 7), value]),
				'offsets past 2^53 - 1 (from the 22nd record on) take the Long path and stay exact',
			);
		});
	}
});
