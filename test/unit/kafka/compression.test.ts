import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

import { lz4Codec, registerCompressionCodecs, snappyCodec, withStandardHeaderChecksum, xxh32, zstdCodec } from '../../../src/kafka/compression';

const text = Buffer.from(Array.from({ length: 3000 }, (_, i) => `{"id":${i},"name":"row ${i} ünïcode"}`).join('\n'));

/** A frame's header checksum rewritten the way Kafka wrote it for message format v0: over magic number and descriptor. */
function withKafkaV0HeaderChecksum(frame: Buffer): Buffer {
	const broken = Buffer.from(frame);
	broken[6] = (xxh32(frame.subarray(0, 6)) >>> 8) & 0xff;
	return broken;
}

/** snappy-java's xerial framing (SnappyOutputStream) of `blocks`, each compressed on its own. */
async function xerialFramed(blocks: Buffer[]): Promise<Buffer> {
	const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
	const parts: Buffer[] = [header];
	for (const block of blocks) {
		const compressed = await snappyCodec.compress({ buffer: block });
		const length = Buffer.alloc(4);
		length.writeUInt32BE(compressed.length);
		parts.push(length, compressed);
	}
	return Buffer.concat(parts);
}

describe('compression codecs', () => {
	it('xxh32 matches the reference vectors (short and striped inputs)', () => {
		assert.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05);
		assert.equal(xxh32(Buffer.from('a')), 0x550d7456);
		assert.equal(xxh32(Buffer.from('abc')), 0x32d153ff);
		assert.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
	});

	it('snappy: xerial-framed blocks (Java producers) and raw snappy (librdkafka) both decode', async () => {
		const framed = await xerialFramed([text.subarray(0, 32768), text.subarray(32768)]);
		assert.deepEqual(await snappyCodec.decompress(framed), text);
		assert.deepEqual(await snappyCodec.decompress(await snappyCodec.compress({ buffer: text })), text);
	});

	it('snappy: a truncated xerial block is an error naming the byte, not a short value', async () => {
		const framed = await xerialFramed([text]);
		await assert.rejects(snappyCodec.decompress(framed.subarray(0, framed.length - 10)), /runs past the end/);
		await assert.rejects(snappyCodec.decompress(Buffer.concat([framed, Buffer.from([0, 0])])), /block header truncated/);
	});

	it("lz4: a standard frame decodes; Kafka's message-format-v0 header checksum is corrected, any other mismatch is refused", async () => {
		const frame = await lz4Codec.compress({ buffer: text });
		assert.deepEqual(await lz4Codec.decompress(frame), text);
		const v0 = withKafkaV0HeaderChecksum(frame);
		assert.notEqual(v0[6], frame[6], 'the two checksums differ for this descriptor');
		assert.deepEqual(withStandardHeaderChecksum(v0), frame);
		assert.deepEqual(await lz4Codec.decompress(v0), text);
		const corrupt = Buffer.from(frame);
		corrupt[6] = (corrupt[6] + 1) & 0xff;
		if (corrupt[6] === v0[6]) corrupt[6] = (corrupt[6] + 1) & 0xff;
		await assert.rejects(lz4Codec.decompress(corrupt), /HeaderChecksum/);
	});

	it('zstd: Node zlib round trip', async () => {
		assert.deepEqual(await zstdCodec.decompress(await zstdCodec.compress({ buffer: text })), text);
	});

	it('registering puts the three codecs into kafkajs (gzip is its own)', () => {
		registerCompressionCodecs();
		registerCompressionCodecs();
		assert.equal(CompressionCodecs[CompressionTypes.Snappy](), snappyCodec);
		assert.equal(CompressionCodecs[CompressionTypes.LZ4](), lz4Codec);
		assert.equal(CompressionCodecs[CompressionTypes.ZSTD](), zstdCodec);
	});
});
