/**
 * DATE / DATETIME(p) coercion. Doris stores wall-clock values without a zone, so every input is turned
 * into the wall clock of one configured time zone:
 * - text with an explicit offset or `Z` (`2024-05-01T10:00:00+02:00`) is an instant: converted;
 * - text without an offset (`2024-05-01 10:00:00`) is already wall clock in that zone: kept as written;
 * - numbers (and numeric text other than 8 / 14 digits; see hasCompactDateDigits for numbers of 8 / 14)
 *   are epoch instants in the unit the Epoch Unit
 *   option names (days, seconds, milliseconds, microseconds). Without one a number is refused
 *   (`epoch_unit`): its size cannot tell the unit (an Avro `date` of 19,844 days and an epoch of
 *   19,844 seconds look alike), and a guess loads a wrong date silently. Integers are converted with
 *   BigInt, so microseconds beyond 2^53 (text from exact JSON) keep every digit;
 * - 8 / 14 digit text is Doris' compact form (`20240501`, `20240501103000`), as Doris reads it.
 * A non-zero fractional digit past what DATETIME(p) keeps (a 7th digit, or `.5` for a DATETIME) fails
 * with 'precision': Doris' cast would round it half up since 2.0 (doris-website commit 3d7a2277, "add
 * description of cast as datetime round") and load another time; the Doris Schema node's option
 * rounds it here instead, as Doris would (ExtraDigitsPolicy 'round'). Zeros past it are the same time. An
 * epoch number with a fraction is read as the decimal it is written as (1714557600.123 s is .123, not
 * the double's .1229999). A DATE keeps the date of the wall clock, as Doris' cast to DATE does.
 * Text with an offset into a DATE is the instant's date in the zone, written as a plain date: Doris
 * itself, given the offset, reads it otherwise in each release line, so it never sees one. 2.1 / 3.0 /
 * 3.1 keep the written date, then move its midnight by (session zone − offset) taken at 1970-01-01
 * (be/src/vec/runtime/vdatetime_value.cpp, DateV2Value::from_date_str_base), so
 * `2024-03-10T23:30:00+08:00` with the zone UTC would be 2024-03-09, a day that instant is in neither
 * zone; the rewritten cast (be/src/vec/functions/cast/cast_to_datev2_impl.hpp, apache/doris#53938,
 * master in July 2025; loads moved to it with #61682, picked to branch-4.1) checks the offset and
 * keeps 2024-03-10 whatever the zone. The plain date reads alike in every version.
 * Range: years 0000-9999.
 * Time zones are IANA names (or ±HH:MM) resolved with Intl; offsets are cached per 15-minute bucket
 * whose two ends agree (today's zones change offset on a quarter hour; local mean time before
 * standard time had offsets with seconds, Liberia's -0:44:30 until 1972, and changed between quarter
 * hours: such a bucket is looked up at the instant itself), so a stream of nearby instants costs two
 * Intl calls per bucket.
 */
import { civilFromDays, type CivilDate } from '../../common/logical-values';

import { dayCountInSubDayUnit, hasCompactDateDigits } from './epoch-shapes';
import { wallMs, ZoneClock } from './zone-clock';

/** What a bare number in a DATE / DATETIME column counts since 1970-01-01; 'reject' = nobody said. */
export type EpochUnit = 'reject' | 'days' | 's' | 'ms' | 'us';

export const EPOCH_UNITS: readonly EpochUnit[] = ['reject', 'days', 's', 'ms', 'us'];

export interface DateTimeOptions {
	/** IANA zone (`Asia/Shanghai`), `UTC`, or a fixed offset `+08:00`. Default UTC. */
	timeZone: string;
	epochUnit: EpochUnit;
}

/** Ticks of each unit per second (days are handled apart: 86,400 s each). */
const UNIT_PER_SECOND: Record<Exclude<EpochUnit, 'reject' | 'days'>, bigint> = { s: 1n, ms: 1000n, us: 1_000_000n };

const MS_PER_DAY = 86_400_000;
const MIN_WALL_MS = wallMs(0, 1, 1, 0, 0, 0);
const MAX_WALL_MS = wallMs(9999, 12, 31, 23, 59, 59);
const MIN_SECONDS = BigInt(MIN_WALL_MS / 1000);
const MAX_SECONDS = BigInt(MAX_WALL_MS / 1000);

const DATE_RE =
	/^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|(?:UTC|GMT)?\s*([+-])(\d{2}):?(\d{2})?)?\s*$/;
const COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;
const EPOCH_TEXT_RE = /^\s*-?\d+(?:\.\d+)?\s*$/;
/** A decimal number as String(number) or epoch text writes it: sign, digits, fraction, exponent. */
const EPOCH_DECIMAL_RE = /^\s*(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;
/** Decimal digits from each unit to nanoseconds. */
const NANO_DIGITS: Record<Exclude<EpochUnit, 'reject' | 'days'>, number> = { s: 9, ms: 6, us: 3 };
const INTEGER_TEXT_RE = /^-?\d{1,30}$/;

/** The digit at `i`, or NaN. */
function digit(text: string, i: number): number {
	const c = text.charCodeAt(i) - 48;
	return c >= 0 && c <= 9 ? c : NaN;
}

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/**
 * Days of month `m` in Doris' calendar: the Gregorian one, except that year 0 is no leap year, as in
 * MySQL (be/src/util/time_lut.cpp `is_leap`: `(year % 400) == 0 && year`), so Doris refuses
 * 0000-02-29 (DateV2Value::is_invalid, be/src/vec/runtime/vdatetime_value.cpp) and a row holding it
 * would load NULL or be filtered.
 */
function daysInMonth(y: number, m: number): number {
	if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || (y % 400 === 0 && y !== 0)) ? 29 : 28;
	return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** The digit of code unit `c`, or NaN. */
function unitDigit(c: number): number {
	const d = c - 48;
	return d >= 0 && d <= 9 ? d : NaN;
}

/**
 * Whether units[from, to) (a text's UTF-16 code units, or its bytes when it is ASCII) is already the
 * form Doris stores for DATE (`YYYY-MM-DD`) or DATETIME(p) (`YYYY-MM-DD HH:MM:SS` and, for p > 0, a
 * dot and exactly p digits), a real date and time: then DateCoercer returns the text as it is
 * (fromPlainText keeps it), whatever the time zone. The packed rows' fast path checks this where the
 * value stands in the line, without a string or a call per value.
 */
export function isStoredDateForm(units: Uint8Array | Uint16Array, from: number, to: number, withTime: boolean, precision: number): boolean {
	const n = to - from;
	if (n !== (withTime ? (precision === 0 ? 19 : 20 + precision) : 10)) return false;
	if (units[from + 4] !== 45 || units[from + 7] !== 45) return false;
	const y = unitDigit(units[from]) * 1000 + unitDigit(units[from + 1]) * 100 + unitDigit(units[from + 2]) * 10 + unitDigit(units[from + 3]);
	const mo = unitDigit(units[from + 5]) * 10 + unitDigit(units[from + 6]);
	const d = unitDigit(units[from + 8]) * 10 + unitDigit(units[from + 9]);
	// unitDigit() is NaN for a non-digit, and every comparison with NaN is false.
	if (Number.isNaN(y) || !(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo))) return false;
	if (!withTime) return true;
	if (units[from + 10] !== 32 || units[from + 13] !== 58 || units[from + 16] !== 58) return false;
	const h = unitDigit(units[from + 11]) * 10 + unitDigit(units[from + 12]);
	const mi = unitDigit(units[from + 14]) * 10 + unitDigit(units[from + 15]);
	const sec = unitDigit(units[from + 17]) * 10 + unitDigit(units[from + 18]);
	if (!(h <= 23 && mi <= 59 && sec <= 59)) return false;
	if (precision === 0) return true;
	if (units[from + 19] !== 46) return false;
	for (let i = from + 20; i < to; i++) if (Number.isNaN(unitDigit(units[i]))) return false;
	return true;
}

/**
 * Why a value was not a date, for the rejection's rule ('precision': fractional digits DATETIME(p) cannot
 * keep; 'epoch_day_count': a number a DATE column reads in a sub-day unit that is surely a count of days).
 */
export type DateFailure = 'date_format' | 'date_range' | 'epoch_unit' | 'epoch_day_count' | 'precision';

export interface DateResult {
	ok: boolean;
	value: string;
	failure: DateFailure;
}

/**
 * One compiled DATE or DATETIME(p) coercer. `coerce` writes into a reused result object (no allocation
 * per value beyond the output string).
 */
export class DateCoercer {
	private readonly zone: ZoneClock;
	private readonly unit: number;
	private readonly result: DateResult = { ok: false, value: '', failure: 'date_format' };
	/** Scratch for civilFromDays: one per coercer, so formatting a value allocates nothing. */
	private readonly civil: CivilDate = { year: 0, month: 0, day: 0 };

	constructor(
		private readonly withTime: boolean,
		private readonly precision: number,
		private readonly options: DateTimeOptions,
		zone?: ZoneClock,
		/** Round fractional digits DATETIME(p) cannot keep half up, as Doris' cast does, instead of failing with 'precision'. */
		private readonly round = false,
	) {
		this.zone = zone ?? new ZoneClock(options.timeZone);
		this.unit = 10 ** (9 - precision);
	}

	coerce(value: unknown): DateResult {
		if (typeof value === 'string') return this.fromText(value);
		if (typeof value === 'number' || typeof value === 'bigint') {
			if (hasCompactDateDigits(value)) {
				const compact = this.fromText(String(value));
				if (compact.ok) return compact;
			}
			return this.fromEpoch(value);
		}
		return this.fail('date_format');
	}

	private fail(failure: DateFailure): DateResult {
		this.result.ok = false;
		this.result.failure = failure;
		return this.result;
	}

	private fromText(text: string): DateResult {
		const fast = this.fromPlainText(text);
		if (fast !== undefined) return fast;
		const m = DATE_RE.exec(text);
		if (m === null) {
			const compact = COMPACT_RE.exec(text);
			if (compact !== null) {
				return this.fromParts(+compact[1], +compact[2], +compact[3], +(compact[4] ?? 0), +(compact[5] ?? 0), +(compact[6] ?? 0), 0, null);
			}
			if (EPOCH_TEXT_RE.test(text)) {
				const trimmed = text.trim();
				return this.fromEpoch(INTEGER_TEXT_RE.test(trimmed) ? BigInt(trimmed) : Number(trimmed), trimmed);
			}
			return this.fail('date_format');
		}
		let nanos = 0;
		const frac = m[7];
		if (frac !== undefined) {
			// Past the nanosecond no DATETIME keeps a digit.
			// Rounding at p <= 6 digits looks at digit p + 1 only, so those past the 9th change nothing.
			if (this.withTime && !this.round && frac.length > 9 && /[1-9]/.test(frac.slice(9))) return this.fail('precision');
			nanos = Number(frac.length >= 9 ? frac.slice(0, 9) : frac.padEnd(9, '0'));
		}
		let offset: number | null = null;
		if (m[8] !== undefined) offset = 0;
		else if (m[9] !== undefined) offset = (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0));
		return this.fromParts(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), nanos, offset);
	}

	/**
	 * `YYYY-MM-DD` or `YYYY-MM-DD( |T)HH:MM:SS[.f+]` (two-digit fields, no zone): the shapes almost every
	 * producer sends, read by character codes. Same result as DATE_RE + fromParts; undefined = not this
	 * shape, take the general path.
	 */
	private fromPlainText(text: string): DateResult | undefined {
		const n = text.length;
		if ((n !== 10 && n < 19) || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
		const y = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
		const mo = digit(text, 5) * 10 + digit(text, 6);
		const d = digit(text, 8) * 10 + digit(text, 9);
		// digit() is NaN for a non-digit, and NaN spreads through the sums.
		if (Number.isNaN(y + mo + d)) return undefined;
		if (n === 10) {
			if (this.withTime || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return this.fromParts(y, mo, d, 0, 0, 0, 0, null);
			// Already the stored form.
			this.result.ok = true;
			this.result.value = text;
			return this.result;
		}
		const sep = text.charCodeAt(10);
		if ((sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
		const h = digit(text, 11) * 10 + digit(text, 12);
		const mi = digit(text, 14) * 10 + digit(text, 15);
		const sec = digit(text, 17) * 10 + digit(text, 18);
		if (Number.isNaN(h + mi + sec)) return undefined;
		let nanos = 0;
		if (n > 19) {
			if (text.charCodeAt(19) !== 46 || n === 20) return undefined;
			let pastNanos = false;
			for (let i = 20; i < n; i++) {
				const c = digit(text, i);
				if (Number.isNaN(c)) return undefined;
				if (i < 29) nanos = nanos * 10 + c;
				else if (c !== 0) pastNanos = true;
			}
			for (let i = n; i < 29; i++) nanos *= 10;
			// Past the nanosecond no DATETIME keeps a digit.
			if (pastNanos && this.withTime && !this.round) return this.fail('precision');
		}
		if (sep === 32 && this.withTime && (this.precision === 0 ? n === 19 : n === 20 + this.precision)) {
			if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return this.fail('date_format');
			// Exactly the stored form (`YYYY-MM-DD HH:MM:SS` plus `precision` digits): keep the text.
			this.result.ok = true;
			this.result.value = text;
			return this.result;
		}
		return this.fromParts(y, mo, d, h, mi, sec, nanos, null);
	}

	private fromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, nanos: number, offset: number | null): DateResult {
		if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return this.fail('date_format');
		if (offset === null && (!this.withTime || nanos % this.unit === 0)) {
			// Wall clock that needs no rounding (the common case): format the parts directly.
			let out = `${y < 1000 ? String(y).padStart(4, '0') : y}-${PAD2[mo]}-${PAD2[d]}`;
			if (this.withTime) {
				out += ` ${PAD2[h]}:${PAD2[mi]}:${PAD2[s]}`;
				if (this.precision > 0) out += `.${String(nanos / this.unit).padStart(this.precision, '0')}`;
			}
			this.result.ok = true;
			this.result.value = out;
			return this.result;
		}
		let wall = wallMs(y, mo, d, h, mi, s);
		if (offset !== null) {
			const utc = wall - offset * 60_000;
			wall = this.zone.isUtc ? utc : utc + this.zone.offsetMs(utc);
		}
		return this.emit(wall, nanos);
	}

	/** `text`: the number as written, when it came as text. */
	private fromEpoch(n: number | bigint, text?: string): DateResult {
		const unit = this.options.epochUnit;
		if (unit === 'reject') return this.fail('epoch_unit');
		if (!this.withTime && unit !== 'days' && dayCountInSubDayUnit(n, unit)) return this.fail('epoch_day_count');
		if (typeof n === 'number' && Number.isSafeInteger(n) && Math.abs(n) < 1e15) return this.fromSafeInteger(n, unit);
		if (typeof n === 'bigint' || Number.isInteger(n)) return this.fromEpochInteger(typeof n === 'bigint' ? n : BigInt(n), unit);
		if (!Number.isFinite(n)) return this.fail('date_format');
		if (unit === 'days') return this.fail('date_format'); // a fraction of a day is no date
		// A fractional count (1714557600.123 s): the digits as written (String gives a double's shortest
		// form, which is the literal for every literal of at most 15 digits; longer ones arrive as text).
		return this.fromEpochDecimal(text ?? String(n), NANO_DIGITS[unit]);
	}

	/** A decimal count of a unit with `nanoDigits` digits to the nanosecond, exactly (BigInt nanoseconds). */
	private fromEpochDecimal(text: string, nanoDigits: number): DateResult {
		const m = EPOCH_DECIMAL_RE.exec(text);
		if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return this.fail('date_format');
		const digits = m[2] + (m[3] ?? '');
		// How many of the digits count whole nanoseconds.
		const point = m[2].length + nanoDigits + Number(m[4] ?? 0);
		// Year 9999 is 2.5e20 ns: 21 digits.
		if (point > 24 && /[1-9]/.test(digits.slice(0, point - 24))) return this.fail('date_range');
		const whole = point <= 0 ? '' : point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, point);
		const finer = point <= 0 ? digits : point >= digits.length ? '' : digits.slice(point);
		const belowNanos = /[1-9]/.test(finer);
		if (belowNanos && this.withTime && !this.round) return this.fail('precision');
		let ns = BigInt(whole === '' ? '0' : whole);
		if (m[1] === '-') ns = belowNanos ? -ns - 1n : -ns; // a DATE takes the date of the instant: floor
		let seconds = ns / 1_000_000_000n;
		let rest = ns % 1_000_000_000n;
		if (rest < 0n) {
			rest += 1_000_000_000n;
			seconds -= 1n;
		}
		if (seconds < MIN_SECONDS - 86_400n || seconds > MAX_SECONDS + 86_400n) return this.fail('date_range');
		return this.fromUtc(Number(seconds) * 1000, Number(rest));
	}

	/** |n| < 1e15: every product and quotient below stays an exact double (no BigInt per value). */
	private fromSafeInteger(n: number, unit: Exclude<EpochUnit, 'reject'>): DateResult {
		let ms: number;
		let nanos = 0;
		if (unit === 'days') {
			// A day count is a calendar date (Avro `date`), not an instant: no zone conversion.
			ms = n * MS_PER_DAY;
			return ms < MIN_WALL_MS || ms > MAX_WALL_MS ? this.fail('date_range') : this.emit(ms, 0);
		} else if (unit === 's') ms = n * 1000;
		else if (unit === 'ms') ms = n;
		else {
			ms = Math.floor(n / 1000);
			nanos = (n - ms * 1000) * 1000;
		}
		if (ms < MIN_WALL_MS - MS_PER_DAY || ms > MAX_WALL_MS + MS_PER_DAY) return this.fail('date_range');
		const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
		return this.fromUtc(wholeSecond, (ms - wholeSecond) * 1e6 + nanos);
	}

	private fromEpochInteger(n: bigint, unit: Exclude<EpochUnit, 'reject'>): DateResult {
		if (unit === 'days') return this.fail('date_range'); // |n| ≥ 1e15 days: no calendar date
		const perSecond = UNIT_PER_SECOND[unit];
		let seconds = n / perSecond;
		let rest = n % perSecond;
		if (rest < 0n) {
			rest += perSecond;
			seconds -= 1n;
		}
		const nanos = Number(rest) * Number(1_000_000_000n / perSecond);
		// Far outside Doris' range the zone lookup itself would throw (Intl takes ±8.64e15 ms); a day
		// of margin covers every zone offset, emit() checks the exact bounds.
		if (seconds < MIN_SECONDS - 86_400n || seconds > MAX_SECONDS + 86_400n) return this.fail('date_range');
		return this.fromUtc(Number(seconds) * 1000, nanos);
	}

	/** `utc`: whole seconds since the epoch, in ms; `nanos`: 0..1e9. Converted into the zone's wall clock. */
	private fromUtc(utc: number, nanos: number): DateResult {
		const wall = this.zone.isUtc ? utc : utc + this.zone.offsetMs(utc);
		return this.emit(wall, nanos);
	}

	/** `wall`: whole seconds of wall clock (ms since the epoch, as if UTC); `nanos`: 0..1e9. */
	private emit(wall: number, nanos: number): DateResult {
		// A DATETIME(p) keeps p digits; Doris would round the others away (see the header).
		let fracUnits = nanos / this.unit;
		if (this.withTime && nanos % this.unit !== 0) {
			if (!this.round) return this.fail('precision');
			fracUnits = Math.floor((nanos + this.unit / 2) / this.unit);
			if (fracUnits * this.unit >= 1e9) {
				// .9999995 at 6 digits is the next second (and maybe the next day).
				fracUnits = 0;
				wall += 1000;
			}
		}
		if (wall < MIN_WALL_MS || wall > MAX_WALL_MS) return this.fail('date_range');
		const days = Math.floor(wall / MS_PER_DAY);
		const tod = wall - days * MS_PER_DAY;
		const { year, month, day } = civilFromDays(days, this.civil);
		// An instant on the proleptic 0000-02-29, a day Doris' calendar does not have (daysInMonth).
		if (day > daysInMonth(year, month)) return this.fail('date_format');
		let out = `${year < 1000 ? String(year).padStart(4, '0') : year}-${PAD2[month]}-${PAD2[day]}`;
		if (this.withTime) {
			const secs = Math.floor(tod / 1000);
			out += ` ${PAD2[Math.floor(secs / 3600)]}:${PAD2[Math.floor(secs / 60) % 60]}:${PAD2[secs % 60]}`;
			if (this.precision > 0) out += `.${String(fracUnits).padStart(this.precision, '0')}`;
		}
		this.result.ok = true;
		this.result.value = out;
		return this.result;
	}
}
