/**
 * Takes lines out of a packed item's JSON lines before the load (the Sequence Column check,
 * sequence-values.ts; Deletes Never with deletes, delete-rows.ts; Columns / JSON Paths / json_root,
 * load-items.ts): the lines kept, in order, and the lines taken out with their row and reason, so each
 * goes to Rejected with where it came from.
 */
import { parseJsonExact, withoutByteOrderMark } from '../common/exact-json';
import { MAX_JSON_DEPTH, jsonTextDepthError } from '../common/json-depth';
import type { Rejection } from '../doris/schema/row-mapper';

/** A packed line taken out of its item: its index, the row it holds, why. */
export interface RefusedLine {
	line: number;
	row: Record<string, unknown>;
	reason: Rejection;
}

/** The lines kept (`text`, in order), the index of each kept line in the item, and the lines taken out. */
export interface SplitLines {
	text: string;
	kept: number[];
	refused: RefusedLine[];
}

/** Packed JSON lines without the lines `judge` takes out; undefined when it takes none. */
export function splitPackedLines(jsonLines: string, judge: (line: string) => { row: Record<string, unknown>; reason: Rejection } | undefined): SplitLines | undefined {
	const refused: RefusedLine[] = [];
	const kept: number[] = [];
	let text = '';
	let start = 0;
	let copied = 0;
	for (let line = 0; start < jsonLines.length; line++) {
		const newline = jsonLines.indexOf('\n', start);
		const end = newline < 0 ? jsonLines.length : newline + 1;
		const reason = judge(jsonLines.slice(start, newline < 0 ? end : newline));
		if (reason === undefined) kept.push(line);
		else {
			text += jsonLines.slice(copied, start);
			copied = end;
			refused.push({ line, row: reason.row, reason: reason.reason });
		}
		start = end;
	}
	if (refused.length === 0) return undefined;
	return { text: text + jsonLines.slice(copied), kept, refused };
}

/** The rule of a packed line nested deeper than MAX_JSON_DEPTH that a check had to read. */
export const TOO_DEEP_RULE = 'json_too_deep' as const;

/** How much of a too-deep line its reason shows as the value (the row handed back holds all of it). */
const SHOWN_LINE = 200;

/**
 * A packed line nested deeper than MAX_JSON_DEPTH: taken out whole, as the Kafka trigger and the Doris
 * Schema node refuse such a value (`_parseError`, json-depth.ts), and handed back as its text, `{line}`
 * (rejected-items.ts does the same for a line Doris refused that does not parse): the parsed row would
 * overflow the stack of whatever serialises it next (n8n saving the execution, the dead-letter producer).
 */
function tooDeepLine(text: string, why: string): { row: Record<string, unknown>; reason: Rejection } {
	const value = text.length > SHOWN_LINE ? `${text.slice(0, SHOWN_LINE)}…` : text;
	return { row: { line: text }, reason: { column: null, value, expected: `JSON nested at most ${MAX_JSON_DEPTH} levels`, rule: TOO_DEEP_RULE, message: why } };
}

/**
 * A packed line's row and why a check refuses it, or undefined when the check keeps it or the line is
 * no JSON object (Doris says why). The one place where the Doris Stream Load node reads a packed line:
 * every check that reads lines (load-items.ts packedLineJudge) asks through one call, so a line is
 * parsed once and no two checks can read it differently (session 16: a line nested too deep was kept
 * by one parse and refused by another, failing its item on every delivery).
 * A line nested deeper than MAX_JSON_DEPTH is taken out (tooDeepLine) before any parse: JSON.parse
 * reads it, but the row would overflow the stack further on, and parseJsonExact refuses it.
 * `exact`: parse with parseJsonExact at once (a check whose answer a rounded number could change: the
 * delete sign); otherwise JSON.parse (cheaper: parseJsonExact also scans each line for long numbers) and
 * parseJsonExact only for a refused row, whose reason is then taken from it, so the row handed back and
 * the value its reason names keep big numbers as written.
 */
export function packedLineReason(
	text: string,
	reasonOf: (row: Record<string, unknown>) => Rejection | undefined,
	exact: boolean,
): { row: Record<string, unknown>; reason: Rejection } | undefined {
	const json = withoutByteOrderMark(text);
	const tooDeep = jsonTextDepthError(json);
	if (tooDeep !== undefined) return tooDeepLine(text, tooDeep);
	let value: unknown;
	try {
		// parseJsonExact skips the mark itself: given `json`, a line starting with two marks would parse, where Doris refuses it.
		value = exact ? parseJsonExact(text) : JSON.parse(json);
	} catch {
		return undefined;
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
	const reason = reasonOf(value as Record<string, unknown>);
	if (reason === undefined) return undefined;
	if (exact) return { row: value as Record<string, unknown>, reason };
	const row = parseJsonExact(text) as Record<string, unknown>;
	return { row, reason: reasonOf(row) ?? reason };
}
