/**
 * The trigger's "Add Kafka Fields" option: the message key, a header, all headers, or the message's
 * topic, partition, offset or timestamp as fields of the row, so they can be Doris columns like any
 * field of the value. The same fields in both outputs: set on the item in One Item per Message, spliced
 * into the line in One Item per Batch (where the value is never parsed in the trigger); either way the
 * item names them (kafkaFieldNames), for rows read from inside the value.
 *
 * A name the message's value already has at its top level is no row: the message goes to Invalid
 * (message-items.ts takenFieldError), in both outputs, as its value and Kafka's cannot both be the field
 * (kept silently, one column held Kafka's value for some rows and the payload's for others). Names a
 * setting gives every message (CSV Column Names, the text field) are refused with the settings
 * (validateKafkaFieldsForFormat). Values: key and
 * headers as UTF-8 text (base64 when not UTF-8, as in `_kafka`), null when the message has none (with
 * Message Format Schema Registry, a key in the registry's wire format is its decoded value); the
 * offset as a decimal string (int64), the partition as a number, the timestamp as ISO 8601 UTC text
 * (a bare epoch number would be ambiguous for a DATETIME column).
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';

import { BYTE_ORDER_MARK, type JsonObject, type JsonValue } from '../common/exact-json';
import { ITEM_OWN_FIELDS } from '../common/item-contract';
import { isTextBytes } from './binary-bytes';
import { ownTopLevelNames } from './json-object-text';

export type KafkaFieldSource = 'key' | 'header' | 'headers' | 'topic' | 'partition' | 'offset' | 'timestamp';

export interface KafkaField {
	source: KafkaFieldSource;
	/** The header's name, for source 'header'. */
	header?: string;
	/** The field the value goes to. */
	name: string;
}

const SOURCES: readonly KafkaFieldSource[] = ['key', 'header', 'headers', 'topic', 'partition', 'offset', 'timestamp'];

/** Throws naming the entry when a field has no name, a name twice, an unknown source or a header without a name. */
export function validateKafkaFields(fields: readonly KafkaField[]): void {
	const seen = new Set<string>();
	fields.forEach((field, index) => {
		const which = `Add Kafka Fields, entry ${index + 1}`;
		if (!SOURCES.includes(field.source)) throw new Error(`${which}: source "${field.source}" is not one of ${SOURCES.join(', ')}`);
		if (field.name.trim() === '') throw new Error(`${which}: the field name is empty`);
		if (ITEM_OWN_FIELDS.has(field.name)) {
			throw new Error(`${which}: field "${field.name}" is a name the Doris nodes read as the item's own (${[...ITEM_OWN_FIELDS].join(', ')}), never a row's field; choose another name`);
		}
		if (seen.has(field.name)) throw new Error(`${which}: field "${field.name}" is added twice`);
		if (field.source === 'header' && (field.header ?? '').trim() === '') throw new Error(`${which}: the header name is empty`);
		seen.add(field.name);
	});
}

/**
 * Refuses an Add Kafka Fields name that every message of the format has: a CSV Column Name, or the field
 * Message Format Text puts the message in (`textField`). Each message would otherwise go to Invalid.
 */
export function validateKafkaFieldsForFormat(fields: readonly KafkaField[], format: string, csvColumns: readonly string[], textField = 'value'): void {
	fields.forEach((field, index) => {
		const which = `Add Kafka Fields, entry ${index + 1}: field "${field.name}"`;
		if (format === 'csv' && csvColumns.includes(field.name)) {
			throw new Error(`${which} is also a CSV Column Name: every row would have it twice (the message's value and Kafka's). Rename one of them`);
		}
		if (format === 'text' && field.name === textField) {
			throw new Error(`${which} is the field Message Format Text puts the message in ("${textField}"). Choose another name`);
		}
	});
}

/** Where an added field's value comes from, for messages: `header "tenant-id"`, `offset`. */
export function kafkaFieldSource(field: KafkaField): string {
	return field.source === 'header' ? `header "${field.header ?? ''}"` : field.source === 'headers' ? 'all headers' : field.source;
}

/** The first added field whose name the object has at its top level, or undefined. */
export function takenKafkaField(fields: readonly KafkaField[], json: JsonObject): KafkaField | undefined {
	return fields.find((field) => Object.hasOwn(json, field.name));
}

/**
 * The added fields' values for one message, in the configured order. `decodedKey`: the key as the
 * Schema Registry decoded it (registry-messages.ts), when it was written in the registry's wire format.
 */
export function kafkaFieldValues(fields: readonly KafkaField[], message: KafkaMessage, topic: string, partition: number, decodedKey?: JsonValue): JsonObject {
	const values: JsonObject = {};
	for (const field of fields) values[field.name] = valueOf(field, message, topic, partition, decodedKey);
	return values;
}

function valueOf(field: KafkaField, message: KafkaMessage, topic: string, partition: number, decodedKey: JsonValue | undefined): JsonValue {
	switch (field.source) {
		case 'key':
			if (decodedKey !== undefined) return decodedKey;
			return message.key ? bufferText(message.key) : null;
		case 'header':
			return headerValue(message.headers, field.header ?? '');
		case 'headers': {
			const all: JsonObject = {};
			for (const name of Object.keys(message.headers ?? {})) all[name] = headerValue(message.headers, name);
			return all;
		}
		case 'topic':
			return topic;
		case 'partition':
			return partition;
		case 'offset':
			return message.offset;
		case 'timestamp': {
			const ms = Number(message.timestamp);
			return Number.isFinite(ms) && ms >= 0 ? new Date(ms).toISOString() : null;
		}
	}
}

/**
 * A header's value: text, null when the message has no such header or the header has no value (Kafka
 * allows one; kafkajs decodes it as null, which crashed bufferText and held the partition for good),
 * a repeated header's values joined by commas (one without a value is empty there).
 */
export function headerValue(headers: IHeaders | undefined, name: string): string | null {
	const value = headers?.[name] as HeaderValue | HeaderValue[] | undefined;
	if (value === undefined || value === null) return null;
	return Array.isArray(value) ? value.map((one) => headerText(one) ?? '').join(',') : headerText(value);
}

/** What kafkajs 2.2.4 decodes a header's value into (protocol/recordBatch/header/v0/decoder.js readVarIntBytes: null for length -1). */
type HeaderValue = Buffer | string | null;

function headerText(value: HeaderValue): string | null {
	if (value === null) return null;
	return typeof value === 'string' ? value : bufferText(value);
}

/** UTF-8 when it is text (keys and headers almost always are), base64 otherwise (binary-bytes.ts). */
export function bufferText(buffer: Buffer): string {
	return isTextBytes(buffer) ? buffer.toString('utf8') : buffer.toString('base64');
}

/**
 * The names of the added fields, as the trigger marks them on each item (`_doris.kafkaFields`) and
 * packed item (`packedRows.doris.kafkaFields`): the Doris Schema node then takes them from the item's
 * top level also when it reads the row elsewhere (a Debezium envelope's `after`, a Source Path's
 * target), where they were lost. A value that has one of the names itself goes to Invalid (takenKafkaField),
 * so on an item or line the names stand for the added fields only.
 */
export function kafkaFieldNames(fields: readonly KafkaField[]): string[] {
	return fields.map((field) => field.name);
}

/** Sets each added field (the caller made sure the object has none of them: takenKafkaField). */
export function addKafkaFields(json: JsonObject, values: JsonObject): void {
	for (const name of Object.keys(values)) json[name] = values[name];
}

/** A value spliceKafkaFields did not splice as it has one of the names at its top level: it goes the per-message way, to Invalid. */
export interface TakenName {
	taken: string;
}

/**
 * A JSON object's text with the added fields spliced in after its opening brace; null when the text
 * is not one well-formed JSON object (the line then goes on unchanged and the Doris Schema node
 * reports what it is). Spliced into a malformed value (`{"id":1,`, `{"id":1} trailing`), the fields
 * made the Doris Schema node's parse error and its dead letter carry `{"topic":"t","id":1,` instead
 * of the message as it came, which cannot be inspected or replayed; the value is scanned, not parsed
 * (json-object-text.ts). An object that already has one of the names at its top level is not spliced
 * ({taken}: the caller sends the message the per-message way, where it goes to Invalid): the line must
 * not hold a key twice, and its own value must not win silently either. Doris' JSON reader does not
 * take the last of two equal keys: NewJsonReader::_simdjson_set_column_value (be/src/vec/exec/format/
 * json/new_json_reader.cpp) writes each key it meets into its column, so a repeated key is written
 * twice for one row (a block whose columns disagree in length), and no version documents a rule for it.
 */
export function spliceKafkaFields(text: string, values: JsonObject): string | TakenName | null {
	const own = ownTopLevelNames(text, Object.keys(values));
	if (own === null) return null;
	if (own.length > 0) return { taken: own[0] };
	const fields = JSON.stringify(values).slice(1, -1);
	if (fields === '') return text;
	// The text before the opening brace (JSON whitespace, a byte-order mark at the start) is dropped.
	let open = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
	while (isJsonSpace(text.charCodeAt(open))) open++;
	let next = open + 1;
	while (next < text.length && isJsonSpace(text.charCodeAt(next))) next++;
	const separator = text[next] === '}' ? '' : ',';
	return `{${fields}${separator}${text.slice(open + 1)}`;
}

function isJsonSpace(code: number): boolean {
	return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
