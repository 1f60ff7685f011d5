/**
 * A partition that continues at a corrupt record batch (corrupt-batch-hold.ts): the member's report
 * holds the partition's current state, only a partition this consumer owns, and shows it as
 * kafka_corrupt_batch_held: 1 while held, 0 once a batch reaching its base offset reads cleanly and for
 * every other partition owned, no series for a partition given away or after the close.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CorruptBatchHold, type ProcessedBatch } from '../../../src/kafka/corrupt-batch-hold';
import type { CorruptBatchReport } from '../../../src/kafka/corrupt-batch-watch';
import { Assignment, type PartitionState } from '../../../src/kafka/partition-state';
import { metrics } from '../../../src/metrics/metrics';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

function report(partition: number, baseOffset: string): CorruptBatchReport {
	return { topic: 't', partition, baseOffset, magic: 2, size: 100, storedCrc: 1, computedCrc: 2, reason: 'stored CRC-32C 0x00000001, computed 0x00000002' };
}

function batch(partition: number, firstOffset: string | null, lastOffset: string): ProcessedBatch {
	return { topic: 't', partition, firstOffset, lastOffset };
}

/** This test's series of kafka_corrupt_batch_held, partition → value (group `hold-test`). */
async function held(): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const { labels, value } of (await metrics.kafkaCorruptBatchHeld.get()).values) {
		if (labels.group === 'hold-test') out[`${labels.workflow} ${labels.topic}[${labels.partition}]`] = value;
	}
	return out;
}

function setUp() {
	const assignment = new Assignment();
	assignment.replace({ t: [0, 1] }, 'm1');
	const holds: Array<[PartitionState, string]> = [];
	const logged: string[] = [];
	const logger = { ...quiet, info: (message: string) => logged.push(message) };
	const options = { groupId: 'hold-test', labels: { workflow: 'w', node: 'n' } };
	const hold = new CorruptBatchHold({ options, logger, assignment, hold: (state, r) => holds.push([state, r.baseOffset]) });
	hold.joined('m1', false);
	return { assignment, holds, hold, logged };
}

describe('CorruptBatchHold', () => {
	it('holds the reported partition\'s current state at the batch', () => {
		const { assignment, holds, hold } = setUp();
		hold.told(report(1, '10'));
		assert.equal(holds.length, 1);
		assert.equal(holds[0][0], assignment.get('t', 1));
		assert.equal(holds[0][1], '10');
		hold.end();
	});

	it('a partition given away meanwhile is left to its new owner', async () => {
		const { assignment, holds, hold } = setUp();
		assignment.replace({ t: [0] }, 'm1');
		hold.joined('m1', false);
		hold.told(report(1, '10'));
		assert.deepEqual(holds, []);
		assert.deepEqual(await held(), { 'w t[0]': 0 });
		hold.end();
	});

	it('kafka_corrupt_batch_held: 0 for every partition owned, 1 while held, 0 once a batch reaching the base offset is processed', async () => {
		const { hold, logged } = setUp();
		assert.deepEqual(await held(), { 'w t[0]': 0, 'w t[1]': 0 });
		hold.told(report(1, '10'));
		assert.deepEqual(await held(), { 'w t[0]': 0, 'w t[1]': 1 });
		// The records before the corrupt batch, fetched again (a redelivery from before it): still held.
		hold.processed(batch(1, '5', '9'));
		// Nothing at or past the fetch offset (kafkajs' empty batch of compacted records): says nothing.
		hold.processed(batch(1, null, '12'));
		// Another partition's batch past offset 10.
		hold.processed(batch(0, '10', '20'));
		hold.told(report(1, '10')); // the next backoff's fetch, refused again
		assert.deepEqual(await held(), { 'w t[0]': 0, 'w t[1]': 1 });
		assert.deepEqual(logged, []);
		// The bytes good again: the batch at 10 (fetched from 10, or from inside it) is processed.
		hold.processed(batch(1, '10', '19'));
		assert.deepEqual(await held(), { 'w t[0]': 0, 'w t[1]': 0 });
		assert.deepEqual(logged, ['Kafka record batch at offset 10 of t[1] reads cleanly now; the partition goes on']);
		hold.processed(batch(1, '20', '29'));
		assert.equal(logged.length, 1, 'said once');
		hold.end();
	});

	it('a held partition stays held across a join that keeps it; given away, its series goes; close removes the rest', async () => {
		const { assignment, hold } = setUp();
		hold.told(report(0, '7'));
		assignment.replace({ t: [0, 1, 2] }, 'm1');
		hold.joined('m1', false);
		assert.deepEqual(await held(), { 'w t[0]': 1, 'w t[1]': 0, 'w t[2]': 0 });
		// A new member id (kafkajs restarted the consumer): partition 0 is newly assigned, still owned, still held.
		assignment.replace({ t: [0, 2] }, 'm2');
		hold.joined('m2', false);
		assert.deepEqual(await held(), { 'w t[0]': 1, 'w t[2]': 0 });
		assignment.replace({ t: [2] }, 'm2');
		hold.joined('m2', false);
		assert.deepEqual(await held(), { 'w t[2]': 0 });
		hold.told(report(0, '7')); // a fetch of the partition given away, answered after the join
		assert.deepEqual(await held(), { 'w t[2]': 0 });
		hold.end();
		assert.deepEqual(await held(), {});
	});

	it('a join while closing (a restart kafkajs began before close) leaves no series', async () => {
		const { hold } = setUp();
		hold.told(report(0, '7'));
		hold.joined('m2', true);
		assert.deepEqual(await held(), {});
		hold.end();
	});
});
