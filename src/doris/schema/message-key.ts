/**
 * The primary key a message's Kafka key names, for a table Create Missing Tables creates
 * (table-design.ts), or why it names none, said so the user can act on it.
 *
 * Where the key is (src/common/item-contract.ts KafkaMessageMetadata), with the trigger's Include
 * Metadata and One Item per Message: `_kafka.key`, the key's text, which Debezium's JSON converter
 * writes as its key struct (`{"schema": …, "payload": {"id": 1}}` with schemas, `{"id": 1}` without);
 * with Message Format Schema Registry, `_kafka.decodedKey`, the key decoded by its own schema id (Debezium
 * with io.confluent.connect.avro.AvroConverter as key converter: a record of the key columns), or
 * `_kafka.keyError`, why it could not be. `_kafka.key` is then the wire bytes as base64, which name no
 * column: before, every new table was refused as "the message carries no Kafka key".
 */
import { isConnectEnvelope } from '../../common/connect-envelope';
import { parseJsonExact } from '../../common/exact-json';
import { KAFKA_METADATA_FIELD } from '../../common/item-contract';
import { structFields } from './column-types';

export type MessageKey = { columns: string[] } | { unknown: string };

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key value shown in a reason, cut short. */
function shown(value: unknown): string {
	const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
	return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** The field names of a decoded key record, or why it names none. */
function recordColumns(key: unknown, what: string): MessageKey {
	if (!isObject(key)) return { unknown: `its Kafka key (${what}) is the single value ${shown(key)}, which names no column` };
	const names = Object.keys(key);
	return names.length > 0 ? { columns: names } : { unknown: `its Kafka key (${what}) is a record without fields` };
}

/**
 * A key's text that is base64 of a key in a Schema Registry's wire format (magic byte 0, a schema id
 * from 1): the schema id, else undefined. Such a key is decoded only with Message Format Schema Registry.
 */
function wireFormatSchemaId(text: string): number | undefined {
	if (text.length < 8 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
	const bytes = Buffer.from(text, 'base64');
	return bytes.length >= 5 && bytes[0] === 0 && bytes.readInt32BE(1) > 0 ? bytes.readInt32BE(1) : undefined;
}

/**
 * A One Item per Batch line's key (map-targets.ts samplesOf): the field names of its run's key schema
 * (item-contract.ts PackedRows.connectSchemas), as a decoded key record would name them.
 */
function packedLineKey(keySchema: unknown): MessageKey {
	if (keySchema === undefined) {
		return { unknown: 'a packed line (One Item per Batch) names its key only by a key schema from the Schema Registry, and its run has none (a null or plain key, or none decoded yet)' };
	}
	const names = [...structFields(keySchema).keys()];
	if (names.length > 0) return { columns: names };
	const type = isObject(keySchema) && typeof keySchema.type === 'string' ? keySchema.type : 'unknown';
	return { unknown: `its Kafka key's schema (Schema Registry) is a single ${type}, which names no column` };
}

export function messageKeyOf(json: Record<string, unknown>): MessageKey {
	const meta = json[KAFKA_METADATA_FIELD];
	if (!isObject(meta)) return { unknown: "the message carries no Kafka key; turn on the trigger's Include Metadata with One Item per Message" };
	if (meta.decodedKey !== undefined) return recordColumns(meta.decodedKey, 'decoded through the Schema Registry');
	if (meta.packedLine === true) return packedLineKey(meta.keySchema);
	if (typeof meta.keyError === 'string') return { unknown: meta.keyError };
	if (meta.key === null) return { unknown: 'the message has no Kafka key (null)' };
	if (typeof meta.key !== 'string') return { unknown: "the message carries no Kafka key; turn on the trigger's Include Metadata with One Item per Message" };
	let key: unknown;
	try {
		key = parseJsonExact(meta.key);
	} catch {
		const schemaId = wireFormatSchemaId(meta.key);
		const why =
			schemaId === undefined
				? 'is not JSON naming the key columns'
				: `is in a Schema Registry's wire format (schema id ${schemaId}, shown as base64), which is decoded only with the trigger's Message Format Schema Registry`;
		return { unknown: `its Kafka key ${shown(meta.key)} ${why}` };
	}
	if (isObject(key) && isConnectEnvelope(key)) {
		const fields = [...structFields(key.schema).keys()];
		if (fields.length > 0) return { columns: fields };
		return recordColumns(key.payload, 'a Kafka Connect envelope');
	}
	return recordColumns(key, 'JSON');
}

/** The key columns a message's Kafka key names; undefined when it names none (messageKeyOf says why). */
export function keyColumnsOf(json: Record<string, unknown>): string[] | undefined {
	const key = messageKeyOf(json);
	return 'columns' in key ? key.columns : undefined;
}
