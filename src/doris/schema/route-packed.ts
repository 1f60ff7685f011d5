/**
 * The packed counterpart of route-items: one item holding many JSON lines (src/common/item-contract.ts,
 * PackedRows) goes through the same RowMapper line by line. Valid rows are serialised with the
 * Stream Load node's own JSON serializer (src/doris/stream-load/wire-format.ts), so a row loads byte for byte
 * the same whether it travelled packed or as an item; the Stream Load node appends these lines as
 * they are. Each line that cannot load becomes its own invalid item, with where it came from.
 *
 * The lines are walked with indexOf('\n') (no array of lines). Each line first tries the fast path
 * (line-transcoder.ts: validated in place, unchanged values copied, the same bytes as below); the
 * lines it leaves (invalid ones, rare shapes) are parsed, mapped and serialised one by one. Both
 * write into one UTF-8 buffer (line-sink.ts), which a worker thread hands over with the text.
 */
import {
	DELETE_SIGN_COLUMN,
	KAFKA_METADATA_FIELD,
	PARSE_ERROR_FIELD,
	type PackedRows,
	type PackedSource,
	type ParseErrorInfo,
	type ParseErrorKind,
} from '../../common/item-contract';
import { rememberWrittenLines } from '../../common/encoded-lines';
import { parseJsonExact, type JsonValue } from '../../common/exact-json';
import { runConnectSchemas, type PackedLineOrigin } from '../../common/packed-rows';
import { metrics } from '../../metrics/metrics';
import { packedLineSerializer, type RowSerializer } from '../stream-load/wire-format';
import { LineSink } from './line-sink';
import { lineTranscoderFor } from './line-transcoder';
import { INVALID_FIELD, type InvalidInfo, type RouteLabels, type RoutedItem } from './route-items';
import type { RejectRule } from './coerce-type';
import type { MapResult, RowMapper } from './row-mapper';
import { countLineOwnFields, lineOwnFieldReasons, withOwnFieldReasons } from './reserved-line-fields';
import { kafkaFieldsOf } from './trigger-fields';

/** `_kafka` of an invalid line: the Kafka message it was, as far as the packed sources tell. */
export type { PackedLineOrigin } from '../../common/packed-rows';

export interface RoutedPacked {
	/** The valid rows as JSON lines; null when no line could load. */
	packed: PackedRows | null;
	/**
	 * One item per line that cannot load, shaped as in per-message mode: the parsed object (or a
	 * `_parseError` for a line that did not parse) + `_invalid` + `_kafka`; index = the input item's.
	 */
	invalid: RoutedItem[];
}

/** The serializer the Stream Load node uses for these rows (JSON; in CDC mode rows carry the sign). */
const serializers = new WeakMap<RowMapper, RowSerializer>();
function serializerFor(mapper: RowMapper): RowSerializer {
	let s = serializers.get(mapper);
	if (s === undefined) {
		s = packedLineSerializer(mapper.options.cdc);
		serializers.set(mapper, s);
	}
	return s;
}

/**
 * One line through the same steps as a per-message item: parse exactly, must be an object, map. A line
 * that does not parse becomes what the trigger's per-message parser makes of such a message, a
 * `_parseError` item, and is mapped like one; so an invalid line comes out in the shape an invalid
 * item has in per-message mode, and a dead-letter branch needs no second form.
 */
function mapLine(line: string, mapper: RowMapper, slot: { json: Record<string, unknown> }, kafkaFields: readonly string[], valueSchema: unknown): MapResult {
	let value: JsonValue;
	try {
		value = parseJsonExact(line);
	} catch (error) {
		slot.json = parseErrorItem('json', (error as Error).message, line);
		return mapper.map(slot.json);
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		const shape = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
		slot.json = parseErrorItem('not_object', `JSON value is ${shape}, not an object`, line);
		return mapper.map(slot.json);
	}
	slot.json = value;
	countLineOwnFields(value, mapper);
	try {
		// The item's Add Kafka Fields, never a line's own `_doris` (a line's fields are data).
		// Under Unknown Fields Reject a line's own `_kafka` / `_doris` refuses it, as any field no column takes.
		return withOwnFieldReasons(mapper.map(value, kafkaFields, valueSchema), lineOwnFieldReasons(value, mapper));
	} catch (error) {
		// As in routeItems: a bug or a hostile value must not drop the line.
		return { ok: false, reasons: [{ column: null, value: null, expected: 'a row', rule: 'type', message: `could not map the line: ${(error as Error).message}` }] };
	}
}

function parseErrorItem(kind: ParseErrorKind, message: string, raw: string): Record<string, unknown> {
	const info: ParseErrorInfo = { kind, message, raw, rawEncoding: 'utf8' };
	return { [PARSE_ERROR_FIELD]: info };
}

/**
 * Walks the runs of `sources` along the lines: which run line k is in, its offset when the run has
 * no gaps, and the narrowed runs of the valid lines for the output. A plain object mutated in place
 * (no closure per line).
 */
class RunCursor {
	private run = -1;
	/** Lines left in the current run (after the current line). */
	private left = 0;
	private inRun = 0;
	/** firstOffset of the current run when it has no gaps, else null. */
	private exactFirst: bigint | null = null;
	private validLines = 0;
	private firstValid = 0;
	private lastValid = 0;
	readonly out: PackedSource[] = [];

	constructor(private readonly sources: readonly PackedSource[]) {}

	/** Moves to the next line; false when the sources do not cover it. */
	next(): boolean {
		if (this.left > 0) {
			this.left--;
			this.inRun++;
			return true;
		}
		this.closeRun();
		while (++this.run < this.sources.length) {
			const s = this.sources[this.run];
			if (s.lines <= 0) continue;
			const first = BigInt(s.firstOffset);
			this.exactFirst = BigInt(s.lastOffset) - first + 1n === BigInt(s.lines) ? first : null;
			this.left = s.lines - 1;
			this.inRun = 0;
			this.validLines = 0;
			return true;
		}
		return false;
	}

	/**
	 * An invalid line ends the output run of the valid lines before it when the run is exact, so every
	 * output run stays gap-free ("line k has offset firstOffset + k" holds after this node too).
	 */
	markInvalid(): void {
		if (this.exactFirst !== null) this.closeRun();
	}

	markValid(): void {
		if (this.run >= this.sources.length) return;
		if (this.validLines === 0) this.firstValid = this.inRun;
		this.lastValid = this.inRun;
		this.validLines++;
	}

	origin(line: number): PackedLineOrigin | null {
		if (this.run < 0 || this.run >= this.sources.length) return null;
		const s = this.sources[this.run];
		return { topic: s.topic, partition: s.partition, offset: this.exactFirst === null ? null : (this.exactFirst + BigInt(this.inRun)).toString(), line };
	}

	topic(): string {
		return this.run >= 0 && this.run < this.sources.length ? this.sources[this.run].topic : '';
	}

	/** The current run (undefined past the runs), for its Connect schemas (runConnectSchemas). */
	current(): PackedSource | undefined {
		return this.run >= 0 && this.run < this.sources.length ? this.sources[this.run] : undefined;
	}

	/**
	 * The run narrowed to its valid lines. Exact runs get the offsets of their first and last valid
	 * line, so "last - first + 1 = lines" still means "no gaps"; a run with gaps keeps its bounds
	 * (its valid lines lie within them and the equation stays false).
	 */
	closeRun(): void {
		if (this.run < 0 || this.run >= this.sources.length || this.validLines === 0) return;
		const s = this.sources[this.run];
		const exact = this.exactFirst;
		this.out.push({
			topic: s.topic,
			partition: s.partition,
			firstOffset: exact === null ? s.firstOffset : (exact + BigInt(this.firstValid)).toString(),
			lastOffset: exact === null ? s.lastOffset : (exact + BigInt(this.lastValid)).toString(),
			lines: this.validLines,
		});
		this.validLines = 0;
	}
}

/**
 * Invalid lines of one packed item, by the labels the metrics count them under. routePacked counts
 * them at once; a worker thread (packed-worker-pool.ts) returns them, since prom-client's registry lives
 * in the main thread, and the main thread counts them with countInvalidLines.
 */
export interface InvalidLineCounts {
	/** sinker_rows_invalid_total: lines per rule (the first reason's). */
	byRule: Map<RejectRule, number>;
	/** json_parse_errors_total: parse_error lines per topic ('' when the sources do not cover the line). */
	parseErrorsByTopic: Map<string, number>;
}

export function emptyInvalidLineCounts(): InvalidLineCounts {
	return { byRule: new Map(), parseErrorsByTopic: new Map() };
}

function tableOf(mapper: RowMapper): string {
	return `${mapper.schema.database}.${mapper.schema.table}`;
}

/** Counts sinker_rows_invalid_total and json_parse_errors_total as routeItems does, per line. */
export function countInvalidLines(counts: InvalidLineCounts, mapper: RowMapper, labels: RouteLabels): void {
	if (labels.countMetrics === false) return;
	const table = tableOf(mapper);
	for (const [rule, n] of counts.byRule) metrics.rowsInvalid.inc({ workflow: labels.workflow, table, rule }, n);
	for (const [topic, n] of counts.parseErrorsByTopic) metrics.jsonParseErrors.inc({ workflow: labels.workflow, node: labels.node, topic }, n);
}

/**
 * Maps every line of one packed item. `index` is the item's index in the node's input (pairedItem of
 * the invalid items). Counts sinker_rows_invalid_total and json_parse_errors_total as routeItems does.
 */
export function routePacked(packed: PackedRows, mapper: RowMapper, labels: RouteLabels, index: number): RoutedPacked {
	const counts = emptyInvalidLineCounts();
	const routed = mapPackedLines(packed, mapper, index, counts);
	countInvalidLines(counts, mapper, labels);
	// Its deleteSign flag is then believed by the Stream Load node without a search (encoded-lines.ts).
	if (routed.packed !== null) rememberWrittenLines(routed.packed);
	return routed;
}

/**
 * routePacked counting the fields that match no column into `unmatched`. The mapper's sink is set only
 * for this synchronous call: executions sharing the mapper interleave at awaits, and a worker's
 * fallback runs later (packed-worker-pool.ts).
 */
export function routePackedCountingUnmatched(packed: PackedRows, mapper: RowMapper, labels: RouteLabels, index: number, unmatched: Map<string, number> | null): RoutedPacked {
	const before = mapper.unmatchedSink;
	mapper.unmatchedSink = unmatched;
	try {
		return routePacked(packed, mapper, labels, index);
	} finally {
		mapper.unmatchedSink = before;
	}
}

/** routePacked without the metrics: the invalid lines are added to `counts` instead. */
export function mapPackedLines(packed: PackedRows, mapper: RowMapper, index: number, counts: InvalidLineCounts): RoutedPacked {
	return mapPackedLinesToBytes(packed, mapper, index, counts).routed;
}

/**
 * Invalid items a worker thread sends back while it maps, before the item is done. Each invalid line
 * holds ~0.55 KB of the worker's heap (its object, its reasons' messages) until the answer goes, and a
 * worker's old generation is 64 MB (packed-worker-pool.ts): an item of ~90,000 invalid lines and more
 * (a producer whose every value misses the column's type) ended the worker with
 * ERR_WORKER_OUT_OF_MEMORY, so the item was mapped a second time in n8n's main thread and the next one
 * started a new worker, each time, with a warning. Sent in parts, the worker holds at most this many
 * (~2.2 MB); the main thread holds them anyway, in the result.
 */
export const INVALID_PART_ITEMS = 4096;

/**
 * mapPackedLines, with the rows' JSON lines also as UTF-8 (`bytes`, a view of a buffer of its own;
 * undefined when no line loads): a worker thread transfers them, the cheapest way for its text to travel.
 * With `bytesAlone`, the lines are left as those bytes (`jsonLines` empty when there are bytes): a
 * worker thread sends only the bytes (packed-worker-protocol.ts), and making the text there, ~1.9 MB
 * for 5,000 lines, was work thrown away. `inputUnits`: the text's code units, when the caller has
 * them (see LineSink). `unchanged`: the rows' text is the item's own (every line kept as it stood,
 * LineSink.finishBytes); `jsonLines` is then that very string, not a copy read back from the bytes.
 * `sendInvalid`: takes the invalid items each time INVALID_PART_ITEMS of them are made, in order; the
 * result's `invalid` holds only those made after the last part (see INVALID_PART_ITEMS).
 */
export function mapPackedLinesToBytes(
	packed: PackedRows,
	mapper: RowMapper,
	index: number,
	counts: InvalidLineCounts,
	bytesAlone = false,
	inputUnits?: Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>,
	sendInvalid?: (part: RoutedItem[]) => void,
): { routed: RoutedPacked; bytes?: Buffer<ArrayBuffer>; unchanged?: boolean } {
	const table = tableOf(mapper);
	const serialize = serializerFor(mapper);
	const fast = lineTranscoderFor(mapper);
	const text = packed.jsonLines;
	const cursor = new RunCursor(packed.sources);
	const kafkaFields = kafkaFieldsOf(packed.doris);
	let invalid: RoutedItem[] = [];
	const slot: { json: Record<string, unknown> } = { json: {} };
	const sink = new LineSink(text, inputUnits);
	let count = 0;
	let deleteSign = false;
	let start = 0;
	for (let line = 0; start < text.length; line++) {
		let end = text.indexOf('\n', start);
		if (end < 0) end = text.length; // a last line without its "\n": still a line
		const covered = cursor.next();
		if (fast !== null && fast.line(text, start, end, mapper.unmatchedSink, sink)) {
			start = end + 1;
			count++;
			if (covered) cursor.markValid();
			continue;
		}
		const lineText = text.slice(start, end);
		start = end + 1;
		// A Schema Registry value's Connect schema, for Add New Columns: looked up only for a line off the fast path.
		const valueSchema = packed.connectSchemas === undefined || !covered ? undefined : runConnectSchemas(packed, cursor.current()).value;
		const result = mapLine(lineText, mapper, slot, kafkaFields, valueSchema);
		if (result.ok) {
			const row = result.row;
			sink.add(serialize(row));
			count++;
			if (!deleteSign && row[DELETE_SIGN_COLUMN] !== undefined) deleteSign = true;
			if (covered) cursor.markValid();
			continue;
		}
		const info: InvalidInfo = { table, reasons: result.reasons };
		const json: Record<string, unknown> = { ...slot.json, [INVALID_FIELD]: info };
		if (covered) cursor.markInvalid();
		const origin = covered ? cursor.origin(line) : null;
		json[KAFKA_METADATA_FIELD] = origin ?? { topic: null, partition: null, offset: null, line };
		invalid.push({ json, index });
		if (sendInvalid !== undefined && invalid.length >= INVALID_PART_ITEMS) {
			sendInvalid(invalid);
			invalid = [];
		}
		const rule = result.reasons[0]?.rule ?? 'type';
		counts.byRule.set(rule, (counts.byRule.get(rule) ?? 0) + 1);
		if (rule === 'parse_error') {
			const topic = covered ? cursor.topic() : '';
			counts.parseErrorsByTopic.set(topic, (counts.parseErrorsByTopic.get(topic) ?? 0) + 1);
		}
	}
	cursor.closeRun();
	if (count === 0) return { routed: { packed: null, invalid } };
	const { bytes, ascii, unchanged } = sink.finishBytes();
	const jsonLines = bytesAlone ? '' : unchanged ? text : bytes.toString(ascii ? 'latin1' : 'utf8');
	const out: PackedRows = { jsonLines, count, sources: cursor.out };
	// Said either way: the Stream Load node scans lines for the sign only when nobody has said.
	out.deleteSign = deleteSign;
	return { routed: { packed: out, invalid }, bytes, unchanged };
}
