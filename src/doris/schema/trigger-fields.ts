/**
 * The Kafka trigger's Add Kafka Fields in rows the Doris Schema node reads from inside an item. The
 * trigger puts the fields at the item's top level (at each line's, in a packed item) and names them
 * in `_doris.kafkaFields` / `packedRows.doris.kafkaFields` (src/common/item-contract.ts). A row read
 * from a Debezium envelope's after / before, a Source Path's target or a Connect payload lacked them:
 * a CDC table's `kafka_offset` column stayed NULL, and the field was not even counted as unmatched.
 * The mark tells them from the item's other top-level fields (an envelope's `op`, `source`, `ts_ms`),
 * which stay out of the row; it travels on the item, so queue mode needs nothing else. A record that
 * has one of those names itself goes to Invalid (takenKafkaField), per message and packed alike.
 */
import { DORIS_FIELD } from '../../common/item-contract';
import type { Rejection } from './row-mapper-options';
import { safeValue } from './row-rejections';

/** No names (shared, never written). */
export const NO_KAFKA_FIELDS: readonly string[] = [];

/** The names a DorisItemInfo (`_doris`, `packedRows.doris`) marks as added by the trigger; none when it has no list. */
export function kafkaFieldsOf(info: unknown): readonly string[] {
	if (typeof info !== 'object' || info === null) return NO_KAFKA_FIELDS;
	const names = (info as { kafkaFields?: unknown }).kafkaFields;
	return Array.isArray(names) ? (names as readonly string[]) : NO_KAFKA_FIELDS;
}

/**
 * Why the record cannot take the trigger's fields: it has one of their names itself (even as null), the
 * item's top level has Kafka's value for it, and either kept without a word left one column holding
 * Kafka's value for some rows and the payload's for others (the trigger refuses the same at a value's own
 * top level: src/kafka/message-items.ts takenFieldError). `origin`: where the record was read from.
 * Undefined when no name is taken.
 */
export function takenKafkaField(record: Record<string, unknown>, item: Record<string, unknown>, names: readonly string[], origin: string): Rejection | undefined {
	for (const name of names) {
		if (typeof name !== 'string' || !Object.hasOwn(record, name) || !Object.hasOwn(item, name)) continue;
		return {
			column: name,
			value: safeValue(record[name]),
			expected: `no field "${name}" in the record (Add Kafka Fields sets it)`,
			rule: 'reserved_field',
			message:
				`the record (${origin}) has the field "${name}" (${shortJson(record[name])}), which the Kafka Trigger's Add Kafka Fields also sets at the item's top level (${shortJson(item[name])}; named in ${DORIS_FIELD}.kafkaFields): ` +
				`the record's value and Kafka's cannot both be the row's "${name}"; rename the field in Add Kafka Fields or upstream (a dead letter replayed through the trigger carries the fields its first pass added: remove them before replaying)`,
		};
	}
	return undefined;
}

function shortJson(value: unknown): string {
	const text = JSON.stringify(safeValue(value)) ?? 'undefined';
	return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * `record` with each named field of `item` (a copy: the item is the user's, or the line's shown on
 * Invalid, and goes there as it came). The record lacks them all (takenKafkaField). Lending the fields
 * to the record and taking them back after the row was mapped was tried instead: no cheaper, ~0.4 µs
 * against ~0.3 µs per row for two fields (bench/micro/kafka-fields-in-records.ts, alternated runs).
 */
export function withKafkaFields(record: Record<string, unknown>, item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
	let out = record;
	for (const name of names) {
		if (typeof name !== 'string' || item[name] === undefined) continue;
		if (out === record) out = { ...record };
		out[name] = item[name];
	}
	return out;
}
