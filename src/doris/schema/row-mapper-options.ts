/**
 * What the row mapper (row-mapper.ts) is told and what it answers: its options, as the Doris Schema
 * node's settings fill them and the packed worker thread receives them (plain, structured-cloneable
 * data), and the reasons a row cannot load.
 */
import type { RejectRule, ValueLimits } from './coerce-type';
import type { DateTimeOptions, EpochUnit } from './datetime';
import type { ExtraDigitsPolicy } from './numbers';

export type UnknownFieldPolicy = 'ignore' | 'reject';

export interface FieldMapping {
	/** Field of the record (a dot path such as `customer.id` reaches into nested objects). */
	field: string;
	column: string;
}

/** The unit of bare numbers in one DATE / DATETIME column, when it differs from the node's. */
export interface ColumnEpochUnit {
	column: string;
	unit: EpochUnit;
}

export interface RowMapperOptions {
	unknownFields: UnknownFieldPolicy;
	/** Dot path to the record inside the item (`payload.after`); '' = the item itself. */
	sourcePath: string;
	mapping: FieldMapping[];
	/** Read Debezium envelopes; adds DELETE_SIGN_COLUMN (0 / 1) to every row. */
	cdc: boolean;
	dates: DateTimeOptions;
	/** The cluster's value size limits; Doris' defaults (1 MB each) when absent. */
	limits?: ValueLimits;
	/** Per-column units for bare numbers (a schemaless Debezium row mixes days, ms and µs). */
	epochUnits?: ColumnEpochUnit[];
	/**
	 * Schema evolution: a field with no column (and a type its Connect schema declares, or a non-null
	 * value to infer one from) rejects the row with rule `new_column` naming the column type to add;
	 * the caller adds it and maps the row again. Off: such fields follow unknownFields.
	 */
	evolve?: boolean;
	/** Digits a DECIMAL(p,s) / DATETIME(p) / FLOAT column cannot keep; default 'invalid' (rule `precision`). */
	extraDigits?: ExtraDigitsPolicy;
	/**
	 * Debezium's `unavailable.value.placeholder` (absent or empty: its default): a text or JSON value
	 * equal to it, or to its bytes, rejects the row; in a delete it is left out.
	 */
	unavailableValue?: string;
	/**
	 * How the Doris Stream Load nodes this node's rows reach update the table's sequence column, when
	 * all of them send a partial update that leaves it to Doris (sequence-partial-update.ts): `leftOut`,
	 * a fixed partial update whose Columns do not name it, reads nothing of the row for it; `perRow`, a
	 * flexible partial update, keeps the stored value for a row lacking the field. Absent: every row
	 * needs a value (row-rejections.ts missingSequence).
	 */
	sequenceInPartialUpdate?: SequenceInPartialUpdate;
}

/**
 * What a partial update downstream leaves Doris to fill of the sequence column: Doris 2.1, 3.0 and 3.1
 * look a row up without a sequence value when the update does not carry the column, and fill it from the
 * stored row of the key (a new key: the column's default or NULL), so the row applies whatever the stored
 * value (be/src/olap/rowset/segment_v2/segment_writer.cpp and vertical_segment_writer.cpp:
 * `have_input_seq_column` decides both `lookup_row_key(key, have_input_seq_column, ...)` and whether the
 * key is encoded with a sequence suffix; be/src/olap/partial_update_info.cpp `fill_missing_columns`).
 * - `leftOut`: fixed (`partial_columns`), the column not among the `columns` header's names, so not
 *   among the update's columns (FE StreamLoadPlanner adds `__DORIS_SEQUENCE_COL__` to them only with the
 *   mapped column listed or a `function_column.sequence_col` header; LoadScanProvider exempts a partial
 *   update from "need to specify the sequence column"): the row's own value, null or missing, is not read.
 * - `perRow`: flexible (`UPDATE_FLEXIBLE_COLUMNS`, 3.1+), where each line carries its own columns: a line
 *   lacking the field has it in its skip bitmap and keeps the stored value (partial_update_info.cpp
 *   FlexibleReadPlan `row_has_sequence_col`), but a line's explicit null is its value, below any stored one.
 */
export type SequenceInPartialUpdate = 'leftOut' | 'perRow';

export const DEFAULT_ROW_MAPPER_OPTIONS: RowMapperOptions = {
	unknownFields: 'ignore',
	sourcePath: '',
	mapping: [],
	cdc: false,
	dates: { timeZone: 'UTC', epochUnit: 'reject' },
};

export interface Rejection {
	/** null for reasons about the whole item (parse error, envelope, source path). */
	column: string | null;
	value: unknown;
	expected: string;
	rule: RejectRule;
	message: string;
	/** Rule new_column only: the DEFAULT the source declares for the column to add (column-types.ts, connectDefault). */
	columnDefault?: string;
}

export type MapResult = { ok: true; row: Record<string, unknown> } | { ok: false; reasons: Rejection[] };
