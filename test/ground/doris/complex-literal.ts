/**
 * How Doris 2.1 / 3.0 / 3.1 read the text of an ARRAY / MAP / STRUCT value: what a JSON Stream Load
 * hands the column (a string's unescaped text, or an array's / object's JSON text, new_json_reader.cpp)
 * is cast to the column type by ConvertImplGenericFromString (be/src/vec/functions/function_cast.h:
 * converted_from_string, escape_char '\\'), which calls each type's deserialize_one_cell_from_json
 * (be/src/vec/data_types/serde/):
 * - data_type_array_serde.cpp splits `[…]` at commas outside quotes and brackets; a `"` or `'` opens a
 *   quote that only the same character closes, whatever a backslash before it says;
 * - data_type_map_serde.cpp and data_type_struct_serde.cpp split `{…}` likewise at `:` and `,`, but
 *   skip the character after a backslash (an escaped quote is no quote there); a STRUCT's keys must
 *   be its field names, in order;
 * - an element of a nullable type (every MAP key and value, STRUCT field, ARRAY element but
 *   ARRAY<NOT_NULL(T)>'s) is read by DataTypeNullableSerDe::deserialize_one_cell_from_json
 *   (data_type_nullable_serde.cpp): with converted_from_string it takes one pair of quotes off
 *   (Slice::trim_quote, util/slice.h: `"…"` or `'…'`, size >= 2), and only an element it did not
 *   unquote can be `null`, NULL;
 * - a text element (DataTypeStringSerDe, nesting level >= 2) then takes a second pair off
 *   (trim_quote again: `"'x'"` loads x) and loses each backslash, the character after it kept as it
 *   is (escape_string, data_type_string_serde.h): `\n` is the letter n.
 * The newer cast (be/src/vec/data_types/serde/complex_type_deserialize_util.h, 4.x) reads escapes
 * otherwise; it is not modelled.
 */
import type { ColType } from './coltypes';

const TEXT_TYPES = new Set(['CHAR', 'VARCHAR', 'STRING']);

/** A MAP value as Doris read it: its entries in order (keys as text; the key type converts them). */
export class MapEntries {
	constructor(readonly entries: Array<[unknown, unknown]>) {}
}

/**
 * The pieces of `body` (the text inside the brackets) between top-level delimiters: every `,` for an
 * ARRAY; for a MAP / STRUCT a `:` after a key and a `,` after its value, in turn (key_added).
 */
function split(body: string, keyed: boolean): string[] {
	const out: string[] = [];
	const backslashSkips = keyed;
	let quote = '';
	let level = 0;
	let start = 0;
	for (let i = 0; i < body.length; i++) {
		const c = body[i];
		if (c === '"' || c === "'") {
			if (quote === '') quote = c;
			else if (quote === c) quote = '';
		} else if (backslashSkips && c === '\\' && i + 1 < body.length) {
			i++;
		} else if (quote === '' && (c === '[' || c === '{')) {
			level++;
		} else if (quote === '' && (c === ']' || c === '}')) {
			level--;
		} else if (quote === '' && level === 0 && c === (keyed && out.length % 2 === 0 ? ':' : ',')) {
			out.push(body.slice(start, i).replace(/^ +/, ''));
			start = i + 1;
		}
	}
	out.push(body.slice(start).replace(/^ +/, ''));
	return out;
}

/** Slice::trim_quote. */
function trimQuote(text: string): string {
	return text.length >= 2 && (text[0] === '"' || text[0] === "'") && text[text.length - 1] === text[0] ? text.slice(1, -1) : text;
}

/** escape_string with '\\': each backslash goes, the character after it stays as it is. */
function unescapeBackslashes(text: string): string {
	if (!text.includes('\\')) return text;
	let out = '';
	let escaped = false;
	for (const c of text) {
		escaped = c === '\\' ? !escaped : false;
		if (!escaped) out += c;
	}
	return out;
}

/**
 * One element as its type's serde reads it: null, a nested value, or text for the scalar converters;
 * undefined when it fails. `nullable`: the element's type is nullable (its serde unquotes once first).
 */
function element(t: ColType, text: string, nullable = true): unknown {
	const unquoted = nullable ? trimQuote(text) : text;
	if (nullable && unquoted === text && text === 'null') return null;
	if (t.base === 'ARRAY' || t.base === 'MAP' || t.base === 'STRUCT') return readComplexLiteral(t, unquoted);
	// The text serde unquotes once more (its own trim_quote); the other scalar readers are modelled
	// with the one pair taken off.
	if (TEXT_TYPES.has(t.base)) return unescapeBackslashes(trimQuote(unquoted));
	return nullable ? unquoted : trimQuote(text);
}

/**
 * The value Doris reads from an ARRAY / MAP / STRUCT literal: a JS array, MapEntries, or an object of
 * the STRUCT's fields, its scalar elements as text; undefined when Doris would fail the cast.
 */
export function readComplexLiteral(t: ColType, text: string): unknown {
	if (t.base === 'ARRAY') {
		if (text[0] !== '[' || text[text.length - 1] !== ']') return undefined;
		if (text.length === 2) return [];
		const pieces = split(text.slice(1, -1).replace(/^ +/, ''), false);
		// "here has item in Array(…) is empty!"
		if (pieces.some((piece, i) => piece === '' && i < pieces.length - 1)) return undefined;
		const out: unknown[] = [];
		for (const piece of pieces) {
			const v = element(t.item!, piece, t.itemNotNull !== true);
			if (v === undefined) return undefined;
			out.push(v);
		}
		return out;
	}
	if (text[0] !== '{' || text[text.length - 1] !== '}') return undefined;
	const pieces = text.length === 2 ? [] : split(text.slice(1, -1).replace(/^ +/, ''), true);
	if (pieces.length % 2 !== 0) return undefined;
	if (t.base === 'MAP') {
		const entries: Array<[unknown, unknown]> = [];
		for (let i = 0; i < pieces.length; i += 2) {
			const key = element(t.key!, pieces[i]);
			const value = element(t.value!, pieces[i + 1]);
			if (key === undefined || value === undefined) return undefined;
			entries.push([key, value]);
		}
		return new MapEntries(entries);
	}
	const fields = t.fields!;
	if (pieces.length !== fields.length * 2) return undefined;
	const out: Record<string, unknown> = {};
	for (let i = 0; i < fields.length; i++) {
		// "Cannot find struct field name … in schema."
		if (trimQuote(pieces[2 * i]) !== fields[i].name) return undefined;
		const value = element(fields[i].type, pieces[2 * i + 1]);
		if (value === undefined) return undefined;
		out[fields[i].name] = value;
	}
	return out;
}
