// Tombstones "Skip" (the default) on a compacted changelog whose tombstones are its deletes drops every
// delete; before, only kafka_tombstones_skipped_total said so. The emitter now warns once per partition,
// naming the topic, partition, offset and key of the first tombstone it skipped there, and says which
// setting deletes instead; the trigger turns the warning off where a Doris Schema node reads Debezium
// Envelopes (their tombstones follow the op d event that deletes). Through the real message parser.
// Also the warning about values holding the Doris nodes' own `_doris` / `_kafka`, which their items leave out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EachBatchPayload } from 'kafkajs';

import type { ExecutionOutcome, SinkExecution } from '../../../src/kafka/consumer-options';
import { ExecutionEmitter, type EmitterContext } from '../../../src/kafka/execution-emitter';
import { createMessageParser } from '../../../src/kafka/message-parser';
import { PartitionState } from '../../../src/kafka/partition-state';

type Message = { offset: string; key: string | null; value: string | null };

function batch(partition: number, messages: Message[]): EachBatchPayload {
	const kafkajs = messages.map((m) => ({ offset: m.offset, key: m.key === null ? null : Buffer.from(m.key), value: m.value === null ? null : Buffer.from(m.value), timestamp: '0', attributes: 0, headers: {} }));
	return {
		batch: { topic: 'users', partition, fetchedOffset: messages[0].offset, messages: kafkajs, highWatermark: '100', lastOffset: () => messages[messages.length - 1].offset },
		isStale: () => false,
		isRunning: () => true,
		heartbeat: async () => {},
		resolveOffset: () => {},
	} as unknown as EachBatchPayload;
}

function world(warnSkippedTombstones?: boolean) {
	const warnings: string[] = [];
	const log = () => {};
	const context = {
		options: { keepPartitionOrder: false, maxRecordsPerExecution: 100, maxBytesPerExecution: 1_000_000, labels: { workflow: 'w', node: 'n' }, executionTimeoutMs: 0, warnSkippedTombstones },
		logger: { error: log, warn: (message: string) => warnings.push(message), info: log, debug: log },
		stats: { messages: 0, parseErrors: 0, tombstonesSkipped: 0, executionsStarted: 0, executionsSucceeded: 0, executionsFailed: 0 },
		parser: createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip' }),
		window: { hasRoom: true, acquire: () => {}, release: () => {} },
		partitions: { seek: () => true },
		committer: { request: () => {} },
		runExecution: async (_execution: SinkExecution): Promise<ExecutionOutcome> => new Promise<ExecutionOutcome>(() => {}),
		executionsSignal: new AbortController().signal,
		isClosing: () => false,
		isDraining: () => false,
		syncPaused: () => {},
	} as unknown as EmitterContext;
	return { emitter: new ExecutionEmitter(context), warnings, stats: context.stats };
}

const changes = (from: number, partition: number): Message[] => [
	{ offset: String(from), key: `{"id":${partition}1}`, value: `{"id":${partition}1}` },
	{ offset: String(from + 1), key: `{"id":${partition}2}`, value: null },
	{ offset: String(from + 2), key: `{"id":${partition}3}`, value: null },
];

test('a skipped tombstone is warned about once per partition, naming its position and key and the setting that deletes', async () => {
	const { emitter, warnings, stats } = world();
	await emitter.emit(new PartitionState('users', 0), batch(0, changes(0, 0)));
	await emitter.emit(new PartitionState('users', 0), batch(0, changes(3, 0)));
	assert.equal(stats.tombstonesSkipped, 4, 'still counted');
	assert.equal(warnings.length, 1, warnings.join('\n'));
	assert.match(warnings[0], /skipped a tombstone \(a message whose value is null\) on users\[0\] at offset 1, key \{"id":02\}/);
	assert.match(warnings[0], /Tombstones "Delete the Row of Its Key"/);
	assert.match(warnings[0], /kafka_tombstones_skipped_total/);
	await emitter.emit(new PartitionState('users', 1), batch(1, changes(0, 1)));
	assert.equal(warnings.length, 2);
	assert.match(warnings[1], /users\[1\] at offset 1, key \{"id":12\}/);
});

test('no warning where the trigger says the tombstones follow Debezium deletes (warnSkippedTombstones false)', async () => {
	const { emitter, warnings, stats } = world(false);
	await emitter.emit(new PartitionState('users', 0), batch(0, changes(0, 0)));
	assert.equal(stats.tombstonesSkipped, 2);
	assert.deepEqual(warnings, []);
});

test('values with their own _doris or _kafka: one warning per execution and field, naming the position, the field and why it is not loaded', async () => {
	const { emitter, warnings } = world();
	const own = (from: number): Message[] => [
		{ offset: String(from), key: null, value: '{"id":1}' },
		{ offset: String(from + 1), key: null, value: '{"id":2,"_doris":{"table":"old"},"_kafka":{"offset":"7"}}' },
		{ offset: String(from + 2), key: null, value: '{"id":3,"_doris":{"loadBy":1}}' },
	];
	await emitter.emit(new PartitionState('users', 0), batch(0, own(0)));
	assert.equal(warnings.length, 2, warnings.join('\n'));
	assert.match(warnings[0], /^Kafka trigger: 2 message\(s\) of users\[0\] from offset 1 have their own top-level "_doris" field.*left out of their items, so their "_doris" loads only into a table column of that name.*dead letter/);
	assert.match(warnings[1], /^Kafka trigger: 1 message\(s\) of users\[0\] from offset 1 have their own top-level "_kafka" field.*Include Metadata/);
	await emitter.emit(new PartitionState('users', 0), batch(0, own(3)));
	assert.equal(warnings.length, 4, 'once per execution');
	await emitter.emit(new PartitionState('users', 0), batch(0, [{ offset: '6', key: null, value: '{"id":4}' }]));
	assert.equal(warnings.length, 4);
});
