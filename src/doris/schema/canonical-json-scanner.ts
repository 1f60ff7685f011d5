/**
 * The fast way through a JSON object or array written exactly as JSON.stringify writes its parsed
 * value, the usual value of a JSON column in the packed rows' fast path (column-writer.ts): one loop
 * over the characters with an explicit stack (a bit per depth for array or object, and where each
 * open object's keys start), no call per token. Such text the transcoder may copy as it stands.
 *
 * It answers only "canonical, ending here" or "not settled" (-1): anything else, valid or not, goes
 * back to the recursive scan of json-scanner.ts (scanValue), which decides. Both share the scanner's
 * fields and its number and key checks (scanNumber, noteKey), so the two cannot disagree on what is
 * canonical; a property test holds them to it (test/unit/doris/schema/canonical-json-scanner.test.ts).
 */
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, isDigit, JsonScanner, MINUS, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-scanner';

/** scanCanonicalNested's depth (bits of a 32-bit mask); deeper values go to scanValue. */
const MAX_CANONICAL_DEPTH = 30;

/** A JsonScanner that settles canonical objects and arrays in one loop (scanCanonicalNested). */
export class CanonicalJsonScanner extends JsonScanner {
	/** scanCanonicalNested: where each open object's keys start in the key stack. */
	private readonly levelBases = new Int32Array(MAX_CANONICAL_DEPTH + 1);

	/**
	 * An object or array at `at` written exactly as JSON.stringify writes its parsed value (no
	 * spaces, escapes or lone surrogates; numbers as Number#toString writes them; no key twice, no
	 * array-index key, no `__proto__`): returns where it ends. -1 for anything else, valid or not, and
	 * then scanValue decides: this loop only settles the usual value faster (one loop, no call per
	 * token), never another way.
	 */
	protected scanCanonicalNested(text: string, at: number, end: number): number {
		const base = this.keys;
		const after = this.scanCanonicalContainers(text, at, end);
		this.keys = base;
		return after;
	}

	private scanCanonicalContainers(text: string, at: number, end: number): number {
		const units = this.units;
		const bases = this.levelBases;
		let i = at;
		let depth = 0;
		/** Bit d set: the container at depth d is an array. */
		let arrays = 0;
		for (;;) {
			// A value at i.
			if (i >= end) return -1;
			let c = units[i];
			if (c === OPEN_BRACE || c === OPEN_BRACKET) {
				if (depth === MAX_CANONICAL_DEPTH) return -1;
				i++;
				if (units[i] === c + 2 && i < end) i++; // {} or []: "}" and "]" are "{" and "[" + 2
				else {
					depth++;
					bases[depth] = this.keys;
					if (c === OPEN_BRACKET) {
						arrays |= 1 << depth;
						continue;
					}
					arrays &= ~(1 << depth);
					i = this.canonicalKey(text, i, end, bases[depth]);
					if (i < 0) return -1;
					continue;
				}
			} else if (c === QUOTE) {
				for (i++; i < end; i++) {
					c = units[i];
					if (c === QUOTE || c === BACKSLASH || c < 32 || (c >= 0xd800 && c <= 0xdfff)) break;
				}
				if (c !== QUOTE || i >= end) return -1;
				i++;
			} else if (c === MINUS || isDigit(c)) {
				i = this.scanNumber(i, end);
				if (i < 0 || !this.canonical) return -1;
			} else {
				const n = this.literalAt(c, i);
				if (n === 0 || i + n > end) return -1;
				i += n;
			}
			// After a value: a comma, or the ends of the containers it closes.
			for (;;) {
				if (depth === 0) return i;
				if (i >= end) return -1;
				c = units[i];
				const array = (arrays & (1 << depth)) !== 0;
				if (c === COMMA) {
					i++;
					if (!array) {
						i = this.canonicalKey(text, i, end, bases[depth]);
						if (i < 0) return -1;
					}
					break;
				}
				if (c !== (array ? CLOSE_BRACKET : CLOSE_BRACE)) return -1;
				i++;
				this.keys = bases[depth];
				depth--;
			}
		}
	}

	/** A key and its colon in scanCanonicalNested: where its value starts, or -1. */
	private canonicalKey(text: string, at: number, end: number, base: number): number {
		const units = this.units;
		if (at >= end || units[at] !== QUOTE) return -1;
		let i = at + 1;
		let c = 0;
		for (; i < end; i++) {
			c = units[i];
			if (c === QUOTE || c === BACKSLASH || c < 32 || (c >= 0xd800 && c <= 0xdfff)) break;
		}
		if (c !== QUOTE || i + 1 >= end || units[i + 1] !== COLON) return -1;
		this.noteKey(text, at + 1, i, base);
		return this.canonical ? i + 2 : -1;
	}
}
