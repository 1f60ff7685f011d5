/**
 * How deep a JSON value nests (arrays and objects; the root object is level 1), found without
 * parsing, and the limit past which a value is refused as undecodable.
 *
 * Why a limit: JSON.parse is not recursive and reads any depth, but what comes after it is.
 * JSON.stringify on n8n's main thread (1 MB stack) overflows ("Maximum call stack size exceeded")
 * at ~4,400 levels, structuredClone (a worker's answer) at ~3,300, JSON.parse with a reviver
 * (parseJsonExact's exact-number path) at ~2,300 (Node 24, measured from a shallow stack; deeper call
 * stacks overflow sooner). Such a value parsed fine in the trigger, then failed every execution that
 * carried it (n8n storing it, Stream Load writing it), the trigger redelivered it and it failed again:
 * one message stalled its partition for ever. The limit is simdjson's DEFAULT_MAX_DEPTH (1,024 nested
 * arrays and objects, simdjson's common_defs.h), the depth Doris' JSON reader is built with
 * (be/src/vec/exec/format/json/new_json_reader.cpp makes a default simdjson::ondemand::parser; its
 * release builds check the depth only with SIMDJSON_DEVELOPMENT_CHECKS, so Doris may read deeper, but
 * no value this deep is a row anyone means): a margin of 2x below the first overflow measured here.
 * Doris' JSON column is stricter in some versions: JsonbParserT (be/src/util/jsonb_parser.h) stops at
 * MaxNestingLevel = 100 (jsonb_document.h) with E_NESTING_LVL_OVERFLOW, an error of that row's value
 * in Doris, not of the load; jsonb_parser_simd.h, which later versions use, has no limit.
 *
 * Cost, on the hot path of every JSON message: a value of depth d has at least 2d characters (one
 * bracket to open a level, one to close it), so a value shorter than SHORTEST_TOO_DEEP (the usual
 * Kafka event) costs one comparison. A longer one must also hold more than MAX_JSON_DEPTH opening
 * brackets, counted with indexOf (memchr), one call per bracket: a 5 KB event of 120 objects costs
 * ~3 µs as text, ~5-9 µs as bytes (JSON.parse of it ~50 µs; a scan of every character was 20 / 40 µs;
 * figures from a shared 2-core machine).
 * Only what passes both is scanned character by character, jumping over strings with indexOf.
 */

/** The deepest nesting accepted: simdjson's default max depth (see the header). */
export const MAX_JSON_DEPTH = 1024;

/** No text shorter than this nests deeper than MAX_JSON_DEPTH. */
const SHORTEST_TOO_DEEP = 2 * (MAX_JSON_DEPTH + 1);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The reason a JSON text is refused for its depth, or undefined when it is not too deep. */
export function jsonTextDepthError(text: string): string | undefined {
	if (text.length < SHORTEST_TOO_DEEP || !manyOpenings(text)) return undefined;
	const depth = jsonTextDepth(text);
	return depth > MAX_JSON_DEPTH ? depthReason('JSON value', depth) : undefined;
}

/** The same for a value's raw UTF-8 bytes (a UTF-8 continuation byte is never a quote, bracket or backslash). */
export function jsonBytesDepthError(bytes: Buffer): string | undefined {
	if (bytes.length < SHORTEST_TOO_DEEP || !manyOpenings(bytes)) return undefined;
	const depth = jsonBytesDepth(bytes);
	return depth > MAX_JSON_DEPTH ? depthReason('JSON value', depth) : undefined;
}

/**
 * The reason a decoded value (Schema Registry: Avro, Protobuf, JSON Schema) is refused for its depth.
 * `encodedBytes` is the cheap signal: every format spends at least a byte per level (an Avro union
 * index or array block count, a Protobuf tag and length, a JSON bracket), so a smaller message is not
 * walked.
 */
export function decodedDepthError(value: unknown, encodedBytes: number): string | undefined {
	if (encodedBytes <= MAX_JSON_DEPTH) return undefined;
	const depth = valueDepth(value);
	return depth > MAX_JSON_DEPTH ? depthReason('decoded value', depth) : undefined;
}

function depthReason(what: string, depth: number): string {
	return (
		`${what} nests ${depth} levels of arrays/objects, deeper than the ${MAX_JSON_DEPTH} allowed: ` +
		`serialising such an item (n8n saving the execution, the JSON sent to Doris) overflows the stack, and Doris' JSON reader (simdjson) is built for 1024`
	);
}

/**
 * Whether the value holds more than MAX_JSON_DEPTH opening brackets (in strings or not), which a value
 * deeper than that must: counted with indexOf (memchr), one call per bracket, so a 5 KB event of 120
 * objects costs ~120 native calls instead of a scan of every character. Only values that pass this go
 * through the character scan.
 */
function manyOpenings(value: string | Buffer): boolean {
	const limit = MAX_JSON_DEPTH + 1;
	if (typeof value === 'string') return textCount(value, '{', limit) + textCount(value, '[', limit) >= limit;
	// A Buffer is searched for a byte (a number): given a one-character string, indexOf encodes it on every call.
	return bytesCount(value, OPEN_BRACE, limit) + bytesCount(value, OPEN_BRACKET, limit) >= limit;
}

/** Occurrences of `char` in `text`, counting no further than `limit`. */
function textCount(text: string, char: string, limit: number): number {
	let count = 0;
	for (let at = text.indexOf(char); at !== -1 && count < limit; at = text.indexOf(char, at + 1)) count++;
	return count;
}

function bytesCount(bytes: Buffer, byte: number, limit: number): number {
	let count = 0;
	for (let at = bytes.indexOf(byte); at !== -1 && count < limit; at = bytes.indexOf(byte, at + 1)) count++;
	return count;
}

/** The deepest nesting in a JSON text; strings are skipped, so brackets inside them do not count. */
export function jsonTextDepth(text: string): number {
	let depth = 0;
	let deepest = 0;
	const length = text.length;
	for (let i = 0; i < length; i++) {
		const c = text.charCodeAt(i);
		if (c === OPEN_BRACE || c === OPEN_BRACKET) {
			if (++depth > deepest) deepest = depth;
		} else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
		else if (c === QUOTE) {
			i = textStringEnd(text, i + 1);
			if (i < 0) break; // unterminated: the parse refuses it either way
		}
	}
	return deepest;
}

/** jsonTextDepth over UTF-8 bytes. */
export function jsonBytesDepth(bytes: Uint8Array): number {
	let depth = 0;
	let deepest = 0;
	const length = bytes.length;
	for (let i = 0; i < length; i++) {
		const c = bytes[i];
		if (c === OPEN_BRACE || c === OPEN_BRACKET) {
			if (++depth > deepest) deepest = depth;
		} else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
		else if (c === QUOTE) {
			i = bytesStringEnd(bytes, i + 1);
			if (i < 0) break;
		}
	}
	return deepest;
}

/** Index of the quote closing a string whose content starts at `from`, or -1. */
export function textStringEnd(text: string, from: number): number {
	let j = text.indexOf('"', from);
	for (;;) {
		if (j < 0) return j;
		let k = j - 1;
		while (text.charCodeAt(k) === BACKSLASH) k--;
		if ((j - 1 - k) % 2 === 0) return j; // an even number of backslashes before it: not escaped
		j = text.indexOf('"', j + 1);
	}
}

function bytesStringEnd(bytes: Uint8Array, from: number): number {
	let j = bytes.indexOf(QUOTE, from);
	for (;;) {
		if (j < 0) return j;
		let k = j - 1;
		while (bytes[k] === BACKSLASH) k--;
		if ((j - 1 - k) % 2 === 0) return j;
		j = bytes.indexOf(QUOTE, j + 1);
	}
}

/** Depth of a decoded value, walked with an explicit stack (recursion is what overflows here). */
export function valueDepth(value: unknown): number {
	if (value === null || typeof value !== 'object') return 0;
	let deepest = 0;
	const stack: Array<[object, number]> = [[value, 1]];
	while (stack.length > 0) {
		const [node, depth] = stack.pop() as [object, number];
		if (depth > deepest) deepest = depth;
		const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
		for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
	}
	return deepest;
}
