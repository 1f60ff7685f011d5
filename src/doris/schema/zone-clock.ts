/**
 * The offsets of one time zone, for the Doris Schema node's Time Zone option (datetime.ts converts
 * instants into that zone's wall clock). Zones are IANA names (or ±HH:MM) resolved with Intl; offsets
 * are cached per 15-minute bucket (every real zone has changed offset on a quarter hour since
 * standard time; a bucket in which the offset changes, such as a local-mean-time offset with
 * seconds, is not cached), so a stream of nearby instants costs one Intl call per bucket.
 */

const MS_PER_DAY = 86_400_000;
/** 400 Gregorian years, exactly: lets Date.UTC handle years 0-99 (which it would map to 19xx). */
const MS_PER_400_YEARS = 146_097 * MS_PER_DAY;
const BUCKET_MS = 15 * 60_000;

/** Milliseconds since the epoch of a proleptic Gregorian wall clock read as UTC, years 0-99 included. */
export function wallMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
	if (y < 100) return Date.UTC(y + 400, mo - 1, d, h, mi, s) - MS_PER_400_YEARS;
	return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Offsets (minutes east of UTC) of one zone. */
export class ZoneClock {
	private readonly fixed: number | null;
	private readonly format: Intl.DateTimeFormat | null;
	private readonly cache = new Map<number, number>();

	constructor(readonly timeZone: string) {
		const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(timeZone);
		if (fixed) {
			this.fixed = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
			this.format = null;
		} else if (/^(UTC|GMT|Z|Etc\/UTC|Etc\/GMT)$/i.test(timeZone)) {
			this.fixed = 0;
			this.format = null;
		} else {
			try {
				this.format = new Intl.DateTimeFormat('en-US', {
					timeZone,
					hourCycle: 'h23',
					year: 'numeric',
					month: 'numeric',
					day: 'numeric',
					hour: 'numeric',
					minute: 'numeric',
					second: 'numeric',
					era: 'short',
				});
			} catch {
				throw new Error(`Time zone "${timeZone}" is not an IANA time zone name (e.g. Asia/Shanghai) or an offset like +08:00`);
			}
			this.fixed = null;
		}
	}

	get isUtc(): boolean {
		return this.fixed === 0;
	}

	/** The zone's offset at `utcMs` (whole seconds since the epoch, in ms), in ms east of UTC. */
	offsetMs(utcMs: number): number {
		if (this.fixed !== null) return this.fixed * 60_000;
		const bucket = Math.floor(utcMs / BUCKET_MS);
		const hit = this.cache.get(bucket);
		if (hit !== undefined) return hit;
		const start = this.offsetAt(bucket * BUCKET_MS);
		// An offset that changes inside the bucket (a change between two quarter hours) is not cached.
		if (this.offsetAt((bucket + 1) * BUCKET_MS - 1000) !== start) return this.offsetAt(utcMs);
		if (this.cache.size > 4096) this.cache.clear();
		this.cache.set(bucket, start);
		return start;
	}

	/** The offset Intl reports at the whole second `probe`, to the second. */
	private offsetAt(probe: number): number {
		let y = 0;
		let mo = 1;
		let d = 1;
		let h = 0;
		let mi = 0;
		let s = 0;
		let bc = false;
		for (const part of this.format!.formatToParts(probe)) {
			switch (part.type) {
				case 'year':
					y = Number(part.value);
					break;
				case 'month':
					mo = Number(part.value);
					break;
				case 'day':
					d = Number(part.value);
					break;
				case 'hour':
					h = Number(part.value);
					break;
				case 'minute':
					mi = Number(part.value);
					break;
				case 'second':
					s = Number(part.value);
					break;
				case 'era':
					bc = part.value.startsWith('B');
					break;
			}
		}
		if (bc) y = 1 - y;
		return wallMs(y, mo, d, h, mi, s) - probe;
	}
}
