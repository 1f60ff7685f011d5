/**
 * Per-column converters compiled once per load: the common shapes of a value (a JSON number for an
 * integer column, plain text for a string column, a compact JSON text for a JSON column...) are
 * answered without the type dispatch, regexes and BigInt of `convert`; everything else falls through
 * to `convert`, which stays the one place that states Doris' rules. Each fast path returns exactly
 * what `convert` returns for that input (test/ground/doris-convert.test.ts compares them).
 */
import type { ColType } from './coltypes';
import { convert, type ConvertCtx, type Converted } from './convert';

export type Converter = (v: unknown, ctx: ConvertCtx) => Converted;

const INT_BOUNDS: Partial<Record<ColType['base'], [number, number]>> = {
	TINYINT: [-128, 127],
	SMALLINT: [-32768, 32767],
	INT: [-2147483648, 2147483647],
};

/** `-?\d{1,max}` by character codes. */
function plainDigits(s: string, max: number): boolean {
	const n = s.length;
	let i = s.charCodeAt(0) === 45 ? 1 : 0;
	if (n === i || n - i > max) return false;
	for (; i < n; i++) {
		const c = s.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

export function compileConverter(t: ColType): Converter {
	const slow: Converter = (v, ctx) => convert(t, v, ctx);
	switch (t.base) {
		case 'TINYINT':
		case 'SMALLINT':
		case 'INT': {
			const [lo, hi] = INT_BOUNDS[t.base]!;
			return (v, ctx) => {
				if (typeof v === 'number') {
					// `convert` goes through String(v), which turns -0 into 0: `+ 0` does the same.
					if (Number.isInteger(v) && v >= lo && v <= hi) return v + 0;
				} else if (typeof v === 'string' && plainDigits(v, 10)) {
					const n = Number(v);
					if (n >= lo && n <= hi) return n;
				} else if (v === null) return null;
				return convert(t, v, ctx);
			};
		}
		case 'BIGINT':
			return (v, ctx) => {
				// Within 2^53 BIGINT is stored as a number (`convert` via BigInt, so -0 becomes 0).
				if (typeof v === 'number') {
					if (Number.isSafeInteger(v)) return v + 0;
				} else if (typeof v === 'string' && plainDigits(v, 15)) return Number(v) + 0;
				else if (v === null) return null;
				return convert(t, v, ctx);
			};
		case 'BOOLEAN':
			return (v, ctx) => (v === true ? 1 : v === false ? 0 : convert(t, v, ctx));
		case 'DOUBLE':
			return (v, ctx) => (typeof v === 'number' && Number.isFinite(v) ? v + 0 : convert(t, v, ctx));
		case 'CHAR':
		case 'VARCHAR': {
			const len = t.len!;
			// At most 3 UTF-8 bytes per UTF-16 unit: a short string cannot be too long.
			return (v, ctx) => (typeof v === 'string' && v.length * 3 <= len ? v : convert(t, v, ctx));
		}
		case 'STRING':
			return (v, ctx) => (typeof v === 'string' ? v : convert(t, v, ctx));
		case 'JSON':
			return (v, ctx) => {
				if (typeof v === 'string') {
					// A plain JSON.parse yields no BigNumText, so `convert`'s plain() step is a no-op here.
					let parsed: unknown;
					try {
						parsed = JSON.parse(v);
					} catch {
						return convert(t, v, ctx);
					}
					return v.includes('\\u') ? convert(t, v, ctx) : JSON.stringify(parsed);
				}
				return convert(t, v, ctx);
			};
		default:
			return slow;
	}
}
