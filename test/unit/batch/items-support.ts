/**
 * Items as the Doris Stream Load node receives them, shared by the tests of what it does with them
 * (load-items.test.ts, rejected-items.test.ts).
 */
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';

/** A packed item of lines {"id":…}, one per id, from partition 0 of topic t at offsets equal to the ids. */
export function packed(ids: number[], extra: Partial<PackedRows> = {}): { json: Record<string, unknown> } {
	const jsonLines = ids.map((id) => `{"id":${id}}\n`).join('');
	const sources = [{ topic: 't', partition: 0, firstOffset: String(ids[0]), lastOffset: String(ids.at(-1)), lines: ids.length }];
	return { json: { [PACKED_ROWS_FIELD]: { jsonLines, count: ids.length, sources, ...extra } } };
}
/** An ordinary item: one row. */
export const row = (id: number, extra: Record<string, unknown> = {}) => ({ json: { id, ...extra } });
/** A JSON load that carries the delete sign when some row names it. */
export const json = { format: 'json', deletes: 'auto' } as const;
