/**
 * The packed rows' fast path: one JSON line of a packed item straight to the Stream Load line of its
 * row, without the parsed object, the row object and JSON.stringify's walk over it. The general path
 * (parseJsonExact → RowMapper.map → the JSON serializer, route-packed.ts) stays the reference: this
 * one either gives exactly the bytes the general path gives for a valid line, or says "don't know"
 * (undefined) and the line takes the general path, which also writes the reasons of an invalid line.
 *
 * How: one pass over the line's characters checks the JSON grammar and finds each top-level field's
 * value. A column's value is read as the general path would read it (a string without escapes is
 * sliced out, a number of at most 15 digits is computed exactly, anything else goes through
 * parseJsonExact on the value's text alone, which reads numbers exactly as on the whole line), coerced
 * by the column's own handler, and written out: a value the handler returns unchanged is copied as it
 * stands in the line when its text is what JSON.stringify would write; so are the keys and commas
 * between, when the line's fields come in column order without spaces. Only what changes is
 * serialised (e.g. a number into a DECIMAL column becomes its padded text, an object into a JSON
 * column its quoted text).
 *
 * Fields no column takes are skipped (their syntax checked), and counted into the mapper's unmatched
 * fields when it counts them, as map() does.
 *
 * The general path is taken for: lines that do not parse or are not objects, a missing NOT NULL
 * column, a value its column refuses, a column named twice, a key that differs from a column's name
 * only in case, keys with escapes, `_parseError`, Kafka
 * Connect envelopes (`schema` + `payload`), fields no column matches when they are refused or may
 * become columns (Unknown Fields: reject, schema evolution), and mappers whose options read records
 * elsewhere (CDC, a source path, field paths).
 */
import { DORIS_FIELD, PARSE_ERROR_FIELD } from '../../common/item-contract';
import { parseJsonExact } from '../../common/exact-json';
import { INVALID, JSON_MAX_BYTES, STRING_MAX_BYTES, type FailSlot } from './coerce-result';
import { plainDecimalIn } from './coerce-values';
import { INTEGER_BOUNDS } from './numbers';
import type { ColumnPlan, RowMapper } from './row-mapper';
import type { DorisType } from './types';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Nested values deeper than this take the general path (JSON.parse has no such limit, only the stack). */
const MAX_DEPTH = 64;

/** Exact powers of ten up to 10^15 (every one is a double without rounding). */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** What a field's key is, besides a column (an index into the plans). */
const UNKNOWN = -1;
/** A field map() reads and ignores (`_kafka`, `_doris`, the delete sign): not counted as unmatched. */
const IGNORED = -2;
/** A field that makes the line take the general path (`_parseError`, `__proto__`). */
const GENERAL = -3;
/** `schema` or `payload` that is not a column: together they may be a Kafka Connect envelope. */
const CONNECT_SCHEMA = -4;
const CONNECT_PAYLOAD = -5;

const SCHEMA_SEEN = 1;
const PAYLOAD_SEEN = 2;

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
 * Characters that make a line take the careful scan: backslashes (escapes), control characters
 * (JSON.parse refuses them in strings; tabs and CRs may be spaces between tokens) and surrogates
 * (JSON.stringify escapes lone ones). A line without any has strings that end at the next quote.
 * "\n" ends lines, so it is not one of them.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for.
const CAREFUL = /[\x00-\x09\x0b-\x1f\\\ud800-\udfff]/g;

function isWhitespace(c: number): boolean {
	return c === 32 || c === 10 || c === 13 || c === 9;
}

function isDigit(c: number): boolean {
	return c >= ZERO && c <= NINE;
}

/** Whether a string's content at `at` is `key` (a simple key) followed by its closing quote. */
function expectKey(text: string, at: number, key: string): boolean {
	const length = key.length;
	for (let j = 0; j < length; j++) if (text.charCodeAt(at + j) !== key.charCodeAt(j)) return false;
	return text.charCodeAt(at + length) === QUOTE;
}

/** A key written in JSON as it is: no quote, backslash, control character or surrogate in it. */
function isSimpleKey(key: string): boolean {
	for (let j = 0; j < key.length; j++) {
		const c = key.charCodeAt(j);
		if (c === QUOTE || c === BACKSLASH || c < 32 || (c >= 0xd800 && c <= 0xdfff)) return false;
	}
	return true;
}

function isHex(c: number): boolean {
	return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** A key V8 keeps before all others in an object (an array index): JSON.stringify would move it. */
function indexLike(text: string, start: number, end: number): boolean {
	const length = end - start;
	if (length === 0 || length > 10) return false;
	if (length > 1 && text.charCodeAt(start) === ZERO) return false;
	for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
	return true;
}

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

export class LineTranscoder {
	private readonly plans: readonly ColumnPlan[];
	/** `"column":` as JSON.stringify writes each key. */
	private readonly prefixes: string[];
	private readonly limits: Array<number | undefined>;
	private readonly byKey = new Map<string, number>();
	/** Whether the key of plan i is `schema` / `payload` (a Connect envelope needs both). */
	private readonly connectBits: number[];
	/** Whether plan i takes another field's value (Field Mapping): the line's key is not the column's. */
	private readonly renamed: boolean[];
	/** Whether plan i's key can be matched in place on a clean line (isSimpleKey). */
	private readonly simpleKey: boolean[];
	/** Per plan: TEXT, INTEGER, DECIMAL, BOOLEAN or OTHER, and the figures its check needs. */
	private readonly fastKind: Uint8Array;
	private readonly minimum: Float64Array;
	private readonly maximum: Float64Array;
	private readonly precision: Int32Array;
	private readonly scale: Int32Array;
	/** Unknown fields make the line take the general path (they are refused, or may become columns). */
	private readonly unknownNeedsGeneral: boolean;
	/** Keys of the line being transcoded that no column takes: counted when the line is done. */
	private unknownStarts: number[] = [];
	private unknownEnds: number[] = [];
	private readonly fail: FailSlot = { rule: 'type', detail: '', path: '' };

	// Per line, reused: a plan's slot counts as filled in this line when seen[i] === stamp.
	private stamp = 0;
	private readonly seen: Int32Array;
	private readonly valueStart: Int32Array;
	private readonly valueEnd: Int32Array;
	/** The serialised value when it is not copied from the line; undefined: copy valueStart..valueEnd. */
	private readonly replaced: Array<string | undefined>;
	/** Set when the column is left out of the row (a null with a default, a value coerced to undefined). */
	private readonly omitted: Uint8Array;

	/**
	 * The text being walked, where the last line started, and where the text's next character that
	 * needs the careful scan is (at or after that start; -1 before the first line).
	 */
	private text = '';
	private from = 0;
	private careful = -1;
	/** The line being transcoded has none of those characters. */
	private clean = false;

	// Scanner results, reused (no object per value).
	/** The last string scanned had no escape sequence. */
	private plain = true;
	/** Every value scanned since the caller reset it is written exactly as JSON.stringify would write its parsed value. */
	private canonical = true;
	/** The last number scanned has at most 15 digits and no exponent: `num` is its exact value. */
	private fastNumber = false;
	private num = 0;
	/** The last number scanned has no fraction and no exponent. */
	private integral = false;
	/** Key spans of the objects being scanned (a stack of `keys` entries), to find a key given twice (JSON.parse keeps the last). */
	private keyStarts = new Int32Array(64);
	private keyEnds = new Int32Array(64);
	private keys = 0;

	private constructor(private readonly mapper: RowMapper) {
		this.plans = mapper.columnPlans;
		const n = this.plans.length;
		const typeOf = new Map(mapper.schema.columns.map((c) => [c.name, c.type]));
		this.prefixes = this.plans.map((p) => `${JSON.stringify(p.column)}:`);
		this.limits = this.plans.map((p) => {
			const type = typeOf.get(p.column);
			return type === undefined ? undefined : textLimit(type, mapper);
		});
		this.connectBits = this.plans.map((p) => (p.key === 'schema' ? SCHEMA_SEEN : p.key === 'payload' ? PAYLOAD_SEEN : 0));
		this.renamed = this.plans.map((p) => p.key !== p.column);
		this.simpleKey = this.plans.map((p) => isSimpleKey(p.key));
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
		this.plans.forEach((p, i) => this.byKey.set(p.key, i));
		this.unknownNeedsGeneral = mapper.options.unknownFields === 'reject' || mapper.options.evolve === true;
		this.seen = new Int32Array(n);
		this.valueStart = new Int32Array(n);
		this.valueEnd = new Int32Array(n);
		this.replaced = new Array<string | undefined>(n).fill(undefined);
		this.omitted = new Uint8Array(n);
	}

	/**
	 * The transcoder of `mapper`, or null when its options take every line down the general path:
	 * records read from elsewhere than the line itself (CDC envelopes, a source path, field paths),
	 * or column names a plain object treats specially (inherited properties such as `constructor`,
	 * array indexes that JSON.stringify writes first, the Doris nodes' own `_doris`).
	 */
	static of(mapper: RowMapper): LineTranscoder | null {
		const o = mapper.options;
		if (o.cdc || mapper.sourcePathSegments.length > 0) return null;
		// Two columns from one field (Field Mapping onto a column's own name): map() fills both.
		if (new Set(mapper.columnPlans.map((p) => p.key)).size !== mapper.columnPlans.length) return null;
		for (const p of mapper.columnPlans) {
			if (p.path !== null || p.key in Object.prototype || p.key === '__proto__') return null;
			if (p.column === DORIS_FIELD || indexLike(p.column, 0, p.column.length)) return null;
		}
		return new LineTranscoder(mapper);
	}

	private keyKind(key: string): number {
		const i = this.byKey.get(key);
		if (i !== undefined) return i;
		if (key === PARSE_ERROR_FIELD || key === '__proto__') return GENERAL;
		if (key === 'schema') return CONNECT_SCHEMA;
		if (key === 'payload') return CONNECT_PAYLOAD;
		if (this.mapper.isKnownField(key)) return IGNORED;
		// Another case of a column's name fills the column or is left over, as the line's other keys
		// decide (RowMapper): rare enough for the general path to settle.
		return this.mapper.isCaseVariantOfColumn(key) ? GENERAL : UNKNOWN;
	}

	/**
	 * The Stream Load line (with its "\n") of the row text[start, end) maps to, or undefined when the
	 * line must take the general path. `unmatched`: where the mapper counts fields no column takes
	 * (its unmatchedSink), counted here only for a line transcoded (the general path counts the others).
	 */
	line(text: string, start: number, end: number, unmatched: Map<string, number> | null): string | undefined {
		// A new text, or the same one walked again: where the careful characters are is found afresh.
		if (start < this.from || text !== this.text) {
			this.text = text;
			this.careful = -1;
		}
		this.from = start;
		if (this.careful < start) {
			CAREFUL.lastIndex = start;
			this.careful = CAREFUL.exec(text)?.index ?? text.length;
		}
		this.clean = this.careful >= end;
		const plans = this.plans;
		let i = start;
		while (i < end && isWhitespace(text.charCodeAt(i))) i++;
		if (i >= end || text.charCodeAt(i) !== OPEN_BRACE) return undefined;
		// The line's own layout can be kept (only changed values replaced) while it has no spaces, no
		// fields that are left out, and its columns in column order.
		let layout = i === start;
		// seen[] is an Int32Array: a stamp past 2^31 - 1 would be stored as another number and never match,
		// and a line of nullable columns would be written as {} (its values gone). Start the marks afresh.
		if (this.stamp === 0x7fffffff) {
			this.seen.fill(0);
			this.stamp = 0;
		}
		const stamp = ++this.stamp;
		let unknown = 0;
		let last = -1;
		let connect = 0;
		i++;
		let c = text.charCodeAt(i);
		if (isWhitespace(c)) {
			layout = false;
			while (++i < end && isWhitespace((c = text.charCodeAt(i))));
		}
		let close = -1;
		if (c === CLOSE_BRACE) close = i;
		while (close < 0) {
			if (i >= end || c !== QUOTE) return undefined;
			const keyStart = i + 1;
			// Fields mostly come in column order: the next column's key, read in place, before a lookup.
			const next = last + 1;
			let kind: number;
			let afterKey: number;
			if (this.clean && next < plans.length && this.simpleKey[next] && expectKey(text, keyStart, plans[next].key)) {
				kind = next;
				afterKey = keyStart + plans[next].key.length + 1;
			} else {
				this.canonical = true;
				afterKey = this.scanString(text, i, end);
				// A key with an escape or a lone surrogate: rare, and JSON.stringify would write it otherwise.
				if (afterKey < 0 || !this.canonical) return undefined;
				kind = this.keyKind(text.slice(keyStart, afterKey - 1));
				if (unmatched !== null && (kind === UNKNOWN || kind === CONNECT_SCHEMA || kind === CONNECT_PAYLOAD)) {
					this.unknownStarts[unknown] = keyStart;
					this.unknownEnds[unknown] = afterKey - 1;
					unknown++;
				}
			}
			i = afterKey;
			while (i < end && isWhitespace((c = text.charCodeAt(i)))) {
				layout = false;
				i++;
			}
			if (i >= end || text.charCodeAt(i) !== COLON) return undefined;
			i++;
			while (i < end && isWhitespace(text.charCodeAt(i))) {
				layout = false;
				i++;
			}
			let valueEnd: number;
			if (kind >= 0) {
				if (this.seen[kind] === stamp) return undefined; // named twice: JSON.parse keeps the last value
				this.seen[kind] = stamp;
				if (kind <= last || this.renamed[kind]) layout = false;
				last = kind;
				connect |= this.connectBits[kind];
				valueEnd = this.column(text, i, end, kind);
				if (valueEnd < 0) return undefined;
				if (this.omitted[kind] === 1) layout = false;
			} else {
				if (kind === GENERAL) return undefined;
				// A field no column takes: refused, or a column to add, on the general path; else skipped.
				if (kind !== IGNORED && this.unknownNeedsGeneral) return undefined;
				if (kind === CONNECT_SCHEMA) connect |= SCHEMA_SEEN;
				else if (kind === CONNECT_PAYLOAD) connect |= PAYLOAD_SEEN;
				layout = false;
				valueEnd = this.scanValue(text, i, end, 0);
				if (valueEnd < 0) return undefined;
			}
			i = valueEnd;
			while (i < end && isWhitespace((c = text.charCodeAt(i)))) {
				layout = false;
				i++;
			}
			if (i >= end) return undefined;
			c = text.charCodeAt(i);
			if (c === CLOSE_BRACE) close = i;
			else if (c !== COMMA) return undefined;
			else {
				i++;
				while (i < end && isWhitespace((c = text.charCodeAt(i)))) {
					layout = false;
					i++;
				}
				c = i < end ? text.charCodeAt(i) : 0;
			}
		}
		for (i = close + 1; i < end; i++) {
			if (!isWhitespace(text.charCodeAt(i))) return undefined;
			layout = false;
		}
		if ((connect & (SCHEMA_SEEN | PAYLOAD_SEEN)) === (SCHEMA_SEEN | PAYLOAD_SEEN)) return undefined;
		for (let k = 0; k < plans.length; k++) {
			if (this.seen[k] !== stamp && !plans[k].nullable && !plans[k].hasDefault) return undefined; // NOT NULL: the general path says why
		}
		if (unknown > 0 && unmatched !== null) this.countUnmatched(text, unknown, unmatched);
		return layout ? this.keepLayout(text, start, close) : this.rebuild(text);
	}

	/**
	 * Reads, coerces and records the value of column `k` at `at`; returns where the value ends, or -1
	 * for the general path.
	 */
	private column(text: string, at: number, end: number, k: number): number {
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

	/** Counts the line's fields no column takes, each name once per line (JSON.parse keeps one of a key given twice). */
	private countUnmatched(text: string, n: number, unmatched: Map<string, number>): void {
		const names = new Set<string>();
		for (let u = 0; u < n; u++) names.add(text.slice(this.unknownStarts[u], this.unknownEnds[u]));
		for (const name of names) unmatched.set(name, (unmatched.get(name) ?? 0) + 1);
	}

	/** The line as it stands with the changed values replaced: the fields are in column order, without spaces. */
	private keepLayout(text: string, start: number, close: number): string {
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
	private rebuild(text: string): string {
		let out = '{';
		let first = true;
		for (let k = 0; k < this.plans.length; k++) {
			if (this.seen[k] !== this.stamp || this.omitted[k] === 1) continue;
			out += (first ? '' : ',') + this.prefixes[k] + (this.replaced[k] ?? text.slice(this.valueStart[k], this.valueEnd[k]));
			first = false;
		}
		return `${out}}\n`;
	}

	/**
	 * A string token at `at` (its opening quote): returns the index after the closing quote, or -1 when
	 * JSON.parse would refuse it. Sets `plain` (no escape) and clears `canonical` for escapes and lone
	 * surrogates (JSON.stringify writes those as escapes).
	 */
	private scanString(text: string, at: number, end: number): number {
		this.plain = true;
		if (this.clean) {
			let i = at + 1;
			while (i < end && text.charCodeAt(i) !== QUOTE) i++;
			return i < end ? i + 1 : -1;
		}
		for (let i = at + 1; i < end; ) {
			const c = text.charCodeAt(i);
			if (c === QUOTE) return i + 1;
			if (c === BACKSLASH) {
				this.plain = false;
				this.canonical = false;
				const e = text.charCodeAt(i + 1);
				if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
				else if (e === 117 && isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3)) && isHex(text.charCodeAt(i + 4)) && isHex(text.charCodeAt(i + 5))) i += 6;
				else return -1;
				continue;
			}
			if (c < 32) return -1;
			if (c >= 0xd800 && c <= 0xdfff) {
				if (c <= 0xdbff && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i += 2;
				else {
					this.canonical = false;
					i++;
				}
				continue;
			}
			i++;
		}
		return -1;
	}

	/**
	 * A number token at `at`: returns where it ends, or -1 when it breaks JSON's grammar. `fastNumber`
	 * and `num` when it has at most 15 digits and no exponent (then a double holds it exactly, and
	 * parseJsonExact gives that double); `canonical` cleared unless Number#toString writes it so.
	 */
	private scanNumber(text: string, at: number, end: number): number {
		let i = at;
		const negative = text.charCodeAt(i) === MINUS;
		if (negative) i++;
		let c = text.charCodeAt(i);
		if (!isDigit(c)) return -1;
		let mantissa = 0;
		let digits = 0;
		const zeroInteger = c === ZERO;
		if (zeroInteger) {
			i++;
			digits = 1;
		} else {
			while (i < end && isDigit((c = text.charCodeAt(i)))) {
				if (++digits <= 15) mantissa = mantissa * 10 + (c - ZERO);
				i++;
			}
		}
		let fraction = 0;
		let leadingZeros = 0;
		let lastDigit = 0;
		if (i < end && text.charCodeAt(i) === DOT) {
			i++;
			while (i < end && isDigit((c = text.charCodeAt(i)))) {
				if (++digits <= 15) mantissa = mantissa * 10 + (c - ZERO);
				if (c === ZERO && fraction === leadingZeros) leadingZeros++;
				fraction++;
				lastDigit = c;
				i++;
			}
			if (fraction === 0) return -1;
		}
		let exponent = false;
		c = i < end ? text.charCodeAt(i) : 0;
		if (c === 101 || c === 69) {
			exponent = true;
			i++;
			c = text.charCodeAt(i);
			if (c === 43 || c === MINUS) i++;
			if (!isDigit(text.charCodeAt(i))) return -1;
			while (i < end && isDigit(text.charCodeAt(i))) i++;
		}
		this.fastNumber = !exponent && digits <= 15;
		this.integral = !exponent && fraction === 0;
		if (!this.fastNumber) {
			this.canonical = false;
			return i;
		}
		// mantissa and 10^fraction are exact doubles, so one division rounds correctly (as JSON.parse does).
		const magnitude = fraction === 0 ? mantissa : mantissa / POW10[fraction];
		this.num = negative ? -magnitude : magnitude;
		// Number#toString writes the shortest digits that read back: a literal of ≤ 15 digits is its own
		// shortest form unless it has trailing fraction zeros, is -0, or is below 10^-6 (written 1e-7).
		if ((negative && mantissa === 0) || (fraction > 0 && (lastDigit === ZERO || (zeroInteger && leadingZeros > 5)))) this.canonical = false;
		return i;
	}

	/**
	 * Any JSON value at `at`: returns where it ends, or -1 when JSON.parse would refuse it. Clears
	 * `canonical` unless the text is exactly JSON.stringify(parseJsonExact(text)): no spaces, strings
	 * and numbers as written, no key twice or array-index keys (V8 moves those first), no `__proto__`.
	 */
	private scanValue(text: string, at: number, end: number, depth: number): number {
		if (at >= end) return -1;
		const c = text.charCodeAt(at);
		if (c === QUOTE) return this.scanString(text, at, end);
		if (c === MINUS || isDigit(c)) return this.scanNumber(text, at, end);
		if (c === 116) return text.startsWith('true', at) ? at + 4 : -1;
		if (c === 102) return text.startsWith('false', at) ? at + 5 : -1;
		if (c === 110) return text.startsWith('null', at) ? at + 4 : -1;
		if (depth >= MAX_DEPTH) return -1;
		if (c === OPEN_BRACKET) return this.scanArray(text, at, end, depth);
		if (c === OPEN_BRACE) return this.scanObject(text, at, end, depth);
		return -1;
	}

	private skipSpace(text: string, at: number, end: number): number {
		let i = at;
		while (i < end && isWhitespace(text.charCodeAt(i))) i++;
		if (i !== at) this.canonical = false;
		return i;
	}

	private scanArray(text: string, at: number, end: number, depth: number): number {
		let i = this.skipSpace(text, at + 1, end);
		if (i < end && text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
		for (;;) {
			i = this.scanValue(text, i, end, depth + 1);
			if (i < 0) return -1;
			i = this.skipSpace(text, i, end);
			if (i >= end) return -1;
			const c = text.charCodeAt(i);
			if (c === CLOSE_BRACKET) return i + 1;
			if (c !== COMMA) return -1;
			i = this.skipSpace(text, i + 1, end);
		}
	}

	private scanObject(text: string, at: number, end: number, depth: number): number {
		let i = this.skipSpace(text, at + 1, end);
		if (i < end && text.charCodeAt(i) === CLOSE_BRACE) return i + 1;
		const base = this.keys;
		i = this.scanMembers(text, i, end, depth, base);
		this.keys = base;
		return i;
	}

	/** The members of an object from its first key on: where the object ends, or -1. */
	private scanMembers(text: string, at: number, end: number, depth: number, base: number): number {
		let i = at;
		for (;;) {
			if (i >= end || text.charCodeAt(i) !== QUOTE) return -1;
			const keyEnd = this.scanString(text, i, end);
			if (keyEnd < 0) return -1;
			if (this.canonical) this.noteKey(text, i + 1, keyEnd - 1, base);
			i = this.skipSpace(text, keyEnd, end);
			if (i >= end || text.charCodeAt(i) !== COLON) return -1;
			i = this.scanValue(text, this.skipSpace(text, i + 1, end), end, depth + 1);
			if (i < 0) return -1;
			i = this.skipSpace(text, i, end);
			if (i >= end) return -1;
			const c = text.charCodeAt(i);
			if (c === CLOSE_BRACE) return i + 1;
			if (c !== COMMA) return -1;
			i = this.skipSpace(text, i + 1, end);
		}
	}

	/** Clears `canonical` for a key JSON.stringify would not write back in its place: twice, an array index, `__proto__`. */
	private noteKey(text: string, start: number, end: number, base: number): void {
		const length = end - start;
		if (indexLike(text, start, end) || (length === 9 && text.startsWith('__proto__', start))) {
			this.canonical = false;
			return;
		}
		for (let k = base; k < this.keys; k++) {
			const s = this.keyStarts[k];
			if (this.keyEnds[k] - s !== length) continue;
			let same = true;
			for (let j = 0; j < length && same; j++) same = text.charCodeAt(s + j) === text.charCodeAt(start + j);
			if (same) {
				this.canonical = false;
				return;
			}
		}
		if (this.keys === this.keyStarts.length) {
			const starts = new Int32Array(this.keys * 2);
			const ends = new Int32Array(this.keys * 2);
			starts.set(this.keyStarts);
			ends.set(this.keyEnds);
			this.keyStarts = starts;
			this.keyEnds = ends;
		}
		this.keyStarts[this.keys] = start;
		this.keyEnds[this.keys] = end;
		this.keys++;
	}
}

const transcoders = new WeakMap<RowMapper, LineTranscoder | null>();

/** The mapper's transcoder, built once; null when its lines all take the general path. */
export function lineTranscoderFor(mapper: RowMapper): LineTranscoder | null {
	let t = transcoders.get(mapper);
	if (t === undefined) {
		t = LineTranscoder.of(mapper);
		transcoders.set(mapper, t);
	}
	return t;
}
