/**
 * A packed line's own `_kafka` or `_doris`, and a message value's own, which the Kafka trigger leaves out
 * of its item (message-items.ts) and names in the item's `_doris.ownFields`. The Doris nodes keep those
 * names for an item's own information (item-contract.ts: the Kafka position, the target table and
 * deadline) and read them only at an item's top level, so in a row they are data the row leaves out, as
 * any field no column takes.
 * The Doris Schema node skipped them without a word: not counted as unmatched, not refused under Unknown
 * Fields: Reject, so a producer's own `_kafka` field vanished from its rows unseen. They come mostly from
 * dead letters replayed through the trigger (an invalid item carries both from its first pass), which must
 * keep loading: so under Unknown Fields Ignore they are counted with the fields no column takes
 * (sinker_fields_unmatched_total) and told once per execution and table, naming the field and why.
 * Under Reject, where the user asked that no field be dropped, the row goes to Invalid as for any field
 * no column takes (ownFieldReasons), naming the field, its value and what to do; a dead letter is refused
 * there anyway, for its `_invalid`, unless that is removed before the replay, and the reason says to remove
 * these two as well (session 16 review, section 6). Only where the record is the line or item itself:
 * read from inside it (Source Path, Debezium envelopes) its top-level fields are no row fields, as `op` is not.
 * A column (or a Field Mapping) of that name takes the line's value: then nothing is left out.
 */
import { ownDorisValue } from '../../common/doris-info';
import { DORIS_FIELD, KAFKA_METADATA_FIELD } from '../../common/item-contract';
import type { MapResult, Rejection, RowMapper } from './row-mapper';

const WHAT: Readonly<Record<string, string>> = {
	[KAFKA_METADATA_FIELD]: 'Kafka position (Include Metadata, an invalid line\'s origin)',
	[DORIS_FIELD]: 'target table, deadline and Add Kafka Fields names',
};

const leftOutByMapper = new WeakMap<RowMapper, ReadonlySet<string>>();

/** The item's own names that `mapper` leaves out of a line's row: those no column or Field Mapping reads. */
export function lineOwnFieldsLeftOut(mapper: RowMapper): ReadonlySet<string> {
	let names = leftOutByMapper.get(mapper);
	if (names === undefined) {
		const read = new Set(mapper.columnPlans.map((p) => p.path?.[0] ?? p.key));
		names = new Set([KAFKA_METADATA_FIELD, DORIS_FIELD].filter((name) => !read.has(name)));
		leftOutByMapper.set(mapper, names);
	}
	return names;
}

/**
 * Counts into the mapper's unmatchedSink (when set) the item's own names a line's object `value` has
 * and its row leaves out. The general path's part: RowMapper.map knows those names as an item's and
 * skips them (the fast path counts them itself, line-transcoder.ts).
 */
export function countLineOwnFields(value: Readonly<Record<string, unknown>>, mapper: RowMapper): void {
	const sink = mapper.unmatchedSink;
	if (sink === null) return;
	for (const name of lineOwnFieldsLeftOut(mapper)) if (Object.hasOwn(value, name)) sink.set(name, (sink.get(name) ?? 0) + 1);
}

/**
 * One warning per such name among a table's unmatched fields of this execution (`unmatched`: only lines
 * count these names there; an item's own are its information, never counted), unless `mapper` refuses
 * such rows (ownFieldsRefused).
 */
export function warnLineOwnFields(table: string, unmatched: ReadonlyMap<string, number>, warn: ((message: string) => void) | undefined, mapper: RowMapper): void {
	// Refused, the rows are on Invalid with the reason: nothing is loaded without the field.
	if (warn === undefined || ownFieldsRefused(mapper)) return;
	for (const name of [KAFKA_METADATA_FIELD, DORIS_FIELD]) {
		const lines = unmatched.get(name);
		if (lines === undefined) continue;
		warn(
			`Doris Schema: ${lines} line(s) of packed items for ${table} have their own top-level "${name}" field, a name the Doris nodes keep for an item's own ${WHAT[name]} and read only at an item's top level: ` +
				`the line's "${name}" is not loaded (counted in sinker_fields_unmatched_total). A dead letter replayed through the Kafka trigger carries it from its first pass, and then nothing is lost; otherwise rename the field upstream to load it`,
		);
	}
}

/** Whether `mapper` refuses a row for its own `_kafka` / `_doris`: Unknown Fields Reject, the record the item itself. */
export function ownFieldsRefused(mapper: RowMapper): boolean {
	return mapper.options.unknownFields === 'reject' && mapper.sourcePathSegments.length === 0 && !mapper.options.cdc;
}

/** How much of an own field's value its reason shows (the item keeps what it had). */
const SHOWN_VALUE = 200;

/** The value itself when its JSON is short, else the start of its JSON and an ellipsis. */
function shownValue(value: unknown): unknown {
	const text = JSON.stringify(value) ?? 'null';
	return text.length <= SHOWN_VALUE ? (value ?? null) : `${text.slice(0, SHOWN_VALUE)}…`;
}

function ownFieldRejection(mapper: RowMapper, name: string, value: unknown): Rejection {
	const { database, table } = mapper.schema;
	return {
		column: null,
		value: shownValue(value),
		expected: `a column of ${database}.${table}`,
		rule: 'unknown_field',
		message:
			`field "${name}" matches no column: the Doris nodes keep the name "${name}" for an item's own ${WHAT[name]} and never load it from a row; ` +
			`Unknown Fields is Reject, so the row is not loaded without it. Rename the field upstream; ` +
			`a dead letter replayed through the Kafka trigger carries "${KAFKA_METADATA_FIELD}" and "${DORIS_FIELD}" from its first pass (and "_invalid"): remove them before replaying, or replay under Unknown Fields Ignore`,
	};
}

/**
 * Why a packed line's row is refused for its own `_kafka` / `_doris` (ownFieldsRefused), or undefined.
 * `value`: the line's object.
 */
export function lineOwnFieldReasons(value: Readonly<Record<string, unknown>>, mapper: RowMapper): Rejection[] | undefined {
	if (!ownFieldsRefused(mapper)) return undefined;
	let reasons: Rejection[] | undefined;
	for (const name of lineOwnFieldsLeftOut(mapper)) if (Object.hasOwn(value, name)) (reasons ??= []).push(ownFieldRejection(mapper, name, value[name]));
	return reasons;
}

/** The same for an item the Kafka trigger left a value's own field out of (`_doris.ownFields`, message-items.ts). */
export function itemOwnFieldReasons(json: Readonly<Record<string, unknown>>, mapper: RowMapper): Rejection[] | undefined {
	const info = json[DORIS_FIELD];
	if (info === null || typeof info !== 'object' || Array.isArray(info)) return undefined;
	const own = (info as Record<string, unknown>).ownFields;
	if (own === null || typeof own !== 'object' || Array.isArray(own) || !ownFieldsRefused(mapper)) return undefined;
	let reasons: Rejection[] | undefined;
	for (const name of lineOwnFieldsLeftOut(mapper)) if (Object.hasOwn(own, name)) (reasons ??= []).push(ownFieldRejection(mapper, name, (own as Record<string, unknown>)[name]));
	return reasons;
}

/** A row's result with the reasons for its own fields added (refused: the reasons it had, then these). */
export function withOwnFieldReasons(result: MapResult, reasons: Rejection[] | undefined): MapResult {
	if (reasons === undefined) return result;
	return { ok: false, reasons: result.ok ? reasons : [...result.reasons, ...reasons] };
}

/**
 * An item of One Item per Message that is its own record, as a column or Field Mapping reading `_doris`
 * must see it: the row's own `_doris` (a message value's, which the trigger moved to `_doris.ownFields`,
 * message-items.ts) in place of the item's information. The mapper read the information instead: a
 * column `_doris` got `{"ownFields":…}` or the Add Kafka Fields names, never the message's value, and
 * the Doris Stream Load node then left it out or failed the item (review session 17, leftover 3).
 */
export function withOwnDorisField(record: Record<string, unknown>, item: Readonly<Record<string, unknown>>): Record<string, unknown> {
	const own = ownDorisValue(item);
	const { [DORIS_FIELD]: _information, ...rest } = record;
	return own === undefined ? rest : { ...rest, [DORIS_FIELD]: own };
}
