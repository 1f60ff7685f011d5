/**
 * Decoding through a Confluent-compatible Schema Registry (Confluent, or Apicurio's ccompat API) with
 * @kafkajs/confluent-schema-registry: Avro, JSON Schema and Protobuf, schema looked up by the id in
 * the wire format's 5-byte header and cached by the client. The decoded value is made JSON-safe here
 * (bytes → base64, bigint → number or exact string), since n8n execution data must serialise.
 *
 * Avro `long` beyond 2^53: avsc refuses to decode it ("potential precision loss") instead of
 * rounding, so such a message becomes a parse-error item with its raw bytes, never a wrong number.
 *
 * Protobuf: the library parses schemas with protobufjs' defaults, so field names come out in
 * lowerCamelCase (`ship_to` → `shipTo`, as in the proto3 JSON mapping), and only the first message
 * type of a schema is decoded (message indexes in the wire header are skipped, not read).
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

import type { JsonValue } from '../common/exact-json';

export interface SchemaRegistrySettings {
	/** Base URL of the Confluent-compatible API, e.g. http://registry:8081 or …/apis/ccompat/v7. */
	url: string;
	username?: string;
	/** Never logged. */
	password?: string;
}

export interface SchemaRegistryDecoder {
	decode(value: Buffer): Promise<JsonValue>;
}

export function createSchemaRegistryDecoder(settings: SchemaRegistrySettings): SchemaRegistryDecoder {
	let url: URL;
	try {
		url = new URL(settings.url);
	} catch {
		throw new Error(`Schema Registry URL "${settings.url}" is not a URL`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new Error(`Schema Registry URL "${settings.url}" must start with http:// or https://`);
	}
	if (url.username || url.password) {
		throw new Error('Schema Registry URL must not carry a user or password; use the username and password fields');
	}
	const registry = new SchemaRegistry({
		host: settings.url.replace(/\/+$/, ''),
		...(settings.username ? { auth: { username: settings.username, password: settings.password ?? '' } } : {}),
		clientId: 'n8n-doris-sinker',
	});
	return {
		decode: async (value: Buffer) => toJsonSafe(plainProtobuf(await registry.decode(value))),
	};
}

/** The reflection protobufjs hangs on every decoded message's prototype. */
interface ProtobufMessage {
	$type: { toObject(message: object, options: { defaults: boolean; enums: StringConstructor }): Record<string, unknown> };
}

function isProtobufMessage(value: unknown): value is ProtobufMessage {
	const type = (value as { $type?: { toObject?: unknown } } | null)?.$type;
	return typeof value === 'object' && typeof type?.toObject === 'function';
}

/**
 * A decoded Protobuf message as a plain object. proto3 does not put zero values on the wire
 * (0, "", false, empty lists), so the decoded message lacks those fields: without `defaults` a row
 * with `qty = 0` would reach Doris as NULL (or be rejected by a NOT NULL column). Fields with
 * presence (`optional`, oneof members) stay absent when unset. Enums by name, as the proto3 JSON
 * mapping writes them (https://protobuf.dev/programming-guides/json/). 64-bit integers stay protobufjs
 * Longs here; toJsonSafe makes them exact.
 */
function plainProtobuf(value: unknown): unknown {
	return isProtobufMessage(value) ? value.$type.toObject(value, { defaults: true, enums: String }) : value;
}

/** Protobuf/Avro decoders hand back Buffers, bigints, Longs and class instances; keep plain JSON. */
export function toJsonSafe(value: unknown): JsonValue {
	if (value === null || value === undefined) return null;
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return value;
		case 'number':
			return Number.isFinite(value) ? value : String(value);
		case 'bigint':
			return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
		case 'object':
			break;
		default:
			return String(value);
	}
	if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
	if (Array.isArray(value)) return value.map(toJsonSafe);
	if (value instanceof Date) return value.toISOString();
	// protobufjs Long: { low, high, unsigned, toString() }
	const maybeLong = value as { low?: unknown; high?: unknown; toString(): string };
	if (typeof maybeLong.low === 'number' && typeof maybeLong.high === 'number') {
		return toJsonSafe(BigInt(maybeLong.toString()));
	}
	const out: Record<string, JsonValue> = {};
	for (const [key, field] of Object.entries(value)) {
		if (field !== undefined) out[key] = toJsonSafe(field);
	}
	return out;
}
