/**
 * Converting one source value (a JSON value, or CSV text) to a stored Doris value.
 *
 * Stored values are what Doris sends back over MySQL's text protocol and what mysql2 turns them into:
 * numbers for BOOLEAN (0/1), TINYINT..INT, FLOAT, DOUBLE and BIGINT within 2^53 (a string beyond);
 * strings for LARGEINT, DECIMAL (exactly `scale` digits), DATE, DATETIME, CHAR/VARCHAR/STRING, JSON
 * (compact text) and the complex types (Doris' `[1, 2]` / `{"k":1}` rendering); null for NULL.
 *
 * Strict-mode semantics follow the Doris "strict mode" doc (cloud.baidu.com/doc/PALO/s/Cksis5i03, the
 * TINYINT table there): a non-null source value whose conversion fails ("abc", 2000 for TINYINT) becomes
 * NULL when strict mode is off and filters the row when it is on. A value that converts but breaks a
 * declared range (decimal(1,0) given 10) is "not affected by strict mode": we filter it in both modes,
 * as Doris does for over-long CHAR/VARCHAR ("the length of input is too long than schema").
 */
import { isIPv6 } from 'node:net';
import type { ColType } from './coltypes';
import { MapEntries, readComplexLiteral } from './complex-literal';
import { dateTimeText, fastDateTime } from './convert-datetime';
import { Sketch, storeSketch } from './sketches';

/** Whether every string (keys too) in a parsed JSON value is well-formed UTF-16: no lone surrogate. */
export function wellFormed(v: unknown): boolean {
	if (typeof v === 'string') return (v as unknown as { isWellFormed(): boolean }).isWellFormed();
	if (Array.isArray(v)) return v.every(wellFormed);
	if (v !== null && typeof v === 'object') return Object.entries(v).every(([k, x]) => wellFormed(k) && wellFormed(x));
	return true;
}

export type Stored = string | number | null;
/** Conversion failed: NULL when strict_mode is off, row filtered when on. */
export const INVALID: unique symbol = Symbol('invalid');
/** Out of the declared range: the row is filtered whatever strict_mode says. */
export const REJECT: unique symbol = Symbol('reject');
export type Converted = Stored | typeof INVALID | typeof REJECT;

export interface ConvertCtx {
	/** Why the last INVALID/REJECT happened. */
	reason: string;
	/** Set when a nested element failed and became null (strict mode filters such rows). */
	nestedInvalid: boolean;
	/** Offset in minutes of the load's time zone at a UTC instant (the `timezone` header). */
	tzOffset: (utcMs: number) => number;
}

const INT_RANGES: Record<string, [number, number]> = {
	TINYINT: [-128, 127],
	SMALLINT: [-32768, 32767],
	INT: [-2147483648, 2147483647],
};
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const LARGEINT_MIN = -(2n ** 127n);
const LARGEINT_MAX = 2n ** 127n - 1n;
/**
 * Integer text as Doris loads it (StringParser::string_to_int, the non-strict parse of
 * vec/io/io_helper.h read_int_text_impl): ASCII whitespace before, a sign, digits, then ASCII whitespace
 * or a fraction it drops ("1.5" loads 1, is_float_suffix, since apache/doris PR #38847 / #41541; older
 * 2.1 releases load NULL for it). Group 1 is what it keeps.
 */
const INT_RE = /^[ \t\n\v\f\r]*([+-]?\d+)(?:[ \t\n\v\f\r]*|\.\d*)$/;
const DEC_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Source text of a scalar as Doris' readers see it (JSON numbers keep their text when we have it). */
function scalarText(v: unknown): string | undefined {
	if (typeof v === 'string') return v;
	// The JSON reader hands a boolean to a scalar column as "1" / "0" (new_json_reader.cpp).
	if (typeof v === 'boolean') return v ? '1' : '0';
	if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
	if (typeof v === 'bigint') return v.toString();
	if (v instanceof BigNumText) return v.text;
	return undefined;
}

/** A JSON number whose text must not go through a double (LARGEINT, long DECIMAL); see load-parse.ts. */
export class BigNumText {
	constructor(readonly text: string) {}
}

export function convert(t: ColType, v: unknown, ctx: ConvertCtx): Converted {
	if (v === null || v === undefined) return null;
	switch (t.base) {
		case 'HLL':
		case 'BITMAP':
		case 'QUANTILE_STATE':
			// Only a `columns` expression makes one; the planner refuses anything else (./sketches.ts).
			if (v instanceof Sketch) return storeSketch(v);
			ctx.reason = `test server: a ${t.base} value comes only from a columns expression`;
			return REJECT;
		case 'TINYINT':
		case 'SMALLINT':
		case 'INT': {
			const m = INT_RE.exec(scalarText(v) ?? '');
			if (m === null) return invalid(ctx, t, v);
			const n = Number(m[1]);
			const [lo, hi] = INT_RANGES[t.base];
			if (n < lo || n > hi) return invalid(ctx, t, v);
			return n;
		}
		case 'BIGINT':
		case 'LARGEINT': {
			const m = INT_RE.exec(scalarText(v) ?? '');
			if (m === null) return invalid(ctx, t, v);
			const b = BigInt(m[1]);
			const big = t.base === 'BIGINT';
			if (b < (big ? BIGINT_MIN : LARGEINT_MIN) || b > (big ? BIGINT_MAX : LARGEINT_MAX)) return invalid(ctx, t, v);
			if (!big) return b.toString();
			return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString();
		}
		case 'BOOLEAN': {
			if (v === true) return 1;
			if (v === false) return 0;
			// try_read_bool_text (vec/io/io_helper.h): integer text first (string_to_int, so "01" and
			// "1.5" are 1), which must be 0 or 1; then true / false in any case.
			const text = scalarText(v) ?? '';
			const m = INT_RE.exec(text);
			if (m !== null) {
				const n = Number(m[1]);
				return n === 0 || n === 1 ? n + 0 : invalid(ctx, t, v); // + 0: "-0" is 0
			}
			const s = text.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '').toLowerCase();
			if (s === 'true') return 1;
			if (s === 'false') return 0;
			return invalid(ctx, t, v);
		}
		case 'FLOAT':
		case 'DOUBLE': {
			const s = scalarText(v)?.trim();
			if (s === undefined || s === '' || !DEC_RE.test(s)) return invalid(ctx, t, v);
			const n = Number(s);
			if (!Number.isFinite(n)) return invalid(ctx, t, v);
			if (t.base === 'FLOAT') {
				const f = Math.fround(n);
				if (!Number.isFinite(f)) return invalid(ctx, t, v);
				return Number(f.toPrecision(7));
			}
			return n;
		}
		case 'DECIMAL':
			return toDecimal(t, v, ctx);
		case 'DATE':
		case 'DATETIME':
			return toDateTime(t, v, ctx);
		case 'CHAR':
		case 'VARCHAR':
		case 'STRING': {
			const s = typeof v === 'object' && !(v instanceof BigNumText) ? JSON.stringify(v) : (scalarText(v) ?? String(v));
			if (t.base !== 'STRING') {
				const bytes = Buffer.byteLength(s);
				if (bytes > t.len!) {
					ctx.reason = `the length of input is too long than schema. first 32 bytes of input str: [${s.slice(0, 32)}] schema length: ${t.len}; actual length: ${bytes}; `;
					return REJECT;
				}
			}
			return s;
		}
		case 'JSON':
		case 'VARIANT': {
			// A JSON string value is cast string -> json (Doris parses its text); other values are stored as is.
			let val: unknown = v;
			// parse_json_to_variant (be/src/vec/json/parse2column.cpp): "Treat empty string as an empty object".
			if (v === '' && t.base === 'VARIANT') return '{}';
			// The JSON reader hands a JSON boolean to the column as the text "1" / "0" (new_json_reader.cpp,
			// _simdjson_write_data_to_column), whose parse is the number: `true` is stored as 1. The
			// Doris Schema node sends the string "true" instead, which parses to the boolean.
			if (typeof v === 'boolean') return v ? '1' : '0';
			if (typeof v === 'string') {
				try {
					val = JSON.parse(v);
					// simdjson refuses an escaped surrogate without its other half, which JSON.parse takes:
					// the JSONB cast fails (jsonb_parser_simd.h), a VARIANT keeps the text as a string
					// (parse2column.cpp, "Treat as string").
					if (v.includes('\\u') && !wellFormed(val)) throw new Error('lone surrogate');
				} catch {
					if (t.base === 'VARIANT') return JSON.stringify(v);
					return invalid(ctx, t, v);
				}
			}
			return JSON.stringify(plain(val));
		}
		case 'IPV4': {
			// IPv4Value::from_string trims isspace, then parse_ipv4_whole (be/src/vec/common/format_ip.h)
			// reads four parts of 1-4 decimal digits, each at most 255: 010.001.002.003 is 10.1.2.3.
			const m = /^[ \t\n\v\f\r]*(\d{1,4})\.(\d{1,4})\.(\d{1,4})\.(\d{1,4})[ \t\n\v\f\r]*$/.exec(scalarText(v) ?? '');
			const parts = m === null ? [] : [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
			return parts.length === 4 && parts.every((p) => p <= 255) ? parts.join('.') : invalid(ctx, t, v);
		}
		case 'IPV6': {
			const s = scalarText(v)?.trim();
			// Doris' parser stops at a zone index ('%eth0'): no address (be/src/vec/common/format_ip.h parseIPv6whole).
			return s !== undefined && isIPv6(s) && !s.includes('%') ? s.toLowerCase() : invalid(ctx, t, v);
		}
		case 'ARRAY':
		case 'MAP':
		case 'STRUCT': {
			let val: unknown = v;
			if (typeof v === 'string') {
				// Doris reads the literal with its own splitter and each element with its type's own parser
				// (./complex-literal.ts): a 20-digit decimal keeps its digits, `\n` in a text is the letter n.
				val = readComplexLiteral(t, v);
				if (val === undefined) return invalid(ctx, t, v);
			}
			const r = renderComplex(t, val, ctx);
			return r === undefined ? invalid(ctx, t, v) : r;
		}
	}
}

function invalid(ctx: ConvertCtx, t: ColType, v: unknown): typeof INVALID {
	const text = typeof v === 'string' ? v : JSON.stringify(plain(v));
	ctx.reason = `'${text}' is not a valid ${t.base}${t.base === 'DECIMAL' ? `(${t.precision}, ${t.scale})` : ''} value`;
	return INVALID;
}

function plain(v: unknown): unknown {
	if (v instanceof BigNumText) return Number(v.text);
	if (Array.isArray(v)) return v.map(plain);
	if (v !== null && typeof v === 'object') {
		const o: Record<string, unknown> = {};
		for (const [k, x] of Object.entries(v)) o[k] = plain(x);
		return o;
	}
	return v;
}

/** Plain `[-]ddd[.ddd]` text without exponent: exact string arithmetic, no regex, BigInt only to round up. */
function fastDecimal(t: ColType, s: string, ctx: ConvertCtx): Converted | undefined {
	let i = 0;
	const neg = s.charCodeAt(0) === 45;
	if (neg || s.charCodeAt(0) === 43) i = 1;
	const start = i;
	while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
	let intPart = s.slice(start, i);
	let frac = '';
	if (i < s.length) {
		if (s.charCodeAt(i) !== 46) return undefined;
		const f = ++i;
		while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
		if (i !== s.length) return undefined;
		frac = s.slice(f);
	}
	if (intPart === '' && frac === '') return undefined;
	const scale = t.scale!;
	if (frac.length > scale && frac.charCodeAt(scale) >= 53) return undefined; // needs rounding up: slow path
	frac = frac.length > scale ? frac.slice(0, scale) : frac.padEnd(scale, '0');
	let z = 0;
	while (z < intPart.length - 1 && intPart.charCodeAt(z) === 48) z++;
	intPart = intPart.slice(z) || '0';
	if ((intPart === '0' ? 0 : intPart.length) > t.precision! - scale) return undefined; // overflow message: slow path
	const isZero = intPart === '0' && !/[1-9]/.test(frac);
	void ctx;
	return (neg && !isZero ? '-' : '') + intPart + (scale ? '.' + frac : '');
}

function toDecimal(t: ColType, v: unknown, ctx: ConvertCtx): Converted {
	const raw = scalarText(v);
	if (raw !== undefined) {
		const fast = fastDecimal(t, raw, ctx);
		if (fast !== undefined) return fast;
	}
	const s = raw?.trim();
	const m = s === undefined ? null : DEC_RE.exec(s);
	if (!m || (m[2] === '' && (m[3] ?? '') === '')) return invalid(ctx, t, v);
	const scale = t.scale!;
	let digits = (m[2] || '0') + (m[3] ?? '');
	let point = (m[2] || '0').length + (m[4] ? Number(m[4]) : 0);
	if (point < 0) {
		digits = '0'.repeat(-point) + digits;
		point = 0;
	}
	if (point > digits.length) digits += '0'.repeat(point - digits.length);
	let intPart = digits.slice(0, point);
	let frac = digits.slice(point);
	// Round half up at the column's scale (Doris rounds, it does not truncate, when casting to decimal).
	let unscaled = BigInt((intPart || '0') + frac.slice(0, scale).padEnd(scale, '0'));
	if (frac.length > scale && frac.charCodeAt(scale) >= 53 /* '5' */) unscaled += 1n;
	const neg = m[1] === '-' && unscaled !== 0n;
	const abs = unscaled.toString().padStart(scale + 1, '0');
	intPart = abs.slice(0, abs.length - scale);
	frac = abs.slice(abs.length - scale);
	if (intPart.replace(/^0+/, '').length > t.precision! - scale) {
		ctx.reason = `Arithmetic overflow, convert failed from ${s}, expected data is [-${'9'.repeat(t.precision! - scale)}${scale ? '.' + '9'.repeat(scale) : ''}, ${'9'.repeat(t.precision! - scale)}${scale ? '.' + '9'.repeat(scale) : ''}]`;
		return REJECT;
	}
	return (neg ? '-' : '') + intPart + (scale ? '.' + frac : '');
}

function toDateTime(t: ColType, v: unknown, ctx: ConvertCtx): Converted {
	const fast = typeof v === 'string' ? fastDateTime(t, v) : undefined;
	if (fast !== undefined) return fast;
	const s = scalarText(v)?.trim();
	return (s === undefined ? undefined : dateTimeText(t, s, ctx.tzOffset)) ?? invalid(ctx, t, v);
}

/** Doris' text rendering of ARRAY / MAP / STRUCT (2.1+: `[1, 2]`, `{"k":1, "k2":2}`, strings quoted). */
function renderComplex(t: ColType, v: unknown, ctx: ConvertCtx): string | undefined {
	if (t.base === 'ARRAY') {
		if (!Array.isArray(v)) return undefined;
		// The BE's element column is not nullable: the value does not convert.
		if (t.itemNotNull && v.some((x) => x === null || x === undefined)) return undefined;
		return '[' + v.map((x) => renderElem(t.item!, x, ctx)).join(', ') + ']';
	}
	if (t.base === 'MAP') {
		if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
		const entries = v instanceof MapEntries ? v.entries : Object.entries(v);
		return '{' + entries.map(([k, x]) => `${renderElem(t.key!, k, ctx)}:${renderElem(t.value!, x, ctx)}`).join(', ') + '}';
	}
	if (t.base === 'STRUCT') {
		if (v === null || typeof v !== 'object') return undefined;
		const get = Array.isArray(v) ? (i: number) => v[i] : (i: number) => (v as Record<string, unknown>)[t.fields![i].name];
		return '{' + t.fields!.map((f, i) => `"${f.name}":${renderElem(f.type, get(i), ctx)}`).join(', ') + '}';
	}
	return undefined;
}

function renderElem(t: ColType, x: unknown, ctx: ConvertCtx): string {
	const c = convert(t, x, ctx);
	if (c === INVALID || c === REJECT) {
		ctx.nestedInvalid = true;
		return 'null';
	}
	if (c === null) return 'null';
	if (typeof c === 'number') return String(c);
	if (t.base === 'ARRAY' || t.base === 'MAP' || t.base === 'STRUCT' || t.base === 'JSON' || t.base === 'VARIANT' || t.base === 'DECIMAL' || t.base === 'LARGEINT') return c;
	return JSON.stringify(c);
}
