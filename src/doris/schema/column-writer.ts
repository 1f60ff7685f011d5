/**
 * One column's value in a line of the packed rows' fast path (line-transcoder.ts): read as the general
 * path would read it (a string without escapes sliced out, a number of at most 15 digits computed
 * exactly, anything else through parseJsonExact on the value's text alone), coerced by the column's
 * own handler, and recorded as what to write: nothing when the line's own text is what
 * JSON.stringify would write for the coerced value, the value's own text quoted (an object into a JSON
 * column) or padded (a plain number into a DECIMAL column) where that is what JSON.stringify would
 * write for the handler's result, else that result serialised. Then the row is written into the
 * line sink (line-sink.ts), either as the line with the changed values replaced or afresh in column
 * order.
 *
 * It lives apart from the transcoder because it knows one column at a time and its type's rules,
 * while the transcoder walks the line's keys and decides the row's layout. Per-column tables are built
 * once per mapper; the per-line slots are reused (no object per line or value).
 */
import { parseJsonExact } from '../../common/exact-json';
import { INVALID, JSON_MAX_BYTES, STRING_MAX_BYTES, type FailSlot } from './coerce-result';
import { DECIMAL_DOT, plainDecimalPadding } from './coerce-values';
import type { ColumnPlan } from './column-plans';
import { isStoredDateForm } from './datetime';
import type { LineSink } from './line-sink';
import { CanonicalJsonScanner } from './canonical-json-scanner';
import { isDigit, MINUS, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-scanner';
import { INTEGER_BOUNDS } from './numbers';
import type { RowMapper } from './row-mapper';
import type { DorisType } from './types';

/**
 * Columns whose handler's answer for a plain value is known without calling it (each matches its
 * handler in coerce-type.ts; a value it does not cover goes to the handler):
 * TEXT: CHAR / VARCHAR / STRING take a string as it is when its UTF-8 bytes fit the limit;
 * INTEGER: a JSON integer within the type's bounds is taken as it is;
 * DECIMAL: plain digits are padded to the scale (plainDecimal);
 * BOOLEAN: true / false are taken as they are;
 * DATE_TIME: DATE / DATETIME(p) take a string in the form they store as it is (isStoredDateForm);
 * DOUBLE: a number of at most 15 digits written as Number#toString writes it is taken as it is
 *   (coerceFloat returns a finite number unchanged, and the fast number is exact).
 * 0 for any other column: its handler decides.
 */
const TEXT = 1;
const INTEGER = 2;
const DECIMAL = 3;
const BOOLEAN = 4;
const DATE_TIME = 5;
const DOUBLE = 6;

/** How a column's value is written (per line, in `how`). */
/** The value's text as it stands in the line. */
const COPY = 0;
/** `replaced` (a value serialised). */
const REPLACED = 1;
/** The value's own text as a JSON string (an object or array into a column that stores its JSON text). */
const QUOTE_OWN = 2;
/** A plain decimal's digits padded to the column's scale, quoted (DECIMAL, see plainDecimalPadding). */
const PADDED = 3;

/**
 * The UTF-8 byte limit of a column whose handler turns an object or array into its JSON text (and
 * refuses a longer one), or undefined for the other kinds: for those a nested value is parsed.
 */
function textLimit(type: DorisType, mapper: RowMapper): number | undefined {
	const limits = mapper.options.limits;
	switch (type.kind) {
		case 'char':
		case 'varchar':
			// As the handler: Doris checks the STRING setting on CHAR / VARCHAR too (coerce-type.ts).
			return Math.min(type.length, limits?.stringMaxBytes ?? STRING_MAX_BYTES);
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
export class ColumnWriter extends CanonicalJsonScanner {
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
	/** COPY, REPLACED, QUOTE_OWN or PADDED: how the value is written. */
	private readonly how: Uint8Array;
	/** The serialised value, for REPLACED. */
	private readonly replaced: Array<string | undefined>;
	/** plainDecimalPadding's result, for PADDED. */
	private readonly padding: Int32Array;
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
			else if (type.kind === 'float' && type.name === 'DOUBLE') this.fastKind[k] = DOUBLE;
			else if (type.kind === 'date' || type.kind === 'datetime') {
				this.fastKind[k] = DATE_TIME;
				this.precision[k] = type.kind === 'datetime' ? type.precision : -1;
			}
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
		this.how = new Uint8Array(n);
		this.replaced = new Array<string | undefined>(n).fill(undefined);
		this.padding = new Int32Array(n);
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
		this.how[k] = COPY;
		this.valueStart[k] = at;
		this.canonical = true;
		const c = this.code(at);
		let value: unknown;
		let after: number;
		// Whether the value's text is what JSON.stringify writes for it: then an unchanged value is copied.
		let asWritten = false;
		if (c === QUOTE) {
			after = this.scanString(at, end);
			if (after < 0) return -1;
			this.valueEnd[k] = after;
			if (this.canonical) {
				if (fastKind === TEXT) {
					// Debezium's placeholder goes to the handler, which refuses it (unavailable-value.ts).
					if (this.mapper.unavailable.isTextAt(text, at + 1, after - 1)) return -1;
					const limit = this.limits[k] as number;
					if ((after - at - 2) * 3 <= limit || utf8Bytes(text, at + 1, after - 1) <= limit) return after;
					return -1; // too long: the general path says so
				}
				if (fastKind === DECIMAL && this.padded(text, at + 1, after - 1, k)) return after;
				// precision -1: DATE.
				if (fastKind === DATE_TIME && isStoredDateForm(this.units, at + 1, after - 1, this.precision[k] >= 0, this.precision[k])) return after;
			}
			asWritten = this.canonical;
			value = this.plain ? text.slice(at + 1, after - 1) : (JSON.parse(text.slice(at, after)) as string);
		} else if (c === MINUS || isDigit(c)) {
			after = this.scanNumber(at, end);
			if (after < 0) return -1;
			this.valueEnd[k] = after;
			if (this.fastNumber) {
				asWritten = this.canonical;
				if (asWritten) {
					// plainDecimal reads a number as String(number): a canonical literal is that text.
					if (fastKind === DECIMAL) {
						if (this.padded(text, at, after, k)) return after;
					} else if (fastKind === INTEGER && this.integral && this.num >= this.minimum[k] && this.num <= this.maximum[k]) return after;
					else if (fastKind === DOUBLE) return after;
				}
				value = this.num;
			} else value = parseJsonExact(text.slice(at, after));
		} else if (c === 116 && this.literalAt(c, at) === 4) {
			after = at + 4;
			if (fastKind === BOOLEAN) {
				this.valueEnd[k] = after;
				return after;
			}
			value = true;
			asWritten = true;
		} else if (c === 102 && this.literalAt(c, at) === 5) {
			after = at + 5;
			if (fastKind === BOOLEAN) {
				this.valueEnd[k] = after;
				return after;
			}
			value = false;
			asWritten = true;
		} else if (c === 110 && this.literalAt(c, at) === 4) {
			after = at + 4;
			this.valueEnd[k] = after;
			if (plan.nullable) return after; // a null row value, written as it stands
			if (!plan.hasDefault || plan.refusesNull) return -1; // the general path gives the reason
			this.omitted[k] = 1; // Doris fills the default (AUTO_INCREMENT, opaque types)
			return after;
		} else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
			after = this.scanCanonicalNested(text, at, end);
			if (after < 0) {
				this.canonical = true;
				after = this.scanValue(text, at, end, 0);
			}
			if (after < 0) return -1;
			const limit = this.limits[k];
			if (limit !== undefined && this.canonical) {
				// This column's handler writes an object as its JSON text, which is the value's text here.
				if ((after - at) * 3 > limit && utf8Bytes(text, at, after) > limit) return -1;
				// An array or object form of Debezium's placeholder (unavailable-value.ts): the handler refuses it.
				if (this.mapper.unavailable.isArrayTextAt(text, at, after)) return -1;
				this.valueEnd[k] = after;
				this.how[k] = QUOTE_OWN; // what JSON.stringify writes for that text: it has no backslash or control character
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
			case 'number': {
				const json = JSON.stringify(out);
				// Kept, with escapes written as JSON.stringify writes them (a JSON column's text, a quote in a
				// string): copied as it stands, so that a line that changes nothing stays the input itself (LineSink unchanged).
				if (out === value && json.length === after - at && text.startsWith(json, at)) return after;
				this.replace(k, json);
				return after;
			}
			case 'boolean':
				this.replace(k, out ? 'true' : 'false');
				return after;
			case 'undefined':
				this.omitted[k] = 1; // JSON.stringify leaves an undefined property out
				return after;
			default:
				if (out === null) {
					this.replace(k, 'null');
					return after;
				}
				return -1; // bigint and objects: the general path (and its serializer) decide
		}
	}

	private replace(k: number, text: string): void {
		this.how[k] = REPLACED;
		this.replaced[k] = text;
	}

	/**
	 * Value value[from, to) of column k as a plain decimal its column pads (plainDecimal): recorded
	 * and true, or false for the handler to decide. A value that needs no padding and was a string is
	 * copied as it stands.
	 */
	private padded(text: string, from: number, to: number, k: number): boolean {
		const padding = plainDecimalPadding(text, from, to, this.precision[k], this.scale[k]);
		if (padding < 0) return false;
		if (padding > 0 || text.charCodeAt(from - 1) !== QUOTE || this.scale[k] === 0) {
			this.how[k] = PADDED;
			this.padding[k] = padding;
		}
		return true;
	}

	/** Column k's value as recorded by column(). */
	private writeValue(sink: LineSink, text: string, k: number): void {
		const start = this.valueStart[k];
		const end = this.valueEnd[k];
		switch (this.how[k]) {
			case COPY:
				sink.copy(start, end);
				return;
			case REPLACED:
				sink.add(this.replaced[k] as string);
				return;
			case QUOTE_OWN:
				sink.byte(QUOTE);
				sink.copyQuoted(start, end);
				sink.byte(QUOTE);
				return;
			default:
				this.writePadded(sink, text, k);
		}
	}

	/** A PADDED decimal: its digits (a string's without the quotes), the dot and zeros, quoted. */
	private writePadded(sink: LineSink, text: string, k: number): void {
		const quoted = text.charCodeAt(this.valueStart[k]) === QUOTE;
		const from = quoted ? this.valueStart[k] + 1 : this.valueStart[k];
		let to = quoted ? this.valueEnd[k] - 1 : this.valueEnd[k];
		const padding = this.padding[k];
		// A scale of 0 keeps the integer digits alone: plainDecimal drops the trailing dot of "12.".
		if (this.scale[k] === 0 && text.charCodeAt(to - 1) === 46) to--;
		sink.byte(QUOTE);
		sink.copy(from, to);
		if ((padding & DECIMAL_DOT) !== 0) sink.byte(46);
		for (let z = padding >> 1; z > 0; z--) sink.byte(48);
		sink.byte(QUOTE);
	}

	/** The line as it stands with the changed values replaced: the fields are in column order, without spaces. */
	protected keepLayout(sink: LineSink, text: string, start: number, close: number): void {
		let from = start;
		for (let k = 0; k < this.plans.length; k++) {
			if (this.seen[k] !== this.stamp || this.how[k] === COPY) continue;
			sink.copy(from, this.valueStart[k]);
			this.writeValue(sink, text, k);
			from = this.valueEnd[k];
		}
		// The line's own "\n" when it has one: then the sink copies on into the next line in one go.
		if (this.units[close + 1] === 10) sink.copy(from, close + 2);
		else {
			sink.copy(from, close + 1);
			sink.byte(10);
		}
	}

	/** The row written afresh in column order, as JSON.stringify writes it. */
	protected rebuild(sink: LineSink, text: string): void {
		sink.byte(OPEN_BRACE);
		let first = true;
		for (let k = 0; k < this.plans.length; k++) {
			if (this.seen[k] !== this.stamp || this.omitted[k] === 1) continue;
			if (!first) sink.byte(44);
			sink.add(this.prefixes[k]);
			this.writeValue(sink, text, k);
			first = false;
		}
		sink.byte(125);
		sink.byte(10);
	}
}
