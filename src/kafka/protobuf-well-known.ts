/**
 * Google's well-known Protobuf types (google/protobuf/timestamp.proto, duration, wrappers, struct, any,
 * empty, field_mask), and the types Kafka Connect writes for its Decimal, Date and Time, for Schema
 * Registry values, and what each becomes in a row.
 *
 * Their definitions, which the registry does not send, are added to a parsed schema by
 * protobuf-well-known-definitions.ts; this module makes their values a row.
 *
 * In a row (protobufRow), after protobufjs' plain object (field names in lowerCamelCase, zero values
 * present, enums by name), each well-known type becomes what a Doris column takes, following the proto3
 * JSON mapping (https://protobuf.dev/programming-guides/json/) where Doris has a place for it:
 * - Timestamp → an instant, `2024-05-01T10:00:00.123456789Z`, with 0, 3, 6 or 9 fractional digits as
 *   the JSON mapping writes them; the Doris Schema node converts it into its Time Zone, as an Avro
 *   timestamp-nanos, and refuses nanoseconds a DATETIME(6) cannot keep (Doris' cast would round them).
 * - Duration → its length in whole microseconds (a BIGINT), as Debezium's io.debezium.time.MicroDuration
 *   carries an interval; one with nanoseconds below a microsecond is refused (rounding would change it).
 * - DoubleValue, FloatValue, Int64Value, UInt64Value, Int32Value, UInt32Value, BoolValue, StringValue,
 *   BytesValue → the wrapped value (int64 exact, bytes base64), as Confluent's ProtobufConverter
 *   unwraps them; null when the field is absent, which is what a wrapper is for.
 * - Struct → a JSON object, ListValue → a JSON array, Value → its JSON value (a JSON or VARIANT column).
 * - Any → an object: `@type` (the type URL), then the packed message's fields when the schema (or one
 *   it references) declares that type, as the JSON mapping writes it; a type the schema does not know
 *   keeps its bytes, base64, as `value`, so nothing is lost. A packed message with fields its type does
 *   not declare is refused (UnknownProtobufFieldsError), as the value's own (protobuf-unknown-fields.ts).
 * - FieldMask → its paths in lowerCamelCase joined by commas (`shipTo.city,note`), as the JSON mapping.
 * - Empty → `{}`.
 * A `float` field (and FloatValue) is the decimal Java's Float.toString writes for the single, as Kafka
 * Connect's JSON converter writes a FLOAT32 (src/common/float32.ts): protobufjs reads 10.22 as
 * 10.220000267028809, which loaded into a DOUBLE or VARCHAR column as that.
 * Kafka Connect's ProtobufConverter writes Connect's Decimal, Date and Time as confluent.type.Decimal,
 * google.type.Date and google.type.TimeOfDay, which protobufjs does not bundle (their definitions are
 * added with the others), and they become what the Avro path gives Connect's types: a decimal
 * as exact text with its scale (`1234.50`), a date `2024-05-01`, a time of day `10:15:30.250`.
 * A value these types' own rules refuse (a Timestamp outside 0001-01-01..9999-12-31 or with nanos
 * outside 0..999,999,999, a Duration beyond ±10,000 years, with seconds and nanos of opposite signs or
 * nanoseconds below a microsecond, a Value with no kind or a number that is NaN or infinite, a Date that is partial or not in the
 * calendar, a TimeOfDay out of range) throws ProtobufValueError naming the field,
 * the value and the rule: the message goes to the invalid output with it, never into a row half-read.
 */
import type { Field, Message, ReflectionObject, Type } from 'protobufjs';

import { float32Number } from '../common/float32';
import { decimalText, instantFromEpoch, integerFromTwosComplement, type TimeUnit } from '../common/logical-values';
import { strictReader } from './protobuf-indexes';
import { unknownProtobufFields, UnknownProtobufFieldsError } from './protobuf-unknown-fields';

/** A value that breaks its well-known type's rules; the message names the field, the value and the rule. */
export class ProtobufValueError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ProtobufValueError';
	}
}

const TO_OBJECT = { defaults: true, enums: String } as const;

type Plain = Record<string, unknown>;
type Convert = (plain: Plain, type: Type, at: string) => unknown;

/**
 * A decoded message as a plain object, its well-known types in their row forms (module header).
 * proto3 does not put zero values on the wire, so `defaults` gives them back (a `qty = 0` would
 * otherwise reach Doris as NULL); fields with presence (`optional`, oneof members) stay absent when unset.
 */
export function protobufRow(message: Message): Plain {
	const type = message.$type;
	const plain = type.toObject(message, TO_OBJECT);
	if (!needsConversion(type)) return plain;
	try {
		return convertFields(plain, type, '');
	} catch (error) {
		if (error instanceof ProtobufValueError) throw new ProtobufValueError(`${type.fullName.slice(1)} ${error.message}`);
		// Found in an Any's packed message: named from the value's own type, as those found outside one.
		if (error instanceof UnknownProtobufFieldsError) throw error.within(type.fullName.slice(1));
		throw error;
	}
}

const reach = new WeakMap<Type, boolean>();

function isType(value: ReflectionObject | null): value is Type {
	return value !== null && Array.isArray((value as Partial<Type>).fieldsArray);
}

/** Whether a well-known type or a `float` field is among what `type` can hold, at any depth. */
function needsConversion(type: Type): boolean {
	const known = reach.get(type);
	if (known !== undefined) return known;
	const seen = new Set<Type>();
	const pending = [type];
	let found = false;
	while (pending.length > 0 && !found) {
		const next = pending.pop() as Type;
		if (seen.has(next)) continue;
		seen.add(next);
		if (WELL_KNOWN.has(next.fullName)) found = true;
		for (const field of next.fieldsArray) {
			if (field.type === 'float') found = true;
			if (isType(resolvedOrNull(field))) pending.push(field.resolvedType as Type);
		}
	}
	reach.set(type, found);
	return found;
}

/**
 * The field's message or enum type; null for a scalar, and for a type the schema does not declare:
 * protobufjs resolves a message's fields when it first decodes one, so a message type that is never
 * present in a value decodes fine with a broken field, and must not fail the row here either.
 */
function resolvedOrNull(field: Field): ReflectionObject | null {
	try {
		return field.resolve().resolvedType;
	} catch {
		return null;
	}
}

function fieldPath(at: string, name: string): string {
	return at === '' ? name : `${at}.${name}`;
}

/** `plain`'s message-typed fields converted in place (it is protobufjs' fresh plain object). */
function convertFields(plain: Plain, type: Type, at: string): Plain {
	for (const field of type.fieldsArray) {
		const target = field.resolvedType;
		const value = plain[field.name];
		// A map field's `type` is its values' type.
		if (field.type === 'float' && value !== null && value !== undefined) {
			plain[field.name] = javaFloats(value, field);
			continue;
		}
		if (!isType(target) || value === null || value === undefined || !needsConversion(target)) continue;
		const path = fieldPath(at, field.name);
		if (field.map) {
			const entries = value as Plain;
			for (const key of Object.keys(entries)) entries[key] = convertMessage(entries[key] as Plain | null, target, `${path}[${JSON.stringify(key)}]`);
		} else if (field.repeated) {
			plain[field.name] = (value as Array<Plain | null>).map((element, i) => convertMessage(element, target, `${path}[${i}]`));
		} else {
			plain[field.name] = convertMessage(value as Plain, target, path);
		}
	}
	return plain;
}

/** A float field's value (one, repeated or a map's values) as Java writes each single. */
function javaFloats(value: unknown, field: Field): unknown {
	if (field.map) {
		const entries = value as Plain;
		for (const key of Object.keys(entries)) entries[key] = javaFloat(entries[key]);
		return entries;
	}
	return field.repeated ? (value as unknown[]).map(javaFloat) : javaFloat(value);
}

function javaFloat(value: unknown): unknown {
	return typeof value === 'number' ? float32Number(value) : value;
}

function convertMessage(plain: Plain | null, type: Type, at: string): unknown {
	if (plain === null || plain === undefined) return null;
	const convert = WELL_KNOWN.get(type.fullName);
	if (convert !== undefined) return convert(plain, type, at);
	return convertFields(plain, type, at);
}

/** The field with number `id` of a well-known type, read by number: a registry reference parsed from .proto text names Any's `type_url` `typeUrl`. */
function byId(plain: Plain, type: Type, id: number): unknown {
	const field: Field | undefined = type.fieldsById[id];
	return field === undefined ? undefined : plain[field.name];
}

/** An int64 as protobufjs hands it over (a Long, its { low, high } words, or a number), exactly. */
function int64(value: unknown): bigint {
	if (typeof value === 'bigint') return value;
	if (typeof value === 'number') return BigInt(value);
	if (typeof value === 'object' && value !== null) {
		const { low, high, unsigned } = value as { low?: unknown; high?: unknown; unsigned?: unknown };
		if (typeof low === 'number' && typeof high === 'number') {
			const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
			return unsigned === true ? bits : BigInt.asIntN(64, bits);
		}
	}
	return 0n; // absent: proto3's zero
}

function fieldLabel(at: string): string {
	return `field "${at}"`;
}

// https://protobuf.dev/reference/protobuf/google.protobuf/#timestamp: "Range is from
// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z", nanos "0 to 999,999,999 inclusive".
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;
// #duration: "Range is approximately +-10,000 years" (±315,576,000,000 s); nanos "-999,999,999 to
// +999,999,999 inclusive", of the same sign as seconds when seconds are not zero.
const MAX_DURATION_SECONDS = 315_576_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;

const timestamp: Convert = (plain, type, at) => {
	const seconds = int64(byId(plain, type, 1));
	const nanos = Number(byId(plain, type, 2) ?? 0);
	if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS || nanos < 0 || nanos > 999_999_999) {
		throw new ProtobufValueError(
			`${fieldLabel(at)}: google.protobuf.Timestamp seconds ${seconds}, nanos ${nanos} is not a Timestamp: seconds must be from ${MIN_TIMESTAMP_SECONDS} (0001-01-01T00:00:00Z) to ${MAX_TIMESTAMP_SECONDS} (9999-12-31T23:59:59Z) and nanos from 0 to 999999999`,
		);
	}
	// The JSON mapping's 0, 3, 6 or 9 fractional digits: the fewest that keep the value.
	const [unit, ticks]: [TimeUnit, bigint] =
		nanos === 0 ? ['seconds', 1n] : nanos % 1_000_000 === 0 ? ['millis', 1000n] : nanos % 1000 === 0 ? ['micros', 1_000_000n] : ['nanos', NANOS_PER_SECOND];
	return instantFromEpoch(seconds * ticks + (BigInt(nanos) * ticks) / NANOS_PER_SECOND, unit);
};

const duration: Convert = (plain, type, at) => {
	const seconds = int64(byId(plain, type, 1));
	const nanos = Number(byId(plain, type, 2) ?? 0);
	const rule = `a Duration's seconds must be within ±${MAX_DURATION_SECONDS} and its nanos within ±999999999, of the same sign as the seconds`;
	const shown = `google.protobuf.Duration seconds ${seconds}, nanos ${nanos}`;
	if (seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS || nanos > 999_999_999 || nanos < -999_999_999 || (seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0)) {
		throw new ProtobufValueError(`${fieldLabel(at)}: ${shown} is not a Duration: ${rule}`);
	}
	// Rounded to the microsecond, the row would carry another duration than the message, unseen.
	if (nanos % 1000 !== 0) throw new ProtobufValueError(`${fieldLabel(at)}: ${shown} has nanoseconds below a microsecond, which its count of microseconds cannot keep`);
	return seconds * 1_000_000n + BigInt(nanos / 1000);
};

/** A wrapper's value is its field 1; `defaults` gives its zero when the wrapper is present but empty. */
const wrapped: Convert = (plain, type) => byId(plain, type, 1);

function nestedType(type: Type, id: number): Type {
	return type.fieldsById[id].resolvedType as Type;
}

const struct: Convert = (plain, type, at) => {
	const fields = (byId(plain, type, 1) ?? {}) as Record<string, Plain>;
	const valueType = nestedType(type, 1);
	const out: Plain = {};
	for (const key of Object.keys(fields)) out[key] = value(fields[key], valueType, `${at}[${JSON.stringify(key)}]`);
	return out;
};

const list: Convert = (plain, type, at) => {
	const valueType = nestedType(type, 1);
	return ((byId(plain, type, 1) ?? []) as Plain[]).map((element, i) => value(element, valueType, `${at}[${i}]`));
};

/** google.protobuf.Value: its kind is a oneof (null 1, number 2, string 3, bool 4, struct 5, list 6). */
const value: Convert = (plain, type, at) => {
	for (const field of type.fieldsArray) {
		const kind = plain[field.name];
		if (kind === undefined) continue;
		switch (field.id) {
			case 1:
				return null;
			case 2:
				if (typeof kind === 'number' && !Number.isFinite(kind)) {
					throw new ProtobufValueError(`${fieldLabel(at)}: google.protobuf.Value number_value ${kind} is not a JSON number: a Value's number must be finite`);
				}
				return kind;
			case 5:
				return struct(kind as Plain, field.resolvedType as Type, at);
			case 6:
				return list(kind as Plain, field.resolvedType as Type, at);
			default:
				return kind;
		}
	}
	throw new ProtobufValueError(`${fieldLabel(at)}: google.protobuf.Value {} has no kind set: a Value must hold one of null, number, string, bool, struct or list`);
};

const any: Convert = (plain, type, at) => {
	const url = String(byId(plain, type, 1) ?? '');
	const bytes = (byId(plain, type, 2) ?? new Uint8Array(0)) as Uint8Array;
	const packed = url === '' ? null : type.root.lookup(`.${url.slice(url.lastIndexOf('/') + 1)}`);
	if (!isType(packed)) return { '@type': url, value: bytes };
	let message: Message;
	try {
		message = packed.decode(strictReader(bytes));
	} catch (error) {
		throw new ProtobufValueError(`${fieldLabel(at)}: google.protobuf.Any of type "${url}" holds ${bytes.length} bytes that are not a ${packed.fullName.slice(1)}: ${(error as Error).message}`);
	}
	// protobufjs skips the packed message's fields its type does not declare, as the value's own.
	const unknown = unknownProtobufFields(packed, bytes, at, `the ${packed.fullName.slice(1)} its google.protobuf.Any packs`);
	if (unknown.length > 0) throw new UnknownProtobufFieldsError(packed.fullName.slice(1), unknown);
	const inner = convertMessage(packed.toObject(message, TO_OBJECT), packed, at);
	// The JSON mapping puts a well-known type's own form under "value".
	return WELL_KNOWN.has(packed.fullName) ? { '@type': url, value: inner } : { '@type': url, ...(inner as Plain) };
};

/** proto3 JSON's lowerCamelCase of a field name (protobufjs names fields the same way). */
const camelCase = (path: string): string => path.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

const fieldMask: Convert = (plain, type) => ((byId(plain, type, 1) ?? []) as string[]).map(camelCase).join(',');

const empty: Convert = () => ({});

/** confluent.type.Decimal: the unscaled value as big-endian two's complement bytes (Java's BigInteger.toByteArray), and its scale. */
const decimal: Convert = (plain, type) => {
	const bytes = (byId(plain, type, 1) ?? new Uint8Array(0)) as Uint8Array;
	return decimalText(integerFromTwosComplement(bytes), Number(byId(plain, type, 3) ?? 0));
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** google.type.Date: a calendar date; the partial dates the type allows (year, month or day 0) are no DATE value. */
const date: Convert = (plain, type, at) => {
	const [year, month, day] = [1, 2, 3].map((id) => Number(byId(plain, type, id) ?? 0));
	const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	const daysInMonth = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
	if (year < 1 || year > 9999 || daysInMonth === undefined || day < 1 || day > daysInMonth) {
		throw new ProtobufValueError(
			`${fieldLabel(at)}: google.type.Date year ${year}, month ${month}, day ${day} is not a calendar date: a DATE needs year 1 to 9999, month 1 to 12 and a day of that month (a 0 means the part is missing)`,
		);
	}
	return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
};

/** google.type.TimeOfDay: `HH:MM:SS` and the fewest of 0, 3, 6 or 9 fractional digits that keep the nanos. */
const timeOfDay: Convert = (plain, type, at) => {
	const [hours, minutes, seconds, nanos] = [1, 2, 3, 4].map((id) => Number(byId(plain, type, id) ?? 0));
	// The type allows 24:00:00 (a closing time) and a leap second 60.
	const valid = hours >= 0 && minutes >= 0 && minutes <= 59 && seconds >= 0 && seconds <= 60 && nanos >= 0 && nanos <= 999_999_999 && (hours < 24 || (hours === 24 && minutes === 0 && seconds === 0 && nanos === 0));
	if (!valid) {
		throw new ProtobufValueError(
			`${fieldLabel(at)}: google.type.TimeOfDay hours ${hours}, minutes ${minutes}, seconds ${seconds}, nanos ${nanos} is not a time of day: hours must be 0 to 23 (or 24:00:00), minutes 0 to 59, seconds 0 to 60 and nanos 0 to 999999999`,
		);
	}
	const digits = nanos === 0 ? 0 : nanos % 1_000_000 === 0 ? 3 : nanos % 1000 === 0 ? 6 : 9;
	const fraction = digits === 0 ? '' : `.${String(nanos).padStart(9, '0').slice(0, digits)}`;
	return `${[hours, minutes, seconds].map((n) => String(n).padStart(2, '0')).join(':')}${fraction}`;
};

const WELL_KNOWN: ReadonlyMap<string, Convert> = new Map<string, Convert>([
	['.confluent.type.Decimal', decimal],
	['.google.type.Date', date],
	['.google.type.TimeOfDay', timeOfDay],
	['.google.protobuf.Timestamp', timestamp],
	['.google.protobuf.Duration', duration],
	['.google.protobuf.DoubleValue', wrapped],
	['.google.protobuf.FloatValue', (plain, type) => javaFloat(byId(plain, type, 1))],
	['.google.protobuf.Int64Value', wrapped],
	['.google.protobuf.UInt64Value', wrapped],
	['.google.protobuf.Int32Value', wrapped],
	['.google.protobuf.UInt32Value', wrapped],
	['.google.protobuf.BoolValue', wrapped],
	['.google.protobuf.StringValue', wrapped],
	['.google.protobuf.BytesValue', wrapped],
	['.google.protobuf.Struct', struct],
	['.google.protobuf.Value', value],
	['.google.protobuf.ListValue', list],
	['.google.protobuf.Any', any],
	['.google.protobuf.FieldMask', fieldMask],
	['.google.protobuf.Empty', empty],
]);
