/**
 * Debezium's `unavailable.value.placeholder`: what it writes for a value the database did not send,
 * i.e. an unchanged TOASTed PostgreSQL column without REPLICA IDENTITY FULL (and an unchanged Oracle
 * LOB, a MySQL BLOB / TEXT under binlog_row_image=NOBLOB). Loaded, it would replace the stored value
 * with the placeholder, a silent corruption; every form Debezium gives it goes to Invalid
 * (rule `unavailable_value`).
 *
 * The forms, by PostgreSQL type (debezium-connector-postgres UnchangedToastedReplicationMessageColumn
 * .setUnchangedToastValue and UnchangedToastedPlaceholder, debezium at aad5519), from the placeholder's
 * bytes (`String.getBytes()`, RelationalDatabaseConnectorConfig.getUnavailableValuePlaceholder):
 * - text, json, xml, …: the text; bytea: its bytes (base64 in JSON, hex with binary.handling.mode=hex);
 * - text[], varchar[], char[], json[], jsonb[]: a list of the text alone; bytea[]: a list of the bytes;
 * - integer[], date[]: the bytes as a list of ints (`(int) b`, Java bytes are signed); bigint[]: the same
 *   as longs. A date[] with its Connect schema (io.debezium.time.Date elements) is decoded into the dates
 *   of those day counts before it gets here, so that form is recognised too;
 * - uuid[]: a list of one UUID, `UUID.nameUUIDFromBytes(bytes)` (version 3, MD5);
 * - hstore: the map {placeholder: placeholder}, or with hstore.handling.mode=json its JSON text
 *   (PostgresValueConverter.convertMapToJsonStringRepresentation, Jackson: no spaces).
 */
import { createHash } from 'node:crypto';

import { JsonText } from '../../common/connect-logical';
import { dateFromEpochDays } from '../../common/logical-values';

/** Debezium's default placeholder. */
export const DEBEZIUM_UNAVAILABLE_VALUE = '__debezium_unavailable_value';

/** Java's UUID.nameUUIDFromBytes: MD5 of the bytes, version 3, IETF variant. */
export function nameUuidFromBytes(bytes: Uint8Array): string {
	const h = createHash('md5').update(bytes).digest();
	h[6] = (h[6] & 0x0f) | 0x30;
	h[8] = (h[8] & 0x3f) | 0x80;
	const x = h.toString('hex');
	return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof JsonText);
}

/** Recognises one placeholder in every form Debezium writes it; compares lengths first, so every value can be asked. */
export class UnavailableValue {
	private readonly base64: string;
	private readonly hex: string;
	/** The hstore form as JSON text: `{"<placeholder>":"<placeholder>"}`. */
	private readonly hstoreText: string;
	/** The integer[] / bigint[] form: the bytes as signed numbers. */
	private readonly byteNumbers: readonly number[];
	/** The date[] form decoded: each byte as a day count since 1970-01-01. */
	private readonly byteDates: readonly string[];
	/** The uuid[] form's one element. */
	private readonly uuid: string;
	/** The JSON texts of the array and object forms, as Kafka Connect's JSON converter writes them. */
	private readonly nestedTexts: ReadonlySet<string>;
	private readonly nestedLengths: ReadonlySet<number>;
	/** The reason on the Invalid output. */
	readonly reason: string;

	constructor(readonly text: string) {
		const bytes = Buffer.from(text, 'utf8');
		this.base64 = bytes.toString('base64');
		this.hex = bytes.toString('hex');
		this.hstoreText = JSON.stringify({ [text]: text });
		this.byteNumbers = [...bytes].map((b) => (b > 127 ? b - 256 : b));
		this.byteDates = this.byteNumbers.map((n) => dateFromEpochDays(BigInt(n)) ?? '');
		this.uuid = nameUuidFromBytes(bytes);
		const texts = [JSON.stringify([text]), JSON.stringify([this.base64]), JSON.stringify(this.byteNumbers), JSON.stringify(this.byteDates), JSON.stringify([this.uuid]), this.hstoreText];
		this.nestedTexts = new Set(texts);
		this.nestedLengths = new Set(texts.map((t) => t.length));
		this.reason =
			`Debezium's placeholder for a value it did not receive (${JSON.stringify(text)}, or its form for the column's type: an unchanged TOASTed PostgreSQL value, an Oracle LOB left out); ` +
			'loaded, it would overwrite the stored value with the placeholder. Send whole rows: on PostgreSQL, ALTER TABLE … REPLICA IDENTITY FULL';
	}

	/** Whether text is the placeholder, as text, as its bytes, or as the hstore form's JSON text. */
	isText(value: string): boolean {
		const n = value.length;
		return (
			(n === this.text.length && value === this.text) ||
			(n === this.base64.length && value === this.base64) ||
			(n === this.hex.length && value.toLowerCase() === this.hex) ||
			(n === this.hstoreText.length && value === this.hstoreText)
		);
	}

	/** isText for text[start, end), sliced only when its length fits. */
	isTextAt(text: string, start: number, end: number): boolean {
		const n = end - start;
		return (n === this.text.length || n === this.base64.length || n === this.hex.length || n === this.hstoreText.length) && this.isText(text.slice(start, end));
	}

	/** Whether text[start, end) is an array or object form of the placeholder, as JSON writes it (the packed fast path). */
	isArrayTextAt(text: string, start: number, end: number): boolean {
		return this.nestedLengths.has(end - start) && this.nestedTexts.has(text.slice(start, end));
	}

	/** Whether a field's value is the placeholder in one of its forms (see the file's header). */
	holds(value: unknown): boolean {
		if (typeof value === 'string') return this.isText(value);
		if (value instanceof JsonText) return this.isText(value.text);
		if (Array.isArray(value)) return this.isListForm(value);
		// Most objects lack the placeholder's key: asked first, so they make no array of their keys.
		if (isPlainObject(value) && Object.hasOwn(value, this.text)) {
			const keys = Object.keys(value);
			return keys.length === 1 && keys[0] === this.text && value[this.text] === this.text;
		}
		return false;
	}

	private isListForm(list: readonly unknown[]): boolean {
		if (list.length === 1) {
			const only = list[0];
			return typeof only === 'string' && (this.isText(only) || only === this.uuid);
		}
		if (list.length !== this.byteNumbers.length) return false;
		if (typeof list[0] === 'string') return list.every((d, i) => d === this.byteDates[i]);
		return list.every((n, i) => (typeof n === 'number' || typeof n === 'bigint') && Number(n) === this.byteNumbers[i]);
	}
}

const placeholders = new Map<string, UnavailableValue>();

/** The recogniser of a placeholder (Debezium's default when absent or empty), one per text. */
export function unavailableValue(text: string | undefined): UnavailableValue {
	const key = text === undefined || text === '' ? DEBEZIUM_UNAVAILABLE_VALUE : text;
	let found = placeholders.get(key);
	if (found === undefined) {
		found = new UnavailableValue(key);
		placeholders.set(key, found);
	}
	return found;
}
