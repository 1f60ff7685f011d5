/**
 * Keep Order per Partition: an execution is launched with its whole Execution Timeout even when it
 * waited for a slot in the window, or for a Schema Registry parse. The lease (HELD mark) was committed
 * before the wait for room, and loadBy = min(now + Execution Timeout, lease) took the wait out of the
 * execution's deadline: with Execution Timeout 120 s and a 100 s wait, 50 s were left to load (review
 * session 21, P3). Now the cheap refusals come first, then the wait for room, then the lease is checked
 * and renewed; after a registry parse that kept it waiting, it is checked again.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';

import type { SinkExecution } from '../../../src/kafka/consumer-options';
import { ExecutionEmitter, type EmitterContext } from '../../../src/kafka/execution-emitter';
import type { ParsedChunk } from '../../../src/kafka/message-parser';
import { PartitionState } from '../../../src/kafka/partition-state';
import { fetchOf } from './emitter-support';

const TIMEOUT_MS = 120_000;
/** How long the window stays full, or the registry parse takes: another partition's execution, well within its own timeout. */
const WAIT_MS = 100_000;

/** A Keep Order emitter of t/0 on a clock that only the waits move; `waitIn` says which wait takes WAIT_MS. */
function world(waitIn: 'window' | 'registry') {
	let now = 1_000_000;
	mock.method(Date, 'now', () => now);
	let room = waitIn !== 'window';
	const executions: SinkExecution[] = [];
	const announcedAt: number[] = [];
	const state = new PartitionState('t', 0);
	const items = (messages: Array<{ offset: string }>, from: number, to: number): ParsedChunk => ({ items: messages.slice(from, to).map((m) => ({ json: { offset: m.offset } })), parseErrors: 0, tombstonesSkipped: 0 });
	const ctx = {
		options: { keepPartitionOrder: true, manual: false, maxRecordsPerExecution: 100, maxBytesPerExecution: 1_000_000, labels: { workflow: 'w', node: 'n' }, executionTimeoutMs: TIMEOUT_MS },
		logger: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} },
		stats: { messages: 0, parseErrors: 0, tombstonesSkipped: 0, executionsStarted: 0, executionsSucceeded: 0, executionsFailed: 0 },
		parser: {
			parse: (messages: Array<{ offset: string }>, from: number, to: number) => {
				if (waitIn !== 'registry') return items(messages, from, to);
				now += WAIT_MS;
				return Promise.resolve(items(messages, from, to));
			},
		},
		window: {
			get hasRoom() {
				return room;
			},
			acquire: () => {},
			release: () => {},
			waitForChange: async () => {
				now += WAIT_MS;
				room = true;
				return true;
			},
		},
		partitions: { seek: () => true },
		committer: {
			request: () => {},
			announce: async (s: PartitionState, _offset: bigint, until: number) => {
				announcedAt.push(now);
				s.heldUntil = until;
				s.leaseCommitted = until; // as confirm() does once the broker accepted the HELD mark
				s.announced = true;
				return true;
			},
		},
		runExecution: async (execution: SinkExecution) => {
			executions.push(execution);
			return { ok: true };
		},
		pollMs: 1000,
		closeSignal: new AbortController().signal,
		executionsSignal: new AbortController().signal,
		isClosing: () => false,
		isDraining: () => false,
		syncPaused: () => {},
	} as unknown as EmitterContext;
	return { emitter: new ExecutionEmitter(ctx), state, executions, announcedAt, now: () => now };
}

describe('Keep Order: the lease is taken once the execution can start', () => {
	afterEach(() => mock.restoreAll());

	it('an execution that waited for room is launched with its whole Execution Timeout; the lease is committed after the wait', async () => {
		const w = world('window');
		await w.emitter.emit(w.state, fetchOf('0', ['0', '1']));
		assert.equal(w.executions.length, 1);
		const budget = (w.executions[0].loadBy as number) - w.now();
		assert.equal(budget, TIMEOUT_MS, `launched with ${budget} ms of its ${TIMEOUT_MS} ms Execution Timeout`);
		assert.deepEqual(w.announcedAt, [w.now()], 'HELD committed when the slot was free, not before the wait');
	});

	it('an execution whose registry parse outlasted the lease\'s slack is launched with its whole Execution Timeout (the lease renewed)', async () => {
		const w = world('registry');
		await w.emitter.emit(w.state, fetchOf('0', ['0', '1']));
		assert.equal(w.executions.length, 1);
		const budget = (w.executions[0].loadBy as number) - w.now();
		assert.equal(budget, TIMEOUT_MS, `launched with ${budget} ms of its ${TIMEOUT_MS} ms Execution Timeout`);
		assert.equal(w.announcedAt.length, 2, 'announced, then renewed after the parse');
	});
});
