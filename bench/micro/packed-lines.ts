// Cost per message of the trigger's parse step, One Item per Message vs One Item per Batch, on the
// benchmark's ~330-byte 12-field events (bench/dataset.ts makeEvent), 5000 messages per execution,
// values sliced out of one buffer as kafkajs hands them over; CPU time of this thread, best and
// median of ten groups of rounds. Not a test (no timing asserts):
//   node --import tsx bench/micro/packed-lines.ts   (BENCH_ROUNDS, default 200)
import type { KafkaMessage } from 'kafkajs';

import { makeEvent } from '../dataset';
import { createMessageParser, type MessageParserOptions, type ParsedChunk } from '../../src/kafka/message-parser';

const PER_EXECUTION = 5000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);

function messages(): KafkaMessage[] {
	const texts = Array.from({ length: PER_EXECUTION }, (_, i) => JSON.stringify(makeEvent(i, 1_750_000_000_000 + i)));
	const all = Buffer.from(texts.join(''));
	const out: KafkaMessage[] = [];
	let at = 0;
	for (let i = 0; i < texts.length; i++) {
		const length = Buffer.byteLength(texts[i]);
		out.push({ key: null, value: all.subarray(at, at + length), timestamp: '0', attributes: 0, offset: String(1_000_000 + i), headers: {} } as KafkaMessage);
		at += length;
	}
	return out;
}

function measure(label: string, options: Partial<MessageParserOptions>, batch: KafkaMessage[]): void {
	const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip', ...options });
	let sink = 0;
	const run = () => {
		const chunk = parser.parse(batch, 0, batch.length, 'bench', 0) as ParsedChunk;
		sink += chunk.items.length;
	};
	for (let i = 0; i < 20; i++) run();
	const heapBefore = process.memoryUsage().heapUsed;
	// CPU time of this thread, in groups: wall time says little on a machine others share.
	const perMessage: number[] = [];
	const group = Math.max(1, Math.floor(rounds / 10));
	for (let done = 0; done < rounds; done += group) {
		const before = process.threadCpuUsage();
		for (let i = 0; i < group; i++) run();
		const used = process.threadCpuUsage(before);
		perMessage.push((used.user + used.system) / (group * batch.length));
	}
	perMessage.sort((a, b) => a - b);
	const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
	const best = perMessage[0].toFixed(3);
	const median = perMessage[perMessage.length >> 1].toFixed(3);
	console.log(`${label.padEnd(44)} ${best} us/message CPU best, ${median} median  (${sink} items; heap delta ${heapMb.toFixed(1)} MB)`);
}

const batch = messages();
const bytes = batch.reduce((n, m) => n + (m.value?.length ?? 0), 0);
console.log(`${PER_EXECUTION} messages of ${(bytes / PER_EXECUTION).toFixed(0)} bytes on average, ${rounds} rounds each`);
measure('JSON, One Item per Message (parse)', {}, batch);
measure('JSON, One Item per Batch (pack)', { output: 'batch' }, batch);
// Behind a Doris Schema node the trigger does not look for a value of two JSON values (packed-value-check.ts).
measure('JSON, One Item per Batch, behind Doris Schema', { output: 'batch', checkPackedValues: false } as Partial<MessageParserOptions>, batch);
measure('Text, One Item per Message', { format: 'text' }, batch);
measure('Text, One Item per Batch (pack)', { format: 'text', output: 'batch' }, batch);
// Add Kafka Fields: spliced into each JSON line (message-fields.ts spliceKafkaFields), the value still unparsed.
const positionFields = { kafkaFields: [{ source: 'topic', name: 'src_topic' }, { source: 'partition', name: 'src_partition' }, { source: 'offset', name: 'src_offset' }] } as const;
measure('JSON, One Item per Batch, Add Kafka Fields', { output: 'batch', ...positionFields }, batch);
