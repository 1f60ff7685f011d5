/**
 * A packed line's own `_kafka` or `_doris`. The Doris nodes keep those names for an item's own
 * information (item-contract.ts: the Kafka position, the target table and deadline) and read them only at
 * an item's top level, so in a line they are data the row leaves out, as any field no column takes.
 * The Doris Schema node skipped them without a word: not counted as unmatched, not refused under Unknown
 * Fields: Reject, so a producer's own `_kafka` field vanished from its rows unseen. They come mostly from
 * dead letters replayed through the trigger (an invalid item carries both from its first pass), which must
 * keep loading: so they are not refused, but counted with the fields no column takes
 * (sinker_fields_unmatched_total) and told once per execution and table, naming the field and why.
 * A column (or a Field Mapping) of that name takes the line's value: then nothing is left out.
 */
import { DORIS_FIELD, KAFKA_METADATA_FIELD } from '../../common/item-contract';
import type { RowMapper } from './row-mapper';

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
 * count these names there; an item's own are its information, never counted).
 */
export function warnLineOwnFields(table: string, unmatched: ReadonlyMap<string, number>, warn: ((message: string) => void) | undefined): void {
	if (warn === undefined) return;
	for (const name of [KAFKA_METADATA_FIELD, DORIS_FIELD]) {
		const lines = unmatched.get(name);
		if (lines === undefined) continue;
		warn(
			`Doris Schema: ${lines} line(s) of packed items for ${table} have their own top-level "${name}" field, a name the Doris nodes keep for an item's own ${WHAT[name]} and read only at an item's top level: ` +
				`the line's "${name}" is not loaded (counted in sinker_fields_unmatched_total). A dead letter replayed through the Kafka trigger carries it from its first pass, and then nothing is lost; otherwise rename the field upstream to load it`,
		);
	}
}
