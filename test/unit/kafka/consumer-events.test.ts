/**
 * Which part each kafkajs consumer event reaches (consumer-events.ts). The one with logic of its own: a
 * fetch kafkajs filtered whole (a transaction's marker, an aborted transaction) never reaches eachBatch,
 * so it is passed over here, or its partition would never commit past it; not while closing, and not for a
 * partition this member does not own.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';

import type { Consumer } from 'kafkajs';

import { listenToConsumerEvents } from '../../../src/kafka/consumer-events';
import type { PartitionState } from '../../../src/kafka/partition-state';

const EVENTS = { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', COMMIT_OFFSETS: 'commit', START_BATCH_PROCESS: 'start', CRASH: 'crash' };

function listening(flags: { closing?: boolean } = {}) {
	const seen: string[] = [];
	const kafkajs = new EventEmitter();
	const owned = { topic: 't', partition: 0 } as PartitionState;
	const consumer = { events: EVENTS, on: (event: string, listener: (e: unknown) => void) => kafkajs.on(event, listener) } as unknown as Pick<Consumer, 'on' | 'events'>;
	listenToConsumerEvents(consumer, {
		groupId: 'g',
		logger: { debug() {}, info: (m: string) => seen.push(`info: ${m}`), warn() {}, error() {} },
		assignment: { get: (topic, partition) => (topic === 't' && partition === 0 ? owned : undefined) },
		committer: { request: () => seen.push('commit requested'), confirm: (topic, partition, offset, metadata) => seen.push(`confirmed ${topic}/${partition} ${offset} ${metadata}`) },
		emitter: { passFiltered: (state, first, end) => seen.push(`passed over ${state.topic}/${state.partition} [${first}, ${end})`) },
		corruptBatchHold: { processed: (batch) => seen.push(`batch start ${batch.topic}/${batch.partition}`) },
		crash: {
			options: { groupId: 'g', connection: { brokers: ['127.0.0.1:9092'], clientId: 'x' } },
			logger: { debug() {}, info() {}, warn() {}, error() {} },
			isClosing: () => flags.closing === true,
			isStarted: () => true,
			join: () => undefined,
			restarting: (error) => seen.push(`restarting: ${error.message}`),
		},
		isClosing: () => flags.closing === true,
		joined: (assignment, memberId) => seen.push(`joined ${memberId} ${JSON.stringify(assignment)}`),
	});
	const batchStart = (payload: { topic: string; partition: number; batchSize: number; firstOffset: string | null; lastOffset: string }) => kafkajs.emit('start', { payload });
	return { kafkajs, seen, batchStart };
}

describe('listenToConsumerEvents', () => {
	it('passes over a fetch kafkajs filtered whole, up to its last offset; the corrupt-batch hold sees every batch start', () => {
		const { seen, batchStart } = listening();
		batchStart({ topic: 't', partition: 0, batchSize: 0, firstOffset: '5', lastOffset: '9' });
		assert.deepEqual(seen, ['batch start t/0', 'passed over t/0 [5, 10)']);
	});

	it('passes nothing over for a batch with records, an empty fetch, a partition not owned, or while closing', () => {
		const { seen, batchStart } = listening();
		batchStart({ topic: 't', partition: 0, batchSize: 3, firstOffset: '5', lastOffset: '9' });
		batchStart({ topic: 't', partition: 0, batchSize: 0, firstOffset: null, lastOffset: '9' });
		batchStart({ topic: 't', partition: 1, batchSize: 0, firstOffset: '5', lastOffset: '9' });
		const closing = listening({ closing: true });
		closing.batchStart({ topic: 't', partition: 0, batchSize: 0, firstOffset: '5', lastOffset: '9' });
		assert.deepEqual(seen, ['batch start t/0', 'batch start t/0', 'batch start t/1']);
		assert.deepEqual(closing.seen, ['batch start t/0']);
	});

	it('confirms each committed partition with its metadata, asks for a commit when the group rebalances, tells a join and a crash', () => {
		const { kafkajs, seen } = listening();
		kafkajs.emit('commit', { payload: { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '7', metadata: 'm' }, { partition: 1, offset: '3' }] }] } });
		kafkajs.emit('rebalancing', {});
		kafkajs.emit('join', { payload: { memberAssignment: { t: [0] }, memberId: 'member-1' } });
		kafkajs.emit('crash', { payload: { error: new Error('boom'), restart: true } });
		assert.deepEqual(seen, ['confirmed t/0 7 m', 'confirmed t/1 3 null', 'info: Kafka group is rebalancing', 'commit requested', 'joined member-1 {"t":[0]}', 'restarting: Kafka error: boom']);
	});
});
