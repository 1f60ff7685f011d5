/**
 * Table partitions as far as a Stream Load needs them: which partition a row belongs to, whether the
 * load's `partitions` header names it, whether it takes writes. Doris:
 * - CREATE TABLE ... PARTITION BY RANGE(col) (PARTITION p VALUES LESS THAN ("v" | MAXVALUE), ...) or
 *   LIST(col) (PARTITION p VALUES IN ("a", "b"), ...). A table without PARTITION BY has one partition
 *   named like the table.
 * - The header names partitions (FE task/StreamLoadTask.java splits it at commas, `\s*,\s*`); a name the
 *   table does not have fails the load (StreamLoadPlanner: ERR_UNKNOWN_PARTITION, "Unknown partition").
 * - A row that falls in no partition, or in none the header lists, is filtered with "no partition for
 *   this tuple" (BE vec/sink/vtablet_finder.cpp), counted against max_filter_ratio like any filtered row.
 * - A row of a partition set "mutable" = "false" is skipped and counted as unselected (loadPartitions).
 * What the test server cannot tell apart (several partition columns, fixed ranges `[a, b)`, automatic
 * partitions, temporary partitions) it refuses loudly when a load names partitions.
 */
import { analysisError, type Cursor } from './sql-lex';

export interface Partitioning {
	kind: 'RANGE' | 'LIST';
	column: string;
	/** `mutable` false: a partition that takes no writes (below, setPartitionProperties). */
	partitions: Array<{ name: string; lessThan?: string | null; values?: string[]; mutable?: boolean }>;
}

/** What a table's PARTITION BY clause gave: partitions the test server reads, or why it does not. */
export type TablePartitions = Partitioning | { unsupported: string };

/** Parses `RANGE(col) (...)` / `LIST(col) (...)` after PARTITION BY; anything else is kept as unsupported. */
export function parsePartitionBy(c: Cursor): TablePartitions {
	const kind = c.ident().toUpperCase();
	const start = c.i;
	c.expectOp('(');
	const columns: string[] = [];
	while (!c.acceptOp(')')) {
		columns.push(c.ident());
		c.acceptOp(',');
	}
	if (!c.isOp('(')) return { unsupported: 'partitions created automatically (no partition list)' };
	if ((kind !== 'RANGE' && kind !== 'LIST') || columns.length !== 1) {
		c.i = start;
		c.skipGroup();
		c.skipGroup();
		return { unsupported: `PARTITION BY ${kind} on ${columns.length} column(s)` };
	}
	const at = c.i;
	try {
		return { kind, column: columns[0], partitions: partitionList(c, kind) };
	} catch {
		c.i = at;
		c.skipGroup();
		return { unsupported: `this ${kind} partition list (only VALUES LESS THAN / VALUES IN with single values)` };
	}
}

function partitionList(c: Cursor, kind: 'RANGE' | 'LIST'): Partitioning['partitions'] {
	const out: Partitioning['partitions'] = [];
	c.expectOp('(');
	while (!c.acceptOp(')')) {
		c.expectKw('PARTITION');
		c.acceptKw('IF', 'NOT', 'EXISTS');
		const name = c.ident();
		c.expectKw('VALUES');
		if (kind === 'RANGE') {
			c.expectKw('LESS', 'THAN');
			if (c.acceptKw('MAXVALUE')) out.push({ name, lessThan: null });
			else {
				c.expectOp('(');
				const value = c.acceptKw('MAXVALUE') ? null : c.str();
				c.expectOp(')');
				out.push({ name, lessThan: value });
			}
		} else {
			c.expectKw('IN');
			c.expectOp('(');
			const values: string[] = [];
			while (!c.acceptOp(')')) {
				values.push(c.str());
				c.acceptOp(',');
			}
			out.push({ name, values });
		}
		if (c.acceptKw('PROPERTIES')) c.skipGroup();
		c.acceptOp(',');
	}
	return out;
}

/**
 * ALTER TABLE ... MODIFY PARTITION p | (p1, p2) | (*) SET ("mutable" = "false" | "true"). A load's row
 * that falls in a partition that is not mutable is skipped and counted as unselected, with no error-log
 * line (BE vec/sink/vtablet_finder.cpp: `if (!partitions[row_index]->is_mutable)
 * _num_immutable_partition_filtered_rows++`, added to NumberUnselectedRows by VTabletWriter /
 * VOlapTableSinkV2 close; 2.1, 3.0, 3.1, master). Other partition properties are kept nowhere.
 */
export function setPartitionProperties(table: { name: string; partitions?: TablePartitions }, names: string[], properties: Map<string, string>): void {
	const p = table.partitions;
	if (p === undefined || 'unsupported' in p) throw analysisError(`test server: MODIFY PARTITION on table ${table.name} without a partition list it reads is not imitated`);
	const chosen = names.includes('*') ? p.partitions : names.map((name) => {
		const found = p.partitions.find((part) => part.name.toLowerCase() === name.toLowerCase());
		if (found === undefined) throw analysisError(`Partition[${name}] does not exist in table[${table.name}]`);
		return found;
	});
	const mutable = properties.get('mutable');
	if (mutable === undefined) return;
	if (!/^(true|false)$/i.test(mutable)) throw analysisError(`Invalid mutable property value: ${mutable}`);
	for (const part of chosen) part.mutable = mutable.toLowerCase() === 'true';
}

/** Orders partition values: numbers as numbers, anything else (dates, datetimes, text) as text. */
function compare(a: string, b: string): number {
	const x = Number(a);
	const y = Number(b);
	if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
	return a < b ? -1 : a > b ? 1 : 0;
}

/** The partition a stored value falls in (RANGE: the first whose upper bound lies above it). */
export function partitionOf(p: Partitioning, value: unknown): string | undefined {
	if (value === null || value === undefined) return p.kind === 'RANGE' ? p.partitions[0]?.name : undefined;
	const text = String(value);
	if (p.kind === 'LIST') return p.partitions.find((part) => part.values?.some((v) => compare(v, text) === 0))?.name;
	return p.partitions.find((part) => part.lessThan === null || compare(text, part.lessThan ?? '') < 0)?.name;
}

/**
 * How a load's rows are routed to partitions: the index of the partition column, the partitions its
 * `partitions` header names (every one without the header) and the table's partitioning; or
 * `everyRowIn` for a table without PARTITION BY that the header names; undefined where no row can miss
 * (no PARTITION BY, or one the test server does not read, without the header). Doris routes every row
 * with or without the header (vtablet_finder.cpp find_tablets): one that falls in no partition (of those
 * named) is filtered "no partition for this tuple". Throws the message Doris answers with (or, for
 * what the test server does not imitate, one saying so) as an Error for the caller to wrap.
 */
export function loadPartitions(
	table: { name: string; columns: Array<{ name: string }>; partitions?: TablePartitions },
	header: string | undefined,
): { column: number; names?: Set<string>; partitioning: Partitioning } | { everyRowIn: string } | undefined {
	const p = table.partitions;
	const columnOf = (partitioning: Partitioning) => table.columns.findIndex((c) => c.name.toLowerCase() === partitioning.column.toLowerCase());
	if (header === undefined || header.trim() === '') return p === undefined || 'unsupported' in p ? undefined : { column: columnOf(p), partitioning: p };
	const names = header.trim().split(/\s*,\s*/);
	if (p !== undefined && 'unsupported' in p) throw new Error(`[NOT_IMPLEMENTED_ERROR]test server: a partitions header on a table with ${p.unsupported} is not imitated`);
	// Doris matches partition names without case (OlapTable.getPartition).
	const known = p === undefined ? [table.name] : p.partitions.map((part) => part.name);
	for (const name of names) {
		if (!known.some((k) => k.toLowerCase() === name.toLowerCase())) {
			throw new Error(`[ANALYSIS_ERROR]errCode = 2, detailMessage = Unknown partition '${name}' in table '${table.name}'`);
		}
	}
	if (p === undefined) return { everyRowIn: table.name };
	return { column: columnOf(p), names: new Set(names.map((n) => n.toLowerCase())), partitioning: p };
}

/** Whether the named partition takes no writes ("mutable" = "false", setPartitionProperties). */
export function immutablePartition(p: Partitioning, name: string): boolean {
	return p.partitions.find((part) => part.name === name)?.mutable === false;
}
