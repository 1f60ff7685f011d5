/**
 * What the Doris Stream Load node does with one execution's items before the load, without n8n: sort
 * them into what loads (ordinary items as rows, packed items as their JSON lines, in item order) and
 * what cannot (items the trigger could not decode, packed items that break the item contract or meet a
 * CSV load), decide whether the load carries Doris' delete sign, and load.
 * Rows that would load other than they are, and so vanish, are taken out before they join the shared
 * batch (SortedItems.takenOut; handed back by takenOutItems, rejected-items.ts): with a Sequence Column,
 * rows and packed lines without a value for it (rules `null_sequence` / `missing_sequence` / `delete_sequence`;
 * src/batch/sequence-values.ts); with Format CSV, rows a CSV line cannot carry as written (rule
 * `csv_unwritable`; src/doris/stream-load/wire-format.ts csvRowCheck); with Deletes Never (and no
 * merge_type deciding deletes), rows and packed lines flagged as deletes, which would load as upserts
 * (rule `delete_not_applied`), and with the sign into a table that is not UNIQUE KEY, where they would
 * load as new rows (rule `delete_unsupported`; src/batch/delete-rows.ts); with a Columns list, JSON
 * Paths or json_root, rows and packed lines with a field Doris would not read and so skip without a
 * word (rule `field_not_read`; src/doris/stream-load/wire-format.ts columnsListCheck). A packed line
 * these checks must read is read once for all of them (packedLineJudge); one nested too deep to read
 * is taken out too (rule `json_too_deep`; src/batch/packed-split.ts).
 * When the Rejected output leads nowhere their items are refused instead, so the execution fails.
 * After the load: the rows Doris refused come back as items (rejected-items.ts), and the batches are
 * summed up into the one summary item an execution returns (load-summary.ts).
 * The node and the reliability harness both call these, so the pipeline the harness tests is the one
 * the node runs.
 */
import { DELETE_SIGN_COLUMN, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../common/item-contract';
import { encodedByteLength, linesAsWritten, writtenWithoutDeleteSign } from '../common/encoded-lines';
import { MAX_JSON_DEPTH } from '../common/json-depth';
import { packedLinesError, readPackedRows } from '../common/packed-rows';
import { INVALID_FIELD, type InvalidInfo } from '../doris/schema/route-items';
import type { Rejection } from '../doris/schema/row-mapper';
import type { LoadFormat } from '../doris/stream-load/options';
import { linesMentionDeleteSign, type ColumnsCheck } from '../doris/stream-load/wire-format';
import { FieldNotReadError } from '../doris/stream-load/json-paths';
import { csvRefusal, csvRejection, type CsvCheckOption } from './csv-rows';
import type { BatchPart, LineChunk, Row } from './batch-parts';
import type { AddOptions } from './batcher';
import { loadPartsIntoDoris, packedFormatError, type DorisBatchResult, type DorisTargetConfig } from './doris-target';
import { deleteNotApplied, deleteRefusal, isDeleteRule, lineMayDelete, type DeleteCheckOption } from './delete-rows';
import { packedLineReason, splitPackedLines, TOO_DEEP_RULE } from './packed-split';
import { missingSequence, type SequenceCheck } from './sequence-values';

/**
 * When the load carries Doris' delete sign (`__DORIS_DELETE_SIGN__`): `auto` when some row or
 * packed item of the execution names it (CDC from the Doris Schema node), or always, or never.
 */
export type DeleteMode = 'auto' | 'always' | 'never';

export const DELETE_MODES: readonly DeleteMode[] = ['auto', 'always', 'never'];

export interface SortedItems {
	/** What loads, in item order: arrays of rows and packed JSON lines. */
	parts: BatchPart[];
	/** Indexes of the items in `parts`. */
	loadable: number[];
	/** Indexes of the items the Kafka trigger could not decode (PARSE_ERROR_FIELD): they never load. */
	undecodable: number[];
	/** Items that cannot load (broken packed items, a CSV load of packed items, items marked invalid), with the reason naming the field or the setting. */
	refused: Array<{ index: number; message: string }>;
	/** Whether this execution's load carries the delete sign. */
	deleteSign: boolean;
	/** Rows and packed lines taken out before the load (a delete under Deletes Never, no sequence value, not writable as CSV), in item order (takenOutItems). */
	takenOut: Array<{ index: number; row: Record<string, unknown>; reason: Rejection; line?: number }>;
	/** Rows and lines refused or taken out for want of a sequence value (in takenOut, and those in refused). */
	lackingSequence: number;
	/** For a packed part that lost lines to a check (Sequence Column, Deletes Never): the item's line of each of its rows. */
	lineMaps: Map<BatchPart, number[]>;
}

/**
 * The Sequence Column check (src/batch/sequence-values.ts): `handBack` when the Rejected output leads
 * somewhere, so rows without a value go there; else their item is refused and the execution fails.
 */
export type SequenceOption = SequenceCheck & { handBack: boolean };

const CONNECT_REJECTED = 'connect the Rejected output to hand such rows back, or give every row a value';

function sequenceRefusal(reason: Rejection, line?: number): string {
	const where = line === undefined ? '' : `line ${line} of ${PACKED_ROWS_FIELD}: `;
	return `${where}${reason.message} (rule ${reason.rule}); ${CONNECT_REJECTED}`;
}

/**
 * Why an item the Doris Schema node marked invalid (`_invalid`) does not load. Such items reach this
 * node only when the Schema node's Invalid output leads nowhere under n8n's On Error "Continue": the
 * Schema node cannot fail the execution there (n8n would swallow the error and pass its raw input on
 * to Rows), so it hands them on and this node refuses them, failing the execution or, under its own
 * "Continue", sending them where its failures go.
 */
function invalidMark(json: Record<string, unknown>): string | undefined {
	const info = json[INVALID_FIELD];
	if (info === null || typeof info !== 'object' || !Array.isArray((info as Partial<InvalidInfo>).reasons)) return undefined;
	const first = (info as InvalidInfo).reasons[0] as Partial<Rejection> | undefined;
	const why = typeof first?.message === 'string' ? first.message : 'see its reasons';
	return `the Doris Schema node found it invalid (${INVALID_FIELD}: ${why}), so it does not load; connect the Doris Schema node's Invalid output to a dead-letter branch`;
}

/**
 * Whether a packed item's lines may carry the delete sign. A flag true is believed (lines without the
 * sign then load with 0, doris-target.ts). A flag false only on lines the Doris Schema node wrote and
 * nobody changed since (it read every line; encoded-lines.ts): a packed item built by hand (a Code
 * node) may say false while its lines carry the sign 1, and loaded without `hidden_columns` Doris
 * reads no sign from the data (FE Load.initColumns, 2.1; NereidsLoadScanProvider, 3.0 / 3.1: the
 * hidden column is read only when hidden_columns or Columns names it, else it takes its default 0),
 * so the delete would load as an upsert and the row stay, quietly. Anything else, and lines packed
 * straight by the trigger, which nobody has read: the text is searched (one indexOf).
 */
function packedDeleteSign(packed: PackedRows): boolean {
	if (packed.deleteSign === true) return true;
	return !writtenWithoutDeleteSign(packed) && linesMentionDeleteSign(packed.jsonLines);
}

// Sequence rules fail the execution when Rejected leads nowhere (a row without its sequence value would be ignored by Doris).
const isSequenceRule = (rule: string) => rule === 'null_sequence' || rule === 'delete_sequence' || rule === 'missing_sequence';

/**
 * Why a row does not load as it is under a Columns list, JSON Paths or json_root: a field Doris would
 * not read and so skip without a word (wire-format.ts columnsListCheck); undefined when it reads all.
 */
function fieldNotRead(row: Readonly<Record<string, unknown>>, check: ColumnsCheck): Rejection | undefined {
	try {
		check(row);
		return undefined;
	} catch (error) {
		if (!(error instanceof FieldNotReadError)) throw error;
		return { column: error.field, value: error.value ?? null, expected: 'a field the load reads (Columns, JSON Paths, json_root)', rule: 'field_not_read', message: error.message };
	}
}

/**
 * The judge of a packed item's lines under every check that reads them (Deletes Never, only for a line
 * that may delete; the Sequence Column; Columns / JSON Paths / json_root), or undefined when none does.
 * One judge, so a line is parsed once (packedLineReason) whatever the checks, and they read it alike: the
 * first reason in that order is the line's. A line none of them can read (nested too deep) is taken out
 * by packedLineReason with rule json_too_deep; a line that does not parse is left to Doris, which says why.
 */
function packedLineJudge(
	deletes: DeleteCheckOption | undefined,
	sequence: SequenceCheck | undefined,
	columns: ColumnsCheck | undefined,
): ((text: string) => { row: Record<string, unknown>; reason: Rejection } | undefined) | undefined {
	if (deletes === undefined && sequence === undefined && columns === undefined) return undefined;
	const rowReason = (row: Record<string, unknown>, readsDelete: boolean) =>
		(readsDelete ? deleteNotApplied(row, deletes) : undefined) ??
		(sequence === undefined ? undefined : missingSequence(row, sequence)) ??
		(columns === undefined ? undefined : fieldNotRead(row, columns));
	return (text) => {
		const readsDelete = deletes !== undefined && lineMayDelete(text);
		if (!readsDelete && sequence === undefined && columns === undefined) return undefined;
		// Exact at once when the delete check reads the line: a sign a double would round decides it.
		return packedLineReason(text, (row) => rowReason(row, readsDelete), readsDelete);
	};
}

/** Why an item is refused when Rejected leads nowhere: the reason, the rule, and what to do. */
function fieldRefusal(reason: Rejection, line?: number): string {
	const where = line === undefined ? '' : `line ${line} of ${PACKED_ROWS_FIELD}: `;
	return `${where}${reason.message} (rule ${reason.rule}); ${FIELD_FIX}`;
}

const FIELD_FIX = 'connect the Rejected output to hand such rows back instead of failing the execution, or read the field';

/** Why an item is refused for a line nested too deep when Rejected leads nowhere (packed-split.ts tooDeepLine). */
function tooDeepRefusal(reason: Rejection, line: number): string {
	return `line ${line} of ${PACKED_ROWS_FIELD}: ${reason.message} (rule ${reason.rule}); connect the Rejected output to hand such lines back, or send rows nested at most ${MAX_JSON_DEPTH} levels deep`;
}

/**
 * Sorts an execution's items. Packed items (one per Kafka batch) load their lines as they are,
 * ordinary items as rows; the parts keep the items' order (the trigger emits them in offset order:
 * CDC changes stay ordered).
 */
export function sortItemsForLoad(
	items: ReadonlyArray<{ json: Record<string, unknown> }>,
	load: {
		format: LoadFormat;
		deletes: DeleteMode;
		sequence?: SequenceOption;
		columnsCheck?: ColumnsCheck;
		/** Rows and lines with a field the Columns check names go to Rejected (rule field_not_read) instead of refusing their item. */
		columnsHandBack?: boolean;
		csvCheck?: CsvCheckOption;
		deletesNotApplied?: DeleteCheckOption;
	},
): SortedItems {
	const deleteCheck = load.deletes === 'never' || load.deletesNotApplied?.notUnique !== undefined || load.deletesNotApplied?.unordered !== undefined ? load.deletesNotApplied : undefined;
	const parts: BatchPart[] = [];
	const sequence = load.sequence;
	const takenOut: SortedItems['takenOut'] = [];
	const csvCheck = load.csvCheck;
	const lineMaps = new Map<BatchPart, number[]>();
	let run: Row[] = [];
	const loadable: number[] = [];
	const undecodable: number[] = [];
	const refused: Array<{ index: number; message: string }> = [];
	const auto = load.deletes === 'auto';
	const formatError = packedFormatError(load.format);
	let signSeen = false;
	let lackingSequence = 0;
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		if (json[PARSE_ERROR_FIELD] !== undefined) {
			undecodable.push(i);
			continue;
		}
		const invalid = invalidMark(json);
		if (invalid !== undefined) {
			refused.push({ index: i, message: invalid });
			continue;
		}
		const packed = readPackedRows(json);
		if (packed === undefined) {
			const notApplied = deleteCheck === undefined ? undefined : deleteNotApplied(json, deleteCheck);
			if (notApplied !== undefined) {
				if (deleteCheck?.handBack === true) takenOut.push({ index: i, row: json, reason: notApplied });
				else refused.push({ index: i, message: deleteRefusal(notApplied) });
				continue;
			}
			const reason = sequence === undefined ? undefined : missingSequence(json, sequence);
			if (reason !== undefined) {
				lackingSequence += 1;
				if (sequence?.handBack === true) takenOut.push({ index: i, row: json, reason });
				else refused.push({ index: i, message: sequenceRefusal(reason) });
				continue;
			}
			const unread = load.columnsCheck === undefined ? undefined : fieldNotRead(json, load.columnsCheck);
			if (unread !== undefined) {
				if (load.columnsHandBack === true) takenOut.push({ index: i, row: json, reason: unread });
				else refused.push({ index: i, message: fieldRefusal(unread) });
				continue;
			}
			const unwritable = csvCheck?.check(json);
			if (unwritable !== undefined) {
				const reason = csvRejection(unwritable);
				if (csvCheck?.handBack === true) takenOut.push({ index: i, row: json, reason });
				else refused.push({ index: i, message: csvRefusal(reason) });
				continue;
			}
			run.push(json);
			loadable.push(i);
			if (auto && !signSeen) signSeen = json[DELETE_SIGN_COLUMN] !== undefined;
			continue;
		}
		if (packed instanceof Error || formatError !== undefined) {
			refused.push({ index: i, message: packed instanceof Error ? packed.message : (formatError as string) });
			continue;
		}
		const linesError = linesAsWritten(packed) ? undefined : packedLinesError(packed);
		if (linesError !== undefined) {
			refused.push({ index: i, message: linesError.message });
			continue;
		}
		// Deletes Never: only an item whose lines name the sign is split (the search Auto does below), so
		// packed items without deletes cost one indexOf.
		const mayDelete = deleteCheck !== undefined && packedDeleteSign(packed);
		const judge = packedLineJudge(mayDelete ? deleteCheck : undefined, sequence, load.columnsCheck);
		const split = judge === undefined ? undefined : splitPackedLines(packed.jsonLines, judge);
		lackingSequence += split?.refused.filter((r) => isSequenceRule(r.reason.rule)).length ?? 0;
		// A line too deep for the checks that read it goes to Rejected only when each of them hands back.
		const tooDeepHandBack = (!mayDelete || deleteCheck?.handBack === true) && (sequence === undefined || sequence.handBack) && (load.columnsCheck === undefined || load.columnsHandBack === true);
		const handsBack = (rule: string) =>
			isDeleteRule(rule)
				? deleteCheck?.handBack === true
				: isSequenceRule(rule)
					? sequence?.handBack === true
					: rule === 'field_not_read'
						? load.columnsHandBack === true
						: rule === TOO_DEEP_RULE && tooDeepHandBack;
		const firstRefused = split?.refused.find((r) => !handsBack(r.reason.rule));
		if (firstRefused !== undefined) {
			const { reason, line } = firstRefused;
			const rule = reason.rule;
			const message = isDeleteRule(rule) ? deleteRefusal(reason, line) : isSequenceRule(rule) ? sequenceRefusal(reason, line) : rule === 'field_not_read' ? fieldRefusal(reason, line) : tooDeepRefusal(reason, line);
			refused.push({ index: i, message });
			continue;
		}
		if (split !== undefined) for (const r of split.refused) takenOut.push({ index: i, row: r.row, reason: r.reason, line: r.line });
		if (split !== undefined && split.kept.length === 0) continue;
		if (run.length > 0) {
			parts.push(run);
			run = [];
		}
		const part = endedChunk(split !== undefined ? split.text : packed.jsonLines, split !== undefined ? split.kept.length : packed.count, split === undefined ? encodedByteLength(packed) : undefined);
		if (split !== undefined) lineMaps.set(part, split.kept);
		parts.push(part);
		loadable.push(i);
		// As for rows, auto means "some row names the sign" (packedDeleteSign).
		if (auto && !signSeen) signSeen = packedDeleteSign(packed);
	}
	if (run.length > 0) parts.push(run);
	return { parts, loadable, undecodable, refused, deleteSign: load.deletes === 'always' || signSeen, takenOut, lackingSequence, lineMaps };
}

/**
 * A packed item's lines as the batch needs them: every line ended by "\n". An item built by hand (a Code
 * node's `rows.map((r) => JSON.stringify(r)).join('\n')`, which packedLinesError counts as lines) may lack
 * the last one; loaded as it is, the next row in the shared batch (another execution's) would join its
 * last line, Doris would count a row fewer and hand every row of the batch back as uncounted. The
 * trigger's and the Doris Schema node's lines already end so and pass as the same string.
 */
function endedChunk(text: string, rows: number, byteLength: number | undefined): LineChunk {
	if (text.length > 0 && !text.endsWith('\n')) return { text: `${text}\n`, rows, ...(byteLength === undefined ? {} : { byteLength: byteLength + 1 }) };
	return byteLength === undefined ? { text, rows } : { text, rows, byteLength };
}

/**
 * The first item that cannot load, for an execution that must fail rather than load around it
 * (n8n's Continue On Fail off): undecodable items first, as they are the more common mistake (a
 * trigger wired straight to this node), then refused packed items. The message names the item.
 */
export function firstUnloadable(sorted: SortedItems): { index: number; message: string; description?: string } | undefined {
	const { undecodable, refused } = sorted;
	if (undecodable.length > 0) {
		return {
			index: undecodable[0],
			message: `Item ${undecodable[0]} could not be decoded by the Kafka trigger (${PARSE_ERROR_FIELD}); route it elsewhere before loading`,
			description: `${undecodable.length} undecodable item(s). The Doris Schema node sends them to its invalid output.`,
		};
	}
	if (refused.length > 0) return { index: refused[0].index, message: `Item ${refused[0].index}: ${refused[0].message}` };
	return undefined;
}

/**
 * Loads the sorted items' parts into the target's shared batch, with the delete sign when the items
 * asked for it; resolves when every batch holding them is in Doris.
 */
export function loadSortedItems(config: DorisTargetConfig, sorted: SortedItems, options: AddOptions = {}): Promise<DorisBatchResult> {
	const load = { ...config.load, deleteSign: sorted.deleteSign ? true : undefined };
	return loadPartsIntoDoris({ ...config, load }, sorted.parts, options);
}
