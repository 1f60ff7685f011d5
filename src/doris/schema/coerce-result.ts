/**
 * What a value handler answers when a value cannot load: the INVALID marker, and a reused FailSlot
 * saying the rule and the detail. Shared by the type handlers (coerce-type.ts), the value helpers
 * (coerce-values.ts) and the row mapper, which turns a filled slot into the reason on the Invalid output.
 */
/** Returned by a handler instead of a value when the value cannot load; details are in the FailSlot. */
export const INVALID: unique symbol = Symbol('invalid');

export type RejectRule =
	| 'type'
	| 'not_integer'
	| 'unsafe_integer'
	| 'range'
	| 'precision'
	| 'too_long'
	| 'date_format'
	| 'date_range'
	/** A number in a DATE / DATETIME column without the Epoch Unit option saying what it counts. */
	| 'epoch_unit'
	/** A value that does not fit the logical type its Connect schema declares (e.g. a Decimal that is not base64). */
	| 'logical_type'
	| 'not_null'
	| 'unknown_field'
	| 'unsupported'
	| 'envelope'
	| 'parse_error'
	/** Only with Continue On Fail: the table schema could not be read, or the node could not map the execution at all, so nothing was coerced. */
	| 'schema'
	/** Doris refused the row at load time (the Doris Stream Load node's Rejected output); the message is Doris' reason. */
	| 'doris_rejected'
	/** Not refused itself: it did not load while other rows of its execution did (Doris Stream Load's Rejected output). */
	| 'doris_not_loaded'
	/** In a load Doris committed without counting every row sent: it may or may not be in Doris (Doris Stream Load's Rejected output). */
	| 'doris_uncounted'
	/** Its key is not stored yet: Doris 2.1 / 3.0 refuse such a row in a partial update in strict mode (Doris Stream Load's Rejected output). */
	| 'doris_new_key'
	/** The message's target table is unknown, missing, or could not be created (Table From, Create Tables). */
	| 'table'
	/** A field the table has no column for, which schema evolution adds (the row is mapped again after). */
	| 'new_column'
	/** A CDC delete without a value for the table's sequence column: Doris would load it and ignore it. */
	| 'delete_sequence'
	/** A delete without a value for one of the table's key columns: Doris would fill it and delete another key's row, none. */
	| 'delete_key'
	/** A CDC update whose before and after differ in a key column of the Doris table: the old key's row would stay. */
	| 'key_changed'
	/** An upsert whose sequence value would be NULL: Doris keeps a stored row of its key over it. */
	| 'null_sequence'
	/** An upsert lacking its sequence field, which a constant DEFAULT would fill: Doris keeps a newer stored row over it. */
	| 'missing_sequence'
	/** A record read from inside the item has a field Add Kafka Fields also sets (trigger-fields.ts). */
	| 'reserved_field'
	/** A CDC delete into a table that is not UNIQUE KEY: Doris would load the deleted row as a new one (Doris Schema's Invalid output; Doris Stream Load's Rejected output with the sign). */
	| 'delete_unsupported'
	/** Debezium's placeholder for a value it did not receive (an unchanged TOASTed value): it would overwrite the stored one. */
	| 'unavailable_value'
	/** With Format CSV, a value a CSV line cannot carry as Doris reads it back (the separator, a line break, the text \\N): Doris Stream Load's Rejected output. */
	| 'csv_unwritable'
	/** A row flagged as a delete (__DORIS_DELETE_SIGN__ 1) while Doris Stream Load's Deletes (CDC) is Never: it would load as an upsert of the deleted row (Rejected output). */
	| 'delete_not_applied'
	/** A row flagged as a delete from a Kafka trigger whose Keep Order per Partition is off: an older change could land after it and bring the row back (Doris Stream Load's Rejected output). */
	| 'delete_unordered'
	/** A row field Doris would not read under Doris Stream Load's Columns, JSON Paths or json_root, so it would skip the value without a word (Rejected output). */
	| 'field_not_read'
	/** A packed line nested deeper than MAX_JSON_DEPTH that a check of Doris Stream Load had to read (Rejected output; the trigger refuses such a message as undecodable). */
	| 'json_too_deep'
	/** A record none of whose fields is a column: Doris filters a row that names no column (no-column.ts). */
	| 'no_column';

/** Filled by a failing handler; reused across values. `path` locates a failure inside nested values. */
export interface FailSlot {
	rule: RejectRule;
	detail: string;
	path: string;
}

export interface TypeHandler {
	expected: string;
	/** Coerced JSON-safe value, or INVALID (then `fail` says why). Never called with null/undefined. */
	coerce(value: unknown, fail: FailSlot): unknown;
	/** The coerced value as an element of Doris' nested literal text. */
	literal(coerced: unknown): string;
}

const RULE_TEXT: Record<string, string> = {
	type: 'wrong type',
	not_integer: 'not an integer',
	unsafe_integer: 'an integer beyond 2^53 sent as a JSON number has already lost digits; send it as a string',
	range: 'out of range',
	precision: 'too many digits',
	date_format: 'not a date',
	date_range: 'outside 0000-01-01..9999-12-31',
	epoch_unit: 'a number is read as a date only in the unit the Epoch Unit option names (days, seconds, milliseconds, microseconds); none is set for this column',
};

export function failWith(fail: FailSlot, rule: RejectRule, detail?: string): typeof INVALID {
	fail.rule = rule;
	fail.detail = detail ?? RULE_TEXT[rule] ?? rule;
	return INVALID;
}

export function tooLong(fail: FailSlot, bytes: number, limit: number, setting: string): typeof INVALID {
	return failWith(fail, 'too_long', `${bytes} UTF-8 bytes, limit ${limit} (Doris BE setting ${setting})`);
}

/** Doris BE's default `string_type_length_soft_limit_bytes` (1 MB) for STRING values. */
export const STRING_MAX_BYTES = 1_048_576;
/** Doris BE's default `jsonb_type_length_soft_limit_bytes` (1 MB) for JSON values. */
export const JSON_MAX_BYTES = 1_048_576;

/**
 * The value sizes a Doris cluster accepts, both BE settings (be/src/common/config.cpp; 1 MB each by
 * default, up to 2147483643). A longer value makes Doris filter its row, which fails the whole load
 * at the default max filter ratio 0, so such rows are rejected here with the setting's name.
 */
export interface ValueLimits {
	/** `string_type_length_soft_limit_bytes`: STRING and VARIANT values, in UTF-8 bytes. */
	stringMaxBytes: number;
	/**
	 * `jsonb_type_length_soft_limit_bytes`: JSON values. Doris measures its binary JSONB form; the
	 * check here counts the JSON text's UTF-8 bytes, which is close to it.
	 */
	jsonMaxBytes: number;
}

export const DEFAULT_VALUE_LIMITS: ValueLimits = { stringMaxBytes: STRING_MAX_BYTES, jsonMaxBytes: JSON_MAX_BYTES };

/** The largest value either BE setting takes (be/src/common/config.cpp validators). */
export const MAX_VALUE_LIMIT_BYTES = 2_147_483_643;
