/**
 * Value conversions the type handlers share: IP addresses given as numbers, text of any JSON value,
 * JSON text checks, and the exact fast path for plain decimals. Pure functions; a failure fills the
 * FailSlot (coerce-result.ts) and returns INVALID.
 */
import { JsonText } from '../../common/connect-logical';
import { parseJsonExact } from '../../common/exact-json';
import { failWith, INVALID, type FailSlot } from './coerce-result';

export const IPV4_MAX = 0xffffffff;
export const IPV6_MAX = (1n << 128n) - 1n;
const DIGITS = /^\d+$/;

/**
 * An IP address given as its number (a JSON number, or decimal digits in a string), or undefined.
 * Doris parses IPv4 / IPv6 values only from their text form (`IPv4Value::from_string`,
 * `IPv6Value::from_string`): a number becomes NULL without strict mode, so it is converted here.
 */
export function ipNumber(value: unknown, fail: FailSlot): bigint | undefined | typeof INVALID {
	if (typeof value === 'number') {
		if (!Number.isInteger(value) || value < 0) return undefined;
		// Beyond 2^53 the JSON parser already changed the digits: the address would be another one.
		if (!Number.isSafeInteger(value)) return failWith(fail, 'unsafe_integer');
		return BigInt(value);
	}
	if (typeof value === 'bigint') return value >= 0n ? value : undefined;
	if (typeof value === 'string' && DIGITS.test(value.trim())) return BigInt(value.trim());
	return undefined;
}

/** A dotted IPv4 address as Doris reads it: four parts of 1-4 ASCII digits, ASCII whitespace around. */
const DOTTED_IPV4 = /^[ \t\n\v\f\r]*(\d{1,4})\.(\d{1,4})\.(\d{1,4})\.(\d{1,4})[ \t\n\v\f\r]*$/;

/**
 * A dotted IPv4 address in its plain form (`010.001.002.003` → `10.1.2.3`), or undefined when Doris
 * does not read it as one. Doris reads each part as a decimal of up to 4 digits, at most 255, so
 * leading zeros change nothing (parse_ipv4_whole in be/src/vec/common/format_ip.h, after
 * IPv4Value::from_string trims isspace; the stored apache/doris source, whose parser came from
 * ClickHouse's formatIPv6.h), where inet_aton would read `010` as octal 8. The plain form is sent, so
 * a parser that takes no leading zero (which an older release line may have had: not checked) reads
 * the same address.
 */
export function dottedIPv4(text: string): string | undefined {
	const m = DOTTED_IPV4.exec(text);
	if (m === null) return undefined;
	const parts = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
	return parts.every((p) => p <= 255) ? parts.join('.') : undefined;
}

export function ipv4Text(n: bigint): string {
	const v = Number(n);
	return `${Math.floor(v / 16777216) % 256}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
}

/**
 * IPv6 text in a form Doris parses, or undefined when Doris cannot take it. A zone index
 * (`fe80::1%eth0`) is no part of the 128-bit value: Doris' parser stops at the '%' and the value loads
 * as NULL without strict mode (IPv6Value::from_string, be/src/vec/common/format_ip.h parseIPv6whole).
 * A dotted IPv4 tail (`::ffff:192.168.1.1`) is written as hexadecimal groups, the same address, since
 * the regular expressions of Doris 2.1's first IPv6Value::from_string take only those.
 */
export function ipv6Parsable(text: string): string | undefined {
	if (text.includes('%')) return undefined;
	if (!text.includes('.')) return text;
	return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

export function ipv6Text(n: bigint): string {
	const groups: string[] = [];
	for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((n >> shift) & 0xffffn).toString(16));
	// The URL parser prints the RFC 5952 short form (`::` for the longest zero run).
	return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** String#isWellFormed (ES2024, native in Node 20+; the project's lib is ES2023). */
function isWellFormed(text: string): boolean {
	return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why text cannot load, when it holds a UTF-16 surrogate without its other half (JSON.parse of
 * "\ud800" makes one): UTF-8 has no encoding for it, JSON.stringify writes it as the escape \ud800,
 * and Doris' JSON reader refuses that string (simdjson's string parser, without replacement), or,
 * were it written as bytes, would load U+FFFD in its place. undefined for well-formed text (checked
 * natively; the position is looked for only then).
 */
export function loneSurrogate(text: string): string | undefined {
	if (isWellFormed(text)) return undefined;
	const m = LONE_SURROGATE.exec(text);
	const unit = m === null ? '?' : m[0].charCodeAt(0).toString(16).toUpperCase();
	return `a lone surrogate (U+${unit}) at ${m?.index ?? '?'}, which UTF-8 cannot carry: Doris' JSON reader refuses it`;
}

/** A \uD800-\uDFFF escape with the backslashes before it (an even run of them is text, not an escape). */
const SURROGATE_ESCAPE = /\\+u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/**
 * Why JSON text cannot load, when it holds an escaped UTF-16 surrogate without its other half (what
 * JSON.stringify writes for a lone surrogate in an object's string, or text that spells one): the
 * string it stands for has no UTF-8 form, as loneSurrogate says of plain text. A pair of escapes
 * (\ud83d\ude00) is a character and passes. undefined when there is none (most text fails the
 * first test).
 */
export function escapedLoneSurrogate(text: string): string | undefined {
	if (!/\\u[dD][89a-fA-F]/.test(text)) return undefined;
	const lone = (at: number) => `a lone surrogate escape (${text.slice(at, at + 6)}) at ${at} in the JSON text, which UTF-8 cannot carry: Doris' JSON parser refuses it`;
	/** Where a high surrogate's escape ended, while its low half must follow right there. */
	let highEnd = -1;
	SURROGATE_ESCAPE.lastIndex = 0;
	for (let m = SURROGATE_ESCAPE.exec(text); m !== null; m = SURROGATE_ESCAPE.exec(text)) {
		const slashes = m[0].indexOf('u');
		if (slashes % 2 === 0) continue;
		const at = m.index + slashes - 1;
		const high = parseInt(m[0].slice(slashes + 1), 16) < 0xdc00;
		if (highEnd >= 0) {
			if (!high && at === highEnd) {
				highEnd = -1;
				continue;
			}
			return lone(highEnd - 6);
		}
		if (!high) return lone(at);
		highEnd = at + 6;
	}
	return highEnd >= 0 ? lone(highEnd - 6) : undefined;
}

/**
 * A text element of an ARRAY / MAP / STRUCT value (CHAR, VARCHAR, STRING) written into the value's
 * literal text so that Doris 2.1 / 3.0 / 3.1 read it back as it is. JSON.stringify's escapes are not
 * what Doris reads there: the cast from the literal text (ConvertImplGenericFromString,
 * be/src/vec/functions/function_cast.h, escape_char '\\') splits it on quotes, commas and brackets,
 * then takes each element's quotes off (Slice::trim_quote, `"…"` or `'…'`) and removes each backslash,
 * keeping the character after it as it is (escape_string, be/src/vec/data_types/serde/
 * data_type_string_serde.h). So `\n` loaded as the letter n, and the ARRAY splitter
 * (data_type_array_serde.cpp, deserialize_one_cell_from_json) takes every `"` as a quote whatever
 * escapes it: `["a\"b","c"]` loaded one element, `a"b","c`. Here a backslash is doubled, a control
 * character (a line break, a tab) is written as it is (the JSON line carries it escaped, Doris' JSON
 * reader hands it on unescaped), and the text is quoted with `'` when it holds a `"`: inside `'…'`
 * the splitters of ARRAY, MAP and STRUCT skip a `"`. A text holding both quotes cannot be written so
 * (nestedTextRefusal). A leading quote character is written after a backslash: a nullable element
 * (every one but ARRAY<NOT_NULL(T)>'s) is unquoted twice, once by DataTypeNullableSerDe
 * (data_type_nullable_serde.cpp, converted_from_string) and again by the text serde (trim_quote,
 * nesting level >= 2) before escape_string, so `"'x'"` loaded x and `'"x"'` loaded x; after the
 * first pair goes, the text starts with the backslash and is not unquoted again.
 */
export function nestedTextLiteral(text: string): string {
	const quote = text.includes('"') ? "'" : '"';
	const body = text.includes('\\') ? text.replaceAll('\\', '\\\\') : text;
	return quote + (body[0] === '"' || body[0] === "'" ? `\\${body}` : body) + quote;
}

/** Why nestedTextLiteral cannot write the text so that Doris reads it back, or undefined. */
export function nestedTextRefusal(text: string): string | undefined {
	if (!text.includes('"') || !text.includes("'")) return undefined;
	return (
		`holds both quote characters (" and '): Doris 2.1 / 3.0 / 3.1 split an ARRAY / MAP / STRUCT value's text at a quote whatever escapes it ` +
		'(be/src/vec/data_types/serde/data_type_array_serde.cpp) and would load other elements than sent'
	);
}

export function utf8Length(s: string, limit: number): number {
	// Every UTF-16 unit is at most 3 UTF-8 bytes: short strings skip the exact count.
	return s.length * 3 <= limit ? s.length : Buffer.byteLength(s, 'utf8');
}

export function toText(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (value instanceof JsonText) return value.text;
	if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
	if (typeof value === 'object') {
		try {
			return JSON.stringify(value);
		} catch {
			// Only BigInt values make a plain object unserialisable; the replacer is slow, so only then.
			return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
		}
	}
	return null;
}

/**
 * An ARRAY / MAP / STRUCT value given as JSON text, parsed; other values as they are. Parsed exactly:
 * JSON.parse would turn `[0.12345678901234567891]` into a double and load 0.12345678901234568000 into
 * an ARRAY<DECIMAL(38,20)>, so numbers a double would change stay their text (parseJsonExact).
 */
export function parseIfText(input: unknown, open: string): unknown {
	const value = input instanceof JsonText ? input.text : input;
	if (typeof value !== 'string') return value;
	const t = value.trimStart();
	if (t[0] !== open) return value;
	try {
		return parseJsonExact(t);
	} catch {
		return value;
	}
}

export function validJsonText(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

/**
 * DECIMAL(p,s) for plain `[-]ddd[.ddd]` with at most `scale` fractional digits and no leading zero:
 * no rounding, so the text only gets its fraction padded (same output as coerceDecimal, which stays
 * the reference for everything else, failures included). undefined = take the general path.
 */
export function plainDecimal(value: unknown, precision: number, scale: number): string | undefined {
	let text: string;
	if (typeof value === 'string') text = value;
	// An integer beyond 2^53 has already lost digits: coerceDecimal refuses it.
	else if (typeof value === 'number' && Number.isFinite(value) && (Number.isSafeInteger(value) || !Number.isInteger(value))) {
		const written = plainDecimalOfNumber(value, precision, scale);
		if (written !== undefined) return written;
		text = String(value);
	} else return undefined;
	return plainDecimalIn(text, 0, text.length, precision, scale);
}

const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000'];
/** |value × 10^scale| below this: a double's spacing there is under a tenth of 10^-scale (see plainDecimalOfNumber). */
const EXACT_SCALED_LIMIT = 4e14;

/**
 * plainDecimal of a number of at most `scale` (≤ 6) fractional digits, written from its integer count of
 * 10^-scale, without String(value) (a shortest-digits conversion: 40 % of the DECIMAL column's CPU on
 * the benchmark's rows); undefined = not sure, take String(value). When n = round(value × 10^scale) gives
 * back value (n / 10^scale === value), the decimal D = n × 10^-scale rounds to value; so does String(value),
 * the shortest decimal S that does. S ≠ D would put two decimals of at most D's digits within one spacing
 * (ulp) of the double: both multiples of 10^-scale (then 10^-scale apart), or S one digit position
 * shorter below D (then at least 10^-(scale+1) apart). Below EXACT_SCALED_LIMIT the ulp, at most
 * |value| × 2^-52, is smaller than that, so S is D without its trailing zeros, in plain notation (|value|
 * ≥ 10^-6 > 1e-7). What plainDecimalPadding refuses (-0.x, too many integer digits) goes to String(value)
 * and is refused there. Property-tested against String(value) (coerce-values.test.ts).
 */
function plainDecimalOfNumber(value: number, precision: number, scale: number): string | undefined {
	if (scale >= POWERS_OF_TEN.length) return undefined;
	const unit = POWERS_OF_TEN[scale];
	const count = Math.round(value * unit);
	if (!(count < EXACT_SCALED_LIMIT && count > -EXACT_SCALED_LIMIT) || count / unit !== value) return undefined;
	const negative = count < 0;
	const magnitude = negative ? -count : count;
	const whole = Math.floor(magnitude / unit);
	if (negative && whole === 0) return undefined;
	const wholeText = String(whole);
	if ((whole === 0 ? 0 : wholeText.length) > precision - scale) return undefined;
	const sign = negative ? '-' : '';
	if (scale === 0) return sign + wholeText;
	const fraction = String(magnitude - whole * unit);
	return `${sign}${wholeText}.${ZEROS[scale - fraction.length]}${fraction}`;
}

/** plainDecimal of the text text[from, to) (a packed line's value, read where it stands). */
export function plainDecimalIn(text: string, from: number, to: number, precision: number, scale: number): string | undefined {
	const padding = plainDecimalPadding(text, from, to, precision, scale);
	if (padding < 0) return undefined;
	if (scale === 0) return text.slice(from, text.charCodeAt(to - 1) === 46 ? to - 1 : to);
	const whole = text.slice(from, to);
	return ((padding & DECIMAL_DOT) !== 0 ? `${whole}.` : whole) + '0'.repeat(padding >> 1);
}

/** In plainDecimalPadding's result: a dot goes before the zeros. */
export const DECIMAL_DOT = 1;

/**
 * How plainDecimal pads the text text[from, to) for DECIMAL(precision, scale): -1 when it does not
 * take the text as plain digits; else the text (without a trailing dot when the scale is 0), then a
 * dot when `(result & DECIMAL_DOT)`, then `result >> 1` zeros. The packed rows' fast path writes a
 * value from this without making a string of it.
 */
export function plainDecimalPadding(text: string, from: number, to: number, precision: number, scale: number): number {
	if (from >= to) return -1;
	const negative = text.charCodeAt(from) === 45;
	const start = negative ? from + 1 : from;
	let i = start;
	while (i < to && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
	const intEnd = i;
	const intLength = intEnd - start;
	if (intLength === 0) return -1;
	let fracLength = 0;
	if (i < to) {
		if (text.charCodeAt(i) !== 46) return -1;
		for (i++; i < to; i++) {
			const c = text.charCodeAt(i);
			if (c < 48 || c > 57) return -1;
			fracLength++;
		}
	}
	if (fracLength > scale) return -1;
	const zeroInt = text.charCodeAt(start) === 48;
	// "-0.x" (a negative zero?) and leading zeros: the general path.
	if (zeroInt && (intLength > 1 || negative)) return -1;
	if ((zeroInt ? 0 : intLength) > precision - scale) return -1;
	if (scale === 0) return 0;
	return ((scale - fracLength) << 1) | (intEnd === to ? DECIMAL_DOT : 0);
}
