/**
 * The Doris column type for a field the sinker adds to a table (schema evolution) or creates a table
 * with: from the Kafka Connect schema the producer declared (Debezium with `schemas.enable`), else
 * inferred from a JSON value. Types that lose nothing are preferred over narrow ones.
 *
 * Connect → Doris (Debezium's "How the connector maps data types", doris-kafka-connector's type table):
 * int8/16/32/64 → TINYINT/SMALLINT/INT/BIGINT, float32/64 → FLOAT/DOUBLE, boolean → BOOLEAN,
 * Decimal(p, s) → DECIMAL(p, s) (p ≤ 38; beyond, STRING keeps every digit), VariableScaleDecimal →
 * STRING (no fixed scale to store it in), Date / IsoDate → DATE, Timestamp → DATETIME(3), MicroTimestamp /
 * NanoTimestamp / ZonedTimestamp / IsoTimestamp → DATETIME(6) (Doris keeps at most microseconds), every Time type →
 * STRING (Doris has no TIME column), Json → JSON, arrays of scalars → ARRAY<…>, maps and structs →
 * JSON, string → STRING, or VARCHAR(4 × length) when Debezium propagates the source column's length
 * (`column.propagate.source.type`): Doris counts VARCHAR in bytes, a MySQL utf8mb4 character takes up
 * to 4.
 *
 * Doris' own rules for key columns (fe-core analysis ColumnDef.analyze and nereids ColumnDefinition
 * `checkKeyColumnType`, Doris 2.1 / 3.0 / 3.1 alike):
 * no STRING ("String Type should not be used in key column"), no FLOAT / DOUBLE, no JSON / ARRAY /
 * MAP / STRUCT. A string key becomes VARCHAR(65533), the longest VARCHAR; the others are refused with
 * the reason.
 */
import { connectLogicalDecoder, JsonText } from '../../common/connect-logical';

/** A Connect schema as the JSON converter writes it (org.apache.kafka.connect.json.JsonSchema). */
export interface ConnectSchema {
	type?: unknown;
	name?: unknown;
	optional?: unknown;
	parameters?: Record<string, string>;
	field?: unknown;
	fields?: unknown;
	items?: unknown;
	/** The field's default value, in the field's Connect encoding (a Date's days, a Decimal's base64 bytes). */
	default?: unknown;
}

export interface ColumnSpec {
	name: string;
	/** Doris type as in CREATE TABLE / ADD COLUMN. */
	type: string;
	nullable: boolean;
	/** The source column's DEFAULT as Doris reads it in `DEFAULT "…"` (connectDefault), when there is one Doris takes. */
	defaultValue?: string;
}

export interface TypeRefusal {
	refused: string;
}

export const MAX_VARCHAR_BYTES = 65_533;
const MAX_DECIMAL_PRECISION = 38;
/** Bytes per character of the widest UTF-8 a source may send (MySQL utf8mb4). */
const BYTES_PER_CHARACTER = 4;

const BY_NAME: Record<string, string> = {
	'io.debezium.time.Date': 'DATE',
	'org.apache.kafka.connect.data.Date': 'DATE',
	'io.debezium.time.Timestamp': 'DATETIME(3)',
	'org.apache.kafka.connect.data.Timestamp': 'DATETIME(3)',
	'io.debezium.time.MicroTimestamp': 'DATETIME(6)',
	'io.debezium.time.NanoTimestamp': 'DATETIME(6)',
	'io.debezium.time.ZonedTimestamp': 'DATETIME(6)',
	'io.debezium.time.IsoTimestamp': 'DATETIME(6)',
	'io.debezium.time.IsoDate': 'DATE',
	'io.debezium.time.Time': 'STRING',
	'io.debezium.time.MicroTime': 'STRING',
	'io.debezium.time.NanoTime': 'STRING',
	'io.debezium.time.ZonedTime': 'STRING',
	'io.debezium.time.IsoTime': 'STRING',
	'org.apache.kafka.connect.data.Time': 'STRING',
	'io.debezium.data.VariableScaleDecimal': 'STRING',
	'io.debezium.data.Json': 'JSON',
	'io.debezium.data.Uuid': 'VARCHAR(36)',
};

const BY_TYPE: Record<string, string> = {
	int8: 'TINYINT',
	int16: 'SMALLINT',
	int32: 'INT',
	int64: 'BIGINT',
	float32: 'FLOAT',
	float64: 'DOUBLE',
	boolean: 'BOOLEAN',
	bytes: 'STRING',
	map: 'JSON',
	struct: 'JSON',
};

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decimalType(parameters: Record<string, string> | undefined): string {
	const scale = Number(parameters?.scale ?? 0);
	const declared = Number(parameters?.['connect.decimal.precision']);
	// Without a declared precision (Kafka Connect itself never sets one) the widest DECIMAL holds it.
	const precision = Number.isInteger(declared) && declared > 0 ? declared : MAX_DECIMAL_PRECISION;
	if (!Number.isInteger(scale) || scale < 0 || precision > MAX_DECIMAL_PRECISION || scale > precision) return 'STRING';
	return `DECIMAL(${precision}, ${scale})`;
}

function stringType(parameters: Record<string, string> | undefined): string {
	const length = Number(parameters?.['__debezium.source.column.length']);
	if (!Number.isInteger(length) || length <= 0) return 'STRING';
	const bytes = length * BYTES_PER_CHARACTER;
	return bytes <= MAX_VARCHAR_BYTES ? `VARCHAR(${bytes})` : 'STRING';
}

/** The Doris type of a value column declared by `schema`, before the key rules. */
function valueType(schema: ConnectSchema): string {
	const name = typeof schema.name === 'string' ? schema.name : '';
	if (name === 'org.apache.kafka.connect.data.Decimal') return decimalType(schema.parameters);
	const named = BY_NAME[name];
	if (named !== undefined) return named;
	const type = typeof schema.type === 'string' ? schema.type : '';
	if (type === 'string') return stringType(schema.parameters);
	if (type === 'array') {
		const element = isObject(schema.items) ? valueType(schema.items as ConnectSchema) : 'JSON';
		return element === 'JSON' ? 'JSON' : `ARRAY<${element}>`;
	}
	return BY_TYPE[type] ?? 'STRING';
}

/** A type Doris takes in a key column, or why there is none. */
function keyType(type: string, column: string): string | TypeRefusal {
	if (type === 'STRING') return `VARCHAR(${MAX_VARCHAR_BYTES})`;
	if (type === 'FLOAT' || type === 'DOUBLE') return { refused: `key column "${column}" is ${type}, which Doris refuses in a key ("Float or double can not used as a key")` };
	if (type === 'JSON' || type.startsWith('ARRAY')) return { refused: `key column "${column}" is ${type}, which Doris refuses in a key` };
	return type;
}

/** The column for a field declared by a Connect schema, with the DEFAULT the schema declares (connectDefault). */
export function columnFromConnect(name: string, schema: ConnectSchema, key: boolean): ColumnSpec | TypeRefusal {
	const type = valueType(schema);
	const defaultValue = connectDefault(schema, type);
	const withDefault = defaultValue === undefined ? {} : { defaultValue };
	if (!key) return { name, type, nullable: true, ...withDefault };
	const chosen = keyType(type, name);
	return typeof chosen === 'string' ? { name, type: chosen, nullable: false, ...withDefault } : chosen;
}

/** Doris types whose DEFAULT is read from text as the Connect value prints (Doris' ColumnDef.validateDefaultValue). */
const DEFAULT_FROM_TEXT = /^(TINYINT|SMALLINT|INT|BIGINT|LARGEINT|DOUBLE|BOOLEAN|DATE|STRING|VARCHAR\(\d+\)|DECIMAL\(\d+, ?\d+\))$/;

/**
 * The source column's DEFAULT for `DEFAULT "…"`, from the Connect field schema's `default` (Debezium
 * declares the source column's default there): a column added to a table that holds rows gives them its
 * default in MySQL without a change event for them, and Doris reads a column missing from older segments
 * as the column's DEFAULT (be/src/olap/rowset/segment_v2/column_reader.h, DefaultValueColumnIterator),
 * so without it every such row read NULL in Doris and the default at the source, quietly.
 * doris-kafka-connector adds it the same way (SchemaChangeHelper.buildAddColumnDDL).
 * Left out (undefined), the column then defaulting to NULL as before:
 * - JSON, ARRAY, MAP, STRUCT, VARIANT: Doris takes only NULL there (nereids ColumnDefinition.validate);
 * - FLOAT: Doris refuses a default its FloatLiteral reads as a DOUBLE ("Default value will loose precision");
 * - DATETIME (Timestamp, MicroTimestamp, ZonedTimestamp): Debezium reports MySQL's CURRENT_TIMESTAMP default
 *   as the epoch, which is no default anyone wrote; bytes: base64 of what the source holds;
 * - a default that does not decode along its logical type.
 */
export function connectDefault(schema: ConnectSchema, type: string): string | undefined {
	const value = schema.default;
	if (value === undefined || value === null || !DEFAULT_FROM_TEXT.test(type)) return undefined;
	const name = typeof schema.name === 'string' ? schema.name : '';
	if (schema.type === 'bytes' && name === '') return undefined;
	const decoder = connectLogicalDecoder(name);
	let decoded: unknown = value;
	if (decoder !== undefined) {
		try {
			decoded = decoder(value, schema.parameters);
		} catch {
			return undefined;
		}
	}
	if (typeof decoded === 'string') return decoded;
	if (typeof decoded === 'boolean') return decoded ? 'true' : 'false';
	if ((typeof decoded === 'number' && Number.isFinite(decoded)) || typeof decoded === 'bigint') return String(decoded);
	return undefined;
}

/**
 * The column for a field known only by a value (plain JSON): BOOLEAN, BIGINT for whole numbers,
 * DOUBLE for others, STRING for text (and numbers beyond 2^53, which arrive as text), JSON for
 * objects and arrays. undefined for null: nothing to infer from, and nothing lost by waiting.
 */
export function inferColumn(name: string, value: unknown, key: boolean): ColumnSpec | TypeRefusal | undefined {
	let type: string;
	if (value === null || value === undefined) return undefined;
	if (typeof value === 'boolean') type = 'BOOLEAN';
	else if (typeof value === 'number') type = Number.isInteger(value) ? 'BIGINT' : 'DOUBLE';
	else if (typeof value === 'bigint') type = 'LARGEINT';
	else if (typeof value === 'string') type = 'STRING';
	else if (value instanceof JsonText || typeof value === 'object') type = 'JSON';
	else return undefined;
	if (!key) return { name, type, nullable: true };
	const chosen = keyType(type, name);
	return typeof chosen === 'string' ? { name, type: chosen, nullable: false } : chosen;
}

const INTEGER_DIGITS: Record<string, number> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19, LARGEINT: 39 };
const INTEGER_ORDER = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT'];

function decimalParts(type: string): { precision: number; scale: number } | undefined {
	const m = /^DECIMAL\((\d+), ?(\d+)\)$/.exec(type);
	return m === null ? undefined : { precision: Number(m[1]), scale: Number(m[2]) };
}

/** DECIMAL with `whole` digits before the point and `scale` after, or STRING past Doris' 38. */
function decimalOf(whole: number, scale: number): string {
	return whole + scale <= MAX_DECIMAL_PRECISION ? `DECIMAL(${whole + scale}, ${scale})` : 'STRING';
}

function isText(type: string): boolean {
	return type === 'STRING' || /^(VAR)?CHAR\(\d+\)$/.test(type);
}

function dateTimePrecision(type: string): number | undefined {
	if (type === 'DATE') return -1;
	const m = /^DATETIME(?:\((\d)\))?$/.exec(type);
	return m === null ? undefined : Number(m[1] ?? 0);
}

/**
 * The narrowest column type that takes every value of columns `a` and `b` (types as columnFromConnect
 * and inferColumn write them) without losing any: what schema evolution adds when the rows of one
 * execution disagree on a new field's type. Integers widen to the wider integer; integers and
 * FLOAT / DOUBLE to DOUBLE (inferred whole numbers are within 2^53), LARGEINT and DOUBLE to STRING;
 * DECIMALs to the DECIMAL holding both (integers count their digits), STRING past 38 digits or with
 * FLOAT / DOUBLE; DATE and DATETIME to the finer DATETIME; VARCHARs to the longer. BOOLEAN with
 * anything else, and any other mix of scalars, is STRING (it takes every scalar as its text); JSON
 * with anything, or two different ARRAYs, is JSON (it takes every value as a JSON value).
 */
export function widerColumnType(a: string, b: string): string {
	if (a === b) return a;
	if (a === 'JSON' || b === 'JSON' || a.startsWith('ARRAY') || b.startsWith('ARRAY')) return 'JSON';
	if (a === 'BOOLEAN' || b === 'BOOLEAN') return 'STRING';
	if (isText(a) || isText(b)) {
		const length = (t: string) => Number(/^VARCHAR\((\d+)\)$/.exec(t)?.[1] ?? NaN);
		const longer = Math.max(length(a), length(b));
		return Number.isFinite(longer) ? `VARCHAR(${longer})` : 'STRING';
	}
	const [da, db] = [dateTimePrecision(a), dateTimePrecision(b)];
	if (da !== undefined || db !== undefined) {
		if (da === undefined || db === undefined) return 'STRING';
		const finer = Math.max(da, db);
		return finer > 0 ? `DATETIME(${finer})` : 'DATETIME';
	}
	const [ia, ib] = [INTEGER_ORDER.indexOf(a), INTEGER_ORDER.indexOf(b)];
	if (ia >= 0 && ib >= 0) return INTEGER_ORDER[Math.max(ia, ib)];
	const floating = (t: string) => t === 'FLOAT' || t === 'DOUBLE';
	if (floating(a) || floating(b)) {
		const other = floating(a) ? b : a;
		if (floating(other)) return 'DOUBLE';
		if (other === 'LARGEINT' || decimalParts(other) !== undefined || INTEGER_DIGITS[other] === undefined) return 'STRING';
		return 'DOUBLE';
	}
	const [xa, xb] = [decimalParts(a), decimalParts(b)];
	if (xa !== undefined || xb !== undefined) {
		const whole = (t: string, d: { precision: number; scale: number } | undefined) => (d === undefined ? (INTEGER_DIGITS[t] ?? NaN) : d.precision - d.scale);
		const digits = Math.max(whole(a, xa), whole(b, xb));
		return Number.isFinite(digits) ? decimalOf(digits, Math.max(xa?.scale ?? 0, xb?.scale ?? 0)) : 'STRING';
	}
	return 'STRING';
}

/** The schemas of a Connect struct's fields, by field name. */
export function structFields(schema: unknown): Map<string, ConnectSchema> {
	const out = new Map<string, ConnectSchema>();
	if (!isObject(schema) || !Array.isArray(schema.fields)) return out;
	for (const field of schema.fields) if (isObject(field) && typeof field.field === 'string') out.set(field.field, field as ConnectSchema);
	return out;
}

/** The schema of the struct at `path` inside `schema` (field names), or undefined. */
export function schemaAt(schema: unknown, path: readonly string[]): ConnectSchema | undefined {
	let current: unknown = schema;
	for (const segment of path) {
		current = structFields(current).get(segment);
		if (current === undefined) return undefined;
	}
	return isObject(current) ? (current as ConnectSchema) : undefined;
}

/**
 * Types Doris accepts for a sequence column: `isFixedPointType() || isDateType()`, else "Sequence type
 * only support integer types and date types" (fe-core common/util/PropertyAnalyzer.java
 * `analyzeSequenceType`, InternalCatalog for `function_column.sequence_col`).
 */
export function isSequenceType(type: string): boolean {
	return /^(TINYINT|SMALLINT|INT|BIGINT|LARGEINT|DATE|DATETIME(\(\d\))?)$/.test(type);
}
