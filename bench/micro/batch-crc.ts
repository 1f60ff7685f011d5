/**
 * What checking record batch CRCs costs (src/kafka/corrupt-batch-watch.ts), one core:
 * - MB/s of CRC-32C over a 1 MB record batch: kafkajs' own table-per-byte crc32C
 *   (node_modules/kafkajs/src/protocol/recordBatch/crc32C) and ours, slicing-by-16 (src/kafka/crc32c.ts);
 *   CRC-32 (zlib.crc32, legacy magic 0/1 messages) beside them;
 * - the share of decoding a Fetch v11 response holding that batch (1,000 JSON records of ~1 KB,
 *   uncompressed) that the check adds: kafkajs' decode alone, and with the check before it; and, for
 *   scale, JSON.parse of the batch's values, the least the sinker does with each record next.
 * Figures are printed, never asserted; CPU time (process.cpuUsage), best of BENCH_ROUNDS (default 9); the
 * two decodes alternate within each round and their medians are compared.
 *   node --import tsx bench/micro/batch-crc.ts
 */
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';

import { checkingDecode } from '../../src/kafka/corrupt-batch-watch';
import { crc32c } from '../../src/kafka/crc32c';

const kafkajs = createRequire(require.resolve('kafkajs'));
const { RecordBatch } = kafkajs('./src/protocol/recordBatch/v0/index.js') as { RecordBatch: (options: object) => Promise<{ buffer: Buffer }> };
const Record = kafkajs('./src/protocol/recordBatch/record/v0/index.js') as (options: object) => unknown;
const Long = kafkajs('./src/utils/long.js') as { fromInt(n: number): unknown };
const kafkajsCrc32C = kafkajs('./src/protocol/recordBatch/crc32C/crc32C.js') as (bytes: Buffer) => number;
const { decode } = kafkajs('./src/protocol/requests/fetch/v11/response.js') as { decode: Parameters<typeof checkingDecode>[1] };

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const RECORDS = 1_000;

async function main(): Promise<void> {
	const records = Array.from({ length: RECORDS }, (_, i) =>
		Record({ offsetDelta: i, key: Buffer.from(String(i)), value: Buffer.from(JSON.stringify({ i, note: 'x'.repeat(980), at: 1_700_000_000_000 + i })) }),
	);
	const batch = (await RecordBatch({ firstOffset: Long.fromInt(0), lastOffsetDelta: RECORDS - 1, records })).buffer;
	const response = fetchV11('bench', batch);
	const mb = batch.length / 1e6;

	let sink = 0;
	const best = (label: string, run: () => unknown, repeat: number): number => {
		const times: number[] = [];
		for (let r = 0; r < rounds + 2; r++) {
			const before = process.cpuUsage();
			for (let k = 0; k < repeat; k++) sink ^= Number(run()) | 0;
			const used = process.cpuUsage(before);
			if (r >= 2) times.push((used.user + used.system) / repeat); // the first two rounds warm the JIT up
		}
		times.sort((a, b) => a - b);
		console.log(`${label}: best ${times[0].toFixed(0)} µs, median ${times[times.length >> 1].toFixed(0)} µs`);
		return times[0];
	};
	// Both decodes in every round, alternating, so a GC or another process on the machine weighs on both alike.
	const decodes = async (plain: () => Promise<unknown>, checked: () => Promise<unknown>, repeat: number): Promise<[number, number]> => {
		const times: Array<[number, number]> = [];
		for (let r = 0; r < rounds + 2; r++) {
			const pair: [number, number] = [0, 0];
			for (let k = 0; k < repeat; k++) {
				for (const which of k % 2 === 0 ? [0, 1] : [1, 0]) {
					const before = process.cpuUsage();
					await (which === 0 ? plain() : checked());
					const used = process.cpuUsage(before);
					pair[which] += (used.user + used.system) / repeat;
				}
			}
			if (r >= 2) times.push(pair);
		}
		const median = (i: 0 | 1) => times.map((pair) => pair[i]).sort((a, b) => a - b)[times.length >> 1];
		return [median(0), median(1)];
	};

	console.log(`record batch: ${RECORDS} records, ${batch.length} bytes`);
	const body = batch.subarray(21);
	const kafkajsUs = best('CRC-32C kafkajs (table per byte)', () => kafkajsCrc32C(body), 20);
	const oursUs = best('CRC-32C slicing-by-16 (src/kafka/crc32c.ts)', () => crc32c(batch, 21), 20);
	const zlibUs = best('CRC-32 zlib.crc32 (legacy messages)', () => crc32(body), 20);
	console.log(`MB/s: kafkajs crc32C ${(mb / (kafkajsUs / 1e6)).toFixed(0)}, slicing-by-16 ${(mb / (oursUs / 1e6)).toFixed(0)}, zlib.crc32 ${(mb / (zlibUs / 1e6)).toFixed(0)}`);

	const checking = checkingDecode(11, decode);
	const [plainUs, checkedUs] = await decodes(() => decode(response), () => checking(response), 10);
	console.log(`decode Fetch v11 (kafkajs): median ${plainUs.toFixed(0)} µs; with the CRC check: median ${checkedUs.toFixed(0)} µs`);
	console.log(`the check adds ${(checkedUs - plainUs).toFixed(0)} µs to a ${plainUs.toFixed(0)} µs decode: ${((100 * (checkedUs - plainUs)) / plainUs).toFixed(1)}% (CRC alone ${((100 * oursUs) / plainUs).toFixed(1)}% of the decode)`);
	const values = records.map((_, i) => JSON.stringify({ i, note: 'x'.repeat(980), at: 1_700_000_000_000 + i }));
	const parseUs = best('JSON.parse of the 1,000 values (the next step, for scale)', () => values.reduce((n, v) => n + (JSON.parse(v) as { i: number }).i, 0), 5);
	console.log(`the check is ${((100 * (checkedUs - plainUs)) / (plainUs + parseUs)).toFixed(1)}% of decode + JSON.parse`);
	if (sink === 0.5) console.log('');
}

/** A Fetch v11 response (after the correlation id): one topic, one partition holding `set`. */
function fetchV11(topic: string, set: Buffer): Buffer {
	const head = Buffer.alloc(4 + 2 + 4 + 4 + 2);
	head.writeInt32BE(1, 10); // one topic
	head.writeInt16BE(topic.length, 14);
	const partition = Buffer.alloc(4 + 4 + 2 + 8 + 8 + 8 + 4 + 4 + 4);
	partition.writeInt32BE(1, 0); // one partition: 0
	partition.writeInt32BE(-1, 34); // no aborted transactions
	partition.writeInt32BE(-1, 38); // no preferred read replica
	partition.writeInt32BE(set.length, 42);
	return Buffer.concat([head, Buffer.from(topic), partition, set]);
}

void main();
