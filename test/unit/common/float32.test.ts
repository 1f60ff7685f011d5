/**
 * float32Number: the decimal Java's Float.toString writes for a single (what Kafka Connect's JSON
 * converter and the Java sinks write), as a JavaScript number.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { float32Number } from '../../../src/common/float32';

describe('float32Number', () => {
	it("gives Float.toString's digits: the fewest that read back as the single, not its binary expansion", () => {
		// Each pair: the source value (a MySQL FLOAT as MySQL shows it, Java's Float.toString), the single's double.
		const cases: Array<[number, number]> = [
			[10.22, 10.220000267028809],
			[0.1, 0.10000000149011612],
			[123456.79, 123456.7890625],
			[1234567.9, 1234567.875],
			[0.33333334, 1 / 3],
			[3.4028235e38, 3.4028234663852886e38],
			[16777216, 16777217],
			[1e10, 1e10],
			[-7.5, -7.5],
		];
		for (const [java, value] of cases) assert.equal(float32Number(Math.fround(value)), java, `${value}`);
	});

	it('one digit that reads back: the closest of one or two digits, as Java (Float.MIN_VALUE is 1.4E-45, not 1E-45)', () => {
		assert.equal(float32Number(Math.fround(1.4e-45)), 1.4e-45);
		assert.equal(float32Number(Math.fround(9.8e-45)), 9.8e-45);
		assert.equal(float32Number(Math.fround(3)), 3);
		assert.equal(float32Number(Math.fround(0.3)), 0.3);
	});

	it('a single halfway between two decimals of its length: the one whose last digit is even, as Java', () => {
		// toPrecision rounds such a tie away from zero: 32009.3125 came out 32009.313, where Kafka
		// Connect's JSON converter writes 32009.312 for the same FLOAT32 (and a DOUBLE column got both).
		const cases: Array<[number, number]> = [
			[32009.3125, 32009.312],
			[262144.125, 262144.12],
			[2077940.25, 2077940.2],
			[298136.625, 298136.62],
			[-4194303.25, -4194303.2],
		];
		for (const [value, java] of cases) assert.equal(float32Number(Math.fround(value)), java, `${value}`);
	});

	it('a power of two whose closest decimal is another single: the other one of the same length, as Java', () => {
		// Below a power of two the next single is half as far: 1.2621774E-29 is closer to 2^-96 but is
		// another single; Java writes the eight digits above it, not the nine 1.26217745E-29.
		assert.equal(float32Number(2 ** -96), 1.2621775e-29);
		assert.equal(float32Number(2 ** -12), 2.4414062e-4);
		assert.equal(float32Number(2 ** 87), 1.5474251e26);
		assert.equal(float32Number(-(2 ** 90)), -1.2379401e27);
		assert.equal(float32Number(2 ** -126), 1.1754944e-38);
	});

	it("matches Java's Float.toString over 2,300 bit patterns (test/fixtures/float32)", () => {
		const text = readFileSync(join(__dirname, '../../fixtures/float32/java-float-tostring.txt'), 'utf8');
		const view = new DataView(new ArrayBuffer(4));
		let compared = 0;
		for (const line of text.split('\n')) {
			if (line === '' || line.startsWith('#')) continue;
			const [bits, java] = line.split(' ');
			view.setUint32(0, Number.parseInt(bits, 16) >>> 0);
			assert.equal(float32Number(view.getFloat32(0)), Number(java), `bits ${bits}, Java ${java}`);
			compared++;
		}
		assert.ok(compared > 2000, `${compared} compared`);
	});

	it('every single reads back as itself; NaN, the infinities and -0 stay', () => {
		const view = new DataView(new ArrayBuffer(4));
		// Bit patterns across the range: subnormals, around 1, the largest finite.
		for (let bits = 1; bits < 0x7f800000; bits += 0x00123457) {
			view.setUint32(0, bits);
			const f = view.getFloat32(0);
			assert.equal(Math.fround(float32Number(f)), f, `bits ${bits.toString(16)}`);
			assert.equal(Math.fround(float32Number(-f)), -f);
		}
		assert.ok(Number.isNaN(float32Number(Number.NaN)));
		assert.equal(float32Number(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
		assert.ok(Object.is(float32Number(-0), -0));
	});
});
