/**
 * Takes lines out of a packed item's JSON lines before the load (the Sequence Column check,
 * sequence-values.ts; Deletes Never with deletes, delete-rows.ts): the lines kept, in order, and the
 * lines taken out with their row and reason, so each goes to Rejected with where it came from.
 */
import { parseJsonExact, withoutByteOrderMark } from '../common/exact-json';
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

/**
 * A packed line's row and why a check refuses it, or undefined when the check keeps it or the line is
 * no JSON object (Doris says why). `exact`: parse with parseJsonExact at once; otherwise JSON.parse first
 * (cheaper) and parseJsonExact only for a refused row, so the row handed back keeps big numbers as written.
 */
export function packedLineReason(
	text: string,
	reasonOf: (row: Record<string, unknown>) => Rejection | undefined,
	exact: boolean,
): { row: Record<string, unknown>; reason: Rejection } | undefined {
	let value: unknown;
	try {
		value = exact ? parseJsonExact(text) : JSON.parse(withoutByteOrderMark(text));
	} catch {
		return undefined;
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
	const reason = reasonOf(value as Record<string, unknown>);
	if (reason === undefined) return undefined;
	return { row: exact ? (value as Record<string, unknown>) : (parseJsonExact(text) as Record<string, unknown>), reason };
}
