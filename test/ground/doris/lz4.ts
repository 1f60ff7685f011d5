/**
 * LZ4 frame decoding (compress_type: lz4 = LZ4 frame format, per be/src/util/block_compression.cpp /
 * doris-streamloader's `--compress`). No LZ4 library is among the project's dependencies, and the test
 * server only needs to read frames, so this is a small decoder for the frame and block formats
 * (spec: github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md and lz4_Block_format.md). Checksums are
 * not verified.
 */
const MAGIC = 0x184d2204;

export function lz4FrameDecode(input: Buffer): Buffer {
	const out: Buffer[] = [];
	let p = 0;
	while (p < input.length) {
		const magic = input.readUInt32LE(p);
		if (magic >= 0x184d2a50 && magic <= 0x184d2a5f) {
			// Skippable frame.
			p += 8 + input.readUInt32LE(p + 4);
			continue;
		}
		if (magic !== MAGIC) throw new Error('LZ4F: bad magic number');
		const flg = input[p + 4];
		if (flg >> 6 !== 1) throw new Error('LZ4F: unsupported frame version');
		const blockChecksum = (flg & 0x10) !== 0;
		const contentSize = (flg & 0x08) !== 0;
		const contentChecksum = (flg & 0x04) !== 0;
		const dictId = (flg & 0x01) !== 0;
		p += 6 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1; // magic, FLG, BD, [size], [dict], HC
		const blocks: Buffer[] = [];
		let history = Buffer.alloc(0);
		for (;;) {
			const word = input.readUInt32LE(p);
			p += 4;
			if (word === 0) break;
			const size = word & 0x7fffffff;
			const data = input.subarray(p, p + size);
			p += size + (blockChecksum ? 4 : 0);
			let block: Buffer;
			if (word & 0x80000000) block = Buffer.from(data);
			else block = decodeBlock(data, history);
			blocks.push(block);
			// Linked blocks may reference up to 64 KiB of earlier output.
			history = Buffer.concat([history, block]);
			if (history.length > 65536) history = history.subarray(history.length - 65536);
		}
		if (contentChecksum) p += 4;
		out.push(...blocks);
	}
	return Buffer.concat(out);
}

function decodeBlock(src: Buffer, history: Buffer): Buffer {
	let dst = Buffer.allocUnsafe(Math.max(src.length * 4, 1024) + history.length);
	history.copy(dst, 0);
	let d = history.length;
	const start = d;
	let s = 0;
	const ensure = (n: number): void => {
		if (d + n <= dst.length) return;
		const bigger = Buffer.allocUnsafe(Math.max(dst.length * 2, d + n));
		dst.copy(bigger, 0, 0, d);
		dst = bigger;
	};
	while (s < src.length) {
		const token = src[s++];
		let lit = token >> 4;
		if (lit === 15) {
			let b: number;
			do {
				b = src[s++];
				lit += b;
			} while (b === 255);
		}
		ensure(lit);
		src.copy(dst, d, s, s + lit);
		d += lit;
		s += lit;
		if (s >= src.length) break; // last sequence has literals only
		const offset = src[s] | (src[s + 1] << 8);
		s += 2;
		if (offset === 0 || offset > d) throw new Error('LZ4: bad match offset');
		let len = token & 15;
		if (len === 15) {
			let b: number;
			do {
				b = src[s++];
				len += b;
			} while (b === 255);
		}
		len += 4;
		ensure(len);
		let m = d - offset;
		for (let i = 0; i < len; i++) dst[d++] = dst[m++];
	}
	return Buffer.from(dst.subarray(start, d));
}
