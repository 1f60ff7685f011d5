/**
 * What the Doris Schema node's "Map Rows to Table" does with one execution's items when they may go
 * to several tables (a whole-database change stream), without n8n. Each message's table comes from
 * the Table From rules (target.ts); items are grouped per table, the lines of a packed item split per
 * table (split-packed.ts), and each group is mapped with its table's mapper (route-items.ts,
 * route-packed.ts, in worker threads when big). With one table this is mapItems with the same output.
 *
 * Per table, in this order: its mapper (the schema, read once per process and table; a table that
 * does not exist may be created from its first message, `mapperFor`); then schema drift: when the
 * mapped items hint that the table changed since its schema was read (a field no column matches yet,
 * rows invalid for a reason a changed table may accept, drift-signals.ts), `reread` reads it again
 * (rate-limited: waiting for a read begun after the items arrived, never judging them against an
 * older one) and the group is mapped again with the new columns; then schema evolution: fields
 * with no column reject their rows with rule `new_column`, the columns are added (`addColumns`) and
 * the group is mapped again, once. Invalid items are counted once, after the last mapping. Rows come out tagged with their table (`_doris`, and
 * `packedRows.doris` on packed items) and the execution's deadline, for the Stream Load node.
 *
 * Every input item (and every line of a packed item) comes out exactly once, on `rows` or on
 * `invalid` with the reasons; both keep input order, and within one packed item the order of its
 * tables' first lines.
 */
import { readDorisInfo } from '../../common/doris-info';
import { DORIS_FIELD, KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type DorisItemInfo, type PackedRows } from '../../common/item-contract';
import { readPackedRows } from '../../common/packed-rows';
import { metrics } from '../../metrics/metrics';
import type { ColumnSpec } from './column-types';
import type { RejectRule } from './coerce-result';
import { routePackedParallel, sharedPackedPool } from './packed-worker-pool';
import { allKnownUnmatched, columnsSignature, reportUnmatched, suggestsSchemaChange } from './drift-signals';
import { markKeyFacts } from './key-facts';
import { columnsAskedFor, explainFailedEvolution } from './new-columns';
import { warnLineOwnFields } from './reserved-line-fields';
import { countInvalidItems, INVALID_FIELD, routeItems, type InvalidInfo, type RouteLabels, type RoutedItem, type RoutedItems } from './route-items';
import type { Rejection, RowMapper } from './row-mapper';
import { splitPacked, type UnplacedLine } from './split-packed';
import { samplesOf } from './table-samples';
import { noteTableSources, sourceOfRow } from './table-sources';
import { isFixedTarget, needsOnlyTopic, resolveTarget, targetKey, topicOfItem, type DorisTarget, type ParameterNames, type TargetRefusal, type TargetRules } from './target';

export interface MapItemsOptions {
	labels: RouteLabels;
	/** Worker threads for big packed items; 0 = this thread. */
	workerThreads: number;
	/**
	 * A packed item whose shape breaks the item contract: false throws BrokenPackedItemError before
	 * anything is mapped (the execution fails), true sends it to `invalid` with the reason (n8n's
	 * Continue On Fail).
	 */
	continueOnFail: boolean;
	/** Where a worker pool reports a worker it lost. */
	warn?: (message: string) => void;
	/** Told once per field name and read of a table's schema: a field that matches no column. */
	info?: (message: string) => void;
}

/** A packed item that is not a PackedRows: refused before any item is mapped. */
export class BrokenPackedItemError extends Error {
	constructor(
		readonly itemIndex: number,
		reason: string,
	) {
		super(`Item ${itemIndex}: ${reason}`);
		this.name = 'BrokenPackedItemError';
	}
}

export interface TargetMapping {
	rules: TargetRules;
	/** The node's Database / Table for item `index` (an expression there is evaluated per item). */
	parameters(index: number): ParameterNames;
	/** Whether rows say their table: when it is not the same for every item of every execution. */
	tagTargets: boolean;
	/**
	 * The mapper of a target's table; a refusal sends every message for it to Invalid with the reason
	 * (a table that does not exist and may not be created). `samples` gives its messages in order, for a
	 * table created from them. Throws when Doris cannot be asked: the execution fails and is redelivered.
	 */
	mapperFor(target: DorisTarget, samples: () => Iterable<Record<string, unknown>>): Promise<RowMapper | TargetRefusal>;
	/** Schema evolution: adds the columns and returns the table's new mapper, or why not. Absent: off. */
	addColumns?(target: DorisTarget, columns: ColumnSpec[]): Promise<RowMapper | TargetRefusal>;
	/**
	 * Schema drift: a mapper for a read of the table that began at or after `since` (when the items
	 * reached the node), waiting for it when reads are rate-limited; throws when the read fails, as the
	 * items cannot be judged then. Undefined: none can be made. Absent: the schema in hand is kept (a
	 * typed column list).
	 */
	reread?(target: DorisTarget, since: number): Promise<RowMapper | undefined>;
}

/** An output with where it sorts: its input item, then its place inside that item. */
interface Placed {
	item: RoutedItem;
	sub: number;
}

interface Group {
	target: DorisTarget;
	ordinary: Array<{ index: number; json: Record<string, unknown> }>;
	/** `lines`: the input item's index of each line of the part, when the item was split. */
	packed: Array<{ index: number; order: number; packed: PackedRows; loadBy: number | undefined; lines: number[] | undefined }>;
	/** The source tables its rows come from, when Table From derives the name from them (table-sources.ts). */
	sources: Set<string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tableName(target: DorisTarget | undefined): string {
	return target === undefined ? '' : `${target.database}.${target.table}`;
}

/**
 * Maps one execution's items, each to its own table. Throws BrokenPackedItemError (unless
 * `continueOnFail`) before anything is mapped, and whatever `mapperFor` / `addColumns` throw.
 */
export async function mapItemsToTargets(items: ReadonlyArray<{ json: Record<string, unknown> }>, mapping: TargetMapping, options: MapItemsOptions): Promise<RoutedItems> {
	const { labels } = options;
	// Rows are judged only against a schema read after this (see `reread`).
	const since = Date.now();
	const rows: Placed[] = [];
	const invalid: Placed[] = [];
	const groups = new Map<string, Group>();
	const refuse = (json: Record<string, unknown>, index: number, sub: number, target: DorisTarget | undefined, rule: RejectRule, message: string, expected: string): void => {
		const reasons: Rejection[] = [{ column: null, value: null, expected, rule, message }];
		const info: InvalidInfo = { table: tableName(target), reasons };
		invalid.push({ item: { json: { ...json, [INVALID_FIELD]: info }, index }, sub });
		metrics.rowsInvalid.inc({ workflow: labels.workflow, table: tableName(target), rule });
	};
	let last: Group | undefined;
	const groupOf = (target: DorisTarget): Group => {
		// Items of one execution mostly share a table: compared as they are, no key built per item.
		if (last !== undefined && last.target.table === target.table && last.target.database === target.database) return last;
		const key = targetKey(target);
		let group = groups.get(key);
		if (group === undefined) {
			group = { target, ordinary: [], packed: [], sources: new Set() };
			groups.set(key, group);
		}
		last = group;
		return group;
	};

	// 1. Every message to its table; broken packed items are refused before anything is mapped.
	const packedInputs: Array<{ index: number; packed: PackedRows }> = [];
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		const packed = readPackedRows(json);
		if (packed instanceof Error) {
			if (!options.continueOnFail) throw new BrokenPackedItemError(i, packed.message);
			const fixed = isFixedTarget(mapping.rules) ? mapping.parameters(i) : undefined;
			refuse(json, i, 0, fixed, 'envelope', packed.message, 'packed rows');
			continue;
		}
		if (packed !== undefined) {
			packedInputs.push({ index: i, packed });
			continue;
		}
		const info = readDorisInfo(json[DORIS_FIELD]);
		if (info instanceof Error) {
			refuse(json, i, 0, undefined, 'envelope', info.message, `${DORIS_FIELD} as the Kafka trigger sets it`);
			continue;
		}
		const topic = topicOfItem(json);
		const target = resolveTarget(mapping.rules, json, topic, mapping.parameters(i));
		if ('refused' in target) {
			// An item the trigger could not decode says so, rather than that its table is unknown.
			if (json[PARSE_ERROR_FIELD] !== undefined) refuse(json, i, 0, undefined, 'parse_error', `the Kafka message could not be decoded: ${String((json[PARSE_ERROR_FIELD] as { message?: unknown }).message ?? '')}`, 'a JSON object');
			else refuse(json, i, 0, undefined, 'table', target.refused, 'a target table');
			continue;
		}
		const group = groupOf(target);
		group.ordinary.push({ index: i, json });
		const source = sourceOfRow(mapping.rules, json, topic);
		if (source !== undefined) group.sources.add(source);
	}
	for (const { index, packed } of packedInputs) {
		const parameters = mapping.parameters(index);
		if (isFixedTarget(mapping.rules)) {
			// The node's one table for every line, whatever its topic or content: the item goes whole,
			// without counting its lines on n8n's main thread to find which runs cover them.
			const target = resolveTarget(mapping.rules, {}, undefined, parameters);
			if (!('refused' in target)) {
				groupOf(target).packed.push({ index, order: 0, packed, loadBy: packed.doris?.loadBy, lines: undefined });
				continue;
			}
		}
		const targets = new Map<string, DorisTarget>();
		const sources = new Map<string, Set<string>>();
		const place = (json: Record<string, unknown>, topic: string | undefined) => {
			const target = resolveTarget(mapping.rules, json, topic, parameters);
			if ('refused' in target) return target;
			const key = targetKey(target);
			targets.set(key, target);
			const source = sourceOfRow(mapping.rules, json, topic);
			if (source !== undefined) {
				const known = sources.get(key);
				if (known === undefined) sources.set(key, new Set([source]));
				else known.add(source);
			}
			return key;
		};
		const split = needsOnlyTopic(mapping.rules) ? splitPacked(packed, { byTopic: (topic) => place({}, topic) }) : splitPacked(packed, { byLine: place });
		for (const line of split.unplaced) refuseLine(line, index, refuse);
		let order = 0;
		for (const [key, part] of split.parts) {
			// The part's lines keep the item's Add Kafka Fields mark (route-packed.ts reads it from the part).
			const marked = packed.doris?.kafkaFields === undefined ? part : { ...part, doris: { kafkaFields: packed.doris.kafkaFields } };
			const group = groupOf(targets.get(key) as DorisTarget);
			group.packed.push({ index, order: order++, packed: marked, loadBy: packed.doris?.loadBy, lines: split.lineNumbers.get(key) });
			for (const source of sources.get(key) ?? []) group.sources.add(source);
		}
	}

	for (const group of groups.values()) noteTableSources(group.target, group.sources, mapping.rules, options.warn);

	// 2. Each table's mapper, then its rows; the tables in parallel (their schemas are read at once).
	const pool = sharedPackedPool(options.workerThreads, options.warn);
	await Promise.all(
		[...groups.values()].map(async (group) => {
			const mapper = await mapping.mapperFor(group.target, () => samplesOf(group));
			if ('refused' in mapper) {
				for (const { index, json } of group.ordinary) refuse(json, index, 0, group.target, mapper.rule ?? 'table', mapper.refused, mapper.expected ?? 'an existing table');
				for (const part of group.packed) {
					for (const line of splitPacked(part.packed, { byTopic: () => ({ refused: mapper.refused }) }).unplaced) {
						refuseLine({ ...line, origin: { ...line.origin, line: part.lines?.[line.origin.line] ?? line.origin.line } }, part.index, refuse, group.target);
					}
				}
				return;
			}
			// Counted once below, whatever mapping the group ends with.
			const quiet = { ...labels, countMetrics: false };
			let current = mapper;
			let unmatched = new Map<string, number>();
			let mapped = await mapGroup(group, current, pool, quiet, unmatched);
			// A typed column list has nothing to re-read: its unmatched names are final.
			let remember = mapping.reread === undefined || allKnownUnmatched(current.schema, unmatched);
			if (mapping.reread !== undefined && suggestsSchemaChange(current.schema, unmatched, mapped.invalid.map((p) => p.item))) {
				const fresh = await mapping.reread(group.target, since);
				// Read after the items arrived: their unmatched names are known not to be columns.
				if (fresh !== undefined) remember = true;
				if (fresh !== undefined && fresh.schema !== current.schema) {
					const changed = columnsSignature(fresh.schema) !== columnsSignature(current.schema);
					current = fresh;
					if (changed) {
						unmatched = new Map();
						mapped = await mapGroup(group, current, pool, quiet, unmatched);
					}
				}
			}
			const wanted = columnsAskedFor(mapped.invalid.map((p) => p.item));
			if (wanted.length > 0 && mapping.addColumns !== undefined) {
				const evolved = await mapping.addColumns(group.target, wanted);
				if ('refused' in evolved) explainFailedEvolution(mapped.invalid.map((p) => p.item), evolved.refused);
				else mapped = await mapGroup(group, (current = evolved), pool, quiet, (unmatched = new Map()));
			}
			countInvalidItems(
				mapped.invalid.map((p) => p.item),
				labels,
				tableName(group.target),
			);
			reportUnmatched(current.schema, unmatched, remember, labels, options.info);
			warnLineOwnFields(tableName(group.target), unmatched, options.warn, current);
			for (const placed of mapped.rows) {
				tag(placed.item.json, group.target, mapping.tagTargets);
				// The Stream Load node fails the load when the table changed since (key-facts.ts, late review session 20, S3).
				markKeyFacts(placed.item.json, current.schema);
			}
			rows.push(...mapped.rows);
			invalid.push(...mapped.invalid);
		}),
	);

	const byPlace = (a: Placed, b: Placed) => a.item.index - b.item.index || a.sub - b.sub;
	return { rows: rows.sort(byPlace).map((p) => p.item), invalid: invalid.sort(byPlace).map((p) => p.item) };
}

function refuseLine(
	line: UnplacedLine,
	index: number,
	refuse: (json: Record<string, unknown>, index: number, sub: number, target: DorisTarget | undefined, rule: RejectRule, message: string, expected: string) => void,
	target?: DorisTarget,
): void {
	const json = { ...line.json, [KAFKA_METADATA_FIELD]: line.origin };
	if (line.refused !== null) refuse(json, index, line.origin.line, target, 'table', line.refused, target === undefined ? 'a target table' : 'an existing table');
	else {
		const error = line.json[PARSE_ERROR_FIELD] as { message?: string } | undefined;
		refuse(json, index, line.origin.line, target, 'parse_error', `the line could not be parsed: ${error?.message ?? ''}`, 'a JSON object');
	}
}

/**
 * One table's items and packed parts through its mapper. Fields that match no column are counted into
 * `unmatched`, of every item and every line (a worker returns its counts with its result). The
 * mapper's sink is set only around synchronous mapping: executions sharing the mapper interleave at
 * awaits.
 */
async function mapGroup(
	group: Group,
	mapper: RowMapper,
	pool: ReturnType<typeof sharedPackedPool>,
	labels: MapItemsOptions['labels'],
	unmatched: Map<string, number>,
): Promise<{ rows: Placed[]; invalid: Placed[] }> {
	const rows: Placed[] = [];
	const invalid: Placed[] = [];
	const sinking = <T>(run: () => T): T => {
		mapper.unmatchedSink = unmatched;
		try {
			return run();
		} finally {
			mapper.unmatchedSink = null;
		}
	};
	const pending = group.packed.map((part) => routePackedParallel(part.packed, mapper, labels, part.index, pool, unmatched));
	if (group.ordinary.length > 0) {
		const routed = sinking(() =>
			routeItems(
				group.ordinary.map((o) => ({ json: o.json })),
				mapper,
				labels,
			),
		);
		for (const r of routed.rows) {
			const source = group.ordinary[r.index];
			const info = source.json[DORIS_FIELD] as DorisItemInfo | undefined;
			// The row's `_doris` is the item's information (its deadline, then its table: tag()); the value a
			// table column named `_doris` takes rides in its ownFields, which the Doris Stream Load node loads
			// as the row's `_doris` (doris-info.ts ownDorisValue). Left in place it was overwritten by the
			// deadline or read as the information, and never loaded (review session 17, leftover 3).
			// Built without spreads and a list of its keys: this runs for every row of One Item per Message.
			const column = r.json[DORIS_FIELD];
			const loadBy = info?.loadBy;
			if (column !== undefined) r.json[DORIS_FIELD] = loadBy === undefined ? { ownFields: { [DORIS_FIELD]: column } } : { loadBy, ownFields: { [DORIS_FIELD]: column } };
			else if (loadBy !== undefined) r.json[DORIS_FIELD] = { loadBy };
			else delete r.json[DORIS_FIELD];
			rows.push({ item: { json: r.json, index: source.index }, sub: 0 });
		}
		for (const r of routed.invalid) invalid.push({ item: { json: r.json, index: group.ordinary[r.index].index }, sub: 0 });
	}
	const results = await Promise.all(pending);
	results.forEach((result, k) => {
		const part = group.packed[k];
		if (result.packed !== null) {
			if (part.loadBy !== undefined) result.packed.doris = { loadBy: part.loadBy };
			rows.push({ item: { json: { [PACKED_ROWS_FIELD]: result.packed }, index: part.index }, sub: part.order });
		}
		for (const x of result.invalid) {
			// Lines are counted in the part; the Invalid output names them by their place in the input item.
			const origin = x.json[KAFKA_METADATA_FIELD] as { line?: number } | undefined;
			const line = origin?.line === undefined ? 0 : (part.lines?.[origin.line] ?? origin.line);
			if (origin !== undefined && part.lines !== undefined) x.json[KAFKA_METADATA_FIELD] = { ...origin, line };
			invalid.push({ item: x, sub: line });
		}
	});
	return { rows, invalid };
}

/** Adds the table to a row's (or packed item's) DorisItemInfo when rows must say where they go. */
function tag(json: Record<string, unknown>, target: DorisTarget, tagTargets: boolean): void {
	if (!tagTargets) return;
	const packed = json[PACKED_ROWS_FIELD];
	if (isObject(packed)) {
		(packed as unknown as PackedRows).doris = { ...(packed as unknown as PackedRows).doris, database: target.database, table: target.table };
		return;
	}
	json[DORIS_FIELD] = { ...(json[DORIS_FIELD] as DorisItemInfo | undefined), database: target.database, table: target.table };
}
