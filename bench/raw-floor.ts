/**
 * Scenario 1, the raw floor: kafkajs eachBatch → JSON.parse → JSON lines → undici PUT straight to
 * the BE. No n8n, no type checks, no labels, no retries, offsets auto-committed after each batch
 * whether loaded or not. It is the fastest this stack (kafkajs + Node + undici) goes on this
 * machine, the yardstick the other scenarios are divided by.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'undici';
import { basicAuth, runWorker, type RunningWorker, type WorkerConfig } from './worker';

/** Loads overlapping the consuming: two keep the BE busy while the next batch fills. */
const LOADS_IN_FLIGHT = 2;

export async function startRawFloor(cfg: WorkerConfig): Promise<RunningWorker> {
	const { doris } = cfg;
	const be = new Pool(doris.beUrl, { connections: LOADS_IN_FLIGHT + 1 });
	const path = `/api/${doris.db}/${doris.table}/_stream_load`;
	const auth = basicAuth(doris.user, doris.password);
	const flushes: number[] = [];
	const inFlight = new Set<Promise<void>>();
	let lines: string[] = [];

	const put = async (body: string): Promise<void> => {
		const started = performance.now();
		const res = await be.request({
			method: 'PUT',
			path,
			headers: { authorization: auth, label: `raw_${randomUUID()}`, format: 'json', read_json_by_line: 'true' },
			body,
		});
		const text = await res.body.text();
		flushes.push(performance.now() - started);
		if (res.statusCode !== 200 || !text.includes('"Success"')) throw new Error(`stream load: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
	};

	// Up to LOADS_IN_FLIGHT loads overlap with consuming; beyond that the consumer waits (backpressure).
	const flush = async (): Promise<void> => {
		if (lines.length === 0) return;
		const body = lines.join('\n');
		lines = [];
		const load = put(body).finally(() => inFlight.delete(load));
		inFlight.add(load);
		while (inFlight.size >= LOADS_IN_FLIGHT) await Promise.race(inFlight);
	};

	const kafka = new Kafka({ clientId: 'bench-raw-floor', brokers: cfg.brokers, logLevel: logLevel.NOTHING });
	const consumer = kafka.consumer({ groupId: cfg.groupId, maxBytesPerPartition: 4 << 20, maxBytes: 32 << 20 });
	await consumer.connect();
	await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
	const timer = setInterval(() => void flush(), cfg.flushMs);
	await consumer.run({
		partitionsConsumedConcurrently: 1,
		eachBatch: async ({ batch }) => {
			for (const message of batch.messages) {
				if (message.value === null) continue;
				lines.push(JSON.stringify(JSON.parse(message.value.toString('utf8'))));
				if (lines.length >= cfg.batchRows) await flush();
			}
		},
	});

	return {
		async stop() {
			clearInterval(timer);
			await consumer.disconnect();
			await flush();
			await Promise.all(inFlight);
			await be.close();
		},
		flushMs: () => flushes,
	};
}

if (require.main === module) runWorker(startRawFloor);
