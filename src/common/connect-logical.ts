/**
 * Kafka Connect logical types, by the schema name the producer declared (a Connect schema's `name`
 * in JSON with `schemas.enable`, `connect.name` in Avro written by Confluent's AvroConverter), decoded
 * into the exact text forms of logical-values.ts. Decoding follows the declared type, never the
 * value's shape: an int32 named io.debezium.time.Date is days, an int64 named MicroTimestamp is
 * microseconds, whatever its size.
 *
 * Meanings, from Debezium's documentation and source (debezium-core io.debezium.time / io.debezium.data):
 * - io.debezium.time.Date, org.apache.kafka.connect.data.Date: days since 1970-01-01.
 * - io.debezium.time.Time / MicroTime / NanoTime: ms / µs / ns since midnight (MySQL TIME may be
 *   negative or past 24 h); org.apache.kafka.connect.data.Time: ms since midnight.
 * - io.debezium.time.Timestamp / MicroTimestamp / NanoTimestamp: ms / µs / ns since the epoch of a
 *   value WITHOUT zone (MySQL DATETIME, PostgreSQL TIMESTAMP): "2018-06-20 06:37:03" is sent as
 *   1529476623000, the wall clock read as UTC. Decoded back to that wall clock, never shifted.
 * - org.apache.kafka.connect.data.Timestamp: ms since the epoch. Debezium's time.precision.mode
 *   `connect` uses it for the same zone-less DATETIME / TIMESTAMP columns, so it is read the same
 *   way: the UTC wall clock.
 * - io.debezium.time.ZonedTimestamp: ISO-8601 text with its offset (MySQL TIMESTAMP, PostgreSQL
 *   TIMESTAMPTZ), kept as it is: an instant, converted by the Doris Schema node into its time zone.
 * - org.apache.kafka.connect.data.Decimal: the unscaled integer as big-endian two's complement bytes
 *   (base64 in JSON), scale in the `scale` parameter. Kafka's JSON converter writes a JSON number
 *   instead with `decimal.format=NUMERIC`; both are taken, and both give the text at the scale.
 * - io.debezium.data.VariableScaleDecimal: a struct {scale: int32, value: bytes} (PostgreSQL NUMERIC
 *   without precision).
 * - io.debezium.data.Json: JSON text.
 * - io.debezium.time.IsoTimestamp / IsoDate / IsoTime (time.precision.mode=isostring, Debezium 3.1+,
 *   DBZ-6387; TemporalPrecisionMode.ISOSTRING): ISO-8601 text of a zone-less value. IsoTimestamp is what
 *   Timestamp is as text: JdbcValueConverters.convertTimestampToUtcIsoString (Types.TIMESTAMP only, so
 *   MySQL DATETIME / PostgreSQL TIMESTAMP; timestamptz stays ZonedTimestamp) formats the LocalDateTime at
 *   ZoneOffset.UTC with ISO_OFFSET_DATE_TIME: the wall clock tagged `Z` ("2018-06-20T06:37:03Z"), decoded
 *   back to that wall clock, never shifted by the node's Time Zone. IsoDate is ISO_OFFSET_DATE at UTC
 *   ("2018-06-20Z"), IsoTime ISO_OFFSET_TIME at UTC ("06:37:03Z"): the offset is dropped
 *   (debezium-connector-common io/debezium/time/Iso*.java, debezium at aad5519).
 */
import { dateFromEpochDays, decimalText, integerFromTwosComplement, integerOf, timeOfDay, wallClockFromEpoch, bytesFromBase64, type TimeUnit } from './logical-values';

/** A value that does not fit its declared logical type; the message says how. */
export class LogicalValueError extends Error {}

/**
 * JSON text declared as such (io.debezium.data.Json). Kept apart from an ordinary string so a JSON
 * column loads `123` as the number and `"abc"` as the string, where a plain string could not tell.
 * Lives only while a row is mapped; as JSON it is its text.
 */
export class JsonText {
	constructor(readonly text: string) {}
	toJSON(): string {
		return this.text;
	}
}

export type ConnectParameters = Readonly<Record<string, string>> | undefined;
export type LogicalDecoder = (value: unknown, parameters: ConnectParameters) => unknown;

function describe(value: unknown): string {
	if (Buffer.isBuffer(value)) return `${value.length} bytes`;
	const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? value.toString() : JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function integer(value: unknown, what: string): bigint {
	const n = integerOf(value);
	if (n === undefined) throw new LogicalValueError(`${describe(value)} is not an integer count of ${what}`);
	return n;
}

function calendar(text: string | undefined, value: unknown): string {
	if (text === undefined) throw new LogicalValueError(`${describe(value)} is beyond any calendar date`);
	return text;
}

const date: LogicalDecoder = (value) => calendar(dateFromEpochDays(integer(value, 'days')), value);

function time(unit: TimeUnit): LogicalDecoder {
	return (value) => calendar(timeOfDay(integer(value, unit), unit), value);
}

function wallClock(unit: TimeUnit): LogicalDecoder {
	return (value) => calendar(wallClockFromEpoch(integer(value, unit), unit), value);
}

function scaleOf(parameters: ConnectParameters): number {
	const scale = Number(parameters?.scale);
	if (!Number.isInteger(scale)) throw new LogicalValueError(`the schema gives no integer "scale" parameter (${describe(parameters?.scale ?? null)})`);
	return scale;
}

/** A JSON number literal, or exact JSON's text for one a double could not hold (16+ digits). */
const NUMERIC_TEXT_RE = /^-?\d{16,}(?:\.\d+)?$|^-?\d+\.\d+$/;

/** The unscaled bytes of a Decimal: a Buffer (Avro) or base64 text (JSON). */
function unscaledBytes(value: unknown): Uint8Array | undefined {
	if (value instanceof Uint8Array) return value;
	if (typeof value === 'string') return bytesFromBase64(value);
	return undefined;
}

/** Zeros a NUMERIC Decimal's text is padded with at most (see numericDecimal). */
const MAX_PADDING_ZEROS = 1000;

/**
 * A decimal.format=NUMERIC number as the Decimal it is: its digits with exactly `scale` fractional
 * ones (none for a negative scale). Kafka's JsonConverter writes the BigDecimal with its scale
 * (1234.5600), which JSON parsing made the number 1234.56 (and 0.0000 the number 0, 1E-7 the text
 * 1e-7); a VARCHAR or JSON column got that text where the same Decimal in base64 (the default
 * decimal.format) or Avro loads 1234.5600. `text` is the number's shortest text, or exact JSON's
 * source text for one a double could not hold. A number with more fractional digits than the scale
 * is no Decimal of that scale: kept as it is, for the Doris Schema node's DECIMAL rules to judge.
 */
function numericDecimal(text: string, scale: number): string {
	const [mantissa, exponent = '0'] = text.split(/[eE]/);
	const negative = mantissa.startsWith('-');
	const [whole, fraction = ''] = (negative ? mantissa.slice(1) : mantissa).split('.');
	const fractionDigits = fraction.length - Number(exponent);
	const digits = Math.max(scale, 0);
	// Beyond any Doris DECIMAL (76 digits at most) by far: kept as it is rather than spelled out
	// (exact JSON keeps 1E+999999999 as text; its zeros would take the process down).
	if (fractionDigits > digits || digits - fractionDigits > MAX_PADDING_ZEROS) return text;
	const unscaled = BigInt(whole + fraction) * 10n ** BigInt(digits - fractionDigits);
	return decimalText(negative ? -unscaled : unscaled, digits);
}

/**
 * A number in exponent form that exact JSON kept as its text (16+ digits): Jackson writes a
 * BigDecimal as BigDecimal.toString does (Kafka's JsonConverter enables no WRITE_BIGDECIMAL_AS_PLAIN),
 * in E-notation below 1E-6 or for a negative scale: 1.234567890123456789E-7 for a Decimal of scale 25,
 * which was refused as neither base64 nor a number. A '.' or '-' tells it from base64, which has neither.
 */
const NUMERIC_EXPONENT_TEXT_RE = /^-?\d+(?:\.\d+)?[eE][+-]?\d+$/;

function isNumericExponentText(value: string): boolean {
	return (value.includes('.') || value.includes('-')) && NUMERIC_EXPONENT_TEXT_RE.test(value);
}

function decimal(value: unknown, scale: number): string {
	// decimal.format=NUMERIC: the number, at its scale (exact JSON keeps long ones as their text, scale and all).
	if (typeof value === 'number' && Number.isFinite(value)) return numericDecimal(String(value), scale);
	if (typeof value === 'string' && NUMERIC_TEXT_RE.test(value)) return value;
	if (typeof value === 'string' && isNumericExponentText(value)) return numericDecimal(value, scale);
	const bytes = unscaledBytes(value);
	if (bytes === undefined) throw new LogicalValueError(`${describe(value)} is neither base64 bytes nor a number`);
	return decimalText(integerFromTwosComplement(bytes), scale);
}

const connectDecimal: LogicalDecoder = (value, parameters) => decimal(value, scaleOf(parameters));

const variableScaleDecimal: LogicalDecoder = (value) => {
	if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) {
		throw new LogicalValueError(`${describe(value)} is not a {scale, value} struct`);
	}
	const struct = value as { scale?: unknown; value?: unknown };
	const scale = integerOf(struct.scale);
	if (scale === undefined) throw new LogicalValueError(`its "scale" ${describe(struct.scale ?? null)} is not an integer`);
	return decimal(struct.value, Number(scale));
};

const json: LogicalDecoder = (value) => {
	if (typeof value !== 'string') throw new LogicalValueError(`${describe(value)} is not JSON text`);
	return new JsonText(value);
};

/** ISO_OFFSET_DATE_TIME / ISO_OFFSET_TIME / ISO_OFFSET_DATE at UTC: the offset is `Z` (`+00:00` taken alike); seconds and a fraction of up to 9 digits. */
const ISO_TIMESTAMP_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]00:00)$/;
const ISO_TIME_RE = /^(\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]00:00)$/;
const ISO_DATE_RE = /^(\d{4}-\d{2}-\d{2})(?:Z|[+-]00:00)?$/;

function isoText(value: unknown, re: RegExp, example: string): RegExpExecArray {
	const m = typeof value === 'string' ? re.exec(value) : null;
	if (m === null) throw new LogicalValueError(`${describe(value)} is not ISO-8601 text at UTC like ${JSON.stringify(example)}`);
	return m;
}

/** The wall clock as written, `Z` dropped: `2018-06-20 06:37:03[.f]`. */
const isoTimestamp: LogicalDecoder = (value) => {
	const m = isoText(value, ISO_TIMESTAMP_RE, '2018-06-20T06:37:03Z');
	return `${m[1]} ${m[2]}${m[3] ?? ':00'}`;
};
const isoTime: LogicalDecoder = (value) => {
	const m = isoText(value, ISO_TIME_RE, '06:37:03Z');
	return `${m[1]}${m[2] ?? ':00'}`;
};
const isoDate: LogicalDecoder = (value) => isoText(value, ISO_DATE_RE, '2018-06-20Z')[1];

/** Decoders by Connect schema name. Names not listed (Enum, Uuid, ZonedTimestamp, …) carry their value as it is. */
const DECODERS: ReadonlyMap<string, LogicalDecoder> = new Map([
	['io.debezium.time.Date', date],
	['org.apache.kafka.connect.data.Date', date],
	['io.debezium.time.Time', time('millis')],
	['io.debezium.time.MicroTime', time('micros')],
	['io.debezium.time.NanoTime', time('nanos')],
	['org.apache.kafka.connect.data.Time', time('millis')],
	['io.debezium.time.Timestamp', wallClock('millis')],
	['io.debezium.time.MicroTimestamp', wallClock('micros')],
	['io.debezium.time.NanoTimestamp', wallClock('nanos')],
	['org.apache.kafka.connect.data.Timestamp', wallClock('millis')],
	['org.apache.kafka.connect.data.Decimal', connectDecimal],
	['io.debezium.data.VariableScaleDecimal', variableScaleDecimal],
	['io.debezium.data.Json', json],
	['io.debezium.time.IsoTimestamp', isoTimestamp],
	['io.debezium.time.IsoTime', isoTime],
	['io.debezium.time.IsoDate', isoDate],
]);

/** The decoder of a Connect logical type name, or undefined when the name changes nothing. */
export function connectLogicalDecoder(name: unknown): LogicalDecoder | undefined {
	return typeof name === 'string' ? DECODERS.get(name) : undefined;
}

/** The Connect logical type names decoded here (for documentation and tests). */
export const CONNECT_LOGICAL_NAMES: readonly string[] = [...DECODERS.keys()];
