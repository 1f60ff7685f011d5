/**
 * Reads the key facts out of the text SHOW CREATE TABLE answers, clause by clause as Doris writes it
 * (fe-core catalog/Env.java getDdlStmt, 2.1 / 3.0 / 3.1 alike):
 *
 *   CREATE TABLE `t` (
 *     `id` bigint NOT NULL COMMENT "…",      one column (or INDEX) per line, Column.toSql
 *     …
 *   ) ENGINE=OLAP
 *   UNIQUE KEY(`id`, `k2`)                   the key clause right after ENGINE; none for a DUPLICATE
 *   [CLUSTER BY (`…`)]                       table without keys (isDuplicateWithoutKey, Doris #18621)
 *   [COMMENT '…']                            addTableComment
 *   [PARTITION BY …]
 *   DISTRIBUTED BY …
 *   PROPERTIES (
 *   "replication_allocation" = "tag.location.default: 1",
 *   "function_column.sequence_col" = "v",   addOlapTablePropertyInfo: one `"key" = "value"` a line
 *   …
 *   );
 *
 * Before, the first `… KEY(` and the first `"function_column.sequence_col" = "…"` anywhere in the text
 * decided, and a column comment comes first: a DUPLICATE KEY table whose column comment said "was
 * UNIQUE KEY(id)" was read as UNIQUE, and a comment quoting the sequence property gave the table a
 * sequence column it lacks, so every delete went to Rejected or Invalid (late review session 20, S2).
 * Now the key clause is read only where it stands, right after the column list and `ENGINE=`, and the
 * properties only inside the last PROPERTIES block (each on its own line; Doris prints their values
 * without escaping, so a value is what lies between the line's first `" = "` and its last quote).
 *
 * The column list's end is found by a scan that skips quoted text (Column.toSql writes a comment as
 * `COMMENT "…"` with `"` escaped as `\"`, SqlUtils.escapeQuota; older releases and the test server
 * write `'…'`) and identifiers in backquotes. Two things Doris prints unescaped can mislead that scan, a
 * DEFAULT holding a double quote and a comment ending in a backslash: then the scan's end is not
 * followed by ENGINE= and the first line that starts with `) ENGINE=` is taken instead (a comment would
 * need a line break followed by that text to mislead both).
 */
import type { KeyModel } from './types';

export interface CreateTableFacts {
	keyModel: KeyModel | null;
	keyColumns: string[];
	sequenceColumn: string | null;
	hasSequenceType: boolean;
	mergeOnWrite: boolean | null;
	skipBitmapColumn: boolean;
}

/** The index just past the quoted text that opens at `start` ('…', "…" with backslash escapes, `…` with `` doubled). */
function pastQuoted(text: string, start: number): number {
	const quote = text[start];
	for (let at = start + 1; at < text.length; at++) {
		const c = text[at];
		if (c === '\\' && quote !== '`') at++;
		else if (c === quote) {
			if (quote === '`' && text[at + 1] === '`') at++;
			else return at + 1;
		}
	}
	return text.length;
}

/** The index of the parenthesis that closes the one open at `open`, quoted text skipped; -1 when none does. */
function closingParen(text: string, open: number): number {
	let depth = 0;
	for (let at = open; at < text.length; ) {
		const c = text[at];
		if (c === '`' || c === '"' || c === "'") {
			at = pastQuoted(text, at);
			continue;
		}
		if (c === '(') depth++;
		else if (c === ')' && --depth === 0) return at;
		at++;
	}
	return -1;
}

const ENGINE_AFTER_COLUMNS = /^\s*ENGINE\s*=/i;
const ENGINE_LINE = /\n\)\s*ENGINE\s*=/i;

/** What follows the column list (from `ENGINE=`), or undefined when the text is not a table's definition as Doris writes it. */
function afterColumnList(ddl: string): string | undefined {
	const open = ddl.indexOf('(', afterTableName(ddl));
	if (open !== -1) {
		const close = closingParen(ddl, open);
		const rest = close === -1 ? '' : ddl.slice(close + 1);
		if (ENGINE_AFTER_COLUMNS.test(rest)) return rest.trimStart();
	}
	const line = ENGINE_LINE.exec(ddl);
	return line === null ? undefined : ddl.slice(line.index + line[0].search(/ENGINE/i));
}

/** Where the column list's parenthesis is looked for: past the backquoted names before it (a table name may hold a parenthesis). */
function afterTableName(ddl: string): number {
	let at = 0;
	for (;;) {
		const tick = ddl.indexOf('`', at);
		const paren = ddl.indexOf('(', at);
		if (tick === -1 || (paren !== -1 && paren < tick)) return at;
		at = pastQuoted(ddl, tick);
	}
}

const KEY_CLAUSE = /^ENGINE\s*=\s*(\w+)\s+(?:(DUPLICATE|UNIQUE|AGGREGATE)\s+KEY\s*\()?/i;

/** The names in a key clause's parentheses: backquoted (Doris), or bare. */
function keyNames(list: string): string[] {
	const names: string[] = [];
	for (let at = 0; at < list.length; ) {
		const c = list[at];
		if (c === '`') {
			const end = pastQuoted(list, at);
			names.push(list.slice(at + 1, end - 1).replace(/``/g, '`'));
			at = end;
		} else if (/[\s,]/.test(c)) at++;
		else {
			const bare = /^[^\s,`]+/.exec(list.slice(at))?.[0] ?? c;
			names.push(bare);
			at += bare.length;
		}
	}
	return names;
}

const PROPERTIES_LINE = /^PROPERTIES\s*\($/gim;
const PROPERTY_LINE = /^\s*"([^"]*)"\s*=\s*"(.*)"\s*,?\s*$/;

/** The table's PROPERTIES, by lower-cased name: the last PROPERTIES block of the text, one property a line. */
function properties(tail: string): Map<string, string> {
	let start = -1;
	for (const m of tail.matchAll(PROPERTIES_LINE)) start = m.index + m[0].length;
	const found = new Map<string, string>();
	if (start === -1) return found;
	for (const line of tail.slice(start).split('\n')) {
		if (/^\s*\)\s*;?\s*$/.test(line)) break;
		const m = PROPERTY_LINE.exec(line);
		if (m !== null) found.set(m[1].toLowerCase(), m[2]);
	}
	return found;
}

/**
 * The key model, key columns, sequence column and merge-on-write facts of a SHOW CREATE TABLE answer.
 * Throws when the text has no `) ENGINE=` after a column list: read as "no key model", a delete would
 * load unchecked into whatever the table is.
 */
export function parseShowCreateTable(ddl: string): CreateTableFacts {
	const tail = afterColumnList(ddl);
	if (tail === undefined) throw new Error(`SHOW CREATE TABLE answered a text without a column list followed by ENGINE= (not a table definition as Doris writes it): ${ddl.slice(0, 200)}`);
	const head = KEY_CLAUSE.exec(tail);
	const olap = head !== null && head[1].toUpperCase() === 'OLAP';
	let keyModel: KeyModel | null = null;
	let keyColumns: string[] = [];
	if (head?.[2] !== undefined) {
		keyModel = head[2].toUpperCase() as KeyModel;
		const open = head[0].length - 1;
		const close = closingParen(tail, open);
		keyColumns = keyNames(tail.slice(open + 1, close === -1 ? tail.length : close));
	} else if (olap) {
		// A DUPLICATE KEY table created without keys prints no key clause (Env.getDdlStmt isDuplicateWithoutKey).
		keyModel = 'DUPLICATE';
	}
	const props = properties(tail);
	const sequenceColumn = props.get('function_column.sequence_col');
	const mow = props.get('enable_unique_key_merge_on_write');
	return {
		keyModel,
		keyColumns,
		sequenceColumn: sequenceColumn !== undefined && sequenceColumn !== '' ? sequenceColumn : null,
		hasSequenceType: props.has('function_column.sequence_type'),
		// SHOW CREATE TABLE prints the property for every UNIQUE KEY table; absent = merge-on-read.
		mergeOnWrite: keyModel === 'UNIQUE' ? mow?.toLowerCase() === 'true' : keyModel === null ? null : false,
		skipBitmapColumn: props.get('enable_unique_key_skip_bitmap_column')?.toLowerCase() === 'true',
	};
}
