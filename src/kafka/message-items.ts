/**
 * One Kafka message as its per-message item (src/common/item-contract.ts): the decoded row, with Add
 * Kafka Fields (message-fields.ts), or the item that carries `_parseError` (a tombstone emitted, a
 * value that did not decode), which always says where the message came from (`_kafka`), so a bad
 * message can be found and replayed. Every format and both outputs build a message's item here
 * (message-parser.ts): in batch output a message that cannot be a packed line becomes exactly the
 * item the per-message output gives it, in its place, ending the packed item before it.
 */
import { isUtf8 } from 'node:buffer';
import type { IHeaders, KafkaMessage } from 'kafkajs';

import { DORIS_FIELD, KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type KafkaMessageMetadata, type ParseErrorInfo, type ParseErrorKind } from '../common/item-contract';
import type { JsonObject, JsonValue } from '../common/exact-json';
import { addKafkaFields, bufferText, headerValue, kafkaFieldNames, kafkaFieldSource, kafkaFieldValues, takenKafkaField, type KafkaField } from './message-fields';
import type { MessageParserOptions, ParsedChunk } from './message-parser';
import { packedItemJson, type PackedLinesBuilder } from './packed-lines';

/** What of the parser's options a message's item depends on. */
export type ItemOptions = Pick<MessageParserOptions, 'includeMetadata' | 'tombstones' | 'kafkaFields'>;

/** A message's value decoded: its row, or why it has none. */
export interface Decoded {
	json?: JsonObject;
	error?: ParseErrorInfo;
	/** The message key decoded through the Schema Registry, for Add Kafka Fields and `_kafka.decodedKey`. */
	key?: JsonValue;
	/** Why a key in the registry's wire format could not be decoded, for `_kafka.keyError` (the row itself is whole). */
	keyError?: string;
	/** The value's Connect schema from its Avro writer schema, for `_kafka.valueSchema` (schema-registry.ts connectSchema). */
	valueSchema?: JsonObject;
}

/** Ends the packed item being built (if it has lines): the builder starts afresh. */
export function endPacked(chunk: ParsedChunk, lines: PackedLinesBuilder, options: Pick<ItemOptions, 'kafkaFields'>): void {
	const rows = lines.finish();
	if (!rows) return;
	if (options.kafkaFields?.length) rows.doris = { kafkaFields: kafkaFieldNames(options.kafkaFields) };
	chunk.items.push({ json: packedItemJson(rows) });
}

/**
 * One message as today's per-message item, counted into the chunk; `decoded` null is a tombstone (a
 * skipped one adds no item). In batch output `lines` is the packed item being built: the item ends
 * it first, so the execution's items stay in offset order.
 */
export function addItem(
	chunk: ParsedChunk,
	options: ItemOptions,
	decoded: Decoded | null,
	message: KafkaMessage,
	topic: string,
	partition: number,
	lines: PackedLinesBuilder | undefined,
): void {
	let json: JsonObject;
	if (decoded === null) {
		if (options.tombstones === 'skip') {
			if (chunk.tombstonesSkipped++ === 0) chunk.skippedTombstone = { offset: message.offset, key: message.key ? bufferText(message.key) : null };
			return;
		}
		json = { [PARSE_ERROR_FIELD]: tombstoneError() };
	} else if (decoded.json && Object.hasOwn(decoded.json, PACKED_ROWS_FIELD)) {
		chunk.parseErrors++;
		json = { [PARSE_ERROR_FIELD]: errorJson(reservedFieldError(message)) };
	} else if (decoded.json && options.kafkaFields?.length && takenKafkaField(options.kafkaFields, decoded.json)) {
		chunk.parseErrors++;
		json = { [PARSE_ERROR_FIELD]: errorJson(takenFieldError(message, takenKafkaField(options.kafkaFields, decoded.json) as KafkaField)) };
	} else if (decoded.json) {
		json = decoded.json;
		const ownFields = withoutForeignItemInfo(json, options.includeMetadata, chunk, message.offset);
		if (ownFields !== undefined) json[DORIS_FIELD] = { ownFields };
		if (options.kafkaFields?.length) {
			addKafkaFields(json, kafkaFieldValues(options.kafkaFields, message, topic, partition, decoded.key));
			json[DORIS_FIELD] = { ...(ownFields === undefined ? {} : { ownFields }), kafkaFields: kafkaFieldNames(options.kafkaFields) };
		}
	} else {
		chunk.parseErrors++;
		json = { [PARSE_ERROR_FIELD]: errorJson(decoded.error as ParseErrorInfo) };
	}
	// Error items always say where they came from, so a bad message can be found and replayed.
	if (options.includeMetadata || json[PARSE_ERROR_FIELD] !== undefined) {
		json[KAFKA_METADATA_FIELD] = metadataJson(message, topic, partition, options.includeMetadata && json[PARSE_ERROR_FIELD] === undefined ? decoded : null);
	}
	if (lines !== undefined) endPacked(chunk, lines, options);
	chunk.items.push({ json });
}

/**
 * A value with `packedRows` at its top level, as its own item would be read as a packed item
 * (item-contract.ts PackedRows): refused by the Doris nodes on every redelivery when it is not one (the
 * partition stalled for good), and when it is one, its lines loaded in place of the message's own fields.
 * It goes to Invalid instead, with the raw value and its position, to be renamed and replayed. In a
 * packed line (One Item per Batch) the same value is a row like any other: the Doris nodes read the
 * contract at an item's top level only, never in a line.
 */
function reservedFieldError(message: KafkaMessage): ParseErrorInfo {
	return rawMessageError(
		message,
		`the value has the top-level field "${PACKED_ROWS_FIELD}", which is reserved by the Doris nodes (it marks One Item per Batch's packed rows, so the item would be read as those, not as a row); rename or nest the field upstream`,
	);
}

/**
 * A value that has a field Add Kafka Fields sets (message-fields.ts): its own value and Kafka's cannot
 * both be the row's field, and keeping either silently, per message, left one column holding Kafka's
 * value for some rows and the payload's for others. A dead letter replayed through the trigger carries
 * the fields its first pass added, hence the hint.
 */
function takenFieldError(message: KafkaMessage, field: KafkaField): ParseErrorInfo {
	return rawMessageError(
		message,
		`the value has the top-level field "${field.name}", which Add Kafka Fields sets (${kafkaFieldSource(field)}): the message's value and Kafka's cannot both be the row's "${field.name}"; rename the field in Add Kafka Fields or upstream (a dead letter replayed through the trigger carries the fields its first pass added: remove them before replaying)`,
	);
}

/** A `reserved_field` error carrying the message's raw value (a tombstone's delete row: its key). */
function rawMessageError(message: KafkaMessage, reason: string): ParseErrorInfo {
	const raw = message.value ?? message.key;
	const utf8 = raw === null || isUtf8(raw);
	return parseError('reserved_field', reason, raw === null ? null : raw.toString(utf8 ? 'utf8' : 'base64'), utf8 ? 'utf8' : 'base64');
}

/**
 * Removes what a value says in the Doris nodes' own fields, which only the trigger and the Doris nodes
 * may set. Such values are mostly dead letters replayed through the trigger (README, Invalid and Rejected
 * items keep `_kafka` and `_doris`), so they are loaded, not refused, without those fields as the item's
 * own (a table column named `_doris` still takes the value: doris-info.ts ownDorisValue):
 * - `_doris`: an old `loadBy` made every execution of the message fail past its deadline (Keep Order per
 *   Partition off: redelivered for good, the partition stalled; on: the trigger overwrote only `loadBy`),
 *   and a `table` / `database` loaded the row into that table when the Stream Load node takes each
 *   item's table. The trigger stamps its own deadline afterwards (execution-emitter.ts stampDeadline).
 * - `_kafka` with Include Metadata off: the Doris Schema node took its `topic` for the message's
 *   (Table From "topic", a topic → table map) and routed the row by another topic. With the option on
 *   the trigger writes the real position over it (addItem).
 * Returns what it left out, by name, for the item's `_doris.ownFields` (item-contract.ts): a Doris Schema
 * node with Unknown Fields Reject refuses the row for it rather than load it without the field.
 */
function withoutForeignItemInfo(json: JsonObject, includeMetadata: boolean, chunk: ParsedChunk, offset: string): JsonObject | undefined {
	let ownFields: JsonObject | undefined;
	if (Object.hasOwn(json, DORIS_FIELD)) {
		(ownFields ??= {})[DORIS_FIELD] = json[DORIS_FIELD];
		delete json[DORIS_FIELD];
		noteItemOwnField(chunk, DORIS_FIELD, offset, false);
	}
	if (Object.hasOwn(json, KAFKA_METADATA_FIELD)) {
		(ownFields ??= {})[KAFKA_METADATA_FIELD] = json[KAFKA_METADATA_FIELD];
		if (!includeMetadata) delete json[KAFKA_METADATA_FIELD];
		noteItemOwnField(chunk, KAFKA_METADATA_FIELD, offset, includeMetadata);
	}
	return ownFields;
}

/**
 * Counts a value whose own `name` its item leaves out (`replaced`: by the message's position), for the
 * emitter's warning once per execution (execution-emitter.ts): a row's own data, dropped without a word
 * before (a producer's `_kafka` field, not a dead letter's).
 */
function noteItemOwnField(chunk: ParsedChunk, name: string, offset: string, replaced: boolean): void {
	chunk.itemOwnFields ??= new Map();
	const seen = chunk.itemOwnFields.get(name);
	if (seen === undefined) chunk.itemOwnFields.set(name, { messages: 1, firstOffset: offset, replaced });
	else seen.messages++;
}

/**
 * A decoded object for a line, the added fields first; undefined when it has one of their names at its
 * top level: the caller then gives the message its per-message item (addItem), which goes to Invalid
 * saying so, the same item as in One Item per Message.
 */
export function withKafkaFields(options: Pick<MessageParserOptions, 'kafkaFields'>, json: JsonObject, message: KafkaMessage, topic: string, partition: number, decodedKey?: JsonValue): JsonObject | undefined {
	if (!options.kafkaFields?.length) return json;
	if (takenKafkaField(options.kafkaFields, json) !== undefined) return undefined;
	return { ...kafkaFieldValues(options.kafkaFields, message, topic, partition, decodedKey), ...json };
}

export function parseError(kind: ParseErrorKind, message: string, raw: string | null, rawEncoding: 'utf8' | 'base64'): ParseErrorInfo {
	return { kind, message, raw, rawEncoding };
}

function tombstoneError(): JsonObject {
	return { kind: 'tombstone', message: 'message value is null (tombstone)', raw: null, rawEncoding: 'utf8' };
}

function errorJson(info: ParseErrorInfo): JsonObject {
	return { kind: info.kind, message: info.message, raw: info.raw, rawEncoding: info.rawEncoding };
}

/**
 * `_kafka`; with Message Format Schema Registry also what the Doris Schema node's Create Missing Tables
 * reads there (item-contract.ts KafkaMessageMetadata): the key decoded, or why it could not be, and the
 * value's Connect schema. `key` stays the key's bytes as text (base64 for a wire-format key).
 */
function metadataJson(message: KafkaMessage, topic: string, partition: number, decoded: Decoded | null): JsonObject {
	const metadata: KafkaMessageMetadata = {
		topic,
		partition,
		offset: message.offset,
		key: message.key ? bufferText(message.key) : null,
		timestamp: message.timestamp,
		headers: headersJson(message.headers),
	};
	// A key decoded but not trusted (not the topic's key schema, key-subjects.ts) is a field of the row only.
	if (decoded?.key !== undefined && decoded.keyError === undefined) metadata.decodedKey = decoded.key;
	if (decoded?.keyError !== undefined) metadata.keyError = decoded.keyError;
	if (decoded?.valueSchema !== undefined) metadata.valueSchema = decoded.valueSchema;
	return metadata as unknown as JsonObject; // every field is a JSON value; the interface lacks an index signature
}

function headersJson(headers: IHeaders | undefined): Record<string, string | null> {
	const out: Record<string, string | null> = {};
	if (!headers) return out;
	for (const name of Object.keys(headers)) {
		if (headers[name] !== undefined) out[name] = headerValue(headers, name);
	}
	return out;
}
