/**
 * What the Doris Stream Load node does with one execution's items, without n8n: sort them into what
 * loads (ordinary items as rows, packed items as their JSON lines, in item order) and what cannot
 * (items the trigger could not decode, packed items that break the item contract or meet a CSV load),
 * decide whether the load carries Doris' delete sign, load, and sum the batches up into the one
 * summary item an execution returns. Rows Doris refused at load time come back as rejected items
 * (`rejectedItems`), shaped as the Doris Schema node's invalid items, so one dead-letter branch
 * serves both nodes: the item's JSON (a packed line: the parsed line and `_kafka` with where it came
 * from) plus `_invalid: {table, reasons: [{column, value, expected, rule: 'doris_rejected', message}]}`.
 * Rows that would load other than they are, and so vanish, are taken out before they join the shared
 * batch (`takenOutItems`): with a Sequence Column, rows and packed lines without a value for it (rules
 * `null_sequence` / `delete_sequence`; src/batch/sequence-values.ts); with Format CSV, rows a CSV line
 * cannot carry as written (rule `csv_unwritable`; src/doris/stream-load/wire-format.ts csvRowCheck);
 * with Deletes Never (and no merge_type deciding deletes), rows and packed lines flagged as deletes,
 * which would load as upserts (rule `delete_not_applied`), and with the sign into a table that is not
 * UNIQUE KEY, where they would load as new rows (rule `delete_unsupported`; src/batch/delete-rows.ts).
 * When the Rejected output leads nowhere their items are refused instead, so the execution fails.
 * The node and the reliability harness both call these, so the pipeline the harness tests is the one
 * the node runs.
 */
import { DELETE_SIGN_COLUMN, KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../common/item-contract';
import { encodedLines, linesAsWritten } from '../common/encoded-lines';
import { parseJsonExact } from '../common/exact-json';
import { packedLine, packedLineOrigin, packedLinesError, readPackedRows } from '../common/packed-rows';
import { INVALID_FIELD, type InvalidInfo } from '../doris/schema/route-items';
import type { Rejection } from '../doris/schema/row-mapper';
import type { LoadFormat } from '../doris/stream-load/options';
import { linesMentionDeleteSign, packedLineOutsideColumns, type ColumnsCheck } from '../doris/stream-load/wire-format';
import { csvRefusal, csvRejection, type CsvCheckOption } from './csv-rows';
import { isRows, type BatchPart, type Row } from './batch-parts';
import type { AddOptions, RejectedRow } from './batcher';
import { loadPartsIntoDoris, packedFormatError, type DorisBatchResult, type DorisTargetConfig } from './doris-target';
import { notLoadedRefusal, type DorisRefusal } from './refusal';
import { deleteLineReason, deleteNotApplied, deleteRefusal, isDeleteRule, type DeleteCheckOption } from './delete-rows';
import { splitPackedLines } from './packed-split';
import { missingSequence, sequenceLineReason, type SequenceCheck } from './sequence-values';

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
 * Sorts an execution's items. Packed items (one per Kafka batch) load their lines as they are,
 * ordinary items as rows; the parts keep the items' order (the trigger emits them in offset order:
 * CDC changes stay ordered).
 */
export function sortItemsForLoad(
	items: ReadonlyArray<{ json: Record<string, unknown> }>,
	load: { format: LoadFormat; deletes: DeleteMode; sequence?: SequenceOption; columnsCheck?: ColumnsCheck; csvCheck?: CsvCheckOption; deletesNotApplied?: DeleteCheckOption },
): SortedItems {
	const deleteCheck = load.deletes === 'never' || load.deletesNotApplied?.notUnique !== undefined ? load.deletesNotApplied : undefined;
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
		const mayDelete = deleteCheck !== undefined && (packed.deleteSign ?? linesMentionDeleteSign(packed.jsonLines));
		const split =
			sequence === undefined && !mayDelete
				? undefined
				: splitPackedLines(packed.jsonLines, (text) => (mayDelete ? deleteLineReason(text, deleteCheck) : undefined) ?? (sequence === undefined ? undefined : sequenceLineReason(text, sequence)));
		// The lines that load: a delete line taken out (its sign is outside Columns) refused the whole item before.
		const outside = load.columnsCheck === undefined ? undefined : packedLineOutsideColumns(split?.text ?? packed.jsonLines, load.columnsCheck, split?.kept);
		if (outside !== undefined) {
			refused.push({ index: i, message: outside });
			continue;
		}
		const lacking = split?.refused.filter((r) => !isDeleteRule(r.reason.rule)).length ?? 0;
		lackingSequence += lacking;
		const firstRefused = split?.refused.find((r) => (isDeleteRule(r.reason.rule) ? deleteCheck?.handBack !== true : sequence?.handBack !== true));
		if (firstRefused !== undefined) {
			const message = isDeleteRule(firstRefused.reason.rule) ? deleteRefusal(firstRefused.reason, firstRefused.line) : sequenceRefusal(firstRefused.reason, firstRefused.line);
			refused.push({ index: i, message });
			continue;
		}
		if (split !== undefined) for (const r of split.refused) takenOut.push({ index: i, row: r.row, reason: r.reason, line: r.line });
		if (split !== undefined && split.kept.length === 0) continue;
		if (run.length > 0) {
			parts.push(run);
			run = [];
		}
		const bytes = split === undefined ? encodedLines(packed) : undefined;
		const part: BatchPart = split !== undefined ? { text: split.text, rows: split.kept.length } : bytes === undefined ? { text: packed.jsonLines, rows: packed.count } : { text: packed.jsonLines, rows: packed.count, bytes };
		if (split !== undefined) lineMaps.set(part, split.kept);
		parts.push(part);
		loadable.push(i);
		// As for rows, auto means "some row names the sign". The Doris Schema node says so in the flag;
		// lines packed straight by the trigger nobody has read, so the text is searched.
		if (auto && !signSeen) signSeen = packed.deleteSign ?? linesMentionDeleteSign(packed.jsonLines);
	}
	if (run.length > 0) parts.push(run);
	return { parts, loadable, undecodable, refused, deleteSign: load.deletes === 'always' || signSeen, takenOut, lackingSequence, lineMaps };
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

/** An item made from a row Doris refused: `index` is the input item it came from (pairedItem). */
export interface RejectedItem {
	json: Record<string, unknown>;
	index: number;
}

/** The refused row's value of the column Doris named, when the row has that field. */
function valueOf(row: Readonly<Record<string, unknown>>, column: string | null): unknown {
	if (column === null) return null;
	if (column in row) return row[column] ?? null;
	const lower = column.toLowerCase();
	const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
	return key === undefined ? null : (row[key] ?? null);
}

function rejectedJson(row: Record<string, unknown>, table: string, refusal: DorisRefusal): Record<string, unknown> {
	const reason: Rejection = {
		column: refusal.column,
		value: valueOf(row, refusal.column),
		expected:
			refusal.uncounted === true ? 'a row Doris counts in the load it commits' : refusal.notLoaded === true ? `a row loaded with its execution's other rows` : `a row table ${table} accepts`,
		rule: refusal.uncounted === true ? 'doris_uncounted' : refusal.notLoaded === true ? 'doris_not_loaded' : 'doris_rejected',
		message: refusal.notLoaded === true || refusal.uncounted === true ? refusal.message : `Doris refused the row: ${refusal.message}`,
	};
	const info: InvalidInfo = { table, reasons: [reason] };
	return { ...row, [INVALID_FIELD]: info };
}

/** A refused line of a packed item: parsed (or kept as text when it does not parse), with `_kafka`. */
function rejectedLine(packed: PackedRows, line: number, table: string, refusal: DorisRefusal): Record<string, unknown> {
	const text = packedLine(packed.jsonLines, line) ?? '';
	let row: Record<string, unknown>;
	try {
		const value = parseJsonExact(text);
		row = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { line: text };
	} catch {
		row = { line: text };
	}
	return { ...rejectedJson(row, table, refusal), [KAFKA_METADATA_FIELD]: packedLineOrigin(packed.sources, line) };
}

/**
 * The execution's items Doris refused, in item order: each refused row of an ordinary item is that
 * item plus `_invalid`, each refused line of a packed item a new item (the parsed line, `_invalid`,
 * `_kafka`). `rejected` numbers the rows as the load counted them: the parts' rows in order.
 */
export function rejectedItems(
	items: ReadonlyArray<{ json: Record<string, unknown> }>,
	sorted: SortedItems,
	rejected: ReadonlyArray<RejectedRow<DorisRefusal>>,
	table: string,
): RejectedItem[] {
	const out: RejectedItem[] = [];
	if (rejected.length === 0) return out;
	let next = 0;
	let rowBase = 0;
	let itemBase = 0;
	for (const part of sorted.parts) {
		const rows = isRows(part) ? part.length : part.rows;
		for (; next < rejected.length && rejected[next].row < rowBase + rows; next++) {
			const { row, reason } = rejected[next];
			const offset = row - rowBase;
			if (isRows(part)) {
				const index = sorted.loadable[itemBase + offset];
				out.push({ json: rejectedJson(items[index].json, table, reason), index });
			} else {
				const index = sorted.loadable[itemBase];
				const packed = readPackedRows(items[index].json) as PackedRows;
				out.push({ json: rejectedLine(packed, sorted.lineMaps.get(part)?.[offset] ?? offset, table, reason), index });
			}
		}
		rowBase += rows;
		itemBase += isRows(part) ? part.length : 1;
	}
	return out;
}

/**
 * The rows and packed lines taken out before the load (the Sequence Column and CSV checks), as rejected
 * items in item order: the row (a packed line parsed, with `_kafka`) plus `_invalid` naming the column and the rule.
 */
export function takenOutItems(items: ReadonlyArray<{ json: Record<string, unknown> }>, sorted: SortedItems, table: string): RejectedItem[] {
	return sorted.takenOut.map(({ index, row, reason, line }) => {
		const info: InvalidInfo = { table, reasons: [reason] };
		if (line === undefined) return { index, json: { ...row, [INVALID_FIELD]: info } };
		const packed = readPackedRows(items[index].json) as PackedRows;
		return { index, json: { ...row, [INVALID_FIELD]: info, [KAFKA_METADATA_FIELD]: packedLineOrigin(packed.sources, line) } };
	});
}

/**
 * Every row of `sorted` as a rejected item that did not load because of `error`: the execution's
 * rows for another table loaded, so it is not redelivered (the node decides; see refusal.ts).
 */
export function notLoadedItems(items: ReadonlyArray<{ json: Record<string, unknown> }>, sorted: SortedItems, error: unknown, table: string): RejectedItem[] {
	const reason = notLoadedRefusal(error, 'failed');
	const total = sorted.parts.reduce((n, part) => n + (isRows(part) ? part.length : part.rows), 0);
	return rejectedItems(items, sorted, Array.from({ length: total }, (_, row) => ({ row, reason })), table);
}

/** One Stream Load batch that held some of the execution's rows. */
export interface BatchSummary {
	label: string;
	txnId: number | null;
	status: string;
	labelExisted: boolean;
	/** This batch's rows (all executions it served). */
	rows: number;
	loadedRows: number;
	filteredRows: number;
	/** Rows a `where` header left out (Doris' NumberUnselectedRows): not loaded, by the user's choice. */
	unselectedRows: number;
	bytes: number;
	sentBytes: number;
	loadTimeMs: number;
	attempts: number;
	executionsServed: number;
	/** Labels of the loads the batch was split into when Doris refused some of its rows. */
	partLabels?: string[];
	/** Rows of the batch Doris refused (all executions it served). */
	rejectedRows?: number;
}

/** The load result of one execution: one item, whatever the number of rows. */
export interface LoadSummary {
	database: string;
	table: string;
	/** The execution's rows: packed items' counts plus the ordinary items. */
	rows: number;
	/** "Success", or the batches' statuses. */
	status: string;
	label: string | null;
	labels: string[];
	txnIds: Array<number | null>;
	loadedRows: number;
	filteredRows: number;
	/** Rows a `where` header left out, summed over the batches. */
	unselectedRows: number;
	bytes: number;
	loadTimeMs: number;
	executionsServed: number;
	/** Loaded without waiting for the batch to fill (a manual run, or Load Immediately). */
	flushedImmediately: boolean;
	/** The execution's rows Doris refused: they are on the Rejected output, not in Doris. */
	rejectedRows: number;
	batches: BatchSummary[];
}

export function summariseLoad(database: string, table: string, result: DorisBatchResult, flushedImmediately: boolean): LoadSummary {
	const batches: BatchSummary[] = result.batches.map((b) => ({
		...(b.result.parts === undefined ? {} : { partLabels: b.result.parts.map((p) => p.label), rejectedRows: b.result.rejectedRows ?? 0 }),
		label: b.result.label,
		txnId: b.result.txnId ?? null,
		status: b.result.status,
		labelExisted: b.result.labelExisted,
		rows: b.rows,
		// An earlier attempt's answer was lost: Doris has the whole batch.
		loadedRows: b.result.labelExisted ? b.rows : b.result.loadedRows,
		filteredRows: b.result.filteredRows,
		unselectedRows: b.result.unselectedRows,
		bytes: b.bytes,
		sentBytes: b.result.bytes,
		loadTimeMs: b.result.loadTimeMs,
		attempts: b.result.attempts,
		executionsServed: b.executions,
	}));
	return {
		database,
		table,
		rows: result.rows,
		status: batches.every((b) => b.status === 'Success') ? 'Success' : batches.map((b) => b.status).join(', '),
		label: batches[0]?.label ?? null,
		labels: batches.flatMap((b) => b.partLabels ?? [b.label]),
		txnIds: batches.map((b) => b.txnId),
		loadedRows: batches.reduce((s, b) => s + b.loadedRows, 0),
		filteredRows: batches.reduce((s, b) => s + b.filteredRows, 0),
		unselectedRows: batches.reduce((s, b) => s + b.unselectedRows, 0),
		bytes: batches.reduce((s, b) => s + b.bytes, 0),
		loadTimeMs: batches.reduce((s, b) => Math.max(s, b.loadTimeMs), 0),
		executionsServed: batches.reduce((s, b) => Math.max(s, b.executionsServed), 0),
		flushedImmediately,
		rejectedRows: result.rejected.length,
		batches,
	};
}
