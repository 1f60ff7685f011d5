/**
 * CPU per record of decoding a v2 record batch's records: kafkajs' own record decoder (BigInt offsets and
 * timestamps) against src/kafka/record-decoder.ts, on the same bytes: 5,000 records of ~335 bytes (the
 * benchmark's event size) with an 8-byte key and no headers, as kafkajs' producer encodes them. Each
 * round decodes them with one, then the other, alternating which goes first; CPU time (process.cpuUsage),
 * best and median of BENCH_ROUNDS (default 9) after two warm-up rounds. Figures are printed, never asserted.
 *   node --import tsx bench/micro/record-decoder.ts
 */
import { createRequire } from 'node:module';

import { decodeRecord, type KafkajsDecoder, type RecordBatchContext } from '../../src/kafka/record-decoder';

const kafkajs = createRequire(require.resolve('kafkajs'));
const kafkajsDecodeRecord = kafkajs('./src/protocol/recordBatch/record/v0/decoder.js') as typeof decodeRecord;
const Decoder = kafkajs('./src/protocol/decoder.js') as new (buffer: Buffer) => KafkajsDecoder;
const Record = kafkajs('./src/protocol/recordBatch/record/v0/index.js') as (options: object) => { buffer: Buffer };
const Long = kafkajs('./src/utils/long.js') as { fromValue(value: number): unknown };

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const RECORDS = 5_000;

function main(): void {
	const value = Buffer.from(JSON.stringify({ event_id: 'e'.repeat(36), note: 'x'.repeat(260) }));
	const slices = Array.from({ length: RECORDS }, (_, i) => {
		const encoded = Record({ offsetDelta: i, timestampDelta: Long.fromValue(i * 3), key: Buffer.from(`key-${String(i).padStart(4, '0')}`), value }).buffer;
		return new Decoder(encoded).readVarIntBytes() as Buffer;
	});
	const context: RecordBatchContext = { firstOffset: '1234567', firstTimestamp: String(Date.now()), magicByte: 2, isControlBatch: false, timestampType: 0, maxTimestamp: String(Date.now()) };
	let sink = 0;
	const decodeAll = (decode: typeof decodeRecord) => {
		const before = process.cpuUsage();
		for (const slice of slices) sink += decode(new Decoder(slice), context).offset.length;
		const used = process.cpuUsage(before);
		return (used.user + used.system) / RECORDS;
	};
	const times: Array<[number, number]> = [];
	for (let round = 0; round < rounds + 2; round++) {
		const pair: [number, number] = [0, 0];
		if (round % 2 === 0) {
			pair[0] = decodeAll(kafkajsDecodeRecord);
			pair[1] = decodeAll(decodeRecord);
		} else {
			pair[1] = decodeAll(decodeRecord);
			pair[0] = decodeAll(kafkajsDecodeRecord);
		}
		if (round >= 2) times.push(pair);
	}
	const report = (label: string, i: 0 | 1) => {
		const sorted = times.map((pair) => pair[i]).sort((a, b) => a - b);
		console.log(`${label}: best ${sorted[0].toFixed(3)} µs/record, median ${sorted[sorted.length >> 1].toFixed(3)}`);
	};
	console.log(`${RECORDS} records of ${value.length + 8} bytes (value and key), ${rounds} rounds`);
	report("kafkajs' record decoder", 0);
	report('src/kafka/record-decoder.ts', 1);
	if (sink === 0) console.log('');
}

main();
