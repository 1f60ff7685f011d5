/**
 * kafkajs' own position reset after OffsetOutOfRange, made loud: the wrapper reports the offset the
 * refused fetch started at (offset-reset-watch.ts), and the next batch's fetch offset closes the
 * range the emitter reports lost (execution-emitter.ts). Offsets skipped without a reset (a
 * compacted topic, transaction markers) are no loss.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import type { EachBatchPayload } from 'kafkajs';

import { ExecutionEmitter, type EmitterContext } from '../../../src/kafka/execution-emitter';
import { fetchPosition, MemberResetWatch, watchedMemberCount, watchKafkajsOutOfRange, watchOutOfRangeResets, type OutOfRangeReset } from '../../../src/kafka/offset-reset-watch';
import { PartitionState } from '../../../src/kafka/partition-state';
import { metrics } from '../../../src/metrics/metrics';

function manager(resolved: Record<number, unknown>, committed: Record<number, unknown>) {
	return { offsetManager: { resolvedOffsets: { t: resolved }, committedOffsets: () => ({ t: committed }) } };
}

describe('fetchPosition: where the refused fetch started', () => {
	it('the resolved position first, else the committed offset', () => {
		assert.equal(fetchPosition(manager({ 0: '50' }, { 0: '30' }), 't', 0), 50n);
		assert.equal(fetchPosition(manager({}, { 0: '30' }), 't', 0), 30n);
	});
	it('none when kafkajs had no valid offset (no commit: -1) or no offset manager', () => {
		assert.equal(fetchPosition(manager({}, { 0: '-1' }), 't', 0), undefined);
		assert.equal(fetchPosition(manager({}, {}), 't', 0), undefined);
		assert.equal(fetchPosition({}, 't', 0), undefined);
	});
});

describe('MemberResetWatch: one consumer across its joins', () => {
	it('watches the member of the last join only, none joined while closing, none after end', () => {
		const before = watchedMemberCount();
		const watch = new MemberResetWatch('g', () => {});
		watch.joined('m1', false);
		watch.joined('m2', false);
		assert.equal(watchedMemberCount(), before + 1, 'the first member\'s watch ended at the second join');
		watch.joined('m3', true);
		assert.equal(watchedMemberCount(), before, 'a join after close() began (a kafkajs restart) leaves no watch behind');
		watch.joined('m4', false);
		watch.end();
		assert.equal(watchedMemberCount(), before);
	});
});

describe('the kafkajs wrapper', () => {
	it('tells the member watching it the offset, then lets kafkajs reset; nothing from a follower', async () => {
		assert.equal(watchKafkajsOutOfRange(), true);
		const ConsumerGroup = createRequire(__filename)('kafkajs/src/consumer/consumerGroup.js') as { prototype: { recoverFromOffsetOutOfRange(error: object): Promise<void> } };
		const seen: OutOfRangeReset[] = [];
		const defaults: string[] = [];
		const stop = watchOutOfRangeResets('g', 'm1', (reset) => seen.push(reset));
		const group = (replicas: Record<string, Record<number, number>>) => ({
			groupId: 'g',
			memberId: 'm1',
			preferredReadReplicasPerTopicPartition: replicas,
			logger: { error: () => {}, info: () => {} },
			offsetManager: { ...manager({ 0: '50' }, { 0: '30' }).offsetManager, setDefaultOffset: async ({ partition }: { partition: number }) => void defaults.push(`t[${partition}]`) },
		});
		try {
			await ConsumerGroup.prototype.recoverFromOffsetOutOfRange.call(group({}), { topic: 't', partition: 0 });
			assert.deepEqual(seen, [{ topic: 't', partition: 0, expected: 50n }]);
			assert.deepEqual(defaults, ['t[0]']);
			await ConsumerGroup.prototype.recoverFromOffsetOutOfRange.call(group({ t: { 0: 2 } }), { topic: 't', partition: 0 });
			assert.equal(seen.length, 1, 'a follower refusal is retried on the leader: no reset');
		} finally {
			stop();
		}
		await ConsumerGroup.prototype.recoverFromOffsetOutOfRange.call(group({}), { topic: 't', partition: 0 });
		assert.equal(seen.length, 1, 'nothing after the watch stopped');
	});
});

/** A batch fetched from `fetchedOffset` (the emitter below drains: it checks for a reset and launches nothing). */
function batch(fetchedOffset: string, offsets: string[]): EachBatchPayload {
	const messages = offsets.map((offset) => ({ offset, key: null, value: Buffer.from('{}'), timestamp: '0', attributes: 0, headers: {} }));
	return {
		batch: { topic: 'lost-topic', partition: 0, fetchedOffset, messages, highWatermark: '100' },
		isStale: () => false,
		isRunning: () => true,
		heartbeat: async () => {},
		resolveOffset: () => {},
	} as unknown as EachBatchPayload;
}

async function lost(): Promise<number> {
	const { values } = await metrics.kafkaMessagesLost.get();
	return values.filter((value) => value.labels.topic === 'lost-topic').reduce((sum, value) => sum + value.value, 0);
}

describe('the emitter reports what a reset skipped', () => {
	const errors: string[] = [];
	const log = () => {};
	const emitter = new ExecutionEmitter({
		options: { keepPartitionOrder: false, manual: false, maxRecordsPerExecution: 10, maxBytesPerExecution: 1_000_000, labels: { workflow: 'w', node: 'n' } },
		logger: { error: (message: string) => errors.push(message), warn: log, info: log, debug: log },
		window: { hasRoom: true },
		isClosing: () => false,
		isDraining: () => true,
	} as unknown as EmitterContext);

	it('a partition not fetched yet in this ownership, reset from 30 to 70: offsets 30 to 69 named, 40 counted', async () => {
		errors.length = 0;
		const before = await lost();
		const state = new PartitionState('lost-topic', 0);
		state.outOfRangeFrom = 30n;
		await emitter.emit(state, batch('70', ['70', '71']));
		assert.equal(errors.length, 1);
		assert.match(errors[0], /lost-topic\[0\] was reset to offset 70, above offset 30 where the sinker was to continue .*no longer holds offsets 30 to 69.*40 messages lost/);
		assert.equal((await lost()) - before, 40);
		assert.equal(state.outOfRangeFrom, undefined);
	});

	it('a batch starting above where the partition continues without a reset (compaction, markers): nothing lost', async () => {
		errors.length = 0;
		const before = await lost();
		const state = new PartitionState('lost-topic', 0);
		state.tracker.add(0n, 50n);
		await emitter.emit(state, batch('50', ['60', '61']));
		await emitter.emit(state, batch('62', ['62']));
		assert.deepEqual(errors, []);
		assert.equal(await lost(), before);
		assert.equal(state.tracker.running, 1, 'the tracked execution is kept');
	});
});
