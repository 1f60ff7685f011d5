/**
 * An append-only byte buffer made of large chunks: each serialised row is encoded straight into the
 * current chunk (no per-row Buffer), and the filled parts are handed to the HTTP client as a
 * Buffer[] that can be sent again for a redirect or a retry without copying.
 */
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 1 << 20;
// Pre-encoded bytes from this size on are kept as they are rather than copied.
const COPY_BELOW = 16 * 1024;

export class ByteBuffer {
	private readonly chunks: Buffer[] = [];
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
			if (this.current !== undefined && this.used > 0) {
				this.chunks.push(this.current.subarray(0, this.used));
				this.current = this.current.subarray(this.used);
				this.used = 0;
			}
			this.chunks.push(bytes);
		}
		this.total += bytes.length;
		return bytes.length;
	}

	/** Appends `text` as UTF-8 and returns the bytes it took. */
	append(text: string): number {
		// Worst case 3 bytes per UTF-16 unit; only measure exactly when the chunk might be too small.
		let length = text.length * 3;
		if (this.current === undefined || this.used + length > this.current.length) {
			length = Buffer.byteLength(text);
			if (this.current === undefined || this.used + length > this.current.length) this.grow(length);
		}
		const written = (this.current as Buffer).write(text, this.used);
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

	private seal(): void {
		if (this.current !== undefined && this.used > 0) this.chunks.push(this.current.subarray(0, this.used));
		this.current = undefined;
		this.used = 0;
	}

	/** The bytes written so far; the buffer takes no more writes afterwards. */
	finish(): Buffer[] {
		this.seal();
		return this.chunks;
	}
}
