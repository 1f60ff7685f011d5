/**
 * A Debezium update (op u) whose `before` and `after` hold different values in a key column of the Doris
 * table. Debezium turns a change of the source's primary key into a delete of the old key and a create of
 * the new one (RelationalChangeRecordEmitter.emitUpdateRecord: `oldKey != newKey` →
 * emitUpdateAsPrimaryKeyChangeRecord; debezium-connector-common, debezium at aad5519), so such an update
 * means the Doris key is not the source's primary key (a table made by hand on a natural key,
 * `message.key.columns`). Loading `after` upserts the new key, and the old key's row stays in Doris, a
 * row the source no longer has, counted as loaded (review session 20, F6). The update goes to Invalid
 * (rule `key_changed`) naming the columns and both values; loading a delete of the old key as well would
 * make one item two rows. Without a `before` (PostgreSQL's default REPLICA IDENTITY sends none for an
 * update) it cannot be seen: README says the Doris key must be the source's.
 */
import { INVALID, type FailSlot } from './coerce-result';
import type { ColumnPlan } from './column-plans';
import { ownField, readPath } from './record-finder';
import type { Rejection } from './row-mapper-options';
import { safeValue } from './row-rejections';
import type { UnavailableValue } from './unavailable-value';

/** A plan's value in a record: the field of its name, else its Field Mapping's dot path. */
function valueOf(plan: ColumnPlan, rec: Readonly<Record<string, unknown>>): unknown {
	const value = ownField(rec, plan.key);
	return value === undefined && plan.path !== null ? readPath(rec, plan.path) : value;
}

/** The value a key column would load, as text to compare (the raw value's JSON when the handler refuses it). */
function loaded(plan: ColumnPlan, value: unknown, fail: FailSlot): string {
	fail.path = '';
	const out = plan.handler.coerce(value, fail);
	return JSON.stringify(safeValue(out === INVALID ? value : out)) ?? 'undefined';
}

/**
 * The reason an update changing the Doris key cannot load, or null. `keyPlans`: the plans of the table's
 * key columns; `before` / `after`: the envelope's images (after its Connect decoding). A key field the
 * `before` lacks, holds null or Debezium's placeholder in is not compared: nothing says it changed.
 */
export function keyChanged(table: string, keyPlans: readonly ColumnPlan[], before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>, unavailable: UnavailableValue, fail: FailSlot): Rejection[] | null {
	const changed: string[] = [];
	let first: unknown;
	for (const plan of keyPlans) {
		const old = valueOf(plan, before);
		if (old === undefined || old === null || unavailable.holds(old)) continue;
		const now = valueOf(plan, after);
		if (loaded(plan, old, fail) === loaded(plan, now, fail)) continue;
		if (changed.length === 0) first = now;
		changed.push(`${plan.column} ${JSON.stringify(safeValue(old))} → ${JSON.stringify(safeValue(now))}`);
	}
	if (changed.length === 0) return null;
	return [
		{
			column: keyPlans.find((p) => changed[0].startsWith(`${p.column} `))?.column ?? null,
			value: safeValue(first),
			expected: 'the same key before and after the update',
			rule: 'key_changed',
			message:
				`this update changes the key of ${table} (${changed.join(', ')}): loading its "after" image would add the row of the new key and keep the row of the old one, which the source no longer has. ` +
				'Debezium sends a change of the source\'s primary key as a delete and a create, so the Doris table\'s key is not the source\'s: make the Doris key the source\'s primary key (the Kafka key), or delete the old row by hand',
		},
	];
}
