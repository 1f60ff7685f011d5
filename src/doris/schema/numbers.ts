/**
 * Exact integer and decimal checks without floating point: integers beyond 2^53 (BIGINT, LARGEINT)
 * and DECIMAL(p,s) up to 76 digits are handled as digit strings. JS numbers that are integers beyond
 * 2^53 were already rounded by the JSON parser that produced them, so they are refused with a rule
 * that says so (send such values as strings; the Kafka trigger keeps them as strings).
 */
import type { IntegerTypeName } from './types';
import { isExact } from '../../common/exact-json';
import { float32Number } from '../../common/float32';
import { namesFloatWithinLastDigit } from './float-last-digit';

export interface IntegerBounds {
	/** Decimal digits of the maximum (positive side) and of |minimum|. */
	maxText: string;
	minAbsText: string;
	max: bigint;
	min: bigint;
	/** Both bounds are safe JS integers: compare numbers directly. */
	small: boolean;
	/**
	 * The bounds as numbers (BIGINT's and LARGEINT's rounded, beyond every safe integer): a safe integer
	 * is compared with these, without the two BigInts per value it cost (every row of a BIGINT column).
	 */
	maxNumber: number;
	minNumber: number;
}

function bounds(bits: number): IntegerBounds {
	const max = (1n << BigInt(bits - 1)) - 1n;
	const min = -(1n << BigInt(bits - 1));
	return { maxText: max.toString(), minAbsText: (-min).toString(), max, min, small: bits <= 32, maxNumber: Number(max), minNumber: Number(min) };
}

/** Doris integer widths: TINYINT 8, SMALLINT 16, INT 32, BIGINT 64, LARGEINT 128 bits (signed). */
export const INTEGER_BOUNDS: Record<IntegerTypeName, IntegerBounds> = {
	TINYINT: bounds(8),
	SMALLINT: bounds(16),
	INT: bounds(32),
	BIGINT: bounds(64),
	LARGEINT: bounds(128),
};

export type NumberFailure = 'type' | 'not_integer' | 'unsafe_integer' | 'range' | 'precision';
/** A DECIMAL's 'precision': more integer digits than p - s; 'scale': non-zero digits past the scale s. */
export type DecimalFailure = NumberFailure | 'scale';

/**
 * What happens to digits a DECIMAL(p,s), DATETIME(p) or FLOAT column cannot keep: 'invalid' sends the
 * row to the Invalid output (rule `precision`); 'round' rounds a DECIMAL / DATETIME half up, as Doris'
 * own casts would (string_to_decimal; the DATETIME cast since 2.0), and loads the rounded value, and
 * passes a FLOAT's number on for Doris to store as the nearest single-precision float.
 */
export type ExtraDigitsPolicy = 'invalid' | 'round';

/** Result slot reused by the coercers (no allocation per value). */
export interface NumberResult<Failure extends string = NumberFailure> {
	ok: boolean;
	/** number when it is a safe integer / float, else the exact decimal text. */
	value: number | string;
	failure: Failure;
}

/**
 * Integer text as Doris' string_to_int reads it (be/src/util/string_parser.hpp, the non-strict parse
 * a load's cast uses, vec/io/io_helper.h read_int_text_impl): ASCII whitespace around it, a sign,
 * digits, and a fraction it drops (is_float_suffix: "3.0", "3.", "3.123" are 3, since apache/doris
 * PR #38847, backported as #41541; older 2.1 releases load NULL for any fraction). A fraction of
 * zeros is the same integer and is taken (sent as the integer, which every version loads); any other
 * fraction Doris would drop silently, so it is refused with what Doris would load (INT_FRACTION_RE). Whitespace is ASCII only
 * (is_whitespace_ascii: ' ', \t, \n, \v, \f, \r): JavaScript's \s also takes U+00A0 or U+2028,
 * which make the text no number for Doris.
 */
const INT_TEXT_RE = /^[ \t\n\v\f\r]*([+-]?)0*(\d+)(?:\.0*)?[ \t\n\v\f\r]*$/;
const INT_FRACTION_RE = /^[ \t\n\v\f\r]*([+-]?)0*(\d+)\.\d+[ \t\n\v\f\r]*$/;

/** The characters JavaScript's trim() takes as spaces and Doris' parsers do not (they skip ASCII only). */
const NON_ASCII_SPACES: Readonly<Record<number, string>> = {
	0x00a0: 'no-break space',
	0x1680: 'Ogham space mark',
	0x2000: 'en quad',
	0x2001: 'em quad',
	0x2002: 'en space',
	0x2003: 'em space',
	0x2004: 'three-per-em space',
	0x2005: 'four-per-em space',
	0x2006: 'six-per-em space',
	0x2007: 'figure space',
	0x2008: 'punctuation space',
	0x2009: 'thin space',
	0x200a: 'hair space',
	0x2028: 'line separator',
	0x2029: 'paragraph separator',
	0x202f: 'narrow no-break space',
	0x205f: 'medium mathematical space',
	0x3000: 'ideographic space',
	0xfeff: 'zero width no-break space (byte order mark)',
};
const ASCII_SPACE_ENDS_RE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

/**
 * Why text refused as a number or BOOLEAN would have been taken but for a non-ASCII space at an end
 * (a no-break space pasted from a web page, U+2028 from a JSON escape): the character and where it
 * sits, e.g. "U+00A0 no-break space before the digits: Doris skips only ASCII spaces ...", or
 * undefined when there is none or the text is no value without it either (`accepts` says which).
 * Doris' string_to_int / string_to_decimal / string_to_float / string_to_bool skip only
 * is_whitespace_ascii (be/src/util/string_parser.hpp, 2.1, 3.0, 3.1). Runs only for a refused value.
 */
export function nonAsciiSpaceDetail(value: unknown, what: 'digits' | 'value', reads: string, accepts: (text: string) => boolean): string | undefined {
	if (typeof value !== 'string') return undefined;
	const inner = value.replace(ASCII_SPACE_ENDS_RE, '');
	const first = inner.charCodeAt(0);
	const last = inner.charCodeAt(inner.length - 1);
	const code = NON_ASCII_SPACES[first] !== undefined ? first : NON_ASCII_SPACES[last] !== undefined ? last : undefined;
	if (code === undefined || !accepts(value.trim())) return undefined;
	const where = code === first ? 'before' : 'after';
	return `U+${code.toString(16).toUpperCase().padStart(4, '0')} ${NON_ASCII_SPACES[code]} ${where} the ${what}: Doris skips only ASCII spaces (space, tab, line breaks) and would read no ${reads}`;
}

/** Integer text of 1 / 0 with a fraction of zeros (see booleanText). */
const BOOLEAN_ONE = /^\+?0*1(?:\.0*)?$/;
const BOOLEAN_ZERO = /^[+-]?0+(?:\.0*)?$/;
/** 1 or 0 with a fraction that is not all zeros (group 1 set for 1). */
const BOOLEAN_FRACTION = /^(?:\+?0*(1)|[+-]?0+)\.\d+$/;

/** BOOLEAN text as Doris reads it, or undefined when it is none. */
export function booleanText(value: string): boolean | undefined {
	// ASCII whitespace only, as string_to_bool skips (be/src/util/string_parser.hpp).
	const t = value.replace(ASCII_SPACE_ENDS_RE, '').toLowerCase();
	if (t === 'true' || t === '1') return true;
	if (t === 'false' || t === '0') return false;
	// Integer text first, as try_read_bool_text does (vec/io/io_helper.h, 2.1 / 3.x):
	// "01", "+1", "1.0" are 1 (string_to_int), so true; any other integer is no BOOLEAN.
	if (BOOLEAN_ONE.test(t)) return true;
	if (BOOLEAN_ZERO.test(t)) return false;
	return undefined;
}

/**
 * What Doris would read for BOOLEAN text of 1 or 0 with a fraction that is not all zeros ("1.5":
 * true, "-0.5": false), which the BOOLEAN handler refuses as it refuses "1.5" for an INT: string_to_int
 * drops the fraction (INT_TEXT_RE) before try_read_bool_text compares with 1 and 0. Else undefined.
 */
export function booleanDroppingFraction(value: string): boolean | undefined {
	const m = BOOLEAN_FRACTION.exec(value.replace(ASCII_SPACE_ENDS_RE, ''));
	return m === null ? undefined : m[1] !== undefined;
}

/** Compares two digit strings without leading zeros. */
function compareDigits(a: string, b: string): number {
	if (a.length !== b.length) return a.length < b.length ? -1 : 1;
	return a < b ? -1 : a > b ? 1 : 0;
}

export function coerceInteger(value: unknown, b: IntegerBounds, out: NumberResult): NumberResult {
	out.ok = false;
	// A failure's value is a number unless it names what Doris would load instead (a dropped fraction).
	out.value = 0;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || !Number.isInteger(value)) {
			out.failure = 'not_integer';
			return out;
		}
		if (!Number.isSafeInteger(value)) {
			out.failure = 'unsafe_integer';
			return out;
		}
		// A safe integer against the bounds as numbers: exact for the small types, and the rounded BIGINT /
		// LARGEINT bounds lie beyond every safe integer, as the exact ones do.
		if (value > b.maxNumber || value < b.minNumber) {
			out.failure = 'range';
			return out;
		}
		out.ok = true;
		out.value = value === 0 ? 0 : value;
		return out;
	}
	if (typeof value === 'string') {
		const m = INT_TEXT_RE.exec(value);
		if (m === null) {
			out.failure = 'not_integer';
			const dropped = INT_FRACTION_RE.exec(value);
			// What Doris would load in its place: the integer part as Doris reads it (a string: no leading zeros, no sign on zero).
			out.value = dropped === null ? 0 : dropped[1] === '-' && dropped[2] !== '0' ? `-${dropped[2]}` : dropped[2];
			return out;
		}
		const negative = m[1] === '-';
		const digits = m[2].length > 1 && m[2][0] === '0' ? m[2].replace(/^0+(?=\d)/, '') : m[2];
		if (compareDigits(digits, negative ? b.minAbsText : b.maxText) > 0) {
			out.failure = 'range';
			return out;
		}
		out.ok = true;
		if (digits.length <= 15) {
			const n = Number(digits);
			out.value = negative && n !== 0 ? -n : n;
		} else {
			out.value = negative ? `-${digits}` : digits;
			if (digits.length === 16) {
				const n = Number(out.value);
				if (Number.isSafeInteger(n)) out.value = n;
			}
		}
		return out;
	}
	if (typeof value === 'bigint') {
		if (value > b.max || value < b.min) {
			out.failure = 'range';
			return out;
		}
		out.ok = true;
		out.value = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
		return out;
	}
	if (typeof value === 'boolean') {
		// Doris' JSON reader turns booleans into "1" / "0" before the cast, so they load into integers.
		out.ok = true;
		out.value = value ? 1 : 0;
		return out;
	}
	out.failure = 'type';
	return out;
}

/** ASCII whitespace only around it, as string_to_decimal skips (see INT_TEXT_RE). */
const DECIMAL_TEXT_RE = /^[ \t\n\v\f\r]*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?[ \t\n\v\f\r]*$/;

/**
 * DECIMAL(p,s): exact text with s decimals. Zeros past the scale are dropped (the same value); a
 * non-zero digit there fails with 'scale', since Doris would round it half up into another value
 * (string_to_decimal, be/src/util/string_parser.hpp: "make rounding cases") and load that silently;
 * with `round` it is rounded half up here, as Doris would, carrying into the integer part.
 * More than p - s integer digits (after rounding) fails with 'precision'.
 */
export function coerceDecimal(value: unknown, precision: number, scale: number, out: NumberResult<DecimalFailure>, round = false): NumberResult<DecimalFailure> {
	out.ok = false;
	let text: string;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) {
			out.failure = 'type';
			return out;
		}
		if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
			out.failure = 'unsafe_integer';
			return out;
		}
		text = String(value);
	} else if (typeof value === 'string') {
		text = value;
	} else if (typeof value === 'bigint') {
		text = value.toString();
	} else if (typeof value === 'boolean') {
		// Doris' JSON reader turns booleans into "1" / "0" before the cast, as for integers.
		text = value ? '1' : '0';
	} else {
		out.failure = 'type';
		return out;
	}
	const m = DECIMAL_TEXT_RE.exec(text);
	if (m === null || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
		out.failure = 'type';
		return out;
	}
	const negative = m[1] === '-';
	let intPart = m[2];
	let fracPart = m[3] ?? '';
	if (m[4] !== undefined) {
		const exp = Number(m[4]);
		if (exp > 400) {
			out.failure = 'precision';
			return out;
		} else if (exp < -400) {
			// Past any scale Doris supports (at most 76 digits): zero, or digits the scale cannot keep
			// (rounded, they are zero too: the first of them is far past the scale).
			if (!round && /[1-9]/.test(intPart + fracPart)) {
				out.failure = 'scale';
				return out;
			}
			intPart = '';
			fracPart = '';
		} else if (exp > 0) {
			const take = fracPart.padEnd(exp, '0');
			intPart += take.slice(0, exp);
			fracPart = take.slice(exp);
		} else if (exp < 0) {
			const shift = -exp;
			const padded = intPart.padStart(shift, '0');
			fracPart = padded.slice(padded.length - shift) + fracPart;
			intPart = padded.slice(0, padded.length - shift);
		}
	}
	if (intPart.charCodeAt(0) === 48 /* '0' */) intPart = intPart.replace(/^0+/, '');
	if (fracPart.length > scale) {
		if (!round && /[1-9]/.test(fracPart.slice(scale))) {
			out.failure = 'scale';
			return out;
		}
		const roundUp = round && fracPart.charCodeAt(scale) >= 53; /* '5' */
		fracPart = fracPart.slice(0, scale);
		if (roundUp) {
			const digits = incrementDigits(intPart + fracPart);
			intPart = digits.slice(0, digits.length - scale);
			fracPart = digits.slice(digits.length - scale);
			if (intPart.charCodeAt(0) === 48) intPart = intPart.replace(/^0+/, '');
		}
	} else {
		fracPart = fracPart.padEnd(scale, '0');
	}
	if (intPart.length > precision - scale) {
		out.failure = 'precision';
		return out;
	}
	const isZero = negative && intPart === '' && !/[1-9]/.test(fracPart);
	out.ok = true;
	out.value = `${negative && !isZero ? '-' : ''}${intPart === '' ? '0' : intPart}${scale > 0 ? `.${fracPart}` : ''}`;
	return out;
}

/** The decimal digits `digits` plus one in the last place ('0999' → '1000', '99' → '100'). */
function incrementDigits(digits: string): string {
	const chars = digits.split('');
	let i = chars.length - 1;
	while (i >= 0 && chars[i] === '9') chars[i--] = '0';
	if (i < 0) return `1${chars.join('')}`;
	chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
	return chars.join('');
}

/** ASCII whitespace only around it, as string_to_float skips (see INT_TEXT_RE). */
const FLOAT_TEXT_RE = /^[ \t\n\v\f\r]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\v\f\r]*$/;

/** The shortest decimal that reads back as the single-precision float `f` (at most 9 digits do). */
function shortestFloat(f: number): number {
	for (let digits = 1; digits < 9; digits++) {
		const candidate = Number(f.toPrecision(digits));
		if (Math.fround(candidate) === f) return candidate;
	}
	return Number(f.toPrecision(9));
}

/** The number text as exact-json.ts isExact reads it: no surrounding whitespace, no leading `+`. */
function exactJsonText(text: string): string {
	const trimmed = text.trim();
	return trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
}

/** `round`: a number a FLOAT stores as another is loaded for Doris to round to single precision, not refused. */
export function coerceFloat(value: unknown, single: boolean, out: NumberResult, round = false): NumberResult {
	out.ok = false;
	let n: number;
	if (typeof value === 'number') n = value;
	else if (typeof value === 'string' && FLOAT_TEXT_RE.test(value)) n = Number(value);
	else if (typeof value === 'bigint') n = Number(value);
	else if (typeof value === 'boolean') n = value ? 1 : 0;
	else {
		out.failure = 'type';
		return out;
	}
	if (!Number.isFinite(n)) {
		out.failure = typeof value === 'number' ? 'type' : 'range';
		return out;
	}
	// Digits a double cannot hold (text the trigger's exact JSON kept, 9007199254740993, 0.1234567890123456789,
	// 1e-400; a bigint past 2^53): Doris parses the text into the double n (StringParser::string_to_float), so
	// another number loads. Refused like a FLOAT's (rule precision) unless rounding; before, it loaded silently.
	if (!round && (typeof value === 'string' ? !isExact(n, exactJsonText(value)) : typeof value === 'bigint' && BigInt(n) !== value)) {
		out.failure = 'precision';
		out.value = single ? shortestFloat(Math.fround(n)) : n;
		return out;
	}
	if (single) {
		// A FLOAT holds IEEE single precision: Doris parses the text into a float (StringParser::
		// string_to_float), so 16777217 is stored as 16777216 and 3.14159265 as 3.1415927, and a value
		// beyond FLT_MAX is no float. Refused unless the float reads back as the number sent.
		const f = Math.fround(n);
		if (!Number.isFinite(f)) {
			out.failure = 'range';
			return out;
		}
		if (f !== n && !round) {
			const stored = shortestFloat(f);
			// Java's Float.toString of a single is that single too, where its digits are not the
			// shortest: Float.MIN_VALUE is written 1.4E-45 (Kafka Connect's JSON converter, and Avro
			// floats as the trigger reads them: src/common/float32.ts), which Doris stores as that float.
			// So is Java 17's, within a unit of its last digit (float-last-digit.ts).
			if (stored !== n && float32Number(f) !== n && !namesFloatWithinLastDigit(n, f, typeof value === 'string' ? value : String(n))) {
				out.failure = 'precision';
				out.value = stored;
				return out;
			}
		}
	}
	out.ok = true;
	out.value = n === 0 ? 0 : n;
	return out;
}
