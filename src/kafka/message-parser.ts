/**
 * Turns Kafka messages into trigger items (src/common/item-contract.ts). Guarantees: one item per message,
 * in offset order; a value that cannot be decoded becomes an item carrying `_parseError` (with the
 * raw value, as text or base64) and is counted, never thrown and never dropped; tombstones are
 * skipped (counted), emitted as `_parseError.kind = 'tombstone'` items, or turned into the delete of
 * their key's row (tombstone-keys.ts), by option. The one thing
 * thrown is SchemaRegistryUnavailableError: a registry that cannot be asked says nothing about the
 * message, so the whole chunk fails and is fetched again later (schema-registry-errors.ts).
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
 * schema), one promise per message, awaited together per execution: it is registry-messages.ts. What a
 * message's own item looks like (a row, a parse error, a tombstone) is message-items.ts.
 */
import { isUtf8 } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';

import { parseJsonExact, parseJsonExactFromBytes, type JsonObject, type JsonValue } from '../common/exact-json';
import { jsonBytesDepthError } from '../common/json-depth';
import type { KafkaMetadataNeeds } from '../common/metadata-needs';
import { fitsOnLine, mayBeLine, PackedLinesBuilder, UncheckedLinesError, type DeferredChecks } from './packed-lines';
import { someLineHoldsMoreThanOneValue } from './trailing-json';
import { createDelimitedDecoder, type DelimitedFormat } from './delimited';
import { kafkaFieldValues, spliceKafkaFields, type KafkaField } from './message-fields';
import { addItem, endPacked, parseError, withKafkaFields, type Decoded } from './message-items';
import { MetadataKeyBudget } from './metadata-keys';
import { parseWithRegistry } from './registry-messages';
import type { SchemaRegistryDecoder } from './schema-registry';
import { jsonKeyDelete, plainKeyColumn } from './tombstone-keys';

export type MessageFormat = 'json' | 'text' | 'csv' | 'schemaRegistry';
export type TombstoneMode = 'skip' | 'emit' | 'delete';
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
	/** Tombstones "delete": the column a plain key (42, "abc") names (tombstone-keys.ts); none when empty. */
	tombstoneKeyColumn?: string;
	/** Required when format is 'schemaRegistry'. */
	schemaRegistry?: SchemaRegistryDecoder;
	/** Field that holds the value in text mode. */
	textField?: string;
	/** Required when format is 'csv': column names, separator, quote (delimited.ts). */
	delimited?: DelimitedFormat;
	/** Default 'message'. */
	output?: OutputMode;
	/** Key, headers, position as fields of each row (message-fields.ts); none when empty. */
	kafkaFields?: readonly KafkaField[];
	/** Which Schema Registry fields `_kafka` carries (src/common/metadata-needs.ts); both when absent. */
	metadataNeeds?: KafkaMetadataNeeds;
	/**
	 * Output "batch", JSON: whether a value holding two JSON values goes the per-message way instead of
	 * becoming a line (trailing-json.ts); on when absent. Off only where a Doris Schema node parses every
	 * line before any load (src/common/packed-value-check.ts).
	 */
	checkPackedValues?: boolean;
}

export interface ParsedChunk {
	items: TriggerItem[];
	parseErrors: number;
	tombstonesSkipped: number;
	/** The first tombstone Tombstones "Skip" skipped in the chunk, for the emitter's warning. */
	skippedTombstone?: SkippedTombstone;
	/**
	 * Values with their own top-level `_doris` / `_kafka`, by name, which their items leave out (or, for
	 * `_kafka` with Include Metadata, replace by the message's position): for the emitter's warning.
	 */
	itemOwnFields?: Map<string, ItemOwnField>;
}

export interface ItemOwnField {
	messages: number;
	firstOffset: string;
	/** Replaced by the trigger's own value (`_kafka` with Include Metadata on), not left out. */
	replaced: boolean;
}

export interface SkippedTombstone {
	offset: string;
	/** As text (base64 when binary), null when the message has none. */
	key: string | null;
}

export interface MessageParser {
	/** Parses messages[from, to) of one partition; a promise only in Schema Registry mode. */
	parse(messages: KafkaMessage[], from: number, to: number, topic: string, partition: number): ParsedChunk | Promise<ParsedChunk>;
}

export function createMessageParser(given: MessageParserOptions): MessageParser {
	const options: MessageParserOptions = { ...given, tombstoneKeyColumn: plainKeyColumn(given.tombstoneKeyColumn, given.tombstones) };
	if (options.tombstones === 'delete' && options.format !== 'json' && options.format !== 'schemaRegistry') {
		// A text or CSV key names no column: the delete would need a mapping of its own.
		throw new Error(`Tombstones "Delete the Row of Its Key" needs Message Format JSON or Schema Registry (the key decoded as the values are), not "${options.format}"`);
	}
	if (options.format === 'schemaRegistry') {
		const registry = options.schemaRegistry;
		if (!registry) throw new Error('Message format "schemaRegistry" needs a Schema Registry URL');
		const budget = new MetadataKeyBudget();
		return { parse: (m, from, to, topic, partition) => parseWithRegistry(options, registry, budget, m, from, to, topic, partition) };
	}
	const textField = options.textField ?? 'value';
	const decode = options.format === 'json' ? decodeJson : options.format === 'csv' ? csvDecoder(options) : (text: string): Decoded => ({ json: { [textField]: text } });
	if (options.output === 'batch') {
		const packLine =
			options.format === 'json' ? packJsonLine(options) : options.format === 'csv' ? packDecodedLine(options, decode) : packTextLine(options, textField);
		if (options.format !== 'json' || (options.kafkaFields ?? []).length > 0) {
			return { parse: (m, from, to, topic, partition) => packSync(options, decode, packLine, m, from, to, topic, partition, undefined) };
		}
		// Plain JSON values: checked together once per chunk; a chunk with a misfit is packed again value by value.
		const packUnchecked: PackLine = (value, message, lines, topic, partition) => {
			if (!mayBeLine(value) || nestsTooDeep(value)) return false;
			lines.addBytes(value, topic, partition, message.offset);
			return true;
		};
		const deferred = options.checkPackedValues === false ? 'line' : 'lineOfOneValue';
		return {
			parse: (m, from, to, topic, partition) => {
				try {
					return packSync(options, decode, packUnchecked, m, from, to, topic, partition, deferred);
				} catch (error) {
					if (!(error instanceof UncheckedLinesError)) throw error;
					return packSync(options, decode, packLine, m, from, to, topic, partition, undefined);
				}
			},
		};
	}
	return { parse: (m, from, to, topic, partition) => parseSync(options, decode, m, from, to, topic, partition) };
}

/** `bytes`: the value's UTF-8, when the text came from them (decodeValue): the precision scan reads those. */
function decodeJson(text: string, bytes?: Buffer): Decoded {
	let value: JsonValue;
	try {
		value = bytes === undefined ? parseJsonExact(text) : parseJsonExactFromBytes(bytes, text);
	} catch (error) {
		return { error: parseError('json', (error as Error).message, text, 'utf8') };
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		const shape = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
		return { error: parseError('not_object', `JSON value is ${shape}, not an object`, text, 'utf8') };
	}
	return { json: value };
}

function csvDecoder(options: MessageParserOptions): (text: string) => Decoded {
	if (!options.delimited) throw new Error('Message format "csv" needs its column names and separator');
	const decodeRecord = createDelimitedDecoder(options.delimited);
	return (text) => {
		const result = decodeRecord(text);
		return result.row ? { json: result.row } : { error: parseError('csv', result.error, text, 'utf8') };
	};
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
		addItem(chunk, options, message.value === null ? tombstone(options, message) : decodeValue(message.value, decode, options.format), message, topic, partition, undefined);
	}
	return chunk;
}

/** Adds a message's value to the packed lines when it can be one; false sends it the per-message way. */
type PackLine = (value: Buffer, message: KafkaMessage, lines: PackedLinesBuilder, topic: string, partition: number) => boolean;

/**
 * JSON: a value that fits a line is packed as it is (with Add Kafka Fields: spliced in, still unparsed);
 * one holding two JSON values back to back goes the per-message way, where parseJsonExact makes it its
 * `_parseError` item (packed, Doris would load its first value only: trailing-json.ts).
 */
function packJsonLine(options: MessageParserOptions): PackLine {
	const fields = options.kafkaFields ?? [];
	const checkValues = options.checkPackedValues !== false;
	if (fields.length === 0) {
		return (value, message, lines, topic, partition) => {
			// latin1: a plain copy, and the check reads only ASCII characters (trailing-json.ts).
			if (!fitsOnLine(value) || nestsTooDeep(value) || (checkValues && someLineHoldsMoreThanOneValue(value.toString('latin1')))) return false;
			lines.addBytes(value, topic, partition, message.offset);
			return true;
		};
	}
	return (value, message, lines, topic, partition) => {
		if (!fitsOnLine(value) || nestsTooDeep(value)) return false;
		const text = value.toString('utf8');
		const spliced = spliceKafkaFields(text, kafkaFieldValues(fields, message, topic, partition));
		// null: not exactly one JSON object (its scan, json-object-text.ts), packed unspliced; only then may it be two.
		if (spliced === null && checkValues && someLineHoldsMoreThanOneValue(text)) return false;
		// The value has an added field's name: the per-message way makes its Invalid item (message-items.ts).
		if (spliced !== null && typeof spliced !== 'string') return false;
		lines.addText(spliced ?? text, topic, partition, message.offset);
		return true;
	};
}

/**
 * A value nested deeper than MAX_JSON_DEPTH is not packed: it goes the per-message way, where
 * parseJsonExact refuses it and it becomes its `_parseError` item in its place (json-depth.ts: packed,
 * it would pass the trigger unparsed and overflow the stack further on). Values shorter than
 * 2 × 1,025 bytes cost one comparison.
 */
function nestsTooDeep(value: Buffer): boolean {
	return jsonBytesDepthError(value) !== undefined;
}

/**
 * Text: every UTF-8 value fits, as the text item {[textField]: text} on one line, built without the
 * object (the text is JSON-escaped, so its own line breaks are escaped and it is altered in nothing).
 */
function packTextLine(options: MessageParserOptions, textField: string): PackLine {
	const fields = options.kafkaFields ?? [];
	const textPrefix = `{${JSON.stringify(textField)}:`;
	// An added field named as the text field: the per-message way makes each message's Invalid item, as
	// per message (the trigger's settings refuse the name before that).
	const takesTextField = fields.some((field) => field.name === textField);
	return (value, message, lines, topic, partition) => {
		if (!isUtf8(value) || takesTextField) return false;
		const text = value.toString('utf8');
		const line =
			fields.length === 0
				? textPrefix + JSON.stringify(text) + '}'
				: JSON.stringify({ ...kafkaFieldValues(fields, message, topic, partition), [textField]: text });
		lines.addText(line, topic, partition, message.offset);
		return true;
	};
}

/**
 * Formats parsed in the trigger (CSV): the row as a JSON line; a value that does not decode goes the
 * per-message way, as the error item in its place.
 */
function packDecodedLine(options: MessageParserOptions, decode: (text: string) => Decoded): PackLine {
	return (value, message, lines, topic, partition) => {
		if (!isUtf8(value)) return false;
		const decoded = decode(value.toString('utf8'));
		const row = decoded.json && withKafkaFields(options, decoded.json, message, topic, partition);
		if (!row) return false;
		lines.addText(JSON.stringify(row), topic, partition, message.offset);
		return true;
	};
}

/**
 * Batch output: a value that fits a line is packed (packLine), any other message becomes the item
 * parseSync would build.
 */
function packSync(
	options: MessageParserOptions,
	decode: (text: string) => Decoded,
	packLine: PackLine,
	messages: KafkaMessage[],
	from: number,
	to: number,
	topic: string,
	partition: number,
	deferChecks: DeferredChecks | undefined,
): ParsedChunk {
	const chunk: ParsedChunk = { items: [], parseErrors: 0, tombstonesSkipped: 0 };
	const lines = new PackedLinesBuilder(deferChecks);
	for (let i = from; i < to; i++) {
		const message = messages[i];
		const value = message.value;
		if (value !== null && packLine(value, message, lines, topic, partition)) continue;
		const decoded = value === null ? tombstone(options, message) : decodeValue(value, decode, options.format);
		// A tombstone's delete row is a line like any other, so a packed item keeps the deletes in place.
		const row = value === null && decoded?.json ? withKafkaFields(options, decoded.json, message, topic, partition, decoded.key) : undefined;
		if (row) lines.addText(JSON.stringify(row), topic, partition, message.offset);
		else addItem(chunk, options, decoded, message, topic, partition, lines);
	}
	endPacked(chunk, lines, options);
	return chunk;
}

/** A tombstone as Tombstones says: null (skipped or emitted as such) or the delete row of its key (JSON). */
function tombstone(options: MessageParserOptions, message: KafkaMessage): Decoded | null {
	return options.tombstones === 'delete' ? jsonKeyDelete(message.key ?? null, options.tombstoneKeyColumn) : null;
}

function decodeValue(value: Buffer, decode: (text: string, bytes?: Buffer) => Decoded, format: MessageFormat): Decoded {
	if (!isUtf8(value)) return { error: parseError(format === 'csv' ? 'csv' : 'json', 'value is not valid UTF-8 text', value.toString('base64'), 'base64') };
	return decode(value.toString('utf8'), value);
}
