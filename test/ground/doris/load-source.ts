/**
 * Turning a Stream Load body into source records: one array of source values per input row, named by
 * `names` (the `columns` header, the jsonpaths order, or the table's columns). Header semantics follow
 * the Stream Load manual (doris.apache.org, "Stream Load" → load parameters) and be/src/http/http_common.h.
 */
import { BigNumText, wellFormed } from './convert';

export interface SourceRow {
	/** Values in `names` order; undefined = not present in the input (JSON key missing). */
	values: unknown[];
	/** The input line, for the error log ('' when `raw` holds the parsed item instead). */
	line: string;
	/** An element of a stripped outer array; stringified only when the row lands in the error log. */
	raw?: unknown;
	/** Set when the row could not be parsed at all (bad JSON, wrong CSV column count). */
	error?: string;
}

export interface CsvOptions {
	separator: string;
	lineDelimiter: string;
	enclose?: string;
	trimDoubleQuotes: boolean;
	skipLines: number;
}

/** `\x01` style hex escapes as Doris accepts them in column_separator / line_delimiter. */
export function unescapeSeparator(s: string): string {
	if (/^\\x([0-9a-fA-F]{2})+$/.test(s)) {
		return Buffer.from(s.replace(/\\x/g, ''), 'hex').toString('latin1');
	}
	return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

export function csvRows(text: string, names: string[], o: CsvOptions, onRow: (r: SourceRow) => void): void {
	const delim = o.lineDelimiter;
	let pos = 0;
	let skip = o.skipLines;
	const n = names.length;
	// be/src/vec/exec/format/csv/csv_reader.cpp `_remove_bom`: a UTF-8 byte-order mark at the start of
	// the first line read is stripped (of each block of rows, so any line may lose one; here the first).
	if (text.startsWith('\uFEFF')) pos = 1;
	while (pos < text.length) {
		let end = text.indexOf(delim, pos);
		if (end < 0) end = text.length;
		// With the line delimiter \n a \r before it ends the line too (new_plain_text_line_reader.h
		// find_lf_crlf_line_sep; apache/doris#37687, on branch-2.1 since July 2024 (#38099), and 3.x; keep_carriage_return does not apply
		// to Stream Load), so a last field ending in \r loses it.
		const cut = delim === '\n' && end > pos && text[end - 1] === '\r' ? end - 1 : end;
		const line = text.slice(pos, cut);
		pos = end + delim.length;
		if (skip > 0) {
			skip--;
			continue;
		}
		// Doris skips empty lines in CSV (an empty last line after the final delimiter is common).
		if (line === '') continue;
		const fields = o.enclose ? splitEnclosed(line, o.separator, o.enclose) : line.split(o.separator);
		if (fields.length !== n) {
			const which = fields.length < n ? 'less' : 'more';
			onRow({
				values: [],
				line,
				error: `actual column number in csv file is ${which} than schema column number.actual number: ${fields.length}, column separator: [${o.separator}], line delimiter: [${delim === '\n' ? '\\n' : delim}], schema column number: ${n}; `,
			});
			continue;
		}
		const values: unknown[] = new Array(n);
		for (let i = 0; i < n; i++) {
			let f = fields[i];
			if (o.trimDoubleQuotes && f.length >= 2 && f[0] === '"' && f[f.length - 1] === '"') f = f.slice(1, -1);
			values[i] = f === '\\N' ? null : f;
		}
		onRow({ values, line });
	}
}

function splitEnclosed(line: string, sep: string, enc: string): string[] {
	const out: string[] = [];
	let i = 0;
	for (;;) {
		if (line.startsWith(enc, i)) {
			let j = i + enc.length;
			let val = '';
			for (;;) {
				const k = line.indexOf(enc, j);
				if (k < 0) {
					val += line.slice(j);
					j = line.length;
					break;
				}
				val += line.slice(j, k);
				j = k + enc.length;
				if (line.startsWith(enc, j)) {
					val += enc;
					j += enc.length;
					continue;
				}
				break;
			}
			out.push(val);
			i = line.indexOf(sep, j);
			if (i < 0) return out;
			i += sep.length;
		} else {
			const k = line.indexOf(sep, i);
			if (k < 0) {
				out.push(line.slice(i));
				return out;
			}
			out.push(line.slice(i, k));
			i = k + sep.length;
		}
	}
}

export interface JsonOptions {
	readJsonByLine: boolean;
	stripOuterArray: boolean;
	jsonRoot?: string;
	/** Parsed jsonpaths, each a list of keys / indexes. */
	jsonPaths?: (string | number)[][];
}

/** `["$.a", "$.b.c", "$.d[0]"]` → key paths. Throws with Doris' wording on bad input. */
export function parseJsonPaths(raw: string): (string | number)[][] {
	let arr: unknown;
	try {
		arr = JSON.parse(raw);
	} catch {
		throw new Error(`Invalid json path: ${raw}`);
	}
	if (!Array.isArray(arr)) throw new Error(`Invalid json path: ${raw}`);
	return arr.map((p) => {
		if (typeof p !== 'string' || !p.startsWith('$')) throw new Error(`Invalid json path: ${String(p)}`);
		const parts: (string | number)[] = [];
		const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;
		let m: RegExpExecArray | null;
		let last = 1;
		while ((m = re.exec(p)) !== null) {
			if (m.index !== last) throw new Error(`Invalid json path: ${p}`);
			parts.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])));
			last = re.lastIndex;
		}
		if (last !== p.length) throw new Error(`Invalid json path: ${p}`);
		return parts;
	});
}

/**
 * Parses with JSON.parse source text access (V8 >= 11.4) so long numbers keep their digits; used only
 * for a row whose BIGINT / LARGEINT / DECIMAL value did not survive a double (see load-exec.ts).
 */
export function parseJsonKeepingBigNumbers(text: string): unknown {
	return JSON.parse(text, function (_k, v: unknown, ctx?: { source?: string }) {
		if (typeof v === 'number' && ctx?.source !== undefined && ctx.source.replace(/[-+.eE]/g, '').length > 15) {
			return new BigNumText(ctx.source);
		}
		return v;
	} as (this: unknown, key: string, value: unknown) => unknown);
}

/**
 * True when a parsed JSON number may have lost digits on its way through a double: an integer beyond
 * 2^53 (BIGINT / LARGEINT), or, for a DECIMAL wider than 15 digits (`wide`), any 15+ digit rendering.
 */
export function mayHaveLostDigits(v: unknown, wide: boolean): boolean {
	if (typeof v !== 'number') return false;
	if (Number.isInteger(v) && !Number.isSafeInteger(v)) return true;
	if (!wide) return false;
	const t = String(v);
	return t.length >= 16 || t.includes('e');
}

/** Re-reads one JSON line (a row that needs exact numbers). */
export function reparseRow(line: string, names: string[], o: JsonOptions): SourceRow {
	return fromObject(parseJsonKeepingBigNumbers(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line), names, o, line);
}

function extract(obj: unknown, path: (string | number)[]): unknown {
	let cur: unknown = obj;
	for (const p of path) {
		if (cur === null || typeof cur !== 'object') return undefined;
		cur = (cur as Record<string | number, unknown>)[p];
	}
	return cur;
}

function fromObject(obj: unknown, names: string[], o: JsonOptions, line: string): SourceRow {
	if (o.jsonRoot) {
		obj = extract(obj, parseJsonPaths(JSON.stringify([o.jsonRoot]))[0]);
		// be/src/vec/exec/format/json/new_json_reader.cpp: DataQualityError("JSON Root not found."), the line filtered.
		if (obj === undefined) return { values: [], line, error: 'JSON Root not found.' };
	}
	if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
		return { values: [], line, error: Array.isArray(obj) ? 'JSON data is array-object, `strip_outer_array` must be TRUE.' : 'Expect json object value' };
	}
	const values: unknown[] = new Array(names.length);
	let found = false;
	if (o.jsonPaths) {
		for (let i = 0; i < names.length; i++) {
			values[i] = i < o.jsonPaths.length ? extract(obj, o.jsonPaths[i]) : undefined;
			if (values[i] !== undefined) found = true;
		}
	} else {
		// A key fills the column of exactly its spelling: the JSON reader looks keys up as they are
		// (new_json_reader.cpp `_slot_desc_index[col_name()]` / `_column_index`, RapidJSON
		// `FindMember(col_name)`), so `{"ID": 7}` leaves column `id` NULL; regression-test/suites/load_p0/
		// stream_load/test_json_load.groovy "test colunms error" loads {"name":…} under columns `Name, …`
		// and every row is filtered.
		const rec = obj as Record<string, unknown>;
		for (let i = 0; i < names.length; i++) {
			if (Object.prototype.hasOwnProperty.call(rec, names[i])) {
				values[i] = rec[names[i]];
				found = true;
			}
		}
	}
	// A row where no key (or path) names a column is filtered, not loaded as NULLs: new_json_reader.cpp
	// `if (!has_valid_value)` → _append_error_msg, num_rows_filtered++ (2.1 / 3.0 / 3.1; 2.1's text is
	// "All fields is null, this is a invalid row.", later ones this, as test_json_load.groovy checks).
	if (!found) {
		const paths = o.jsonPaths ? JSON.stringify(o.jsonPaths.map((p) => `$.${p.join('.')}`)) : '';
		return { values: [], line, error: `There is no column matching jsonpaths in the json file, columns:[${names.map((n) => `${n}, `).join('')}], please check columns and jsonpaths:${paths}` };
	}
	return { values, line };
}

export function jsonRows(text: string, names: string[], o: JsonOptions, onRow: (r: SourceRow) => void): void {
	const doc = (d: string): void => {
		let parsed: unknown;
		try {
			// be/src/vec/exec/format/json/new_json_reader.cpp _simdjson_parse_json_doc skips a UTF-8
			// byte-order mark at the start of each line (or document): "simdjson does not handle UTF-8
			// Unicode (with BOM)". The RapidJSON reader (enable_simdjson_reader=false) does not.
			parsed = JSON.parse(d.charCodeAt(0) === 0xfeff ? d.slice(1) : d);
		} catch (e) {
			parsed = firstValueOnly(d.charCodeAt(0) === 0xfeff ? d.slice(1) : d);
			if (parsed === undefined) {
				onRow({ values: [], line: d, error: `Parse json data for JsonDoc failed. code: 3, error info: ${(e as Error).message}` });
				return;
			}
		}
		// simdjson refuses an escaped surrogate without its other half ("\ud800"), which JSON.parse takes.
		if (d.includes('\\u') && !wellFormed(parsed)) {
			onRow({ values: [], line: d, error: 'Parse json data for JsonDoc failed. code: 10, error info: STRING_ERROR: Problem while parsing a string' });
			return;
		}
		if (o.stripOuterArray) {
			if (!Array.isArray(parsed)) {
				onRow({ values: [], line: d, error: 'JSON data is not an array-object, `strip_outer_array` must be FALSE.' });
				return;
			}
			for (const item of parsed) {
				const r = fromObject(item, names, o, '');
				r.raw = item;
				onRow(r);
			}
		} else onRow(fromObject(parsed, names, o, d));
	};
	if (!o.readJsonByLine) {
		if (text.trim() !== '') doc(text);
		return;
	}
	let pos = 0;
	while (pos < text.length) {
		let end = text.indexOf('\n', pos);
		if (end < 0) end = text.length;
		let line = text.slice(pos, end);
		pos = end + 1;
		if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
		// An empty line is skipped uncounted; a line of blanks is parsed, and simdjson's failure filters it
		// (be/src/vec/exec/format/json/new_json_reader.cpp: `size == 0` is an empty row, 2.1 / 3.x).
		if (line.length === 0) continue;
		doc(line);
	}
}

/**
 * A line holding more than one JSON value (`{"id":1}{"id":2}`), read as Doris' default JSON reader
 * reads it: its first value, the rest never looked at. be/src/vec/exec/format/json/new_json_reader.cpp
 * (`_simdjson_parse_json_doc`, `_simdjson_handle_simple_json`; enable_simdjson_reader defaults to true,
 * be/src/common/config.cpp) never calls simdjson's `at_end()`; simdjson's root check
 * (`value_iterator::check_root_object` / `check_root_array`) asks only that the line's last structural
 * character close the same kind of container as its first opens, and its first pass that every string
 * be closed. So `{"id":1}{"id":2}` loads {"id":1}, counted as 1 row; `{"id":1}x` and `{"id":1}[2]` are
 * refused. undefined: not such a line (refused as JSON.parse refuses it).
 */
function firstValueOnly(text: string): unknown {
	const trimmed = text.trim();
	const open = trimmed[0];
	const close = open === '{' ? '}' : open === '[' ? ']' : undefined;
	if (close === undefined || trimmed[trimmed.length - 1] !== close) return undefined;
	let depth = 0;
	let end = -1;
	let inString = false;
	for (let i = 0; i < trimmed.length; i++) {
		const c = trimmed[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (end < 0 && (c === '{' || c === '[')) depth++;
		else if (end < 0 && (c === '}' || c === ']') && --depth === 0) end = i + 1;
	}
	if (end < 0 || end === trimmed.length || inString) return undefined;
	try {
		return JSON.parse(trimmed.slice(0, end));
	} catch {
		return undefined;
	}
}

export function sourceLine(r: SourceRow): string {
	if (r.line !== '' || r.raw === undefined) return r.line;
	try {
		return JSON.stringify(r.raw);
	} catch {
		return String(r.raw);
	}
}
