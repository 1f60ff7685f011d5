/**
 * Codecs for compressed topics. kafkajs decodes only gzip by itself and throws "not implemented" for
 * every fetch of a snappy, lz4 or zstd batch, so a topic written with one of those (common producer
 * and Debezium settings) would stop the trigger. Registered once per process by client.ts.
 *
 * Framing as Kafka's Java client writes it (kafka-clients 4.1, org.apache.kafka.common.compress):
 * - snappy: snappy-java's SnappyOutputStream, the "xerial" framing: an 8-byte magic, two int32
 *   versions, then blocks of [int32 big-endian length][raw snappy]. librdkafka and kafkajs-snappy
 *   write raw snappy without the framing; Java's SnappyInputStream reads both, and so does this.
 * - lz4: the LZ4 frame format (Lz4BlockOutputStream: independent blocks, no content size or checksum,
 *   optional block checksums). For message format v0 Kafka wrote the header checksum over the magic
 *   number as well (KAFKA-3160; Java reads v0 with ignoreFlagDescriptorChecksum); lz4_flex rejects
 *   that header, so it is corrected here before decoding, and only that variant: any other checksum
 *   mismatch stays an error.
 * - zstd: a plain zstd frame (zstd-jni), decoded by Node's own zlib (Node ≥ 24, as the package needs).
 *
 * Decoding runs off n8n's main thread: zlib and both napi-rs libraries decode on the libuv pool. The
 * native libraries are loaded on first use, so a platform without their prebuilt binary still runs
 * every uncompressed, gzip and zstd topic, and a snappy or lz4 one fails with the reason.
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

/** The shape kafkajs expects of a codec (its own gzip codec has the same two methods). */
export interface KafkaCodec {
	compress(encoder: { buffer: Buffer }): Promise<Buffer>;
	decompress(buffer: Buffer): Promise<Buffer>;
}

const zstdCompressAsync = promisify(zstdCompress);
const zstdDecompressAsync = promisify(zstdDecompress);

/** What this module uses of the `snappy` package (napi-rs bindings of Google's snappy). */
interface SnappyLibrary {
	compress(input: Buffer): Promise<Buffer>;
	uncompress(input: Uint8Array, options: { asBuffer: true }): Promise<string | Buffer>;
}

/** What this module uses of the `lz4-napi` package (napi-rs bindings of lz4_flex). */
interface Lz4Library {
	compressFrame(input: Buffer): Promise<Buffer>;
	decompressFrame(input: Uint8Array): Promise<Buffer>;
}

// Loaded on first use only (see the header); a plain require keeps a missing package a runtime error
// of the codec that needs it instead of a load failure of the whole node.
const requirePackage = createRequire(__filename);
let snappyLibrary: SnappyLibrary | undefined;
let lz4Library: Lz4Library | undefined;

function loadNative<T>(codec: string, name: string): T {
	try {
		return requirePackage(name) as T;
	} catch (error) {
		throw new Error(
			`${codec}-compressed Kafka messages need the npm package ${name} and its prebuilt binary for ${process.platform}-${process.arch}, which did not load: ${(error as Error).message}`,
			{ cause: error },
		);
	}
}

const snappy = (): SnappyLibrary => (snappyLibrary ??= loadNative<SnappyLibrary>('Snappy', 'snappy'));
const lz4 = (): Lz4Library => (lz4Library ??= loadNative<Lz4Library>('LZ4', 'lz4-napi'));

/** snappy-java's stream header: 0x82 "SNAPPY" 0x00, then version and compatible version (int32 each). */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

export const snappyCodec: KafkaCodec = {
	async compress(encoder) {
		return snappy().compress(encoder.buffer);
	},
	async decompress(buffer) {
		const library = snappy();
		if (!isXerialFramed(buffer)) return (await library.uncompress(buffer, { asBuffer: true })) as Buffer;
		const blocks: Array<Promise<string | Buffer>> = [];
		let offset = XERIAL_HEADER_BYTES;
		while (offset < buffer.length) {
			if (offset + 4 > buffer.length) throw new Error(`Snappy (xerial) block header truncated at byte ${offset} of ${buffer.length}`);
			const length = buffer.readUInt32BE(offset);
			offset += 4;
			if (offset + length > buffer.length) {
				throw new Error(`Snappy (xerial) block of ${length} bytes at byte ${offset} runs past the end (${buffer.length} bytes)`);
			}
			blocks.push(library.uncompress(buffer.subarray(offset, offset + length), { asBuffer: true }));
			offset += length;
		}
		return Buffer.concat((await Promise.all(blocks)) as Buffer[]);
	},
};

function isXerialFramed(buffer: Buffer): boolean {
	return buffer.length >= XERIAL_HEADER_BYTES && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

export const lz4Codec: KafkaCodec = {
	async compress(encoder) {
		return lz4().compressFrame(encoder.buffer);
	},
	async decompress(buffer) {
		return lz4().decompressFrame(withStandardHeaderChecksum(buffer));
	},
};

export const zstdCodec: KafkaCodec = {
	compress: (encoder) => zstdCompressAsync(encoder.buffer),
	decompress: (buffer) => zstdDecompressAsync(buffer),
};

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_FLAG_CONTENT_SIZE = 0x08;
const LZ4_FLAG_DICTIONARY_ID = 0x01;

/**
 * The frame with its header checksum as the LZ4 frame format defines it (xxh32 of the descriptor,
 * second byte). A frame whose checksum matches Kafka's message-format-v0 variant (xxh32 of magic
 * number and descriptor) gets the standard one; any other frame is returned as it is.
 */
export function withStandardHeaderChecksum(frame: Buffer): Buffer {
	if (frame.length < 7 || frame.readUInt32LE(0) !== LZ4_FRAME_MAGIC) return frame;
	const flags = frame[4];
	const descriptorEnd = 6 + (flags & LZ4_FLAG_CONTENT_SIZE ? 8 : 0) + (flags & LZ4_FLAG_DICTIONARY_ID ? 4 : 0);
	if (frame.length <= descriptorEnd) return frame;
	const written = frame[descriptorEnd];
	const standard = (xxh32(frame.subarray(4, descriptorEnd)) >>> 8) & 0xff;
	if (written === standard) return frame;
	const kafkaV0 = (xxh32(frame.subarray(0, descriptorEnd)) >>> 8) & 0xff;
	if (written !== kafkaV0) return frame;
	const fixed = Buffer.from(frame);
	fixed[descriptorEnd] = standard;
	return fixed;
}

const PRIME32_1 = 0x9e3779b1;
const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const round = (acc: number, lane: number) => Math.imul(rotl((acc + Math.imul(lane, PRIME32_2)) >>> 0, 13), PRIME32_1) >>> 0;

/** xxHash32 with seed 0 (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md), for the few bytes of an LZ4 frame header. */
export function xxh32(input: Uint8Array): number {
	const view = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
	const length = view.length;
	let offset = 0;
	let hash: number;
	if (length >= 16) {
		let v1 = (PRIME32_1 + PRIME32_2) >>> 0;
		let v2 = PRIME32_2;
		let v3 = 0;
		let v4 = (0 - PRIME32_1) >>> 0;
		for (; offset + 16 <= length; offset += 16) {
			v1 = round(v1, view.readUInt32LE(offset));
			v2 = round(v2, view.readUInt32LE(offset + 4));
			v3 = round(v3, view.readUInt32LE(offset + 8));
			v4 = round(v4, view.readUInt32LE(offset + 12));
		}
		hash = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
	} else {
		hash = PRIME32_5;
	}
	hash = (hash + length) >>> 0;
	for (; offset + 4 <= length; offset += 4) {
		hash = Math.imul(rotl((hash + Math.imul(view.readUInt32LE(offset), PRIME32_3)) >>> 0, 17), PRIME32_4) >>> 0;
	}
	for (; offset < length; offset++) {
		hash = Math.imul(rotl((hash + Math.imul(view[offset], PRIME32_5)) >>> 0, 11), PRIME32_1) >>> 0;
	}
	hash = Math.imul(hash ^ (hash >>> 15), PRIME32_2) >>> 0;
	hash = Math.imul(hash ^ (hash >>> 13), PRIME32_3) >>> 0;
	return (hash ^ (hash >>> 16)) >>> 0;
}

let registered = false;

/** Makes kafkajs decode snappy, lz4 and zstd batches (gzip it has); idempotent, once per process is enough. */
export function registerCompressionCodecs(): void {
	if (registered) return;
	CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;
	CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
	CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec;
	registered = true;
}
