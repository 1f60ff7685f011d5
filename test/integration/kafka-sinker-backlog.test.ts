// Window full pauses fetching: memory stays bounded with a large backlog. The backlog size is
// SINKER_BACKLOG_MESSAGES (default 200000; 1M works too, it only takes longer to produce).
// Memory is judged by the live heap (after a forced GC) and RSS, never by time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, produce, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
	gc();
	return process.memoryUsage().heapUsed;
};
const MB = 1024 * 1024;

let topic: string;
const count = Number(process.env.SINKER_BACKLOG_MESSAGES ?? 200_000);

const broker = useKafkaAdmin({
	setup: async () => {
		topic = await broker.topic(3);
		const filler = 'x'.repeat(200);
		await produce(broker.kafka, topic, 3, count, (i) => `{"id":${i},"name":"${filler}","amount":12.5,"ts":"2024-01-01T00:00:00Z"}`, 10_000);
	},
});

describe('sinker consumer: backlog', () => {
	it(`a full window pauses fetching and memory stays bounded over a ${count}-message backlog`, async () => {
		const group = uniqueName('backlog');
		let openGate: (() => void) | undefined;
		const gate = new Promise<void>((resolve) => (openGate = resolve));
		const pauses: boolean[] = [];
		const n8n = new FakeN8n(async () => {
			await gate;
			await sleep(2);
			return { ok: true };
		}, false);
		const baseline = liveHeap();
		const rssBefore = process.memoryUsage().rss;
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, {
				maxRecordsPerExecution: 2_000,
				executionsInFlight: 2,
				fetchMaxBytesPerPartition: 1 * MB,
				fetchMaxBytes: 4 * MB,
				observer: { onPauseChange: (paused) => pauses.push(paused) },
			}),
			n8n.run,
		);
		let peak = 0;
		const sampler = setInterval(() => (peak = Math.max(peak, liveHeap() - baseline)), 250);
		try {
			// While n8n sits on the first two executions, fetching is paused and nothing more is handed out
			// (absence, shown over a window).
			await waitFor('the consumer to pause fetching', () => pauses.includes(true), 10_000).catch(() => undefined);
			await sleep(500);
			assert.equal(n8n.executions.length, 2, 'a full window hands out nothing more');
			assert.ok(pauses.includes(true), 'the consumer paused fetching when the window filled');
			const heldHeap = liveHeap() - baseline;
			openGate?.();
			await waitFor('the backlog committed', async () => {
				const committed = await committedOffsets(broker.admin, group, topic);
				return [...committed.values()].reduce((a, b) => a + b, 0n) === BigInt(count);
			}, 120_000);
			clearInterval(sampler);
			const rssGrowth = process.memoryUsage().rss - rssBefore;
			console.log(
				`backlog ${count}: live heap while held +${(heldHeap / MB).toFixed(1)} MB, peak +${(peak / MB).toFixed(1)} MB, rss +${(rssGrowth / MB).toFixed(1)} MB; ` +
					`${consumer.stats.executionsStarted} executions, max in flight ${consumer.stats.maxInFlight}`,
			);
			assert.equal(n8n.messageCount(), count);
			assert.ok(consumer.stats.maxInFlight <= 2);
			// The backlog is ~60 MB of JSON text and would be several times that as parsed items; the
			// window (2 × 2000 items) plus one fetch (≤ 4 MB) is a few MB. 48 MB leaves room for noise.
			assert.ok(peak < 48 * MB, `live heap grew ${(peak / MB).toFixed(1)} MB`);
			assert.ok(rssGrowth < 256 * MB, `rss grew ${(rssGrowth / MB).toFixed(1)} MB`);
		} finally {
			clearInterval(sampler);
			await consumer.close();
		}
	});
});
