/**
 * Checks the CRC of every record batch in a Fetch response's bytes, before kafkajs decodes them.
 *
 * kafkajs 2.2.4 reads a batch's CRC and ignores it (node_modules/kafkajs/src/protocol/recordBatch/v0/
 * decoder.js: "The library is currently not performing CRC validations"). A batch with a flipped byte
 * (a broker's bad disk or RAM, a network path without TLS) then decodes to altered keys and values, which
 * load as valid rows and get committed: a silent alteration. The broker does not check on fetch; Java's
 * consumer does (check.crcs=true by default: CorruptRecordException). This is that check:
 * - magic 2 (record batch): CRC-32C (crc32c.ts) of the bytes from `attributes` to the batch's end,
 *   stored at bytes 17..20 (kafka-clients DefaultRecordBatch.ensureValid / computeChecksum);
 * - magic 0 and 1 (legacy message, one entry of a message set): CRC-32 (IEEE, Node's zlib.crc32) of the
 *   bytes from `magic` to the message's end, stored at bytes 12..15 (LegacyRecord.ensureValid). A
 *   compressed wrapper's CRC covers its compressed inner messages.
 * An entry's magic is at byte 16 in both layouts (baseOffset 8, length 4, then partitionLeaderEpoch or
 * crc 4), which is how kafkajs tells them apart too (fetch/v4/decodeMessages.js MAGIC_OFFSET).
 *
 * A batch cut short at the end of a partition's bytes is no corruption: the broker cuts responses at
 * maxBytes, and kafkajs and Java both stop there. So a corrupted length field that points past the end
 * of the bytes is not caught (the batch looks cut; kafkajs makes no progress on it, as before).
 *
 * The response is walked by the Fetch layout of its version (node_modules/kafkajs/src/protocol/requests/
 * fetch/v0..v11/response.js); only the record sets are read, the rest is skipped over.
 */
import { crc32 } from 'node:zlib';

import { crc32c } from './crc32c';

/** A batch (or legacy message) whose bytes do not match its CRC: nothing from it on is delivered. */
export interface CorruptBatch {
	/** The batch's base offset (a legacy message's own offset; a compressed wrapper's is its last inner one). */
	baseOffset: string;
	magic: number;
	/** Its size in bytes, offset and length fields included. */
	size: number;
	/** What the batch says its CRC is, and what its bytes give; undefined when the bytes cannot be a batch at all. */
	storedCrc: number | undefined;
	computedCrc: number | undefined;
	/** Why it is refused, in words (Java: "Record batch is corrupt (stored crc = …, computed crc = …)"). */
	reason: string;
}

/** An entry's smallest size after its offset and length fields: a v2 batch header, a v0 message. */
const MIN_BATCH_LENGTH = 49; // kafka DefaultRecordBatch.RECORD_BATCH_OVERHEAD (61) - 12
const MIN_LEGACY_LENGTH = 14; // kafka LegacyRecord.RECORD_OVERHEAD_V0
const LOG_OVERHEAD = 12; // offset int64 + length int32
const MAGIC_AT = 16;

const hex = (crc: number) => `0x${crc.toString(16).padStart(8, '0')}`;

/**
 * The first corrupt entry of the record set `bytes[start, end)` and where it starts; undefined when
 * every complete entry matches its CRC. Node without zlib.crc32 (before 20.15 / 22.2) leaves legacy
 * messages unchecked.
 */
export function firstCorruptEntry(bytes: Buffer, start: number, end: number): { at: number; batch: CorruptBatch } | undefined {
	let at = start;
	while (end - at > MAGIC_AT) {
		const length = bytes.readInt32BE(at + 8);
		const magic = bytes[at + MAGIC_AT];
		const size = LOG_OVERHEAD + length;
		const baseOffset = bytes.readBigInt64BE(at).toString();
		const corrupt = (storedCrc: number | undefined, computedCrc: number | undefined, reason: string) => ({ at, batch: { baseOffset, magic, size, storedCrc, computedCrc, reason } });
		const minLength = magic === 2 ? MIN_BATCH_LENGTH : MIN_LEGACY_LENGTH;
		if (length < minLength) return corrupt(undefined, undefined, `its length ${length} is below the smallest (${minLength}) for magic ${magic}`);
		if (at + size > end) return undefined; // cut short by the response's size limit
		if (magic === 2) {
			const stored = bytes.readUInt32BE(at + 17);
			const computed = crc32c(bytes, at + 21, at + size);
			if (stored !== computed) return corrupt(stored, computed, `stored CRC-32C ${hex(stored)}, computed ${hex(computed)}`);
		} else if (magic === 0 || magic === 1) {
			if (typeof crc32 === 'function') {
				const stored = bytes.readUInt32BE(at + 12);
				const computed = crc32(bytes.subarray(at + MAGIC_AT, at + size));
				if (stored !== computed) return corrupt(stored, computed, `stored CRC-32 ${hex(stored)}, computed ${hex(computed)}`);
			}
		} else {
			return corrupt(undefined, undefined, `unknown magic ${magic}`);
		}
		at += size;
	}
	return undefined;
}

/** One partition of a Fetch response with a corrupt entry: where its record set is, where the corruption begins. */
export interface CorruptPartition {
	/** Indexes into the response's topics and that topic's partitions, as kafkajs decodes them. */
	topicIndex: number;
	partitionIndex: number;
	/** Offset in the response of the record set's int32 size field; the set's bytes follow it. */
	sizeAt: number;
	/** Offset in the response where the corrupt entry begins, and where the record set ends. */
	corruptAt: number;
	setEnd: number;
	batch: CorruptBatch;
}

/** The Fetch versions kafkajs 2.2.4 speaks, and what each adds to the response (protocol/requests/fetch/vN/response.js). */
export const FETCH_VERSIONS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;

/** Every partition of a Fetch response (its bytes after the correlation id) whose record set holds a corrupt entry. */
export function corruptPartitions(raw: Buffer, version: number): CorruptPartition[] {
	const found: CorruptPartition[] = [];
	let at = 0;
	if (version >= 1) at += 4; // throttle_time_ms
	if (version >= 7) at += 2 + 4; // error_code, session_id
	const topics = raw.readInt32BE(at);
	at += 4;
	for (let topicIndex = 0; topicIndex < topics; topicIndex++) {
		at += 2 + raw.readInt16BE(at); // topic name
		const partitions = raw.readInt32BE(at);
		at += 4;
		for (let partitionIndex = 0; partitionIndex < partitions; partitionIndex++) {
			at += 4 + 2 + 8; // partition, error_code, high_watermark
			if (version >= 4) at += 8; // last_stable_offset
			if (version >= 5) at += 8; // log_start_offset
			if (version >= 4) {
				const aborted = raw.readInt32BE(at); // -1: null
				at += 4 + Math.max(aborted, 0) * 16;
			}
			if (version >= 11) at += 4; // preferred_read_replica
			const sizeAt = at;
			const size = Math.max(raw.readInt32BE(at), 0); // -1: null records
			at += 4;
			const setEnd = Math.min(at + size, raw.length);
			const corrupt = firstCorruptEntry(raw, at, setEnd);
			if (corrupt) found.push({ topicIndex, partitionIndex, sizeAt, corruptAt: corrupt.at, setEnd, batch: corrupt.batch });
			at = setEnd;
		}
	}
	return found;
}

/**
 * The response with each corrupt partition's record set ending where its corrupt entry begins: what
 * came before it decodes and is delivered (as Java's consumer hands out the records before a corrupt
 * batch), nothing from it on. `found` in response order, as corruptPartitions gives them.
 */
export function cutAtCorruption(raw: Buffer, found: readonly CorruptPartition[]): Buffer {
	const pieces: Buffer[] = [];
	let from = 0;
	for (const cut of found) {
		pieces.push(raw.subarray(from, cut.sizeAt));
		const size = Buffer.alloc(4);
		size.writeInt32BE(cut.corruptAt - (cut.sizeAt + 4));
		pieces.push(size, raw.subarray(cut.sizeAt + 4, cut.corruptAt));
		from = cut.setEnd;
	}
	pieces.push(raw.subarray(from));
	return Buffer.concat(pieces);
}
