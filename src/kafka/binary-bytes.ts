/**
 * Whether a key's or header's bytes are text. Valid UTF-8 is not enough: Kafka's LongSerializer writes
 * 42 as seven zero bytes and `*`, valid UTF-8 of control characters, while 1000 (… 03 E8) is not UTF-8.
 * Taken for text, the first came out as "\u0000…*" beside base64 for the second, and a tombstone's key
 * of that kind matched no text key, so the row it should delete stayed without a word.
 */
import { isUtf8 } from 'node:buffer';

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const DELETE = 0x7f;

/** True when `bytes` hold a C0 control character other than tab, line feed and carriage return, or DEL (UTF-8 never encodes others with these bytes). */
export function holdsControlBytes(bytes: Uint8Array): boolean {
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i];
		if ((b < 0x20 && b !== TAB && b !== LINE_FEED && b !== CARRIAGE_RETURN) || b === DELETE) return true;
	}
	return false;
}

/** UTF-8 text without control characters (see holdsControlBytes). */
export function isTextBytes(bytes: Uint8Array): boolean {
	return isUtf8(bytes) && !holdsControlBytes(bytes);
}
