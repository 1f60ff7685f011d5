// A message whose JSON nests ~8,000 levels (16 KB) among normal ones, against the real broker, per
// message and One Item per Batch. JSON.parse reads it (it is not recursive), but what comes after
// the trigger is: serialising the item on a 1 MB stack (the Stream Load JSON line, n8n saving the
// execution) overflows at ~4,400 levels, the Doris Schema worker's structured-clone answer at ~3,300.
// So the execution failed, the trigger redelivered it, it failed again: the partition stalled for
// ever. Here the stand-in for n8n does what the steps after the trigger do to every item (the Stream
// Load serializer per item; a packed line parsed and sent back through structured clone, as the
// Doris Schema worker does) and fails the execution when that throws, as n8n would. Now the deep value
// is a `_parseError` item naming its depth, the others load, and the offsets commit past it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../src/common/item-contract';
import type { ExecutionOutcome, SinkExecution } from '../../src/kafka/consumer-options';
import type { OutputMode } from '../../src/kafka/message-parser';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { createSerializer } from '../../src/doris/stream-load/wire-format';
import type { LoadOptions } from '../../src/doris/stream-load/options';
import { nestedJson } from '../support/deep-json';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

const COUNT = 60;
const DEEP_AT = 25;
const DEEP = nestedJson(8000);
const valueAt = (i: number): string => (i === DEEP_AT ? DEEP : `{"id":"row-${i}","n":${i}}`);

/** What the steps after the trigger do to an execution's items; throws where they would. */
function serialiseAsDownstream(execution: SinkExecution): void {
	const serialize = createSerializer({ format: 'json' } as LoadOptions);
	for (const item of execution.items) {
		const packed = item.json[PACKED_ROWS_FIELD] as unknown as PackedRows | undefined;
		if (packed === undefined) {
			serialize(item.json);
			continue;
		}
		for (const line of packed.jsonLines.split('\n')) {
			if (line === '') continue;
			const row = JSON.parse(line) as Record<string, unknown>;
			structuredClone(row); // the Doris Schema worker's answer crosses threads by structured clone
			serialize(row);
		}
	}
}

async function downstream(execution: SinkExecution): Promise<ExecutionOutcome> {
	try {
		serialiseAsDownstream(execution);
		return { ok: true };
	} catch (error) {
		return { ok: false, reason: (error as Error).message };
	}
}

/** The successful executions' rows (packed lines and plain items) and error items, in offset order. */
function delivered(n8n: FakeN8n): { rows: string[]; errors: Array<{ message: string; raw: string }> } {
	const rows: string[] = [];
	const errors: Array<{ message: string; raw: string }> = [];
	const ok = new Set(n8n.succeeded);
	for (const execution of n8n.executions) {
		if (!ok.has(`${execution.partition}:${execution.firstOffset}`)) continue;
		for (const { json } of execution.items) {
			const packed = json[PACKED_ROWS_FIELD] as unknown as PackedRows | undefined;
			if (packed !== undefined) rows.push(...packed.jsonLines.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { id: string }).id));
			else if (json[PARSE_ERROR_FIELD] !== undefined) errors.push(json[PARSE_ERROR_FIELD] as { message: string; raw: string });
			else rows.push(json.id as string);
		}
	}
	return { rows, errors };
}

describe('sinker consumer: a value nested too deep among normal ones', () => {
	for (const output of ['message', 'batch'] as OutputMode[]) {
		it(`${output === 'batch' ? 'One Item per Batch' : 'per message'}: the deep one is an error item with its reason, every other row delivered, offsets committed past it`, async () => {
			const topic = await broker.topic(1);
			const producer = broker.kafka.producer();
			await producer.connect();
			await producer.send({ topic, messages: Array.from({ length: COUNT }, (_, i) => ({ value: valueAt(i) })) });
			await producer.disconnect();
			const group = uniqueName('deep-json');
			const n8n = new FakeN8n(downstream);
			const consumer = await SinkerConsumer.start(
				testOptions(topic, group, { parser: { format: 'json', includeMetadata: false, tombstones: 'skip', output }, maxRecordsPerExecution: 20 }),
				n8n.run,
			);
			try {
				await waitFor('the partition committed to its end', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(COUNT), { timeoutMs: 30_000 });
				const { rows, errors } = delivered(n8n);
				assert.deepEqual(rows, Array.from({ length: COUNT }, (_, i) => `row-${i}`).filter((_, i) => i !== DEEP_AT));
				assert.equal(errors.length, 1);
				assert.equal(errors[0].raw, DEEP);
				assert.match(errors[0].message, /nests 8000 levels of arrays\/objects, deeper than the 1024 allowed/);
				assert.equal(consumer.stats.redeliveries, 0, 'no execution failed');
			} finally {
				await consumer.close();
			}
		});
	}
});
