/**
 * The Doris Stream Load node's Deletes (CDC) Never with rows flagged as deletes. Never loads without
 * the delete sign (no `hidden_columns: __DORIS_DELETE_SIGN__` header), so Doris reads no sign from the
 * data and a row the Doris Schema node marked `__DORIS_DELETE_SIGN__` = 1 (a Debezium op "d", or a
 * flattened record with `__deleted: "true"`) would load as an upsert of the deleted row: the row
 * deleted at the source stays, or comes back, in Doris, and the load counts it as loaded. Doris' batch
 * delete manual (2.0 and later, data-operate/delete/batch-delete-manual.md): the FE sets the hidden
 * column from the load's DELETE ON expression, and a load without merge_type is APPEND, which only
 * appends; the sign is read from the data only when the load names it (`hidden_columns`, or Columns).
 *
 * Such rows are taken out before the load and handed back on the Rejected output with rule
 * `delete_not_applied`, or, when Rejected leads nowhere, refuse their item (the execution fails,
 * nothing is committed), as the Sequence Column and CSV checks do. Not when a `merge_type` header
 * DELETE or MERGE hands the decision to Doris: there the header decides which rows delete, whatever
 * their sign (the node's option `deletesNotApplied` is left unset). Nor when Doris reads each row's
 * sign from the data without the Deletes option (deletesNeverCheck): then a delete is applied.
 */
import { DELETE_SIGN_COLUMN, PACKED_ROWS_FIELD } from '../common/item-contract';
import { KeyFactsMismatchError } from '../doris/schema/key-facts';
import { TableNotFoundError } from '../doris/schema/reader';
import type { Rejection } from '../doris/schema/row-mapper';
import { noHiddenDeleteSign } from '../doris/schema/row-rejections';
import { columnNames } from '../doris/stream-load/columns';
import { isSpaceWithinLine } from '../doris/stream-load/wire-format';
import type { LoadOptions } from '../doris/stream-load/options';
import type { TableSchema } from '../doris/schema/types';

/**
 * The check is on (Deletes Never, no merge_type deciding deletes; or `notUnique`); `handBack` when the
 * Rejected output leads somewhere.
 */
export interface DeleteCheckOption {
	handBack: boolean;
	/**
	 * The load carries the delete sign (Deletes Auto / Always) into a table that is not UNIQUE KEY:
	 * deletes are taken out with rule delete_unsupported (tableWithoutDeletes).
	 */
	notUnique?: { table: string; keyModel: string };
	/**
	 * The rows come from the Kafka trigger named here, whose Keep Order per Partition is off: two
	 * executions of a partition reach the shared batch in either order and a failed one is redelivered
	 * after later ones loaded, so an update could land after the delete that followed it in the log and
	 * bring the row back without a word. Deletes are taken out with rule delete_unordered. The trigger's
	 * activation refuses the settings that always delete (src/common/change-order.ts); these are deletes
	 * of Deletes Auto known only per row (a flattened record's __deleted, a producer's own sign). Where
	 * Rejected leads nowhere such a delete would fail every delivery: the trigger's activation refuses
	 * that too (src/common/stalling-settings.ts); a workflow it never checked fails the execution.
	 */
	unordered?: { trigger: string };
}

/**
 * The table when it is not UNIQUE KEY, for a load that carries the delete sign; undefined for a UNIQUE
 * KEY table, a schema without a key model (manual) or a table Doris does not have (the load says so).
 * A read that fails otherwise throws: taken as "the load goes as it did", one timeout of SHOW CREATE
 * TABLE let the deletes of a DUPLICATE KEY table load as new rows. Only a
 * UNIQUE KEY table has the hidden delete sign: for any other Doris drops the `hidden_columns` entry
 * without a word (fe-core Load.initColumns and NereidsLoadScanProvider add a hidden column only when
 * `column != null && !column.isVisible()`, Doris 2.1, 3.0, 3.1), so a row flagged 1 loaded as a new
 * row of a DUPLICATE KEY table, or was summed into the stored row of an AGGREGATE KEY table, counted
 * as loaded. The Doris Schema node refuses such deletes when it reads the table (delete_unsupported);
 * with a manual schema, or rows of a producer of one's own, they reached Doris. So for a UNIQUE KEY
 * table read without the hidden column (TableSchema.deleteSign false, created while the FE config
 * enable_batch_delete_by_default was false): the delete loaded as an upsert, the row stayed.
 */
export async function tableWithoutDeletes(readSchema: () => Promise<TableSchema>, table: string): Promise<DeleteCheckOption['notUnique']> {
	let schema: TableSchema;
	try {
		schema = await readSchema();
	} catch (error) {
		if (error instanceof TableNotFoundError) return undefined;
		// The rows were mapped for a table since recreated, or for another table: its own words (key-facts.ts), not "could not be read".
		if (error instanceof KeyFactsMismatchError) throw error;
		throw new Error(
			`Table ${table}: the load carries the delete sign, and whether the table is UNIQUE KEY (the only kind that applies it; any other loads a deleted row as a new one) could not be read over Doris' MySQL port: ${(error as Error).message}`,
			{ cause: error },
		);
	}
	const keyModel = schema.keyModel;
	if (keyModel === 'UNIQUE') return schema.deleteSign === false ? { table, keyModel } : undefined;
	return keyModel === null ? undefined : { table, keyModel };
}

/** Integer text as Doris' cast to TINYINT takes it, with a fraction it drops (" 2 ", "+1", "1.5"). */
const INTEGER_TEXT = /^\s*[+-]?\d+(\.\d*)?\s*$/;

/**
 * The Deletes Never check of a load (Deletes is Never), or undefined when Doris itself decides which
 * rows delete, so that a row flagged 1 is applied as the delete it is:
 * - a merge_type header DELETE / MERGE: the header decides, whatever the rows' sign;
 * - Columns naming `__DORIS_DELETE_SIGN__` (a plain entry reads each row's sign, `name = expression`
 *   computes it): Doris ignores hidden_columns when `columns` is given (stream-load manual) and reads
 *   the hidden column as a listed one (apache/doris regression
 *   test_mix_partial_update_load.groovy loads `columns: k1,c1,c2,c3,seq,__DORIS_DELETE_SIGN__` with
 *   no merge_type and the row flagged 1 is deleted; 2.1, 3.0, 3.1);
 * - a flexible partial update: each JSON line's `__DORIS_DELETE_SIGN__` deletes its row, with no
 *   header (Doris 3.1+, docs data-operate/update/update-of-unique-model.md, flexible partial column
 *   update: `{"k": 0, "__DORIS_DELETE_SIGN__": 1}` deletes k 0).
 * Checked anyway there, those deletes went to Rejected (or failed the execution) where Doris would
 * have applied them, and the deleted rows stayed in Doris.
 */
export function deletesNeverCheck(load: Pick<LoadOptions, 'columns' | 'partialUpdate' | 'extraHeaders'>, handBack: boolean): DeleteCheckOption | undefined {
	const mergeType = Object.entries(load.extraHeaders ?? {}).find(([name]) => name.trim().toLowerCase() === 'merge_type')?.[1] ?? '';
	if (['DELETE', 'MERGE'].includes(mergeType.trim().toUpperCase())) return undefined;
	if (load.partialUpdate === 'flexible') return undefined;
	// Doris column names ignore case (fe-core catalog/Table.java nameToColumn, CASE_INSENSITIVE_ORDER).
	if (columnNames(load.columns ?? []).some((name) => name.toUpperCase() === DELETE_SIGN_COLUMN)) return undefined;
	return { handBack };
}

/**
 * Whether a delete sign value marks a delete: the Doris Schema node writes the number 1
 * (row-mapper.ts); a producer of its own may write other values. Read as Doris reads the hidden
 * TINYINT column when the load names it (the JSON reader hands true as "1", new_json_reader.cpp; the
 * text is cast to TINYINT, a fraction dropped) and deletes a row whose sign is not 0
 * (be/src/olap/rowset/segment_v2/segment_writer.cpp `delete_sign_column_data[pos] != 0`): 2, "2"
 * and 1.5 delete there, so they are deletes here. "true", which Doris would refuse (no integer), is
 * taken for one too: handed back, not loaded as an upsert. (The Sequence Column check reads the sign
 * the same way, sequence-values.ts.)
 */
export function signDeletes(sign: unknown): boolean {
	if (sign === 1 || sign === true) return true;
	if (typeof sign === 'number') return Math.trunc(sign) !== 0;
	if (typeof sign !== 'string') return false;
	if (sign === '1' || sign === 'true') return true;
	return INTEGER_TEXT.test(sign) && Math.trunc(Number(sign)) !== 0;
}

/**
 * Why a row flagged as a delete does not load under Deletes Never (or, with `check.notUnique`, into a
 * table that is not UNIQUE KEY), or undefined when it is no delete.
 */
export function deleteNotApplied(row: Readonly<Record<string, unknown>>, check?: DeleteCheckOption): Rejection | undefined {
	const sign = row[DELETE_SIGN_COLUMN];
	if (!signDeletes(sign)) return undefined;
	const notUnique = check?.notUnique;
	if (notUnique?.keyModel === 'UNIQUE') {
		const noSign = noHiddenDeleteSign(notUnique.table);
		return signedDelete(sign, 'delete_unsupported', `: ${noSign.lacks}`, `, and ${noSign.why}, so the row would load as an upsert and the deleted row stay; ${noSign.fix}`);
	}
	if (notUnique === undefined && check?.unordered !== undefined) {
		return signedDelete(
			sign,
			'delete_unordered',
			`: Kafka trigger "${check.unordered.trigger}" has Keep Order per Partition off`,
			`, and Kafka trigger "${check.unordered.trigger}" has Keep Order per Partition off: two executions of a partition can load in either order and a failed one is delivered again after later ones loaded, ` +
				`so an update that came before this delete in Kafka could land after it and bring the row back without a word; turn Keep Order per Partition on (trigger options) and replay this row`,
		);
	}
	if (notUnique !== undefined) {
		return signedDelete(
			sign,
			'delete_unsupported',
			`: ${notUnique.table} is not a UNIQUE KEY table`,
			`, and ${notUnique.table} is a ${notUnique.keyModel} KEY table: only a UNIQUE KEY table has the delete sign, ` +
				`and Doris drops it for any other without a word, so the deleted row would load as a new row (DUPLICATE KEY) or be summed into the stored one (AGGREGATE KEY); load deletes into a UNIQUE KEY table`,
		);
	}
	return signedDelete(
		sign,
		'delete_not_applied',
		' while Deletes (CDC) is Never',
		' (a Debezium op "d", or a flattened record with __deleted "true"), ' +
			`and Deletes (CDC) is Never, which loads without the delete sign: Doris would load the deleted row as an upsert and keep it; ` +
			`set Deletes (CDC) to Auto to delete it (a UNIQUE KEY table), or let a merge_type header DELETE / MERGE decide (MERGE deletes only the rows its delete condition catches: a tombstone's key row it misses loads as an upsert)`,
	);
}

/**
 * A row flagged as a delete that does not load, each check's reason in one shape: the sign it carries,
 * what was expected instead (`unlessWhy` follows "a row that is not a delete (…)") and why the delete
 * would go wrong (`why` follows "the row is a delete").
 */
function signedDelete(sign: unknown, rule: 'delete_unsupported' | 'delete_not_applied' | 'delete_unordered', unlessWhy: string, why: string): Rejection {
	return {
		column: DELETE_SIGN_COLUMN,
		value: sign,
		expected: `a row that is not a delete (${DELETE_SIGN_COLUMN} 0 or absent)${unlessWhy}`,
		rule,
		message: `${DELETE_SIGN_COLUMN} is ${JSON.stringify(sign)}: the row is a delete${why}`,
	};
}

/** Whether a rule is one of the delete checks' (taken out here, not for want of a sequence value). */
export function isDeleteRule(rule: string): boolean {
	return rule === 'delete_not_applied' || rule === 'delete_unsupported' || rule === 'delete_unordered';
}

/** Why an item is refused when Rejected leads nowhere: the reason, the rule, and what to do. */
export function deleteRefusal(reason: Rejection, line?: number): string {
	const where = line === undefined ? '' : `line ${line} of ${PACKED_ROWS_FIELD}: `;
	return `${where}${reason.message} (rule ${reason.rule}); connect the Rejected output to hand such rows back instead of failing the execution`;
}

const SIGN_KEY = `"${DELETE_SIGN_COLUMN}"`;

/**
 * Whether a packed JSON line may mark a delete: it has the sign as a key and the value after it is
 * not the number 0 (the Doris Schema node writes 0 or 1). Read from the text, without parsing: a line
 * that may delete is parsed by the caller (deleteNotApplied decides), so a line whose only key
 * `"__DORIS_DELETE_SIGN__"` is inside a string value costs a parse and loads.
 */
export function lineMayDelete(text: string): boolean {
	for (let at = text.indexOf(SIGN_KEY); at !== -1; at = text.indexOf(SIGN_KEY, at + 1)) {
		let next = skipBlanks(text, at + SIGN_KEY.length);
		if (text.charCodeAt(next) !== 58) continue;
		next = skipBlanks(text, next + 1);
		const digit = text.charCodeAt(next + 1);
		const zero = text.charCodeAt(next) === 48 && !(digit >= 48 && digit <= 57) && digit !== 46 && digit !== 101 && digit !== 69;
		if (!zero) return true;
	}
	return false;
}

/** Past the JSON whitespace of a line (space, tab, CR): Doris' JSON reader and JSON.parse read a key through any of it. */
function skipBlanks(text: string, from: number): number {
	let at = from;
	while (isSpaceWithinLine(text.charCodeAt(at))) at++;
	return at;
}

