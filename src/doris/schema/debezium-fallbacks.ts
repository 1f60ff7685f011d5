/**
 * A Debezium delete whose `before` image is the key alone, filled out with Debezium's stand-in values:
 * PostgreSQL under its default REPLICA IDENTITY (DEFAULT) logs the old key columns only, and Debezium
 * still writes every column of the table into `before`. PostgresChangeRecordEmitter.columnValues puts
 * the old tuple into an array the size of the table, the other entries stay null, and
 * TableSchemaBuilder.createValueGenerator converts each entry, null included; JdbcValueConverters
 * .convertValue (debezium-connector-common io/debezium/jdbc/JdbcValueConverters.java, debezium at
 * aad5519) gives a null of a NOT NULL column `schemaDefault != null ? schemaDefault : fallback`:
 * 0 / 0L for numbers and io.debezium.time.Date / Time / Timestamp / MicroTimestamp ("epoch is the
 * fallback value"), "" for text, false for booleans, `fallbackTimestampWithTimeZone` (the epoch at
 * UTC, "1970-01-01T00:00:00Z") for ZonedTimestamp, "00:00:00Z" for ZonedTime, "1970-01-01Z" /
 * "1970-01-01T00:00:00Z" for IsoDate / IsoTimestamp, an empty list for arrays, an empty map or "{}"
 * for hstore (PostgresValueConverter). Only nullable columns come as null.
 *
 * A sequence column fed by such a column reads 1970-01-01 (or 0), below every stored row's value, and
 * Doris ignores a delete whose sequence value is below the stored row's (batch-delete manual,
 * "sequence column"): the delete loaded, was counted, and the row stayed. The Doris Schema node used
 * to pass it, as it only looked for a null sequence value (row-rejections.ts missingSequence).
 *
 * How such a delete is told from a real one: the sequence field holds Debezium's stand-in, and either
 * the sequence column is a DATE / DATETIME at the epoch and the message carries no Connect schema of its
 * own (the epoch then decides alone, as the other columns' stand-ins are not known: a constant DEFAULT
 * without the schema's declared default, which a Schema Registry value's schema never carries here; a
 * real row at the epoch, a MySQL zero date that Debezium writes as the epoch or a real 1970-01-01, is
 * refused with it, seen), or every field of `before` that is not a key
 * field holds what Debezium writes for a column the old tuple lacks (an integer sequence value 0 may be
 * real: a first version). With the record's Connect schema: a nullable field is null, a NOT NULL one
 * holds its declared default, else its type's fallback. Without one: each is null or one of the
 * fallback shapes (0, "", false, the epoch texts, an empty list or object). A connector that is known and is not PostgreSQL never gets here: MySQL
 * refuses to stream without binlog_row_image FULL or NOBLOB, so its `before` is the whole row. A real
 * row whose every non-key column is zero or empty is refused too: it goes to Invalid, seen, where the
 * key-only delete vanished.
 */
import { decodeConnectPayload } from '../../common/connect-envelope';
import { JsonText } from '../../common/connect-logical';
import { structFields, type ConnectSchema } from './column-types';
import { FLATTENED_DELETED_FIELD } from './debezium';
import type { Rejection } from './row-mapper-options';
import { safeValue } from './row-rejections';

/** The connector name PostgreSQL's source block carries (debezium-connector-postgres Module.name()). */
export const POSTGRESQL_CONNECTOR = 'postgresql';

/**
 * The field ExtractNewRecordState's `add.fields=source.connector` adds to a flattened record: the
 * prefix "__", then the struct and field joined by "_" (AbstractExtractNewRecordState.FieldReference).
 */
export const FLATTENED_CONNECTOR_FIELD = '__source_connector';

/** Epoch texts Debezium writes as fallbacks, and the forms this package decodes 0 into (logical-values.ts). */
const EPOCH_DATE_TIME_RE = /^1970-01-01(?:[T ]00:00(?::00(?:\.0+)?)?)?(?:Z|[+-]00:?00)?$/;
const MIDNIGHT_RE = /^00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?$/;
/** A zero decimal as text (decimal.handling.mode=string, a decoded Decimal) or as its unscaled bytes (BigDecimal.ZERO: one 0 byte). */
const ZERO_DECIMAL_RE = /^-?0(?:\.0+)?$/;
const ZERO_DECIMAL_BYTES = 'AA==';

/** Whether a value has one of the shapes Debezium fills a NOT NULL column the old tuple lacks with (or is null). */
export function isFallbackShaped(value: unknown): boolean {
	if (value === null || value === undefined || value === false || value === 0 || value === 0n || value === '') return true;
	if (typeof value === 'string') return EPOCH_DATE_TIME_RE.test(value) || MIDNIGHT_RE.test(value) || ZERO_DECIMAL_RE.test(value) || value === ZERO_DECIMAL_BYTES || value === '{}';
	if (value instanceof JsonText) return value.text === '{}' || value.text === '""';
	if (value instanceof Uint8Array) return value.every((b) => b === 0);
	if (Array.isArray(value)) return value.length === 0;
	if (typeof value === 'object') return Object.values(value).every(isFallbackShaped);
	return false;
}

/** Debezium's fallback for a NOT NULL field of this schema, in its Connect encoding; undefined when this node does not know it. */
function fallbackOf(schema: ConnectSchema): unknown {
	switch (schema.name) {
		case 'io.debezium.time.ZonedTimestamp':
		case 'io.debezium.time.IsoTimestamp':
			return '1970-01-01T00:00:00Z';
		case 'io.debezium.time.ZonedTime':
		case 'io.debezium.time.IsoTime':
			return '00:00:00Z';
		case 'io.debezium.time.IsoDate':
			return '1970-01-01Z';
		default:
	}
	switch (schema.type) {
		case 'int8':
		case 'int16':
		case 'int32':
		case 'int64':
		case 'float32':
		case 'float64':
			return 0;
		case 'boolean':
			return false;
		case 'string':
			return '';
		case 'array':
			return [];
		default:
			return undefined;
	}
}

/** Two decoded values alike: numbers by value (a bigint too), exact JSON text by its text, lists and objects entry by entry. */
function sameValue(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (a instanceof JsonText || b instanceof JsonText) return String(a instanceof JsonText ? a.text : a) === String(b instanceof JsonText ? b.text : b);
	if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return String(a) === String(b);
	if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
	return false;
}

/**
 * Whether `value` is what Debezium writes for a column the old tuple lacks, by the field's schema: null
 * when nullable, else the declared default, else the type's fallback (decoded as the record was, so
 * that io.debezium.time.Timestamp's 0 is compared as the wall clock it became).
 */
function holdsStandIn(schema: ConnectSchema, value: unknown): boolean {
	if (schema.optional === true) return value === null || value === undefined;
	const raw = schema.default !== undefined && schema.default !== null ? schema.default : fallbackOf(schema);
	// A type whose fallback this node does not spell (a geometry struct, Bits): its shape decides.
	if (raw === undefined) return isFallbackShaped(value);
	const decoded = decodeConnectPayload(schema, raw);
	// An Avro schema carries no defaults (avro-connect-schema.ts): the fallback shape stands in for them.
	return (decoded.ok && sameValue(decoded.value, value)) || (schema.default === undefined && isFallbackShaped(value));
}

export interface KeyOnlyDeleteInput {
	/** The delete's record (`before`, or the flattened record), without the trigger's Add Kafka Fields. */
	record: Readonly<Record<string, unknown>>;
	/** The record's Connect schema (the envelope's `before` struct, or the flattened value's), if the message had one. */
	recordSchema: unknown;
	/** The source block's `connector` (or a flattened record's `__source_connector`), if the message says. */
	connector: unknown;
	/** The fields the table's key columns read: the old tuple has them. */
	keyFields: ReadonlySet<string>;
	/** The field the sequence column reads. */
	sequenceField: string;
	/** The sequence column is a DATE / DATETIME: a stand-in there is the epoch. */
	temporalSequence: boolean;
	/**
	 * `recordSchema` came with the message (a `{schema, payload}` envelope, schemas.enable=true), which
	 * declares every NOT NULL column's default: then what Debezium wrote for a column the old tuple lacks is
	 * known for each field (the declared default, else the type's fallback), and the epoch need not decide
	 * alone. Not for a Schema Registry value's schema, which this package reads without defaults.
	 */
	defaultsKnown?: boolean;
	/** Fields of the record that are not the source table's (the item's own, the trigger's Kafka fields). */
	notSource?: (name: string) => boolean;
}

/**
 * Whether a delete's sequence value is Debezium's stand-in in a key-only `before` image (see the file's
 * header): the sequence field and every other non-key field hold what Debezium writes for a column the
 * old tuple lacks. Fields Debezium's SMTs add (`__deleted`, `__op`, `__source_…`: the "__" prefix) are
 * no columns of the source table and are not looked at.
 */
export function isKeyOnlyDelete(input: KeyOnlyDeleteInput): boolean {
	const { record, connector, keyFields, sequenceField } = input;
	if (connector !== undefined && connector !== null && connector !== POSTGRESQL_CONNECTOR) return false;
	const sequenceValue = record[sequenceField];
	if (sequenceValue === null || sequenceValue === undefined) return false;
	const declared = structFields(input.recordSchema);
	const sequenceSchema = declared.get(sequenceField);
	const standIn = (name: string, value: unknown): boolean => {
		const schema = declared.get(name);
		return schema === undefined ? isFallbackShaped(value) : holdsStandIn(schema, value);
	};
	if (sequenceSchema?.optional === true || !standIn(sequenceField, sequenceValue)) return false;
	// Without the declared defaults a NOT NULL column with a constant DEFAULT (Debezium writes the default,
	// which no shape tells from a value) would hide a key-only delete: the epoch decides alone. With them, a
	// whole row at the epoch (a MySQL zero date Debezium writes as the epoch, a real 1970-01-01 under
	// REPLICA IDENTITY FULL) shows real values and loads (late review session 20, K2).
	if (input.temporalSequence && input.defaultsKnown !== true && isFallbackShaped(sequenceValue)) return true;
	for (const name of Object.keys(record)) {
		if (name === sequenceField || keyFields.has(name) || name === FLATTENED_DELETED_FIELD || name.startsWith('__') || input.notSource?.(name) === true) continue;
		if (!standIn(name, record[name])) return false;
	}
	return true;
}

/**
 * The reason a delete whose sequence value is Debezium's stand-in goes to Invalid (rule
 * `delete_sequence`, as for a delete without one): `value` is the record's field, `loaded` what the
 * column would have got.
 */
export function keyOnlyDeleteSequence(table: string, column: string, field: string, expected: string, value: unknown, loaded: unknown): Rejection {
	return {
		column,
		value: safeValue(value),
		expected,
		rule: 'delete_sequence',
		message:
			`this delete's value for the sequence column "${column}" of ${table} is ${JSON.stringify(safeValue(loaded))} (field "${field}"), ` +
			'what Debezium writes for a NOT NULL column the source did not send: PostgreSQL under its default REPLICA IDENTITY logs only the key of a deleted row, and Debezium fills every other NOT NULL column with 0, "" or the epoch. ' +
			`Doris ignores a delete whose sequence value is below the stored row's, so the row would stay; make the source send the whole row (PostgreSQL: ALTER TABLE … REPLICA IDENTITY FULL)`,
	};
}
