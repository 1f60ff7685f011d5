/**
 * Which Doris table each of an execution's items loads into, for the Stream Load node: the node's
 * own table (the same for every item, or each item's when its Table is an n8n expression), or the
 * table the Doris Schema node's Map Rows to Tables gave each row (`_doris` on a row, `packedRows.doris`
 * on a packed item). Items are grouped per table in their order, so each table's rows keep the order
 * of the execution's items (the order per key CDC needs), and each group loads into its table's own
 * shared batch.
 *
 * Also the earliest deadline of a group's rows (DorisItemInfo.loadBy, set by the Kafka trigger's
 * Keep Order per Partition): rows whose deadline has passed are not loaded.
 */
import { readDorisInfo } from '../common/doris-info';
import { DORIS_FIELD, PARSE_ERROR_FIELD } from '../common/item-contract';
import { readPackedRows } from '../common/packed-rows';

export interface LoadTarget {
	database: string;
	table: string;
}

export interface TargetGroup {
	target: LoadTarget;
	/** Indexes of the group's items in the execution's items, in order. */
	indexes: number[];
	items: Array<{ json: Record<string, unknown> }>;
	/** The earliest deadline of its items (ms since the epoch), if any carries one. */
	loadBy?: number;
}

export interface Grouped {
	groups: TargetGroup[];
	/** Items that cannot be placed, with the reason naming the field and the value. */
	refused: Array<{ index: number; message: string }>;
}

/**
 * Groups `items` by target. `from` 'item' takes each item's DorisItemInfo (database defaulting to
 * `defaultDatabase`); 'parameter' asks `parameterTarget`. Items the trigger could not decode follow
 * the first group (or make one with the node's target): they are never loaded, sortItemsForLoad
 * reports them.
 */
export function groupByTarget(
	items: ReadonlyArray<{ json: Record<string, unknown> }>,
	from: 'parameter' | 'item',
	parameterTarget: (index: number) => LoadTarget,
	defaultDatabase: string,
): Grouped {
	const byKey = new Map<string, TargetGroup>();
	const refused: Grouped['refused'] = [];
	let last: TargetGroup | undefined;
	const groupOf = (target: LoadTarget): TargetGroup => {
		// Items of one execution mostly share a table: compared as they are, no key built per item.
		if (last !== undefined && last.target.table === target.table && last.target.database === target.database) return last;
		const key = `${target.database}\u0000${target.table}`;
		let group = byKey.get(key);
		if (group === undefined) {
			group = { target, indexes: [], items: [] };
			byKey.set(key, group);
		}
		last = group;
		return group;
	};
	const undecodable: number[] = [];
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		if (json[PARSE_ERROR_FIELD] !== undefined) {
			undecodable.push(i);
			continue;
		}
		const packed = readPackedRows(json);
		const info = packed === undefined ? readDorisInfo(json[DORIS_FIELD]) : packed instanceof Error ? undefined : readDorisInfo(packed.doris, 'packedRows.doris');
		if (info instanceof Error) {
			refused.push({ index: i, message: `Item ${i}: ${info.message}` });
			continue;
		}
		let target: LoadTarget;
		if (from === 'parameter') {
			target = parameterTarget(i);
			// A row the Doris Schema node mapped for another table would load into the wrong one, its
			// columns silently ignored: refused, saying which setting routes it.
			if (info?.table !== undefined && (info.table !== target.table || (info.database !== undefined && info.database !== target.database))) {
				refused.push({
					index: i,
					message: `Item ${i} was mapped for table ${info.database ?? target.database}.${info.table} (${DORIS_FIELD}.table, by the Doris Schema node) but this node loads into ${target.database}.${target.table}: set Table From to "Each Row's Table"`,
				});
				continue;
			}
		} else {
			const table = info?.table;
			if (table === undefined) {
				refused.push({
					index: i,
					message: `Item ${i} names no table (${DORIS_FIELD}.table): Table From "Each Row's Table" loads rows of the Doris Schema node's Map Rows to Tables; set Table From to This Node's Table otherwise`,
				});
				continue;
			}
			target = { database: info?.database ?? defaultDatabase, table };
		}
		if (target.database === '') {
			refused.push({ index: i, message: `Item ${i}: no database (the node's Database is empty and the Doris credential has no default database)` });
			continue;
		}
		if (target.table === '') {
			refused.push({ index: i, message: `Item ${i}: the Table is empty` });
			continue;
		}
		const group = groupOf(target);
		group.indexes.push(i);
		group.items.push(items[i]);
		const loadBy = info?.loadBy;
		if (loadBy !== undefined && (group.loadBy === undefined || loadBy < group.loadBy)) group.loadBy = loadBy;
	}
	if (undecodable.length > 0) {
		const first = byKey.values().next().value ?? (from === 'parameter' ? groupOf(parameterTarget(undecodable[0])) : undefined);
		if (first === undefined) for (const index of undecodable) refused.push({ index, message: `Item ${index} could not be decoded by the Kafka trigger (${PARSE_ERROR_FIELD})` });
		else {
			for (const index of undecodable) {
				first.indexes.push(index);
				first.items.push(items[index]);
			}
			// They joined at the end: put the group back in item order. Only it: every other group is in
			// item order already (sorting them all cost an object per item, every row of One Item per Message).
			const order = first.indexes.map((index, k) => ({ index, item: first.items[k] })).sort((a, b) => a.index - b.index);
			first.indexes = order.map((o) => o.index);
			first.items = order.map((o) => o.item);
		}
	}
	return { groups: [...byKey.values()], refused };
}
