// A record batch corrupted on the real broker's disk (a byte of a value flipped in the segment file, as a
// bad disk does; the broker serves it as it is, it checks no CRC on fetch): the sinker delivers the
// batches before it, holds the partition at it with a repeated error naming topic, partition, base offset
// and both CRCs, commits nothing past it, shows it in kafka_corrupt_batch_held, and goes on once the bytes are
// good again (src/kafka/corrupt-batch-watch.ts, corrupt-batch-hold.ts). Before the CRC check the altered value
// was delivered and committed; before the gauge the hold showed only in the log and the lag.
import assert from 'node:assert/strict';
import { existsSync, openSync, readFileSync, readSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { metrics } from '../../src/metrics/metrics';
import { kafkaCacheDir } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, produce, quietLogger, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

/** The first segment file of partition 0, when the test broker's data folder is on this machine. */
function segmentFile(topic: string): string | undefined {
	const file = join(kafkaCacheDir, 'data', `${topic}-0`, '00000000000000000000.log');
	return existsSync(file) ? file : undefined;
}

/** Flips the lowest bit of the first byte of `text` in `file`, in place; returns where. */
function flipByte(file: string, text: string, at?: number): number {
	const where = at ?? readFileSync(file).indexOf(Buffer.from(text));
	assert.ok(where >= 0, `${text} is in ${file}`);
	const fd = openSync(file, 'r+');
	try {
		const byte = Buffer.alloc(1);
		readSync(fd, byte, 0, 1, where);
		byte[0] ^= 0x01;
		writeSync(fd, byte, 0, 1, where);
	} finally {
		closeSync(fd);
	}
	return where;
}

/** kafka_corrupt_batch_held of `group`'s partitions in this process's registry, partition → value. */
async function heldGauge(group: string): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const { labels, value } of (await metrics.kafkaCorruptBatchHeld.get()).values) if (labels.group === group) out[String(labels.partition)] = value;
	return out;
}

describe('sinker consumer: a record batch corrupted on the broker', () => {
	it('batches before it load, the partition is held at its base offset with a repeated error and kafka_corrupt_batch_held 1, nothing past it is committed; repaired, the rest loads and the gauge is 0', async (t) => {
		const topic = await broker.topic(1);
		// Three record batches: offsets 0-9, 10-19 (offset 15 to be corrupted), 20-29.
		for (const first of [0, 10, 20]) await produce(broker.kafka, topic, 1, 10, (i) => JSON.stringify({ i: first + i, tag: first + i === 15 ? 'flip-me' : 'plain' }));
		const file = segmentFile(topic);
		if (!file) return t.skip(`the broker's data folder is not at ${kafkaCacheDir} (another test ground)`);
		const flippedAt = flipByte(file, 'flip-me');
		const group = uniqueName('corrupt-batch');
		const errors: string[] = [];
		const n8n = new FakeN8n();
		const options = testOptions(topic, group, { maxRecordsPerExecution: 5, logger: { ...quietLogger, error: (message: string) => errors.push(message) } });
		const consumer = await SinkerConsumer.start(options, n8n.run);
		const delivered = () => [...new Set(n8n.executions.flatMap((e) => e.items.map((item) => item.json.i as number)))].sort((a, b) => a - b);
		const held = () => errors.filter((message) => message.includes(`at offset 10 of ${topic}[0] is corrupt`));
		try {
			await waitFor('the corrupt batch refused twice (held, fetched again after the backoff, refused again)', () => held().length >= 2, { timeoutMs: 20_000 });
			assert.match(held()[0], /\(magic 2, \d+ bytes\): stored CRC-32C 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}; not delivered, nothing past it committed; holding .*\[0\] at offset 10/);
			await waitFor('offsets 0-9 committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 10n, { timeoutMs: 10_000 });
			// Before the CRC check offset 15 was delivered with the flipped tag ("glip-me") and committed.
			assert.deepEqual(delivered(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
			assert.ok(n8n.executions.every((e) => e.items.every((item) => item.json.tag === 'plain')), 'no altered value delivered');
			assert.deepEqual(await heldGauge(group), { '0': 1 }, 'kafka_corrupt_batch_held while held');

			flipByte(file, 'glip-me', flippedAt); // the bytes good again (a replica with good data took over, say)
			await waitFor('the group committed to the end of the log (30)', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 30n, { timeoutMs: 20_000 });
			assert.deepEqual(delivered(), Array.from({ length: 30 }, (_, i) => i));
			assert.ok(n8n.executions.some((e) => e.items.some((item) => item.json.i === 15 && item.json.tag === 'flip-me')));
			assert.deepEqual(await heldGauge(group), { '0': 0 }, 'kafka_corrupt_batch_held once it reads cleanly');
		} finally {
			await consumer.close();
		}
		assert.deepEqual(await heldGauge(group), {}, 'no series after the close');
	});
});
