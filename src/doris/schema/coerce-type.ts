/**
 * Compiles a Doris type into a value handler once per schema; rows then run a flat array of handlers
 * (no per-row closures, no per-row regex compilation).
 *
 * What goes out is what Doris' JSON Stream Load reader accepts. That reader (be/src/vec/exec/format/
 * json/new_json_reader.cpp, `_simdjson_write_data_to_column`) turns every JSON value into text before
 * casting it to the column type: strings are taken unescaped, numbers / arrays / objects as their JSON
 * text, booleans as "1"/"0". So big integers and decimals go out as strings (exact, and still cast as
 * numbers), and ARRAY / MAP / STRUCT go out as a string holding Doris' own literal text (`[1,2]`,
 * `{"k":1}`, `{"a":1,"b":"x"}`), built by coerce-nested.ts so that big numbers inside stay unquoted
 * and exact.
 */
import { isIPv6 } from 'node:net';

import { JsonText } from '../../common/connect-logical';
import { arrayHandler, mapHandler, structHandler } from './coerce-nested';
import { DEFAULT_VALUE_LIMITS, failWith, INVALID, tooLong, type FailSlot, type TypeHandler, type ValueLimits } from './coerce-result';
import {
	dottedIPv4,
	escapedLoneSurrogate,
	IPV4_MAX,
	IPV6_MAX,
	ipNumber,
	ipv4Text,
	ipv6Parsable,
	ipv6Text,
	loneSurrogate,
	nestedTextLiteral,
	nestedTextRefusal,
	plainDecimal,
	toText,
	utf8Length,
	validJsonText,
} from './coerce-values';
import { unavailableValue, type UnavailableValue } from './unavailable-value';
import { DateCoercer, type DateTimeOptions } from './datetime';
import { ZoneClock } from './zone-clock';
import { booleanDroppingFraction, booleanText, coerceDecimal, coerceFloat, coerceInteger, INTEGER_BOUNDS, nonAsciiSpaceDetail, type DecimalFailure, type ExtraDigitsPolicy, type NumberResult } from './numbers';
import { formatType, type DorisType } from './types';

export {
	DEFAULT_VALUE_LIMITS,
	INVALID,
	JSON_MAX_BYTES,
	MAX_VALUE_LIMIT_BYTES,
	STRING_MAX_BYTES,
	type FailSlot,
	type RejectRule,
	type TypeHandler,
	type ValueLimits,
} from './coerce-result';

/**
 * BOOLEAN_TEXT: a JSON boolean loads into a CHAR / VARCHAR / STRING column as "1" / "0": Doris' JSON
 * reader hands a boolean to a scalar column as that text (new_json_reader.cpp,
 * `_simdjson_write_data_to_column`: "insert "1"/"0", not "true"/"false""; 2.1, 3.0, 3.1). An ARRAY /
 * MAP / STRUCT element is no such column: 2.1 / 3.0 cast the array's JSON text, which keeps the word.
 */
const quoted = (v: unknown): string => JSON.stringify(v);
const raw = (v: unknown): string => String(v);
/** Shared by all handlers of one compile: one zone clock, one options object. */
export interface CompileContext {
	dates: DateTimeOptions;
	zone: ZoneClock;
	limits: ValueLimits;
	/** Digits a DECIMAL(p,s) / DATETIME(p) / FLOAT cannot keep: rounded as Doris does, or the row is invalid. */
	extraDigits: ExtraDigitsPolicy;
	/** Debezium's placeholder for a value it did not receive: refused by every text and JSON column. */
	unavailable: UnavailableValue;
}

export function makeCompileContext(
	dates: DateTimeOptions,
	limits: ValueLimits = DEFAULT_VALUE_LIMITS,
	extraDigits: ExtraDigitsPolicy = 'invalid',
	unavailable: UnavailableValue = unavailableValue(undefined),
): CompileContext {
	return { dates, zone: new ZoneClock(dates.timeZone), limits, extraDigits, unavailable };
}

/** Names the option that loads such values rounded, so the rejection says how to get them in. */
const UNIT_NAMES: Record<DateTimeOptions['epochUnit'], string> = { reject: 'no unit', days: 'days', s: 'seconds', ms: 'milliseconds', us: 'microseconds' };

/** Why a DATE refused a number that reads as the first day of 1970 in its sub-day Epoch Unit (datetime.ts, dayCountInSubDayUnit). */
function dayCountDetail(value: unknown, unit: DateTimeOptions['epochUnit']): string {
	return (
		`${String(value)} read in ${UNIT_NAMES[unit]} (Epoch Unit) is less than a day from 1970-01-01, so it would load as a date of 1970: ` +
		"it looks like a count of days (schemaless Debezium sends a DATE so), set Epoch Unit per Column to Days for this column; a real date must come as text or in the unit's range"
	);
}

const ROUND_HINT = "; the Doris Schema node's option Fractional Digits the Column Cannot Keep: Round as Doris Does loads it rounded";
/** `nested`: the handler of an ARRAY element, MAP key or value, or STRUCT field, not of a column. */
export function compileType(type: DorisType, ctx: CompileContext, nested = false): TypeHandler {
	const expected = formatType(type);
	const round = ctx.extraDigits === 'round';
	switch (type.kind) {
		case 'integer': {
			const b = INTEGER_BOUNDS[type.name];
			const slot: NumberResult = { ok: false, value: 0, failure: 'type' };
			const probe: NumberResult = { ok: false, value: 0, failure: 'type' };
			return {
				expected,
				coerce(value, fail) {
					const r = coerceInteger(value, b, slot);
					if (r.ok) return r.value;
					if (r.failure === 'not_integer' && typeof r.value === 'string') return failWith(fail, 'not_integer', `a fraction: Doris would drop the fraction and load ${r.value}`);
					const space = r.failure === 'not_integer' ? nonAsciiSpaceDetail(value, 'digits', 'number', (t) => coerceInteger(t, b, probe).ok) : undefined;
					if (space !== undefined) return failWith(fail, 'not_integer', `not an integer: ${space}`);
					return failWith(fail, r.failure, r.failure === 'range' ? `outside ${b.min}..${b.max}` : undefined);
				},
				literal: raw,
			};
		}
		case 'decimal': {
			const { precision, scale } = type;
			const slot: NumberResult<DecimalFailure> = { ok: false, value: 0, failure: 'type' };
			const probe: NumberResult<DecimalFailure> = { ok: false, value: 0, failure: 'type' };
			return {
				expected,
				coerce(value, fail) {
					const fast = plainDecimal(value, precision, scale);
					if (fast !== undefined) return fast;
					const r = coerceDecimal(value, precision, scale, slot, round);
					if (r.ok) return r.value;
					if (r.failure === 'scale') return failWith(fail, 'precision', `more than ${scale} fractional digits: Doris would round the value${ROUND_HINT}`);
					const space = r.failure === 'type' ? nonAsciiSpaceDetail(value, 'digits', 'number', (t) => coerceDecimal(t, precision, scale, probe, round).ok) : undefined;
					if (space !== undefined) return failWith(fail, 'type', `wrong type: ${space}`);
					return failWith(fail, r.failure, r.failure === 'precision' ? `more than ${precision - scale} integer digits` : undefined);
				},
				literal: raw,
			};
		}
		case 'float': {
			const single = type.name === 'FLOAT';
			const slot: NumberResult = { ok: false, value: 0, failure: 'type' };
			const probe: NumberResult = { ok: false, value: 0, failure: 'type' };
			return {
				expected,
				coerce(value, fail) {
					const r = coerceFloat(value, single, slot, round);
					if (r.ok) return r.value;
					const space = r.failure === 'type' ? nonAsciiSpaceDetail(value, 'digits', 'number', (t) => coerceFloat(t, single, probe, round).ok) : undefined;
					if (space !== undefined) return failWith(fail, 'type', `wrong type: ${space}`);
					const keeps = single ? 'a FLOAT keeps about 7 significant digits' : 'a DOUBLE keeps 15 to 17 significant digits';
					return failWith(fail, r.failure, r.failure === 'precision' ? `${keeps}: Doris would store ${String(r.value)}${ROUND_HINT}` : undefined);
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
						const read = booleanText(value);
						if (read !== undefined) return read;
						// Doris reads "1.5" as 1 (string_to_int drops a fraction, see numbers.ts INT_TEXT_RE), so true.
						const dropped = booleanDroppingFraction(value);
						if (dropped !== undefined) return failWith(fail, 'type', `not true/false/1/0: a fraction: Doris would drop the fraction and read ${dropped ? '1 (true)' : '0 (false)'}`);
						const space = nonAsciiSpaceDetail(value, 'value', 'BOOLEAN', (t) => booleanText(t) !== undefined);
						if (space !== undefined) return failWith(fail, 'type', `not true/false/1/0: ${space}`);
					}
					return failWith(fail, 'type', 'not true/false/1/0');
				},
				literal: raw,
			};
		case 'date':
		case 'datetime': {
			const dc = new DateCoercer(type.kind === 'datetime', type.kind === 'datetime' ? type.precision : 0, ctx.dates, ctx.zone, round);
			return {
				expected,
				coerce(value, fail) {
					const r = dc.coerce(value);
					if (r.ok) return r.value;
					if (r.failure === 'epoch_day_count') return failWith(fail, 'epoch_unit', dayCountDetail(value, ctx.dates.epochUnit));
					return failWith(fail, r.failure, r.failure === 'precision' ? `more fractional second digits than ${expected} keeps: Doris would round the time${ROUND_HINT}` : undefined);
				},
				literal: quoted,
			};
		}
		case 'char':
		case 'varchar': {
			// Doris checks min(string_type_length_soft_limit_bytes, length) (be/src/vec/sink/
			// vtablet_block_convertor.cpp, CHAR / VARCHAR / STRING alike, 2.1 / 3.0 / 3.1): a VARCHAR(2000)
			// value of 1,500 bytes passed here and was filtered there on a cluster whose setting is 1,000.
			const limit = Math.min(type.length, ctx.limits.stringMaxBytes);
			const bySetting = limit < type.length;
			const unavailable = ctx.unavailable;
			return {
				expected,
				coerce(value, fail) {
					if (unavailable.holds(value)) return failWith(fail, 'unavailable_value', unavailable.reason);
					if (typeof value === 'boolean' && !nested) return value ? '1' : '0'; // BOOLEAN_TEXT
					const text = toText(value);
					if (text === null) return failWith(fail, 'type');
					const bytes = utf8Length(text, limit);
					if (bytes > limit) return bySetting ? tooLong(fail, bytes, limit, 'string_type_length_soft_limit_bytes') : failWith(fail, 'too_long', `${bytes} UTF-8 bytes, limit ${limit}`);
					return checkedText(text, nested, fail);
				},
				literal: nested ? nestedTextLiteral : quoted,
			};
		}
		case 'string': {
			const limit = ctx.limits.stringMaxBytes;
			const unavailable = ctx.unavailable;
			return {
				expected,
				coerce(value, fail) {
					if (unavailable.holds(value)) return failWith(fail, 'unavailable_value', unavailable.reason);
					if (typeof value === 'boolean' && !nested) return value ? '1' : '0'; // BOOLEAN_TEXT
					const text = toText(value);
					if (text === null) return failWith(fail, 'type');
					// Doris filters a longer STRING value's row (OlapTableBlockConvertor, limit
					// string_type_length_soft_limit_bytes): reject the row here instead.
					const bytes = utf8Length(text, limit);
					if (bytes > limit) return tooLong(fail, bytes, limit, 'string_type_length_soft_limit_bytes');
					return checkedText(text, nested, fail);
				},
				literal: nested ? nestedTextLiteral : quoted,
			};
		}
		case 'json':
		case 'variant': {
			// JSON has its own limit; VARIANT shares STRING's (Doris data type docs, JSON and VARIANT).
			const [limit, setting] =
				type.kind === 'json' ? [ctx.limits.jsonMaxBytes, 'jsonb_type_length_soft_limit_bytes'] : [ctx.limits.stringMaxBytes, 'string_type_length_soft_limit_bytes'];
			const unavailable = ctx.unavailable;
			const jsonText = (value: unknown, fail: FailSlot): string | typeof INVALID => {
				// Declared JSON text (io.debezium.data.Json): loaded as the document it is, scalars too.
				if (value instanceof JsonText) return validJsonText(value.text) ? loadableJson(value.text, fail) : failWith(fail, 'type', 'declared JSON text that does not parse');
				// A string is loaded as Doris loads it: its text parsed as JSON (new_json_reader.cpp passes a
				// string value's unescaped text to the column, whose JSONB cast / parse_json_to_variant
				// parses it), so "123" is the number 123 and '{"a":1}' an object, not JSON strings of
				// them. Text that is no JSON is taken as a JSON string value, where Doris would refuse it
				// (JSON: the cast from text fails, ConvertImplGenericFromString in be/src/vec/functions/
				// function_cast.h, which filters the row under strict mode and stores NULL without it) or
				// keep it as a string (VARIANT, "Treat as string"). So is an empty one, sent as the JSON
				// string "": as it is, a VARIANT would make the empty text the empty object {}
				// (parse_json_to_variant, be/src/vec/json/parse2column.cpp, "Treat empty string as an empty
				// object", 2.1 / 3.0 / 3.1), another value than the one sent.
				// Not refused here on purpose: an item does not say where its strings came from, and a
				// string from a typed decoder (a google.protobuf.Value holding a string, an Avro or JSON
				// Schema string field) is a JSON string value, not JSON text; refusing it would send valid
				// rows to the invalid output.
				if (typeof value === 'string') {
					const lone = loneSurrogate(value);
					if (lone !== undefined) return failWith(fail, 'type', lone);
					return mayBeJsonText(value) && validJsonText(value) ? loadableJson(value, fail) : JSON.stringify(value);
				}
				// Any other value goes out as its JSON text in a JSON string, which Doris parses back into
				// the column. So a boolean stays one: sent as a JSON boolean, the reader would hand the column
				// the text "1" / "0" (BOOLEAN_TEXT) and store the number 1 / 0 (2.1 / 3.0 / 3.1).
				const text = toText(value);
				return text === null ? failWith(fail, 'type') : loadableJson(text, fail);
			};
			return {
				expected,
				coerce(value, fail) {
					if (unavailable.holds(value)) return failWith(fail, 'unavailable_value', unavailable.reason);
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
					if (typeof value === 'string') {
						const dotted = dottedIPv4(value);
						if (dotted !== undefined) return dotted;
					}
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
					if (typeof value === 'string' && isIPv6(value.trim())) {
						return ipv6Parsable(value.trim()) ?? failWith(fail, 'type', 'a zone index (%…) is no part of an IPv6 value; Doris would load NULL');
					}
					const n = ipNumber(value, fail);
					if (n === INVALID) return INVALID;
					if (n !== undefined && n <= IPV6_MAX) return ipv6Text(n);
					return failWith(fail, 'type', n === undefined ? 'not an IPv6 address' : `${n} is beyond 2^128 - 1`);
				},
				literal: quoted,
			};
		// A column's ARRAY / MAP value may be Debezium's placeholder in its integer[], date[], uuid[] or
		// hstore form (unavailable-value.ts); its elements were the stored ones' stand-in, not data.
		case 'array':
			return refusingUnavailable(arrayHandler(compileType(type.element, ctx, true), type.elementNotNull === true, expected), ctx.unavailable, nested);
		case 'map':
			return refusingUnavailable(mapHandler(type.key, compileType(type.key, ctx, true), compileType(type.value, ctx, true), expected), ctx.unavailable, nested);
		case 'struct':
			return structHandler(
				type.fields.map((field) => ({ name: field.name, handler: compileType(field.type, ctx, true) })),
				expected,
			);
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

/** `handler`, refusing Debezium's placeholder first where it is a column's (not an element's) handler. */
function refusingUnavailable(handler: TypeHandler, unavailable: UnavailableValue, nested: boolean): TypeHandler {
	if (nested) return handler;
	return {
		expected: handler.expected,
		coerce(value, fail) {
			return unavailable.holds(value) ? failWith(fail, 'unavailable_value', unavailable.reason) : handler.coerce(value, fail);
		},
		literal: handler.literal,
	};
}

/** Text that loads as it is: no lone surrogate, and as an ARRAY / MAP / STRUCT element one nestedTextLiteral can write. */
function checkedText(text: string, nested: boolean, fail: FailSlot): string | typeof INVALID {
	const why = loneSurrogate(text) ?? (nested ? nestedTextRefusal(text) : undefined);
	return why === undefined ? text : failWith(fail, 'type', why);
}

/**
 * JSON text as it is, unless a string or key in it holds a lone surrogate (escaped: JSON.stringify
 * writes one so), as the plain-string case refuses (loneSurrogate). Doris parses the text with
 * simdjson, whose unescaping fails on it. JSON: the JSONB cast fails (be/src/util/jsonb_parser_simd.h,
 * get_string / unescaped_key), so the row failed its load to come out on Rejected, or under Max Filter
 * Ratio was only counted. VARIANT: parse_json_to_variant keeps text it cannot parse as one string
 * ("Treat as string", be/src/vec/json/parse2column.cpp, unless variant_throw_exeception_on_invalid_json),
 * so an object loaded silently as the string of its JSON text.
 */
function loadableJson(text: string, fail: FailSlot): string | typeof INVALID {
	const lone = escapedLoneSurrogate(text);
	return lone === undefined ? text : failWith(fail, 'type', lone);
}

/**
 * Whether text may be JSON text: its first character past JSON whitespace can start a JSON value.
 * Most strings fail here, so only the rest pay for a parse.
 */
function mayBeJsonText(text: string): boolean {
	let i = 0;
	let c = text.charCodeAt(0);
	while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
	// { [ " - digits, and t / f / n of true, false, null.
	return c === 123 || c === 91 || c === 34 || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110;
}
