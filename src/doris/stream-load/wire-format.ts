/**
 * Serialises one row into the Stream Load wire format, once, as it arrives: JSON lines (one object
 * per line, sent with `read_json_by_line`) or CSV in a fixed column order. The string returned is
 * the only allocation per row; the batcher copies it straight into its byte buffer.
 */
import { DELETE_SIGN_COLUMN, DORIS_FIELD, KAFKA_METADATA_FIELD } from '../../common/item-contract';
import { ownDorisValue } from '../../common/doris-info';
import { sourceColumns } from './columns';
import { FieldNotReadError, jsonReadCheck, shownValue } from './json-paths';
import { DEFAULT_CSV, type LoadOptions } from './options';

/**
 * A row's line, its end included. `withoutNewline`, when present, gives the same line without its final
 * "\n": the batch writes that byte itself (ByteBuffer.append), sparing a joined string per row that
 * the write then copied flat again (about a tenth of a µs per row of One Item per Message).
 */
export type RowSerializer = ((row: Readonly<Record<string, unknown>>) => string) & { withoutNewline?: (row: Readonly<Record<string, unknown>>) => string };

/** Doris separator notation (`\x01`, `\n`, `\t`, literal text) to the characters it stands for. */
export function decodeSeparator(notation: string): string {
	return notation.replace(/\\x([0-9a-fA-F]{2})|\\n|\\t|\\r/g, (match, hex: string | undefined) => {
		if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
		return match === '\\n' ? '\n' : match === '\\t' ? '\t' : '\r';
	});
}

const SIGN_ZERO = `"${DELETE_SIGN_COLUMN}":0}`;

/**
 * With a `columns` header Doris reads from each JSON line only the keys that header names (its source
 * columns; be/src/vec/exec/format/json/new_json_reader.cpp skips any other key, "This key is not exist
 * in slot desc, just ignore"), so a field outside the list would not load and its column would take
 * its default or NULL, unseen. With JSON Paths or json_root it reads only what they reach: the same
 * check follows them (json-paths.ts), and throws at once, naming it, for a path it cannot follow. Not
 * checked with a partial update (the list is the update set on purpose). `deleteSign`: whether the
 * load may carry the delete sign (packed lines are checked before the execution's load decides it).
 */
export function columnsListCheck(options: LoadOptions, deleteSign = options.deleteSign === true): ColumnsCheck | undefined {
	const columns = options.columns ?? [];
	const jsonRoot = Object.entries(options.extraHeaders ?? {}).find(([name]) => name.trim().toLowerCase() === 'json_root')?.[1];
	const jsonpaths = options.jsonpaths ?? '';
	if (options.partialUpdate !== undefined) return undefined;
	const ownFields = [KAFKA_METADATA_FIELD, DORIS_FIELD, ...(deleteSign ? [DELETE_SIGN_COLUMN] : [])];
	if (jsonpaths !== '' || (jsonRoot !== undefined && jsonRoot.trim() !== '')) return jsonReadCheck({ columns, jsonpaths, jsonRoot }, new Set(ownFields));
	if (columns.length === 0) return undefined;
	const read = new Set([...sourceColumns(columns), ...ownFields]);
	return (row) => {
		for (const key in row) {
			if (!read.has(key) && row[key] !== undefined) {
				throw new FieldNotReadError(key, row[key], `Row field "${key}" is not in Columns (${columns.join(', ')}): Doris would not load it (its value ${shownValue(row[key])}); add it to Columns or leave it out of the row`);
			}
		}
	};
}

/** A load's Columns-list check of one row (columnsListCheck): throws naming a field Doris would not read. */
export type ColumnsCheck = (row: Readonly<Record<string, unknown>>) => void;

function jsonSerializer(deleteSign: boolean, check: ((row: Readonly<Record<string, unknown>>) => void) | undefined, lineRows: boolean): RowSerializer {
	const withoutNewline = jsonLine(deleteSign, check, lineRows);
	return Object.assign((row: Readonly<Record<string, unknown>>) => `${withoutNewline(row)}\n`, { withoutNewline });
}

/** jsonSerializer's line without its "\n". */
function jsonLine(deleteSign: boolean, check: ((row: Readonly<Record<string, unknown>>) => void) | undefined, lineRows: boolean): (row: Readonly<Record<string, unknown>>) => string {
	return (row) => {
		if (row === null || typeof row !== 'object' || Array.isArray(row)) {
			throw new Error(`A row must be a JSON object, not ${row === null ? 'null' : Array.isArray(row) ? 'an array' : typeof row}`);
		}
		check?.(row);
		// An item's `_doris` is the Doris nodes' own (deadline, target table), never a column; the row's own
		// `_doris`, which the item carries in its ownFields, is (a table column of that name takes it). A
		// packed line's `_doris` is its own data, as the Stream Load node loads a packed line as it stands.
		const text = JSON.stringify(lineRows || row[DORIS_FIELD] === undefined ? row : { ...row, [DORIS_FIELD]: ownDorisValue(row) });
		// In CDC mode every row needs the sign: Doris would fill a missing one with NULL and reject
		// the row (the hidden column is NOT NULL), so rows without it load as upserts (0).
		if (deleteSign && row[DELETE_SIGN_COLUMN] === undefined) {
			return text === '{}' ? `{${SIGN_ZERO}` : `${text.slice(0, -1)},${SIGN_ZERO}`;
		}
		return text;
	};
}

/**
 * A row value that cannot be a field of a CSV line Doris reads back as written: the row is handed back
 * (the Stream Load node's Rejected output, rule csv_unwritable) instead of failing its execution.
 * `why` says what about the value, as in `Column "note" <why>`.
 */
export class CsvUnwritableError extends Error {
	constructor(
		readonly column: string,
		readonly value: unknown,
		readonly why: string,
		consequence: string,
	) {
		super(`Column "${column}" ${why}${consequence}; use the JSON format for free text`);
		this.name = 'CsvUnwritableError';
	}
}

/** Why a row cannot be written as a CSV line (CsvUnwritableError), or undefined when it can. */
export type CsvRowCheck = (row: Readonly<Record<string, unknown>>) => CsvUnwritableError | undefined;

interface CsvShape {
	columns: readonly string[];
	separator: string;
	delimiter: string;
	/** The separator and delimiter as the user wrote them (`\x01`, `,`), for messages. */
	separatorNotation: string;
	delimiterNotation: string;
	/** Columns, separator and delimiter in one string: whether a line written for one shape fits another. */
	key: string;
}

/**
 * The lines csvRowCheck wrote, by row, until the serializer takes them: a CSV row is checked before
 * it joins the shared batch and serialised as it joins, and writing it twice doubled the CPU of a CSV
 * load (3 µs per row of 8 columns, measured). Taken at first use, so a line is held only between the
 * two; a WeakMap, so a row that is never serialised does not keep its line.
 */
const checkedLines = new WeakMap<object, { key: string; line: string }>();

const UTF8_BOM = '\uFEFF';
/** A UTF-16 surrogate not paired with its other half: UTF-8 has no encoding for it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function csvText(value: unknown, column: string): string {
	if (value === null || value === undefined) return column === DELETE_SIGN_COLUMN ? '0' : '\\N';
	return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * The row as one CSV line without its delimiter, or CsvUnwritableError when Doris would not read back
 * the values written. Doris' CSV reader (be/src/vec/exec/format/csv/csv_reader.cpp and
 * file_reader/new_plain_text_line_reader.{h,cpp}; 2.1, 3.0, 3.1). The node sends no `enclose` (it
 * refuses the header, pass-through.ts), so the plain reader reads every line and no value is quoted:
 * - ends a line at the first occurrence of the line delimiter (memmem), so no field may hold it nor
 *   form it with what follows it;
 * - with the delimiter `\n`, ends a line at a `\r` just before the `\n` (BaseTextLineReaderContext
 *   find_lf_crlf_line_sep; apache/doris#37687, on branch-2.1 since July 2024 (#38099), and 3.x; the
 *   session's keep_carriage_return does not apply to Stream Load), so the last field must not end in
 *   `\r` (refused on older versions too: a row on Rejected is seen, a dropped `\r` is not);
 * - splits fields at the leftmost non-overlapping occurrences of the separator (a multi-character one
 *   by KMP, `_split_field_multi_char`), so a field followed by the separator must meet its first
 *   occurrence exactly at its end;
 * - loads a field of exactly `\N` as NULL (the null format), and strips a UTF-8 byte-order mark at
 *   the start of the first line of each block it reads (`_remove_bom`), which can be any row;
 * - reads the line as UTF-8, and a lone surrogate (a JS string can hold one, JSON.parse of "\ud800"
 *   makes one) has no UTF-8: Buffer writes U+FFFD in its place, which Doris would load as the value;
 * - skips an empty line without loading or counting it (`size == 0`, unless the session sets
 *   read_csv_empty_line_as_null): a batch would commit a row short and fail on its row counts after
 *   the commit, its other rows loaded again by each redelivery.
 */
function csvLine(row: Readonly<Record<string, unknown>>, shape: CsvShape): string {
	const { columns, separator, delimiter } = shape;
	const last = columns.length - 1;
	const texts: string[] = new Array<string>(columns.length);
	for (let i = 0; i <= last; i++) {
		const column = columns[i];
		// A column named `_doris` takes the row's own value (ownDorisValue), never the item's information.
		const value = column === DORIS_FIELD ? ownDorisValue(row) : row[column];
		const text = csvText(value, column);
		const unwritable = (why: string, consequence = '') => new CsvUnwritableError(column, value, why, consequence);
		if (text.includes(separator)) throw unwritable(`holds the column separator "${shape.separatorNotation}"`, ': Doris would split the row there');
		if (i < last && separator.length > 1) {
			const first = (text + separator).indexOf(separator);
			if (first < text.length) {
				throw unwritable(`ends in "${text.slice(first)}", which with the column separator "${shape.separatorNotation}" after it reads as the separator`, ': Doris would split the row there');
			}
		}
		if (text === '\\N' && value !== null && value !== undefined) throw unwritable("is the text \\N, which Doris' CSV reader loads as NULL");
		const lone = LONE_SURROGATE.exec(text);
		if (lone !== null) {
			const unit = lone[0].charCodeAt(0).toString(16).toUpperCase();
			throw unwritable(`holds a lone surrogate (U+${unit}), which UTF-8 cannot carry`, ': the line would carry U+FFFD in its place, and Doris load that');
		}
		if (i === 0 && text.startsWith(UTF8_BOM)) throw unwritable("starts with a byte-order mark (U+FEFF), which Doris' CSV reader strips from the first line of each block it reads");
		texts[i] = text;
	}
	const line = texts.join(separator);
	if (line === '' && columns.length === 1) {
		throw new CsvUnwritableError(columns[0], row[columns[0]], 'is an empty string, the only field of its CSV line', ": Doris skips an empty line without loading or counting it");
	}
	const end = (line + delimiter).indexOf(delimiter);
	if (end < line.length) {
		// The field the delimiter's first occurrence starts in (or the separator after it).
		let k = 0;
		let start = 0;
		while (k < last && start + texts[k].length + separator.length <= end) {
			start += texts[k].length + separator.length;
			k++;
		}
		const tail = texts[k].slice(end - start);
		const why = texts[k].includes(delimiter)
			? delimiter === '\n'
				? 'holds a line break'
				: `holds the line delimiter "${shape.delimiterNotation}"`
			: tail !== ''
				? `ends in "${tail}", which with what follows it reads as the line delimiter "${shape.delimiterNotation}"`
				: `is followed by a column separator that, with what follows it, reads as the line delimiter "${shape.delimiterNotation}"`;
		throw new CsvUnwritableError(columns[k], row[columns[k]], why, ': Doris would end the row there');
	}
	if (delimiter === '\n' && line.endsWith('\r')) {
		throw new CsvUnwritableError(columns[last], row[columns[last]], "ends in a carriage return, which Doris' CSV reader drops before the line break", '');
	}
	return line;
}

function csvShape(options: LoadOptions): CsvShape | undefined {
	// `name = expression` entries are computed by Doris from the fields; each line holds the plain ones.
	const columns = sourceColumns(options.columns ?? []);
	if (columns.length === 0) return undefined;
	const csv = options.csv ?? DEFAULT_CSV;
	const separator = decodeSeparator(csv.columnSeparator);
	const delimiter = decodeSeparator(csv.lineDelimiter);
	return { columns, separator, delimiter, separatorNotation: csv.columnSeparator, delimiterNotation: csv.lineDelimiter, key: JSON.stringify([columns, separator, delimiter]) };
}

/**
 * For a CSV load, the check the Stream Load node runs on each row before it joins the shared batch:
 * a row csvLine cannot write goes to Rejected instead of failing a batch or an execution. A row field
 * outside the CSV columns is not its business (a configuration mistake: the serializer fails on it).
 */
export function csvRowCheck(options: LoadOptions): CsvRowCheck | undefined {
	const shape = options.format === 'csv' ? csvShape(options) : undefined;
	if (shape === undefined) return undefined;
	return (row) => {
		try {
			checkedLines.set(row, { key: shape.key, line: csvLine(row, shape) });
			return undefined;
		} catch (error) {
			if (error instanceof CsvUnwritableError) return error;
			throw error;
		}
	};
}

function csvSerializer(shape: CsvShape): RowSerializer {
	const known = new Set(shape.columns);
	return (row) => {
		for (const key in row) {
			// The trigger's optional metadata and the Doris nodes' own field ride along on items; they are not columns.
			if (!known.has(key) && key !== KAFKA_METADATA_FIELD && key !== DORIS_FIELD) throw new Error(`Row has column "${key}", which is not in the CSV columns (${shape.columns.join(', ')})`);
		}
		const checked = checkedLines.get(row);
		if (checked === undefined) return csvLine(row, shape) + shape.delimiter;
		checkedLines.delete(row);
		return (checked.key === shape.key ? checked.line : csvLine(row, shape)) + shape.delimiter;
	};
}

/**
 * The JSON serializer of the rows the Doris Schema node writes as a packed item's lines (route-packed.ts):
 * their `_doris` is the row's own (a table column of that name takes it), never an item's information.
 * With the item serializer it was left out, and such a column loaded NULL (review session 17, leftover 3).
 */
export function packedLineSerializer(deleteSign: boolean): RowSerializer {
	return jsonSerializer(deleteSign, undefined, true);
}

/** The serializer for a target's load options. CSV needs its column list. */
export function createSerializer(options: LoadOptions): RowSerializer {
	if (options.format === 'json') return jsonSerializer(options.deleteSign === true, columnsListCheck(options), false);
	const shape = csvShape(options);
	if (shape === undefined) throw new Error('CSV format needs a column list (the order of the fields in each line)');
	return csvSerializer(shape);
}

const SIGN_KEY = `"${DELETE_SIGN_COLUMN}"`;
const SIGN_ZERO_FIELD = `${SIGN_KEY}:0`;

/**
 * JSON whitespace that can stand inside one line (RFC 8259's space, tab and CR; LF ends the line),
 * which Doris' JSON reader (simdjson) and JSON.parse skip between a key and its colon. A carriage
 * return there (a hand-built packed line) hid the sign from a scan that skipped only spaces and tabs:
 * the delete loaded as an upsert.
 */
export function isSpaceWithinLine(code: number): boolean {
	return code === 32 || code === 9 || code === 13;
}

/**
 * Where the delete sign appears as a key from `from` on: the quoted name followed by a colon, so a
 * string value equal to the name does not count. The text is not parsed: a key of a nested object
 * would still count (no producer nests Doris' hidden column).
 */
function findSignKey(text: string, from: number): number {
	for (let at = text.indexOf(SIGN_KEY, from); at !== -1; at = text.indexOf(SIGN_KEY, at + 1)) {
		let next = at + SIGN_KEY.length;
		while (isSpaceWithinLine(text.charCodeAt(next))) next++;
		if (text.charCodeAt(next) === 58) return at;
	}
	return -1;
}

/** Whether some line of packed JSON lines has the delete sign as a key. */
export function linesMentionDeleteSign(jsonLines: string): boolean {
	return findSignKey(jsonLines, 0) !== -1;
}

/**
 * Packed JSON lines for a load with the delete sign: as jsonSerializer does for rows, a line without
 * the sign gets `"__DORIS_DELETE_SIGN__":0` (upsert) before its closing brace; Doris would fill a
 * missing sign with NULL and reject the line (the hidden column is NOT NULL). The lines are not
 * parsed: a line "has" the sign when the quoted name occurs in it followed by a colon (findSignKey).
 * Lines that already carry it, the usual
 * case (CDC rows carry 0 or 1), cost one search; the text is returned as is when none needs it.
 */
export function addDeleteSignToLines(jsonLines: string): string {
	let out = '';
	let copied = 0;
	let patched = false;
	let key = findSignKey(jsonLines, 0);
	let start = 0;
	while (start < jsonLines.length) {
		const newline = jsonLines.indexOf('\n', start);
		const end = newline < 0 ? jsonLines.length : newline;
		if (key !== -1 && key < start) key = findSignKey(jsonLines, start);
		if (key === -1 || key > end) {
			const close = end > start ? jsonLines.lastIndexOf('}', end - 1) : -1;
			// No closing brace: not an object; Doris reports the line, as it would without the sign.
			if (close >= start) {
				let before = close - 1;
				while (before > start && isSpaceWithinLine(jsonLines.charCodeAt(before))) before--;
				out += jsonLines.slice(copied, close) + (jsonLines[before] === '{' ? SIGN_ZERO_FIELD : `,${SIGN_ZERO_FIELD}`);
				copied = close;
				patched = true;
			}
		}
		start = end + 1;
	}
	return patched ? out + jsonLines.slice(copied) : jsonLines;
}
