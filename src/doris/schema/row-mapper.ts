/**
 * Turns one item's JSON into a row ready for Stream Load, or into the list of reasons it cannot load.
 * Compiled once per schema and options: a flat array of column plans (column-plans.ts), each with its
 * source field and its type handler; rows then run one loop with no closures and no regex compilation.
 *
 * map() first finds the item's record (its base class, record-finder.ts: a parse error, a Kafka Connect
 * payload, the source path, a Debezium envelope, Add Kafka Fields); this file maps the record. Rules,
 * in order: the record's own delete marks (a flattened `__deleted`, `__DORIS_DELETE_SIGN__`) are read;
 * unknown fields are ignored or rejected (option); each column takes its field (renamed by the mapping),
 * coerced to the column type. A missing field is left out so Doris fills the column's default or NULL,
 * unless the column is NOT NULL without a default (Doris would fail the row: "The column `x` is not
 * nullable, but it's not found in jsondata", new_json_reader.cpp). An explicit null in a NOT NULL
 * column with a default is left out too (Doris' reader refuses an explicit null there). Every failing
 * column is reported, not just the first.
 *
 * Doris column names ignore case (fe-core catalog/Table.java keeps nameToColumn in a
 * String.CASE_INSENSITIVE_ORDER map; ADD COLUMN `Name` next to `name` is "Can not add column which
 * already exists"), so a column read by its own name takes the field of the exact name, else the
 * first field (in the record's order) that differs from it only in case. That field is the column's:
 * not unmatched, not unknown, never a new column. Another case of a name a column already takes can
 * never get a column of its own: it is a field no column takes, and schema evolution leaves it alone.
 */
import { DELETE_SIGN_COLUMN, DORIS_FIELD, ITEM_OWN_FIELDS, KAFKA_METADATA_FIELD } from '../../common/item-contract';
// From where it is defined: coerce-type's re-export compiles to a getter, called for every column of every row.
import { INVALID, type FailSlot } from './coerce-result';
import { unavailableValue, type UnavailableValue } from './unavailable-value';
import { compileColumnPlans, plansSharingAField, type ColumnPlan } from './column-plans';
import { deletePlaceholders, type DeletePlaceholder } from './delete-placeholders';
import { FLATTENED_DELETED_FIELD, flattenedDeleteMark } from './debezium';
import { FLATTENED_CONNECTOR_FIELD, isKeyOnlyDelete, keyOnlyDeleteSequence } from './debezium-fallbacks';
import { keyChanged } from './key-changes';
import { newColumnReasons, recordSchema } from './new-columns';
import { noColumnRejection, setsNoColumn } from './no-column';
import { ownField, readPath, RecordFinder } from './record-finder';
import type { MapResult, Rejection, RowMapperOptions } from './row-mapper-options';
import { badDeleteMark, deleteKeyMissing, deleteUnsupported, isLoadTimeDefault, missingSequence, notNullInDelete, ownDeleteSign, safeValue, sequenceColumnOf, unknownField, type SequenceColumn } from './row-rejections';
import type { TableSchema } from './types';

export { DEFAULT_ROW_MAPPER_OPTIONS, type ColumnEpochUnit, type FieldMapping, type MapResult, type Rejection, type RowMapperOptions, type SequenceInPartialUpdate, type UnknownFieldPolicy } from './row-mapper-options';

/** No field of the record fills a column in another case (shared, never written). */
const NO_ALIASES: ReadonlyMap<string, string> = new Map();

export class RowMapper extends RecordFinder {
	private readonly plans: ColumnPlan[];
	private readonly knownFields: Set<string>;
	/** Plans of columns read by their own name, by the name in lower case. */
	private readonly foldedPlans: Map<string, ColumnPlan>;
	/** Every column, by its name in lower case: what no field may become a new column as. */
	private readonly columnsByFolded: Map<string, string>;
	/** The table's sequence column (`function_column.sequence_col`): every row must give it a value. */
	private readonly sequence: SequenceColumn | undefined;
	/** The index of the sequence column's plan in columnPlans, or -1 (the packed fast path checks it too). */
	readonly sequencePlan: number;
	/**
	 * A row may lack the sequence field: its DEFAULT is the load's time (row-rejections.ts isLoadTimeDefault),
	 * or a partial update downstream leaves the column to Doris (options.sequenceInPartialUpdate).
	 */
	readonly sequenceMayBeMissing: boolean;
	/** A row's null sequence value is not read: a fixed partial update downstream leaves the column out. */
	readonly sequenceMayBeNull: boolean;
	private readonly fail: FailSlot = { rule: 'type', detail: '', path: '' };
	/**
	 * Where map() counts fields that match no column, by name, while set (mapItems sets it for the
	 * items it maps in this thread): a new field is how a column added to the table first shows.
	 */
	unmatchedSink: Map<string, number> | null = null;
	/** Debezium's placeholder for a value it did not receive (the packed fast path checks it too). */
	readonly unavailable: UnavailableValue;
	/**
	 * Whether a record's `__deleted` is read as Debezium's delete marker (debezium.ts): whenever the
	 * Debezium Envelopes (CDC) option is off, as a flattened record is no envelope (the option refuses
	 * it), and no column takes the field. Ignored, the marker loaded a deleted row as an upsert, so the
	 * row stayed in Doris: a Debezium user who flattens with delete rewriting expects the delete. A table
	 * with a column `__deleted` (any case) or a Field Mapping from it keeps the field as data (soft
	 * deletes), as before.
	 */
	readonly flattenedDeletes: boolean;
	/**
	 * Whether a record's own `__DORIS_DELETE_SIGN__` is read as Doris' delete sign (row-rejections.ts
	 * ownDeleteSign): with the Debezium Envelopes (CDC) option off, unless a Field Mapping takes the
	 * field into a column of its own, which keeps it as data (a soft delete flag, not a delete).
	 */
	private readonly ownDeleteSigns: boolean;
	/** The table's key columns: a delete must name each (deleteKeyMissing). */
	private readonly keyColumns: ReadonlySet<string>;
	/** The record fields the key columns read (a dot path by its first segment): what a key-only `before` holds. */
	private readonly keyFields: ReadonlySet<string>;
	/** The key columns' plans: an update must not change them (key-changes.ts). */
	private readonly keyPlans: readonly ColumnPlan[];
	/** Per plan: what a delete lacking a NOT NULL column without a default carries (delete-placeholders.ts). */
	private readonly placeholders: DeletePlaceholder[];
	/**
	 * Whether no column reads a field named `_doris` or `_kafka` (in any case, by its own name or a Field
	 * Mapping): map() then leaves those, always known and on every item of One Item per Message, out of its
	 * count of a record's keys, and a record whose every other key fills a column skips the search for
	 * unmatched fields (an array of its keys and a set lookup per key, for every row).
	 */
	private readonly itemInfoUnread: boolean;
	/** Plans that may read a field another plan reads too (column-plans.ts plansSharingAField): not counted as keys read. */
	private readonly sharedFieldReads: number;

	constructor(schema: TableSchema, options: RowMapperOptions) {
		const columns = compileColumnPlans(schema, options);
		super(schema, options, columns.plans);
		this.plans = columns.plans;
		this.knownFields = columns.knownFields;
		this.foldedPlans = columns.foldedPlans;
		this.columnsByFolded = new Map(schema.columns.map((c) => [c.name.toLowerCase(), c.name]));
		this.unavailable = unavailableValue(options.unavailableValue);
		this.flattenedDeletes = !options.cdc && !this.knownFields.has(FLATTENED_DELETED_FIELD) && !this.columnsByFolded.has(FLATTENED_DELETED_FIELD);
		// Read, never a column of its own: not unmatched, not unknown, not a column to add (which would
		// turn the deletes after it into soft deletes).
		if (this.flattenedDeletes) this.knownFields.add(FLATTENED_DELETED_FIELD);
		this.ownDeleteSigns = !options.cdc && !this.mapsDeleteSign;
		this.keyColumns = new Set(schema.keyColumns);
		this.keyPlans = this.plans.filter((p) => this.keyColumns.has(p.column));
		this.keyFields = new Set(this.keyPlans.map((p) => p.path?.[0] ?? p.key));
		const folded = schema.sequenceColumn?.toLowerCase();
		this.sequencePlan = folded === undefined ? -1 : this.plans.findIndex((p) => p.column.toLowerCase() === folded);
		this.sequence = sequenceColumnOf(schema, this.plans[this.sequencePlan] as ColumnPlan | undefined);
		const partial = options.sequenceInPartialUpdate;
		this.sequenceMayBeMissing = partial !== undefined || (this.sequence?.hasDefault === true && isLoadTimeDefault(this.sequence.defaultValue));
		this.sequenceMayBeNull = partial === 'leftOut';
		this.placeholders = deletePlaceholders(schema, this.plans);
		const itemInfo = (name: string | null | undefined) => typeof name === 'string' && (name.toLowerCase() === DORIS_FIELD || name.toLowerCase() === KAFKA_METADATA_FIELD);
		this.itemInfoUnread = !this.plans.some((p) => itemInfo(p.key) || itemInfo(p.path?.[0]) || itemInfo(p.folded));
		this.sharedFieldReads = plansSharingAField(this.plans);
	}

	/** The column plans in column order (the delete sign excluded), for the packed fast path (column-writer.ts). */
	get columnPlans(): readonly ColumnPlan[] {
		return this.plans;
	}

	/** Whether map() reads or deliberately ignores a field of this name (else it counts as unmatched). */
	isKnownField(name: string): boolean {
		return this.knownFields.has(name);
	}

	/**
	 * Whether a field map() does not know by its exact name differs from a column's name only in case:
	 * it may fill that column or be left over, depending on the record's other fields (aliasesIn).
	 */
	isCaseVariantOfColumn(name: string): boolean {
		return this.columnsByFolded.has(name.toLowerCase());
	}

	/**
	 * The fields of `rec` that fill a column read by its own name in another case, by the name in lower
	 * case: for each such column the record lacks, the first field in the record's order that differs
	 * from it only in case.
	 */
	private aliasesIn(rec: Record<string, unknown>): ReadonlyMap<string, string> {
		let aliases: Map<string, string> | null = null;
		for (const k of Object.keys(rec)) {
			if (this.knownFields.has(k)) continue;
			const folded = k.toLowerCase();
			const plan = this.foldedPlans.get(folded);
			if (plan === undefined || ownField(rec, plan.key) !== undefined) continue;
			if (aliases === null) aliases = new Map<string, string>();
			else if (aliases.has(folded)) continue;
			aliases.set(folded, k);
		}
		return aliases ?? NO_ALIASES;
	}

	/** Whether field `k` of a record is one no column takes (`aliases`: the record's, aliasesIn). */
	isUnknown(k: string, aliases: ReadonlyMap<string, string>): boolean {
		return !this.knownFields.has(k) && (aliases.size === 0 || aliases.get(k.toLowerCase()) !== k);
	}

	/** For a field that differs from a column's name only in case: that column and the field it takes. */
	private columnTaking(k: string): { column: string; field: string | undefined } | undefined {
		const column = this.columnsByFolded.get(k.toLowerCase());
		if (column === undefined) return undefined;
		return { column, field: this.plans.find((p) => p.column === column)?.key };
	}

	/**
	 * `kafkaFields`: the names the trigger added at the item's top level (trigger-fields.ts); by default
	 * the item's own `_doris` says, a packed item's lines get them from `packedRows.doris`. `valueSchema`:
	 * a packed line's Connect schema, from its run (route-packed.ts; item-contract.ts PackedRows.connectSchemas),
	 * for Add New Columns as `_kafka.valueSchema` is for an item.
	 */
	map(json: Record<string, unknown>, kafkaFields?: readonly string[], valueSchema?: unknown): MapResult {
		return this.mapFrom(json, kafkaFields, false, valueSchema);
	}

	/**
	 * map() for an item of One Item per Message (route-items.ts): where the item itself is the record, a
	 * column or Field Mapping reading `_doris` takes the row's own value from `_doris.ownFields`, never the
	 * item's information (reserved-line-fields.ts withOwnDorisField). A packed line's `_doris` is its own data.
	 */
	mapItem(json: Record<string, unknown>): MapResult {
		return this.mapFrom(json, undefined, true);
	}

	/** The row of a record found (map()): its delete marks, its columns, what it has that no column takes. */
	protected mapRecord(rec: Record<string, unknown>, connectSchema: unknown, schemaOfItem: boolean, envelopeDeleted: boolean, ownRow: boolean): MapResult {
		let deleted = envelopeDeleted;
		// A delete by the record's own sign (a tombstone's key row): it names its row by its fields alone.
		let signDeleted = false;
		if (this.flattenedDeletes && rec[FLATTENED_DELETED_FIELD] !== undefined) {
			const mark = flattenedDeleteMark(rec[FLATTENED_DELETED_FIELD]);
			if (mark === undefined) return { ok: false, reasons: [badDeleteMark(this.schema, rec[FLATTENED_DELETED_FIELD])] };
			deleted = mark;
			if (deleted && this.deletesDropped) return { ok: false, reasons: [deleteUnsupported(this.schema, this.schema.keyModel ?? 'UNIQUE', 'flattened')] };
		}
		// The record's own delete sign (Envelopes off; with them on, the envelope's op decides). Taken for
		// one of the node's own fields and left out of the row, it turned a delete into an upsert, quietly.
		if ((this.ownDeleteSigns || ownRow) && rec[DELETE_SIGN_COLUMN] !== undefined) {
			const sign = ownDeleteSign(this.schema, rec[DELETE_SIGN_COLUMN]);
			if (typeof sign !== 'boolean') return { ok: false, reasons: [sign] };
			if (sign && this.deletesDropped) return { ok: false, reasons: [deleteUnsupported(this.schema, this.schema.keyModel ?? 'UNIQUE', 'sign')] };
			deleted ||= sign;
			signDeleted = sign;
		}
		const row: Record<string, unknown> = {};
		let reasons: Rejection[] | null = null;
		const fail = this.fail;
		const plans = this.plans;
		let present = 0;
		// Built only for a record that lacks a column read by its own name (aliasesIn).
		let aliases: ReadonlyMap<string, string> | null = null;
		for (let i = 0; i < plans.length; i++) {
			const p = plans[i];
			let value = p.inherited ? ownField(rec, p.key) : rec[p.key];
			// A Field Mapping's dot path: a key of its whole name wins (a flattened log record), else the path.
			if (value === undefined && p.path !== null) value = readPath(rec, p.path);
			if (value === undefined && p.folded !== null) {
				aliases ??= this.aliasesIn(rec);
				const alias = aliases.get(p.folded);
				if (alias !== undefined) value = rec[alias];
			}
			// A delete removes the row whatever its other values: Debezium's placeholder for a value it did
			// not receive (a TOASTed column, unavailable-value.ts) is left out instead of refused with the delete.
			if (deleted && this.unavailable.holds(value)) value = undefined;
			if (value !== undefined) present++;
			// Not a Debezium or flattened delete: it carries the whole "before" row, and a key column it
			// lacks is one the Doris Stream Load node's Columns computes (`dt = from_unixtime(ts, …)`).
			else if (signDeleted && this.keyColumns.has(p.column)) {
				(reasons ??= []).push(deleteKeyMissing(this.schema, p.column, p.key));
				continue;
			}
			if (value === undefined || value === null) {
				if (p.nullable) {
					if (value === null) row[p.column] = null;
					continue;
				}
				// A delete removes the row whatever a value column holds: the default stands in for its null.
				// Not for a key column: Doris would fill the default into the key and delete that row.
				if (p.hasDefault && !(value === null && p.refusesNull && (!deleted || this.keyColumns.has(p.column)))) continue;
				const placeholder = deleted ? this.placeholders[i] : null;
				if (placeholder !== null && 'value' in placeholder) {
					row[p.column] = placeholder.value;
					continue;
				}
				// The delete's sequence value: missingSequence gives the reason (delete_sequence).
				if (deleted && i === this.sequencePlan) continue;
				(reasons ??= []).push({
					column: p.column,
					value: null,
					expected: p.handler.expected,
					rule: 'not_null',
					message:
						placeholder !== null
							? notNullInDelete(this.schema, p.column, p.key, value, placeholder.none)
							: p.hasDefault
								? `${p.column} is NOT NULL, but the field "${p.key}" is null: Doris refuses a null there (only a missing field takes the column's default)`
								: `${p.column} is NOT NULL and has no default, but the field "${p.key}" is ${value === null ? 'null' : 'missing'}`,
				});
				continue;
			}
			fail.path = '';
			const out = p.handler.coerce(value, fail);
			if (out === INVALID) {
				(reasons ??= []).push({
					column: p.column,
					value: safeValue(value),
					expected: p.handler.expected,
					rule: fail.rule,
					message: `${p.column}${fail.path}: ${fail.detail}`,
				});
				continue;
			}
			row[p.column] = out;
		}
		// A Debezium update whose before holds another Doris key: the old key's row would stay (key-changes.ts).
		if (!deleted && this.foundPrevious !== null && this.keyPlans.length > 0 && this.foundRecord !== null) {
			const changed = keyChanged(`${this.schema.database}.${this.schema.table}`, this.keyPlans, this.foundPrevious, this.foundRecord, this.unavailable, fail);
			if (changed !== null) reasons = reasons === null ? changed : [...reasons, ...changed];
		}
		const known = aliases ?? NO_ALIASES;
		const sink = this.unmatchedSink;
		if (sink !== null) {
			// Cheap first: only when the record has more keys than the keys its filled columns read can one be
			// unknown. Columns filled, less those that may share a key with another (two Field Mappings from
			// `a.b` and `a.c`), never exceed the keys read: a record with a field more is searched.
			let keys = 0;
			for (const k in rec) if (Object.prototype.hasOwnProperty.call(rec, k)) keys++;
			// Fields never unknown that no column reads (itemInfoUnread) fill no column either: not counted.
			if (this.itemInfoUnread) keys -= (Object.hasOwn(rec, DORIS_FIELD) ? 1 : 0) + (Object.hasOwn(rec, KAFKA_METADATA_FIELD) ? 1 : 0);
			if (keys > present - this.sharedFieldReads) for (const k of Object.keys(rec)) if (this.isUnknown(k, known)) sink.set(k, (sink.get(k) ?? 0) + 1);
		}
		if (this.options.evolve === true) reasons = newColumnReasons(this, rec, connectSchema, schemaOfItem, deleted, known, reasons);
		if (this.options.unknownFields === 'reject') {
			for (const k of Object.keys(rec)) {
				if (reasons?.some((r) => r.rule === 'new_column' && r.column === k) === true) continue;
				if (this.isUnknown(k, known)) {
					(reasons ??= []).push(unknownField(this.schema, k, rec[k], this.columnTaking(k)));
				}
			}
		}
		// A delete without its sequence value says so whatever else it lacks: no default or nullable column lets it apply.
		// Not where a fixed partial update downstream leaves the column out: Doris reads nothing of the row for it.
		if (this.sequence !== undefined && !this.sequenceMayBeNull && (reasons === null || deleted)) {
			const missing = missingSequence(this.schema, this.sequence, row, deleted, this.options.sequenceInPartialUpdate === 'perRow') ?? this.standInSequence(rec, connectSchema, schemaOfItem, deleted && !signDeleted, row);
			if (missing !== null) reasons = reasons === null ? missing : [...reasons, ...missing];
		}
		if (reasons !== null) return { ok: false, reasons };
		if (setsNoColumn(row)) return { ok: false, reasons: [noColumnRejection(this.schema, rec)] };
		if (this.options.cdc) row[DELETE_SIGN_COLUMN] = deleted ? 1 : 0;
		// A flattened delete: the Stream Load node (Deletes Auto) then loads with the sign, the other rows as upserts (0).
		else if (deleted) row[DELETE_SIGN_COLUMN] = 1;
		return { ok: true, row };
	}

	/**
	 * A Debezium or flattened delete (`changeDeleted`) whose sequence value is Debezium's stand-in for a
	 * column a key-only `before` lacks (debezium-fallbacks.ts): Doris would ignore it, so it is refused
	 * (delete_sequence). Null otherwise. `rec` has the Add Kafka Fields; the record found before them is read.
	 */
	private standInSequence(rec: Record<string, unknown>, connectSchema: unknown, schemaOfItem: boolean, changeDeleted: boolean, row: Record<string, unknown>): Rejection[] | null {
		const sequence = this.sequence;
		const record = this.foundRecord ?? rec;
		if (!changeDeleted || sequence === undefined || row[sequence.column] === undefined || row[sequence.column] === null) return null;
		const plan = this.plans[this.sequencePlan];
		const field = plan.path?.[0] ?? plan.key;
		const connector = this.options.cdc ? this.foundConnector : record[FLATTENED_CONNECTOR_FIELD];
		const schema = connectSchema === undefined ? undefined : recordSchema(this, connectSchema, schemaOfItem, true);
		const temporalSequence = /^DATE/i.test(sequence.expected);
		// The item's own fields (`_kafka`, `_doris`) and the trigger's Add Kafka Fields sit beside a record read
		// from the item's top level (a flattened record): no source columns, never stand-ins. Counted as
		// fields, they let a key-only delete through (late review session 20, K1).
		const notSource = (name: string) => ITEM_OWN_FIELDS.has(name) || this.foundKafkaFields.includes(name);
		// A Schema Registry value's Connect schema (schemaOfItem) carries no defaults (avro-connect-schema.ts).
		const defaultsKnown = schema !== undefined && !schemaOfItem;
		if (!isKeyOnlyDelete({ record, recordSchema: schema, connector, keyFields: this.keyFields, sequenceField: field, temporalSequence, notSource, defaultsKnown })) return null;
		return [keyOnlyDeleteSequence(`${this.schema.database}.${this.schema.table}`, sequence.column, field, sequence.expected, record[field], row[sequence.column])];
	}
}

const compiled = new WeakMap<TableSchema, Map<string, RowMapper>>();

/** One compiled mapper per schema version and options: executions reuse it. */
export function rowMapperFor(schema: TableSchema, options: RowMapperOptions): RowMapper {
	let byOptions = compiled.get(schema);
	if (byOptions === undefined) {
		byOptions = new Map();
		compiled.set(schema, byOptions);
	}
	const key = JSON.stringify(options);
	let mapper = byOptions.get(key);
	if (mapper === undefined) {
		mapper = new RowMapper(schema, options);
		if (byOptions.size > 32) byOptions.clear();
		byOptions.set(key, mapper);
	}
	return mapper;
}

