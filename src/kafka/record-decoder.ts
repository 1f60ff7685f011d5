/**
 * kafkajs' decoder of one record of a v2 record batch (node_modules/kafkajs/src/protocol/recordBatch/
 * record/v0/decoder.js), replaced by one that returns the same objects without BigInt arithmetic.
 *
 * Why: kafkajs 2.2.4 computes each record's offset and timestamp with its Long, a BigInt wrapper. For
 * every record it parses the batch's first offset and first timestamp again from their strings, reads the
 * timestamp delta byte by byte into BigInts, adds, and prints the sums back to strings. That is most of
 * kafkajs' share of n8n's main thread in the benchmark: ~1.1 µs of CPU per record against ~0.4 here
 * (bench/micro/record-decoder.ts), and about ten BigInts of garbage per record.
 *
 * A double holds every integer up to 2^53 - 1 exactly, and the string of such a number is the string of
 * the same BigInt. Offsets and millisecond timestamps stay far below that, so the values are the same
 * without the BigInts. Anything outside that range takes kafkajs' own Long path, unchanged: a delta
 * varint of 8 or more bytes, a first offset or timestamp or sum past 2^53 - 1. Headers, keys and values
 * are read by kafkajs' own code.
 *
 * kafkajs' record batch decoder (recordBatch/v0/decoder.js) reads this decoder into a constant when it
 * loads, so it is put into Node's module cache before that (kafkajsModuleBeforeLoad; createKafka installs
 * it before anything loads kafkajs' Fetch decoders). Too late, or under another kafkajs, kafkajs' own
 * decoder stays and the installer says false: slower, the same values.
 */
import { createRequire } from 'node:module';

import { kafkajsModuleBeforeLoad } from './kafkajs-patch';

/** The parts of kafkajs 2.2.4's Long (src/utils/long.js) the fallback uses. */
interface KafkajsLong {
	add(addend: KafkajsLong | number): KafkajsLong;
	toString(): string;
}

/** The parts of kafkajs 2.2.4's Decoder (src/protocol/decoder.js) a record is read with. */
export interface KafkajsDecoder {
	buffer: Buffer;
	offset: number;
	readInt8(): number;
	readVarInt(): number;
	readVarLong(): KafkajsLong;
	readVarIntBytes(): Buffer | null;
	readVarIntArray<T>(read: (decoder: KafkajsDecoder) => T): T[];
}

/** What kafkajs' record batch decoder hands each record decoder (recordBatch/v0/decoder.js `recordContext`). */
export interface RecordBatchContext {
	firstOffset?: string;
	firstTimestamp?: string;
	magicByte?: number;
	isControlBatch?: boolean;
	timestampType?: number;
	maxTimestamp?: string;
}

type HeaderValue = Buffer | null;

/** One decoded record, field for field what kafkajs' record decoder returns. */
export interface DecodedRecord {
	magicByte: number | undefined;
	attributes: number;
	timestamp: string;
	offset: string;
	key: Buffer | null;
	value: Buffer | null;
	headers: Record<string, HeaderValue | HeaderValue[]>;
	isControlRecord: boolean;
	batchContext: RecordBatchContext;
}

const kafkajsRequire = createRequire(__filename);
const Long = kafkajsRequire('kafkajs/src/utils/long.js') as { fromValue(value: string | undefined): KafkajsLong };
const decodeHeader = kafkajsRequire('kafkajs/src/protocol/recordBatch/header/v0/decoder.js') as (
	decoder: KafkajsDecoder,
) => { key: string; value: HeaderValue };
const { LOG_APPEND_TIME } = kafkajsRequire('kafkajs/src/protocol/timestampTypes.js') as { LOG_APPEND_TIME: number };

/** The batch whose first offset and timestamp were last read as numbers: a batch's records come one after another. */
let numbersOf: RecordBatchContext | undefined;
let firstOffsetNumber: number | undefined;
let firstTimestampNumber: number | undefined;

const safeNumber = (text: string | undefined): number | undefined => {
	if (text === undefined) return undefined;
	const value = Number(text);
	return Number.isSafeInteger(value) ? value : undefined;
};

/**
 * A zigzag varlong of at most 7 bytes (49 bits: a double holds it exactly) as a number, the decoder moved
 * past it; undefined, the decoder left where it was, for a longer one (kafkajs' readVarLong reads it).
 */
function readShortVarLong(decoder: KafkajsDecoder): number | undefined {
	const bytes = decoder.buffer;
	let at = decoder.offset;
	let unsigned = 0;
	let weight = 1;
	for (let read = 0; read < 7; read++) {
		const byte = bytes[at++];
		unsigned += (byte & 0x7f) * weight;
		if (byte < 0x80) {
			decoder.offset = at;
			return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2;
		}
		weight *= 128;
	}
	return undefined;
}

/** `first + delta` as kafkajs prints it, when both and the sum are safe integers; undefined otherwise. */
function sumText(first: number | undefined, delta: number | undefined): string | undefined {
	if (first === undefined || delta === undefined) return undefined;
	const sum = first + delta;
	return Number.isSafeInteger(sum) ? String(sum) : undefined;
}

/** One record, read as kafkajs 2.2.4 reads it (field order, defaults, header merging), with numbers where they are exact. */
export function decodeRecord(decoder: KafkajsDecoder, batchContext: RecordBatchContext = {}): DecodedRecord {
	const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
	if (numbersOf !== batchContext) {
		numbersOf = batchContext;
		firstOffsetNumber = safeNumber(firstOffset);
		firstTimestampNumber = safeNumber(firstTimestamp);
	}
	const attributes = decoder.readInt8();

	const deltaAt = decoder.offset;
	const timestampDelta = readShortVarLong(decoder);
	let timestamp: string;
	if (timestampType === LOG_APPEND_TIME && maxTimestamp) {
		timestamp = maxTimestamp;
		if (timestampDelta === undefined) decoder.readVarLong();
	} else {
		const exact = sumText(firstTimestampNumber, timestampDelta);
		if (exact !== undefined) {
			timestamp = exact;
		} else {
			decoder.offset = deltaAt;
			timestamp = Long.fromValue(firstTimestamp).add(decoder.readVarLong()).toString();
		}
	}

	const offsetDelta = decoder.readVarInt();
	const offset = sumText(firstOffsetNumber, offsetDelta) ?? Long.fromValue(firstOffset).add(offsetDelta).toString();

	const key = decoder.readVarIntBytes();
	const value = decoder.readVarIntBytes();
	let headers: DecodedRecord['headers'];
	if (decoder.buffer[decoder.offset] === 0) {
		// No headers (a count of 0, one byte): the object kafkajs' reduce over no headers makes.
		decoder.offset++;
		headers = {};
	} else {
		// kafkajs' own merging: a repeated key collects its values in an array.
		headers = decoder.readVarIntArray(decodeHeader).reduce<DecodedRecord['headers']>(
			(merged, { key, value }) => {
				const earlier = merged[key];
				return { ...merged, [key]: earlier === undefined ? value : Array.isArray(earlier) ? earlier.concat([value]) : [earlier, value] };
			},
			{},
		);
	}

	return {
		magicByte,
		attributes, // Record level attributes are presently unused (kafkajs)
		timestamp,
		offset,
		key,
		value,
		headers,
		isControlRecord: isControlBatch,
		batchContext,
	};
}

/** Installs decodeRecord as kafkajs' record decoder (once; false when too late or under another kafkajs). */
export const decodeKafkajsRecordsWithNumbers = kafkajsModuleBeforeLoad(
	'kafkajs/src/protocol/recordBatch/record/v0/decoder.js',
	'kafkajs/src/protocol/recordBatch/v0/decoder.js',
	decodeRecord,
);
