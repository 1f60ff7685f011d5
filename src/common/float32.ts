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
 * Float.toString's digits (JDK 19+ javadoc, Raffaello Giulietti's specification; older JDKs agree on
 * all but a few values): among the decimals that round to the float, those of the fewest digits; when
 * that is one digit, those of one or two digits; of these, the one closest to the float. The result
 * is that decimal as a JavaScript number (its shortest text is the same digits).
 */

/** The number Java's Float.toString writes for the single-precision value `f`; NaN, ±Infinity and -0 as they are. */
export function float32Number(f: number): number {
	if (!Number.isFinite(f) || f === 0) return f;
	for (let digits = 1; digits <= 9; digits++) {
		const candidate = Number(f.toPrecision(digits));
		if (Math.fround(candidate) !== f) continue;
		if (digits > 1) return candidate;
		// One digit rounds to it: the closest decimal of one or two digits is the two-digit one nearest
		// to the float (every one-digit decimal is a two-digit one), when it rounds to the float too.
		const two = Number(f.toPrecision(2));
		return Math.fround(two) === f ? two : candidate;
	}
	// Nine significant digits always round back to a single (FLT_DECIMAL_DIG); not reached for a single.
	return f;
}
