/**
 * Whether a message's text is one JSON object exactly as parseJsonExact reads it (RFC 8259: JSON
 * whitespace around it, nothing after it; a byte-order mark at the very start), and which of some names are its own top-level keys,
 * without building the object. For Add Kafka Fields in One Item per Batch (message-fields.ts
 * spliceKafkaFields): fields spliced into a value that is not well-formed made the Doris Schema node
 * report the spliced text as the message's raw text, so a dead letter carried `{"topic":"t","id":1,`
 * where the message was `{"id":1,`, and could not be replayed as it came.
 *
 * A scan, not JSON.parse: the fields are spliced into the text and the Doris Schema node parses each
 * line anyway, so a parse here would build 5,000 objects per execution only to throw them away
 * (bench/micro/packed-lines.ts, "Add Kafka Fields": see the commit for the figures). One loop with
 * an explicit stack of open containers, so a deeply nested value cannot overflow the call stack.
 */
import { BYTE_ORDER_MARK } from '../common/exact-json';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const IN_OBJECT = 1;
const IN_ARRAY = 2;

/**
 * The open containers of the scan under way, IN_OBJECT or IN_ARRAY by depth: kept between calls (the
 * scan is synchronous) and grown when a value nests deeper.
 */
let open: Uint8Array = new Uint8Array(64);
/** Whether the string stringEnd last read holds an escape. */
let escaped = false;

/** No own key among the names: shared, so the usual answer allocates nothing. */
const NONE: readonly string[] = Object.freeze([]);

/**
 * Null when `text` is not one JSON object as JSON.parse reads it (not JSON, JSON of another type,
 * anything but JSON whitespace after it); otherwise those of `names` the object has at its top level
 * (a key written with escapes is compared by its decoded name, as JSON.parse decodes it).
 */
export function ownTopLevelNames(text: string, names: readonly string[]): readonly string[] | null {
	const end = text.length;
	// A byte-order mark at the very start, which parseJsonExact and Doris' JSON reader skip.
	let i = skipSpace(text, text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0);
	if (codeAt(text, i) !== OPEN_BRACE) return null;
	let depth = 0;
	let found: string[] | undefined;
	// Each turn reads one value (or a container's opening), then what may follow it.
	let expectKey = false;
	for (;;) {
		if (expectKey) {
			if (codeAt(text, i) !== QUOTE) i = skipSpace(text, i);
			if (codeAt(text, i) !== QUOTE) return null;
			const close = stringEnd(text, i + 1);
			if (close < 0) return null;
			if (depth === 1 && names.length > 0) {
				const name = nameOfKey(text, i, close, names);
				if (name !== undefined && !(found ??= []).includes(name)) found.push(name);
			}
			i = close + 1;
			if (codeAt(text, i) !== COLON) i = skipSpace(text, i);
			if (codeAt(text, i) !== COLON) return null;
			i++;
			expectKey = false;
		}
		let c = codeAt(text, i);
		if (c <= SPACE) {
			i = skipSpace(text, i);
			c = codeAt(text, i);
		}
		if (c === OPEN_BRACE || c === OPEN_BRACKET) {
			const after = skipSpace(text, i + 1);
			if (codeAt(text, after) === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) {
				i = after + 1; // an empty container is a whole value
			} else {
				if (depth === open.length) open = grown(open);
				open[depth++] = c === OPEN_BRACE ? IN_OBJECT : IN_ARRAY;
				i = after;
				expectKey = c === OPEN_BRACE;
				continue;
			}
		} else {
			i = valueEnd(text, i, c);
			if (i < 0) return null;
		}
		// After a value: a comma, or the containers it closes.
		for (;;) {
			if (depth === 0) return skipSpace(text, i) === end ? (found ?? NONE) : null;
			let next = codeAt(text, i);
			if (next <= SPACE) {
				i = skipSpace(text, i);
				next = codeAt(text, i);
			}
			const inside = open[depth - 1];
			if (next === COMMA) {
				i++;
				expectKey = inside === IN_OBJECT;
				break;
			}
			if (next !== (inside === IN_OBJECT ? CLOSE_BRACE : CLOSE_BRACKET)) return null;
			depth--;
			i++;
		}
	}
}

/** The character code at `i`, or -1 past the end (no out-of-bounds read: V8 handles those on a slower path). */
function codeAt(text: string, i: number): number {
	return i < text.length ? text.charCodeAt(i) : -1;
}

function grown(stack: Uint8Array): Uint8Array {
	const bigger = new Uint8Array(stack.length * 2);
	bigger.set(stack);
	return bigger;
}

function skipSpace(text: string, from: number): number {
	const end = text.length;
	let i = from;
	for (; i < end; i++) {
		const c = text.charCodeAt(i);
		if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return i;
	}
	return i;
}

/** After a string, number or literal starting at `from` (its first character `c`); -1 when there is none. */
function valueEnd(text: string, from: number, c: number): number {
	if (c === QUOTE) {
		const close = stringEnd(text, from + 1);
		return close < 0 ? -1 : close + 1;
	}
	if (c === MINUS || (c >= ZERO && c <= NINE)) return numberEnd(text, from);
	if (text.startsWith('true', from) || text.startsWith('null', from)) return from + 4;
	return text.startsWith('false', from) ? from + 5 : -1;
}

/** The index of the quote closing a string whose content starts at `from`; -1 when the string is not valid JSON. */
function stringEnd(text: string, from: number): number {
	escaped = false;
	const end = text.length;
	for (let i = from; i < end; i++) {
		const c = text.charCodeAt(i);
		if (c === QUOTE) return i;
		if (c < SPACE) return -1; // a control character must be escaped
		if (c === BACKSLASH) {
			escaped = true;
			const e = codeAt(text, ++i);
			if (e === 0x75 /* u */) {
				for (let h = 1; h <= 4; h++) if (!isHex(codeAt(text, i + h))) return -1;
				i += 4;
			} else if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
				return -1; // only \" \\ \/ \b \f \n \r \t \uXXXX
			}
		}
	}
	return -1;
}

function isHex(c: number): boolean {
	return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** After a number (-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?) starting at `from`; -1 when it is not one. */
function numberEnd(text: string, from: number): number {
	let i = from;
	if (codeAt(text, i) === MINUS) i++;
	if (codeAt(text, i) === ZERO) i++;
	else {
		const start = i;
		i = digitsEnd(text, i);
		if (i === start) return -1;
	}
	if (codeAt(text, i) === DOT) {
		const start = ++i;
		i = digitsEnd(text, i);
		if (i === start) return -1;
	}
	const e = codeAt(text, i);
	if (e === 0x65 || e === 0x45) {
		i++;
		const sign = codeAt(text, i);
		if (sign === PLUS || sign === MINUS) i++;
		const start = i;
		i = digitsEnd(text, i);
		if (i === start) return -1;
	}
	return i;
}

function digitsEnd(text: string, from: number): number {
	const end = text.length;
	let i = from;
	while (i < end && isDigit(text.charCodeAt(i))) i++;
	return i;
}

function isDigit(c: number): boolean {
	return c >= ZERO && c <= NINE;
}

/**
 * Which of `names` the key between `quote` and `close` (the string stringEnd just read) is, by its
 * name as JSON.parse reads it: compared in place, decoded only when it holds an escape.
 */
function nameOfKey(text: string, quote: number, close: number, names: readonly string[]): string | undefined {
	if (escaped) {
		const decoded = JSON.parse(text.slice(quote, close + 1)) as string;
		return names.includes(decoded) ? decoded : undefined;
	}
	const length = close - quote - 1;
	for (const name of names) if (name.length === length && text.startsWith(name, quote + 1)) return name;
	return undefined;
}
