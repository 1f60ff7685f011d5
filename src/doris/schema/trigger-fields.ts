/**
 * The Kafka trigger's Add Kafka Fields in rows the Doris Schema node reads from inside an item. The
 * trigger puts the fields at the item's top level (at each line's, in a packed item) and names them
 * in `_doris.kafkaFields` / `packedRows.doris.kafkaFields` (src/common/item-contract.ts). A row read
 * from a Debezium envelope's after / before, a Source Path's target or a Connect payload lacked them:
 * a CDC table's `kafka_offset` column stayed NULL, and the field was not even counted as unmatched.
 * The mark tells them from the item's other top-level fields (an envelope's `op`, `source`, `ts_ms`),
 * which stay out of the row; it travels on the item, so queue mode needs nothing else.
 */

/** No names (shared, never written). */
export const NO_KAFKA_FIELDS: readonly string[] = [];

/** The names a DorisItemInfo (`_doris`, `packedRows.doris`) marks as added by the trigger; none when it has no list. */
export function kafkaFieldsOf(info: unknown): readonly string[] {
	if (typeof info !== 'object' || info === null) return NO_KAFKA_FIELDS;
	const names = (info as { kafkaFields?: unknown }).kafkaFields;
	return Array.isArray(names) ? (names as readonly string[]) : NO_KAFKA_FIELDS;
}

/**
 * `record` with each named field of `item` it lacks (a copy; the item is the user's and goes to Invalid
 * as it came). The record's own field of a name (an envelope's `after` holding `kafka_offset`) wins:
 * it is the row's data; the trigger sends a value holding the name at its own top level to Invalid.
 */
export function withKafkaFields(record: Record<string, unknown>, item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
	let out = record;
	for (const name of names) {
		if (typeof name !== 'string') continue;
		const value = item[name];
		if (value === undefined || record[name] !== undefined) continue;
		if (out === record) out = { ...record };
		out[name] = value;
	}
	return out;
}
