/**
 * Delimited text messages (CSV): one message is one record, split at the separator and named by the
 * trigger's Column Names in order, so the row reaches the Doris Schema node like a JSON object and is
 * mapped and checked by column name. Doris' own CSV conventions hold: `\N` is NULL, a separator may be
 * written `\t` or `\x01`; fields may be enclosed in the quote character (RFC 4180: a doubled quote
 * inside is one quote, separators and line breaks inside are text). One trailing line break is
 * tolerated (producers often write lines).
 *
 * A message that is not exactly one record of that many fields is malformed, with the reason: field
 * count, an unterminated quote, text after a closing quote, an unquoted line break (two records in one
 * message). The message parser turns that into a `_parseError` item, which the Doris Schema node puts
 * on its invalid output with the raw text and the message's position; nothing is dropped.
 */
import { BYTE_ORDER_MARK, type JsonObject } from '../common/exact-json';
import { ITEM_OWN_FIELDS } from '../common/item-contract';

export interface DelimitedFormat {
	/** Field names, in the order the fields stand in each message. */
	columns: readonly string[];
	/** The text between fields (already decoded from `\t` / `\xNN` notation). */
	separator: string;
	/** Encloses a field; '' = no quoting (every character is text). */
	quote: string;
	/** An unquoted empty field is NULL (many exporters write NULL so) instead of empty text. */
	emptyAsNull: boolean;
}

export type DelimitedResult = { row: JsonObject; error?: undefined } | { row?: undefined; error: string };

/** Doris separator notation (`\t`, `\x01`, `\n`-free text) to the characters it stands for. */
export function decodeSeparatorNotation(notation: string): string {
	return notation.replace(/\\x([0-9a-fA-F]{2})|\\t/g, (_match, hex: string | undefined) => (hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : '\t'));
}

/** Throws naming the setting when the format cannot work (no columns, a name twice, a separator that clashes). */
export function validateDelimitedFormat(format: DelimitedFormat): void {
	if (format.columns.length === 0) throw new Error('Column Names is empty: delimited text needs the name of each field, in order');
	const seen = new Set<string>();
	for (const column of format.columns) {
		if (column === '') throw new Error(`Column Names "${format.columns.join(', ')}" has an empty name`);
		if (seen.has(column)) throw new Error(`Column Names has "${column}" twice`);
		if (ITEM_OWN_FIELDS.has(column)) {
			throw new Error(`Column Names has "${column}", a name the Doris nodes read as the item's own (${[...ITEM_OWN_FIELDS].join(', ')}), never a row's field; name the Doris column`);
		}
		seen.add(column);
	}
	if (format.separator === '') throw new Error('Separator is empty');
	if (/[\r\n]/.test(format.separator)) throw new Error('Separator must not hold a line break');
	if (format.quote.length > 1) throw new Error(`Quote Character "${format.quote}" must be one character (or empty for none)`);
	if (format.quote !== '' && format.separator.includes(format.quote)) throw new Error(`Separator "${format.separator}" must not hold the quote character`);
}

export function createDelimitedDecoder(format: DelimitedFormat): (text: string) => DelimitedResult {
	const { columns, separator, quote, emptyAsNull } = format;
	const expected = `${columns.length} (${columns.join(', ')})`;
	return (text) => {
		const end = text.endsWith('\r\n') ? text.length - 2 : text.endsWith('\n') ? text.length - 1 : text.length;
		const fields: Array<string | null> = [];
		// A UTF-8 byte-order mark at the very start (Excel and Windows tools write one) is no text of the
		// first field: kept, "\uFEFF42" loaded into a VARCHAR key altered and an opening quote after it
		// was not seen. Skipped per message, as the JSON path does (exact-json.ts withoutByteOrderMark).
		let at = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
		for (;;) {
			if (quote !== '' && text.startsWith(quote, at)) {
				const opened = at;
				let value = '';
				at += 1;
				for (;;) {
					const close = text.indexOf(quote, at);
					if (close === -1 || close >= end) return { error: `field ${fields.length + 1} opens a quote at character ${opened + 1} that is never closed` };
					value += text.slice(at, close);
					if (text.startsWith(quote, close + 1) && close + 1 < end) {
						value += quote;
						at = close + 2;
						continue;
					}
					at = close + 1;
					break;
				}
				fields.push(value);
				if (at === end) break;
				if (!text.startsWith(separator, at)) return { error: `text after the closing quote of field ${fields.length}, at character ${at + 1}` };
				at += separator.length;
				continue;
			}
			const next = text.indexOf(separator, at);
			const stop = next === -1 || next >= end ? end : next;
			const raw = text.slice(at, stop);
			const lineBreak = raw.search(/[\r\n]/);
			if (lineBreak !== -1) {
				return { error: `a line break at character ${at + lineBreak + 1} outside quotes: a message must hold exactly one record` };
			}
			fields.push(raw === '\\N' || (raw === '' && emptyAsNull) ? null : raw);
			if (stop === end) break;
			at = stop + separator.length;
		}
		if (fields.length !== columns.length) return { error: `the record has ${fields.length} field(s), expected ${expected}` };
		const row: JsonObject = {};
		for (let i = 0; i < columns.length; i++) row[columns[i]] = fields[i];
		return { row };
	};
}
