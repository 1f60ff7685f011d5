/**
 * One column's value in a line of the packed rows' fast path (line-transcoder.ts): read as the general
 * path would read it (a string without escapes sliced out, a number of at most 15 digits computed
 * exactly, anything else through parseJsonExact on the value's text alone), coerced by the column's
 * own handler, and recorded as the text to write: nothing when the line's own text is what
 * JSON.stringify would write for the coerced value, else that value serialised. Then the row is
 * written, either as the line with the changed values replaced or afresh in column order.
 *
 * It lives apart from the transcoder because it knows one column at a time and its type's rules,
 * while the transcoder walks the line's keys and decides the row's layout. Per-column tables are built
 * once per mapper; the per-line slots are reused (no object per line or value).
 */
import { parseJsonExact } from '../../common/exact-json';
import { INVALID, JSON_MAX_BYTES, STRING_MAX_BYTES, type FailSlot } from './coerce-result';
import { plainDecimalIn } from './coerce-values';
import { JsonScanner, isDigit, MINUS, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-scanner';
import { INTEGER_BOUNDS } from './numbers';
import type { ColumnPlan, RowMapper } from './row-mapper';
import type { DorisType } from './types';

/**
 * Columns whose handler's answer for a plain value is known without calling it (each matches its
 * handler in coerce-type.ts; a value it does not cover goes to the handler):
 * TEXT: CHAR / VARCHAR / STRING take a string as it is when its UTF-8 bytes fit the limit;
 * INTEGER: a JSON integer within the type's bounds is taken as it is;
 * DECIMAL: plain digits are padded to the scale (plainDecimal);
 * BOOLEAN: true / false are taken as they are.
 * 0 for any other column: its handler decides.
 */
const TEXT = 1;
const INTEGER = 2;
const DECIMAL = 3;
const BOOLEAN = 4;

/**
 * The UTF-8 byte limit of a column whose handler turns an object or array into its JSON text (and
 * refuses a longer one), or undefined for the other kinds: for those a nested value is parsed.
 */
function textLimit(type: DorisType, mapper: RowMapper): number | undefined {
	const limits = mapper.options.limits;
	switch (type.kind) {
		case 'char':
		case 'varchar':
			return type.length;
		case 'string':
		case 'variant':
			return limits?.stringMaxBytes ?? STRING_MAX_BYTES;
		case 'json':
			return limits?.jsonMaxBytes ?? JSON_MAX_BYTES;
		default:
			return undefined;
	}
}

function utf8Bytes(text: string, start: number, end: number): number {
	let bytes = 0;
	for (let i = start; i < end; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) bytes++;
		else if (c < 0x800) bytes += 2;
		else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
			bytes += 4;
			i++;
		} else bytes += 3;
	}
	return bytes;
}

/** Reads, coerces and writes the columns of the line being transcoded; LineTranscoder walks the line. */
export class ColumnWriter extends JsonScanner {
	protected readonly plans: readonly ColumnPlan[];
	/** `"column":` as JSON.stringify writes each key. */
	private readonly prefixes: string[];
	private readonly limits: Array<number | undefined>;
	/** Per plan: TEXT, INTEGER, DECIMAL, BOOLEAN or OTHER, and the figures its check needs. */
	private readonly fastKind: Uint8Array;
	private readonly minimum: Float64Array;
	private readonly maximum: Float64Array;
	private readonly precision: Int32Array;
	private readonly scale: Int32Array;
	private readonly fail: FailSlot = { rule: 'type', detail: '', path: '' };

	// Per line, reused: a plan's slot counts as filled in this line when seen[i] === stamp.
	protected stamp = 0;
	protected readonly seen: Int32Array;
	private readonly valueStart: Int32Array;
	private readonly valueEnd: Int32Array;
	/** The serialised value when it is not copied from the line; undefined: copy valueStart..valueEnd. */
	private readonly replaced: Array<string | undefined>;
	/** Set when the column is left out of the row (a null with a default, a value coerced to undefined). */
	protected readonly omitted: Uint8Array;

	protected constructor(protected readonly mapper: RowMapper) {
		super();
		this.plans = mapper.columnPlans;
		const n = this.plans.length;
		const typeOf = new Map(mapper.schema.columns.map((c) => [c.name, c.type]));
		this.prefixes = this.plans.map((p) => `${JSON.stringify(p.column)}:`);
		this.limits = this.plans.map((p) => {
			const type = typeOf.get(p.column);
			return type === undefined ? undefined : textLimit(type, mapper);
		});
		this.fastKind = new Uint8Array(n);
		this.minimum = new Float64Array(n);
		this.maximum = new Float64Array(n);
		this.precision = new Int32Array(n);
		this.scale = new Int32Array(n);
		this.plans.forEach((p, k) => {
			const type = typeOf.get(p.column);
			if (type === undefined) return;
			if (this.limits[k] !== undefined && type.kind !== 'json' && type.kind !== 'variant') this.fastKind[k] = TEXT;
			else if (type.kind === 'boolean') this.fastKind[k] = BOOLEAN;
			else if (type.kind === 'decimal') {
				this.fastKind[k] = DECIMAL;
				this.precision[k] = type.precision;
				this.scale[k] = type.scale;
			} else if (type.kind === 'integer') {
				this.fastKind[k] = INTEGER;
				// A JSON integer read here has at most 15 digits: within BIGINT and LARGEINT always.
				const b = INTEGER_BOUNDS[type.name];
				this.minimum[k] = b.small ? Number(b.min) : -Infinity;
				this.maximum[k] = b.small ? Number(b.max) : Infinity;
			}
		});
		this.seen = new Int32Array(n);
		this.valueStart = new Int32Array(n);
		this.valueEnd = new Int32Array(n);
		this.replaced = new Array<string | undefined>(n).fill(undefined);
		this.omitted = new Uint8Array(n);
	}

	/**
	 * Reads, coerces and records the value of column `k` at `at`; returns where the value ends, or -1
	 * for the general path.
	 */
	protected column(text: string, at: number, end: number, k: number): number {
		const plan = this.plans[k];
		const fastKind = this.fastKind[k];
		this.omitted[k] = 0;
		this.replaced[k] = undefined;
		this.valueStart[k] = at;
		this.canonical = true;
		const c = text.charCodeAt(at);
		let value: unknown;
		let after: number;
		// Whether the value's text is what JSON.stringify writes for it: then an unchanged value is copied.
		let asWritten = false;
		if (c === QUOTE) {
			after = this.scanString(text, at, end);
			if (after < 0) return -1;
			this.valueEnd[k] = after;
			if (this.canonical) {
				if (fastKind === TEXT) {
					const limit = this.limits[k] as number;
					if ((after - at - 2) * 3 <= limit || utf8Bytes(text, at + 1, after - 1) <= limit) return after;
					return -1; // too long: the general path says so
				}
				if (fastKind === DECIMAL) {
					const padded = plainDecimalIn(text, at + 1, after - 1, this.precision[k], this.scale[k]);
					if (padded !== undefined) {
						this.replaced[k] = `"${padded}"`;
						return after;
					}
				}
			}
			asWritten = this.canonical;
			value = this.plain ? text.slice(at + 1, after - 1) : (JSON.parse(text.slice(at, after)) as string);
		} else if (c === MINUS || isDigit(c)) {
			after = this.scanNumber(text, at, end);
			if (after < 0) return -1;
			this.valueEnd[k] = after;
			if (this.fastNumber) {
				value = this.num;
				asWritten = this.canonical;
				if (asWritten) {
					// plainDecimal reads a number as String(number): a canonical literal is that text.
					if (fastKind === DECIMAL) {
						const padded = plainDecimalIn(text, at, after, this.precision[k], this.scale[k]);
						if (padded !== undefined) {
							this.replaced[k] = `"${padded}"`;
							return after;
						}
					} else if (fastKind === INTEGER && this.integral && this.num >= this.minimum[k] && this.num <= this.maximum[k]) return after;
				}
			} else value = parseJsonExact(text.slice(at, after));
		} else if (c === 116 && text.startsWith('true', at)) {
			after = at + 4;
			if (fastKind === BOOLEAN) {
				this.valueEnd[k] = after;
				return after;
			}
			value = true;
			asWritten = true;
		} else if (c === 102 && text.startsWith('false', at)) {
			after = at + 5;
			if (fastKind === BOOLEAN) {
				this.valueEnd[k] = after;
				return after;
			}
			value = false;
			asWritten = true;
		} else if (c === 110 && text.startsWith('null', at)) {
			after = at + 4;
			this.valueEnd[k] = after;
			if (plan.nullable) return after; // a null row value, written as it stands
			if (!plan.hasDefault) return -1;
			this.omitted[k] = 1; // Doris fills the default
			return after;
		} else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
			after = this.scanValue(text, at, end, 0);
			if (after < 0) return -1;
			const limit = this.limits[k];
			if (limit !== undefined && this.canonical) {
				// This column's handler writes an object as its JSON text, which is the value's text here.
				if ((after - at) * 3 > limit && utf8Bytes(text, at, after) > limit) return -1;
				this.valueEnd[k] = after;
				this.replaced[k] = JSON.stringify(text.slice(at, after));
				return after;
			}
			try {
				value = parseJsonExact(text.slice(at, after));
			} catch {
				return -1;
			}
		} else return -1;
		this.valueEnd[k] = after;
		this.fail.path = '';
		let out: unknown;
		try {
			out = plan.handler.coerce(value, this.fail);
		} catch {
			return -1; // the general path reports what the handler threw
		}
		if (out === INVALID) return -1;
		if (asWritten && out === value) return after;
		switch (typeof out) {
			case 'string':
			case 'number':
				this.replaced[k] = JSON.stringify(out);
				return after;
			case 'boolean':
				this.replaced[k] = out ? 'true' : 'false';
				return after;
			case 'undefined':
				this.omitted[k] = 1; // JSON.stringify leaves an undefined property out
				return after;
			default:
				if (out === null) {
					this.replaced[k] = 'null';
					return after;
				}
				return -1; // bigint and objects: the general path (and its serializer) decide
		}
	}

	/** The line as it stands with the changed values replaced: the fields are in column order, without spaces. */
	protected keepLayout(text: string, start: number, close: number): string {
		let out = '';
		let from = start;
		for (let k = 0; k < this.plans.length; k++) {
			if (this.seen[k] !== this.stamp) continue;
			const r = this.replaced[k];
			if (r === undefined) continue;
			out += text.slice(from, this.valueStart[k]) + r;
			from = this.valueEnd[k];
		}
		return `${out}${text.slice(from, close + 1)}\n`;
	}

	/** The row written afresh in column order, as JSON.stringify writes it. */
	protected rebuild(text: string): string {
		let out = '{';
		let first = true;
		for (let k = 0; k < this.plans.length; k++) {
			if (this.seen[k] !== this.stamp || this.omitted[k] === 1) continue;
			out += (first ? '' : ',') + this.prefixes[k] + (this.replaced[k] ?? text.slice(this.valueStart[k], this.valueEnd[k]));
			first = false;
		}
		return `${out}}\n`;
	}
}
