/**
 * Converters from a node parameter's raw value to what src/ expects. Parameters reach a node untyped:
 * a field holds whatever was typed or an expression produced. Each converter takes the field's label
 * as the editor shows it and the raw value, and returns the converted value or throws a SettingError
 * naming the field, the value and the rule. Each says the failure it prevents.
 */
export class SettingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SettingError';
	}
}

/** A value in an error message: text quoted (so a blank or a space shows), anything else as it is. */
export function shown(value: unknown): string {
	return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Text with the surrounding blanks a paste or an expression leaves removed; null and undefined read as ''. */
export function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

/** Prevents an empty name from reaching Doris as a URL segment or a query (`/api/db//_stream_load`). */
export function required(label: string, value: unknown, hint: string): string {
	const given = text(value);
	if (given === '') throw new SettingError(`${label} is empty: ${hint}`);
	return given;
}

/** Prevents a load whose lines nobody can read: a format that needs a column order, without one. */
export function requiredList(label: string, value: unknown, hint: string): string[] {
	const given = list(value);
	if (given.length === 0) throw new SettingError(`${label} is empty: ${hint}`);
	return given;
}

/** Prevents a mistyped mode (often from an expression) from silently acting as some other mode. */
export function oneOf<T extends string>(label: string, value: unknown, allowed: readonly T[], names: string = allowed.join(', ')): T {
	const given = text(value);
	const match = allowed.find((a) => a === given);
	if (match === undefined) throw new SettingError(`${label} ${shown(given)} is not one of ${names}`);
	return match;
}

/** Prevents a zero or negative size, interval or count from making a batch that never fills or never ends. */
export function positive(label: string, value: unknown): number {
	const n = Number(value);
	if (!Number.isFinite(n) || n <= 0) throw new SettingError(`${label} must be a number greater than 0, not ${shown(value)}`);
	return n;
}

/** Prevents a negative delay or count (NaN from a text included), which the timers would treat as 0 or run forever. */
export function atLeastZero(label: string, value: unknown, unit?: string): number {
	const n = Number(value);
	if (!Number.isFinite(n) || n < 0) throw new SettingError(`${label} ${shown(value)} must be 0 or more${unit === undefined ? '' : ` ${unit}`}`);
	return n;
}

/** Prevents a fraction or an out-of-range number where Doris or a thread pool needs a whole count within bounds. */
export function wholeNumber(label: string, value: unknown, min: number, max: number, unit?: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < min || n > max) {
		throw new SettingError(`${label} "${String(value)}" must be a whole number${unit === undefined ? '' : ` of ${unit}`} from ${min} to ${max}`);
	}
	return n;
}

/** Prevents a ratio Doris would refuse (max_filter_ratio outside [0, 1]) from failing every load. */
export function between(label: string, value: unknown, min: number, max: number): number {
	const n = Number(value);
	if (!(n >= min && n <= max)) throw new SettingError(`${label} ${shown(value)} must be between ${min} and ${max}`);
	return n;
}

/** Only `true` switches a boolean on: an expression giving "false" (a string) must not. */
export function flag(value: unknown): boolean {
	return value === true;
}

/** A comma- or blank-separated list, without empty entries. */
export function list(value: unknown): string[] {
	return text(value)
		.split(/[\s,]+/)
		.filter((s) => s !== '');
}

/**
 * Prevents an address that is not http(s) or carries a user and password (which would be sent to
 * every server and logged) from reaching the HTTP client; returns each as `protocol//host:port`.
 */
export function httpAddresses(label: string, value: unknown, example: string): string[] {
	return list(value).map((entry) => {
		let url: URL;
		try {
			url = new URL(entry);
		} catch {
			throw new SettingError(`${label}: "${entry}" is not a URL (expected ${example})`);
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError(`${label}: "${entry}" must use http or https`);
		if (url.username !== '' || url.password !== '') throw new SettingError(`${label}: "${url.host}" must not carry credentials`);
		return `${url.protocol}//${url.host}`;
	});
}
