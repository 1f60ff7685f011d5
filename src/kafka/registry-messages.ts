/**
 * Schema Registry messages into trigger items: the asynchronous path of the message parser
 * (message-parser.ts), which asks the registry for each value's (and, when read, each key's) writer
 * schema. Guarantees as for the other formats: one item per message, in offset order, a value that
 * cannot be decoded becoming its `_parseError` item; what differs here is the key decoded through the
 * registry (withRegistryKey), the value's Connect schema for `_kafka` and packed items, and the one
 * error thrown: SchemaRegistryUnavailableError, a registry that cannot be asked, which fails the whole
 * chunk so it is fetched again later (schema-registry-errors.ts).
 */
import { isUtf8 } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';

import type { JsonValue } from '../common/exact-json';
import { decodedDepthError } from '../common/json-depth';
import { ALL_METADATA } from '../common/metadata-needs';
import { addItem, endPacked, parseError, withKafkaFields, type Decoded } from './message-items';
import type { MessageParserOptions, ParsedChunk } from './message-parser';
import { lineSchemas, trustedKeySchemaIds, tryMetadataKey, untrustedKeyReason, type MetadataKeyBudget } from './metadata-keys';
import { PackedLinesBuilder } from './packed-lines';
import type { SchemaRegistryDecoder } from './schema-registry';
import { SchemaRegistryUnavailableError } from './schema-registry-errors';
import { isRegistryKey, registryKeyDelete } from './tombstone-keys';

/** Parses messages[from, to) of one partition in Schema Registry mode (MessageParser.parse). */
export async function parseWithRegistry(
	options: MessageParserOptions,
	registry: SchemaRegistryDecoder,
	budget: MetadataKeyBudget,
	messages: KafkaMessage[],
	from: number,
	to: number,
	topic: string,
	partition: number,
): Promise<ParsedChunk> {
	const pending: Array<Promise<Decoded> | null> = [];
	const keyField = options.kafkaFields?.some((field) => field.source === 'key') === true;
	// `_kafka` of a per-message item carries the key decoded and the value's Connect schema, which the
	// Doris Schema node's Create Missing Tables reads (item-contract.ts KafkaMessageMetadata), each only when a
	// node downstream reads it (metadata-needs.ts): the schema is kilobytes per item. Lines carry no `_kafka`:
	// a packed item carries their Connect schemas per run instead (PackedRows.connectSchemas).
	const metadata = options.includeMetadata && options.output !== 'batch';
	const needs = options.metadataNeeds ?? ALL_METADATA;
	const keyForMetadata = metadata && needs.decodedKey;
	const packedSchemas = options.includeMetadata && options.output === 'batch' && registry.connectSchema !== undefined;
	// A key's schema is known once a key of its id was decoded: for packed runs, one key tried per chunk (metadata-keys.ts).
	if ((keyForMetadata || packedSchemas) && !keyField) await tryMetadataKey(registry, budget, messages, from, to, topic);
	for (let i = from; i < to; i++) {
		const { key, value } = messages[i];
		if (value === null) {
			pending.push(options.tombstones === 'delete' ? registryKeyDelete(registry, key ?? null, options.tombstoneKeyColumn) : null);
			continue;
		}
		let decoded = registry.decode(value).then((json) => toDecoded(json, value), (error: unknown) => registryError(error, value));
		if (metadata && needs.valueSchema && registry.connectSchema !== undefined) decoded = decoded.then((result) => withValueSchema(registry, result, value));
		if (!key || !isRegistryKey(key) || !(keyField || keyForMetadata)) pending.push(decoded);
		else if (keyField || budget.decodes(topic)) pending.push(withRegistryKey(registry, decoded, key, value, !keyField, keyForMetadata ? topic : undefined));
		else pending.push(decoded.then((result) => (result.json ? { ...result, keyError: budget.reason(topic) } : result)));
	}
	const decoded = await Promise.all(pending);
	const chunk: ParsedChunk = { items: [], parseErrors: 0, tombstonesSkipped: 0 };
	if (options.output === 'batch') {
		// A decoded record is JSON-safe (schema-registry.ts toJsonSafe) and JSON.stringify writes no line break.
		const lines = new PackedLinesBuilder();
		const trustedKeys = packedSchemas ? await trustedKeySchemaIds(registry, messages, from, to, topic) : new Set<number>();
		for (let k = 0; k < decoded.length; k++) {
			const result = decoded[k];
			const message = messages[from + k];
			const row = result?.json ? withKafkaFields(options, result.json, message, topic, partition, result.key) : undefined;
			if (row) lines.addText(JSON.stringify(row), topic, partition, message.offset, packedSchemas ? lineSchemas(registry, message, trustedKeys) : undefined);
			else addItem(chunk, options, result, message, topic, partition, lines);
		}
		endPacked(chunk, lines, options);
		return chunk;
	}
	for (let k = 0; k < decoded.length; k++) addItem(chunk, options, decoded[k], messages[from + k], topic, partition, undefined);
	return chunk;
}

/**
 * The value's result with its key decoded through the registry too (Add Kafka Fields takes the key, or
 * `_kafka` carries it): producers that write values with a registry serializer usually write keys with
 * one (Debezium's AvroConverter does both), and such a key read as text is its wire header and binary
 * record, control characters and all, which loaded into a VARCHAR without a word, and named no key
 * column to Create Missing Tables. A key that cannot be decoded sends the message to the invalid output
 * when it is a field of the row, saying so; decoded only `forMetadata`, the reason goes with the row in
 * `_kafka.keyError`. For `_kafka` (`checkedFor`: the topic) a key decoded is trusted only when its schema
 * id is one of the topic's key schemas (key-subjects.ts): else `keyError` says why (a field of the row
 * still gets the key). A registry that cannot be asked holds the partition, as for the value.
 */
async function withRegistryKey(
	registry: SchemaRegistryDecoder,
	decoded: Promise<Decoded>,
	key: Buffer,
	value: Buffer,
	forMetadata: boolean,
	checkedFor: string | undefined,
): Promise<Decoded> {
	const [result, keyResult] = await Promise.all([decoded, registry.decode(key).then((json) => ({ json }), (error: unknown) => ({ error }))]);
	if (!('error' in keyResult)) {
		if (!result.json) return result;
		const untrusted = checkedFor === undefined ? undefined : await untrustedKeyReason(registry, checkedFor, key);
		if (untrusted === undefined) return { ...result, key: keyResult.json };
		return forMetadata ? { ...result, keyError: untrusted } : { ...result, key: keyResult.json, keyError: untrusted };
	}
	if (keyResult.error instanceof SchemaRegistryUnavailableError) throw keyResult.error;
	const reason = keyResult.error instanceof Error ? keyResult.error.message : String(keyResult.error);
	const failure = `the message key (in the Schema Registry's wire format, schema id ${key.readInt32BE(1)}) could not be decoded: ${reason}`;
	if (!result.json) return result;
	return forMetadata ? { ...result, keyError: failure } : registryError(new Error(failure), value);
}

/** A decoded value's result with its Connect schema (schema-registry.ts connectSchema), when the writer schema is Avro. */
function withValueSchema(registry: SchemaRegistryDecoder, result: Decoded, value: Buffer): Decoded {
	const valueSchema = result.json ? registry.connectSchema?.(value) : undefined;
	return valueSchema === undefined ? result : { ...result, valueSchema };
}

function toDecoded(value: JsonValue, encoded: Buffer): Decoded {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return { error: parseError('not_object', 'Schema Registry value is not a record/object', JSON.stringify(value), 'utf8') };
	}
	// An Avro recursive record, a Protobuf message in a message, JSON Schema's JSON: as deep as the
	// producer likes, and an item that deep fails every execution carrying it (json-depth.ts).
	const tooDeep = decodedDepthError(value, encoded.length);
	if (tooDeep !== undefined) return registryError(new Error(tooDeep), encoded);
	return { json: value };
}

function registryError(error: unknown, value: Buffer): Decoded {
	if (error instanceof SchemaRegistryUnavailableError) throw error;
	const message = error instanceof Error ? error.message : String(error);
	const utf8 = isUtf8(value);
	return {
		error: parseError('schema_registry', message, utf8 ? value.toString('utf8') : value.toString('base64'), utf8 ? 'utf8' : 'base64'),
	};
}
