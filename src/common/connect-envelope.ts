/**
 * Kafka Connect's JSON converter with `schemas.enable=true` writes every value as
 * `{"schema": {...}, "payload": {...}}`: the schema names each field's logical type (Debezium change
 * events are written this way by default). decodeConnectPayload walks the payload along its schema
 * (structs by field name, arrays, maps) and decodes each value whose schema names a logical type
 * (connect-logical.ts); everything else is returned as it was. Fields the schema does not list are
 * kept as they are.
 *
 * A value that does not fit its declared type fails the whole record with the field's path, the
 * value and the type, so the row goes to the invalid output with that reason instead of loading a
 * wrong value.
 */
import { connectLogicalDecoder, LogicalValueError } from './connect-logical';
import { setOwn } from './own-property';

/** The parts of a Connect schema (org.apache.kafka.connect.json.JsonSchema) this walk reads. */
interface ConnectSchema {
	type?: unknown;
	name?: unknown;
	parameters?: Record<string, string>;
	fields?: unknown;
	items?: unknown;
	values?: unknown;
	/** The field's name, on the schemas in a struct's `fields`. */
	field?: unknown;
}

export interface ConnectDecodeFailure {
	/** Dot path of the field from the payload, e.g. `payload.after.amount`. */
	path: string;
	/** The schema name that could not be applied. */
	type: string;
	value: unknown;
	message: string;
}

export type ConnectDecodeResult = { ok: true; value: unknown } | { ok: false; failure: ConnectDecodeFailure };

class FieldError extends Error {
	constructor(
		readonly failure: ConnectDecodeFailure,
	) {
		super(failure.message);
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `item` has the converter's `{schema, payload}` shape with a Connect schema. */
export function isConnectEnvelope(item: Record<string, unknown>): boolean {
	const schema = item.schema;
	return isObject(schema) && typeof schema.type === 'string' && 'payload' in item;
}

/** Decodes `payload` along `schema`; `path` names the payload in failure messages. */
export function decodeConnectPayload(schema: unknown, payload: unknown, path = 'payload'): ConnectDecodeResult {
	try {
		return { ok: true, value: decode(schema, payload, path) };
	} catch (error) {
		if (error instanceof FieldError) return { ok: false, failure: error.failure };
		throw error;
	}
}

function decode(schemaValue: unknown, value: unknown, path: string): unknown {
	if (value === null || value === undefined || !isObject(schemaValue)) return value;
	const schema = schemaValue as ConnectSchema;
	const decoder = connectLogicalDecoder(schema.name);
	if (decoder !== undefined) {
		try {
			return decoder(value, schema.parameters);
		} catch (error) {
			if (!(error instanceof LogicalValueError)) throw error;
			const type = String(schema.name);
			throw new FieldError({ path, type, value, message: `${path}: ${error.message}, as ${type} requires` });
		}
	}
	switch (schema.type) {
		case 'struct':
			return Array.isArray(schema.fields) && isObject(value) ? decodeStruct(schema.fields, value, path) : value;
		case 'array':
			return Array.isArray(value) ? value.map((element, i) => decode(schema.items, element, `${path}[${i}]`)) : value;
		case 'map':
			// Maps with string keys are JSON objects; other keys come as [key, value] pairs, left as they are.
			if (!isObject(value)) return value;
			return decodeMapValues(schema.values, value, path);
		default:
			return value;
	}
}

function decodeStruct(fields: unknown[], value: Record<string, unknown>, path: string): Record<string, unknown> {
	const out: Record<string, unknown> = { ...value };
	for (const field of fields) {
		if (!isObject(field) || typeof field.field !== 'string') continue;
		const name = field.field;
		// Own keys only: `"constructor" in value` is true of every object, absent or not.
		if (Object.hasOwn(value, name)) setOwn(out, name, decode(field, value[name], `${path}.${name}`));
	}
	return out;
}

function decodeMapValues(schema: unknown, value: Record<string, unknown>, path: string): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value)) setOwn(out, key, decode(schema, value[key], `${path}[${JSON.stringify(key)}]`));
	return out;
}
