/**
 * Numbers in a DATE / DATETIME column whose size says more than the Epoch Unit: a day count read in a
 * sub-day unit, a compact date (YYYYMMDD) read as an epoch. DateCoercer (datetime.ts) asks these first.
 */
import type { EpochUnit } from './datetime';

/** One day in each sub-day Epoch Unit. */
const DAY_IN_UNIT: Record<Exclude<EpochUnit, 'reject' | 'days'>, number> = { s: 86_400, ms: 86_400_000, us: 86_400_000_000 };

/**
 * Whether `n`, read in `unit`, is a non-zero instant less than a day from 1970-01-01 00:00 UTC. In a
 * DATE column such a number is a count of days, not an instant: schemaless Debezium
 * (`schemas.enable=false`) sends a MySQL DATE as days (io.debezium.time.Date), so an Epoch Unit set for
 * the table's DATETIME columns (ms, µs) read 19,844 (2024-05-01) as 19.8 s after the epoch and loaded
 * 1970-01-01 for every row without a word. Every calendar date a day count can name (0000-01-01 to
 * 9999-12-31 is -719,528 to 2,932,896) falls in that first day for ms and µs, and every date before
 * 2206 for seconds; 0 is 1970-01-01 read either way. A real instant in the first day of 1970 is a
 * placeholder far more often than a date, and it goes to Invalid saying so rather than load as one.
 */
export function dayCountInSubDayUnit(n: number | bigint, unit: Exclude<EpochUnit, 'reject' | 'days'>): boolean {
	const day = DAY_IN_UNIT[unit];
	if (typeof n === 'bigint') return n !== 0n && (n < 0n ? -n : n) < BigInt(day);
	return n !== 0 && Math.abs(n) < day;
}

/**
 * Whether integer `n` has 8 or 14 digits, the lengths Doris reads as YYYYMMDD / YYYYMMDDHHMMSS: the JSON
 * reader hands a number to the DATE / DATETIME cast as its text (new_json_reader.cpp,
 * `simdjson::to_json_string`), and DateV2Value::from_date_str_base (be/src/vec/runtime/vdatetime_value.cpp,
 * 2.1 / 3.0 / 3.1: "For YYYYMMDD/YYYYMMDDHHMMSS is 4 digits years") reads digits without a delimiter
 * as a compact date. Such a number that is a real date is read so here too, whatever the Epoch Unit, as
 * its text already is: under an Epoch Unit 20240501 loaded as 1970-08-23 (seconds) and 20240501103000 as
 * 2611-05-26 (milliseconds), without a word. The epochs it shadows are instants of 1970-04-26 to
 * 1973-03-03 in seconds (8 digits) or microseconds (14), and only those whose digits happen to form a
 * date; one that does not stays an epoch. Doris reads every run of digits as a date (4, 8 or 14+ digits
 * with a four-digit year, others with a two-digit one), but the other lengths are the epochs the unit
 * exists for (10-digit seconds, 12- and 13-digit milliseconds since 1973, 16-digit microseconds), so a
 * number of those lengths, or such text (YYMMDD, YYMMDDHHMMSS), stays an epoch.
 */
export function hasCompactDateDigits(n: number | bigint): boolean {
	if (typeof n === 'bigint') return (n >= 10_000_000n && n < 100_000_000n) || (n >= 10_000_000_000_000n && n < 100_000_000_000_000n);
	return Number.isInteger(n) && ((n >= 1e7 && n < 1e8) || (n >= 1e13 && n < 1e14));
}
