/**
 * Turns Kafka messages into trigger items (src/common/item-contract.ts). Guarantees: one item per message,
 * in offset order; a value that cannot be decoded becomes an item carrying `_parseError` (with the
 * raw value, as text or base64) and is counted, never thrown and never dropped; tombstones are
 * skipped (counted) or emitted as `_parseError.kind = 'tombstone'` items, by option.
 *
 * Output "batch" (PackedRows): the messages that fit a line go into a packed item; each other message
 * becomes exactly the item the per-message output builds for it, in its place: it ends the packed
 * item before it and the lines after it start a new one, so the items stay in offset order (a CDC
 * upsert pretty-printed still loads before the delete at the next offset). JSON values are
 * packed as they are (not parsed: the Doris Schema node parses each line once, so a bad one is found
 * there); text and Schema Registry values are packed as the item json the per-message output builds.
 *
 * The JSON and text paths are synchronous and allocate only the item itself: no promise, no
 * intermediate copy per message. The Schema Registry path is asynchronous (its client may fetch a
 * schema), one promise per message, awaited together per execution.
 */
import { isUtf8 } from 'node:buffer';
import type { IHeaders, KafkaMessage } from 'kafkajs';

import {
	KAFKA_METADATA_FIELD,
	PARSE_ERROR_FIELD,
	type KafkaMessageMetadata,
	type ParseErrorInfo,
	type ParseErrorKind,
} from '../common/item-contract';
import { parseJsonExact, type JsonObject, type JsonValue } from '../common/exact-json';
import { fitsOnLine, PackedLinesBuilder, packedItemJson } from './packed-lines';
import type { SchemaRegistryDecoder } from './schema-registry';

export type MessageFormat = 'json' | 'text' | 'schemaRegistry';
export type TombstoneMode = 'skip' | 'emit';
/** One item per message, or one packed item per execution (plus the messages that cannot be a line). */
export type OutputMode = 'message' | 'batch';

/** An n8n item as far as src/ knows it: plain JSON on `json`. */
export interface TriggerItem {
	json: JsonObject;
}

export interface MessageParserOptions {
	format: MessageFormat;
	includeMetadata: boolean;
	tombstones: TombstoneMode;
	/** Required when format is 'schemaRegistry'. */
	schemaRegistry?: SchemaRegistryDecoder;
	/** Field that holds the value in text mode. */
	textField?: string;
	/** Default 'message'. */
	output?: OutputMode;
}

export interface ParsedChunk {
	items: TriggerItem[];
	parseErrors: number;
	tombstonesSkipped: number;
}

export interface MessageParser {
	/** Parses messages[from, to) of one partition; a promise only in Schema Registry mode. */
	parse(messages: KafkaMessage[], from: number, to: number, topic: string, partition: number): ParsedChunk | Promise<ParsedChunk>;
}

export function createMessageParser(options: MessageParserOptions): MessageParser {
	if (options.format === 'schemaRegistry') {
		const registry = options.schemaRegistry;
		if (!registry) throw new Error('Message format "schemaRegistry" needs a Schema Registry URL');
		return { parse: (m, from, to, topic, partition) => parseWithRegistry(options, registry, m, from, to, topic, partition) };
	}
	const textField = options.textField ?? 'value';
	const decode = options.format === 'json' ? decodeJson : (text: string): Decoded => ({ json: { [textField]: text } });
	if (options.output === 'batch') {
		// The text item {[textField]: text} as one line, without building the object.
		const textPrefix = options.format === 'text' ? `{${JSON.stringify(textField)}:` : undefined;
		return { parse: (m, from, to, topic, partition) => packSync(options, decode, textPrefix, m, from, to, topic, partition) };
	}
	return { parse: (m, from, to, topic, partition) => parseSync(options, decode, m, from, to, topic, partition) };
}

interface Decoded {
	json?: JsonObject;
	error?: ParseErrorInfo;
}

function decodeJson(text: string): Decoded {
	let value: JsonValue;
	try {
		value = parseJsonExact(text);
	} catch (error) {
		return { error: parseError('json', (error as Error).message, text, 'utf8') };
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		const shape = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
		return { error: parseError('not_object', `JSON value is ${shape}, not an object`, text, 'utf8') };
	}
	return { json: value };
}

function parseSync(
	options: MessageParserOptions,
	decode: (text: string) => Decoded,
	messages: KafkaMessage[],
	from: number,
	to: number,
	topic: string,
	partition: number,
): ParsedChunk {
	const chunk: ParsedChunk = { items: [], parseErrors: 0, tombstonesSkipped: 0 };
	for (let i = from; i < to; i++) {
		const message = messages[i];
		addItem(chunk, options, message.value === null ? null : decodeValue(message.value, decode), message, topic, partition, undefined);
	}
	return chunk;
}

/**
 * Batch output, JSON or text: a value that fits a line is packed, any other message becomes the
 * item parseSync would build. `textPrefix` is set in text mode, where every UTF-8 value fits (the
 * line is the JSON-escaped text, so its own line breaks are escaped and it is altered in nothing).
 */
function packSync(
	options: MessageParserOptions,
	decode: (text: string) => Decoded,
	textPrefix: string | undefined,
	messages: KafkaMessage[],
	from: number,
	to: number,
	topic: string,
	partition: number,
): ParsedChunk {
	const chunk: ParsedChunk = { items: [], parseErrors: 0, tombstonesSkipped: 0 };
	const lines = new PackedLinesBuilder();
	for (let i = from; i < to; i++) {
		const message = messages[i];
		const value = message.value;
		if (value !== null) {
			if (textPrefix === undefined) {
				if (fitsOnLine(value)) {
					lines.addBytes(value, topic, partition, message.offset);
					continue;
				}
			} else if (isUtf8(value)) {
				lines.addText(textPrefix + JSON.stringify(value.toString('utf8')) + '}', topic, partition, message.offset);
				continue;
			}
		}
		addItem(chunk, options, value === null ? null : decodeValue(value, decode), message, topic, partition, lines);
	}
	endPacked(chunk, lines);
	return chunk;
}

/** Ends the packed item being built (if it has lines): the builder starts afresh. */
function endPacked(chunk: ParsedChunk, lines: PackedLinesBuilder): void {
	const rows = lines.finish();
	if (rows) chunk.items.push({ json: packedItemJson(rows) });
}

function decodeValue(value: Buffer, decode: (text: string) => Decoded): Decoded {
	if (!isUtf8(value)) return { error: parseError('json', 'value is not valid UTF-8 text', value.toString('base64'), 'base64') };
	return decode(value.toString('utf8'));
}

/**
 * One message as today's per-message item, counted into the chunk; `decoded` null is a tombstone (a
 * skipped one adds no item). In batch output `lines` is the packed item being built: the item ends
 * it first, so the execution's items stay in offset order.
 */
function addItem(
	chunk: ParsedChunk,
	options: MessageParserOptions,
	decoded: Decoded | null,
	message: KafkaMessage,
	topic: string,
	partition: number,
	lines: PackedLinesBuilder | undefined,
): void {
	let json: JsonObject;
	if (decoded === null) {
		if (options.tombstones === 'skip') {
			chunk.tombstonesSkipped++;
			return;
		}
		json = { [PARSE_ERROR_FIELD]: tombstoneError() };
	} else if (decoded.json) {
		json = decoded.json;
	} else {
		chunk.parseErrors++;
		json = { [PARSE_ERROR_FIELD]: errorJson(decoded.error as ParseErrorInfo) };
	}
	// Error items always say where they came from, so a bad message can be found and replayed.
	if (options.includeMetadata || json[PARSE_ERROR_FIELD] !== undefined) {
		json[KAFKA_METADATA_FIELD] = metadataJson(message, topic, partition);
	}
	if (lines !== undefined) endPacked(chunk, lines);
	chunk.items.push({ json });
}

async function parseWithRegistry(
	options: MessageParserOptions,
	registry: SchemaRegistryDecoder,
	messages: KafkaMessage[],
	from: number,
	to: number,
	topic: string,
	partition: number,
): Promise<ParsedChunk> {
	const pending: Array<Promise<Decoded> | null> = [];
	for (let i = from; i < to; i++) {
		const value = messages[i].value;
		pending.push(value === null ? null : registry.decode(value).then(toDecoded, (error: unknown) => registryError(error, value)));
	}
	const decoded = await Promise.all(pending);
	const chunk: ParsedChunk = { items: [], parseErrors: 0, tombstonesSkipped: 0 };
	if (options.output === 'batch') {
		// A decoded record is JSON-safe (schema-registry.ts toJsonSafe) and JSON.stringify writes no line break.
		const lines = new PackedLinesBuilder();
		for (let k = 0; k < decoded.length; k++) {
			const result = decoded[k];
			const message = messages[from + k];
			if (result?.json) lines.addText(JSON.stringify(result.json), topic, partition, message.offset);
			else addItem(chunk, options, result, message, topic, partition, lines);
		}
		endPacked(chunk, lines);
		return chunk;
	}
	for (let k = 0; k < decoded.length; k++) addItem(chunk, options, decoded[k], messages[from + k], topic, partition, undefined);
	return chunk;
}

function toDecoded(value: JsonValue): Decoded {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return { error: parseError('not_object', 'Schema Registry value is not a record/object', JSON.stringify(value), 'utf8') };
	}
	return { json: value };
}

function registryError(error: unknown, value: Buffer): Decoded {
	const message = error instanceof Error ? error.message : String(error);
	const utf8 = isUtf8(value);
	return {
		error: parseError('schema_registry', message, utf8 ? value.toString('utf8') : value.toString('base64'), utf8 ? 'utf8' : 'base64'),
	};
}

function parseError(kind: ParseErrorKind, message: string, raw: string | null, rawEncoding: 'utf8' | 'base64'): ParseErrorInfo {
	return { kind, message, raw, rawEncoding };
}

function tombstoneError(): JsonObject {
	return { kind: 'tombstone', message: 'message value is null (tombstone)', raw: null, rawEncoding: 'utf8' };
}

function errorJson(info: ParseErrorInfo): JsonObject {
	return { kind: info.kind, message: info.message, raw: info.raw, rawEncoding: info.rawEncoding };
}

function metadataJson(message: KafkaMessage, topic: string, partition: number): JsonObject {
	const metadata: KafkaMessageMetadata = {
		topic,
		partition,
		offset: message.offset,
		key: message.key ? bufferText(message.key) : null,
		timestamp: message.timestamp,
		headers: headersJson(message.headers),
	};
	return metadata as unknown as JsonObject; // every field is a JSON value; the interface lacks an index signature
}

function headersJson(headers: IHeaders | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	if (!headers) return out;
	for (const name of Object.keys(headers)) {
		const value = headers[name];
		if (value === undefined) continue;
		out[name] = Array.isArray(value) ? value.map(headerText).join(',') : headerText(value);
	}
	return out;
}

function headerText(value: Buffer | string): string {
	return typeof value === 'string' ? value : bufferText(value);
}

/** UTF-8 when it is UTF-8 (keys and headers almost always are), base64 otherwise. */
function bufferText(buffer: Buffer): string {
	return isUtf8(buffer) ? buffer.toString('utf8') : buffer.toString('base64');
}
