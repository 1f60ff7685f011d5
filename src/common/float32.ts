/**
 * The decimal a single-precision float stands for, as the Java side of Kafka writes it.
 *
 * A 32-bit float read into JavaScript becomes the double of its exact binary value: MySQL FLOAT
 * 10.22 (Debezium's FLOAT32, an Avro `float`) reads as 10.220000267028809. Kafka Connect's JSON
 * converter writes the same value as Java's Float.toString does (Jackson's writeNumber(float)), `10.22`,
 * and so do the Java sinks (doris-kafka-connector, Flink): a DOUBLE, VARCHAR or JSON column gets
 * 10.22 from them, and a DECIMAL(10, 2) column takes it, where the binary expansion is a different
 * number in the first two and has more fractional digits than the last keeps.
 *
 * Float.toString's digits (JDK 19+ javadoc, Raffaello Giulietti's specification): among the decimals
 * that round to the float (round half to even), those of the fewest digits; when that is one digit,
 * those of one or two digits; of these, the one closest to the float, and of two equally close the
 * one whose last digit is even. The result is that decimal as a JavaScript number (its shortest text
 * is the same digits). JDK 17 and older write nine digits for some values where these write fewer
 * (1.1754944E-38 was 1.17549435E-38): the same float, other digits.
 *
 * Number.prototype.toPrecision gives the closest decimal of a length, but rounds a tie away from
 * zero (32009.3125 to 32009.313, where Java writes 32009.312), and the closest one need not round
 * to the float when another of the same length does (just below a power of two, whose lower
 * neighbour is half as far: Java writes 2^-96 as 1.2621775E-29, the closest eight digits
 * 1.2621774E-29 are another float). So both decimals of a length around the float are weighed, and
 * the comparisons that decide are exact (BigInt) wherever a double could blur them.
 */

/** A decimal `digits` × 10^`exponent`, and the double closest to it. */
interface Decimal {
	digits: number;
	exponent: number;
	value: number;
}

/** The single `x` > 0 with the bounds of the decimals that round to it. */
interface Single {
	x: number;
	/** Halfway to the next single below and above (doubles hold them exactly). */
	low: number;
	high: number;
	/** Round half to even: a decimal exactly halfway rounds to `x` when its mantissa is even. */
	inclusive: boolean;
	/** A power of two above the least normal: the single below is half as far as the one above. */
	powerOfTwo: boolean;
}

const view = new DataView(new ArrayBuffer(4));

/** The number Java's Float.toString writes for the single-precision value `f`; NaN, ±Infinity and -0 as they are. */
export function float32Number(f: number): number {
	if (!Number.isFinite(f) || f === 0) return f;
	const single = decompose(Math.abs(f));
	const magnitude = javaDecimal(single).value;
	return f < 0 ? -magnitude : magnitude;
}

function decompose(x: number): Single {
	view.setFloat32(0, x);
	const bits = view.getUint32(0);
	const biased = bits >>> 23;
	const fraction = bits & 0x7fffff;
	const mantissa = biased === 0 ? fraction : fraction | 0x800000;
	const exponent = (biased === 0 ? 1 : biased) - 150;
	const ulp = 2 ** exponent;
	const below = fraction === 0 && biased > 1 ? ulp / 2 : ulp;
	return {
		x,
		low: x - below / 2,
		high: x + ulp / 2,
		inclusive: mantissa % 2 === 0,
		powerOfTwo: below !== ulp,
	};
}

function javaDecimal(single: Single): Decimal {
	const { x } = single;
	for (let length = 1; length <= 9; length++) {
		const text = x.toPrecision(length);
		const value = Number(text);
		// The quick answer, for all but a few singles: the closest decimal reads back or not, away from
		// the bounds (where a double could blur which side it lies), and x is no tie between two.
		const quick = !single.powerOfTwo && value !== single.low && value !== single.high;
		// With the bounds equally far, the other decimal of this length (no closer) cannot read back.
		if (quick && Math.fround(value) !== x) continue;
		const closest = parseDecimal(text);
		if (quick && length > 1 && !nearTie(closest, x)) return closest;
		const [, other] = around(x, length, closest);
		if (!roundsTo(closest, single) && !roundsTo(other, single)) continue;
		// One digit reads back: Java chooses among the decimals of one or two digits.
		if (length === 1) return choose(single, ...around(x, 2, parseDecimal(x.toPrecision(2))));
		return choose(single, closest, other);
	}
	// Nine significant digits always tell two singles apart (FLT_DECIMAL_DIG); not reached.
	return { digits: x, exponent: 0, value: x };
}

/** Whether x may lie halfway between `closest` and the next decimal of its length (then Java takes the even one). */
function nearTie(closest: Decimal, x: number): boolean {
	const half = 10 ** closest.exponent / 2;
	return Math.abs(Math.abs(closest.value - x) - half) <= x * 2 ** -40;
}

/** Of the decimals of `length` digits just above and below `x`, the one toPrecision gives, then the other. */
function around(x: number, length: number, closest: Decimal): [Decimal, Decimal] {
	const side = compareExact(closest, x);
	if (side === 0) return [closest, closest];
	let { digits, exponent } = closest;
	if (side > 0) {
		// Below 10^k the step is ten times finer: the decimal of `length` digits below 1.0e5 is 9.9e4.
		if (digits === 10 ** (length - 1)) {
			digits = 10 ** length - 1;
			exponent -= 1;
		} else digits -= 1;
	} else digits += 1;
	return [closest, { digits, exponent, value: Number(`${digits}e${exponent}`) }];
}

/** The one of `a`, `b` that rounds to the single and is closer to it; equally close, the even last digit. */
function choose(single: Single, a: Decimal, b: Decimal): Decimal {
	const aRounds = roundsTo(a, single);
	const bRounds = roundsTo(b, single);
	if (!bRounds || a === b) return a;
	if (!aRounds) return b;
	// a and b lie either side of x: the one farther from x pulls a + b to its side of 2x.
	const sum = addExact(a, b);
	const twice = compareExact(sum, 2 * single.x);
	const aAbove = compareExact(a, single.x) > 0;
	if (twice === 0) return a.digits % 2 === 0 ? a : b;
	return twice > 0 === aAbove ? b : a;
}

/** Whether the decimal `d` rounds to the single (IEEE round half to even). */
function roundsTo(d: Decimal, single: Single): boolean {
	// d's double is its closest: a bound strictly between the two would be closer. Only a double
	// that is the bound itself leaves the side of d open.
	const { value } = d;
	const aboveLow = value !== single.low ? value > single.low : compareExact(d, single.low) > 0;
	const belowHigh = value !== single.high ? value < single.high : compareExact(d, single.high) < 0;
	if (aboveLow && belowHigh) return true;
	if (!single.inclusive) return false;
	return (aboveLow || compareExact(d, single.low) === 0) && (belowHigh || compareExact(d, single.high) === 0);
}

function parseDecimal(text: string): Decimal {
	const e = text.indexOf('e');
	const mantissa = e < 0 ? text : text.slice(0, e);
	const point = mantissa.indexOf('.');
	const fractionDigits = point < 0 ? 0 : mantissa.length - point - 1;
	const digits = Number(point < 0 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1));
	const exponent = (e < 0 ? 0 : Number(text.slice(e + 1))) - fractionDigits;
	return { digits, exponent, value: Number(text) };
}

/** a + b exactly (as decimals; at most ten digits, within a double's exact integers). */
function addExact(a: Decimal, b: Decimal): Decimal {
	const exponent = Math.min(a.exponent, b.exponent);
	const digits = a.digits * 10 ** (a.exponent - exponent) + b.digits * 10 ** (b.exponent - exponent);
	return { digits, exponent, value: Number(`${digits}e${exponent}`) };
}

/** The sign of d − y, exactly, for a finite double y ≥ 0. */
function compareExact(d: Decimal, y: number): number {
	// Quick answer where the doubles are far apart for any rounding of d.
	if (d.value < y * (1 - 2 ** -50)) return -1;
	if (d.value > y * (1 + 2 ** -50)) return 1;
	const [yMantissa, yExponent] = binary(y);
	// d.digits × 10^q against m × 2^k, both sides scaled to integers.
	let left = BigInt(d.digits);
	let right = BigInt(yMantissa);
	if (d.exponent >= 0) left *= 10n ** BigInt(d.exponent);
	else right *= 10n ** BigInt(-d.exponent);
	if (yExponent >= 0) right <<= BigInt(yExponent);
	else left <<= BigInt(-yExponent);
	return left === right ? 0 : left > right ? 1 : -1;
}

const doubleView = new DataView(new ArrayBuffer(8));

/** A finite double y ≥ 0 as an integer mantissa × 2^exponent. */
function binary(y: number): [number, number] {
	doubleView.setFloat64(0, y);
	const high = doubleView.getUint32(0);
	const low = doubleView.getUint32(4);
	const biased = high >>> 20;
	const mantissa = (high & 0xfffff) * 2 ** 32 + low + (biased === 0 ? 0 : 2 ** 52);
	return [mantissa, (biased === 0 ? 1 : biased) - 1075];
}
