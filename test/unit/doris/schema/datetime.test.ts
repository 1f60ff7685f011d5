import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DateCoercer, type DateTimeOptions } from '../../../../src/doris/schema/datetime';
import { ZoneClock } from '../../../../src/doris/schema/zone-clock';

function run(value: unknown, opts: Partial<DateTimeOptions> & { precision?: number; date?: boolean; round?: boolean } = {}): string {
	const options: DateTimeOptions = { timeZone: opts.timeZone ?? 'UTC', epochUnit: opts.epochUnit ?? 'reject' };
	const r = new DateCoercer(!opts.date, opts.precision ?? 0, options, undefined, opts.round).coerce(value);
	return r.ok ? r.value : `!${r.failure}`;
}

describe('DATETIME(p) from text', () => {
	it('keeps zone-less text as wall clock and normalises the separators', () => {
		assert.equal(run('2024-05-01 10:11:12'), '2024-05-01 10:11:12');
		assert.equal(run('2024-05-01T10:11:12'), '2024-05-01 10:11:12');
		assert.equal(run('2024/5/1 1:02:03'), '2024-05-01 01:02:03');
		assert.equal(run('2024-05-01'), '2024-05-01 00:00:00');
		assert.equal(run('2024-05-01 10:11:12', { timeZone: 'Asia/Shanghai' }), '2024-05-01 10:11:12');
		assert.equal(run('20240501103000'), '2024-05-01 10:30:00');
	});
	it('converts instants with an offset into the configured zone', () => {
		assert.equal(run('2024-05-01T10:00:00Z', { timeZone: 'Asia/Shanghai' }), '2024-05-01 18:00:00');
		assert.equal(run('2024-05-01T10:00:00+02:00'), '2024-05-01 08:00:00');
		assert.equal(run('2024-05-01T10:00:00-0530'), '2024-05-01 15:30:00');
		assert.equal(run('2024-05-01T10:00:00Z', { timeZone: '+08:00' }), '2024-05-01 18:00:00');
		// America/New_York: EDT (-4) in July, EST (-5) in January.
		assert.equal(run('2024-07-01T12:00:00Z', { timeZone: 'America/New_York' }), '2024-07-01 08:00:00');
		assert.equal(run('2024-01-01T12:00:00Z', { timeZone: 'America/New_York' }), '2024-01-01 07:00:00');
		// Across the 2024-03-10 07:00Z spring-forward, one minute apart.
		assert.equal(run('2024-03-10T06:59:00Z', { timeZone: 'America/New_York' }), '2024-03-10 01:59:00');
		assert.equal(run('2024-03-10T07:00:00Z', { timeZone: 'America/New_York' }), '2024-03-10 03:00:00');
		// Half-hour zone.
		assert.equal(run('2024-05-01T00:00:00Z', { timeZone: 'Asia/Kolkata' }), '2024-05-01 05:30:00');
	});
	it('refuses more non-zero fractional digits than DATETIME(p) keeps: Doris would round them into another time', () => {
		assert.equal(run('2024-05-01 10:11:12.1234', { precision: 3 }), '!precision');
		assert.equal(run('2024-05-01 10:11:12.1235', { precision: 3 }), '!precision');
		assert.equal(run('2024-05-01 10:11:12.5'), '!precision');
		assert.equal(run('2024-05-01T10:11:12.123Z'), '!precision');
		// 7+ digits: more than any DATETIME keeps.
		assert.equal(run('2024-05-01 10:11:12.1234567', { precision: 6 }), '!precision');
		assert.equal(run('2024-12-31 23:59:59.9999995', { precision: 6 }), '!precision');
		// Digits past the nanosecond were ignored, whatever they said.
		assert.equal(run('2024-05-01 10:11:12.0000000001', { precision: 6 }), '!precision');
		assert.equal(run('2024-05-01T10:11:12.0000000001+02:00', { precision: 6 }), '!precision');
		// Zeros past the precision are the same time.
		assert.equal(run('2024-05-01 10:11:12.1230', { precision: 3 }), '2024-05-01 10:11:12.123');
		assert.equal(run('2024-05-01 10:11:12.1234560000', { precision: 6 }), '2024-05-01 10:11:12.123456');
		assert.equal(run('2024-05-01T10:11:12.000Z'), '2024-05-01 10:11:12');
		assert.equal(run('2024-05-01 10:11:12.1', { precision: 6 }), '2024-05-01 10:11:12.100000');
	});
	it('checks calendar validity and the 0000..9999 range, both sides', () => {
		assert.equal(run('2024-02-29'), '2024-02-29 00:00:00');
		assert.equal(run('2023-02-29'), '!date_format');
		assert.equal(run('2024-13-01'), '!date_format');
		assert.equal(run('2024-01-01 24:00:00'), '!date_format');
		assert.equal(run('0000-01-01 00:00:00'), '0000-01-01 00:00:00');
		assert.equal(run('0099-03-01'), '0099-03-01 00:00:00');
		assert.equal(run('9999-12-31 23:59:59'), '9999-12-31 23:59:59');
		assert.equal(run('9999-12-31 23:59:59.9', { precision: 1 }), '9999-12-31 23:59:59.9');
		assert.equal(run('9999-12-31T23:59:59Z', { timeZone: '+00:01' }), '!date_range');
		assert.equal(run('0000-01-01T00:00:00+01:00'), '!date_range');
		// Doris' calendar has no 0000-02-29: is_leap(0) is false (be/src/util/time_lut.cpp), and
		// DateV2Value::is_invalid refuses the day (be/src/vec/runtime/vdatetime_value.cpp).
		assert.equal(run('0000-02-29'), '!date_format');
		assert.equal(run('0000-02-29', { date: true }), '!date_format');
		assert.equal(run('0000-02-29 10:11:12.123', { precision: 3 }), '!date_format');
		assert.equal(run('0000-03-01T00:30:00+01:00'), '!date_format');
		assert.equal(run(-719528 + 59, { date: true, epochUnit: 'days' }), '!date_format');
		assert.equal(run(-719528 + 58, { date: true, epochUnit: 'days' }), '0000-02-28');
		assert.equal(run(-719528 + 60, { date: true, epochUnit: 'days' }), '0000-03-01');
		assert.equal(run('0400-02-29'), '0400-02-29 00:00:00');
		assert.equal(run('yesterday'), '!date_format');
		assert.equal(run({}), '!date_format');
	});
});

describe('DATETIME(p) rounding its extra fractional digits (the option Round as Doris Does)', () => {
	it('rounds half up at p, carrying into seconds and days, from text of any shape', () => {
		const round = true;
		assert.equal(run('2024-05-01 10:11:12.1234', { precision: 3, round }), '2024-05-01 10:11:12.123');
		assert.equal(run('2024-05-01 10:11:12.1235', { precision: 3, round }), '2024-05-01 10:11:12.124');
		assert.equal(run('2024-05-01 10:11:12.5', { round }), '2024-05-01 10:11:13');
		assert.equal(run('2024-05-01T10:11:12.499Z', { round }), '2024-05-01 10:11:12');
		assert.equal(run('2024-05-01T23:59:59.5+00:00', { round, timeZone: 'Asia/Shanghai' }), '2024-05-02 08:00:00');
		assert.equal(run('2024-12-31 23:59:59.9999995', { precision: 6, round }), '2025-01-01 00:00:00.000000');
		// Digits past the nanosecond never decide a rounding at p <= 6.
		assert.equal(run('2024-05-01 10:11:12.0000000009', { precision: 6, round }), '2024-05-01 10:11:12.000000');
		assert.equal(run('9999-12-31 23:59:59.9', { round }), '!date_range');
	});
	it('rounds epoch numbers with more digits than p', () => {
		const round = true;
		assert.equal(run(86_400, { epochUnit: 'ms', round }), '1970-01-01 00:01:26');
		assert.equal(run(1714557600123456, { precision: 3, epochUnit: 'us', round }), '2024-05-01 10:00:00.123');
		assert.equal(run(1714557600.1235, { precision: 3, epochUnit: 's', round }), '2024-05-01 10:00:00.124');
		assert.equal(run(1.5e-7, { precision: 6, epochUnit: 's', round }), '1970-01-01 00:00:00.000000');
		assert.equal(run(-1, { epochUnit: 'ms', round }), '1970-01-01 00:00:00');
	});
});

describe('DATETIME from epoch numbers', () => {
	it('never guesses the unit: a number without one is refused with the reason', () => {
		// Before, "auto" read 19844 (an Avro date: 2024-05-01) as seconds: 1970-01-01 05:30:44.
		assert.equal(run(19844, { date: true }), '!epoch_unit');
		assert.equal(run(1714557600), '!epoch_unit');
		assert.equal(run(1714557600123, { precision: 3 }), '!epoch_unit');
		assert.equal(run('1714557600'), '!epoch_unit');
		assert.equal(run(0n), '!epoch_unit');
		// 8 / 14 digit text stays Doris' compact form, with or without a unit.
		assert.equal(run('20240501103000'), '2024-05-01 10:30:00');
	});
	it('seconds and milliseconds, fractions included', () => {
		assert.equal(run(1714557600, { epochUnit: 's' }), '2024-05-01 10:00:00');
		assert.equal(run('1714557600', { epochUnit: 's' }), '2024-05-01 10:00:00');
		assert.equal(run(1714557600.5, { precision: 1, epochUnit: 's' }), '2024-05-01 10:00:00.5');
		assert.equal(run(1714557600123, { precision: 3, epochUnit: 'ms' }), '2024-05-01 10:00:00.123');
		// The old "auto" read this millisecond epoch of 1973 as seconds (year 5138).
		assert.equal(run(99_999_999_999, { epochUnit: 'ms', precision: 3 }), '1973-03-03 09:46:39.999');
		assert.equal(run(-1, { epochUnit: 's' }), '1969-12-31 23:59:59');
		assert.equal(run(-1, { epochUnit: 'ms', precision: 3 }), '1969-12-31 23:59:59.999');
		assert.equal(run(0n, { epochUnit: 's' }), '1970-01-01 00:00:00');
		assert.equal(run(86_400_000, { epochUnit: 'ms' }), '1970-01-02 00:00:00');
		assert.equal(run(86_400, { epochUnit: 'ms', precision: 1 }), '1970-01-01 00:01:26.4');
	});
	it('a fraction of the unit is read as the decimal it is written as, and refused when the column cannot keep it', () => {
		// As doubles, 1714557600.123 s is 1714557600.1229999 s: the digits written decide, not the double.
		assert.equal(run(1714557600.123, { precision: 3, epochUnit: 's' }), '2024-05-01 10:00:00.123');
		assert.equal(run('1714557600.123', { precision: 3, epochUnit: 's' }), '2024-05-01 10:00:00.123');
		assert.equal(run(-0.001, { precision: 3, epochUnit: 's' }), '1969-12-31 23:59:59.999');
		assert.equal(run(1714557600123.5, { precision: 6, epochUnit: 'ms' }), '2024-05-01 10:00:00.123500');
		assert.equal(run(1714557600.1234, { precision: 3, epochUnit: 's' }), '!precision');
		assert.equal(run(86_400, { epochUnit: 'ms' }), '!precision');
		assert.equal(run(1714557600123, { epochUnit: 'ms' }), '!precision');
		assert.equal(run(1714557600123456, { precision: 3, epochUnit: 'us' }), '!precision');
		assert.equal(run(1.5, { precision: 6, epochUnit: 'us' }), '!precision');
		assert.equal(run(1.5e-7, { precision: 6, epochUnit: 's' }), '!precision');
	});
	it('microseconds keep all six digits, beyond 2^53 too (exact JSON hands those over as text)', () => {
		assert.equal(run(1714557600123456, { precision: 6, epochUnit: 'us' }), '2024-05-01 10:00:00.123456');
		assert.equal(run(-1, { precision: 6, epochUnit: 'us' }), '1969-12-31 23:59:59.999999');
		assert.equal(run('253402300799999999', { precision: 6, epochUnit: 'us' }), '9999-12-31 23:59:59.999999');
		assert.equal(run(253402300799999999n, { precision: 6, epochUnit: 'us' }), '9999-12-31 23:59:59.999999');
		assert.equal(run('253402300800000000', { precision: 6, epochUnit: 'us' }), '!date_range');
		assert.equal(run(1714557600123000, { precision: 3, epochUnit: 'us' }), '2024-05-01 10:00:00.123');
	});
	it('days are calendar dates: no zone shift', () => {
		assert.equal(run(19844, { date: true, epochUnit: 'days' }), '2024-05-01');
		assert.equal(run(19844, { date: true, epochUnit: 'days', timeZone: 'America/New_York' }), '2024-05-01');
		assert.equal(run(-719528, { date: true, epochUnit: 'days' }), '0000-01-01');
		assert.equal(run(2932897, { date: true, epochUnit: 'days' }), '!date_range');
		assert.equal(run(19844, { epochUnit: 'days' }), '2024-05-01 00:00:00');
		assert.equal(run(19844.5, { date: true, epochUnit: 'days' }), '!date_format');
	});
	it('a DATE under a sub-day unit refuses a number within a day of 1970-01-01: it is a day count read in the wrong unit', () => {
		// Schemaless Debezium (schemas.enable=false) sends a MySQL DATE as days: 19844 is 2024-05-01, but in
		// milliseconds it is 19.8 s after the epoch, and the DATE kept would be 1970-01-01, every row, quietly.
		for (const epochUnit of ['s', 'ms', 'us'] as const) {
			assert.equal(run(19844, { date: true, epochUnit }), '!epoch_day_count', epochUnit);
			assert.equal(run(-25567, { date: true, epochUnit }), '!epoch_day_count', epochUnit); // 1900-01-01 in days
			assert.equal(run('19844', { date: true, epochUnit }), '!epoch_day_count', epochUnit);
			assert.equal(run(19844n, { date: true, epochUnit }), '!epoch_day_count', epochUnit);
			assert.equal(run(1.5, { date: true, epochUnit }), '!epoch_day_count', epochUnit);
			// 0 is 1970-01-01 read either way: nothing to tell apart.
			assert.equal(run(0, { date: true, epochUnit }), '1970-01-01', epochUnit);
		}
		// One day in the unit and beyond is an instant as before; so is every number into a DATETIME.
		assert.equal(run(86_400, { date: true, epochUnit: 's' }), '1970-01-02');
		assert.equal(run(-86_400_000, { date: true, epochUnit: 'ms' }), '1969-12-31');
		assert.equal(run(86_400_000_000, { date: true, epochUnit: 'us' }), '1970-01-02');
		assert.equal(run(86_399, { date: true, epochUnit: 's' }), '!epoch_day_count');
		assert.equal(run(1714557600, { date: true, epochUnit: 's' }), '2024-05-01');
		assert.equal(run(19844, { epochUnit: 'ms', precision: 3 }), '1970-01-01 00:00:19.844');
	});
	it('a number of 8 / 14 digits that is a date is that date under every Epoch Unit, as Doris and its text read it', () => {
		// Doris' JSON reader hands the number to the cast as its text, and from_date_str_base reads 8 / 14
		// digits as YYYYMMDD[HHMMSS]. Before, under a unit, 20240501 loaded as 1970-08-23 (seconds) and
		// 20240501103000 as 2611-05-26 01:25:03 (milliseconds), without a word.
		for (const epochUnit of ['reject', 'days', 's', 'ms', 'us'] as const) {
			assert.equal(run(20240501, { date: true, epochUnit }), '2024-05-01', epochUnit);
			assert.equal(run(20240501, { epochUnit }), '2024-05-01 00:00:00', epochUnit);
			assert.equal(run(20240501103000, { date: true, epochUnit }), '2024-05-01', epochUnit);
			assert.equal(run(20240501103000, { precision: 3, epochUnit }), '2024-05-01 10:30:00.000', epochUnit);
			assert.equal(run(20240501103000n, { epochUnit }), '2024-05-01 10:30:00', epochUnit);
			assert.equal(run(20240501, { date: true, epochUnit }), run('20240501', { date: true, epochUnit }), epochUnit);
		}
		// Digits that are no date stay an epoch in the unit (one day in ms; a 1972 instant in µs).
		assert.equal(run(86_400_000, { epochUnit: 'ms' }), '1970-01-02 00:00:00');
		assert.equal(run(63_072_000_000_000, { precision: 6, epochUnit: 'us' }), '1972-01-01 00:00:00.000000');
		assert.equal(run(20241301, { epochUnit: 's' }), '1970-08-23 06:35:01');
		// Other lengths are the epochs the unit is for: 10-digit seconds, 12-digit milliseconds of 1973-2001.
		assert.equal(run(1714557600, { epochUnit: 's' }), '2024-05-01 10:00:00');
		assert.equal(run(240501103000, { precision: 3, epochUnit: 'ms' }), '1977-08-15 13:51:43.000');
		assert.equal(run(20240501.5, { epochUnit: 's', precision: 1 }), '1970-08-23 06:21:41.5');
	});
	it('zones and range', () => {
		assert.equal(run(1714557600123, { epochUnit: 's' }), '!date_range');
		assert.equal(run(1714557600, { timeZone: 'Asia/Shanghai', epochUnit: 's' }), '2024-05-01 18:00:00');
		// Far beyond year 9999 the zone lookup cannot even run: a range error, not a crash.
		assert.equal(run(1e300, { timeZone: 'Asia/Shanghai', epochUnit: 'ms' }), '!date_range');
		assert.equal(run(-1e300, { timeZone: 'America/New_York', epochUnit: 's' }), '!date_range');
		assert.equal(run(253402300800, { timeZone: 'Asia/Shanghai', epochUnit: 's' }), '!date_range');
	});
});

describe('DATE', () => {
	it('takes the date of the wall clock in the zone', () => {
		assert.equal(run('2024-05-01', { date: true }), '2024-05-01');
		assert.equal(run('2024-05-01 23:59:59.9', { date: true }), '2024-05-01');
		assert.equal(run('2024-05-01T20:00:00Z', { date: true, timeZone: 'Asia/Shanghai' }), '2024-05-02');
		assert.equal(run('20240501', { date: true }), '2024-05-01');
		assert.equal(run(1714557600, { date: true, timeZone: 'Pacific/Kiritimati', epochUnit: 's' }), '2024-05-02');
	});

	it("is the instant's date in the zone, never the date Doris would make of the offset text itself", () => {
		// Doris 2.1 / 3.0 / 3.1 would load 2024-03-09 for this text with the zone UTC (from_date_str_base
		// moves the date's midnight by −8 h), the rewritten cast (#61682) 2024-03-10 in every zone; the
		// plain date reads alike.
		assert.equal(run('2024-03-10T23:30:00+08:00', { date: true }), '2024-03-10');
		assert.equal(run('2024-03-10T23:30:00+08:00', { date: true, timeZone: 'Asia/Shanghai' }), '2024-03-10');
		assert.equal(run('2024-03-10T23:30:00+08:00', { date: true, timeZone: 'America/Los_Angeles' }), '2024-03-10');
		assert.equal(run('2024-03-10T00:30:00+08:00', { date: true }), '2024-03-09');
		assert.equal(run('2024-03-10T20:00:00.000Z', { date: true, timeZone: 'Asia/Shanghai' }), '2024-03-11');
	});
});

describe('historical zone offsets', () => {
	// Before standard time, zones kept local mean time, whose offsets have seconds (tzdata LMT lines);
	// Liberia kept -0:44:30 until 1972. The wall clock must be what the zone's clock read.
	it('keep the seconds of an offset', () => {
		assert.equal(run('1970-06-01T00:00:00Z', { timeZone: 'Africa/Monrovia' }), '1970-05-31 23:15:30');
		assert.equal(run('1880-01-01T00:00:00Z', { timeZone: 'America/New_York' }), '1879-12-31 19:03:58');
		assert.equal(run(0, { timeZone: 'Africa/Monrovia', epochUnit: 's' }), '1969-12-31 23:15:30');
	});
	it('change at the instant the zone changed, also between two quarter hours', () => {
		// Kolkata moved from +5:21:10 to +5:30 at 1905-12-31T18:38:50Z.
		assert.equal(run('1905-12-31T18:35:00Z', { timeZone: 'Asia/Kolkata' }), '1905-12-31 23:56:10');
		assert.equal(run('1905-12-31T18:40:00Z', { timeZone: 'Asia/Kolkata' }), '1906-01-01 00:10:00');
		assert.equal(run('1972-01-07T00:40:00Z', { timeZone: 'Africa/Monrovia' }), '1972-01-06 23:55:30');
		assert.equal(run('1972-01-07T00:44:30Z', { timeZone: 'Africa/Monrovia' }), '1972-01-07 00:44:30');
	});
});

describe('ZoneClock', () => {
	it('names the bad zone', () => {
		assert.throws(() => new ZoneClock('Mars/Olympus'), /Time zone "Mars\/Olympus"/);
	});
});
