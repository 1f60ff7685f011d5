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
}

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
