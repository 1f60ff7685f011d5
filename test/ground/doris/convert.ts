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
const DT_RE =
	/^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const DT_COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;

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

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const dig = (s: string, i: number): number => s.charCodeAt(i) - 48;
function digits(s: string, from: number, to: number): boolean {
	for (let i = from; i < to; i++) {
		const c = s.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}
const two = (s: string, i: number): number => dig(s, i) * 10 + dig(s, i + 1);

/** `YYYY-MM-DD[( |T)HH:MM:SS[.f+]]` without a zone, checked by character codes (the common case). */
function fastDateTime(t: ColType, s: string): string | undefined {
	const n = s.length;
	if (n !== 10 && n < 19) return undefined;
	if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
	if (!digits(s, 0, 4) || !digits(s, 5, 7) || !digits(s, 8, 10)) return undefined;
	const y = dig(s, 0) * 1000 + dig(s, 1) * 100 + two(s, 2);
	const mo = two(s, 5);
	const d = two(s, 8);
	if (mo < 1 || mo > 12 || d < 1) return undefined;
	// Year 0 is no leap year in Doris (be/src/util/time_lut.cpp is_leap: `(year % 400) == 0 && year`).
	const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || (y % 400 === 0 && y !== 0));
	if (d > DAYS[mo] + (leap ? 1 : 0)) return undefined;
	if (t.base === 'DATE' && n === 10) return s;
	const date = s.slice(0, 10);
	let time = '00:00:00';
	let frac = '';
	if (n > 10) {
		const sep = s.charCodeAt(10);
		if ((sep !== 32 && sep !== 84) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
		if (!digits(s, 11, 13) || !digits(s, 14, 16) || !digits(s, 17, 19)) return undefined;
		if (two(s, 11) > 23 || two(s, 14) > 59 || two(s, 17) > 59) return undefined;
		time = s.slice(11, 19);
		if (n > 19) {
			if (s.charCodeAt(19) !== 46 || n === 20) return undefined;
			if (!digits(s, 20, n)) return undefined;
			frac = s.slice(20);
		}
	}
	if (t.base === 'DATE') return date;
	const scale = t.scale ?? 0;
	// Already in the stored form (space separator, exactly `scale` digits): keep the string itself.
	if (n === (scale ? 20 + scale : 19) && s.charCodeAt(10) === 32) return s;
	return `${date} ${time}${scale ? '.' + (frac.length >= scale ? frac.slice(0, scale) : frac.padEnd(scale, '0')) : ''}`;
}

function toDateTime(t: ColType, v: unknown, ctx: ConvertCtx): Converted {
	if (typeof v === 'string') {
		const fast = fastDateTime(t, v);
		if (fast !== undefined) return fast;
	}
	const s = scalarText(v)?.trim();
	if (s === undefined) return invalid(ctx, t, v);
	let y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, fracText = '';
	let tz: string | undefined;
	const m = DT_RE.exec(s);
	if (m) {
		[y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
		h = Number(m[4] ?? 0);
		mi = Number(m[5] ?? 0);
		sec = Number(m[6] ?? 0);
		fracText = m[7] ?? '';
		tz = m[8];
	} else {
		const c = DT_COMPACT_RE.exec(s);
		if (!c) return invalid(ctx, t, v);
		[y, mo, d] = [Number(c[1]), Number(c[2]), Number(c[3])];
		if (c[4] !== undefined) [h, mi, sec] = [Number(c[4]), Number(c[5]), Number(c[6])];
	}
	if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59) return invalid(ctx, t, v);
	let micros = Number((fracText + '000000').slice(0, 6));
	if (tz !== undefined) {
		// Doris 2.1 / 3.0 / 3.1 read an offset in the text and move the value by (the load's time zone −
		// the text's offset), both taken at 1970-01-01 (be/src/vec/runtime/vdatetime_value.cpp,
		// DateV2Value::from_date_str_base: cctz::convert(cctz::civil_second {}, …) of each zone, then
		// date_add_interval<SECOND>). So a zone's daylight saving time is not applied, and a DATE keeps
		// only its date before it moves: '2024-03-10T23:30:00+08:00' into a DATE with the load's zone
		// UTC is 2024-03-09 (midnight − 8 h), though that instant is 2024-03-10 in both zones. The
		// rewritten cast (be/src/vec/functions/cast/cast_to_datev2_impl.hpp, apache/doris#53938; loads
		// use it since #61682, picked to branch-4.1) checks the offset and ignores it for a DATE. The Doris Schema node never sends an offset: it converts the instant
		// into its Time Zone and writes the plain date or wall clock, which every version reads alike.
		const off = tz.toUpperCase() === 'Z' ? 0 : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(-2)));
		const shiftMs = (ctx.tzOffset(0) - off) * 60000;
		const moved = new Date(0);
		moved.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
		if (t.base !== 'DATE') moved.setUTCHours(h, mi, sec);
		moved.setTime(moved.getTime() + shiftMs);
		[y, mo, d, h, mi, sec] = [moved.getUTCFullYear(), moved.getUTCMonth() + 1, moved.getUTCDate(), moved.getUTCHours(), moved.getUTCMinutes(), moved.getUTCSeconds()];
	}
	const date = `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(d)}`;
	if (t.base === 'DATE') return date;
	// Extra fractional digits are cut to the column's scale; the docs do not say whether Doris rounds here.
	const scale = t.scale ?? 0;
	micros = Math.floor(micros / 10 ** (6 - scale));
	return `${date} ${pad2(h)}:${pad2(mi)}:${pad2(sec)}${scale ? '.' + String(micros).padStart(scale, '0') : ''}`;
}

/** Days of month `m` in Doris' calendar (no 0000-02-29); Date.UTC reads years 0-99 as 1900-1999, which agrees. */
function daysIn(y: number, m: number): number {
	return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
function pad2(n: number): string {
	return n < 10 ? '0' + n : String(n);
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

/** Offset function for the `timezone` header: `+08:00`, `UTC`, or an IANA name. Throws when unknown. */
export function tzOffsetFn(tz: string | undefined): (utcMs: number) => number {
	const zone = tz?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone;
	const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})$/i.exec(zone);
	if (fixed) {
		const off = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
		return () => off;
	}
	if (/^(UTC|GMT|Z)$/i.test(zone)) return () => 0;
	const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
	return (utcMs) => {
		const p: Record<string, number> = {};
		for (const part of fmt.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
		return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(utcMs / 1000) * 1000) / 60000);
	};
}
