/**
 * Exact text forms of logical values (dates, times, timestamps, decimals, UUIDs) from the integers and
 * bytes that Avro and Kafka Connect put on the wire. Everything here is integer arithmetic on BigInt:
 * a DATETIME(6) far in the future (9999-12-31 23:59:59.999999 is 2.5e17 µs) or any nanosecond
 * timestamp is beyond 2^53, where a double would already have changed the last digits.
 *
 * The forms are the ones the Doris Schema node reads without guessing:
 * - a date: `YYYY-MM-DD`;
 * - a wall-clock date-time (no zone): `YYYY-MM-DD HH:MM:SS.fff…`, kept as written;
 * - an instant: `YYYY-MM-DDTHH:MM:SS.fff…Z`, converted into the node's time zone;
 * - a time of day: `HH:MM:SS.fff…` (hours may exceed 23 and be negative: MySQL TIME spans ±838 h);
 * - a decimal: plain `[-]ddd.ddd` with exactly `scale` fractional digits.
 * Years outside 0000-9999 are written with a sign (`+10000-01-01`, `-0001-01-01`), which Doris'
 * DATE range refuses with a reason rather than a wrapped year.
 */

/** Fractional digits of each unit; the unit's ticks per second is 10^digits. */
export type TimeUnit = 'seconds' | 'millis' | 'micros' | 'nanos';

const UNIT_DIGITS: Record<TimeUnit, number> = { seconds: 0, millis: 3, micros: 6, nanos: 9 };
const TICKS_PER_SECOND: Record<TimeUnit, bigint> = { seconds: 1n, millis: 1000n, micros: 1_000_000n, nanos: 1_000_000_000n };

/** Beyond ±10^13 seconds (±317,000 years) no calendar form is useful; also keeps Number() exact. */
const MAX_ABS_SECONDS = 10n ** 13n;

/** An integer given as a number, a bigint or integer text (exact JSON keeps big ones as text). */
export function integerOf(value: unknown): bigint | undefined {
	if (typeof value === 'bigint') return value;
	if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
	if (typeof value === 'string' && /^-?\d{1,40}$/.test(value)) return BigInt(value);
	return undefined;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function padYear(year: number): string {
	if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
	return (year < 0 ? '-' : '+') + String(Math.abs(year)).padStart(4, '0');
}

/** A civil date of the proleptic Gregorian calendar, as civilFromDays writes it. */
export interface CivilDate {
	year: number;
	month: number;
	day: number;
}

/**
 * The civil date of a day count since 1970-01-01 (H. Hinnant's days-to-civil, proleptic Gregorian),
 * written into `out`: the row coercion calls it per value and allocates nothing.
 */
export function civilFromDays(days: number, out: CivilDate): CivilDate {
	const z = days + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	out.day = doy - Math.floor((153 * mp + 2) / 5) + 1;
	out.month = mp < 10 ? mp + 3 : mp - 9;
	out.year = yoe + era * 400 + (out.month <= 2 ? 1 : 0);
	return out;
}

const scratch: CivilDate = { year: 0, month: 0, day: 0 };

/** `YYYY-MM-DD` (years beyond 0000..9999 signed) of a day count since 1970-01-01. */
function civil(days: number): string {
	const { year, month, day } = civilFromDays(days, scratch);
	return `${padYear(year)}-${pad2(month)}-${pad2(day)}`;
}

/** `YYYY-MM-DD` of a day count since 1970-01-01; undefined beyond any calendar use. */
export function dateFromEpochDays(days: bigint): string | undefined {
	if (days > MAX_ABS_SECONDS / 86400n || days < -MAX_ABS_SECONDS / 86400n) return undefined;
	return civil(Number(days));
}

/** Floor division and its non-negative remainder. */
function floorDivMod(a: bigint, b: bigint): [bigint, bigint] {
	let q = a / b;
	let r = a % b;
	if (r < 0n) {
		r += b;
		q -= 1n;
	}
	return [q, r];
}

function fraction(ticks: bigint, unit: TimeUnit): string {
	const digits = UNIT_DIGITS[unit];
	return digits === 0 ? '' : `.${ticks.toString().padStart(digits, '0')}`;
}

function dateTime(value: bigint, unit: TimeUnit, separator: ' ' | 'T'): string | undefined {
	const [seconds, ticks] = floorDivMod(value, TICKS_PER_SECOND[unit]);
	if (seconds > MAX_ABS_SECONDS || seconds < -MAX_ABS_SECONDS) return undefined;
	const [days, secondOfDay] = floorDivMod(seconds, 86400n);
	const s = Number(secondOfDay);
	return `${civil(Number(days))}${separator}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}${fraction(ticks, unit)}`;
}

/**
 * Wall clock without a zone, from a count since 1970-01-01 00:00 read as UTC: how Debezium carries
 * MySQL DATETIME and PostgreSQL TIMESTAMP (io.debezium.time.Timestamp / MicroTimestamp /
 * NanoTimestamp) and Avro local-timestamp-*.
 */
export function wallClockFromEpoch(value: bigint, unit: TimeUnit): string | undefined {
	return dateTime(value, unit, ' ');
}

/** An instant in UTC (`…Z`), from a count since the epoch: Avro timestamp-millis / -micros / -nanos. */
export function instantFromEpoch(value: bigint, unit: TimeUnit): string | undefined {
	const text = dateTime(value, unit, 'T');
	return text === undefined ? undefined : `${text}Z`;
}

/** `[-]HH:MM:SS.fff…` of a count since midnight; MySQL TIME values go from -838:59:59 to 838:59:59. */
export function timeOfDay(value: bigint, unit: TimeUnit): string | undefined {
	const negative = value < 0n;
	const [seconds, ticks] = floorDivMod(negative ? -value : value, TICKS_PER_SECOND[unit]);
	if (seconds > MAX_ABS_SECONDS) return undefined;
	const s = Number(seconds);
	return `${negative ? '-' : ''}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}${fraction(ticks, unit)}`;
}

/** The integer of big-endian two's complement bytes (Avro decimal, Connect Decimal). */
export function integerFromTwosComplement(bytes: Uint8Array): bigint {
	if (bytes.length === 0) return 0n;
	const unsigned = BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
	return (bytes[0] & 0x80) === 0 ? unsigned : unsigned - (1n << BigInt(bytes.length * 8));
}

/** `unscaled × 10^-scale` as plain decimal text with exactly `scale` fractional digits. */
export function decimalText(unscaled: bigint, scale: number): string {
	const negative = unscaled < 0n;
	let digits = (negative ? -unscaled : unscaled).toString();
	if (scale > 0) {
		digits = digits.padStart(scale + 1, '0');
		digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
	} else if (scale < 0 && digits !== '0') {
		digits += '0'.repeat(-scale);
	}
	return negative ? `-${digits}` : digits;
}

/** Standard base64 with padding, as Kafka Connect's JSON converter writes bytes. */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of base64 text, or undefined when it is not base64 (Buffer.from would skip bad characters). */
export function bytesFromBase64(text: string): Buffer | undefined {
	return BASE64_RE.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Canonical lower-case UUID text of 16 bytes (Avro uuid on fixed(16)). */
export function uuidFromBytes(bytes: Uint8Array): string | undefined {
	if (bytes.length !== 16) return undefined;
	const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
