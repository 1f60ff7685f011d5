/**
 * Whether a decimal of at most nine significant digits names the single-precision float `f` to within
 * one unit of its last digit: the text of a writer that meant that float but did not pick the digits a
 * correctly rounding Float.toString would. Java 17 and older (Kafka Connect's JSON converter and
 * Jackson on JDK ≤ 18: Debezium 2.x, Confluent Platform 7.x images) write `2.2856919E9` for the float
 * Java 19+ writes `2.285692E9`, and `4.18937487E18` for `4.189375E18`; around 1e25 they even truncate
 * (`4.6853484E25` for 4.68534848e25), so a half-unit bound is not enough. Doris parses either text into
 * the same float (StringParser::string_to_float), yet the FLOAT check refused 60-80 % of floats from
 * 1e8 to 1e18 so written with rule `precision`. Numbers a FLOAT would really store as another stay
 * refused: 16777217 (16777216), 100000001, 16777217.5, 3.14159265, each a unit or more away. The
 * price, from 1e8 up only (JAVA17_DIGITS_FROM): a count meant as written, 2285691900, is taken as the
 * float it rounds to, 2285691904, as a FLOAT column stores every such count.
 * The comparison is exact (BigInt): the difference of two doubles this close is itself a double
 * (Sterbenz), compared with the power of ten as integers.
 */

const view = new DataView(new ArrayBuffer(8));

/** Significant digits of a decimal text (no leading / trailing zeros) and the power of ten of the first. */
function significant(text: string): { count: number; exponent: number } | undefined {
	const m = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
	if (m === null) return undefined;
	const intPart = m[1];
	const all = intPart + (m[2] ?? '');
	const leading = all.search(/[1-9]/);
	if (leading < 0) return undefined;
	return { count: all.slice(leading).replace(/0+$/, '').length, exponent: Number(m[3] ?? 0) + intPart.length - 1 - leading };
}

/** `x` (finite, ≥ 0) as mantissa × 2^exponent, exactly. */
function binary(x: number): { mantissa: bigint; exponent: number } {
	view.setFloat64(0, x);
	const high = view.getUint32(0);
	const biased = (high >>> 20) & 0x7ff;
	const mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
	return biased === 0 ? { mantissa, exponent: -1074 } : { mantissa: mantissa | (1n << 52n), exponent: biased - 1075 };
}

/** Whether `x` (finite, ≥ 0) < 10^`power`, exactly. */
function belowPowerOfTen(x: number, power: number): boolean {
	const { mantissa, exponent } = binary(x);
	const left = mantissa * (exponent > 0 ? 2n ** BigInt(exponent) : 1n) * (power < 0 ? 10n ** BigInt(-power) : 1n);
	const right = (power > 0 ? 10n ** BigInt(power) : 1n) * (exponent < 0 ? 2n ** BigInt(-exponent) : 1n);
	return left < right;
}

/**
 * Where Java 17's digits differ from Java 19+'s: from 1e8 up (none below in 2.8 M random floats, review
 * session 20, S8). Below it a unit of the last digit would pass numbers the float changes that a writer
 * meant as written (32009.311 is stored as 32009.31), which stay refused.
 */
const JAVA17_DIGITS_FROM = 1e8;

/** `n`: the number `text` reads as (a double); `f`: the single it rounds to. */
export function namesFloatWithinLastDigit(n: number, f: number, text: string): boolean {
	if (Math.abs(f) < JAVA17_DIGITS_FROM) return false;
	const digits = significant(text);
	if (digits === undefined || digits.count > 9) return false;
	return belowPowerOfTen(Math.abs(n - f), digits.exponent - digits.count + 1);
}
