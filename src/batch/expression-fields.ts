/**
 * A Stream Load Columns expression reads fields of the data: `uv = hll_hash(user_id)` reads the field
 * user_id, which the list must name as a plain entry (Doris' `columns` header). A Doris Schema node
 * before the Stream Load node keeps only the table's columns in its rows: a field such as user_id,
 * which is no column of an HLL table, is dropped there (Unknown Fields: Ignore, counted and logged once),
 * and Doris then computes uv = hll_hash(NULL) for every row without a word (strict mode does not check
 * a computed column: vfile_scanner.cpp _convert_to_output_block finds no source slot for it). So a
 * load whose rows all lack a field an expression reads is refused, naming the field, the entry and
 * the setting. A field some rows carry is data: rows without it compute from NULL as the user's rows say.
 *
 * Only when a Doris Schema node that drops unknown fields ran in this execution before the Stream Load
 * node (droppingSchemaNodeRan). Without one, a field every row lacks is the data's own: a workflow fed by
 * a producer whose events may leave user_id out (anonymous visits, the HLL recipe itself) would otherwise
 * have its execution refused for good whenever its messages all lack it (one message per execution at low
 * traffic), and its partition would stop there.
 */
import { PACKED_ROWS_FIELD } from '../common/item-contract';
import { readPackedRows } from '../common/packed-rows';
import { columnExpression, columnName } from '../doris/stream-load/columns';
import { linesHaveTopLevelKey } from '../doris/stream-load/top-level-key';
import { SCHEMA_NODE_TYPE } from '../common/lossy-settings';
import type { GraphNode } from '../common/workflow-graph';
import type { SortedItems } from './load-items';

/**
 * Whether a Doris Schema node that drops fields no column takes (Unknown Fields: Ignore, the default;
 * Reject sends such rows to Invalid instead) is among the nodes that ran in this execution (`ran`:
 * names), read from the running workflow's nodes as stored.
 */
export function droppingSchemaNodeRan(nodes: Readonly<Record<string, GraphNode | undefined>>, ran: readonly string[]): boolean {
	return ran.some((name) => {
		const node = Object.hasOwn(nodes, name) ? nodes[name] : undefined;
		if (node?.type !== SCHEMA_NODE_TYPE || node.parameters?.operation === 'getSchema') return false;
		const options = node.parameters?.options;
		const unknownFields = options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>).unknownFields : undefined;
		return unknownFields !== 'reject';
	});
}

/** A field an expression of the Columns list reads, with the first entry reading it. */
export interface ExpressionField {
	field: string;
	entry: string;
}

/** Identifiers of an expression that are no function names (not followed by "("), string literals left out. */
function identifiersOf(expression: string): string[] {
	const bare = expression.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"/g, ' ');
	const out: string[] = [];
	for (const m of bare.matchAll(/`([^`]+)`|\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()/g)) out.push(m[1] ?? m[2]);
	return out;
}

/** The plain entries of `entries` that an expression entry reads (Doris lets an expression read only those). */
export function expressionFields(entries: readonly string[]): ExpressionField[] {
	const plain = new Map<string, string>();
	for (const entry of entries) if (columnExpression(entry) === undefined) plain.set(columnName(entry).toLowerCase(), columnName(entry));
	const found = new Map<string, ExpressionField>();
	for (const entry of entries) {
		const expression = columnExpression(entry);
		if (expression === undefined) continue;
		for (const name of identifiersOf(expression)) {
			const field = plain.get(name.toLowerCase());
			if (field !== undefined && !found.has(field)) found.set(field, { field, entry });
		}
	}
	return [...found.values()];
}

/** Whether a row or a packed item's lines carry `field` (lines: as a key of their own object, not a nested one's). */
function carries(json: Record<string, unknown>, field: string): boolean {
	const packed = readPackedRows(json);
	if (packed === undefined) return json[field] !== undefined;
	if (packed instanceof Error) return false;
	return linesHaveTopLevelKey(packed.jsonLines, field);
}

export function missingFieldMessage(f: ExpressionField): string {
	return (
		`Columns entry "${f.entry}" reads the field "${f.field}", which no row of this load carries: Doris would compute ${columnName(f.entry)} from NULL for every row, without a word. ` +
		`A Doris Schema node before this node keeps only the table's columns in its rows (Unknown Fields: Ignore drops "${f.field}"): load such rows without the Doris Schema node, or make "${f.field}" a column of the table`
	);
}

/**
 * `sorted` with every loadable item refused when none of them carries a field an expression reads
 * (the execution fails naming it, or under Continue the items go where failures go); unchanged otherwise.
 */
export function refuseWithoutExpressionFields(items: ReadonlyArray<{ json: Record<string, unknown> }>, sorted: SortedItems, fields: readonly ExpressionField[]): SortedItems {
	if (fields.length === 0 || sorted.loadable.length === 0) return sorted;
	const missing = fields.find((f) => !sorted.loadable.some((i) => carries(items[i].json, f.field)));
	if (missing === undefined) return sorted;
	const message = missingFieldMessage(missing);
	const refused = [...sorted.refused, ...sorted.loadable.map((index) => ({ index, message: readPackedRows(items[index].json) === undefined ? message : `${PACKED_ROWS_FIELD}: ${message}` }))];
	refused.sort((a, b) => a.index - b.index);
	return { ...sorted, parts: [], loadable: [], refused, lineMaps: new Map() };
}
