/**
 * The Kafka Connect schema (as Kafka's JsonConverter writes it: `{type: "struct", fields: [{field,
 * type, name, parameters, optional}]}`) of a message's Avro writer schema, which the trigger puts in
 * `_kafka.valueSchema` (message-items.ts) for the Doris Schema node's Create Missing Tables: it reads a
 * Connect schema for column types (src/doris/schema/column-types.ts columnFromConnect), and the decoded
 * Avro value alone says too little. A `double` of 3.0 decodes to the number 3, guessed BIGINT, so the
 * table refused every later 3.5 for good; a `date` or `timestamp-micros` decodes to text, guessed
 * STRING; a `decimal` to text too.
 *
 * Types, as Confluent's AvroConverter maps them (io.confluent.connect.avro.AvroData toConnectSchema):
 * int → int32 (int8 / int16 by `connect.type`), long → int64, float → float32, double → float64,
 * boolean, string, bytes and fixed → bytes, enum → string, array → array, map → map, record → struct;
 * a union of null and one type is that type, optional; a union of more types has no `type` here (the
 * Doris Schema node then infers its column from the value). A schema's `connect.name` and
 * `connect.parameters` (Debezium's io.debezium.time.*, Decimal, Json, …) are its Connect name and
 * parameters. Avro's own logical types get the Connect names whose Doris types hold them: decimal →
 * Decimal with its scale and precision, date → Date, time-* → Time, timestamp-millis → Timestamp,
 * timestamp-micros / -nanos → MicroTimestamp / NanoTimestamp (DATETIME(6)), the local-timestamp-*
 * alike, uuid → Uuid. A logical type with invalid attributes is its underlying type, as avsc reads it
 * (avro-logical-types.ts). No defaults are carried: an Avro default is not in Connect's encoding.
 *
 * Named types are resolved by full name (Debezium's `after` names the record `before` defined); a
 * record met again inside itself (recursion) is a struct without fields (a JSON column).
 */
import type { JsonObject, JsonValue } from '../common/exact-json';

const PRIMITIVE: Readonly<Record<string, string>> = { int: 'int32', long: 'int64', float: 'float32', double: 'float64', boolean: 'boolean', string: 'string', bytes: 'bytes' };

/** Avro logical types (spec 1.12) by the Connect name whose Doris column holds what avro-logical-types.ts decodes them to. */
const LOGICAL: Readonly<Record<string, { name: string; on: readonly string[] }>> = {
	date: { name: 'org.apache.kafka.connect.data.Date', on: ['int'] },
	'time-millis': { name: 'org.apache.kafka.connect.data.Time', on: ['int'] },
	'time-micros': { name: 'io.debezium.time.MicroTime', on: ['long'] },
	'timestamp-millis': { name: 'org.apache.kafka.connect.data.Timestamp', on: ['long'] },
	'timestamp-micros': { name: 'io.debezium.time.MicroTimestamp', on: ['long'] },
	'timestamp-nanos': { name: 'io.debezium.time.NanoTimestamp', on: ['long'] },
	'local-timestamp-millis': { name: 'org.apache.kafka.connect.data.Timestamp', on: ['long'] },
	'local-timestamp-micros': { name: 'io.debezium.time.MicroTimestamp', on: ['long'] },
	'local-timestamp-nanos': { name: 'io.debezium.time.NanoTimestamp', on: ['long'] },
	uuid: { name: 'io.debezium.data.Uuid', on: ['string', 'fixed'] },
};

const DECIMAL = 'org.apache.kafka.connect.data.Decimal';

function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Context {
	/** Named types (record, enum, fixed) by full name, as met. */
	named: Map<string, JsonObject>;
	/** Records being translated (a reference to one is recursion). */
	open: Set<string>;
}

function fullName(name: string, namespace: string | undefined): string {
	return name.includes('.') || namespace === undefined || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(full: string): string | undefined {
	const dot = full.lastIndexOf('.');
	return dot < 0 ? undefined : full.slice(0, dot);
}

/** The Connect schema of an Avro writer schema (its JSON), undefined when it is no record. */
export function connectSchemaOfAvro(schema: JsonValue): JsonObject | undefined {
	const connect = translate(schema, undefined, { named: new Map(), open: new Set() });
	return connect.type === 'struct' ? connect : undefined;
}

function translate(schema: JsonValue, namespace: string | undefined, context: Context): JsonObject {
	if (typeof schema === 'string') return PRIMITIVE[schema] === undefined ? reference(schema, namespace, context) : { type: PRIMITIVE[schema] };
	if (Array.isArray(schema)) return union(schema, namespace, context);
	if (!isObject(schema)) return {};
	const type = schema.type;
	if (isObject(type) || Array.isArray(type)) return translate(type, namespace, context);
	if (typeof type !== 'string') return {};
	switch (type) {
		case 'record':
		case 'error':
			return record(schema, namespace, context);
		case 'enum':
			define(schema, namespace, context);
			return { type: 'string' };
		case 'fixed':
			define(schema, namespace, context);
			return withConnectName(schema, logical(schema, 'fixed') ?? { type: 'bytes' });
		case 'array':
			return { type: 'array', items: translate(schema.items ?? null, namespace, context) };
		case 'map':
			return { type: 'map', keys: { type: 'string' }, values: translate(schema.values ?? null, namespace, context) };
		default: {
			const primitive = PRIMITIVE[type];
			if (primitive === undefined) return reference(type, namespace, context);
			const connectType = type === 'int' && (schema['connect.type'] === 'int8' || schema['connect.type'] === 'int16') ? schema['connect.type'] : primitive;
			return withConnectName(schema, logical(schema, type) ?? { type: connectType });
		}
	}
}

/**
 * A schema's `connect.name` and `connect.parameters` (Confluent's AvroConverter writes the parameters
 * also without a name: Debezium's `__debezium.source.column.length` on a string) over its Avro logical type.
 */
function withConnectName(schema: JsonObject, connect: JsonObject): JsonObject {
	const name = schema['connect.name'];
	const own = schema['connect.parameters'];
	if (typeof name !== 'string') return isObject(own) ? { ...connect, parameters: own } : connect;
	const parameters = isObject(own) ? own : name === DECIMAL ? connect.parameters : undefined;
	return { type: connect.type ?? null, name, ...(parameters === undefined ? {} : { parameters }) };
}

/** The Connect form of an Avro logical type on `underlying`, undefined when there is none or its attributes are invalid. */
function logical(schema: JsonObject, underlying: string): JsonObject | undefined {
	const logicalType = schema.logicalType;
	if (typeof logicalType !== 'string') return undefined;
	if (logicalType === 'decimal') {
		if (underlying !== 'bytes' && underlying !== 'fixed') return undefined;
		const precision = schema.precision;
		const scale = schema.scale ?? 0;
		if (typeof precision !== 'number' || !Number.isInteger(precision) || precision <= 0) return undefined;
		if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) return undefined;
		return { type: 'bytes', name: DECIMAL, parameters: { scale: String(scale), 'connect.decimal.precision': String(precision) } };
	}
	const known = LOGICAL[logicalType];
	if (known === undefined || !known.on.includes(underlying)) return undefined;
	if (logicalType === 'uuid' && underlying === 'fixed' && schema.size !== 16) return undefined;
	return { type: underlying === 'fixed' ? 'string' : PRIMITIVE[underlying], name: known.name };
}

function define(schema: JsonObject, namespace: string | undefined, context: Context): string | undefined {
	if (typeof schema.name !== 'string') return undefined;
	const own = typeof schema.namespace === 'string' ? schema.namespace : namespace;
	const full = fullName(schema.name, own);
	context.named.set(full, schema);
	return full;
}

function record(schema: JsonObject, namespace: string | undefined, context: Context): JsonObject {
	const full = define(schema, namespace, context);
	const inner = full === undefined ? namespace : namespaceOf(full);
	if (full !== undefined) context.open.add(full);
	const fields: JsonObject[] = [];
	for (const field of Array.isArray(schema.fields) ? schema.fields : []) {
		if (!isObject(field) || typeof field.name !== 'string') continue;
		fields.push({ ...translate(field.type ?? null, inner, context), field: field.name });
	}
	if (full !== undefined) context.open.delete(full);
	return { type: 'struct', ...(full === undefined ? {} : { name: full }), optional: false, fields };
}

/** A named type met by name: translated again where it is used (Debezium's `after` is `before`'s record). */
function reference(name: string, namespace: string | undefined, context: Context): JsonObject {
	const full = context.named.has(fullName(name, namespace)) ? fullName(name, namespace) : name;
	const defined = context.named.get(full);
	if (defined === undefined) return {};
	if (context.open.has(full)) return { type: 'struct', name: full, optional: false };
	return translate(defined, namespaceOf(full), context);
}

function union(branches: JsonValue[], namespace: string | undefined, context: Context): JsonObject {
	const types = branches.filter((branch) => branch !== 'null');
	if (types.length !== 1) {
		// Each branch still defines its names, for references after it.
		for (const branch of types) translate(branch, namespace, context);
		return { optional: true };
	}
	return { ...translate(types[0], namespace, context), optional: branches.length > 1 };
}
