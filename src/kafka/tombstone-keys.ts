/**
 * Tombstones "Delete the Row of Its Key": on a compacted changelog a tombstone (value null) is the
 * delete of its key (Debezium's ExtractNewRecordState with `drop.tombstones=false` and deletes not
 * rewritten; Confluent's JDBC sink deletes by the record key on one, `delete.enabled=true`,
 * `pk.mode=record_key`). Skipped, the deleted row stayed in Doris without a word. Here the key is
 * decoded as the values are (JSON text, a Kafka Connect `{schema, payload}` envelope's payload with
 * its logical types decoded, a Schema Registry key by the id in its own wire header) and becomes the
 * row of its fields with Doris' delete sign, which the Doris Schema node turns into a delete (a
 * UNIQUE KEY table only; `delete_unsupported` and `delete_sequence` otherwise).
 *
 * A plain key (one value: `42`, `"abc"`, a StringSerializer's `user-42`, an Avro `long` key) names no
 * column by itself. With the option "Tombstone Key Column for Plain Keys" set it becomes
 * `{<column>: key}`, as Confluent's JDBC sink takes a primitive key with `pk.mode=record_key` and
 * `pk.fields=<column>`.
 *
 * A key that names no row (null, not an object / record without that option, undecodable, empty)
 * becomes the same error item as an undecodable value (`_parseError`, kind `tombstone`, the
 * reason and the raw key), so the delete is on the invalid output and in the dead letters, never
 * dropped. A registry that cannot be asked holds the partition, as for a value.
 */
import { isUtf8 } from 'node:buffer';

import { decodeConnectPayload, isConnectEnvelope } from '../common/connect-envelope';
import { parseJsonExact, withoutByteOrderMark, type JsonObject, type JsonValue } from '../common/exact-json';
import { DELETE_SIGN_COLUMN, ITEM_OWN_FIELDS, type ParseErrorInfo } from '../common/item-contract';
import { holdsControlBytes } from './binary-bytes';
import type { SchemaRegistryDecoder } from './schema-registry';
import { SchemaRegistryUnavailableError } from './schema-registry-errors';

/** A message decoded into a row, or the reason it could not be (message-parser.ts's Decoded). */
export interface KeyDelete {
	json?: JsonObject;
	error?: ParseErrorInfo;
	/** The key decoded through the Schema Registry, for Add Kafka Fields' key field. */
	key?: JsonValue;
}

/**
 * A key in the registry's wire format: the magic byte 0 and a 4-byte schema id, which registries number
 * from 1. Id 0 is a binary key that only looks like it: Kafka's LongSerializer writes every key below
 * 2^32 as 0x00 0x00 0x00 0x00 and four bytes, and looking those up sent every message to Invalid.
 */
export function isRegistryKey(bytes: Buffer): boolean {
	return bytes.length >= 5 && bytes[0] === 0 && bytes.readInt32BE(1) > 0;
}

function keyError(message: string, key: Buffer | null): KeyDelete {
	const utf8 = key === null || isUtf8(key);
	return {
		error: {
			kind: 'tombstone',
			message: `a tombstone (null value) deletes the row of its key, but ${message}`,
			raw: key === null ? null : utf8 ? key.toString('utf8') : key.toString('base64'),
			rawEncoding: utf8 ? 'utf8' : 'base64',
		},
	};
}

function shape(value: JsonValue): string {
	return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * The trigger option "Tombstone Key Column for Plain Keys", checked: the column name (trimmed), or undefined when it is
 * empty (off). Throws naming the setting, the value and the rule.
 */
export function plainKeyColumn(raw: string | undefined, tombstones: string): string | undefined {
	const column = (raw ?? '').trim();
	if (column === '') return undefined;
	const refuse = (rule: string): never => {
		throw new Error(`Tombstone Key Column for Plain Keys ${JSON.stringify(raw)}: ${rule}`);
	};
	if (tombstones !== 'delete') refuse(`it names the column of a tombstone's plain key, so it applies only with Tombstones "Delete the Row of Its Key" (Tombstones is "${tombstones}"); clear it or set Tombstones so`);
	// eslint-disable-next-line no-control-regex -- control characters are what is refused.
	if (/[\x00-\x1f\x7f]/.test(column)) refuse('a column name holds no control character (CR, LF, tab or similar)');
	if (ITEM_OWN_FIELDS.has(column)) refuse(`"${column}" is a field the Doris nodes read as the item's own, never a column; name the table's key column`);
	// The Doris Schema node reads a column by its own name, and a dot there is a path (payload.id).
	if (column.includes('.')) refuse('a dot would be read as a path into the row by the Doris Schema node; name the key column itself');
	return column;
}

/** A key that is one value: JSON text's number, string or boolean, or a registry's primitive. */
function isPlain(value: JsonValue): value is string | number | boolean {
	return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * The delete row of a decoded key: its fields and the sign, or why the key names no row. A plain key
 * takes `plainColumn` when set; `numberText`, the key's own text when it is a JSON number, is what goes
 * into the row (Doris casts it into the column), so a string key column's "1.50" stays "1.50" and
 * does not become 1.5, another key (the delete loaded and deleted nothing).
 */
function deleteRow(decoded: JsonValue, key: Buffer, what: string, plainColumn: string | undefined, numberText?: string): KeyDelete {
	if (plainColumn !== undefined && isPlain(decoded)) {
		return { json: { [plainColumn]: typeof decoded === 'number' && numberText !== undefined ? numberText : decoded, [DELETE_SIGN_COLUMN]: 1 } };
	}
	if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
		const hint = isPlain(decoded) ? '; set Tombstone Key Column for Plain Keys (trigger option) to the key column it names' : '';
		return keyError(`its key (${what}) is ${shape(decoded)}, not an object naming the key columns${hint}`, key);
	}
	const fields = Object.keys(decoded).filter((name) => name !== DELETE_SIGN_COLUMN);
	if (fields.length === 0) return keyError(`its key (${what}) has no field to name a row by`, key);
	return { json: { ...decoded, [DELETE_SIGN_COLUMN]: 1 } };
}

/**
 * A key that is no JSON text, taken as text with Tombstone Key Column for Plain Keys (a StringSerializer's
 * `user-42`): not one that starts as an object or array would (`{"id":1` cut short is no key value).
 */
function textKey(text: string): boolean {
	const first = text.trimStart()[0];
	return first !== '{' && first !== '[';
}

/**
 * Message Format JSON: the key as JSON text; a Kafka Connect envelope's payload, decoded along its
 * schema; with Tombstone Key Column for Plain Keys, a plain value or text that is no JSON.
 */
export function jsonKeyDelete(key: Buffer | null, plainColumn?: string): KeyDelete {
	if (key === null) return keyError('its key is null', null);
	if (!isUtf8(key)) return keyError('its key is not valid UTF-8 text', key);
	if (holdsControlBytes(key)) return keyError("its key holds control characters (binary bytes, as Kafka's LongSerializer writes a number), which no text key matches", key);
	const text = key.toString('utf8');
	let value: JsonValue;
	try {
		value = parseJsonExact(text);
	} catch (error) {
		if (plainColumn !== undefined && text !== '' && textKey(text)) return deleteRow(text, key, 'text', plainColumn);
		return keyError(`its key is not JSON: ${(error as Error).message}`, key);
	}
	if (value !== null && typeof value === 'object' && !Array.isArray(value) && isConnectEnvelope(value)) {
		const decoded = decodeConnectPayload(value.schema, value.payload, 'key.payload');
		if (!decoded.ok) return keyError(`its key does not fit its Kafka Connect schema: ${decoded.failure.message}`, key);
		// Logical types decode to text the Doris Schema node loads as it is; JsonText writes as its text.
		return deleteRow(JSON.parse(JSON.stringify(decoded.value ?? null)) as JsonValue, key, 'a Kafka Connect envelope', plainColumn);
	}
	return deleteRow(value, key, 'JSON', plainColumn, withoutByteOrderMark(text).trim());
}

/**
 * Message Format Schema Registry: the key decoded by the schema its own wire header names (a key
 * subject's schema, not the value's). A registry that cannot be asked rejects, as for a value.
 */
export async function registryKeyDelete(registry: SchemaRegistryDecoder, key: Buffer | null, plainColumn?: string): Promise<KeyDelete> {
	if (key === null) return keyError('its key is null', null);
	if (!isRegistryKey(key)) return keyError("its key is not in the Schema Registry's wire format (magic byte 0 and a schema id)", key);
	let decoded: JsonValue;
	try {
		decoded = await registry.decode(key);
	} catch (error) {
		if (error instanceof SchemaRegistryUnavailableError) throw error;
		return keyError(`its key (schema id ${key.readInt32BE(1)}) could not be decoded: ${error instanceof Error ? error.message : String(error)}`, key);
	}
	// Add Kafka Fields takes a registry key decoded, as for the values (registry-messages.ts withRegistryKey).
	const row = deleteRow(decoded, key, `schema id ${key.readInt32BE(1)}`, plainColumn);
	return row.json ? { ...row, key: decoded } : row;
}
