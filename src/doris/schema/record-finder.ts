/**
 * Where an item's record is: the first half of RowMapper.map (row-mapper.ts), which then maps the
 * record's fields onto the table's columns. Rules, in order: a parse error from the trigger
 * (`_parseError`) rejects the item; an item in Kafka Connect's `{schema, payload}` form has its
 * payload decoded along the schema (logical types such as io.debezium.time.Date or Decimal,
 * src/common/connect-envelope.ts), a value that does not fit its declared type rejecting the item; the
 * source path (e.g. `payload.after`) selects the record; in CDC mode the record is a Debezium envelope;
 * a row that is its own delete at the item's top level (a tombstone's key row) is read there, past both;
 * a record read from inside the item takes the trigger's Add Kafka Fields from its top level
 * (trigger-fields.ts).
 *
 * A base class of RowMapper rather than a function returning what it found, because this runs per
 * message: the item's record goes on to mapRecord as arguments, with no result object per item and
 * no call more than when it was one class.
 */
import { decodeConnectPayload, isConnectEnvelope } from '../../common/connect-envelope';
import { DELETE_SIGN_COLUMN, DORIS_FIELD, PARSE_ERROR_FIELD, type ParseErrorInfo } from '../../common/item-contract';
import { splitPath, type ColumnPlan } from './column-plans';
import { isDebeziumShaped, unwrapDebezium, type EnvelopeResult } from './debezium';
import { valueSchemaOf } from './new-columns';
import type { MapResult, RowMapperOptions } from './row-mapper-options';
import { deleteUnsupported, notAnObject, safeValue, undecodedMessage } from './row-rejections';
import { withOwnDorisField } from './reserved-line-fields';
import { kafkaFieldsOf, takenKafkaField, withKafkaFields } from './trigger-fields';
import type { TableSchema } from './types';

/** The value at `path` (segments) inside `value`; undefined where a step is no object or lacks its own field of that name. */
export function readPath(value: unknown, path: string[]): unknown {
	let cur = value;
	for (const seg of path) {
		if (typeof cur !== 'object' || cur === null) return undefined;
		cur = ownField(cur as Record<string, unknown>, seg);
	}
	return cur;
}

/** The record's own field `key`; never a property every object inherits (`constructor`, `toString`, …). */
export function ownField(rec: Readonly<Record<string, unknown>>, key: string): unknown {
	return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

export abstract class RecordFinder {
	protected readonly sourcePath: string[];
	private readonly envelope: EnvelopeResult = { ok: false, record: null, deleted: false, detail: '', connector: undefined, previous: null };
	/**
	 * The record mapFrom found, before the trigger's Add Kafka Fields joined it, and the Debezium source
	 * block's connector: what a delete's `before` image held (debezium-fallbacks.ts). Set per call.
	 */
	protected foundRecord: Readonly<Record<string, unknown>> | null = null;
	protected foundConnector: unknown = undefined;
	/** The trigger's Add Kafka Fields names of the item the record was found in (its top level holds them). */
	protected foundKafkaFields: readonly string[] = [];
	/** A Debezium update's `before` image, else null (key-changes.ts). Set per call. */
	protected foundPrevious: Readonly<Record<string, unknown>> | null = null;
	/** Whether a Field Mapping takes `__DORIS_DELETE_SIGN__` into a column (a soft delete flag, data). */
	protected readonly mapsDeleteSign: boolean;
	/** Doris would drop a delete's sign: not a UNIQUE KEY table, or one without the hidden sign (deleteUnsupported). */
	protected readonly deletesDropped: boolean;
	/** A column or Field Mapping reads the field `_doris` (mapItem). */
	private readonly readsDorisField: boolean;

	constructor(
		readonly schema: TableSchema,
		readonly options: RowMapperOptions,
		plans: readonly ColumnPlan[],
	) {
		this.sourcePath = splitPath(options.sourcePath);
		this.mapsDeleteSign = options.mapping.some((m) => splitPath(m.field.trim())[0] === DELETE_SIGN_COLUMN);
		this.deletesDropped = schema.keyModel !== null && (schema.keyModel !== 'UNIQUE' || schema.deleteSign === false);
		this.readsDorisField = plans.some((p) => (p.path?.[0] ?? p.key) === DORIS_FIELD);
	}

	/** The source path as segments (empty: the item itself is the record). */
	get sourcePathSegments(): readonly string[] {
		return this.sourcePath;
	}

	/**
	 * RowMapper's half: the row of the record mapFrom found. `connectSchema` describes the record's item
	 * (`schemaOfItem`) or its `{schema, payload}` envelope's payload; `envelopeDeleted`: the Debezium
	 * envelope is a delete; `ownRow`: the record carries its own delete sign at the item's top level
	 * (isOwnDeleteRow).
	 */
	protected abstract mapRecord(rec: Record<string, unknown>, connectSchema: unknown, schemaOfItem: boolean, envelopeDeleted: boolean, ownRow: boolean): MapResult;

	/**
	 * Whether the item is a row carrying its own delete sign at its top level where the source path or
	 * the Debezium envelope would find no record: with the Envelopes (CDC) option on, an item that is
	 * no envelope (`op` nowhere); with a source path, one that leads nowhere. A Field Mapping from the
	 * sign keeps it as data, as with the option off. Only the sign the trigger writes (the number 1): a
	 * record with the sign 0 there is no delete, and read past the path or envelope its top-level fields
	 * loaded as an upsert nobody asked for, where it went to Invalid before.
	 */
	private isOwnDeleteRow(item: Record<string, unknown>, record: unknown): boolean {
		if (item[DELETE_SIGN_COLUMN] !== 1 || this.mapsDeleteSign) return false;
		if (this.options.cdc) return !isDebeziumShaped(record);
		return this.sourcePath.length > 0 && record === undefined;
	}

	/** RowMapper.map and mapItem: the item's record, then its row (mapRecord). */
	protected mapFrom(json: Record<string, unknown>, kafkaFields: readonly string[] | undefined, perMessageItem: boolean, lineSchema?: unknown): MapResult {
		const parseError = json[PARSE_ERROR_FIELD];
		if (parseError !== undefined && parseError !== null) return { ok: false, reasons: [undecodedMessage(parseError as Partial<ParseErrorInfo>)] };
		let item = json;
		const connectSchema = isConnectEnvelope(json) ? json.schema : undefined;
		if (isConnectEnvelope(json)) {
			const decoded = decodeConnectPayload(json.schema, json.payload);
			if (!decoded.ok) {
				const f = decoded.failure;
				return { ok: false, reasons: [{ column: null, value: safeValue(f.value), expected: f.type, rule: 'logical_type', message: f.message }] };
			}
			item = { ...json, payload: decoded.value };
		}
		let record: unknown = this.sourcePath.length === 0 ? item : readPath(item, this.sourcePath);
		let deleted = false;
		// A row that is its own delete at the item's top level, as the Kafka Trigger's Tombstones "Delete
		// the Row of Its Key" builds it (the key's fields and the sign): no source path and no envelope
		// applies to it. Read through them, the delete of a tombstone went to Invalid ("does not lead to
		// an object", "not a Debezium envelope") on the very topics whose values need them.
		const ownRow = this.isOwnDeleteRow(item, record);
		if (ownRow) record = item;
		if (this.options.cdc && !ownRow) {
			const env = unwrapDebezium(record, this.envelope);
			if (!env.ok) return { ok: false, reasons: [{ column: null, value: null, expected: 'a Debezium envelope', rule: 'envelope', message: env.detail }] };
			record = env.record;
			deleted = env.deleted;
			if (deleted && this.deletesDropped) return { ok: false, reasons: [deleteUnsupported(this.schema, this.schema.keyModel ?? 'UNIQUE', 'envelope')] };
		}
		if (typeof record !== 'object' || record === null || Array.isArray(record)) return { ok: false, reasons: [notAnObject(record, this.sourcePath.length > 0 ? this.options.sourcePath : '')] };
		let rec = record as Record<string, unknown>;
		this.foundRecord = rec;
		this.foundKafkaFields = kafkaFields ?? kafkaFieldsOf(json[DORIS_FIELD]);
		this.foundConnector = this.options.cdc && !ownRow ? this.envelope.connector : undefined;
		this.foundPrevious = this.options.cdc && !ownRow ? this.envelope.previous : null;
		// Add Kafka Fields sit at the item's top level: a record read from inside the item takes them too,
		// unless it has one of their names itself (trigger-fields.ts).
		if (rec !== item && rec !== json) {
			const names = kafkaFields ?? kafkaFieldsOf(json[DORIS_FIELD]);
			if (names.length > 0) {
				const taken = takenKafkaField(rec, json, names, this.recordOrigin(deleted, connectSchema !== undefined));
				if (taken !== undefined) return { ok: false, reasons: [taken] };
				rec = withKafkaFields(rec, json, names);
			}
		}
		if (perMessageItem && this.readsDorisField && (rec === item || rec === json)) rec = withOwnDorisField(rec, json);
		// Without an envelope, a Schema Registry value's Connect schema (item-contract.ts) describes the item:
		// for Add New Columns, and to tell Debezium's stand-in values in a delete (debezium-fallbacks.ts).
		if (connectSchema === undefined) return this.mapRecord(rec, lineSchema ?? valueSchemaOf(json), true, deleted, ownRow);
		return this.mapRecord(rec, connectSchema, false, deleted, ownRow);
	}

	/** Where map() read a record from, for a reason: the envelope's after / before, the Source Path. */
	private recordOrigin(deleted: boolean, connect: boolean): string {
		const path = this.options.sourcePath.trim();
		const at = path === '' ? '' : ` at Source Path "${path}"${connect ? ' (a Kafka Connect payload)' : ''}`;
		return this.options.cdc ? `the Debezium envelope's "${deleted ? 'before' : 'after'}"${at}` : at.trim();
	}
}
