/**
 * The packed rows' output written straight into UTF-8 bytes: the Doris Schema node's lines end up as
 * bytes anyway (the Stream Load body), and building them as one string first cost a concatenation per
 * value, a rope of every line, and a walk of that rope to flatten and encode it (together an eighth of
 * the worker thread's time). The text the item carries is then read back from the bytes in one native
 * copy (pure ASCII, the usual JSON) or one UTF-8 decode.
 *
 * Everything written is well-formed UTF-16 (JSON.stringify escapes lone surrogates, and the fast path
 * sends values with one to JSON.stringify), so the text read back is exactly the text written. A lone
 * surrogate, should one ever come, is written as U+FFFD, as Buffer.from(text, 'utf8') writes it: the
 * bytes are then still what the Stream Load node would have sent for the text.
 */

/** Input ranges shorter than this are copied by a loop here; longer ones by Buffer#copy (a native call). */
const NATIVE_COPY = 48;

/**
 * Where inputs are encoded: kept between items and lent to one sink at a time (a sink made while it
 * is lent gets one of its own). A fresh buffer per item, ~1.7 MB for 5,000 benchmark events, cost
 * more than encoding into it: V8 counts it as external memory, and past malloc's mmap threshold
 * each one is fresh zeroed pages. One larger than KEEP_SCRATCH_BYTES is not kept.
 */
let scratch: Buffer | null = null;
const KEEP_SCRATCH_BYTES = 16 * 1024 * 1024;

/** Writes a packed item's output lines into a growing buffer of its own (transferable to another thread). */
export class LineSink {
	private buffer: Buffer<ArrayBuffer>;
	private length = 0;
	/** No byte ≥ 0x80 written: the text is the bytes read as Latin-1 (a plain copy). */
	private ascii = true;
	/**
	 * The input text's UTF-8 when it is pure ASCII (then a character's index is its byte's): ranges
	 * of it are copied as bytes, and the transcoder reads it (json-scanner.ts). Reading a string's
	 * characters one by one (charCodeAt) costs about twice as much as reading bytes.
	 */
	readonly inputBytes: Buffer | null;
	/**
	 * The input's UTF-16 code units: its bytes when it is ASCII, else its characters as 16-bit units
	 * (a native copy), which the transcoder reads at the same speed as bytes.
	 */
	readonly inputUnits: Uint8Array | Uint16Array;
	/** The scratch buffer this sink holds until finish(), if it was free. */
	private borrowed: Buffer | null = null;
	/**
	 * An input range copy() was asked for and has not written yet (ASCII input only): a range that
	 * continues it joins it. Kept lines are mostly the input as it stands, so the end of one line,
	 * its "\n" and the start of the next become one native copy instead of two short loops.
	 */
	private pendingFrom = 0;
	private pendingTo = 0;

	/**
	 * `input`: the text whose ranges copy() and copyQuoted() write. `inputUnits`: its code units when
	 * the caller has them already (a worker thread receives the text as bytes): its bytes when it is
	 * ASCII (a Uint8Array), or its UTF-16 code units when it is not (a Uint16Array).
	 */
	constructor(input: string, inputUnits?: Uint8Array | Uint16Array) {
		if (inputUnits !== undefined && inputUnits.length === input.length) {
			this.inputBytes = inputUnits instanceof Uint8Array ? Buffer.from(inputUnits.buffer, inputUnits.byteOffset, inputUnits.length) : null;
			this.inputUnits = inputUnits;
			this.buffer = Buffer.allocUnsafeSlow(Math.max(256, input.length + (input.length >> 3)));
			return;
		}
		// ASCII exactly when its UTF-8 is as long as the text: with 4 bytes to spare, a text that is not
		// ASCII writes more bytes than it has characters, or stops short of a character that needs more room.
		const room = input.length + 4;
		let bytes: Buffer;
		if (scratch !== null && scratch.length >= room) {
			bytes = scratch;
			this.borrowed = scratch;
			scratch = null;
		} else bytes = Buffer.allocUnsafeSlow(Math.max(room, 1024));
		const written = bytes.write(input, 0, room, 'utf8');
		// Exactly the input's bytes: past its end a read gives undefined (as charCodeAt gives NaN), not a stale byte.
		this.inputBytes = written === input.length ? bytes.subarray(0, written) : null;
		if (this.inputBytes !== null) this.inputUnits = this.inputBytes;
		else {
			const units = Buffer.from(input, 'utf16le');
			// Buffer's pool hands out 8-byte aligned slices: a 16-bit view of one always fits.
			this.inputUnits = new Uint16Array(units.buffer, units.byteOffset, input.length);
		}
		if (this.borrowed === null && bytes.length <= KEEP_SCRATCH_BYTES) this.borrowed = bytes;
		// The output is about as long as the input (changed values are a few characters longer or shorter).
		this.buffer = Buffer.allocUnsafeSlow(Math.max(256, written + (written >> 3)));
	}

	get byteLength(): number {
		return this.length + this.pendingTo - this.pendingFrom;
	}

	/** input[from, to) in UTF-8. */
	copy(from: number, to: number): void {
		if (this.inputBytes === null) {
			this.encode(from, to);
			return;
		}
		if (from === this.pendingTo) {
			this.pendingTo = to;
			return;
		}
		this.flush();
		this.pendingFrom = from;
		this.pendingTo = to;
	}

	/** Writes the pending copy (see pendingFrom). */
	private flush(): void {
		const from = this.pendingFrom;
		const to = this.pendingTo;
		if (from === to) return;
		this.pendingFrom = this.pendingTo = 0;
		const source = this.inputBytes as Buffer;
		const n = to - from;
		if (this.length + n > this.buffer.length) this.grow(n);
		if (n >= NATIVE_COPY) {
			source.copy(this.buffer, this.length, from, to);
			this.length += n;
			return;
		}
		const b = this.buffer;
		let p = this.length;
		for (let i = from; i < to; i++) b[p++] = source[i];
		this.length = p;
	}

	/**
	 * input[from, to) as the content of a JSON string, for text that has no backslash or control
	 * character (a canonical JSON value's own text): what JSON.stringify writes between the quotes.
	 */
	copyQuoted(from: number, to: number): void {
		this.flush();
		const source = this.inputBytes;
		if (source === null) {
			let run = from;
			const units = this.inputUnits;
			for (let i = from; i < to; i++) {
				if (units[i] !== 34) continue;
				this.encode(run, i);
				this.byte(92);
				run = i;
			}
			this.encode(run, to);
			return;
		}
		if (this.length + 2 * (to - from) > this.buffer.length) this.grow(2 * (to - from));
		const b = this.buffer;
		let p = this.length;
		for (let i = from; i < to; i++) {
			const c = source[i];
			if (c === 34) b[p++] = 92;
			b[p++] = c;
		}
		this.length = p;
	}

	/**
	 * All of `text` (a value serialised, a key, a row from the general path), natively: the loops
	 * here stay fast only while they see one string, the input.
	 */
	add(text: string): void {
		this.flush();
		if (this.length + text.length * 3 > this.buffer.length) this.grow(text.length * 3);
		const written = this.buffer.write(text, this.length, 'utf8');
		// Every character that is not ASCII takes more bytes than UTF-16 units.
		if (written !== text.length) this.ascii = false;
		this.length += written;
	}

	/** One ASCII character. */
	byte(c: number): void {
		this.flush();
		if (this.length === this.buffer.length) this.grow(1);
		this.buffer[this.length++] = c;
	}

	/** The text written, and its bytes (a view of this sink's own buffer, which is then the caller's). */
	finish(): { text: string; bytes: Buffer<ArrayBuffer> } {
		const { bytes, ascii } = this.finishBytes();
		return { text: bytes.toString(ascii ? 'latin1' : 'utf8'), bytes };
	}

	/**
	 * The bytes written (as finish()) without making their text, and whether they are ASCII (then the
	 * text is the bytes read as Latin-1, a plain copy): a worker thread sends the bytes alone.
	 */
	finishBytes(): { bytes: Buffer<ArrayBuffer>; ascii: boolean } {
		this.flush();
		const bytes = this.buffer.subarray(0, this.length);
		const ascii = this.ascii;
		if (this.borrowed !== null && (scratch === null || scratch.length < this.borrowed.length)) scratch = this.borrowed;
		this.borrowed = null;
		this.buffer = Buffer.allocUnsafeSlow(256);
		this.length = 0;
		this.ascii = true;
		return { bytes, ascii };
	}

	/** input[from, to) of an input that is not pure ASCII, encoded here. */
	private encode(from: number, to: number): void {
		if (this.length + (to - from) * 3 > this.buffer.length) this.grow((to - from) * 3);
		const units = this.inputUnits;
		const b = this.buffer;
		let p = this.length;
		for (let i = from; i < to; i++) {
			let c = units[i];
			if (c < 0x80) {
				b[p++] = c;
				continue;
			}
			this.ascii = false;
			if (c < 0x800) {
				b[p++] = 0xc0 | (c >> 6);
				b[p++] = 0x80 | (c & 0x3f);
				continue;
			}
			if (c >= 0xd800 && c <= 0xdfff) {
				const next = i + 1 < to ? units[i + 1] : 0;
				if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
					const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
					b[p++] = 0xf0 | (cp >> 18);
					b[p++] = 0x80 | ((cp >> 12) & 0x3f);
					b[p++] = 0x80 | ((cp >> 6) & 0x3f);
					b[p++] = 0x80 | (cp & 0x3f);
					i++;
					continue;
				}
				c = 0xfffd; // a lone surrogate, as Buffer writes it (see the header)
			}
			b[p++] = 0xe0 | (c >> 12);
			b[p++] = 0x80 | ((c >> 6) & 0x3f);
			b[p++] = 0x80 | (c & 0x3f);
		}
		this.length = p;
	}

	private grow(more: number): void {
		const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + more));
		this.buffer.copy(next, 0, 0, this.length);
		this.buffer = next;
	}
}
