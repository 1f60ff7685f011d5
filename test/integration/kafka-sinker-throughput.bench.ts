// Throughput of the trigger's core path (kafkajs fetch → cut → parse → hand over → commit) on a
// backlog of ~300-byte JSON messages from the real broker, with an n8n stand-in that finishes at once.
// Not a test (no timing asserts): run `node --import tsx test/integration/kafka-sinker-throughput.bench.ts`
// with BENCH_MESSAGES (default 300000) and BENCH_PARTITIONS (default 3).
import type { KafkaMessage } from 'kafkajs';

import { createMessageParser } from '../../src/kafka/message-parser';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { createTopic, produce, testKafka, testOptions, uniqueName } from './kafka-sinker-helpers';

const count = Number(process.env.BENCH_MESSAGES ?? 300_000);
const partitions = Number(process.env.BENCH_PARTITIONS ?? 3);

function message300(i: number): string {
	return JSON.stringify({
		id: i,
		user_id: 100000 + (i % 9973),
		event: 'page_view',
		url: `https://shop.example.com/products/${i % 5000}?ref=campaign-${i % 17}`,
		amount: Math.round(i * 1.37) / 100,
		currency: 'EUR',
		ts: '2024-06-01T12:34:56.789Z',
		tags: ['web', 'eu-west', 'mobile'],
		session: 'b7f1c0de-5a7e-4c1a-9d3e-0123456789ab',
		ok: true,
	});
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

function cpuMillis(since: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(since);
	return (used.user + used.system) / 1000;
}

function parserOnly(): void {
	const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip' });
	const messages: KafkaMessage[] = [];
	for (let i = 0; i < 100_000; i++) {
		messages.push({ key: null, value: Buffer.from(message300(i)), timestamp: '0', attributes: 0, offset: String(i), headers: {} } as KafkaMessage);
	}
	for (let round = 0; round < 3; round++) {
		const start = process.hrtime.bigint();
		const cpu = process.cpuUsage();
		for (let from = 0; from < messages.length; from += 5000) parser.parse(messages, from, from + 5000, 't', 0);
		const ms = Number(process.hrtime.bigint() - start) / 1e6;
		const cpuMs = cpuMillis(cpu);
		console.log(`parser only: ${rate(messages.length, ms)} msg/s wall, ${rate(messages.length, cpuMs)} msg per CPU-second (round ${round + 1})`);
	}
}

async function main(): Promise<void> {
	console.log(`message size ${Buffer.byteLength(message300(123456))} bytes`);
	parserOnly();
	const kafka = testKafka();
	const admin = kafka.admin();
	await admin.connect();
	const topic = await createTopic(admin, partitions);
	let start = Date.now();
	await produce(kafka, topic, partitions, count, message300, 10_000);
	console.log(`produced ${count} in ${Date.now() - start} ms`);
	let delivered = 0;
	start = Date.now();
	const consumer = await SinkerConsumer.start(testOptions(topic, uniqueName('bench')), async (execution) => {
		delivered += execution.items.length;
		return { ok: true };
	});
	const joined = Date.now();
	const cpu = process.cpuUsage();
	await waitFor('the backlog', () => delivered >= count, 600_000);
	const ms = Date.now() - joined;
	const cpuMs = cpuMillis(cpu);
	// Per CPU-second is the figure that survives a busy machine (the broker shares the 2 cores).
	console.log(
		`consumer + parser: ${count} messages in ${ms} ms = ${rate(count, ms)} msg/s wall, ${rate(count, cpuMs)} msg per CPU-second of this process (join ${joined - start} ms)`,
		consumer.stats,
	);
	await consumer.close();
	await admin.deleteTopics({ topics: [topic] });
	await admin.disconnect();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
