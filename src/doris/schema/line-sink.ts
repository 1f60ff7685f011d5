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
 *
 * A sink also tells whether what it wrote is its input as it stands (`unchanged`): every line kept
 * and copied byte for byte, as when a producer writes what JSON.stringify writes and every row fits
 * its table. The caller then keeps the input's text instead of reading a copy of it back from the
 * bytes (in n8n a node's output is held until its execution ends: one ~1.7 MB string less per item).
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

/** A sink's buffer before its first write: grow() sizes the real one (firstSize). */
const EMPTY: Buffer<ArrayBuffer> = Buffer.allocUnsafeSlow(0);

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
	private readonly inputLength: number;
	/**
	 * The input's bytes when the caller gave them (a worker thread's request buffer, the item's own):
	 * an unchanged output is then those bytes, handed back without being copied. Not so for bytes the
	 * sink encoded itself (a scratch buffer that the next sink reuses).
	 */
	private readonly callerBytes: Buffer<ArrayBuffer> | null = null;
	/**
	 * Input that is not ASCII: the output so far is input[0, sameTo) in UTF-8, `sameBytes` bytes, as
	 * long as sameBytes is the bytes written (ASCII input tells the same from its pending copy).
	 */
	private sameTo = 0;
	private sameBytes = 0;
	/** A lone surrogate was written as U+FFFD: the output's text is then not the input's. */
	private replaced = false;
	/** The output buffer's size when the first byte is written (none is allocated for an unchanged output handed back). */
	private readonly firstSize: number;

	/**
	 * `input`: the text whose ranges copy() and copyQuoted() write. `inputUnits`: its code units when
	 * the caller has them already (a worker thread receives the text as bytes): its bytes when it is
	 * ASCII (a Uint8Array), or its UTF-16 code units when it is not (a Uint16Array).
	 */
	constructor(input: string, inputUnits?: Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>) {
		this.inputLength = input.length;
		this.buffer = EMPTY;
		if (inputUnits !== undefined && inputUnits.length === input.length) {
			this.callerBytes = inputUnits instanceof Uint8Array ? Buffer.from(inputUnits.buffer, inputUnits.byteOffset, inputUnits.length) : null;
			this.inputBytes = this.callerBytes;
			this.inputUnits = inputUnits;
			this.firstSize = Math.max(256, input.length + (input.length >> 3));
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
		this.firstSize = Math.max(256, written + (written >> 3));
	}

	get byteLength(): number {
		return this.length + this.pendingTo - this.pendingFrom;
	}

	/** input[from, to) in UTF-8. */
	copy(from: number, to: number): void {
		if (this.inputBytes === null) {
			const before = this.length;
			this.encode(from, to);
			if (from === this.sameTo && before === this.sameBytes) {
				this.sameTo = to;
				this.sameBytes = this.length;
			}
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

	/**
	 * Whether everything written is the input as it stands, in order, each character once: for ASCII
	 * input one pending copy of all of it (a copy that skipped or went back, or any other write, has
	 * flushed it); else copies that each went on where the last one stopped, with nothing between.
	 */
	private unchanged(): boolean {
		if (this.inputBytes !== null) return this.length === 0 && this.pendingFrom === 0 && this.pendingTo === this.inputLength;
		return this.sameTo === this.inputLength && this.sameBytes === this.length && !this.replaced;
	}

	/**
	 * The text written, and its bytes (a view of a buffer of the caller's own); `unchanged`: that
	 * text is the input (see unchanged()).
	 */
	finish(): { text: string; bytes: Buffer<ArrayBuffer>; unchanged: boolean } {
		const { bytes, ascii, unchanged } = this.finishBytes();
		return { text: bytes.toString(ascii ? 'latin1' : 'utf8'), bytes, unchanged };
	}

	/**
	 * The bytes written (as finish()) without making their text, whether they are ASCII (then the text
	 * is the bytes read as Latin-1, a plain copy), and whether their text is the input as it stands
	 * (then the caller has it already). An unchanged output of input bytes the caller gave is those
	 * very bytes: a worker thread hands its request's buffer back instead of a copy of it.
	 */
	finishBytes(): { bytes: Buffer<ArrayBuffer>; ascii: boolean; unchanged: boolean } {
		const unchanged = this.unchanged();
		let bytes: Buffer<ArrayBuffer>;
		if (unchanged && this.callerBytes !== null) {
			bytes = this.callerBytes;
			this.pendingFrom = this.pendingTo = 0;
		} else {
			this.flush();
			// Never a view of EMPTY, which is shared (a transfer would detach it for every sink).
			bytes = this.length === 0 ? Buffer.allocUnsafeSlow(0) : this.buffer.subarray(0, this.length);
		}
		const ascii = this.ascii;
		if (this.borrowed !== null && (scratch === null || scratch.length < this.borrowed.length)) scratch = this.borrowed;
		this.borrowed = null;
		this.buffer = EMPTY;
		this.length = 0;
		this.ascii = true;
		this.sameTo = this.sameBytes = -1; // anything written after this is not the input
		return { bytes, ascii, unchanged };
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
				this.replaced = true;
			}
			b[p++] = 0xe0 | (c >> 12);
			b[p++] = 0x80 | ((c >> 6) & 0x3f);
			b[p++] = 0x80 | (c & 0x3f);
		}
		this.length = p;
	}

	private grow(more: number): void {
		const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + more, this.firstSize));
		this.buffer.copy(next, 0, 0, this.length);
		this.buffer = next;
	}
}
