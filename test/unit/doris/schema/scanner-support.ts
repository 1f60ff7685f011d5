/**
 * What the scanners' tests share (json-scanner.test.ts, canonical-json-scanner.test.ts): JSON texts for
 * their property tests, and both scans of one value read as the line sink hands a line over.
 */
import fc from 'fast-check';

import { CanonicalJsonScanner } from '../../../../src/doris/schema/canonical-json-scanner';
import { LineSink } from '../../../../src/doris/schema/line-sink';

/**
 * The scanners' protected scans of one value from the start of the text: `scan` is JsonScanner's own
 * recursive scan (scanValue), `scanNested` the one-loop scan CanonicalJsonScanner adds.
 */
export class ValueScan extends CanonicalJsonScanner {
	/** Where the value ends (-1: JSON.parse would refuse it), and whether it is canonical. */
	scan(text: string, end = text.length): { end: number; canonical: boolean } {
		this.units = new LineSink(text).inputUnits;
		this.canonical = true;
		const after = this.scanValue(text, 0, end, 0);
		return { end: after, canonical: this.canonical };
	}

	/** scanCanonicalNested's end (-1: it leaves the value to scanValue). */
	scanNested(text: string, end = text.length): number {
		this.units = new LineSink(text).inputUnits;
		this.canonical = true;
		return this.scanCanonicalNested(text, 0, end);
	}
}

/** JSON texts with spaces, escapes and odd numbers, and texts one character off valid JSON. */
export const jsonText = fc.oneof(
	fc.jsonValue().map((v) => JSON.stringify(v)),
	fc.jsonValue().map((v) => JSON.stringify(v, null, 1)),
	fc.string({ unit: 'binary', maxLength: 8 }).map((s) => JSON.stringify(s)),
	fc.constantFrom('1.50', '-0', '1e3', '0.0000001', '1234567890123456', '"\\u0041"', '{"a":1,"a":2}', '{"1":0}', '{"__proto__":1}', '[1 ,2]'),
	fc
		.tuple(
			fc.jsonValue().map((v) => JSON.stringify(v)),
			fc.nat(),
			fc.constantFrom('', '"', '\\', ',', ':', '}', ']', '{', '[', '-', '.', 'e', '0', '\u0001', '\ud800', ' '),
		)
		.map(([t, at, c]) => {
			const k = t.length === 0 ? 0 : at % t.length;
			return t.slice(0, k) + c + t.slice(k + 1);
		}),
);
