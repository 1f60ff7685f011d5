import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { plainDecimal, plainDecimalIn } from '../../../../src/doris/schema/coerce-values';
import { prng } from '../../../support/prng';

/** What plainDecimal wrote for a number before its fast path: its shortest digits, String(value), padded. */
function byShortestDigits(value: number, precision: number, scale: number): string | undefined {
	const text = String(value);
	return plainDecimalIn(text, 0, text.length, precision, scale);
}

/** Doubles of every kind a DECIMAL column meets: counts of cents and other units, their neighbours, edges. */
function numbers(seed: number, count: number): number[] {
	const r = prng(seed);
	const out: number[] = [0, -0, 1, -1, 0.1, 0.29, 1.005, 19.900000000000002, 1e-6, 1e-7, 5e-7, 0.000001, 123456789012.34, 4e12, 3.9999999999999e12, 2 ** 53 - 1, 1e21];
	for (let i = 0; i < count; i++) {
		const sign = r() < 0.3 ? -1 : 1;
		const digits = 1 + Math.floor(r() * 17);
		const places = Math.floor(r() * 9);
		const units = Math.floor(r() * 10 ** digits);
		const value = (sign * units) / 10 ** places;
		out.push(value);
		// The doubles either side: not counts of any unit, or counts of a finer one.
		const bits = new Float64Array([value]);
		const words = new BigInt64Array(bits.buffer);
		for (const step of [-1n, 1n]) {
			words[0] += step;
			if (Number.isFinite(bits[0])) out.push(bits[0]);
			words[0] -= step;
		}
		out.push(sign * r() * 10 ** (Math.floor(r() * 30) - 10));
	}
	return out;
}

describe('plainDecimal of a number', () => {
	it('writes exactly what its shortest digits (String) padded to the scale write, or takes the general path alike (random doubles, scales 0-8)', () => {
		let written = 0;
		for (const value of numbers(20261207, 20_000)) {
			if (!Number.isSafeInteger(value) && Number.isInteger(value)) continue; // lost digits already: coerceDecimal refuses it
			for (const scale of [0, 1, 2, 3, 4, 6, 8]) {
				for (const precision of [scale + 1, scale + 3, 12, 18, 27, 38]) {
					const fast = plainDecimal(value, precision, scale);
					assert.equal(fast, byShortestDigits(value, precision, scale), `${value} as DECIMAL(${precision},${scale})`);
					if (fast !== undefined) written++;
				}
			}
		}
		// Most cases were written, so the comparison covered the fast path, not only its refusals.
		assert.ok(written > 100_000, `${written} written`);
	});

	it('writes zero, negative zero and negative amounts as their digits do', () => {
		assert.equal(plainDecimal(-0, 12, 2), '0.00');
		assert.equal(plainDecimal(0, 12, 0), '0');
		assert.equal(plainDecimal(-12.5, 12, 2), '-12.50');
		assert.equal(plainDecimal(-0.5, 12, 2), undefined); // -0.x: the general path (coerceDecimal)
		assert.equal(plainDecimal(12345.6, 5, 2), undefined); // five integer digits into DECIMAL(5,2)
		assert.equal(plainDecimal(0.001, 12, 2), undefined); // more fractional digits than the scale
		assert.equal(plainDecimal(1e-7, 12, 8), byShortestDigits(1e-7, 12, 8));
	});
});
