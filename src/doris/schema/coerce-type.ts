/**
 * Compiles a Doris type into a value handler once per schema; rows then run a flat array of handlers
 * (no per-row closures, no per-row regex compilation).
 *
 * What goes out is what Doris' JSON Stream Load reader accepts. That reader (be/src/vec/exec/format/
 * json/new_json_reader.cpp, `_simdjson_write_data_to_column`) turns every JSON value into text before
 * casting it to the column type: strings are taken unescaped, numbers / arrays / objects as their JSON
 * text, booleans as "1"/"0". So big integers and decimals go out as strings (exact, and still cast as
 * numbers), and ARRAY / MAP / STRUCT go out as a string holding Doris' own literal text (`[1,2]`,
 * `{"k":1}`, `{"a":1,"b":"x"}`), built here so that big numbers inside stay unquoted and exact.
 */
import { isIPv4, isIPv6 } from 'node:net';

import { JsonText } from '../../common/connect-logical';
import { DateCoercer, type DateTimeOptions, ZoneClock } from './datetime';
import { coerceDecimal, coerceFloat, coerceInteger, INTEGER_BOUNDS, type NumberResult } from './numbers';
import { formatType, type DorisType } from './types';

/** Returned by a handler instead of a value when the value cannot load; details are in the FailSlot. */
export const INVALID: unique symbol = Symbol('invalid');

export type RejectRule =
	| 'type'
	| 'not_integer'
	| 'unsafe_integer'
	| 'range'
	| 'precision'
	| 'too_long'
	| 'date_format'
	| 'date_range'
	/** A number in a DATE / DATETIME column without the Epoch Unit option saying what it counts. */
	| 'epoch_unit'
	/** A value that does not fit the logical type its Connect schema declares (e.g. a Decimal that is not base64). */
	| 'logical_type'
	| 'not_null'
	| 'unknown_field'
	| 'unsupported'
	| 'envelope'
	| 'parse_error'
	/** Only with Continue On Fail: the table schema could not be read, so nothing was coerced. */
	| 'schema';

/** Filled by a failing handler; reused across values. `path` locates a failure inside nested values. */
export interface FailSlot {
	rule: RejectRule;
	detail: string;
	path: string;
}

export interface TypeHandler {
	expected: string;
	/** Coerced JSON-safe value, or INVALID (then `fail` says why). Never called with null/undefined. */
	coerce(value: unknown, fail: FailSlot): unknown;
	/** The coerced value as an element of Doris' nested literal text. */
	literal(coerced: unknown): string;
}

const RULE_TEXT: Record<string, string> = {
	type: 'wrong type',
	not_integer: 'not an integer',
	unsafe_integer: 'an integer beyond 2^53 sent as a JSON number has already lost digits; send it as a string',
	range: 'out of range',
	precision: 'too many digits',
	date_format: 'not a date',
	date_range: 'outside 0000-01-01..9999-12-31',
	epoch_unit: 'a number is read as a date only in the unit the Epoch Unit option names (days, seconds, milliseconds, microseconds); none is set for this column',
};

function failWith(fail: FailSlot, rule: RejectRule, detail?: string): typeof INVALID {
	fail.rule = rule;
	fail.detail = detail ?? RULE_TEXT[rule] ?? rule;
	return INVALID;
}

/** Doris BE's default `string_type_length_soft_limit_bytes` (1 MB) for STRING values. */
export const STRING_MAX_BYTES = 1_048_576;
/** Doris BE's default `jsonb_type_length_soft_limit_bytes` (1 MB) for JSON values. */
export const JSON_MAX_BYTES = 1_048_576;

/**
 * The value sizes a Doris cluster accepts, both BE settings (be/src/common/config.cpp; 1 MB each by
 * default, up to 2147483643). A longer value makes Doris filter its row, which fails the whole load
 * at the default max filter ratio 0, so such rows are rejected here with the setting's name.
 */
export interface ValueLimits {
	/** `string_type_length_soft_limit_bytes`: STRING and VARIANT values, in UTF-8 bytes. */
	stringMaxBytes: number;
	/**
	 * `jsonb_type_length_soft_limit_bytes`: JSON values. Doris measures its binary JSONB form; the
	 * check here counts the JSON text's UTF-8 bytes, which is close to it.
	 */
	jsonMaxBytes: number;
}

export const DEFAULT_VALUE_LIMITS: ValueLimits = { stringMaxBytes: STRING_MAX_BYTES, jsonMaxBytes: JSON_MAX_BYTES };

/** The largest value either BE setting takes (be/src/common/config.cpp validators). */
export const MAX_VALUE_LIMIT_BYTES = 2_147_483_643;

const quoted = (v: unknown): string => JSON.stringify(v);
const raw = (v: unknown): string => String(v);

/** Shared by all handlers of one compile: one zone clock, one options object. */
export interface CompileContext {
	dates: DateTimeOptions;
	zone: ZoneClock;
	limits: ValueLimits;
}

export function makeCompileContext(dates: DateTimeOptions, limits: ValueLimits = DEFAULT_VALUE_LIMITS): CompileContext {
	return { dates, zone: new ZoneClock(dates.timeZone), limits };
}

function tooLong(fail: FailSlot, bytes: number, limit: number, setting: string): typeof INVALID {
	return failWith(fail, 'too_long', `${bytes} UTF-8 bytes, limit ${limit} (Doris BE setting ${setting})`);
}

const IPV4_MAX = 0xffffffff;
const IPV6_MAX = (1n << 128n) - 1n;
const DIGITS = /^\d+$/;

/**
 * An IP address given as its number (a JSON number, or decimal digits in a string), or undefined.
 * Doris parses IPv4 / IPv6 values only from their text form (`IPv4Value::from_string`,
 * `IPv6Value::from_string`): a number becomes NULL without strict mode, so it is converted here.
 */
function ipNumber(value: unknown, fail: FailSlot): bigint | undefined | typeof INVALID {
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

function ipv4Text(n: bigint): string {
	const v = Number(n);
	return `${Math.floor(v / 16777216) % 256}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
}

function ipv6Text(n: bigint): string {
	const groups: string[] = [];
	for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((n >> shift) & 0xffffn).toString(16));
	// The URL parser prints the RFC 5952 short form (`::` for the longest zero run).
	return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

function utf8Length(s: string, limit: number): number {
	// Every UTF-16 unit is at most 3 UTF-8 bytes: short strings skip the exact count.
	return s.length * 3 <= limit ? s.length : Buffer.byteLength(s, 'utf8');
}

function toText(value: unknown): string | null {
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

function parseIfText(input: unknown, open: string): unknown {
	const value = input instanceof JsonText ? input.text : input;
	if (typeof value !== 'string') return value;
	const t = value.trimStart();
	if (t[0] !== open) return value;
	try {
		return JSON.parse(t) as unknown;
	} catch {
		return value;
	}
}

function validJsonText(text: string): boolean {
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
function plainDecimal(value: unknown, precision: number, scale: number): string | undefined {
	let text: string;
	if (typeof value === 'string') text = value;
	// An integer beyond 2^53 has already lost digits: coerceDecimal refuses it.
	else if (typeof value === 'number' && Number.isFinite(value) && (Number.isSafeInteger(value) || !Number.isInteger(value))) text = String(value);
	else return undefined;
	const n = text.length;
	const start = text.charCodeAt(0) === 45 ? 1 : 0;
	let i = start;
	while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
	const intEnd = i;
	const intLength = intEnd - start;
	if (intLength === 0) return undefined;
	let fracLength = 0;
	if (i < n) {
		if (text.charCodeAt(i) !== 46) return undefined;
		for (i++; i < n; i++) {
			const c = text.charCodeAt(i);
			if (c < 48 || c > 57) return undefined;
			fracLength++;
		}
	}
	if (fracLength > scale) return undefined;
	const zeroInt = text.charCodeAt(start) === 48;
	// "-0.x" (a negative zero?) and leading zeros: the general path.
	if (zeroInt && (intLength > 1 || start === 1)) return undefined;
	if ((zeroInt ? 0 : intLength) > precision - scale) return undefined;
	if (scale === 0) return intEnd === n ? text : text.slice(0, intEnd);
	if (fracLength === scale) return text;
	return (intEnd === n ? `${text}.` : text) + '0'.repeat(scale - fracLength);
}

export function compileType(type: DorisType, ctx: CompileContext): TypeHandler {
	const expected = formatType(type);
	switch (type.kind) {
		case 'integer': {
			const b = INTEGER_BOUNDS[type.name];
			const slot: NumberResult = { ok: false, value: 0, failure: 'type' };
			return {
				expected,
				coerce(value, fail) {
					const r = coerceInteger(value, b, slot);
					return r.ok ? r.value : failWith(fail, r.failure, r.failure === 'range' ? `outside ${b.min}..${b.max}` : undefined);
				},
				literal: raw,
			};
		}
		case 'decimal': {
			const { precision, scale } = type;
			const slot: NumberResult = { ok: false, value: 0, failure: 'type' };
			return {
				expected,
				coerce(value, fail) {
					const fast = plainDecimal(value, precision, scale);
					if (fast !== undefined) return fast;
					const r = coerceDecimal(value, precision, scale, slot);
					if (r.ok) return r.value;
					return failWith(fail, r.failure, r.failure === 'precision' ? `more than ${precision - scale} integer digits` : undefined);
				},
				literal: raw,
			};
		}
		case 'float': {
			const single = type.name === 'FLOAT';
			const slot: NumberResult = { ok: false, value: 0, failure: 'type' };
			return {
				expected,
				coerce(value, fail) {
					const r = coerceFloat(value, single, slot);
					return r.ok ? r.value : failWith(fail, r.failure);
				},
				literal: raw,
			};
		}
		case 'boolean':
			return {
				expected,
				coerce(value, fail) {
					if (typeof value === 'boolean') return value;
					if (value === 1 || value === 0) return value === 1;
					if (typeof value === 'string') {
						const t = value.trim().toLowerCase();
						if (t === 'true' || t === '1') return true;
						if (t === 'false' || t === '0') return false;
					}
					return failWith(fail, 'type', 'not true/false/1/0');
				},
				literal: raw,
			};
		case 'date':
		case 'datetime': {
			const dc = new DateCoercer(type.kind === 'datetime', type.kind === 'datetime' ? type.precision : 0, ctx.dates, ctx.zone);
			return {
				expected,
				coerce(value, fail) {
					const r = dc.coerce(value);
					return r.ok ? r.value : failWith(fail, r.failure);
				},
				literal: quoted,
			};
		}
		case 'char':
		case 'varchar': {
			const limit = type.length;
			return {
				expected,
				coerce(value, fail) {
					const text = toText(value);
					if (text === null) return failWith(fail, 'type');
					const bytes = utf8Length(text, limit);
					return bytes > limit ? failWith(fail, 'too_long', `${bytes} UTF-8 bytes, limit ${limit}`) : text;
				},
				literal: quoted,
			};
		}
		case 'string': {
			const limit = ctx.limits.stringMaxBytes;
			return {
				expected,
				coerce(value, fail) {
					const text = toText(value);
					if (text === null) return failWith(fail, 'type');
					// Doris filters a longer STRING value's row (OlapTableBlockConvertor, limit
					// string_type_length_soft_limit_bytes): reject the row here instead.
					const bytes = utf8Length(text, limit);
					return bytes > limit ? tooLong(fail, bytes, limit, 'string_type_length_soft_limit_bytes') : text;
				},
				literal: quoted,
			};
		}
		case 'json':
		case 'variant': {
			// JSON has its own limit; VARIANT shares STRING's (Doris data type docs, JSON and VARIANT).
			const [limit, setting] =
				type.kind === 'json' ? [ctx.limits.jsonMaxBytes, 'jsonb_type_length_soft_limit_bytes'] : [ctx.limits.stringMaxBytes, 'string_type_length_soft_limit_bytes'];
			const jsonText = (value: unknown, fail: FailSlot): string | typeof INVALID => {
				// Declared JSON text (io.debezium.data.Json): loaded as the document it is, scalars too.
				if (value instanceof JsonText) return validJsonText(value.text) ? value.text : failWith(fail, 'type', 'declared JSON text that does not parse');
				// Text that holds a JSON object or array is taken as JSON text (producers often embed
				// JSON as a string); any other string is a JSON string value.
				if (typeof value === 'string') {
					const t = value.trimStart();
					if (t[0] === '{' || t[0] === '[') {
						try {
							JSON.parse(t);
							return value;
						} catch {
							return JSON.stringify(value);
						}
					}
					return JSON.stringify(value);
				}
				const text = toText(value);
				return text === null ? failWith(fail, 'type') : text;
			};
			return {
				expected,
				coerce(value, fail) {
					const text = jsonText(value, fail);
					if (text === INVALID) return INVALID;
					const bytes = utf8Length(text, limit);
					return bytes > limit ? tooLong(fail, bytes, limit, setting) : text;
				},
				literal: quoted,
			};
		}
		case 'ipv4':
			return {
				expected,
				coerce(value, fail) {
					if (typeof value === 'string' && isIPv4(value.trim())) return value.trim();
					const n = ipNumber(value, fail);
					if (n === INVALID) return INVALID;
					if (n !== undefined && n <= IPV4_MAX) return ipv4Text(n);
					return failWith(fail, 'type', n === undefined ? 'not an IPv4 address' : `${n} is beyond 4294967295 (255.255.255.255)`);
				},
				literal: quoted,
			};
		case 'ipv6':
			return {
				expected,
				coerce(value, fail) {
					if (typeof value === 'string' && isIPv6(value.trim())) return value.trim();
					const n = ipNumber(value, fail);
					if (n === INVALID) return INVALID;
					if (n !== undefined && n <= IPV6_MAX) return ipv6Text(n);
					return failWith(fail, 'type', n === undefined ? 'not an IPv6 address' : `${n} is beyond 2^128 - 1`);
				},
				literal: quoted,
			};
		case 'array':
			return compileArray(type.element, expected, ctx);
		case 'map':
			return compileMap(type.key, type.value, expected, ctx);
		case 'struct':
			return compileStruct(type, expected, ctx);
		case 'unknown':
			return {
				expected,
				coerce(value, fail) {
					if (typeof value === 'object') return toText(value) ?? failWith(fail, 'type');
					return typeof value === 'bigint' ? value.toString() : value;
				},
				literal: (v) => (typeof v === 'string' ? quoted(v) : raw(v)),
			};
		case 'opaque':
			return {
				expected,
				coerce(_value, fail) {
					return failWith(fail, 'unsupported', `${type.name} columns cannot be loaded from plain JSON values`);
				},
				literal: quoted,
			};
	}
}

/** Runs a nested handler and prefixes the failure path. Nested elements may be null (Doris allows it). */
function nested(handler: TypeHandler, value: unknown, fail: FailSlot, step: string): string | typeof INVALID {
	if (value === null || value === undefined) return 'null';
	const before = fail.path;
	fail.path = '';
	const v = handler.coerce(value, fail);
	if (v === INVALID) {
		fail.path = before + step + fail.path;
		return INVALID;
	}
	fail.path = before;
	return handler.literal(v);
}

function compileArray(elementType: DorisType, expected: string, ctx: CompileContext): TypeHandler {
	const element = compileType(elementType, ctx);
	return {
		expected,
		coerce(input, fail) {
			const value = parseIfText(input, '[');
			if (!Array.isArray(value)) return failWith(fail, 'type', 'not an array');
			let out = '[';
			for (let i = 0; i < value.length; i++) {
				const lit = nested(element, value[i], fail, `[${i}]`);
				if (lit === INVALID) return INVALID;
				out += i === 0 ? lit : `,${lit}`;
			}
			return `${out}]`;
		},
		literal: raw,
	};
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compileMap(keyType: DorisType, valueType: DorisType, expected: string, ctx: CompileContext): TypeHandler {
	const key = compileType(keyType, ctx);
	const val = compileType(valueType, ctx);
	return {
		expected,
		coerce(input, fail) {
			const value = parseIfText(input, '{');
			if (!isPlainObject(value)) return failWith(fail, 'type', 'not an object');
			let out = '{';
			let first = true;
			for (const k of Object.keys(value)) {
				const step = `[${JSON.stringify(k)}]`;
				const kl = nested(key, k, fail, `${step}(key)`);
				if (kl === INVALID) return INVALID;
				const vl = nested(val, value[k], fail, step);
				if (vl === INVALID) return INVALID;
				out += `${first ? '' : ','}${kl}:${vl}`;
				first = false;
			}
			return `${out}}`;
		},
		literal: raw,
	};
}

function compileStruct(type: Extract<DorisType, { kind: 'struct' }>, expected: string, ctx: CompileContext): TypeHandler {
	const names = type.fields.map((f) => f.name);
	const lower = new Map(type.fields.map((f, i) => [f.name.toLowerCase(), i]));
	const handlers = type.fields.map((f) => compileType(f.type, ctx));
	const prefixes = names.map((n) => `${JSON.stringify(n)}:`);
	return {
		expected,
		coerce(input, fail) {
			const value = parseIfText(input, '{');
			if (!isPlainObject(value)) return failWith(fail, 'type', 'not an object');
			const found: unknown[] = new Array<unknown>(names.length);
			for (const k of Object.keys(value)) {
				// Doris field names are case-insensitive.
				const idx = lower.get(k.toLowerCase());
				if (idx === undefined) {
					fail.path += `.${k}`;
					return failWith(fail, 'unknown_field', `no field "${k}" in ${expected}`);
				}
				found[idx] = value[k];
			}
			let out = '{';
			for (let i = 0; i < names.length; i++) {
				const lit = nested(handlers[i], found[i], fail, `.${names[i]}`);
				if (lit === INVALID) return INVALID;
				out += (i === 0 ? '' : ',') + prefixes[i] + lit;
			}
			return `${out}}`;
		},
		literal: raw,
	};
}
