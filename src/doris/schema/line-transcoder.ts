/**
 * The packed rows' fast path: one JSON line of a packed item straight to the Stream Load line of its
 * row, without the parsed object, the row object and JSON.stringify's walk over it. The general path
 * (parseJsonExact → RowMapper.map → the JSON serializer, route-packed.ts) stays the reference: this
 * one either writes exactly the bytes the general path gives for a valid line, or says "don't know"
 * (false) and the line takes the general path, which also writes the reasons of an invalid line.
 *
 * How: one pass over the line's characters checks the JSON grammar (json-scanner.ts) and finds each
 * top-level field's value. A column's value (column-writer.ts) is read as the general path would read
 * it (a string without escapes is sliced out, a number of at most 15 digits is computed exactly,
 * anything else goes through parseJsonExact on the value's text alone, which reads numbers exactly as
 * on the whole line), coerced by the column's own handler, and written out: a value the handler
 * returns unchanged is copied as it stands in the line when its text is what JSON.stringify would
 * write; so are the keys and commas between, when the line's fields come in column order without
 * spaces. Only what changes is serialised (e.g. a number into a DECIMAL column becomes its padded
 * text, an object into a JSON column its quoted text).
 *
 * Fields no column takes are skipped (their syntax checked), and counted into the mapper's unmatched
 * fields when it counts them, as map() does: each key by what it is, never by the columns a line fills,
 * so it has no use for map()'s first test (columns filled against keys). The mappers whose columns can
 * read one key between them (field paths, two columns from one field: column-plans.ts
 * plansSharingAField) take the general path anyway (LineTranscoder.of).
 *
 * The general path is taken for: lines that do not parse or are not objects, a missing NOT NULL
 * column, a sequence column left NULL, a value its column refuses, a column named twice, a key that
 * differs from a column's name only in case, keys with escapes, `_parseError`, Kafka Connect envelopes
 * (`schema` + `payload`), a flattened Debezium record's `__deleted` other than "false" (a delete),
 * fields no column matches when they are refused or may become columns
 * (Unknown Fields: reject, schema evolution), and mappers whose options read records elsewhere (CDC,
 * a source path, field paths).
 */
import { DELETE_SIGN_COLUMN, DORIS_FIELD, PARSE_ERROR_FIELD } from '../../common/item-contract';
import { ColumnWriter } from './column-writer';
import { FLATTENED_DELETED_FIELD } from './debezium';
import { CLOSE_BRACE, COLON, COMMA, expectKey, indexLike, isSimpleKey, isWhitespace, OPEN_BRACE, QUOTE } from './json-scanner';
import type { LineSink } from './line-sink';
import type { RowMapper } from './row-mapper';
import { lineOwnFieldsLeftOut, ownFieldsRefused } from './reserved-line-fields';

/** What a field's key is, besides a column (an index into the plans). */
const UNKNOWN = -1;
/** A field map() knows and leaves out of the row (a generated column's name: Doris computes it): not counted as unmatched. */
const IGNORED = -2;
/** A field that makes the line take the general path (`_parseError`, `__proto__`). */
const GENERAL = -3;
/** `schema` or `payload` that is not a column: together they may be a Kafka Connect envelope. */
const CONNECT_SCHEMA = -4;
const CONNECT_PAYLOAD = -5;
/**
 * `__deleted`, Debezium's delete marker of a flattened record (RowMapper.flattenedDeletes): skipped when
 * it is "false" (an upsert); any other value makes the line take the general path, which writes the delete.
 */
const DELETE_MARK = -6;
/**
 * A line's own `_kafka` / `_doris` (reserved-line-fields.ts): left out of the row and counted as
 * unmatched, as a field no column takes, never a column to add; refused under Unknown Fields Reject
 * (the general path says why), so only then does it leave the fast path.
 */
const ITEM_OWN = -7;

/** "n": the only JSON value starting with it is null. */
const NULL_FIRST = 110;

const SCHEMA_SEEN = 1;
const PAYLOAD_SEEN = 2;

export class LineTranscoder extends ColumnWriter {
	private readonly byKey = new Map<string, number>();
	/** Whether the key of plan i is `schema` / `payload` (a Connect envelope needs both). */
	private readonly connectBits: number[];
	/** Whether plan i takes another field's value (Field Mapping): the line's key is not the column's. */
	private readonly renamed: boolean[];
	/** Whether plan i's key can be matched in place (isSimpleKey). */
	private readonly simpleKey: boolean[];
	/** Plan i's key followed by its closing quote, as code units, when it is ASCII (else null: read by charCodeAt). */
	private readonly keyUnits: Array<Uint8Array | null>;
	/** Whether plan i's column is NOT NULL without a default: a line must give it. */
	private readonly required: Uint8Array;
	/** Unknown fields make the line take the general path (they are refused, or may become columns). */
	private readonly unknownNeedsGeneral: boolean;
	/** The item's own names (`_kafka`, `_doris`) a line's row leaves out: unmatched, as a field no column takes (reserved-line-fields.ts). */
	private readonly ownFieldsLeftOut: ReadonlySet<string>;
	/** Such a name refuses its line (Unknown Fields Reject): the general path says why (reserved-line-fields.ts). */
	private readonly ownFieldsNeedGeneral: boolean;
	/** The plan of the table's sequence column, or -1: a row must not leave it NULL, nor to a constant default. */
	private readonly sequencePlan: number;
	/** A line may lack the sequence field (a DEFAULT CURRENT_TIMESTAMP fills it, or a partial update keeps the stored one; RowMapper.sequenceMayBeMissing). */
	private readonly sequenceMayBeMissing: boolean;
	/** A line's null sequence value is not read (a fixed partial update leaves the column out; RowMapper.sequenceMayBeNull). */
	private readonly sequenceMayBeNull: boolean;
	/** Keys of the line being transcoded that no column takes: counted when the line is done. */
	private unknownStarts: number[] = [];
	private unknownEnds: number[] = [];

	private constructor(mapper: RowMapper) {
		super(mapper);
		this.connectBits = this.plans.map((p) => (p.key === 'schema' ? SCHEMA_SEEN : p.key === 'payload' ? PAYLOAD_SEEN : 0));
		this.renamed = this.plans.map((p) => p.key !== p.column);
		this.required = Uint8Array.from(this.plans, (p) => (!p.nullable && !p.hasDefault ? 1 : 0));
		this.simpleKey = this.plans.map((p) => isSimpleKey(p.key));
		this.keyUnits = this.plans.map((p) => {
			const units = Buffer.from(`${p.key}"`, 'utf8');
			return units.length === p.key.length + 1 ? units : null;
		});
		this.plans.forEach((p, i) => this.byKey.set(p.key, i));
		this.unknownNeedsGeneral = mapper.options.unknownFields === 'reject' || mapper.options.evolve === true;
		this.sequencePlan = mapper.sequencePlan;
		this.sequenceMayBeMissing = mapper.sequenceMayBeMissing;
		this.sequenceMayBeNull = mapper.sequenceMayBeNull;
		this.ownFieldsLeftOut = lineOwnFieldsLeftOut(mapper);
		this.ownFieldsNeedGeneral = ownFieldsRefused(mapper);
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
		if (key === FLATTENED_DELETED_FIELD && this.mapper.flattenedDeletes) return DELETE_MARK;
		// A record's own delete sign: RowMapper reads it (a delete, or a value no TINYINT takes).
		if (key === DELETE_SIGN_COLUMN) return GENERAL;
		// A line's own `_kafka` / `_doris` is data its row leaves out: counted like a field no column takes.
		if (this.ownFieldsLeftOut.has(key)) return ITEM_OWN;
		if (this.mapper.isKnownField(key)) return IGNORED;
		// Another case of a column's name fills the column or is left over, as the line's other keys
		// decide (RowMapper): rare enough for the general path to settle.
		return this.mapper.isCaseVariantOfColumn(key) ? GENERAL : UNKNOWN;
	}

	/**
	 * Writes into `sink` the Stream Load line (with its "\n") of the row text[start, end) maps to and
	 * returns true, or returns false (having written nothing) when the line must take the general path.
	 * `unmatched`: where the mapper counts fields no column takes (its unmatchedSink), counted here only
	 * for a line transcoded (the general path counts the others). `sink` copies from `text` (its input).
	 */
	line(text: string, start: number, end: number, unmatched: Map<string, number> | null, sink: LineSink): boolean {
		this.units = sink.inputUnits;
		const plans = this.plans;
		let i = start;
		while (i < end && isWhitespace(this.code(i))) i++;
		if (i >= end || this.code(i) !== OPEN_BRACE) return false;
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
		let c = this.code(i);
		if (isWhitespace(c)) {
			layout = false;
			while (++i < end && isWhitespace((c = this.code(i))));
		}
		let close = -1;
		if (c === CLOSE_BRACE) close = i;
		while (close < 0) {
			if (i >= end || c !== QUOTE) return false;
			const keyStart = i + 1;
			// Fields mostly come in column order: the next column's key, read in place, before a lookup.
			const next = last + 1;
			let kind: number;
			let afterKey: number;
			if (next < plans.length && this.simpleKey[next] && this.keyAt(text, keyStart, next)) {
				kind = next;
				afterKey = keyStart + plans[next].key.length + 1;
			} else {
				this.canonical = true;
				afterKey = this.scanString(i, end);
				// A key with an escape or a lone surrogate: rare, and JSON.stringify would write it otherwise.
				if (afterKey < 0 || !this.canonical) return false;
				kind = this.keyKind(text.slice(keyStart, afterKey - 1));
				if (unmatched !== null && (kind === UNKNOWN || kind === CONNECT_SCHEMA || kind === CONNECT_PAYLOAD || kind === ITEM_OWN)) {
					this.unknownStarts[unknown] = keyStart;
					this.unknownEnds[unknown] = afterKey - 1;
					unknown++;
				}
			}
			i = afterKey;
			while (i < end && isWhitespace((c = this.code(i)))) {
				layout = false;
				i++;
			}
			if (i >= end || this.code(i) !== COLON) return false;
			i++;
			while (i < end && isWhitespace(this.code(i))) {
				layout = false;
				i++;
			}
			let valueEnd: number;
			if (kind >= 0) {
				if (this.seen[kind] === stamp) return false; // named twice: JSON.parse keeps the last value
				this.seen[kind] = stamp;
				if (kind <= last || this.renamed[kind]) layout = false;
				last = kind;
				connect |= this.connectBits[kind];
				// A NULL sequence value: the general path says why the row cannot load (row-rejections.ts missingSequence).
				if (kind === this.sequencePlan && !this.sequenceMayBeNull && this.code(i) === NULL_FIRST) return false;
				valueEnd = this.column(text, i, end, kind);
				if (valueEnd < 0) return false;
				if (this.omitted[kind] === 1) layout = false;
			} else {
				if (kind === GENERAL) return false;
				// A field no column takes: refused, or a column to add, on the general path; else skipped.
				if (kind === ITEM_OWN ? this.ownFieldsNeedGeneral : kind !== IGNORED && this.unknownNeedsGeneral) return false;
				if (kind === CONNECT_SCHEMA) connect |= SCHEMA_SEEN;
				else if (kind === CONNECT_PAYLOAD) connect |= PAYLOAD_SEEN;
				layout = false;
				valueEnd = this.scanValue(text, i, end, 0);
				if (valueEnd < 0) return false;
				if (kind === DELETE_MARK && !isFalse(text, i, valueEnd)) return false;
			}
			i = valueEnd;
			while (i < end && isWhitespace((c = this.code(i)))) {
				layout = false;
				i++;
			}
			if (i >= end) return false;
			c = this.code(i);
			if (c === CLOSE_BRACE) close = i;
			else if (c !== COMMA) return false;
			else {
				i++;
				while (i < end && isWhitespace((c = this.code(i)))) {
					layout = false;
					i++;
				}
				c = i < end ? this.code(i) : 0;
			}
		}
		for (i = close + 1; i < end; i++) {
			if (!isWhitespace(this.code(i))) return false;
			layout = false;
		}
		if ((connect & (SCHEMA_SEEN | PAYLOAD_SEEN)) === (SCHEMA_SEEN | PAYLOAD_SEEN)) return false;
		// No column named: the general path refuses the line (no_column, no-column.ts).
		if (last < 0) return false;
		const required = this.required;
		for (let k = 0; k < required.length; k++) {
			if (required[k] === 1 && this.seen[k] !== stamp) return false; // NOT NULL: the general path says why
		}
		const sequence = this.sequencePlan;
		if (sequence >= 0 && this.seen[sequence] !== stamp && !this.sequenceMayBeMissing) return false;
		if (unknown > 0 && unmatched !== null) this.countUnmatched(text, unknown, unmatched);
		if (layout) this.keepLayout(sink, text, start, close);
		else this.rebuild(sink, text);
		return true;
	}

	/** Whether the key at `at` (after its opening quote) is plan k's, a simple key. */
	private keyAt(text: string, at: number, k: number): boolean {
		const units = this.units;
		const key = this.keyUnits[k];
		if (key === null) return expectKey(text, at, this.plans[k].key);
		const length = key.length;
		for (let j = 0; j < length; j++) if (units[at + j] !== key[j]) return false;
		return true;
	}

	/** Counts the line's fields no column takes, each name once per line (JSON.parse keeps one of a key given twice). */
	private countUnmatched(text: string, n: number, unmatched: Map<string, number>): void {
		const names = new Set<string>();
		for (let u = 0; u < n; u++) names.add(text.slice(this.unknownStarts[u], this.unknownEnds[u]));
		for (const name of names) unmatched.set(name, (unmatched.get(name) ?? 0) + 1);
	}
}

/** Whether text[start, end) is `"false"` or `false`: a flattened record's marker of an upsert. */
function isFalse(text: string, start: number, end: number): boolean {
	const length = end - start;
	return (length === 7 && text.startsWith('"false"', start)) || (length === 5 && text.startsWith('false', start));
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
