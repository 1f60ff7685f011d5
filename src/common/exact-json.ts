/**
 * JSON.parse that keeps numbers a double would change (big integers such as snowflake ids, decimals
 * with more significant digits than a double holds, out-of-range exponents) as their source text.
 * Doris parses such strings into BIGINT / LARGEINT / DECIMAL columns exactly, where a JS number would
 * already have lost digits before the row left this process.
 *
 * Fast path: a double is exact for every literal with at most 15 significant digits (DBL_DIG), and
 * finite for exponents below 308. One pass over the text, jumping over strings, looks for a run of
 * 16+ digits (one '.' allowed inside) or a digit followed by an exponent of 3+ digits that ends like
 * a JSON number; only then does the parse use a reviver, whose third argument `context.source` (Node
 * 22+, "JSON.parse source text access") gives the literal. A false alarm only costs the slower parse.
 * The scan is a plain loop: a regular expression for the same rule cost as much as JSON.parse itself,
 * and a looser one (any "e123") fired on every UUID ("9d3e-0123…").
 *
 * A text nested deeper than MAX_JSON_DEPTH is refused (JsonTooDeepError) before either parse: every
 * step after the parse would overflow the stack on it (json-depth.ts).
 */
import { jsonTextDepthError } from './json-depth';

/** The reviver context of JSON.parse source text access; absent on runtimes that lack it. */
interface ReviverContext {
	source?: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
	[key: string]: JsonValue;
}

/**
 * A UTF-8 byte-order mark at the very start is skipped: Doris' JSON reader skips it at the start of
 * each line or document it parses (be/src/vec/exec/format/json/new_json_reader.cpp,
 * _simdjson_parse_json_doc, "trim BOM since simdjson does not handle UTF-8 Unicode (with BOM)"), so
 * such a message is a row there, where JSON.parse refuses it and the message went to Invalid. Rows go
 * to Doris re-serialised without it, which also serves a BE on the RapidJSON reader
 * (enable_simdjson_reader=false), whose _parse_json_doc does not skip it. Anywhere else it is an error.
 */
export function parseJsonExact(text: string): JsonValue {
	const json = withoutByteOrderMark(text);
	refuseTooDeep(json);
	return parseKeepingInexact(json, mayLosePrecision(json));
}

/**
 * parseJsonExact of a message value given as its UTF-8 bytes (checked valid: isUtf8) and their text:
 * the same value, the precision scan reading the bytes (a quarter less CPU than the text's code units,
 * on every JSON message of One Item per Message).
 */
export function parseJsonExactFromBytes(bytes: Uint8Array, text: string): JsonValue {
	const json = withoutByteOrderMark(text);
	refuseTooDeep(json);
	return parseKeepingInexact(json, mayLosePrecisionInBytes(bytes));
}

/** Before the parse: the reviver path is recursive and would overflow first (json-depth.ts). */
function refuseTooDeep(json: string): void {
	const tooDeep = jsonTextDepthError(json);
	if (tooDeep !== undefined) throw new JsonTooDeepError(tooDeep);
}

function parseKeepingInexact(json: string, mayLose: boolean): JsonValue {
	return (mayLose ? JSON.parse(json, keepInexactNumbers) : JSON.parse(json)) as JsonValue;
}

/** A JSON text nested deeper than MAX_JSON_DEPTH: refused as undecodable, like a syntax error. */
export class JsonTooDeepError extends SyntaxError {
	constructor(message: string) {
		super(message);
		this.name = 'JsonTooDeepError';
	}
}

/** U+FEFF, what a UTF-8 byte-order mark (EF BB BF) decodes to. */
export const BYTE_ORDER_MARK = 0xfeff;

/** The text without a byte-order mark at its very start, as Doris' JSON reader reads a line (see parseJsonExact). */
export function withoutByteOrderMark(text: string): string {
	return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
}

/** True when the text may hold a number literal a double would change (see the header). */
export function mayLosePrecision(text: string): boolean {
	let run = 0;
	let dot = false;
	const length = text.length;
	for (let i = 0; i < length; i++) {
		const c = text.charCodeAt(i);
		if (c >= 48 && c <= 57) {
			if (++run >= 16) return true;
			continue;
		}
		if (c === 34) {
			// A string (key or value) holds no number literal: jump to its closing quote. Long digit
			// runs inside strings (ids sent as text) then cost no slow parse.
			i = closingQuote(text, i + 1);
			if (i < 0) return false; // unterminated: JSON.parse reports it either way
		} else if (c === 46 && run > 0 && !dot) {
			dot = true;
			continue;
		} else if ((c === 101 || c === 69) && run > 0 && hugeExponent(text, i + 1)) {
			return true;
		}
		run = 0;
		dot = false;
	}
	return false;
}

/**
 * mayLosePrecision of a text given as its UTF-8 bytes: the same answer, as every byte of a character
 * past ASCII is 0x80 or more (never a digit, quote, backslash, dot or exponent), and a byte-order mark's
 * bytes neither. A string is walked to its closing quote byte by byte, an escape's next byte skipped.
 */
export function mayLosePrecisionInBytes(bytes: Uint8Array): boolean {
	let run = 0;
	let dot = false;
	const length = bytes.length;
	for (let i = 0; i < length; i++) {
		let c = bytes[i];
		if (c >= 48 && c <= 57) {
			if (++run >= 16) return true;
			continue;
		}
		if (c === 34) {
			for (i++; i < length; i++) {
				c = bytes[i];
				if (c === 34) break;
				if (c === 92) i++;
			}
			if (i >= length) return false; // unterminated: JSON.parse reports it either way
		} else if (c === 46 && run > 0 && !dot) {
			dot = true;
			continue;
		} else if ((c === 101 || c === 69) && run > 0 && hugeExponentInBytes(bytes, i + 1)) {
			return true;
		}
		run = 0;
		dot = false;
	}
	return false;
}

/** hugeExponent over bytes. */
function hugeExponentInBytes(bytes: Uint8Array, from: number): boolean {
	let j = from;
	const sign = bytes[j];
	if (sign === 43 || sign === 45) j++;
	const start = j;
	while (j < bytes.length && bytes[j] >= 48 && bytes[j] <= 57) j++;
	if (j - start < 3) return false;
	if (j === bytes.length) return true;
	return endsNumber(bytes[j]);
}

/** , } ] or JSON whitespace: what may follow a JSON number. */
function endsNumber(next: number): boolean {
	return next === 44 || next === 125 || next === 93 || next === 32 || next === 10 || next === 13 || next === 9;
}

/** Index of the quote that closes a string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
	let j = text.indexOf('"', from);
	while (j > 0 && text.charCodeAt(j - 1) === 92) {
		// Escaped when an odd number of backslashes precede it.
		let k = j - 1;
		while (text.charCodeAt(k) === 92) k--;
		if ((j - 1 - k) % 2 === 0) break;
		j = text.indexOf('"', j + 1);
	}
	return j;
}

/** An exponent of 3+ digits starting at `from` (after e/E) that ends where a JSON number ends. */
function hugeExponent(text: string, from: number): boolean {
	let j = from;
	const sign = text.charCodeAt(j);
	if (sign === 43 || sign === 45) j++;
	const start = j;
	while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
	if (j - start < 3) return false;
	if (j === text.length) return true;
	return endsNumber(text.charCodeAt(j));
}

/** The smallest positive normal double, 2^-1022. */
const MIN_NORMAL = 2.2250738585072014e-308;

function keepInexactNumbers(_key: string, value: unknown, context?: ReviverContext): unknown {
	if (typeof value !== 'number') return value;
	const source = context?.source;
	if (source === undefined || isExact(value, source)) return value;
	return source;
}

/** True when `value` (the double JSON.parse made) stands for exactly the literal `source`. */
export function isExact(value: number, source: string): boolean {
	if (!Number.isFinite(value)) return false;
	const plainInteger = !/[.eE]/.test(source);
	if (plainInteger) return Number.isSafeInteger(value);
	const literal = decimalParts(source);
	// 15 digits survive a double only in its normal range: below 2^-1022 it underflows to a subnormal
	// with fewer digits (1.23456789012345e-320 reads as 1.2346e-320), or to 0 (1e-400), so those are
	// compared digit by digit. A number into a VARCHAR, DECIMAL or DOUBLE column would change silently.
	if (literal.digits.length <= 15 && (value === 0 ? literal.digits === '' : Math.abs(value) >= MIN_NORMAL)) return true;
	const shortest = decimalParts(String(value));
	return literal.digits === shortest.digits && literal.exponent === shortest.exponent;
}

/** Significant digits (no leading / trailing zeros) and the power of ten of the first one. */
function decimalParts(text: string): { digits: string; exponent: number } {
	let body = text[0] === '-' ? text.slice(1) : text;
	let exponent = 0;
	const e = body.search(/[eE]/);
	if (e >= 0) {
		exponent = Number(body.slice(e + 1));
		body = body.slice(0, e);
	}
	const dot = body.indexOf('.');
	const intPart = dot >= 0 ? body.slice(0, dot) : body;
	const all = dot >= 0 ? intPart + body.slice(dot + 1) : body;
	const leading = all.search(/[1-9]/);
	if (leading < 0) return { digits: '', exponent: 0 };
	const digits = all.slice(leading).replace(/0+$/, '');
	return { digits, exponent: exponent + intPart.length - 1 - leading };
}
