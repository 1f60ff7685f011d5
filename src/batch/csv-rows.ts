/**
 * The Doris Stream Load node's Format CSV check on each row before it joins the shared batch
 * (src/doris/stream-load/wire-format.ts csvRowCheck): a row a CSV line cannot carry as Doris reads it
 * back becomes a rejected row with rule `csv_unwritable` (sortItemsForLoad in load-items.ts,
 * takenOutItems in rejected-items.ts), or, when the Rejected output leads nowhere, a refusal that fails its execution.
 */
import type { Rejection } from '../doris/schema/row-mapper';
import type { CsvRowCheck, CsvUnwritableError } from '../doris/stream-load/wire-format';

/** The check, and `handBack` when the Rejected output leads somewhere (else the rows' items are refused). */
export interface CsvCheckOption {
	check: CsvRowCheck;
	handBack: boolean;
}

/** A value for a reason: long text (a free-text field, a JSON object) cut, so a dead letter stays readable; the item keeps the whole row. */
const REASON_VALUE_CHARS = 200;
function shortValue(value: unknown): unknown {
	const text = typeof value === 'string' ? value : value !== null && typeof value === 'object' ? JSON.stringify(value) : undefined;
	if (text === undefined || text.length <= REASON_VALUE_CHARS) return value ?? null;
	return `${text.slice(0, REASON_VALUE_CHARS)}… (${text.length} characters)`;
}

export function csvRejection(unwritable: CsvUnwritableError): Rejection {
	return {
		column: unwritable.column,
		value: shortValue(unwritable.value),
		expected: 'a value a CSV line carries as written (Format JSON takes any text)',
		rule: 'csv_unwritable',
		message: unwritable.message,
	};
}

/** Why an item is refused when Rejected leads nowhere: the reason, the rule, and what to do. */
export function csvRefusal(reason: Rejection): string {
	return `${reason.message} (rule ${reason.rule}); connect the Rejected output to hand such rows back, or load free text with the JSON format`;
}
