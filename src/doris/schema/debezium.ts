/**
 * Debezium change-event envelopes, with or without the converter's `{schema, payload}` wrapper
 * (`value.converter.schemas.enable` true / false). op c (create), r (snapshot read), u (update) load
 * the `after` image; d (delete) loads the `before` image flagged with Doris' delete sign, which a
 * UNIQUE KEY table applies as a delete (Doris "batch delete": `__DORIS_DELETE_SIGN__` = 1).
 * t (truncate) and m (message) events have no row to load and are refused with a reason.
 */

export interface EnvelopeResult {
	ok: boolean;
	record: Record<string, unknown> | null;
	deleted: boolean;
	detail: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function unwrapDebezium(value: unknown, out: EnvelopeResult): EnvelopeResult {
	out.ok = false;
	out.record = null;
	out.deleted = false;
	if (!isObject(value)) {
		out.detail = 'not a Debezium envelope (not an object)';
		return out;
	}
	const payload = value.payload;
	const env = isObject(payload) && typeof payload.op === 'string' ? payload : value;
	const op = env.op;
	if (typeof op !== 'string') {
		out.detail = 'not a Debezium envelope (no "op")';
		return out;
	}
	if (op === 'c' || op === 'r' || op === 'u') {
		if (!isObject(env.after)) {
			out.detail = `Debezium op "${op}" without an "after" image`;
			return out;
		}
		out.ok = true;
		out.record = env.after;
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
		return out;
	}
	out.detail = `Debezium op "${op}" has no row to load (only c, r, u, d are)`;
	return out;
}
