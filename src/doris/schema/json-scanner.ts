/**
 * The JSON grammar over one line's characters, for the packed rows' fast path (line-transcoder.ts):
 * where a string, number, array, object or any value ends, or -1 where JSON.parse would refuse it, and
 * whether its text is exactly what JSON.stringify writes for its parsed value (`canonical`), so that
 * the transcoder may copy it instead of serialising it. It lives apart from the transcoder because it
 * knows nothing of columns or rows: only of what JSON.parse accepts and JSON.stringify writes.
 *
 * Objects and arrays written as JSON.stringify writes them (a JSON column's usual value) are settled
 * faster by one loop in the subclass CanonicalJsonScanner (canonical-json-scanner.ts); what that loop
 * does not settle comes back to the recursive scan here (scanValue).
 *
 * The scanner keeps its results in fields (no object per value) and is the base class of the column
 * writer and the transcoder, so their per-line loops read them as their own fields: no extra object
 * or indirection on the hot path.
 */
export const QUOTE = 34;
export const BACKSLASH = 92;
export const COMMA = 44;
export const COLON = 58;
export const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;

/** Nested values deeper than this take the general path (JSON.parse has no such limit, only the stack). */
const MAX_DEPTH = 64;

/** Exact powers of ten up to 10^15 (every one is a double without rounding). */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

export function isWhitespace(c: number): boolean {
	return c === 32 || c === 10 || c === 13 || c === 9;
}

export function isDigit(c: number): boolean {
	return c >= ZERO && c <= NINE;
}

/** Whether a string's content at `at` is `key` (a simple key) followed by its closing quote. */
export function expectKey(text: string, at: number, key: string): boolean {
	const length = key.length;
	for (let j = 0; j < length; j++) if (text.charCodeAt(at + j) !== key.charCodeAt(j)) return false;
	return text.charCodeAt(at + length) === QUOTE;
}

/** A key written in JSON as it is: no quote, backslash, control character or surrogate in it. */
export function isSimpleKey(key: string): boolean {
	for (let j = 0; j < key.length; j++) {
		const c = key.charCodeAt(j);
		if (c === QUOTE || c === BACKSLASH || c < 32 || (c >= 0xd800 && c <= 0xdfff)) return false;
	}
	return true;
}

function isHex(c: number): boolean {
	return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** A key V8 keeps before all others in an object (an array index): JSON.stringify would move it. */
export function indexLike(text: string, start: number, end: number): boolean {
	const length = end - start;
	if (length === 0 || length > 10) return false;
	if (length > 1 && text.charCodeAt(start) === ZERO) return false;
	for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
	return true;
}

/** Scans JSON values in a text; each scan leaves what it learnt of the value in the fields below. */
export class JsonScanner {
	/**
	 * The text's UTF-16 code units in a typed array (its bytes when it is ASCII; line-sink.ts), set
	 * before a scan: reading them costs about half of what charCodeAt does.
	 */
	protected units: Uint8Array | Uint16Array = new Uint8Array(0);

	// Scanner results, reused (no object per value).
	/** The last string scanned had no escape sequence. */
	protected plain = true;
	/** Every value scanned since the caller reset it is written exactly as JSON.stringify would write its parsed value. */
	protected canonical = true;
	/** The last number scanned has at most 15 digits and no exponent: `num` is its exact value. */
	protected fastNumber = false;
	protected num = 0;
	/** The last number scanned has no fraction and no exponent. */
	protected integral = false;
	/** Key spans of the objects being scanned (a stack of `keys` entries), to find a key given twice (JSON.parse keeps the last). */
	private keyStarts = new Int32Array(64);
	private keyEnds = new Int32Array(64);
	/** How many entries of keyStarts / keyEnds are in use: the key stack's height. */
	protected keys = 0;

	/** The character code at i (undefined past the text's end: every comparison with it is false). */
	protected code(i: number): number {
		return this.units[i];
	}

	/** Whether `true`, `false` or `null` (by its first character c) stands at `at`: its length, else 0. */
	protected literalAt(c: number, at: number): number {
		const u = this.units;
		if (c === 116) return u[at + 1] === 114 && u[at + 2] === 117 && u[at + 3] === 101 ? 4 : 0;
		if (c === 102) return u[at + 1] === 97 && u[at + 2] === 108 && u[at + 3] === 115 && u[at + 4] === 101 ? 5 : 0;
		if (c === 110) return u[at + 1] === 117 && u[at + 2] === 108 && u[at + 3] === 108 ? 4 : 0;
		return 0;
	}

	/**
	 * A string token at `at` (its opening quote): returns the index after the closing quote, or -1 when
	 * JSON.parse would refuse it. Sets `plain` (no escape) and clears `canonical` for escapes and lone
	 * surrogates (JSON.stringify writes those as escapes).
	 */
	protected scanString(at: number, end: number): number {
		this.plain = true;
		let i = at + 1;
		// The usual string: nothing before its closing quote that needs a second look. (A RegExp over
		// the whole text for such characters, once per item, cost more than this test per character.)
		const units = this.units;
		for (; i < end; i++) {
			const c = units[i];
			if (c === QUOTE) return i + 1;
			if (c === BACKSLASH || c < 32 || (c >= 0xd800 && c <= 0xdfff)) break;
		}
		while (i < end) {
			const c = this.code(i);
			if (c === QUOTE) return i + 1;
			if (c === BACKSLASH) {
				this.plain = false;
				this.canonical = false;
				const e = this.code(i + 1);
				if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
				else if (e === 117 && isHex(this.code(i + 2)) && isHex(this.code(i + 3)) && isHex(this.code(i + 4)) && isHex(this.code(i + 5))) i += 6;
				else return -1;
				continue;
			}
			if (c < 32) return -1;
			if (c >= 0xd800 && c <= 0xdfff) {
				if (c <= 0xdbff && i + 1 < end && (this.code(i + 1) & 0xfc00) === 0xdc00) i += 2;
				else {
					this.canonical = false;
					i++;
				}
				continue;
			}
			i++;
		}
		return -1;
	}

	/**
	 * A number token at `at`: returns where it ends, or -1 when it breaks JSON's grammar. `fastNumber`
	 * and `num` when it has at most 15 digits and no exponent (then a double holds it exactly, and
	 * parseJsonExact gives that double); `canonical` cleared unless Number#toString writes it so.
	 */
	protected scanNumber(at: number, end: number): number {
		let i = at;
		const negative = this.code(i) === MINUS;
		if (negative) i++;
		let c = this.code(i);
		if (!isDigit(c)) return -1;
		let mantissa = 0;
		let digits = 0;
		const zeroInteger = c === ZERO;
		if (zeroInteger) {
			i++;
			digits = 1;
		} else {
			while (i < end && isDigit((c = this.code(i)))) {
				if (++digits <= 15) mantissa = mantissa * 10 + (c - ZERO);
				i++;
			}
		}
		let fraction = 0;
		let leadingZeros = 0;
		let lastDigit = 0;
		if (i < end && this.code(i) === DOT) {
			i++;
			while (i < end && isDigit((c = this.code(i)))) {
				if (++digits <= 15) mantissa = mantissa * 10 + (c - ZERO);
				if (c === ZERO && fraction === leadingZeros) leadingZeros++;
				fraction++;
				lastDigit = c;
				i++;
			}
			if (fraction === 0) return -1;
		}
		let exponent = false;
		c = i < end ? this.code(i) : 0;
		if (c === 101 || c === 69) {
			exponent = true;
			i++;
			c = this.code(i);
			if (c === 43 || c === MINUS) i++;
			if (!isDigit(this.code(i))) return -1;
			while (i < end && isDigit(this.code(i))) i++;
		}
		this.fastNumber = !exponent && digits <= 15;
		this.integral = !exponent && fraction === 0;
		if (!this.fastNumber) {
			this.canonical = false;
			return i;
		}
		// mantissa and 10^fraction are exact doubles, so one division rounds correctly (as JSON.parse does).
		const magnitude = fraction === 0 ? mantissa : mantissa / POW10[fraction];
		this.num = negative ? -magnitude : magnitude;
		// Number#toString writes the shortest digits that read back: a literal of ≤ 15 digits is its own
		// shortest form unless it has trailing fraction zeros, is -0, or is below 10^-6 (written 1e-7).
		if ((negative && mantissa === 0) || (fraction > 0 && (lastDigit === ZERO || (zeroInteger && leadingZeros > 5)))) this.canonical = false;
		return i;
	}

	/**
	 * Any JSON value at `at`: returns where it ends, or -1 when JSON.parse would refuse it. Clears
	 * `canonical` unless the text is exactly JSON.stringify(parseJsonExact(text)): no spaces, strings
	 * and numbers as written, no key twice or array-index keys (V8 moves those first), no `__proto__`.
	 */
	protected scanValue(text: string, at: number, end: number, depth: number): number {
		if (at >= end) return -1;
		const c = this.code(at);
		if (c === QUOTE) return this.scanString(at, end);
		if (c === MINUS || isDigit(c)) return this.scanNumber(at, end);
		if (c === 116 || c === 102 || c === 110) {
			const n = this.literalAt(c, at);
			return n > 0 ? at + n : -1;
		}
		if (depth >= MAX_DEPTH) return -1;
		if (c === OPEN_BRACKET) return this.scanArray(text, at, end, depth);
		if (c === OPEN_BRACE) return this.scanObject(text, at, end, depth);
		return -1;
	}

	private skipSpace(at: number, end: number): number {
		let i = at;
		while (i < end && isWhitespace(this.code(i))) i++;
		if (i !== at) this.canonical = false;
		return i;
	}

	private scanArray(text: string, at: number, end: number, depth: number): number {
		let i = this.skipSpace(at + 1, end);
		if (i < end && this.code(i) === CLOSE_BRACKET) return i + 1;
		for (;;) {
			i = this.scanValue(text, i, end, depth + 1);
			if (i < 0) return -1;
			i = this.skipSpace(i, end);
			if (i >= end) return -1;
			const c = this.code(i);
			if (c === CLOSE_BRACKET) return i + 1;
			if (c !== COMMA) return -1;
			i = this.skipSpace(i + 1, end);
		}
	}

	private scanObject(text: string, at: number, end: number, depth: number): number {
		let i = this.skipSpace(at + 1, end);
		if (i < end && this.code(i) === CLOSE_BRACE) return i + 1;
		const base = this.keys;
		i = this.scanMembers(text, i, end, depth, base);
		this.keys = base;
		return i;
	}

	/** The members of an object from its first key on: where the object ends, or -1. */
	private scanMembers(text: string, at: number, end: number, depth: number, base: number): number {
		let i = at;
		for (;;) {
			if (i >= end || this.code(i) !== QUOTE) return -1;
			const keyEnd = this.scanString(i, end);
			if (keyEnd < 0) return -1;
			if (this.canonical) this.noteKey(text, i + 1, keyEnd - 1, base);
			i = this.skipSpace(keyEnd, end);
			if (i >= end || this.code(i) !== COLON) return -1;
			i = this.scanValue(text, this.skipSpace(i + 1, end), end, depth + 1);
			if (i < 0) return -1;
			i = this.skipSpace(i, end);
			if (i >= end) return -1;
			const c = this.code(i);
			if (c === CLOSE_BRACE) return i + 1;
			if (c !== COMMA) return -1;
			i = this.skipSpace(i + 1, end);
		}
	}

	/** Clears `canonical` for a key JSON.stringify would not write back in its place: twice, an array index, `__proto__`. */
	protected noteKey(text: string, start: number, end: number, base: number): void {
		const units = this.units;
		const length = end - start;
		const first = units[start];
		// Read by bytes first: most keys start with neither a digit nor "_", and differ from the
		// object's other keys in length or first character.
		if ((isDigit(first) && indexLike(text, start, end)) || (length === 9 && first === 95 && text.startsWith('__proto__', start))) {
			this.canonical = false;
			return;
		}
		const keyStarts = this.keyStarts;
		const keyEnds = this.keyEnds;
		for (let k = base; k < this.keys; k++) {
			const s = keyStarts[k];
			if (keyEnds[k] - s !== length) continue;
			// Two empty keys are the same key: their "first character" is each one's closing quote.
			if (length > 0 && units[s] !== first) continue;
			let j = 1;
			while (j < length && units[s + j] === units[start + j]) j++;
			if (j >= length) {
				this.canonical = false;
				return;
			}
		}
		if (this.keys === this.keyStarts.length) {
			const starts = new Int32Array(this.keys * 2);
			const ends = new Int32Array(this.keys * 2);
			starts.set(this.keyStarts);
			ends.set(this.keyEnds);
			this.keyStarts = starts;
			this.keyEnds = ends;
		}
		this.keyStarts[this.keys] = start;
		this.keyEnds[this.keys] = end;
		this.keys++;
	}
}
