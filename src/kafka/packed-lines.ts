/**
 * Packs messages into JSON lines for the trigger's "One Item per Batch" output (the PackedRows
 * contract in src/common/item-contract.ts): one string with one line per message, every line ending in
 * "\n", and where each line came from as runs of consecutive offsets.
 *
 * Cost matters more than anywhere else here (this replaces building one object per message):
 * - raw JSON values are kept as the Buffers kafkajs gave us and copied once into one buffer, decoded
 *   to a string once at the end (a concatenation of valid UTF-8 values is valid UTF-8), instead of
 *   one string per message;
 * - a run is extended by comparing numbers, not BigInts (offsets are int64 strings; BigInt is used
 *   only beyond 2^53, which no real partition reaches);
 * - with `deferChecks`, values are only checked for a line break as they are added, and the joined
 *   bytes once for CR and valid UTF-8 (one native pass instead of two calls per message), the joined
 *   text once for a line holding two JSON values (trailing-json.ts); a value that fails makes finish()
 *   throw UncheckedLinesError, and the caller packs that chunk again with fitsOnLine per value (valid
 *   UTF-8 joined by line breaks is valid UTF-8, and an invalid value stays invalid between them);
 * - pure ASCII (the usual JSON) is decoded as Latin-1, a plain copy, instead of by the UTF-8 decoder.
 *
 * A run never has a gap: an offset that does not follow the previous line's (a message of the same
 * execution that travels as an ordinary item, a skipped tombstone, a compacted-away or
 * transaction-marker offset) starts a new run, so line k of a run is always at firstOffset + k and a
 * bad line can be found and replayed by its exact offset.
 */
import { isAscii, isUtf8 } from 'node:buffer';

import { PACKED_ROWS_FIELD, type PackedRows, type PackedSource } from '../common/item-contract';
import type { JsonObject } from '../common/exact-json';
import { someLineHoldsMoreThanOneValue } from './trailing-json';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where an execution's values are joined before they become its string: kept and reused, since every
 * execution would otherwise allocate (and leave to the GC) a fresh buffer of its whole size, ~1.7 MB
 * for 5,000 benchmark events, which V8 counts as external memory and which, past malloc's mmap
 * threshold, costs fresh zeroed pages each time. Only the string leaves decodePending, so one buffer
 * serves every builder (the join is synchronous). One larger than KEEP_SCRATCH_BYTES is not kept.
 */
let scratch: Buffer | undefined;
const KEEP_SCRATCH_BYTES = 16 * 1024 * 1024;

function scratchOf(bytes: number): Buffer {
	if (scratch !== undefined && scratch.length >= bytes) return scratch;
	// Room to grow a little: executions of one workflow differ by a few messages' bytes.
	if (bytes > KEEP_SCRATCH_BYTES) return Buffer.allocUnsafeSlow(bytes);
	scratch = Buffer.allocUnsafeSlow(Math.min(Math.ceil(bytes * 1.25), KEEP_SCRATCH_BYTES));
	return scratch;
}

/**
 * Whether a raw value can be one JSON line exactly as it is: valid UTF-8, not empty (an empty line
 * would not be a row, and lines are counted), no CR or LF (Doris' read_json_by_line splits on
 * newlines, so a pretty-printed value would become several broken rows).
 */
export function fitsOnLine(value: Buffer): boolean {
	// indexOf is a native memchr: cheaper than the UTF-8 check, and rejects most misfits first.
	return value.length > 0 && value.indexOf(LF) === -1 && value.indexOf(CR) === -1 && isUtf8(value);
}

/** Thrown by finish() / addText() of a builder with deferred checks: a value added was not a line. */
export class UncheckedLinesError extends Error {
	constructor() {
		super('a value packed without its checks is not one line of UTF-8 text holding one JSON value');
		this.name = 'UncheckedLinesError';
	}
}

/**
 * What a builder checks of the joined values at the end: that each is one line of UTF-8 ('line'), and
 * also one JSON value ('lineOfOneValue').
 */
export type DeferredChecks = 'line' | 'lineOfOneValue';

/** A value that has only to be one line: not empty, no LF (CR and UTF-8 are checked later, together). */
export function mayBeLine(value: Buffer): boolean {
	return value.length > 0 && value.indexOf(LF) === -1;
}

/** The Connect schemas of a line's value and key, one object per schema id (registry-connect-schemas.ts). */
export interface LineSchemas {
	value?: JsonObject;
	key?: JsonObject;
}

export class PackedLinesBuilder {
	/** Lines added as text, each with its "\n". */
	private text = '';
	/** Raw lines not yet decoded into `text`, and their bytes including one "\n" each. */
	private pending: Buffer[] = [];
	private pendingBytes = 0;
	private sources: PackedSource[] = [];
	private run: PackedSource | undefined;
	/** The offset that would extend the current run, as a number (NaN when beyond 2^53). */
	private nextOffset = Number.NaN;
	private lines = 0;
	/** The Connect schemas of the runs whose lines had one (addText), for PackedRows.connectSchemas. */
	private readonly runSchemas = new Map<PackedSource, LineSchemas>();

	/**
	 * `deferChecks`: values given to addBytes passed only mayBeLine (see the header), and whether each
	 * must also be one JSON value (trailing-json.ts); undefined: they passed every check.
	 */
	constructor(private readonly deferChecks?: DeferredChecks) {}

	get count(): number {
		return this.lines;
	}

	/** A value that passed fitsOnLine, added as it is. The caller must not change the buffer until finish. */
	addBytes(value: Buffer, topic: string, partition: number, offset: string): void {
		this.pending.push(value);
		this.pendingBytes += value.length + 1;
		this.note(topic, partition, offset);
	}

	/**
	 * A line already serialised (no CR/LF in it: JSON.stringify output never has one). `schemas`: the
	 * Connect schemas of its value and key (Message Format Schema Registry, item-contract.ts
	 * PackedRows.connectSchemas); a line whose schema differs from its run's starts a new run.
	 */
	addText(line: string, topic: string, partition: number, offset: string, schemas?: LineSchemas): void {
		if (this.pending.length > 0) this.decodePending();
		this.text += line;
		this.text += '\n';
		if (schemas === undefined) {
			this.note(topic, partition, offset);
			return;
		}
		const known = this.run === undefined ? undefined : this.runSchemas.get(this.run);
		// A line without a schema (a tombstone's delete row) takes its run's: only a different one ends the run.
		if (known !== undefined && ((schemas.value !== undefined && known.value !== undefined && schemas.value !== known.value) || (schemas.key !== undefined && known.key !== undefined && schemas.key !== known.key))) {
			this.run = undefined;
		}
		this.note(topic, partition, offset);
		const run = this.run as PackedSource | undefined;
		if (run === undefined || (schemas.value === undefined && schemas.key === undefined)) return;
		const entry = this.runSchemas.get(run);
		if (entry === undefined) this.runSchemas.set(run, { value: schemas.value, key: schemas.key });
		else {
			entry.value ??= schemas.value;
			entry.key ??= schemas.key;
		}
	}

	/**
	 * The packed rows, or undefined when no line was added (an execution without lines emits no packed
	 * item). The builder then starts afresh: the trigger ends a packed item at each message that must
	 * travel as an item of its own, and goes on with the next.
	 */
	finish(): PackedRows | undefined {
		if (this.lines === 0) return undefined;
		if (this.pending.length > 0) this.decodePending();
		const rows: PackedRows = { jsonLines: this.text, count: this.lines, sources: this.sources };
		if (this.runSchemas.size > 0) this.referSchemas(rows);
		this.text = '';
		this.sources = [];
		this.run = undefined;
		this.nextOffset = Number.NaN;
		this.lines = 0;
		return rows;
	}

	/** The runs' schemas into rows.connectSchemas, each object once, the runs naming them by index. */
	private referSchemas(rows: PackedRows): void {
		const indexes = new Map<JsonObject, number>();
		const schemas: JsonObject[] = [];
		const indexOf = (schema: JsonObject): number => {
			let index = indexes.get(schema);
			if (index === undefined) {
				index = schemas.push(schema) - 1;
				indexes.set(schema, index);
			}
			return index;
		};
		for (const run of this.sources) {
			const entry = this.runSchemas.get(run);
			if (entry?.value !== undefined) run.valueSchema = indexOf(entry.value);
			if (entry?.key !== undefined) run.keySchema = indexOf(entry.key);
		}
		rows.connectSchemas = schemas;
		this.runSchemas.clear();
	}

	private decodePending(): void {
		const out = scratchOf(this.pendingBytes).subarray(0, this.pendingBytes);
		let at = 0;
		for (const value of this.pending) {
			out.set(value, at);
			at += value.length;
			out[at++] = LF;
		}
		const ascii = isAscii(out);
		if (this.deferChecks !== undefined && (out.indexOf(CR) !== -1 || (!ascii && !isUtf8(out)))) throw new UncheckedLinesError();
		const lines = out.toString(ascii ? 'latin1' : 'utf8');
		// A value holding two JSON values back to back would lose its second in Doris (trailing-json.ts).
		if (this.deferChecks === 'lineOfOneValue' && someLineHoldsMoreThanOneValue(lines)) throw new UncheckedLinesError();
		this.text += lines;
		this.pending = [];
		this.pendingBytes = 0;
	}

	private note(topic: string, partition: number, offset: string): void {
		this.lines++;
		const run = this.run;
		const number = Number(offset);
		const safe = Number.isSafeInteger(number) && Number.isSafeInteger(this.nextOffset);
		if (
			run !== undefined &&
			run.partition === partition &&
			run.topic === topic &&
			(safe ? number === this.nextOffset : BigInt(offset) === BigInt(run.lastOffset) + 1n)
		) {
			run.lastOffset = offset;
			run.lines++;
		} else {
			this.run = { topic, partition, firstOffset: offset, lastOffset: offset, lines: 1 };
			this.sources.push(this.run);
		}
		this.nextOffset = number + 1;
	}
}

/** The item json holding packed rows. */
export function packedItemJson(rows: PackedRows): JsonObject {
	// Every field is a JSON value; PackedRows and PackedSource lack an index signature, hence the cast.
	return { [PACKED_ROWS_FIELD]: rows as unknown as JsonObject };
}
