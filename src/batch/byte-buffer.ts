/**
 * An append-only byte buffer made of large chunks: each serialised row is encoded straight into the
 * current chunk (no per-row Buffer), and the filled parts are handed to the HTTP client as a
 * Buffer[] that can be sent again for a redirect or a retry without copying.
 *
 * A large text (a packed item's lines) is kept as the string until finish(), which encodes it: n8n
 * holds that string anyway until the item's execution ends, so a batch that is still filling holds
 * no second copy of its lines as bytes; only a batch that loads does (~1.8 MB per 5,000-line item,
 * with 20 executions in flight about 18 MB less at any time).
 */
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 1 << 20;
// Pre-encoded bytes from this size on are kept as they are rather than copied.
const COPY_BELOW = 16 * 1024;
const NEWLINE = 0x0a;

/** A text appended whole, encoded by finish(); `bytes` is its UTF-8 length, said by the caller. */
interface PendingText {
	text: string;
	bytes: number;
}

export class ByteBuffer {
	private readonly chunks: (Buffer | PendingText)[] = [];
	private current: Buffer | undefined;
	private used = 0;
	private total = 0;
	// Small batches stay small; large ones grow to 1 MiB chunks.
	private nextSize = FIRST_CHUNK;

	/**
	 * Appends bytes already encoded (a chunk of pre-serialised lines). Small ones are copied into the
	 * current chunk; large ones join the list as they are (no copy), the current chunk's unused tail
	 * staying available for what follows.
	 */
	appendBytes(bytes: Buffer): number {
		if (bytes.length < COPY_BELOW) {
			if (this.current === undefined || this.used + bytes.length > this.current.length) this.grow(bytes.length);
			const current = this.current as Buffer;
			bytes.copy(current, this.used);
			this.used += bytes.length;
		} else {
			this.cutCurrent();
			this.chunks.push(bytes);
		}
		this.total += bytes.length;
		return bytes.length;
	}

	/**
	 * Appends `text`, whose UTF-8 takes `byteLength` bytes, and returns the bytes it takes. A large
	 * text is encoded only by finish(); a small one at once, as append() does.
	 */
	appendText(text: string, byteLength: number): number {
		if (byteLength < COPY_BELOW) return this.append(text);
		this.cutCurrent();
		this.chunks.push({ text, bytes: byteLength });
		this.total += byteLength;
		return byteLength;
	}

	/**
	 * Appends `text` as UTF-8, then a "\n" when `newline` (a row's line serialised without it: text + "\n"
	 * would be a joined string the write copies flat first), and returns the bytes it took.
	 */
	append(text: string, newline = false): number {
		const end = newline ? 1 : 0;
		// Worst case 3 bytes per UTF-16 unit; only measure exactly when the chunk might be too small.
		let length = text.length * 3 + end;
		if (this.current === undefined || this.used + length > this.current.length) {
			length = Buffer.byteLength(text) + end;
			if (this.current === undefined || this.used + length > this.current.length) this.grow(length);
		}
		const current = this.current as Buffer;
		let written = current.write(text, this.used);
		if (newline) current[this.used + written++] = NEWLINE;
		this.used += written;
		this.total += written;
		return written;
	}

	get byteLength(): number {
		return this.total;
	}

	/** Starts a new chunk with room for at least `length` bytes. */
	private grow(length: number): void {
		this.seal();
		this.current = Buffer.allocUnsafe(Math.max(this.nextSize, length));
		this.nextSize = Math.min(MAX_CHUNK, this.nextSize * 2);
		this.used = 0;
	}

	/** The current chunk's filled part joins the list; its unused tail stays current for what follows. */
	private cutCurrent(): void {
		if (this.current !== undefined && this.used > 0) {
			this.chunks.push(this.current.subarray(0, this.used));
			this.current = this.current.subarray(this.used);
			this.used = 0;
		}
	}

	private seal(): void {
		if (this.current !== undefined && this.used > 0) this.chunks.push(this.current.subarray(0, this.used));
		this.current = undefined;
		this.used = 0;
	}

	/**
	 * Takes the bytes of `ranges` out (sorted, disjoint, [from, to), each made of whole appends: a stopped
	 * execution's lines, withdraw.ts) and returns how many went. A chunk that loses part of its bytes is
	 * copied down to what it keeps, so the memory given back to the budget is really free; a text appended
	 * whole goes whole or stays (a range cutting one is a bug, thrown before anything changed).
	 */
	drop(ranges: ReadonlyArray<{ from: number; to: number }>): number {
		this.seal();
		const kept: (Buffer | PendingText)[] = [];
		let offset = 0;
		let r = 0;
		for (const chunk of this.chunks) {
			const start = offset;
			const end = offset + (Buffer.isBuffer(chunk) ? chunk.length : chunk.bytes);
			offset = end;
			while (r < ranges.length && ranges[r].to <= start) r++;
			const pieces: Array<[number, number]> = [];
			let at = start;
			for (let k = r; k < ranges.length && ranges[k].from < end; k++) {
				if (ranges[k].from > at) pieces.push([at, ranges[k].from]);
				at = Math.max(at, ranges[k].to);
			}
			if (at < end) pieces.push([at, end]);
			if (pieces.length === 1 && pieces[0][0] === start && pieces[0][1] === end) kept.push(chunk);
			else if (pieces.length === 0) continue;
			else if (!Buffer.isBuffer(chunk)) throw new Error(`a withdrawal cuts a text of ${chunk.bytes} bytes at bytes ${JSON.stringify(pieces)} of ${start}..${end}`);
			else kept.push(Buffer.concat(pieces.map(([from, to]) => chunk.subarray(from - start, to - start))));
		}
		const before = this.total;
		this.chunks.length = 0;
		for (const chunk of kept) this.chunks.push(chunk);
		this.total = kept.reduce((sum, chunk) => sum + (Buffer.isBuffer(chunk) ? chunk.length : chunk.bytes), 0);
		return before - this.total;
	}

	/**
	 * The bytes written so far, texts encoded now; the buffer takes no more writes afterwards. Throws
	 * when a text's UTF-8 is not the length its caller said (the batch's size was counted with it):
	 * the load then fails rather than send a body other than the one accounted for.
	 */
	finish(): Buffer[] {
		this.seal();
		return this.chunks.map((chunk) => (Buffer.isBuffer(chunk) ? chunk : encodeText(chunk)));
	}

}


/** Room past a text's said length: a longer text then writes more than it said (UTF-8 characters take ≤ 4 bytes). */
const OVER = 4;

/**
 * A text's UTF-8 in a buffer of its own, in one pass (Buffer.from would measure the text first): a text
 * that writes more or fewer bytes than said is refused.
 */
function encodeText({ text, bytes }: PendingText): Buffer {
	const target = Buffer.allocUnsafeSlow(bytes + OVER);
	const written = target.write(text, 0, 'utf8');
	if (written !== bytes) throw new Error(`a text said to take ${bytes} bytes takes ${written < bytes ? written : 'more'} in UTF-8`);
	return target.subarray(0, bytes);
}
