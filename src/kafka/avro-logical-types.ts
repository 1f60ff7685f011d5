/**
 * Avro logical types for the Schema Registry decoder, given to avsc through the registry client's
 * Avro options (`{ AVRO: { typeHook } }`, which @kafkajs/confluent-schema-registry passes to
 * `avsc.Type.forSchema`). Each schema node avsc builds goes through the hook; one that declares a
 * logical type this package reads becomes an avsc LogicalType whose decoded value is the exact text of
 * src/common/logical-values.ts:
 *
 * - Avro's own (spec 1.12): date, time-millis, time-micros, timestamp-millis / -micros / -nanos
 *   (instants: `…Z`), local-timestamp-millis / -micros / -nanos (wall clock), decimal on bytes and
 *   fixed (exact text, scale from the schema), uuid on string and fixed(16), duration on fixed(12)
 *   (ISO 8601 text: isoDuration);
 * - Kafka Connect's names as Confluent's AvroConverter writes them (`connect.name`), which take
 *   precedence over a `logicalType` on the same schema: Debezium's io.debezium.time.* and
 *   VariableScaleDecimal, Connect's Date / Time / Timestamp / Decimal (src/common/connect-logical.ts).
 *   Connect's Timestamp also carries logicalType timestamp-millis, but Debezium uses it for zone-less
 *   DATETIME values: by its connect.name it is the wall clock, as in JSON.
 *
 * Every `float` is the decimal Java's Float.toString writes for it (10.22, not 10.220000267028809), as
 * Kafka Connect's JSON converter writes the same value (src/common/float32.ts).
 * Every `string` is checked to be UTF-8 (a message with one that is not goes to the invalid output with
 * the reason, as on the plain JSON path). Every `long` is read as a BigInt (toJsonSafe then gives a number, or exact text beyond 2^53, as the
 * JSON path does): avsc's own long refuses to decode a value beyond 2^53, and Debezium 2.6+ puts
 * `ts_ns` (1.7e18) in every event's envelope and source block, a DATETIME(6) of 9999-12-31 is 2.5e17 µs,
 * a Kafka offset or a snowflake id can be anything. A schema whose logical attributes are invalid (a decimal without a
 * precision) is read as its underlying type, as the Avro specification requires.
 * io.debezium.data.Json: an object or array document stays its JSON text (exact, big numbers too;
 * the Doris Schema node loads text starting with { or [ into a JSON column as the document); a scalar
 * document becomes its value (`123` → 123, `"text"` → "text"), since text like `123` would otherwise
 * load as the JSON string "123". ZonedTimestamp stays its ISO text.
 */
import { isUtf8 } from 'node:buffer';

import avro from 'avsc';

import { connectLogicalDecoder, type ConnectParameters, type LogicalDecoder } from '../common/connect-logical';
import { parseJsonExact } from '../common/exact-json';
import { float32Number } from '../common/float32';
import {
	dateFromEpochDays,
	decimalText,
	instantFromEpoch,
	integerFromTwosComplement,
	timeOfDay,
	uuidFromBytes,
	wallClockFromEpoch,
	type TimeUnit,
} from '../common/logical-values';

type Schema = Record<string, unknown>;
type Decode = (value: unknown) => unknown;

/** avsc's long read as a BigInt: exact for every int64 (avsc hands over 8 little-endian bytes). */
const bigIntLong = avro.types.LongType.__with({
	fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(0),
	toBuffer: (value: bigint) => {
		const buffer = Buffer.alloc(8);
		buffer.writeBigInt64LE(BigInt(value));
		return buffer;
	},
	fromJSON: (value: unknown) => BigInt(value as string | number),
	toJSON: (value: bigint) => Number(value),
	isValid: (value: unknown) => typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)),
	compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** The part of avsc's Tap (lib/utils.js) a string is read from: the buffer and the read position. */
interface AvroTap {
	buf: Buffer;
	pos: number;
	readLong(): number;
	readFloat(): number;
}

/**
 * avsc's string, refusing bytes that are not UTF-8: avsc decodes them with U+FFFD in their place,
 * so a Latin-1 "café" loaded as "caf\uFFFD" where the plain JSON path sends it to Invalid.
 */
class Utf8StringType extends avro.types.StringType {
	_read(tap: AvroTap): string | undefined {
		const length = tap.readLong();
		const start = tap.pos;
		// As avsc's Tap.readString: a negative length invalidates the tap, an overlong one leaves it past
		// the end; either way fromBuffer then throws "truncated buffer".
		if (length < 0) {
			tap.pos = tap.buf.length + 1;
			return '';
		}
		tap.pos = start + length;
		if (tap.pos > tap.buf.length) return undefined;
		const bytes = tap.buf.subarray(start, tap.pos);
		if (!isUtf8(bytes)) {
			const shown = bytes.subarray(0, 40);
			throw new Error(`Avro string ${JSON.stringify(shown.toString('utf8'))}${bytes.length > 40 ? '...' : ''} is not valid UTF-8 text (bytes ${shown.toString('hex')})`);
		}
		return bytes.toString('utf8');
	}
}

const utf8String = new Utf8StringType();

/**
 * avsc's float, read as the decimal Java writes for it (src/common/float32.ts): a MySQL FLOAT 10.22
 * (Debezium's FLOAT32) came out as 10.220000267028809, which loaded into a DOUBLE or VARCHAR column
 * as that and sent the row to Invalid for a DECIMAL(10, 2) column, where the same event through the
 * JSON converter (`10.22`) loads 10.22. A single's bits are read as before; only its decimal changes,
 * and it reads back as the same single.
 */
class JavaFloatType extends avro.types.FloatType {
	_read(tap: AvroTap): number {
		return float32Number(tap.readFloat());
	}
}

const javaFloat = new JavaFloatType();

/** The underlying type this package reads differently from avsc: long as a BigInt, string checked as UTF-8, float as Java writes it. */
function underlyingType(type: unknown): avro.Type | undefined {
	if (type === 'long') return bigIntLong;
	if (type === 'string') return utf8String;
	if (type === 'float') return javaFloat;
	return undefined;
}

function fail(what: string, value: unknown): never {
	throw new Error(`Avro ${what}: ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value) ?? String(value)} has no calendar form`);
}

function asBigInt(value: unknown): bigint {
	return typeof value === 'bigint' ? value : BigInt(value as number);
}

const dateOf: Decode = (v) => dateFromEpochDays(asBigInt(v)) ?? fail('date', v);
const timeOf = (unit: TimeUnit): Decode => (v) => timeOfDay(asBigInt(v), unit) ?? fail(`time (${unit})`, v);
const instantOf = (unit: TimeUnit): Decode => (v) => instantFromEpoch(asBigInt(v), unit) ?? fail(`timestamp (${unit})`, v);
const wallClockOf = (unit: TimeUnit): Decode => (v) => wallClockFromEpoch(asBigInt(v), unit) ?? fail(`local-timestamp (${unit})`, v);

/** Avro's logical types by name; undefined for a schema whose attributes do not make it one. */
function avroLogical(schema: Schema): Decode | undefined {
	switch (schema.logicalType) {
		case 'date':
			return schema.type === 'int' ? dateOf : undefined;
		case 'time-millis':
			return schema.type === 'int' ? timeOf('millis') : undefined;
		case 'time-micros':
			return schema.type === 'long' ? timeOf('micros') : undefined;
		case 'timestamp-millis':
		case 'timestamp-micros':
		case 'timestamp-nanos':
			return schema.type === 'long' ? instantOf(UNITS[schema.logicalType]) : undefined;
		case 'local-timestamp-millis':
		case 'local-timestamp-micros':
		case 'local-timestamp-nanos':
			return schema.type === 'long' ? wallClockOf(UNITS[schema.logicalType.slice('local-'.length)]) : undefined;
		case 'decimal': {
			const precision = schema.precision;
			const scale = schema.scale ?? 0;
			const valid = Number.isInteger(precision) && Number.isInteger(scale) && (precision as number) > 0 && (scale as number) >= 0 && (scale as number) <= (precision as number);
			if (!valid || (schema.type !== 'bytes' && schema.type !== 'fixed')) return undefined;
			return (v) => decimalText(integerFromTwosComplement(v as Buffer), scale as number);
		}
		case 'uuid':
			if (schema.type === 'fixed' && schema.size === 16) return (v) => uuidFromBytes(v as Buffer);
			return undefined; // on a string: the text already
		case 'duration':
			return schema.type === 'fixed' && schema.size === 12 ? (v) => isoDuration(v as Buffer) : undefined;
		default:
			return undefined;
	}
}

/**
 * Avro's duration: three little-endian unsigned 32-bit counts of months, days and milliseconds (spec
 * 1.12, "Duration"), as ISO 8601 text (`P1M2DT3.5S`). Months and days have no fixed length, so no single
 * number holds it exactly; the text keeps all three for a VARCHAR column.
 */
function isoDuration(bytes: Buffer): string {
	const millis = bytes.readUInt32LE(8);
	const fraction = millis % 1000 === 0 ? '' : `.${String(millis % 1000).padStart(3, '0').replace(/0+$/, '')}`;
	return `P${bytes.readUInt32LE(0)}M${bytes.readUInt32LE(4)}DT${Math.floor(millis / 1000)}${fraction}S`;
}

const UNITS: Record<string, TimeUnit> = {
	'timestamp-millis': 'millis',
	'timestamp-micros': 'micros',
	'timestamp-nanos': 'nanos',
};

/** io.debezium.data.Json in an n8n item (plain JSON): see the module header. */
const jsonDocument: Decode = (value) => {
	const text = String(value);
	const first = text.trimStart()[0];
	if (first === '{' || first === '[') return text;
	try {
		return parseJsonExact(text);
	} catch {
		return text; // not JSON after all: the Doris Schema node says so for a JSON column
	}
};

/** Connect's names: the Connect parameters ride along as `connect.parameters`. */
function connectLogical(schema: Schema): Decode | undefined {
	const parameters = { ...(schema['connect.parameters'] as Record<string, string> | undefined) };
	// AvroConverter puts Decimal's scale on the schema too; either place will do.
	if (parameters.scale === undefined && Number.isInteger(schema.scale)) parameters.scale = String(schema.scale);
	return plainConnectDecoder(schema['connect.name'], parameters);
}

/**
 * The decoder of a Kafka Connect logical type name into a plain item value (exact text; a JSON document
 * as jsonDocument gives it), for a schema that names it: Avro's `connect.name`, JSON Schema's `title`
 * (json-schema-logical.ts). Undefined for a name that changes nothing.
 */
export function plainConnectDecoder(name: unknown, parameters: Readonly<Record<string, string>>): Decode | undefined {
	if (name === 'io.debezium.data.Json') return jsonDocument;
	const decoder: LogicalDecoder | undefined = connectLogicalDecoder(name);
	if (decoder === undefined) return undefined;
	return (v) => decoder(v, parameters as ConnectParameters);
}

/** Schemas whose underlying type is being built right now (the LogicalType constructor re-enters the hook). */
const building = new Set<Schema>();

class DecodedLogicalType extends avro.types.LogicalType {
	private readonly decodeValue: Decode;

	constructor(schema: Schema, opts: unknown, decode: Decode) {
		building.add(schema);
		try {
			super(schema as avro.Schema, opts);
		} finally {
			building.delete(schema);
		}
		this.decodeValue = decode;
	}

	protected _fromValue(value: unknown): unknown {
		return this.decodeValue(value);
	}

	/** Encoding (tests, a producer using this client) takes the underlying value as it is. */
	protected _toValue(value: unknown): unknown {
		return value;
	}

	protected _resolve(type: avro.Type): unknown {
		return avro.Type.isType(type, 'logical') ? undefined : (value: unknown) => value;
	}
}

function isSchemaObject(schema: unknown): schema is Schema {
	return typeof schema === 'object' && schema !== null && !Array.isArray(schema);
}

/** avsc's typeHook: see the module header. */
export function logicalTypeHook(schema: unknown, opts: unknown): avro.Type | undefined {
	if (typeof schema === 'string') return underlyingType(schema);
	if (!isSchemaObject(schema)) return undefined;
	if (building.has(schema)) return underlyingType(schema.type);
	const decode = connectLogical(schema) ?? avroLogical(schema);
	if (decode !== undefined) return new DecodedLogicalType(schema, opts, decode);
	return underlyingType(schema.type);
}
