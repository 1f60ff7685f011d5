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
 * A key that names no row (null, not an object / record, undecodable, empty) becomes the same error
 * item as an undecodable value (`_parseError`, kind `tombstone`, the reason and the raw key), so the
 * delete is on the invalid output and in the dead letters, never dropped. A registry that cannot be
 * asked holds the partition, as for a value.
 */
import { isUtf8 } from 'node:buffer';

import { decodeConnectPayload, isConnectEnvelope } from '../common/connect-envelope';
import { parseJsonExact, type JsonObject, type JsonValue } from '../common/exact-json';
import { DELETE_SIGN_COLUMN, type ParseErrorInfo } from '../common/item-contract';
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

/** The delete row of a decoded key: its fields and the sign, or why the key names no row. */
function deleteRow(decoded: JsonValue, key: Buffer, what: string): KeyDelete {
	if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
		return keyError(`its key (${what}) is ${shape(decoded)}, not an object naming the key columns`, key);
	}
	const fields = Object.keys(decoded).filter((name) => name !== DELETE_SIGN_COLUMN);
	if (fields.length === 0) return keyError(`its key (${what}) has no field to name a row by`, key);
	return { json: { ...decoded, [DELETE_SIGN_COLUMN]: 1 } };
}

/** Message Format JSON: the key as JSON text; a Kafka Connect envelope's payload, decoded along its schema. */
export function jsonKeyDelete(key: Buffer | null): KeyDelete {
	if (key === null) return keyError('its key is null', null);
	if (!isUtf8(key)) return keyError('its key is not valid UTF-8 text', key);
	let value: JsonValue;
	try {
		value = parseJsonExact(key.toString('utf8'));
	} catch (error) {
		return keyError(`its key is not JSON: ${(error as Error).message}`, key);
	}
	if (value !== null && typeof value === 'object' && !Array.isArray(value) && isConnectEnvelope(value)) {
		const decoded = decodeConnectPayload(value.schema, value.payload, 'key.payload');
		if (!decoded.ok) return keyError(`its key does not fit its Kafka Connect schema: ${decoded.failure.message}`, key);
		// Logical types decode to text the Doris Schema node loads as it is; JsonText writes as its text.
		return deleteRow(JSON.parse(JSON.stringify(decoded.value ?? null)) as JsonValue, key, 'a Kafka Connect envelope');
	}
	return deleteRow(value, key, 'JSON');
}

/**
 * Message Format Schema Registry: the key decoded by the schema its own wire header names (a key
 * subject's schema, not the value's). A registry that cannot be asked rejects, as for a value.
 */
export async function registryKeyDelete(registry: SchemaRegistryDecoder, key: Buffer | null): Promise<KeyDelete> {
	if (key === null) return keyError('its key is null', null);
	if (!isRegistryKey(key)) return keyError("its key is not in the Schema Registry's wire format (magic byte 0 and a schema id)", key);
	let decoded: JsonValue;
	try {
		decoded = await registry.decode(key);
	} catch (error) {
		if (error instanceof SchemaRegistryUnavailableError) throw error;
		return keyError(`its key (schema id ${key.readInt32BE(1)}) could not be decoded: ${error instanceof Error ? error.message : String(error)}`, key);
	}
	// Add Kafka Fields takes a registry key decoded, as for the values (message-parser.ts withRegistryKey).
	const row = deleteRow(decoded, key, `schema id ${key.readInt32BE(1)}`);
	return row.json ? { ...row, key: decoded } : row;
}
