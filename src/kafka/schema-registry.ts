/**
 * Decoding through a Confluent-compatible Schema Registry (Confluent, or Apicurio's ccompat API) with
 * @kafkajs/confluent-schema-registry: Avro, JSON Schema and Protobuf, schema looked up by the id in
 * the wire format's 5-byte header and cached by the client. The decoded value is made JSON-safe here
 * (bytes → base64, bigint → number or exact string), since n8n execution data must serialise.
 *
 * Avro logical types (date, time-*, timestamp-*, local-timestamp-*, decimal, uuid, and Kafka Connect's
 * / Debezium's `connect.name` types) are decoded by their declared type into exact text
 * (avro-logical-types.ts, given to avsc through the client's Avro options).
 *
 * Avro `long` is read as a BigInt (avro-logical-types.ts), so one beyond 2^53 arrives as exact text,
 * as in the JSON path; avsc's own long would refuse the whole message. An Avro union value is the branch's
 * value itself, never avsc's `{"<branch>": value}` (isAvroBranch). JSON Schema values are read
 * with the JSON path's exact parser (decodeWireValue).
 *
 * Protobuf: the library parses schemas with protobufjs' defaults, so field names come out in
 * lowerCamelCase (`ship_to` → `shipTo`, as in the proto3 JSON mapping). The value is decoded here,
 * as the message type its wire header's message indexes name (protobuf-indexes.ts): the library
 * reads none and decodes every value as the schema's first message type. Google's well-known types
 * (Timestamp, Duration, wrappers, Struct, Any, …), which producers import without registering, are
 * added to the schema (protobuf-well-known-definitions.ts) and mapped to their row forms
 * (protobuf-well-known.ts). Custom options written
 * as aggregates with lists of messages (Kafka Connect's `confluent.field_meta`), which protobufjs 7
 * cannot parse, are dropped from the schema text first (protobuf-schema-text.ts). A value with fields
 * the id's schema does not declare is refused, naming the schema id (protobuf-unknown-fields.ts):
 * protobufjs would skip them, and their values would vanish from the row.
 */
import { isUtf8 } from 'node:buffer';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import JsonSchema from '@kafkajs/confluent-schema-registry/dist/JsonSchema';
import type { default as Ajv, ErrorObject } from 'ajv';
import avro from 'avsc';

import { parseJsonExact, type JsonObject, type JsonValue } from '../common/exact-json';
import { setOwn } from '../common/own-property';
import { logicalTypeHook } from './avro-logical-types';
import { DraftAwareAjv } from './json-schema-ajv';
import { decodeConnectTitles } from './json-schema-logical';
import type { Message, Root } from 'protobufjs';

import { decodeProtobufValue, isMessageType, type ProtobufType } from './protobuf-indexes';
import { withoutCustomOptionValues } from './protobuf-schema-text';
import { KeySubjects, type KeySubjectAnswer } from './key-subjects';
import { RegistryConnectSchemas } from './registry-connect-schemas';
import { UnknownProtobufFieldsError } from './protobuf-unknown-fields';
import { protobufRow } from './protobuf-well-known';
import { addWellKnownTypes } from './protobuf-well-known-definitions';
import { explainDecodeFailure, MissingSchemaIds, NotARegistryAnswerError, type MissingSchemaRecheck, type SchemaLookup } from './schema-registry-errors';

export interface SchemaRegistrySettings {
	/** Base URL of the Confluent-compatible API, e.g. http://registry:8081 or …/apis/ccompat/v7. */
	url: string;
	username?: string;
	/** Never logged. */
	password?: string;
	/** Each request to the registry gives up after this long (default 5 s); the client then retries GETs within ~5 s. */
	requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

export interface SchemaRegistryDecoder {
	decode(value: Buffer): Promise<JsonValue>;
	/**
	 * The Kafka Connect schema of a value decode() has decoded, from its Avro writer schema
	 * (avro-connect-schema.ts); undefined for Protobuf and JSON Schema, a value not in the wire format,
	 * or one not decoded yet. The same object for every value of a schema id.
	 */
	connectSchema?(value: Buffer): JsonObject | undefined;
	/**
	 * Whether a key's schema id is registered under the topic's key subject `<topic>-key`, before a key
	 * decoded with it is trusted for `_kafka.decodedKey` (key-subjects.ts). Absent in test doubles: trusted.
	 */
	keySubject?(topic: string, schemaId: number): Promise<KeySubjectAnswer>;
}

/** The URL without trailing slashes; throws naming the URL when it is not an http(s) URL without user info. */
export function schemaRegistryBaseUrl(raw: string): string {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new Error(`Schema Registry URL "${raw}" is not a URL`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new Error(`Schema Registry URL "${raw}" must start with http:// or https://`);
	}
	if (url.username || url.password) {
		throw new Error('Schema Registry URL must not carry a user or password; use the username and password fields');
	}
	return raw.replace(/\/+$/, '');
}

/**
 * A schema lookup (`/schemas/ids/{id}`, a reference's `/subjects/{subject}/versions/{version}`) answered
 * with success but no schema in its body is no registry's answer: a URL that is a web page, a health
 * endpoint or another API answers 200 to any path. The library read no schema from it and threw
 * "Cannot read properties of undefined (reading 'logicalType')", which sent every message to the
 * invalid output as undecodable. Refused here (NotARegistryAnswerError), so the partition is held as
 * for a URL that answers 404 without a registry error code (schema-registry-errors.ts).
 */
const schemaAnswersOnly: RegistryMiddleware = () => ({
	response: (next) =>
		next().then((response) => {
			const request = response.request();
			if (!/\/schemas\/ids\/[^/]+$|\/subjects\/[^/]+\/versions\/[^/]+$/.test(request.path())) return response;
			const raw = response.rawData();
			let body: unknown;
			try {
				body = typeof raw === 'string' ? JSON.parse(raw) : raw;
			} catch {
				body = undefined;
			}
			if (typeof body === 'object' && body !== null && typeof (body as { schema?: unknown }).schema === 'string') return response;
			const shown = typeof raw === 'string' ? (raw.length > 80 ? `${raw.slice(0, 77)}...` : raw) : String(raw);
			throw new NotARegistryAnswerError(`answered HTTP ${response.status()} to GET ${request.path()} with no schema in it (${JSON.stringify(shown)})`);
		}),
});

export function createSchemaRegistryDecoder(settings: SchemaRegistrySettings): SchemaRegistryDecoder {
	const host = schemaRegistryBaseUrl(settings.url);
	const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
	// mappersmith sets no timeout of its own: a registry that takes the request and never answers would
	// hold the partition's fetch forever.
	const timeout: RegistryMiddleware = () => ({ prepareRequest: (next) => next().then((request) => request.enhance({ timeout: timeoutMs })) });
	// Every schema the library fetches (by id, and each reference by subject and version) passes here
	// before protobufjs parses it: see protobuf-schema-text.ts.
	const parsableProtobuf: RegistryMiddleware = () => ({
		response: (next) =>
			next().then((response) => {
				const body = response.data<{ schemaType?: unknown; schema?: unknown } | null>();
				if (body?.schemaType !== 'PROTOBUF' || typeof body.schema !== 'string') return response;
				const schema = withoutCustomOptionValues(body.schema);
				return schema === body.schema ? response : response.enhance({ rawData: JSON.stringify({ ...body, schema }) });
			}),
	});
	// The writer schemas as the registry sent them, for the values' Connect schemas (registry-connect-schemas.ts).
	const connectSchemas = new RegistryConnectSchemas((schemaId) => protobufTypeOf(registry.cache.getSchema(schemaId)?.schema));
	const keepWriterSchemas: RegistryMiddleware = () => ({
		response: (next) =>
			next().then((response) => {
				const id = /\/schemas\/ids\/(\d+)$/.exec(response.request().path())?.[1];
				const body = id === undefined ? undefined : response.data<{ schemaType?: unknown; schema?: unknown } | null>();
				if (id !== undefined && typeof body?.schema === 'string') connectSchemas.remember(Number(id), body.schemaType, body.schema);
				return response;
			}),
	});
	const registry = new SchemaRegistry({
		host,
		...(settings.username ? { auth: { username: settings.username, password: settings.password ?? '' } } : {}),
		clientId: 'n8n-doris-sinker',
		middlewares: [timeout, schemaAnswersOnly, keepWriterSchemas, parsableProtobuf],
	}, {
		[SchemaType.AVRO]: { typeHook: logicalTypeHook },
		// The library's JsonOptions type wants a whole Ajv; it calls only addSchema and compile (JsonSchema.js).
		[SchemaType.JSON]: { ajvInstance: new DraftAwareAjv() as unknown as Ajv },
	});
	const authorization = settings.username ? `Basic ${Buffer.from(`${settings.username}:${settings.password ?? ''}`).toString('base64')}` : undefined;
	const get = async (path: string): Promise<{ status: number; body: unknown }> => {
		const response = await fetch(`${host}${path}`, {
			headers: authorization ? { authorization } : {},
			signal: AbortSignal.timeout(timeoutMs),
		});
		return { status: response.status, body: (await response.json().catch(() => undefined)) as unknown };
	};
	const lookup = async (schemaId: number): Promise<SchemaLookup> => {
		const { status, body } = await get(`/schemas/ids/${schemaId}`);
		const errorCode = typeof body === 'object' && body !== null ? (body as { error_code?: unknown }).error_code : undefined;
		return { status, errorCode: typeof errorCode === 'number' ? errorCode : undefined };
	};
	const keySubjects = new KeySubjects(get, host);
	// A schema the registry says it does not have is asked for again a second later, once per id.
	const recheck: MissingSchemaRecheck = { afterMs: SCHEMA_RECHECK_MS, missing: new MissingSchemaIds() };
	return {
		decode: async (value: Buffer) => {
			let decoded: unknown;
			try {
				decoded = await decodeWireValue(registry, value);
			} catch (error) {
				throw await explainDecodeFailure(error, value, host, lookup, recheck);
			}
			return toJsonSafe(decoded);
		},
		connectSchema: (value: Buffer) => connectSchemas.of(value),
		keySubject: (topic: string, schemaId: number) => keySubjects.check(topic, schemaId),
	};
}

/** How long after a 40403 the registry is asked again (schema-registry-errors.ts MissingSchemaRecheck). */
const SCHEMA_RECHECK_MS = 1000;

/**
 * A Confluent wire-format value decoded: Protobuf by its message indexes, as a plain row
 * (protobuf-well-known.ts; 64-bit integers stay Longs, toJsonSafe makes them exact); JSON Schema validated by the
 * library but read exactly (the library's JSON.parse would round an integer beyond 2^53, a snowflake
 * id, to a neighbour's value, and a long decimal to 17 digits, as the plain JSON path never does);
 * Avro by the library.
 */
async function decodeWireValue(registry: SchemaRegistry, value: Buffer): Promise<unknown> {
	if (value.length >= 5 && value[0] === 0) {
		const schemaId = value.readInt32BE(1);
		const schema = await registry.getSchema(schemaId).catch((error: unknown) => {
			// The library rethrows a schema it cannot compile or parse (a JSON Schema of a draft the decoder
			// does not know, json-schema-ajv.ts) as this error with the message alone: say which schema.
			if (error instanceof Error && error.name === 'ConfluentSchemaRegistryArgumentError') error.message = `schema id ${schemaId}: ${error.message}`;
			throw error;
		});
		if (schema instanceof JsonSchema) {
			const payload = value.subarray(5);
			// The library reads the bytes with U+FFFD in place of any that are not UTF-8; refused instead, as on the plain JSON path.
			if (!isUtf8(payload)) throw new Error(`JSON Schema value is not valid UTF-8 text (${payload.length} bytes)`);
			// Throws the library's own errors: not JSON, or a value the schema refuses.
			try {
				schema.fromBuffer(payload);
			} catch (error) {
				throw withRefusalReasons(error, schema);
			}
			return decodeConnectTitles(jsonSchemaOf(schema), parseJsonExact(payload.toString('utf8')));
		}
		const first = protobufTypeOf(schema);
		if (first !== undefined) {
			addWellKnownTypes(first.root);
			try {
				return protobufRow(decodeProtobufValue(first, value.subarray(5)) as Message);
			} catch (error) {
				// Fields the id's schema does not declare: which schema is the point (protobuf-unknown-fields.ts).
				throw error instanceof UnknownProtobufFieldsError ? error.withSchemaId(schemaId) : error;
			}
		}
	}
	return await registry.decode(value);
}

/**
 * The schema object of a JSON Schema as the library compiled it: ajv keeps it on the validate
 * function (`validate.schema`), which the library's JsonSchema holds in its (TypeScript-private)
 * `validate` field (@kafkajs/confluent-schema-registry 4.1.0, pinned); the JsonSchemaConverter
 * registry test fails if that changes.
 */
function jsonSchemaOf(schema: JsonSchema): unknown {
	return (schema as unknown as { validate?: { schema?: unknown } }).validate?.schema;
}

/**
 * The library refuses a value the schema refuses with "invalid payload" and nothing more, so an item
 * on Invalid said no more than that. Its message gets what ajv found (kept on the validate function;
 * `verbose` gives each error its value; ajv stops at the first): the field's path, its value, the rule
 * and the keyword, e.g. `invalid payload: /price 100 must be < 100 (maximum)`.
 */
function withRefusalReasons(error: unknown, schema: JsonSchema): unknown {
	const errors = (schema as unknown as { validate?: { errors?: ErrorObject[] | null } }).validate?.errors;
	if (!(error instanceof Error) || error.name !== 'ConfluentSchemaRegistryValidationError' || !errors?.length) return error;
	const reasons = errors.map((found) => `${found.instancePath || '/'} ${shortJson(found.data)} ${found.message ?? 'is refused'} (${found.keyword})`);
	error.message = `${error.message}: ${reasons.join('; ')}`;
	return error;
}

function shortJson(value: unknown): string {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The first message type of a Protobuf schema as the library parsed it, undefined for Avro and JSON
 * Schema. The library's ProtoSchema keeps it in its (TypeScript-private) `message` field
 * (@kafkajs/confluent-schema-registry 4.1.0, pinned); the Protobuf wire tests fail if that changes.
 */
function protobufTypeOf(schema: unknown): (ProtobufType & { root: Root }) | undefined {
	const message = (schema as { message?: unknown } | null)?.message;
	return typeof message === 'object' && message !== null && isMessageType(message as ProtobufType) ? (message as ProtobufType & { root: Root }) : undefined;
}

/**
 * A union value as avsc decodes a union whose branches share a JavaScript shape (two records, float
 * and double, string and an enum): wrapped as `{"<branch name>": value}` in an object of the branch's
 * class, whose prototype has `unwrap`. The row holds the value itself, as Confluent's Java
 * deserializer gives it: wrapped, a top-level union of event records (several event types in one
 * topic) became one field named after the record, so no field matched a column and the row loaded
 * NULLs, and a string branch loaded into a VARCHAR as `{"string":"abc"}`.
 */
function isAvroBranch(value: object): value is { unwrap(): unknown } {
	const prototype = Object.getPrototypeOf(value) as { constructor?: { type?: unknown } } | null;
	return prototype !== null && Object.prototype.hasOwnProperty.call(prototype, 'unwrap') && avro.Type.isType(prototype.constructor?.type);
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
	if (isAvroBranch(value)) return toJsonSafe(value.unwrap());
	if (value instanceof Date) return value.toISOString();
	// protobufjs Long: { low, high, unsigned, toString() }
	const maybeLong = value as { low?: unknown; high?: unknown; toString(): string };
	if (typeof maybeLong.low === 'number' && typeof maybeLong.high === 'number') {
		return toJsonSafe(BigInt(maybeLong.toString()));
	}
	const out: Record<string, JsonValue> = {};
	for (const [key, field] of Object.entries(value)) {
		if (field !== undefined) setOwn(out, key, toJsonSafe(field));
	}
	return out;
}
