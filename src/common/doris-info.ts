/**
 * Reading DorisItemInfo (src/common/item-contract.ts) as it arrives from upstream: on an item
 * (`json._doris`) or a packed item (`packedRows.doris`). Items are plain JSON and may have passed
 * through other nodes, so the shape is checked, and a broken one is refused naming the field and the
 * value rather than half used (a deadline read as "none" would load rows late; a table read as
 * "none" would load them into the node's own table).
 */
import { DORIS_FIELD, type DorisItemInfo } from './item-contract';

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** `value` as DorisItemInfo, undefined when absent, or an Error naming `field` and the bad value. */
export function readDorisInfo(value: unknown, field: string = DORIS_FIELD): DorisItemInfo | Error | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return new Error(`${field} must be an object, not ${describe(value)}`);
	const info = value as Record<string, unknown>;
	if (info.loadBy !== undefined && (typeof info.loadBy !== 'number' || !Number.isFinite(info.loadBy))) {
		return new Error(`${field}.loadBy must be a time in milliseconds since 1970, not ${describe(info.loadBy)}`);
	}
	for (const name of ['database', 'table'] as const) {
		const text = info[name];
		if (text !== undefined && (typeof text !== 'string' || text.trim() === '')) return new Error(`${field}.${name} must be a name, not ${describe(text)}`);
	}
	const names = info.kafkaFields;
	if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== ''))) {
		return new Error(`${field}.kafkaFields must be a list of field names, not ${describe(names)}`);
	}
	return value as DorisItemInfo;
}

/** The earliest of two deadlines, either of which may be absent. */
export function earlierDeadline(a: number | undefined, b: number | undefined): number | undefined {
	if (a === undefined) return b;
	if (b === undefined) return a;
	return Math.min(a, b);
}

/**
 * The row's own `_doris` value that an item carries in `_doris.ownFields` (item-contract.ts): on One Item
 * per Message the item's top-level `_doris` is the Doris nodes' own, so a message's own `_doris` (the
 * trigger) and the value a table column named `_doris` takes (the Doris Schema node) ride there, and
 * the Doris Stream Load node loads it as the row's `_doris` field, as a packed line's own `_doris` loads.
 * Undefined when the item has none.
 */
export function ownDorisValue(row: Readonly<Record<string, unknown>>): unknown {
	const info = row[DORIS_FIELD];
	if (info === null || typeof info !== 'object' || Array.isArray(info)) return undefined;
	const own = (info as Record<string, unknown>).ownFields;
	if (own === null || typeof own !== 'object' || Array.isArray(own) || !Object.hasOwn(own, DORIS_FIELD)) return undefined;
	return (own as Record<string, unknown>)[DORIS_FIELD];
}
