/**
 * HLL, BITMAP and QUANTILE_STATE columns: values no JSON field holds, made by a Stream Load `columns`
 * expression (`uv = hll_hash(user_id)`, `users = to_bitmap(user_id)`). The test server keeps such a
 * value as the sorted set of what was hashed or added, stored as its members joined by ',' ('' = empty),
 * and the *_UNION aggregations merge the sets (exact, where Doris' HLL estimates).
 *
 * Where the Stream Load planner (fe-core, 2.1 / 3.0 / 3.1 alike) refuses a load, checked per column
 * before any row is read (FileLoadScanNode.finalizeParamsForLoad):
 * - an HLL column, of any table model, whose value is not an hll_hash / hll_empty / hll_from_base64
 *   call, such as a field of the data (what every column is without a `columns` header,
 *   Load.initColumns): "HLL column must use hll_hash function, like uv=hll_hash(xxx)";
 * - a BITMAP_UNION column whose value is not of type BITMAP (checkBitmapCompatibility), a
 *   QUANTILE_UNION one whose value is not QUANTILE_STATE (checkQuantileStateCompatibility, whose message
 *   Doris leaves unformatted: "quantile_state column %s require ...").
 * Left out of a `columns` list, a BITMAP column loads empty: CREATE TABLE gives each an empty bitmap as
 * default (nereids ColumnDefinition, DefaultValue.BITMAP_EMPTY_DEFAULT_VALUE), cast to BITMAP. Every HLL
 * column gets HLL_EMPTY_DEFAULT_VALUE, a plain value the planner refuses like a field until apache/doris
 * PR #34447 (May 2024) gave it hll_empty() as its expression: 3.0 and 3.1 load it empty; 2.1 is imitated
 * without the change (which 2.1 patch release has it is unconfirmed). A QUANTILE_STATE column has no
 * such default.
 */
import type { Column } from './catalog';
import type { Stored } from './convert';
import { LoadError, planError } from './load-headers';
import type { DorisVersion } from './types';

export const SKETCH_TYPES = new Set(['HLL', 'BITMAP', 'QUANTILE_STATE']);

/** What a sketch-making function returns (a set of members); convert() stores it. */
export class Sketch {
	constructor(
		readonly type: 'HLL' | 'BITMAP' | 'QUANTILE_STATE',
		readonly members: readonly string[],
	) {}
}

/** The functions of a `columns` expression that make a sketch, by the type they return. */
const MAKERS: Record<string, { type: Sketch['type']; empty: boolean }> = {
	hll_hash: { type: 'HLL', empty: false },
	hll_empty: { type: 'HLL', empty: true },
	to_bitmap: { type: 'BITMAP', empty: false },
	bitmap_empty: { type: 'BITMAP', empty: true },
	to_quantile_state: { type: 'QUANTILE_STATE', empty: false },
};

/** `fn(args)` for a sketch-making function, or undefined when `name` is none. */
export function sketchFunction(name: string, args: Array<(values: unknown[]) => unknown>): ((values: unknown[]) => Sketch) | undefined {
	const maker = MAKERS[name.toLowerCase()];
	if (maker === undefined) return undefined;
	return (values) => {
		const value = maker.empty ? null : args[0]?.(values);
		return new Sketch(maker.type, value === null || value === undefined ? [] : [String(value)]);
	};
}

/** The stored form of a sketch: its distinct members, sorted, joined by ','. */
export function storeSketch(value: Sketch): string {
	return [...new Set(value.members)].sort(compareMembers).join(',');
}

/** The *_UNION of two stored sketches. */
export function unionSketches(a: Stored, b: Stored): Stored {
	if (a === null) return b;
	if (b === null) return a;
	const members = [...String(a).split(','), ...String(b).split(',')].filter((m) => m !== '');
	return [...new Set(members)].sort(compareMembers).join(',');
}

function compareMembers(x: string, y: string): number {
	const a = Number(x);
	const b = Number(y);
	return Number.isFinite(a) && Number.isFinite(b) ? a - b : x < y ? -1 : x > y ? 1 : 0;
}

/** Whether CREATE TABLE gave the column an empty sketch as default (HLL, BITMAP; see the header for HLL in 2.1). */
export const hasEmptySketchDefault = (col: Column): boolean => col.type.base === 'HLL' || col.type.base === 'BITMAP';

/**
 * The planner's refusal for a sketch column, or undefined: `expression` is the `columns` expression
 * that fills it, `fromData` whether it is read as a field of the data instead.
 */
export function sketchPlanRefusal(col: Column, expression: string | undefined, fromData: boolean, version: DorisVersion): LoadError | undefined {
	if (!SKETCH_TYPES.has(col.type.base)) return undefined;
	const fn = expression === undefined ? undefined : /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(expression)?.[1]?.toLowerCase();
	const made = fn === undefined ? undefined : MAKERS[fn]?.type;
	// Left out: its default, an empty HLL given as hll_empty() only since PR #34447 (see the header).
	if (!fromData && expression === undefined && !(col.type.base === 'HLL' && version === '2.1')) return undefined;
	if (col.type.base === 'HLL') {
		if (fn === undefined) return planError(`HLL column must use hll_hash function, like ${col.name}=hll_hash(xxx)`);
		if (made !== 'HLL' && fn !== 'hll_from_base64') {
			return planError(`HLL column must use hll_hash function, like ${col.name}=hll_hash(xxx) or ${col.name}=hll_from_base64(xxx) or ${col.name}=hll_empty()`);
		}
		return undefined;
	}
	if (col.agg === 'BITMAP_UNION' && made !== 'BITMAP') return planError(`bitmap column ${col.name} require the function return type is BITMAP`);
	if (col.agg === 'QUANTILE_UNION' && made !== 'QUANTILE_STATE') return planError('quantile_state column %s require the function return type is QUANTILE_STATE');
	if (made !== col.type.base) return new LoadError(`[ANALYSIS_ERROR]test server: loading a ${col.type.base} column "${col.name}" from anything but ${col.type.base === 'BITMAP' ? 'to_bitmap / bitmap_empty' : 'to_quantile_state'} is not modelled`);
	return undefined;
}
