/**
 * Makes a prepared load's rows visible, as each keys model stores a row: DUPLICATE KEY appends it,
 * UNIQUE KEY replaces the row of its key (sequence column, delete sign, the columns a partial update
 * keeps), AGGREGATE KEY merges its value columns by their aggregation. load-exec.ts prepares the rows
 * (every check that can filter one) and hands them here only once the whole load is accepted.
 */
import { compareStored, defaultFor, encodeKey, keyIndexes, sequenceColumn, sumStored, type Table } from './catalog';
import type { Stored } from './convert';
import type { Target } from './load-headers';
import { unionSketches } from './sketches';

/** A column a flexible partial update leaves as it is (the line does not carry it). */
export const KEEP: unique symbol = Symbol('keep');
export type Cell = Stored | typeof KEEP;

export function applyRows(table: Table, ready: Cell[][], dels: boolean[], seqs: Cell[], targets: Target[], useSeq: boolean): void {
	if (table.keysType === 'DUP_KEYS') {
		for (const r of ready) table.dupRows.push(r as Stored[]);
		return;
	}
	const anyKeep = targets.some((t) => t.keep) || ready.some((r) => r.includes(KEEP));
	const keyIdx = keyIndexes(table);
	const cols = table.columns;
	const seqType = table.sequenceType ?? (useSeq ? cols.find((c) => c.name === sequenceColumn(table))?.type : undefined);
	for (let n = 0; n < ready.length; n++) {
		const cells = ready[n];
		// KEEP cells exist only in flexible partial updates of UNIQUE tables; they are replaced below.
		const row = cells as Stored[];
		const del = dels[n];
		const key = encodeKey(row, keyIdx);
		const old = table.keyed.get(key);
		// A flexible partial update without the sequence column keeps the stored sequence value.
		const seq = seqs[n] === KEEP ? (old?.seq ?? null) : (seqs[n] as Stored);
		if (table.keysType === 'UNIQUE_KEYS') {
			// Sequence column docs: a row replaces the stored one only when its sequence value is >= the stored one.
			if (useSeq && seqType && old && compareStored(seqType, seq, old.seq) < 0) continue;
			if (del) {
				if (useSeq) table.keyed.set(key, { row: old?.row ?? row, seq, deleted: true });
				else table.keyed.delete(key);
				continue;
			}
			let full = row;
			if (anyKeep) {
				full = row.slice();
				for (let i = 0; i < targets.length; i++) {
					if (targets[i].keep || cells[i] === KEEP) full[i] = old && !old.deleted ? old.row[i] : defaultFor(cols[i]);
				}
			}
			table.keyed.set(key, { row: full, seq, deleted: false });
			continue;
		}
		// AGGREGATE KEY: merge value columns by their aggregation.
		if (!old) {
			table.keyed.set(key, { row, seq: null, deleted: false });
			continue;
		}
		const merged = old.row.slice();
		for (let i = 0; i < cols.length; i++) {
			const c = cols[i];
			if (c.isKey) continue;
			switch (c.agg) {
				case 'SUM':
					merged[i] = sumStored(c.type, merged[i], row[i]);
					break;
				case 'MAX':
					if (merged[i] === null || (row[i] !== null && compareStored(c.type, row[i], merged[i]) > 0)) merged[i] = row[i];
					break;
				case 'MIN':
					if (merged[i] === null || (row[i] !== null && compareStored(c.type, row[i], merged[i]) < 0)) merged[i] = row[i];
					break;
				case 'REPLACE_IF_NOT_NULL':
					if (row[i] !== null) merged[i] = row[i];
					break;
				case 'HLL_UNION':
				case 'BITMAP_UNION':
				case 'QUANTILE_UNION':
					merged[i] = unionSketches(merged[i], row[i]);
					break;
				default:
					merged[i] = row[i];
			}
		}
		old.row = merged;
	}
}
