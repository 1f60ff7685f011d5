/**
 * The reasons RowMapper (row-mapper.ts) gives a whole row that cannot load as it stands: a delete
 * Doris would not apply (a table that is not UNIQUE KEY, a delete without its sequence value), an
 * upsert whose sequence value Doris would read as NULL, a flattened record whose `__deleted` marker
 * is neither "true" nor "false"; an item the trigger could not decode, one that holds no object, a field
 * no column takes under Unknown Fields "Reject". Built only when a row fails, never on the path of a row that loads.
 */
import { JsonText } from '../../common/connect-logical';
import { DELETE_SIGN_COLUMN, type ParseErrorInfo } from '../../common/item-contract';
import { FLATTENED_DELETED_FIELD } from './debezium';
import { coerceInteger, INTEGER_BOUNDS, type NumberResult } from './numbers';
import type { NoPlaceholder } from './delete-placeholders';
import type { Rejection } from './row-mapper-options';
import type { KeyModel, TableSchema } from './types';

/** The table's sequence column (`function_column.sequence_col`), as RowMapper checks it. */
export interface SequenceColumn {
	column: string;
	/** The record's field that fills it: the column's name, or a Field Mapping's field. */
	field: string;
	/** What the column's type handler expects, for the reason. */
	expected: string;
	/**
	 * Whether a DEFAULT fills a missing field: not for none, DEFAULT NULL, or AUTO_INCREMENT, whose value
	 * is made at the table sink, after the sequence value was taken (NULL then).
	 */
	hasDefault: boolean;
	/** That DEFAULT as DESC prints it (null: not known, as in a manual schema). */
	defaultValue: string | null;
}

/** The table's sequence column as RowMapper checks it, from its column plan (none: undefined). */
export function sequenceColumnOf(schema: TableSchema, plan: { column: string; key: string; hasDefault: boolean; handler: { expected: string } } | undefined): SequenceColumn | undefined {
	if (plan === undefined) return undefined;
	const column = schema.columns.find((c) => c.name === plan.column);
	return { column: plan.column, field: plan.key, expected: plan.handler.expected, hasDefault: plan.hasDefault && column?.autoIncrement !== true, defaultValue: column?.defaultValue ?? null };
}

/**
 * Whether a column DEFAULT is the load's time (`CURRENT_TIMESTAMP`, with a precision or not): the one
 * default Doris' sequence column docs let a load leave the sequence column to ("users must explicitly
 * specify the sequence column (unless the default value of the sequence column is CURRENT_TIMESTAMP)",
 * doris-website docs/data-operate/update/unique-update-concurrent-control.md, Note 1). A later load has a
 * later time, so such a row replaces the rows loaded before it, as a table without a sequence column would.
 */
export function isLoadTimeDefault(defaultValue: string | null | undefined): boolean {
	return typeof defaultValue === 'string' && /^CURRENT_TIMESTAMP(\(\d*\))?$/i.test(defaultValue.trim());
}

/**
 * The words for an upsert lacking its sequence field where a constant DEFAULT fills it: that default
 * is its sequence value, and Doris keeps a stored row of the same key whose sequence value is higher
 * (the sequence column docs: "larger values replacing smaller ones"), so an update whose stored row has
 * a higher value loaded, was counted, and vanished. Both nodes say it (the Doris Stream Load node for
 * its Sequence Column, src/batch/sequence-values.ts).
 */
export function constantDefaultSequence(what: string, defaultValue: string | null): string {
	return (
		`${what}: Doris would give it the column's DEFAULT${defaultValue === null ? '' : ` ${defaultValue}`}, and keeps a stored row of the same key whose sequence value is higher ` +
		'(a row loads over it only with a sequence value at least the stored one\'s): the row would load, be counted, and be ignored whenever the stored row is newer; ' +
		'give every row a value for it (or map it from a field every row has; a DEFAULT CURRENT_TIMESTAMP, the load\'s time, may be left to Doris)'
	);
}

/** JSON-safe copy of an offending value for the invalid output. */
export function safeValue(value: unknown): unknown {
	if (typeof value === 'bigint') return value.toString();
	if (value instanceof JsonText) return value.text;
	if (value === undefined) return null;
	return value;
}

function tableName(schema: TableSchema): string {
	return `${schema.database}.${schema.table}`;
}

/**
 * Why a row cannot load without its sequence value, or null when it has one. Doris applies a row
 * of a table with a sequence column, a delete too, only when its sequence value is at least the
 * stored row's, and NULL sorts below every value: the memtable compares with NULL first
 * (be/src/olap/memtable.cpp `_aggregate_two_row_in_block`, `compare_at(..., -1)`), merge-on-write
 * encodes a NULL sequence as the smallest key (be/src/olap/rowset/segment_v2/segment_writer.cpp
 * `_encode_seq_column`) and marks the new row deleted when a stored one is higher
 * (segment.cpp `lookup_row_key`: "key with higher sequence id exists"). Such a row loads, is counted
 * as loaded, and is ignored whenever its key has a row with a sequence value. A delete needs a
 * value (a Debezium "before" image of the key only, PostgreSQL's default REPLICA IDENTITY, has null for a
 * nullable column and Debezium's stand-in for a NOT NULL one, 0 or the epoch: debezium-fallbacks.ts); an upsert needs one unless the column's DEFAULT CURRENT_TIMESTAMP
 * fills a missing field (isLoadTimeDefault): a constant default is a value like any other, lower than
 * the stored row's as often as not (rule missing_sequence).
 * `missingKept`: a flexible partial update downstream, where Doris keeps the stored value for a row that
 * lacks the field, an upsert or a delete (row-mapper-options.ts SequenceInPartialUpdate `perRow`).
 */
export function missingSequence(schema: TableSchema, sequence: SequenceColumn, row: Record<string, unknown>, deleted: boolean, missingKept = false): Rejection[] | null {
	const value = row[sequence.column];
	if (value !== undefined && value !== null) return null;
	if (value === undefined && missingKept) return null;
	const table = tableName(schema);
	if (!deleted) {
		if (value === undefined && sequence.hasDefault) {
			if (isLoadTimeDefault(sequence.defaultValue)) return null;
			const what = `the row has no field "${sequence.field}" for the sequence column "${sequence.column}" of ${table}`;
			return [{ column: sequence.column, value: null, expected: sequence.expected, rule: 'missing_sequence', message: constantDefaultSequence(what, sequence.defaultValue) }];
		}
		return [
			{
				column: sequence.column,
				value: null,
				expected: sequence.expected,
				rule: 'null_sequence',
				message:
					`the sequence column "${sequence.column}" of ${table} would be NULL for this row (the field is ${value === null ? 'null' : 'missing'}), and Doris keeps a stored row of the same key ` +
					'whose sequence value is higher (NULL is below every value): the row would load and be ignored; give every row a value for it',
			},
		];
	}
	return [
		{
			column: sequence.column,
			value: null,
			expected: sequence.expected,
			rule: 'delete_sequence',
			message:
				`this delete has no value for the sequence column "${sequence.column}" of ${table}, and Doris ignores a delete whose sequence value is below the stored row's (NULL is below every value): ` +
				'the source must send the whole row before a delete (PostgreSQL: ALTER TABLE … REPLICA IDENTITY FULL; MySQL: binlog_row_image=FULL)',
		},
	];
}

/**
 * A UNIQUE KEY table without the hidden delete sign column (TableSchema.deleteSign false), in the words
 * both nodes give a delete that would load there as an upsert: the Doris Schema node when it reads the
 * table (deleteUnsupported), the Doris Stream Load node before a load that carries the sign
 * (src/batch/delete-rows.ts deleteNotApplied). One wording, so that the two say the same cause and the
 * same fix. `column`: what follows "column" (the column's name with its space, or nothing).
 */
export function noHiddenDeleteSign(table: string, column = ''): { lacks: string; why: string; fix: string } {
	const lacks = `${table} has no hidden delete sign column${column}`;
	return {
		lacks,
		why: `${lacks} (created while the FE config enable_batch_delete_by_default was false): Doris drops the sign without a word`,
		fix: `ALTER TABLE ${table} ENABLE FEATURE "BATCH_DELETE" to let deletes apply`,
	};
}

/**
 * Why a delete cannot load into a table that is not UNIQUE KEY (`flattened`: the delete came as a
 * flattened record's `__deleted`, not a Debezium envelope). Only UNIQUE KEY tables have the
 * hidden `__DORIS_DELETE_SIGN__` column; for any other table Doris drops the `hidden_columns` entry
 * without a word (fe-core Load.initColumns and NereidsLoadScanProvider add a hidden column only when
 * `column != null && !column.isVisible()`, Doris 2.1, 3.0, 3.1), so the delete's "before" image
 * would load as data: a new row in a DUPLICATE KEY table, its values summed into the stored row of
 * an AGGREGATE KEY table. So for a UNIQUE KEY table without the hidden column (TableSchema.deleteSign
 * false: created while the FE config enable_batch_delete_by_default was false): the delete's row
 * loads as an upsert, and the row the source deleted stays. A merge_type DELETE / MERGE load is
 * refused there too ("need to upgrade table to support batch delete").
 */
export function deleteUnsupported(schema: TableSchema, keyModel: KeyModel, from: 'envelope' | 'flattened' | 'sign'): Rejection {
	const otherwise =
		from === 'flattened'
			? `or give the table a column "${FLATTENED_DELETED_FIELD}" to keep each delete as a row flagged "true"`
			: from === 'sign'
				? `or leave the field ${DELETE_SIGN_COLUMN} out of the record (or set it to 0) to load the row; a tombstone of the Kafka Trigger's Tombstones "Delete the Row of Its Key" carries it (set Tombstones to Skip for such a table)`
				: 'or leave the Debezium Envelopes (CDC) option off to keep each change as a row of its own';
	if (keyModel === 'UNIQUE') {
		const noSign = noHiddenDeleteSign(tableName(schema), ` ${DELETE_SIGN_COLUMN}`);
		return {
			column: null,
			value: null,
			expected: 'a UNIQUE KEY table with the hidden delete sign column',
			rule: 'delete_unsupported',
			message: `this change is a delete, and ${noSign.why} and would load the delete as an upsert, keeping the row; ${noSign.fix}, ${otherwise}`,
		};
	}
	return {
		column: null,
		value: null,
		expected: 'a UNIQUE KEY table',
		rule: 'delete_unsupported',
		message:
			`this change is a delete, and ${tableName(schema)} is a ${keyModel} KEY table: only a UNIQUE KEY table applies deletes ` +
			`(Doris would load the deleted row as a new one); load the changes into a UNIQUE KEY table, ${otherwise}`,
	};
}

/**
 * Why a delete lacks a value for a NOT NULL column without a default and carries no placeholder for
 * it (delete-placeholders.ts: a key column, a table with a sequence column, a type without a zero this
 * node writes, keys not known). Doris fills a field a JSON line lacks with the column's default, else NULL (the load's
 * source slots are all nullable), then filters a row with NULL in a NOT NULL column, a delete too:
 * "column(x) values is null while columns is not nullable" (be/src/vec/exec/scan/vfile_scanner.cpp
 * `_convert_to_output_block` in 2.1 and 3.0, be/src/vec/exec/scan/file_scanner.cpp in 3.1; only a
 * flexible partial update's unmentioned columns are exempt). The delete would fail the load, or with
 * Max Filter Ratio be dropped.
 */
export function notNullInDelete(schema: TableSchema, column: string, field: string, value: unknown, why: NoPlaceholder): string {
	const table = tableName(schema);
	const instead =
		why === 'sequence'
			? `A placeholder cannot stand in for it: ${table} has a sequence column, and Doris applies a delete only when its sequence value is at least the stored row's, so the source must send the whole row with its deletes (PostgreSQL: REPLICA IDENTITY FULL; MySQL: binlog_row_image=FULL)`
			: why === 'key'
				? 'It is a key column: the delete must name it (a Kafka key or "before" image with every key column)'
				: why === 'unknown'
					? `The table's key and sequence columns are not known here (a manual schema, or SHOW CREATE TABLE could not be read), so no placeholder can stand in for it safely; read the schema from Doris (Schema Mode "Auto (Read From Doris)"), give the column a default or make it nullable`
					: why === 'sign'
						? `A placeholder cannot stand in for it: whether ${table} has the hidden delete sign column ${DELETE_SIGN_COLUMN} could not be read (SET show_hidden_columns = true; DESC ${table}), and without it Doris would load the placeholder as the row's new values instead of deleting it; give the column a default or make it nullable`
						: `This node has no placeholder for its type to stand in for it; give the column a default (ALTER TABLE ${table} MODIFY COLUMN ${column} … DEFAULT …) or make it nullable, or have the source send the whole row with its deletes`;
	return (
		`this delete has no value for ${column} (the field "${field}" is ${value === null ? 'null' : 'missing'}), a NOT NULL column without a default of ${table}: ` +
		`Doris fills a missing field with the column's default, else NULL, and filters a row, a delete too, whose NOT NULL column is NULL ("column(${column}) values is null while columns is not nullable", Doris 2.1, 3.0, 3.1). ${instead}`
	);
}

/**
 * Why a delete lacking one of the table's key columns cannot load: Doris fills the missing field with
 * the column's default, else NULL, and deletes the row of that key, which is not the stored row's
 * (a tombstone's key names the source's primary key, where a UNIQUE KEY table must also hold its
 * partition column, UNIQUE KEY(id, dt) PARTITION BY dt). The delete loaded, counted, and deleted
 * nothing: the row the source deleted stayed. A key column given as null is the record's own word.
 */
export function deleteKeyMissing(schema: TableSchema, column: string, field: string): Rejection {
	return {
		column,
		value: null,
		expected: 'a value for the key column',
		rule: 'delete_key',
		message:
			`this delete has no value for the key column ${column} of ${tableName(schema)} (the field "${field}" is missing): Doris would fill it with the column's default or NULL and delete that key's row instead of the stored one, so the deleted row would stay. ` +
			'The delete must carry every key column: a Kafka key with all of them, or the whole row before the delete',
	};
}

/** Why a flattened record's `__deleted` is neither a delete nor an upsert. */
export function badDeleteMark(schema: TableSchema, value: unknown): Rejection {
	return {
		column: null,
		value: safeValue(value),
		expected: '"true" or "false"',
		rule: 'envelope',
		message:
			`field "${FLATTENED_DELETED_FIELD}" is Debezium's delete marker (ExtractNewRecordState with delete rewriting) and must be "true" or "false", not ${JSON.stringify(safeValue(value))}; ` +
			`give ${tableName(schema)} a column "${FLATTENED_DELETED_FIELD}" to load the field as data`,
	};
}

const signSlot: NumberResult = { ok: false, value: 0, failure: 'type' };

/**
 * A record's own `__DORIS_DELETE_SIGN__` (a producer of its own, or a Code node before the Doris Schema
 * node): whether it marks a delete, or why the row cannot load. Read as Doris reads its hidden column,
 * TINYINT NOT NULL DEFAULT 0, when the load names it: a JSON true is "1" and false "0"
 * (vec/exec/format/json/new_json_reader.cpp writes a boolean as "1" / "0"), null or a missing field is
 * the default 0, and the segment writer deletes a row whose sign is not 0
 * (be/src/olap/rowset/segment_v2/segment_writer.cpp `delete_sign_column_data[block_pos] != 0`;
 * 2.1, 3.0, 3.1). A value no TINYINT takes ("true", 1.5, 300) is the row's reason: Doris would filter
 * the row, or load 1.5 as the delete 1, and the Doris Schema node does not guess.
 */
export function ownDeleteSign(schema: TableSchema, value: unknown): boolean | Rejection {
	if (value === null || value === undefined || value === false) return false;
	if (value === true) return true;
	const sign = coerceInteger(value, INTEGER_BOUNDS.TINYINT, signSlot);
	if (sign.ok) return sign.value !== 0;
	return {
		column: DELETE_SIGN_COLUMN,
		value: safeValue(value),
		expected: 'TINYINT',
		rule: sign.failure,
		message:
			`${DELETE_SIGN_COLUMN} is ${JSON.stringify(safeValue(value))}: Doris' delete sign is a TINYINT (0 or absent: the row is an upsert; 1, or another integer, or true: a delete), ` +
			`and Doris would not read this value as one; write 1 to delete the row of ${tableName(schema)}, 0 to keep it`,
	};
}

/** The Kafka message the trigger could not decode (its `_parseError`): the item is rejected whole, with the trigger's reason. */
export function undecodedMessage(info: Partial<ParseErrorInfo>): Rejection {
	return {
		column: null,
		value: info.raw ?? null,
		expected: 'a JSON object',
		rule: 'parse_error',
		message: `the Kafka message could not be decoded (${info.kind ?? 'unknown'}): ${info.message ?? ''}`.trim(),
	};
}

/** The item, or what the source path (`sourcePath`, '' for none) leads to, is no object: no column can take a field of it. */
export function notAnObject(record: unknown, sourcePath: string): Rejection {
	return {
		column: null,
		value: safeValue(record),
		expected: 'an object',
		rule: 'envelope',
		message: sourcePath !== '' ? `source path "${sourcePath}" does not lead to an object` : 'the item is not an object',
	};
}

/**
 * A field no column takes, refused under Unknown Fields "Reject". `caseOf`: the column whose name the
 * field's differs from only in case, and the field that column takes, so the message says why the field
 * cannot become a column of its own (Doris column names ignore case).
 */
export function unknownField(schema: TableSchema, field: string, value: unknown, caseOf: { column: string; field: string | undefined } | undefined): Rejection {
	let message = `field "${field}" matches no column`;
	if (caseOf !== undefined) {
		const from = caseOf.field === undefined ? '' : `: column "${caseOf.column}" takes field "${caseOf.field}"`;
		message += `${from} (Doris column names ignore case, so no column "${field}" can be added)`;
	}
	return { column: null, value: safeValue(value), expected: `a column of ${schema.database}.${schema.table}`, rule: 'unknown_field', message };
}
