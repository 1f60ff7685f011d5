/**
 * Debezium change-event envelopes, with or without the converter's `{schema, payload}` wrapper
 * (`value.converter.schemas.enable` true / false). op c (create), r (snapshot read), u (update) load
 * the `after` image; d (delete) loads the `before` image flagged with Doris' delete sign, which a
 * UNIQUE KEY table applies as a delete (Doris "batch delete": `__DORIS_DELETE_SIGN__` = 1).
 * t (truncate) and m (message) events have no row to load and are refused with a reason.
 *
 * Records flattened by Debezium's ExtractNewRecordState SMT carry no envelope. With delete rewriting
 * (`delete.handling.mode=rewrite` in Debezium 1.x / 2.x, `delete.tombstone.handling.mode=rewrite` or
 * `rewrite-with-tombstone` since 2.5) a delete is the `before` image plus the field `__deleted: "true"`,
 * every other event the `after` image plus `__deleted: "false"` (ExtractNewRecordStateConfigDefinition
 * .DELETED_FIELD; the name takes no `add.fields.prefix`). doris-kafka-connector turns it into the delete
 * sign the same way (DorisJsonConverter.DEBEZIUM_DELETED_FIELD). `add.fields=op` adds `__op: "d"` only
 * next to `__deleted` (without rewriting the SMT drops a delete or turns it into a tombstone), so
 * `__deleted` alone decides.
 */

/** The field ExtractNewRecordState's delete rewriting adds to a flattened record. */
export const FLATTENED_DELETED_FIELD = '__deleted';

export interface EnvelopeResult {
	ok: boolean;
	record: Record<string, unknown> | null;
	deleted: boolean;
	detail: string;
	/** The source block's `connector` ("postgresql", "mysql", …), or undefined (debezium-fallbacks.ts). */
	connector: unknown;
	/** An update's `before` image, when it has one: whether the update changes the Doris key (key-changes.ts). */
	previous: Record<string, unknown> | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a value has a Debezium envelope's `op` (on itself or its `payload`), as unwrapDebezium looks for it. */
export function isDebeziumShaped(value: unknown): boolean {
	if (!isObject(value)) return false;
	return typeof value.op === 'string' || (isObject(value.payload) && typeof value.payload.op === 'string');
}

export function unwrapDebezium(value: unknown, out: EnvelopeResult): EnvelopeResult {
	out.ok = false;
	out.record = null;
	out.deleted = false;
	out.connector = undefined;
	out.previous = null;
	if (!isObject(value)) {
		out.detail = 'not a Debezium envelope (not an object)';
		return out;
	}
	const payload = value.payload;
	const env = isObject(payload) && typeof payload.op === 'string' ? payload : value;
	const op = env.op;
	if (typeof op !== 'string') {
		out.detail =
			env[FLATTENED_DELETED_FIELD] === undefined
				? 'not a Debezium envelope (no "op")'
				: `not a Debezium envelope (no "op"): a record flattened by ExtractNewRecordState (it has "${FLATTENED_DELETED_FIELD}") loads with the Debezium Envelopes (CDC) option off, its deletes too`;
		return out;
	}
	if (op === 'c' || op === 'r' || op === 'u') {
		if (!isObject(env.after)) {
			out.detail = `Debezium op "${op}" without an "after" image`;
			return out;
		}
		out.ok = true;
		out.record = env.after;
		if (op === 'u' && isObject(env.before)) out.previous = env.before;
		return out;
	}
	if (op === 'd') {
		if (!isObject(env.before)) {
			out.detail = 'Debezium delete without a "before" image (set REPLICA IDENTITY / keys so "before" carries the key)';
			return out;
		}
		out.ok = true;
		out.record = env.before;
		out.deleted = true;
		out.connector = isObject(env.source) ? env.source.connector : undefined;
		return out;
	}
	out.detail = `Debezium op "${op}" has no row to load (only c, r, u, d are)`;
	return out;
}

/**
 * What a flattened record's `__deleted` says: true for a delete ("true", Debezium's string, or the
 * boolean), false for any other change ("false" / false), undefined for a value Debezium never writes
 * (the row then goes to Invalid rather than be guessed into a delete or an upsert).
 */
export function flattenedDeleteMark(value: unknown): boolean | undefined {
	if (value === 'true' || value === true) return true;
	if (value === 'false' || value === false) return false;
	return undefined;
}
