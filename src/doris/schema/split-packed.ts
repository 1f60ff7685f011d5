/**
 * Splits one packed item (the trigger's One Item per Batch) into one packed item per target table,
 * for a change stream whose lines go to different tables. Each part keeps its lines in their order
 * (the order per key, which CDC needs, is the order within one table) and its own source runs, so
 * the parts map and load like packed items of one table. A line that cannot be placed (does not
 * parse, or its table cannot be told) comes out with the reason, for the Invalid output.
 *
 * When the target depends only on the topic, whole source runs are placed without reading a line;
 * otherwise each line is parsed once to find its table. A packed item whose lines all go to one
 * table is returned as it is; by topic that is known from the runs' topics alone, so the usual case
 * (one table, or one topic) costs a count of the line breaks, not a string per line.
 */
import { parseJsonExact } from '../../common/exact-json';
import { PARSE_ERROR_FIELD, type PackedRows, type PackedSource, type ParseErrorInfo } from '../../common/item-contract';

/** Where an unplaced line came from: `_kafka` of its invalid item. */
export interface LineOrigin {
	topic: string | null;
	partition: number | null;
	offset: string | null;
	line: number;
}

export interface UnplacedLine {
	/** The parsed line, or a `_parseError` item when it did not parse to an object. */
	json: Record<string, unknown>;
	origin: LineOrigin;
	/** Null when the line did not parse: the row mapper's parse_error reason says why. */
	refused: string | null;
}

export interface PackedSplit {
	/** target key → its lines, in the order the targets first appear. */
	parts: Map<string, PackedRows>;
	/** target key → the index in the input item of each of its lines; absent when a part is the input item. */
	lineNumbers: Map<string, number[]>;
	unplaced: UnplacedLine[];
}

/** A placement: the target key, or why the line has none. */
export type Placement = string | { refused: string };

/** Builds one part: its text and its source runs, extended line by line. */
class PartBuilder {
	text = '';
	count = 0;
	/** The input item's index of each line. */
	readonly lines: number[] = [];
	readonly sources: PackedSource[] = [];
	private last: PackedSource | undefined;
	private lastOffset: bigint | null = null;

	/** A line with a known offset (its run has no gaps) or, with `run`, one of a run with gaps. */
	add(text: string, line: number, topic: string, partition: number, offset: bigint | null, run: PackedSource): void {
		this.lines.push(line);
		this.text += text;
		this.text += '\n';
		this.count++;
		const last = this.last;
		// Runs the trigger split where the Connect schema changed (item-contract.ts PackedSource.valueSchema) stay apart.
		const sameSchemas = last !== undefined && last.valueSchema === run.valueSchema && last.keySchema === run.keySchema;
		if (offset !== null) {
			if (last !== undefined && sameSchemas && this.lastOffset !== null && last.topic === topic && last.partition === partition && offset === this.lastOffset + 1n) {
				last.lastOffset = offset.toString();
				last.lines++;
			} else {
				this.last = withSchemas({ topic, partition, firstOffset: offset.toString(), lastOffset: offset.toString(), lines: 1 }, run);
				this.sources.push(this.last);
			}
			this.lastOffset = offset;
			return;
		}
		// A run with gaps: the part's run keeps its bounds and counts the lines it got.
		if (last !== undefined && sameSchemas && this.lastOffset === null && last.topic === topic && last.partition === partition && last.firstOffset === run.firstOffset) last.lines++;
		else {
			this.last = withSchemas({ topic, partition, firstOffset: run.firstOffset, lastOffset: run.lastOffset, lines: 1 }, run);
			this.sources.push(this.last);
		}
		this.lastOffset = null;
	}

	/** Lines without a source (the sources cover fewer lines than there are). */
	addUncovered(text: string, line: number): void {
		this.lines.push(line);
		this.text += text;
		this.text += '\n';
		this.count++;
	}

	finish(packed: PackedRows): PackedRows {
		const rows: PackedRows = { jsonLines: this.text, count: this.count, sources: this.sources };
		if (packed.deleteSign !== undefined) rows.deleteSign = packed.deleteSign;
		// The item's schemas whole: the runs' indexes stay valid (one per schema id, so few).
		if (packed.connectSchemas !== undefined) rows.connectSchemas = packed.connectSchemas;
		return rows;
	}
}

/** A part's run naming the Connect schemas of the input run it comes from, when it names any. */
function withSchemas(out: PackedSource, run: PackedSource): PackedSource {
	if (run.valueSchema !== undefined) out.valueSchema = run.valueSchema;
	if (run.keySchema !== undefined) out.keySchema = run.keySchema;
	return out;
}

function parseErrorJson(kind: ParseErrorInfo['kind'], message: string, raw: string): Record<string, unknown> {
	const info: ParseErrorInfo = { kind, message, raw, rawEncoding: 'utf8' };
	return { [PARSE_ERROR_FIELD]: info };
}

/**
 * Splits `packed` by target. `byTopic` places a whole run by its topic (when the rules need only the
 * topic); otherwise `byLine` places each parsed line (`topic` undefined when no source covers it).
 */
export function splitPacked(
	packed: PackedRows,
	place: { byTopic: (topic: string | undefined) => Placement } | { byLine: (json: Record<string, unknown>, topic: string | undefined) => Placement },
): PackedSplit {
	if ('byTopic' in place) {
		const whole = wholeByTopic(packed, place.byTopic);
		if (whole !== undefined) return whole;
	}
	const builders = new Map<string, PartBuilder>();
	const unplaced: UnplacedLine[] = [];
	const text = packed.jsonLines;
	const sources = packed.sources.filter((s) => s.lines > 0);
	let start = 0;
	let line = 0;
	const builderFor = (key: string): PartBuilder => {
		let b = builders.get(key);
		if (b === undefined) {
			b = new PartBuilder();
			builders.set(key, b);
		}
		return b;
	};
	const nextLine = (): string | undefined => {
		if (start >= text.length) return undefined;
		let end = text.indexOf('\n', start);
		if (end < 0) end = text.length;
		const lineText = text.slice(start, end);
		start = end + 1;
		return lineText;
	};
	const placeLine = (lineText: string, topic: string | undefined): Placement | { unplaced: UnplacedLine['json']; refused: string | null } => {
		if ('byTopic' in place) return place.byTopic(topic);
		let value: unknown;
		try {
			value = parseJsonExact(lineText);
		} catch (error) {
			return { unplaced: parseErrorJson('json', (error as Error).message, lineText), refused: null };
		}
		if (value === null || typeof value !== 'object' || Array.isArray(value)) {
			const shape = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
			return { unplaced: parseErrorJson('not_object', `JSON value is ${shape}, not an object`, lineText), refused: null };
		}
		const json = value as Record<string, unknown>;
		const placed = place.byLine(json, topic);
		return typeof placed === 'string' ? placed : { unplaced: json, refused: placed.refused };
	};
	const handle = (lineText: string, origin: LineOrigin, add: (b: PartBuilder) => void): void => {
		const placed = placeLine(lineText, origin.topic ?? undefined);
		if (typeof placed === 'string') add(builderFor(placed));
		else if ('unplaced' in placed) unplaced.push({ json: placed.unplaced, origin, refused: placed.refused });
		else unplaced.push({ json: parseLoosely(lineText), origin, refused: placed.refused });
	};
	for (const run of sources) {
		const first = BigInt(run.firstOffset);
		const exact = BigInt(run.lastOffset) - first + 1n === BigInt(run.lines);
		for (let k = 0; k < run.lines; k++) {
			const lineText = nextLine();
			if (lineText === undefined) break;
			const offset = exact ? first + BigInt(k) : null;
			const origin: LineOrigin = { topic: run.topic, partition: run.partition, offset: offset === null ? null : offset.toString(), line };
			const at = line;
			handle(lineText, origin, (b) => b.add(lineText, at, run.topic, run.partition, offset, run));
			line++;
		}
	}
	for (let lineText = nextLine(); lineText !== undefined; lineText = nextLine()) {
		const at = line;
		handle(lineText, { topic: null, partition: null, offset: null, line }, (b) => b.addUncovered(lineText, at));
		line++;
	}
	const parts = new Map<string, PackedRows>();
	const lineNumbers = new Map<string, number[]>();
	if (builders.size === 1 && unplaced.length === 0) {
		// Every line to one table: the item as it came.
		parts.set([...builders.keys()][0], packed);
		return { parts, lineNumbers, unplaced };
	}
	for (const [key, b] of builders) {
		parts.set(key, b.finish(packed));
		lineNumbers.set(key, b.lines);
	}
	return { parts, lineNumbers, unplaced };
}

/**
 * By topic, when the runs' topics (and `undefined` for lines no run covers) all place into one
 * target: the item as it came, as the line walk below would return it. Undefined otherwise.
 */
function wholeByTopic(packed: PackedRows, byTopic: (topic: string | undefined) => Placement): PackedSplit | undefined {
	const text = packed.jsonLines;
	let lines = text.length > 0 && text.charCodeAt(text.length - 1) !== 10 ? 1 : 0;
	for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
	let covered = 0;
	const topics = new Set<string | undefined>();
	for (const s of packed.sources) {
		if (s.lines <= 0 || covered >= lines) continue;
		covered += s.lines;
		topics.add(s.topic);
	}
	if (covered < lines) topics.add(undefined);
	let key: string | undefined;
	for (const topic of topics) {
		const placed = byTopic(topic);
		if (typeof placed !== 'string' || (key !== undefined && placed !== key)) return undefined;
		key = placed;
	}
	if (key === undefined) return undefined;
	return { parts: new Map([[key, packed]]), lineNumbers: new Map(), unplaced: [] };
}

/** A refused line for the Invalid output: parsed when it parses (it did, to be refused by a rule). */
function parseLoosely(text: string): Record<string, unknown> {
	try {
		const value = parseJsonExact(text);
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
	} catch {
		// fall through
	}
	return parseErrorJson('json', 'not a JSON object', text);
}
