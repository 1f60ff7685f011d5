/**
 * What a Doris refusal of rows means to the batch: whether splitting the batch can help (a
 * data-quality failure, per row) and, for a part of one line, Doris' reason for that line, read from
 * the first line of its error log (ErrorURL): `Reason: <why>. src line [<line>]; `
 * (be/src/runtime/runtime_state.cpp `append_error_msg_to_file`).
 */
import { StreamLoadError } from '../doris/stream-load/errors';
import type { LoadOptions } from '../doris/stream-load/options';
import { mayHaveLanded, uncountedRefusal } from './uncounted';

/** Why Doris refused one row, as the Doris Stream Load node hands it back. */
export interface DorisRefusal {
	/** The column Doris named, when its message names one. */
	column: string | null;
	/** Doris' reason for the row (from the error log), or its answer when the log could not be read. */
	message: string;
	/** The first lines of the load's error log, as read (bounded). */
	errorLog: string[];
	/** The label of the one-row load that Doris refused. */
	label: string | null;
	/**
	 * Set when Doris did not refuse this row itself: it did not load while other rows of its execution
	 * did, so it is handed back rather than redelivered (which would load those twice); `message` says why.
	 */
	notLoaded?: true;
	/** Set when Doris committed the load holding this row but did not count every row sent (uncountedRefusal). */
	uncounted?: true;
	/** Set when Doris 2.1 / 3.0 refused the row for its key, not stored yet, in a strict partial update (new-keys.ts). */
	newKey?: true;
}

/** A refusal of some rows of a load (kind data_quality): splitting the batch can load the others. */
export function isRowRefusal(error: unknown): error is StreamLoadError {
	return error instanceof StreamLoadError && error.kind === 'data_quality';
}

// Doris refusing the columns a load names: a column added, dropped or retyped since the schema was read.
const SCHEMA_MISMATCH = [/unknown column/i, /column.*(does not exist|doesn't exist|not found)/i, /has no default value/i, /is not nullable/i, /[Cc]olumn count doesn't match/];

/** A refusal that says the table's columns are not what the load assumed (a schema change). */
export function isSchemaRefusal(error: unknown): error is StreamLoadError {
	return error instanceof StreamLoadError && !error.retryable && SCHEMA_MISMATCH.some((p) => p.test(error.message));
}

/** Doris does not know the load's database or table (dropped, renamed, or never created). */
export function isMissingTable(error: unknown): error is StreamLoadError {
	return error instanceof StreamLoadError && error.kind === 'not_found';
}

/** NumberFilteredRows of a refusal, when Doris answered with one. */
export function filteredRowsOf(error: unknown): number | undefined {
	if (!(error instanceof StreamLoadError)) return undefined;
	const filtered = error.response?.NumberFilteredRows;
	return typeof filtered === 'number' && Number.isFinite(filtered) ? filtered : undefined;
}

// Doris names the column in these forms: `column_name[c]` (readers, OlapTableBlockConvertor),
// `column(c) values is null` (NOT NULL), "The column `c` is not nullable" (JSON reader).
const COLUMN_PATTERNS = [/column_name\[([^\]]+)\]/, /\bcolumn\(([^)]+)\)/, /[Tt]he column `([^`]+)`/];

/** The column a Doris reason names, or null. */
export function columnOf(reason: string): string | null {
	for (const pattern of COLUMN_PATTERNS) {
		const match = pattern.exec(reason);
		if (match !== null) return match[1].trim();
	}
	return null;
}

/** `Reason: <why>. src line [...]; ` → `<why>`; other lines as they are. */
export function reasonOfErrorLine(line: string): string {
	const match = /^Reason:\s*(.*?)\.\s*src line \[/s.exec(line);
	return (match === null ? line : match[1]).trim();
}

/**
 * Why a row of a partial update that Doris 2.1 / 3.0 filtered in strict mode without an error-log line
 * was refused: its key is not stored yet (be/src/olap/rowset/segment_v2/segment_writer.cpp,
 * KEY_NOT_FOUND with `is_strict_mode`: counted filtered, no reason written). Only for such a load
 * (partial update, strict, no 3.1 `partial_update_new_key_behavior`): see src/doris/stream-load/strict-mode.ts.
 */
const NEW_KEY_IN_STRICT_PARTIAL_UPDATE =
	'no reason in the error log: in a partial update in strict mode Doris 2.1 / 3.0 refuse a row whose key is not stored yet (load such rows without Partial Update, or upgrade Doris to 3.1, where they insert)';

/** The reason of the one row of a refused one-row load (of `load`, when given). */
export function refusalOf(error: unknown, load?: Pick<LoadOptions, 'partialUpdate' | 'strictMode' | 'partialUpdateNewKeyBehavior'>): DorisRefusal {
	const errorLog = error instanceof StreamLoadError ? (error.rejectedRows ?? []) : [];
	const first = errorLog.find((line) => line.startsWith('Reason:'));
	let message = first !== undefined ? reasonOfErrorLine(first) : error instanceof Error ? error.message : String(error);
	const strictPartialBefore31 = load?.partialUpdate !== undefined && load.strictMode === true && load.partialUpdateNewKeyBehavior === undefined;
	if (first === undefined && strictPartialBefore31 && isRowRefusal(error)) message += ` (${NEW_KEY_IN_STRICT_PARTIAL_UPDATE})`;
	return { column: columnOf(message), message, errorLog, label: error instanceof StreamLoadError ? (error.label ?? null) : null };
}

/**
 * The batch body as one buffer and where each line ends (the byte after its delimiter), or
 * undefined when the body does not have exactly `lines` delimiters: then it cannot be split by line.
 */
export function splitLines(body: readonly Buffer[], delimiter: Buffer, lines: number): { bytes: Buffer; ends: number[] } | undefined {
	const bytes = body.length === 1 ? body[0] : Buffer.concat(body);
	const ends: number[] = [];
	let at = 0;
	while (at < bytes.length) {
		const found = bytes.indexOf(delimiter, at);
		if (found < 0) return undefined;
		at = found + delimiter.length;
		ends.push(at);
		if (ends.length > lines) return undefined;
	}
	return ends.length === lines ? { bytes, ends } : undefined;
}

/** The first reason Doris gave for a refusal: its error log's first row, else its message. */
function reasonOf(error: unknown): string {
	return refusalOf(error).message;
}

/**
 * The reason of a row handed back because it did not load while other rows of its execution did:
 * `error` is what stopped it (the batch's refusal when `maxLoads` split loads did not isolate the
 * refused rows, or the failure of a load), with Doris' own reason in the message. A failure that may
 * have loaded the row (uncounted.ts mayHaveLanded) gives uncountedRefusal instead.
 */
export function notLoadedRefusal(error: unknown, why: 'unresolved' | 'failed', maxLoads?: number): DorisRefusal {
	// Not "not loaded": a load that may be in Doris (its answer lost, Doris cannot say) is doris_uncounted.
	if (mayHaveLanded(error)) return uncountedRefusal(error);
	const message =
		why === 'unresolved'
			? `Not loaded: Doris refused the batch holding this row (first reason: ${reasonOf(error)}), and the rows it refuses could not be isolated within ${maxLoads ?? 'the allowed'} loads; other rows of this execution loaded, so it is handed back instead of the execution being redelivered (which would load them twice)`
			: `Not loaded: ${reasonOf(error)}; other rows of this execution loaded, so it is handed back instead of the execution being redelivered (which would load them twice)`;
	return { column: null, message, errorLog: error instanceof StreamLoadError ? (error.rejectedRows ?? []) : [], label: error instanceof StreamLoadError ? (error.label ?? null) : null, notLoaded: true };
}
