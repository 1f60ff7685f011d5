/**
 * Whether packed JSON lines carry a field at their top level, without parsing them into objects.
 *
 * Doris' JSON reader matches a `columns` entry against the keys of each line's own object only
 * (be/src/vec/exec/format/json/new_json_reader.cpp, _simdjson_set_column_value walks the line's top-level
 * fields): a key of a nested object (a JSON column's `{"props":{"user_id":7}}`) is no field of the row.
 * A search for the quoted name followed by a colon alone also found such keys, and a key ending in the
 * name (`"a\"user_id":`), so a load whose rows all lacked a field a Columns expression reads passed as
 * carrying it, and Doris computed the column from NULL for every row (src/batch/expression-fields.ts).
 *
 * Cost: one native search for the quoted name over the text, as before; only a line where it occurs
 * followed by a colon is read character by character, from its start up to that occurrence (strings
 * skipped with indexOf), to learn whether it stands at the line's first level, outside any string.
 * The usual load finds it in its first line and reads no other.
 */
import { isSpaceWithinLine } from './wire-format';

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * How far one line has been read: `at` the next character to read, `depth` the objects and arrays
 * open there, `inString` whether it is inside a string (its opening quote read, its closing not).
 */
interface LineReading {
	lineStart: number;
	at: number;
	depth: number;
	inString: boolean;
}

/**
 * Reads `text` from reading.at up to `to` (exclusive): afterwards reading.at is `to` when the character
 * at `to` stands outside any string escape, or past it when it was escaped or closed a string.
 */
function readUpTo(text: string, reading: LineReading, to: number): void {
	let i = reading.at;
	let depth = reading.depth;
	let inString = reading.inString;
	while (i < to) {
		if (inString) {
			const quote = text.indexOf('"', i);
			if (quote < 0) {
				i = text.length; // a string never closed: no valid line (Doris refuses it)
				break;
			}
			// A quote after as many backslashes as make it escaped (an odd count) does not end the string.
			let backslashes = 0;
			while (quote - backslashes - 1 >= i && text.charCodeAt(quote - backslashes - 1) === BACKSLASH) backslashes++;
			i = quote + 1;
			if (backslashes % 2 === 0) inString = false;
			continue;
		}
		const c = text.charCodeAt(i++);
		if (c === QUOTE) inString = true;
		else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
		else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
	}
	reading.at = i;
	reading.depth = depth;
	reading.inString = inString;
}

/**
 * Whether some line of `jsonLines` (one JSON object per line) has `key` as a key of its own object:
 * the quoted name (as JSON.stringify writes it) followed by a colon, spaces between allowed, at the
 * line's first level and outside any string. A line that is no valid JSON may answer either way: Doris
 * refuses it anyway. A key spelled with escapes (`"user\u005fid"`) is not recognised (the Doris Schema
 * node writes keys as JSON.stringify does, without them).
 */
export function linesHaveTopLevelKey(jsonLines: string, key: string): boolean {
	const quoted = JSON.stringify(key);
	const reading: LineReading = { lineStart: -1, at: 0, depth: 0, inString: false };
	for (let at = jsonLines.indexOf(quoted); at !== -1; at = jsonLines.indexOf(quoted, at + 1)) {
		let next = at + quoted.length;
		while (isSpaceWithinLine(jsonLines.charCodeAt(next))) next++;
		if (jsonLines.charCodeAt(next) !== COLON) continue;
		const lineStart = at === 0 ? 0 : jsonLines.lastIndexOf('\n', at - 1) + 1;
		if (lineStart !== reading.lineStart) {
			reading.lineStart = lineStart;
			reading.at = lineStart;
			reading.depth = 0;
			reading.inString = false;
		}
		if (reading.at > at) continue; // inside a string already read past (the name within a longer key or a value)
		readUpTo(jsonLines, reading, at);
		if (reading.at === at && !reading.inString && reading.depth === 1) return true;
	}
	return false;
}
