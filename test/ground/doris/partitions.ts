/**
 * Table partitions as far as a Stream Load's `partitions` header needs them: which partition a row
 * belongs to. Doris:
 * - CREATE TABLE ... PARTITION BY RANGE(col) (PARTITION p VALUES LESS THAN ("v" | MAXVALUE), ...) or
 *   LIST(col) (PARTITION p VALUES IN ("a", "b"), ...). A table without PARTITION BY has one partition
 *   named like the table.
 * - The header names partitions (FE task/StreamLoadTask.java splits it at commas, `\s*,\s*`); a name the
 *   table does not have fails the load (StreamLoadPlanner: ERR_UNKNOWN_PARTITION, "Unknown partition").
 * - A row that falls in no listed partition is filtered with "no partition for this tuple" (BE
 *   vec/sink/vtablet_finder.cpp), counted against max_filter_ratio like any filtered row.
 * What the test server cannot tell apart (several partition columns, fixed ranges `[a, b)`, automatic
 * partitions, temporary partitions) it refuses loudly when a load names partitions.
 */
import type { Cursor } from './sql-lex';

export interface Partitioning {
	kind: 'RANGE' | 'LIST';
	column: string;
	partitions: Array<{ name: string; lessThan?: string | null; values?: string[] }>;
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
 * What a load's `partitions` header allows: the index of the partition column and the partitions named,
 * or undefined without the header. Throws the message Doris answers with (or, for what the test server
 * does not imitate, one saying so) as an Error for the caller to wrap.
 */
export function loadPartitions(
	table: { name: string; columns: Array<{ name: string }>; partitions?: TablePartitions },
	header: string | undefined,
): { column: number; names: Set<string>; partitioning: Partitioning } | { everyRowIn: string } | undefined {
	if (header === undefined || header.trim() === '') return undefined;
	const names = header.trim().split(/\s*,\s*/);
	const p = table.partitions;
	if (p !== undefined && 'unsupported' in p) throw new Error(`[NOT_IMPLEMENTED_ERROR]test server: a partitions header on a table with ${p.unsupported} is not imitated`);
	// Doris matches partition names without case (OlapTable.getPartition).
	const known = p === undefined ? [table.name] : p.partitions.map((part) => part.name);
	for (const name of names) {
		if (!known.some((k) => k.toLowerCase() === name.toLowerCase())) {
			throw new Error(`[ANALYSIS_ERROR]errCode = 2, detailMessage = Unknown partition '${name}' in table '${table.name}'`);
		}
	}
	if (p === undefined) return { everyRowIn: table.name };
	const column = table.columns.findIndex((c) => c.name.toLowerCase() === p.column.toLowerCase());
	return { column, names: new Set(names.map((n) => n.toLowerCase())), partitioning: p };
}
