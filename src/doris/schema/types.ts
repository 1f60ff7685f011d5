/**
 * The model of a Doris table schema that the reader produces (auto mode), the column list produces
 * (manual mode) and the coercer compiles. Types are normalised: DATEV2 is DATE, DATETIMEV2(p) is
 * DATETIME(p), DECIMALV3 / DECIMAL32 / DECIMAL64 / DECIMAL128I / DECIMAL256 are DECIMAL(p,s), TEXT is
 * STRING, JSONB is JSON; Doris prints both spellings depending on version and statement.
 */

export type IntegerTypeName = 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'LARGEINT';

export type DorisType =
	| { kind: 'boolean' }
	| { kind: 'integer'; name: IntegerTypeName }
	| { kind: 'float'; name: 'FLOAT' | 'DOUBLE' }
	| { kind: 'decimal'; precision: number; scale: number }
	| { kind: 'date' }
	| { kind: 'datetime'; precision: number }
	| { kind: 'char'; length: number }
	| { kind: 'varchar'; length: number }
	| { kind: 'string' }
	| { kind: 'json' }
	| { kind: 'variant' }
	| { kind: 'ipv4' }
	| { kind: 'ipv6' }
	/**
	 * `elementNotNull`: Doris prints `ARRAY<NOT_NULL(T)>` for an array whose elements cannot be null
	 * (fe-common catalog/ArrayType.java toSql, `containsNull` false).
	 */
	| { kind: 'array'; element: DorisType; elementNotNull?: boolean }
	| { kind: 'map'; key: DorisType; value: DorisType }
	| { kind: 'struct'; fields: StructField[] }
	/** HLL, BITMAP, QUANTILE_STATE, AGG_STATE: not loadable from plain JSON values. */
	| { kind: 'opaque'; name: string }
	/** A type this parser does not know (a newer Doris): values pass through; Doris judges them. */
	| { kind: 'unknown'; name: string };

export interface StructField {
	name: string;
	type: DorisType;
}

export type KeyModel = 'DUPLICATE' | 'UNIQUE' | 'AGGREGATE';

export interface ColumnSchema {
	name: string;
	type: DorisType;
	/** Doris' own spelling of the type as read (DESC) or written (manual list); for messages. */
	typeText: string;
	nullable: boolean;
	/** True when the column has a DEFAULT (or is AUTO_INCREMENT): a missing value is then fine. */
	hasDefault: boolean;
	/** The default as Doris printed it (null when none or DEFAULT NULL). */
	defaultValue: string | null;
	isKey: boolean;
	/** DESC's Extra: NONE / SUM / REPLACE / ... ; '' for key columns; may hold AUTO_INCREMENT. */
	aggregation: string;
	autoIncrement: boolean;
	/**
	 * A generated column (DESC Extra `STORED GENERATED`): a load computes it from its expression (Nereids
	 * load planning leaves it to bindSink), so it is never filled from a row and never missing.
	 */
	generated?: boolean;
}

export interface TableSchema {
	database: string;
	table: string;
	columns: ColumnSchema[];
	/** null when unknown (manual mode, or SHOW CREATE TABLE unavailable). */
	keyModel: KeyModel | null;
	keyColumns: string[];
	/** The column named by "function_column.sequence_col", if any. */
	sequenceColumn: string | null;
	/** True when the table has a hidden sequence column typed by "function_column.sequence_type". */
	hasSequenceType: boolean;
	/**
	 * UNIQUE KEY merge-on-write (`enable_unique_key_merge_on_write`), which partial updates need;
	 * null when unknown (manual mode, or SHOW CREATE TABLE unavailable).
	 */
	mergeOnWrite?: boolean | null;
	/** The table takes flexible partial updates (`enable_unique_key_skip_bitmap_column`, Doris 3.1+). */
	skipBitmapColumn?: boolean;
	/**
	 * The table has Doris' hidden delete sign column `__DORIS_DELETE_SIGN__` (read with the session
	 * variable show_hidden_columns, reader.ts): true, false, or null / absent when not known. A UNIQUE
	 * KEY table lacks it when created while the FE config enable_batch_delete_by_default was false (or
	 * before Doris 0.13, until ALTER TABLE … ENABLE FEATURE "BATCH_DELETE"); a load then drops the sign
	 * without a word and a delete row loads as an upsert (delete-placeholders.ts).
	 */
	deleteSign?: boolean | null;
	/** Where the schema came from and when (ms since epoch). */
	source: 'auto' | 'manual';
	readAt: number;
}

/** Doris' canonical spelling of a type, upper case (used in rejections as `expected`). */
export function formatType(type: DorisType): string {
	switch (type.kind) {
		case 'boolean':
			return 'BOOLEAN';
		case 'integer':
			return type.name;
		case 'float':
			return type.name;
		case 'decimal':
			return `DECIMAL(${type.precision},${type.scale})`;
		case 'date':
			return 'DATE';
		case 'datetime':
			return type.precision === 0 ? 'DATETIME' : `DATETIME(${type.precision})`;
		case 'char':
			return `CHAR(${type.length})`;
		case 'varchar':
			return `VARCHAR(${type.length})`;
		case 'string':
			return 'STRING';
		case 'json':
			return 'JSON';
		case 'variant':
			return 'VARIANT';
		case 'ipv4':
			return 'IPV4';
		case 'ipv6':
			return 'IPV6';
		case 'array':
			return type.elementNotNull === true ? `ARRAY<NOT_NULL(${formatType(type.element)})>` : `ARRAY<${formatType(type.element)}>`;
		case 'map':
			return `MAP<${formatType(type.key)},${formatType(type.value)}>`;
		case 'struct':
			return `STRUCT<${type.fields.map((f) => `${f.name}:${formatType(f.type)}`).join(',')}>`;
		case 'opaque':
		case 'unknown':
			return type.name;
	}
}
