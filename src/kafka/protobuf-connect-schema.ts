/**
 * The Kafka Connect schema of a Protobuf message type, for `_kafka.valueSchema` (avro-connect-schema.ts
 * says why): the column types Create Missing Tables takes, for the row protobuf-well-known.ts makes of
 * a value (field names in lowerCamelCase, as protobufjs parsed them). A `double` of 3.0 decodes to the
 * number 3, which the Doris Schema node guessed BIGINT, refusing every later fraction.
 *
 * Scalars as Confluent's ProtobufConverter maps them (io.confluent.connect.protobuf.ProtobufData):
 * double → float64, float → float32, int32 / sint32 / sfixed32 → int32, uint32 / fixed32 → int64 (no
 * unsigned int32 in Connect), int64 / sint64 / sfixed64 → int64, bool → boolean, string → string,
 * bytes → bytes, an enum → string (its name). uint64 / fixed64 have no type here: above 2^63 they fit no
 * BIGINT, so the column is inferred from the value. repeated → array, map → map, a message → struct.
 * Well-known types as their rows are: Timestamp → DATETIME(6) (MicroTimestamp; nanoseconds are refused
 * there, as for Avro), google.type.Date → Date, TimeOfDay → Time, Duration → int64 (microseconds), the
 * wrappers → their value (optional), Struct / ListValue / Value → Json, FieldMask → string. A
 * confluent.type.Decimal has no type: its precision and scale are in each value (and in custom options
 * the decoder drops), so no DECIMAL can be declared for it; the column is inferred.
 */
import type { Field, ReflectionObject, Type } from 'protobufjs';

import type { JsonObject } from '../common/exact-json';

const SCALAR: Readonly<Record<string, string>> = {
	double: 'float64',
	float: 'float32',
	int32: 'int32',
	sint32: 'int32',
	sfixed32: 'int32',
	uint32: 'int64',
	fixed32: 'int64',
	int64: 'int64',
	sint64: 'int64',
	sfixed64: 'int64',
	bool: 'boolean',
	string: 'string',
	bytes: 'bytes',
};

const WELL_KNOWN: Readonly<Record<string, JsonObject>> = {
	'google.protobuf.Timestamp': { type: 'int64', name: 'io.debezium.time.MicroTimestamp' },
	'google.protobuf.Duration': { type: 'int64' },
	'google.type.Date': { type: 'int32', name: 'org.apache.kafka.connect.data.Date' },
	'google.type.TimeOfDay': { type: 'int32', name: 'org.apache.kafka.connect.data.Time' },
	'google.protobuf.DoubleValue': { type: 'float64', optional: true },
	'google.protobuf.FloatValue': { type: 'float32', optional: true },
	'google.protobuf.Int64Value': { type: 'int64', optional: true },
	'google.protobuf.UInt64Value': { optional: true },
	'google.protobuf.Int32Value': { type: 'int32', optional: true },
	'google.protobuf.UInt32Value': { type: 'int64', optional: true },
	'google.protobuf.BoolValue': { type: 'boolean', optional: true },
	'google.protobuf.StringValue': { type: 'string', optional: true },
	'google.protobuf.BytesValue': { type: 'bytes', optional: true },
	'google.protobuf.Struct': { type: 'string', name: 'io.debezium.data.Json' },
	'google.protobuf.ListValue': { type: 'string', name: 'io.debezium.data.Json' },
	'google.protobuf.Value': { type: 'string', name: 'io.debezium.data.Json' },
	'google.protobuf.FieldMask': { type: 'string' },
	'confluent.type.Decimal': {},
};

function isType(value: ReflectionObject | null): value is Type {
	return value !== null && Array.isArray((value as Partial<Type>).fieldsArray);
}

/** The Connect struct schema of a message type. */
export function connectSchemaOfProtobuf(type: Type): JsonObject {
	return struct(type, new Set());
}

function struct(type: Type, open: Set<Type>): JsonObject {
	const name = type.fullName.replace(/^\./, '');
	if (open.has(type)) return { type: 'struct', name, optional: true };
	open.add(type);
	const fields = type.fieldsArray.map((field) => ({ ...fieldSchema(field, open), field: field.name }));
	open.delete(type);
	return { type: 'struct', name, optional: true, fields };
}

function fieldSchema(field: Field, open: Set<Type>): JsonObject {
	field.resolve();
	if ('keyType' in field) return { type: 'map', optional: true };
	const one = valueSchema(field, open);
	return field.repeated ? { type: 'array', items: one, optional: true } : one;
}

function valueSchema(field: Field, open: Set<Type>): JsonObject {
	const resolved = field.resolvedType;
	if (resolved === null) {
		const scalar = SCALAR[field.type];
		return scalar === undefined ? { optional: true } : { type: scalar, optional: field.optional || field.partOf !== null };
	}
	if (!isType(resolved)) return { type: 'string', optional: true }; // an enum, by name
	const known = WELL_KNOWN[resolved.fullName.replace(/^\./, '')];
	if (known !== undefined) return { optional: true, ...known };
	return struct(resolved, open);
}
