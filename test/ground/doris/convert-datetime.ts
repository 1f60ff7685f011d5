/**
 * Date and time text as Doris loads it into DATE / DATETIME(p) columns (convert.ts), and the load's
 * time zone (the `timezone` header) as an offset function.
 */
import type { ColType } from './coltypes';

const DT_RE =
	/^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const DT_COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const dig = (s: string, i: number): number => s.charCodeAt(i) - 48;
function digits(s: string, from: number, to: number): boolean {
	for (let i = from; i < to; i++) {
		const c = s.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}
const two = (s: string, i: number): number => dig(s, i) * 10 + dig(s, i + 1);

/** `YYYY-MM-DD[( |T)HH:MM:SS[.f+]]` without a zone, checked by character codes (the common case); undefined for any other text. */
export function fastDateTime(t: ColType, s: string): string | undefined {
	const n = s.length;
	if (n !== 10 && n < 19) return undefined;
	if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
	if (!digits(s, 0, 4) || !digits(s, 5, 7) || !digits(s, 8, 10)) return undefined;
	const y = dig(s, 0) * 1000 + dig(s, 1) * 100 + two(s, 2);
	const mo = two(s, 5);
	const d = two(s, 8);
	if (mo < 1 || mo > 12 || d < 1) return undefined;
	// Year 0 is no leap year in Doris (be/src/util/time_lut.cpp is_leap: `(year % 400) == 0 && year`).
	const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || (y % 400 === 0 && y !== 0));
	if (d > DAYS[mo] + (leap ? 1 : 0)) return undefined;
	if (t.base === 'DATE' && n === 10) return s;
	const date = s.slice(0, 10);
	let time = '00:00:00';
	let frac = '';
	if (n > 10) {
		const sep = s.charCodeAt(10);
		if ((sep !== 32 && sep !== 84) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
		if (!digits(s, 11, 13) || !digits(s, 14, 16) || !digits(s, 17, 19)) return undefined;
		if (two(s, 11) > 23 || two(s, 14) > 59 || two(s, 17) > 59) return undefined;
		time = s.slice(11, 19);
		if (n > 19) {
			if (s.charCodeAt(19) !== 46 || n === 20) return undefined;
			if (!digits(s, 20, n)) return undefined;
			frac = s.slice(20);
		}
	}
	if (t.base === 'DATE') return date;
	const scale = t.scale ?? 0;
	// Already in the stored form (space separator, exactly `scale` digits): keep the string itself.
	if (n === (scale ? 20 + scale : 19) && s.charCodeAt(10) === 32) return s;
	// Digits past the scale that are not all zeros round (dateTimeText), maybe into the next second.
	if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) return undefined;
	return `${date} ${time}${scale ? '.' + (frac.length >= scale ? frac.slice(0, scale) : frac.padEnd(scale, '0')) : ''}`;
}

/**
 * Date / time text as Doris reads it, in its stored form (any text fastDateTime does not take: a zone
 * offset, one-digit fields, the compact `YYYYMMDD[HHMMSS]`); undefined when it is no date or time Doris
 * reads. `tzOffset` is the load's time zone (the `timezone` header).
 */
export function dateTimeText(t: ColType, s: string, tzOffset: (utcMs: number) => number): string | undefined {
	let y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, fracText = '';
	let tz: string | undefined;
	const m = DT_RE.exec(s);
	if (m) {
		[y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
		h = Number(m[4] ?? 0);
		mi = Number(m[5] ?? 0);
		sec = Number(m[6] ?? 0);
		fracText = m[7] ?? '';
		tz = m[8];
	} else {
		const c = DT_COMPACT_RE.exec(s);
		if (!c) return undefined;
		[y, mo, d] = [Number(c[1]), Number(c[2]), Number(c[3])];
		if (c[4] !== undefined) [h, mi, sec] = [Number(c[4]), Number(c[5]), Number(c[6])];
	}
	if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59) return undefined;
	let micros = Number((fracText + '000000').slice(0, 6));
	if (tz !== undefined) {
		// Doris 2.1 / 3.0 / 3.1 read an offset in the text and move the value by (the load's time zone −
		// the text's offset), both taken at 1970-01-01 (be/src/vec/runtime/vdatetime_value.cpp,
		// DateV2Value::from_date_str_base: cctz::convert(cctz::civil_second {}, …) of each zone, then
		// date_add_interval<SECOND>). So a zone's daylight saving time is not applied, and a DATE keeps
		// only its date before it moves: '2024-03-10T23:30:00+08:00' into a DATE with the load's zone
		// UTC is 2024-03-09 (midnight − 8 h), though that instant is 2024-03-10 in both zones. The
		// rewritten cast (be/src/vec/functions/cast/cast_to_datev2_impl.hpp, apache/doris#53938; loads
		// use it since #61682, picked to branch-4.1) checks the offset and ignores it for a DATE. The Doris Schema node never sends an offset: it converts the instant
		// into its Time Zone and writes the plain date or wall clock, which every version reads alike.
		const off = tz.toUpperCase() === 'Z' ? 0 : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(-2)));
		const shiftMs = (tzOffset(0) - off) * 60000;
		const moved = new Date(0);
		moved.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
		if (t.base !== 'DATE') moved.setUTCHours(h, mi, sec);
		moved.setTime(moved.getTime() + shiftMs);
		[y, mo, d, h, mi, sec] = [moved.getUTCFullYear(), moved.getUTCMonth() + 1, moved.getUTCDate(), moved.getUTCHours(), moved.getUTCMinutes(), moved.getUTCSeconds()];
	}
	if (t.base === 'DATE') return `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(d)}`;
	// Extra fractional digits are rounded half up to the column's scale, as Doris 2.1 / 3.0 / 3.1 parse
	// them (be/src/vec/runtime/vdatetime_value.cpp, DateV2Value::from_date_str_base, field_idx 6): below
	// scale 6 on the first six digits (`remainder >= divisor >> 1`), a carry of 1000000 becoming the next
	// second (carry_bits, on to the minute, day, year); at scale 6 by the 7th digit (`*ptr >= '5'`),
	// without that carry, so `.9999995` is refused (`temp_val > 999999L` returns false): NULL, filtered
	// in strict mode.
	const scale = t.scale ?? 0;
	if (scale === 6) {
		if (fracText.length > 6 && fracText.charCodeAt(6) >= 53) micros += 1;
		if (micros > 999_999) return undefined;
	} else {
		const divisor = 10 ** (6 - scale);
		micros = Math.floor(micros / divisor) + (micros % divisor >= divisor / 2 ? 1 : 0);
		if (micros * divisor === 1_000_000) {
			micros = 0;
			const next = new Date(0);
			next.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
			next.setUTCHours(h, mi, sec + 1);
			[y, mo, d, h, mi, sec] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()];
			if (y > 9999) return undefined;
		}
	}
	const date = `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(d)}`;
	const fraction = scale === 6 ? String(micros).padStart(6, '0') : String(micros).padStart(scale, '0');
	return `${date} ${pad2(h)}:${pad2(mi)}:${pad2(sec)}${scale ? '.' + fraction : ''}`;
}

/** Days of month `m` in Doris' calendar (no 0000-02-29); Date.UTC reads years 0-99 as 1900-1999, which agrees. */
function daysIn(y: number, m: number): number {
	return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
function pad2(n: number): string {
	return n < 10 ? '0' + n : String(n);
}

/** Offset function for the `timezone` header: `+08:00`, `UTC`, or an IANA name. Throws when unknown. */
export function tzOffsetFn(tz: string | undefined): (utcMs: number) => number {
	const zone = tz?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone;
	const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})$/i.exec(zone);
	if (fixed) {
		const off = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
		return () => off;
	}
	if (/^(UTC|GMT|Z)$/i.test(zone)) return () => 0;
	const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
	return (utcMs) => {
		const p: Record<string, number> = {};
		for (const part of fmt.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
		return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(utcMs / 1000) * 1000) / 60000);
	};
}
