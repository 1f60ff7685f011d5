// kafkajs' Runner.heartbeat with the rebalance hook (src/kafka/rebalance-hook.ts), driven directly: a
// REBALANCE_IN_PROGRESS met by any heartbeat of the runner waits for the hook of its eachBatch handler
// before kafkajs sees the error; other errors and other runners pass straight through.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { onRebalanceFound } from '../../../src/kafka/rebalance-hook';

interface Runner {
	heartbeat(): Promise<void>;
}
type RunnerClass = new (options: object) => Runner;

const Runner = createRequire(__filename)('kafkajs/src/consumer/runner.js') as RunnerClass;
const quiet = { namespace: () => quiet, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A runner whose group answers every heartbeat with `answer` (thrown when it is an error). */
function runner(eachBatch: object, answer: () => Promise<void>) {
	const sent: number[] = [];
	const consumerGroup = {
		heartbeat: async ({ interval }: { interval: number }) => {
			sent.push(interval);
			await answer();
		},
	};
	const made = new Runner({ logger: quiet, consumerGroup, instrumentationEmitter: { emit: () => {} }, eachBatch, heartbeatInterval: 1234, autoCommit: false, onCrash: () => {} });
	return { runner: made, sent };
}

function kafkaError(type: string): Error {
	return Object.assign(new Error(`The group is ${type}`), { type });
}

describe('rebalance hook', () => {
	it('a rebalance met by a heartbeat runs the hook (with a heartbeat of its own) before the error goes on', async () => {
		const eachBatch = async () => {};
		const events: string[] = [];
		assert.equal(
			onRebalanceFound(eachBatch, async (heartbeat) => {
				events.push('hook');
				await heartbeat().catch(() => events.push('heartbeat during the hook'));
				events.push('hook done');
			}),
			true,
		);
		const { runner: r, sent } = runner(eachBatch, async () => {
			throw kafkaError('REBALANCE_IN_PROGRESS');
		});
		await assert.rejects(
			r.heartbeat().finally(() => events.push('error')),
			{ type: 'REBALANCE_IN_PROGRESS' },
		);
		assert.deepEqual(events, ['hook', 'heartbeat during the hook', 'hook done', 'error']);
		assert.deepEqual(sent, [1234, 1234], "the hook's heartbeat went to the group with the runner's interval, not through the hook again");
	});

	it('other errors, a successful heartbeat and runners of other handlers do not run the hook; a failing hook does not hide the rebalance', async () => {
		let calls = 0;
		const eachBatch = async () => {};
		onRebalanceFound(eachBatch, async () => {
			calls++;
			throw new Error('hook failed');
		});
		await assert.rejects(runner(eachBatch, async () => Promise.reject(kafkaError('ILLEGAL_GENERATION'))).runner.heartbeat(), { type: 'ILLEGAL_GENERATION' });
		await runner(eachBatch, async () => {}).runner.heartbeat();
		await assert.rejects(runner(async () => {}, async () => Promise.reject(kafkaError('REBALANCE_IN_PROGRESS'))).runner.heartbeat(), { type: 'REBALANCE_IN_PROGRESS' });
		assert.equal(calls, 0);
		await assert.rejects(runner(eachBatch, async () => Promise.reject(kafkaError('REBALANCE_IN_PROGRESS'))).runner.heartbeat(), { type: 'REBALANCE_IN_PROGRESS' });
		assert.equal(calls, 1);
	});
});
