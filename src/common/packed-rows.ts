/**
 * Reading a packed item (src/common/item-contract.ts, PackedRows) as it arrives from upstream: the one place
 * both the Doris Schema and the Doris Stream Load nodes check its shape, so a broken item is refused
 * with the same words, naming the field and the value, whichever node meets it first. Items are
 * plain JSON from n8n: nothing here can rely on the types.
 *
 * Cost: a few typeof checks per item and per source run, nothing per line.
 */
import { readDorisInfo } from './doris-info';
import type { JsonObject } from './exact-json';
import { PACKED_ROWS_FIELD, type PackedRows, type PackedSource } from './item-contract';

/** A Kafka offset: int64, never negative, as a decimal string without leading zeros. */
const OFFSET = /^(0|[1-9][0-9]{0,18})$/;
const INT64_MAX = '9223372036854775807';

/** Why `value` is not an offset (naming `field` and the value), or undefined when it is one. */
function offsetError(field: string, value: unknown): Error | undefined {
	if (typeof value !== 'string' || !OFFSET.test(value)) return new Error(`${field} must be an offset as a decimal string, not ${describe(value)}`);
	// Decimal strings of one length compare as numbers; only 19 digits can pass the int64 maximum.
	if (value.length === INT64_MAX.length && value > INT64_MAX) return new Error(`${field} "${value}" is above the int64 maximum ${INT64_MAX}`);
	return undefined;
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** Why a run's schema index names no entry of `connectSchemas` (a table would be typed by another schema), or undefined. */
function schemaRefError(field: string, value: unknown, schemas: unknown): Error | undefined {
	if (value === undefined) return undefined;
	const entries = Array.isArray(schemas) ? schemas.length : 0;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= entries) {
		return new Error(`${field} must be an index into ${PACKED_ROWS_FIELD}.connectSchemas (${entries} schema(s)), not ${describe(value)}`);
	}
	return undefined;
}

/**
 * The item's PackedRows, undefined when it has none, or an Error naming the bad field and value
 * (the contract is broken upstream: better said than loaded half-right).
 */
export function readPackedRows(json: Readonly<Record<string, unknown>>): PackedRows | Error | undefined {
	const value = json[PACKED_ROWS_FIELD];
	if (value === undefined) return undefined;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return new Error(`${PACKED_ROWS_FIELD} must be an object, not ${describe(value)}`);
	const p = value as Record<string, unknown>;
	if (typeof p.jsonLines !== 'string') return new Error(`${PACKED_ROWS_FIELD}.jsonLines must be a string, not ${describe(p.jsonLines)}`);
	if (typeof p.count !== 'number' || !Number.isInteger(p.count) || p.count < 0) return new Error(`${PACKED_ROWS_FIELD}.count must be a whole number ≥ 0, not ${describe(p.count)}`);
	// Rows counted that do not exist: the Stream Load summary would report rows nobody loaded.
	if (p.jsonLines === '' && p.count > 0) return new Error(`${PACKED_ROWS_FIELD}.jsonLines is "" but ${PACKED_ROWS_FIELD}.count is ${p.count}: no lines for ${p.count} row(s)`);
	if (!Array.isArray(p.sources)) return new Error(`${PACKED_ROWS_FIELD}.sources must be an array, not ${describe(p.sources)}`);
	for (let i = 0; i < p.sources.length; i++) {
		const s = p.sources[i] as Partial<Record<keyof PackedSource, unknown>> | null;
		const at = `${PACKED_ROWS_FIELD}.sources[${i}]`;
		if (typeof s !== 'object' || s === null) return new Error(`${at} must be an object, not ${describe(s)}`);
		if (typeof s.topic !== 'string') return new Error(`${at}.topic must be a string, not ${describe(s.topic)}`);
		if (typeof s.partition !== 'number' || !Number.isInteger(s.partition)) return new Error(`${at}.partition must be a whole number, not ${describe(s.partition)}`);
		const offset = offsetError(`${at}.firstOffset`, s.firstOffset) ?? offsetError(`${at}.lastOffset`, s.lastOffset);
		if (offset !== undefined) return offset;
		if (typeof s.lines !== 'number' || !Number.isInteger(s.lines) || s.lines < 0) return new Error(`${at}.lines must be a whole number ≥ 0, not ${describe(s.lines)}`);
		const schemaRef = schemaRefError(`${at}.valueSchema`, s.valueSchema, p.connectSchemas) ?? schemaRefError(`${at}.keySchema`, s.keySchema, p.connectSchemas);
		if (schemaRef !== undefined) return schemaRef;
	}
	if (p.connectSchemas !== undefined) {
		if (!Array.isArray(p.connectSchemas)) return new Error(`${PACKED_ROWS_FIELD}.connectSchemas must be an array, not ${describe(p.connectSchemas)}`);
		const bad = p.connectSchemas.findIndex((schema) => typeof schema !== 'object' || schema === null || Array.isArray(schema));
		if (bad >= 0) return new Error(`${PACKED_ROWS_FIELD}.connectSchemas[${bad}] must be a Kafka Connect schema (an object), not ${describe(p.connectSchemas[bad])}`);
	}
	if (p.deleteSign !== undefined && typeof p.deleteSign !== 'boolean') return new Error(`${PACKED_ROWS_FIELD}.deleteSign must be true, false or absent, not ${describe(p.deleteSign)}`);
	const doris = readDorisInfo(p.doris, `${PACKED_ROWS_FIELD}.doris`);
	if (doris instanceof Error) return doris;
	return value as PackedRows;
}

/**
 * Why a packed item's lines cannot go to Doris as they are, or undefined. Doris' JSON line reader
 * skips an empty line without counting it (be/src/vec/exec/format/json/new_json_reader.cpp), so a
 * load holding one commits a row short of the item's count; the row-count check after the load
 * (src/doris/stream-load/response.ts) can only fail the execution then, and its redelivery loads the
 * other rows again. Checked before anything is sent instead. Cost: two native searches and one
 * indexOf per line, no allocation.
 */
export function packedLinesError(p: PackedRows): Error | undefined {
	const text = p.jsonLines;
	const empty = text.startsWith('\n') ? 0 : text.indexOf('\n\n');
	if (empty >= 0) {
		const line = empty === 0 ? 1 : lineCount(text.slice(0, empty + 1)) + 1;
		return new Error(`${PACKED_ROWS_FIELD}.jsonLines has an empty line (line ${line}): Doris skips an empty line without counting it, so a row would go missing unseen`);
	}
	const lines = lineCount(text);
	if (lines !== p.count) return new Error(`${PACKED_ROWS_FIELD}.count is ${p.count} but ${PACKED_ROWS_FIELD}.jsonLines holds ${lines} line(s): the load would report rows that are not there, or miss some`);
	return undefined;
}

/** Lines in `text`, each ended by "\n" except perhaps the last. */
function lineCount(text: string): number {
	let lines = 0;
	for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
	return text.length > 0 && !text.endsWith('\n') ? lines + 1 : lines;
}

/** Where line `line` of a packed item came from: `_kafka` of an item made from that line. */
export interface PackedLineOrigin {
	/** null (like partition) only when the packed sources cover fewer lines than there are. */
	topic: string | null;
	partition: number | null;
	/** Exact when the line's run has no offset gaps (see PackedSource), else null. */
	offset: string | null;
	/** Index of the line in the packed item, from 0. */
	line: number;
}

/** The origin of line `line` (0-based) along `sources`; a walk over the runs, nothing per line. */
export function packedLineOrigin(sources: readonly PackedSource[], line: number): PackedLineOrigin {
	let before = 0;
	for (const s of sources) {
		if (s.lines <= 0) continue;
		if (line < before + s.lines) {
			const first = BigInt(s.firstOffset);
			const exact = BigInt(s.lastOffset) - first + 1n === BigInt(s.lines);
			return { topic: s.topic, partition: s.partition, offset: exact ? (first + BigInt(line - before)).toString() : null, line };
		}
		before += s.lines;
	}
	return { topic: null, partition: null, offset: null, line };
}

/** Line `line` (0-based) of packed JSON lines, without its "\n"; undefined past the last line. */
export function packedLine(jsonLines: string, line: number): string | undefined {
	let start = 0;
	for (let k = 0; k < line; k++) {
		const end = jsonLines.indexOf('\n', start);
		if (end < 0) return undefined;
		start = end + 1;
	}
	if (start >= jsonLines.length) return undefined;
	const end = jsonLines.indexOf('\n', start);
	return jsonLines.slice(start, end < 0 ? jsonLines.length : end);
}

/**
 * The Connect schemas of a packed run's values and keys (item-contract.ts PackedRows.connectSchemas),
 * for the Doris Schema node's Create Missing Tables and Add New Columns; undefined each when none.
 */
export function runConnectSchemas(packed: Pick<PackedRows, 'connectSchemas'>, run: PackedSource | undefined): { value?: JsonObject; key?: JsonObject } {
	const schemas = packed.connectSchemas;
	if (schemas === undefined || run === undefined) return {};
	return { value: run.valueSchema === undefined ? undefined : schemas[run.valueSchema], key: run.keySchema === undefined ? undefined : schemas[run.keySchema] };
}
