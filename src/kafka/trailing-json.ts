/**
 * Whether a JSON line holds more than one JSON value (`{"id":1}{"id":2}`, `{"id":1} {"id":2}`,
 * `{"id":1},{"id":2}`: a producer writing records back to back, a proxy batching them without a
 * separator). Such a value must not become a packed line as it is: Doris' JSON line reader reads the
 * first object and never looks past it. be/src/vec/exec/format/json/new_json_reader.cpp
 * (`_simdjson_parse_json_doc`, `_simdjson_handle_simple_json`; simdjson On-Demand, the default reader:
 * be/src/common/config.cpp `enable_simdjson_reader` true) never calls the document's `at_end()`, and
 * simdjson's own root check (`value_iterator::check_root_object`) only asks that the line's last
 * structural character be `}`. The load commits `{"id":1}`, counts 1 row for the 1 line sent, and
 * `{"id":2}` is gone without a word. The per-message output refuses such a value (parseJsonExact:
 * trailing content, a `_parseError` item), so the trigger sends it that way.
 *
 * What is caught is what Doris would load short: a line that starts an object (or array) and ends by
 * closing one, where another value (or a comma and one) follows the first. Garbage after the first
 * value (`{"id":1}x`, a stray byte-order mark) is no row: Doris refuses the line, or loads the first
 * value, all the row there is, and the Doris Schema node sends it to Invalid either way; it stays a line.
 *
 * Cost, on the hot path of One Item per Batch (the joined text of a chunk, once): one indexOf('}') per
 * closing brace and a look at what follows it. In valid JSON a `}` is followed, after blanks, only by
 * `,` `}` `]` or the line's end; a `"` (a closing brace inside a string: embedded JSON) is let through
 * too. Only a line where one is followed by anything else, or by `,` and then `{` (an array of objects
 * looks so), is scanned from its start to find where its first value ends. A value glued on after a
 * `}` in a string and a `"` is not caught (`{"a":"}"}"x"{"b":1}`): a shape no producer writes.
 */
import { textStringEnd } from '../common/json-depth';

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const COMMA = 0x2c;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BOM = 0xfeff;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LETTER_T = 0x74;
const LETTER_F = 0x66;
const LETTER_N = 0x6e;

/**
 * Whether some line of `text` (lines ended by "\n", no CR in them) holds another value after its first
 * one. `text` may be a latin1 decoding of UTF-8 bytes: only ASCII characters are read, and UTF-8 never
 * uses an ASCII byte inside a multi-byte character.
 */
export function someLineHoldsMoreThanOneValue(text: string): boolean {
	for (let at = text.indexOf('}'); at !== -1; ) {
		if (followedLikeJson(text, at)) {
			at = text.indexOf('}', at + 1);
			continue;
		}
		const newline = text.indexOf('\n', at);
		if (firstValueFollowedByAnother(text, text.lastIndexOf('\n', at) + 1, newline === -1 ? text.length : newline)) return true;
		// The rest of this line was judged with it.
		at = newline === -1 ? -1 : text.indexOf('}', newline);
	}
	return false;
}

/** Whether what follows the `}` at `at` is what valid JSON allows there (or a quote: see the header). */
function followedLikeJson(text: string, at: number): boolean {
	let i = skipBlanks(text, at + 1);
	let c = text.charCodeAt(i);
	if (Number.isNaN(c) || c === LF || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === QUOTE) return true;
	if (c !== COMMA) return false;
	i = skipBlanks(text, i + 1);
	c = text.charCodeAt(i);
	return c !== OPEN_BRACE;
}

function skipBlanks(text: string, i: number): number {
	let c = text.charCodeAt(i);
	while (c === SPACE || c === TAB) c = text.charCodeAt(++i);
	return i;
}

/**
 * Whether `c`, the first non-blank character after a value, starts another one (or is the comma of a
 * list written without its brackets). Anything else (a stray byte-order mark, a letter) is garbage, not
 * a row: Doris refuses the line unless it ends in `}`, and then loads the first value, which is all the
 * row there is; the Doris Schema node refuses it either way.
 */
function startsValue(c: number): boolean {
	return c === OPEN_BRACE || c === OPEN_BRACKET || c === QUOTE || c === COMMA || c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9) || c === LETTER_T || c === LETTER_F || c === LETTER_N;
}

/**
 * Whether the first JSON value of text[start, end) (an object or array) is followed by another. A line that starts otherwise, or whose first value never closes, is
 * left to Doris, which refuses it (not an object, or a parse error: filtered, visible).
 */
function firstValueFollowedByAnother(text: string, start: number, end: number): boolean {
	let i = skipBlanks(text, text.charCodeAt(start) === BOM ? start + 1 : start);
	const first = text.charCodeAt(i);
	if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false;
	// simdjson's root check: a line that does not end by closing what it opened is refused (visible).
	let last = end - 1;
	while (text.charCodeAt(last) === SPACE || text.charCodeAt(last) === TAB) last--;
	if (text.charCodeAt(last) !== (first === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) return false;
	let depth = 0;
	for (; i < end; i++) {
		const c = text.charCodeAt(i);
		if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
		else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
			if (--depth !== 0) continue;
			const next = skipBlanks(text, i + 1);
			return next < end && startsValue(text.charCodeAt(next));
		} else if (c === QUOTE) {
			i = textStringEnd(text, i + 1);
			if (i < 0 || i >= end) return false;
		}
	}
	return false;
}
