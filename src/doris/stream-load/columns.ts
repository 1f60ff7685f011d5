/**
 * The `columns` header as Doris reads it. The FE wraps the header as `COLUMNS (<header>)` and parses it
 * with its SQL parser (fe-core `task/StreamLoadTask.java`, `setColumnToColumnExpr`; the grammar's
 * `import_column_desc` is `ident` or `ident = expr`). So the header is a list of entries separated by
 * commas outside parentheses, brackets and quotes, each a column name or `name = expression`; a comma
 * or a blank inside an expression (`dt = from_unixtime(ts, '%Y-%m-%d %H:%i:%s')`) belongs to it.
 * Splitting it on every comma or blank would send Doris another list, or one it cannot parse.
 *
 * The entries are kept as typed, each trimmed; the header is sent as they were given. A list of plain
 * names (no `=`, brackets or quotes) may also be separated by blanks, as this node always read it.
 */

export class ColumnsSyntaxError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ColumnsSyntaxError';
	}
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * The entries of a `columns` header, each trimmed. Throws a ColumnsSyntaxError naming `label` (the field
 * as the user sees it), the header and what is wrong: an empty entry, an unclosed quote or parenthesis,
 * an entry that is neither `name` nor `name = expression`.
 */
export function splitColumns(header: string, label = 'The columns header'): string[] {
	try {
		return entriesOf(header);
	} catch (error) {
		if (!(error instanceof ColumnsSyntaxError)) throw error;
		throw new ColumnsSyntaxError(`${label} ${JSON.stringify(header)} is not a Doris column list: ${error.message}`);
	}
}

/** Only names: nothing a Doris expression or a quoted name needs. */
const PLAIN_NAMES = /^[^=()[\]{}'"`]*$/;

function entriesOf(header: string): string[] {
	// Workflows saved before expressions were read keep their blank-separated names (Doris itself would
	// refuse blanks between names, so such a list cannot mean anything else).
	if (PLAIN_NAMES.test(header)) return header.split(/[\s,]+/).filter((name) => name !== '');
	const entries: string[] = [];
	const open: string[] = [];
	let quote = '';
	let start = 0;
	for (let i = 0; i < header.length; i++) {
		const ch = header[i];
		if (quote !== '') {
			// Doris string literals take backslash escapes; a quote doubled stands for itself (also in `names`).
			if (ch === '\\' && quote !== '`') i++;
			else if (ch === quote) {
				if (header[i + 1] === quote) i++;
				else quote = '';
			}
		} else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
		else if (ch in CLOSING) open.push(CLOSING[ch]);
		else if (ch === ')' || ch === ']' || ch === '}') {
			if (open.pop() !== ch) throw new ColumnsSyntaxError(`"${ch}" at position ${i + 1} closes nothing`);
		} else if (ch === ',' && open.length === 0) {
			entries.push(header.slice(start, i).trim());
			start = i + 1;
		}
	}
	if (quote !== '') throw new ColumnsSyntaxError(`the quote ${quote} is never closed`);
	if (open.length > 0) throw new ColumnsSyntaxError(`a "${open[open.length - 1]}" is missing`);
	const last = header.slice(start).trim();
	if (last !== '' || entries.length > 0) entries.push(last);
	entries.forEach((entry, index) => {
		if (entry === '') throw new ColumnsSyntaxError(`entry ${index + 1} is empty (two commas in a row, or a comma at an end)`);
		parseEntry(entry);
	});
	return entries;
}

interface ColumnEntry {
	/** The target column, unquoted. */
	name: string;
	/** The expression after `=`, or undefined for a plain column (a field of the data). */
	expression: string | undefined;
}

function parseEntry(entry: string): ColumnEntry {
	let name: string;
	let rest: string;
	if (entry.startsWith('`')) {
		let end = 1;
		for (; end < entry.length; end++) {
			if (entry[end] === '`') {
				if (entry[end + 1] === '`') end++;
				else break;
			}
		}
		name = entry.slice(1, end).replace(/``/g, '`');
		rest = entry.slice(end + 1).trim();
	} else {
		const match = /^[^\s=(),'"`]+/.exec(entry);
		name = match?.[0] ?? '';
		rest = entry.slice(name.length).trim();
	}
	if (name === '') throw new ColumnsSyntaxError(`"${entry}" does not start with a column name`);
	if (rest === '') return { name, expression: undefined };
	if (rest.startsWith('=') && !rest.startsWith('==') && rest.slice(1).trim() !== '') return { name, expression: rest.slice(1).trim() };
	throw new ColumnsSyntaxError(`"${entry}" is neither a column name nor "name = expression"`);
}

/** The column an entry loads into: its name, unquoted (`a`, `` `a b` ``, `a = expr` → a, a b, a). */
export function columnName(entry: string): string {
	return parseEntry(entry).name;
}

/** The expression of an entry `name = expression`, undefined for a plain column. */
export function columnExpression(entry: string): string | undefined {
	return parseEntry(entry).expression;
}

/** Whether an entry computes its column (`name = expression`) instead of reading a field of the data. */
export function isDerived(entry: string): boolean {
	return parseEntry(entry).expression !== undefined;
}

/** The names of the columns the entries load into, in order. */
export function columnNames(entries: readonly string[]): string[] {
	return entries.map(columnName);
}

/** The fields each data line holds, in order (CSV): the entries that are plain names. */
export function sourceColumns(entries: readonly string[]): string[] {
	return entries.filter((entry) => !isDerived(entry)).map(columnName);
}
