/**
 * One partition's ExecutionEmitter over fakes, for the emitter's redelivery tests: fetches as kafkajs
 * hands them over, executions that stay running, seeks and errors recorded.
 */
import type { EachBatchPayload } from 'kafkajs';

import type { ExecutionOutcome, SinkExecution } from '../../../src/kafka/consumer-options';
import { ExecutionEmitter, type EmitterContext } from '../../../src/kafka/execution-emitter';
import { PartitionState } from '../../../src/kafka/partition-state';

/**
 * A fetch from `fetchedOffset` whose messages are `offsets`; its last record is `lastRecord` (the last
 * message's by default), and the offsets the emitter resolves land in `resolved`.
 */
export function fetchOf(fetchedOffset: string, offsets: string[], lastRecord = offsets[offsets.length - 1], resolved: string[] = []): EachBatchPayload {
	const messages = offsets.map((offset) => ({ offset, key: null, value: Buffer.from('{}'), timestamp: '0', attributes: 0, headers: {} }));
	return {
		batch: { topic: 't', partition: 0, fetchedOffset, messages, highWatermark: '100', lastOffset: () => lastRecord },
		isStale: () => false,
		isRunning: () => true,
		heartbeat: async () => {},
		resolveOffset: (offset: string) => resolved.push(offset),
	} as unknown as EachBatchPayload;
}

/** The emitter of partition t/0 (Keep Order per Partition as asked), whose executions never finish by themselves. */
export function emitterWorld(keepPartitionOrder = false) {
	const executions: SinkExecution[] = [];
	const seeks: bigint[] = [];
	const errors: string[] = [];
	const warnings: string[] = [];
	const log = () => {};
	const state = new PartitionState('t', 0);
	if (keepPartitionOrder) {
		// HELD already committed with a lease far ahead (no fencing here).
		state.announced = true;
		state.leaseCommitted = Date.now() + 3_600_000;
		state.heldUntil = state.leaseCommitted;
	}
	const context = {
		options: { keepPartitionOrder, manual: false, maxRecordsPerExecution: 100, maxBytesPerExecution: 1_000_000, labels: { workflow: 'w', node: 'n' }, executionTimeoutMs: 0 },
		logger: { error: (message: string) => errors.push(message), warn: (message: string) => warnings.push(message), info: log, debug: log },
		stats: { messages: 0, parseErrors: 0, tombstonesSkipped: 0, executionsStarted: 0, executionsSucceeded: 0, executionsFailed: 0 },
		parser: { parse: (messages: Array<{ offset: string }>, from: number, to: number) => ({ items: messages.slice(from, to).map((m) => ({ json: { offset: m.offset } })), parseErrors: 0, tombstonesSkipped: 0 }) },
		window: { hasRoom: true, acquire: () => {}, release: () => {} },
		partitions: {
			seek: (_state: PartitionState, offset: bigint) => {
				seeks.push(offset);
				state.positionEpoch++;
				return true;
			},
		},
		committer: { request: () => {}, announce: async () => true },
		runExecution: async (execution: SinkExecution): Promise<ExecutionOutcome> => {
			executions.push(execution);
			return new Promise<ExecutionOutcome>(() => {}); // still running
		},
		executionsSignal: new AbortController().signal,
		isClosing: () => false,
		isDraining: () => false,
		syncPaused: () => {},
	} as unknown as EmitterContext;
	return { emitter: new ExecutionEmitter(context), state, executions, seeks, errors, warnings };
}
