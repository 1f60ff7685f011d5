/**
 * An append-only byte buffer made of large chunks: each serialised row is encoded straight into the
 * current chunk (no per-row Buffer), and the filled parts are handed to the HTTP client as a
 * Buffer[] that can be sent again for a redirect or a retry without copying.
 */
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 1 << 20;

export class ByteBuffer {
	private readonly chunks: Buffer[] = [];
	private current: Buffer | undefined;
	private used = 0;
	private total = 0;
	// Small batches stay small; large ones grow to 1 MiB chunks.
	private nextSize = FIRST_CHUNK;

	/** Appends `text` as UTF-8 and returns the bytes it took. */
	append(text: string): number {
		// Worst case 3 bytes per UTF-16 unit; only measure exactly when the chunk might be too small.
		let length = text.length * 3;
		if (this.current === undefined || this.used + length > this.current.length) {
			length = Buffer.byteLength(text);
			if (this.current === undefined || this.used + length > this.current.length) {
				this.seal();
				this.current = Buffer.allocUnsafe(Math.max(this.nextSize, length));
				this.nextSize = Math.min(MAX_CHUNK, this.nextSize * 2);
				this.used = 0;
			}
		}
		const written = this.current.write(text, this.used);
		this.used += written;
		this.total += written;
		return written;
	}

	get byteLength(): number {
		return this.total;
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
