/**
 * observer.onCommitRequest sees every offset the committer hands kafkajs, before kafkajs has it, and
 * a commit retried after a failed one asks again for the end of the finished prefix only. The
 * reliability harness checks Doris there (test/reliability/harness/pipeline.ts): checked only at the
 * broker's confirmation, a commit ahead of Doris whose rows loaded before the answer came went unseen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Consumer } from 'kafkajs';

import { committerWithoutBroker } from './sinker-internals';
import { Assignment, type PartitionState } from '../../../src/kafka/partition-state';

test('every commit is shown to onCommitRequest before kafkajs gets it; after a failed commit, still only the finished prefix', async () => {
	const assignment = new Assignment();
	assignment.replace({ t: [0] }, 'member-1');
	const state = assignment.get('t', 0) as PartitionState;
	const first = state.tracker.add(0n, 10n);
	state.tracker.add(10n, 20n); // still running: nothing past 10 may be committed
	state.tracker.succeed(first);
	const events: string[] = [];
	let failing = true;
	const consumer = {
		commitOffsets: async (offsets: Array<{ partition: number; offset: string }>) => {
			events.push(...offsets.map((o) => `kafkajs ${o.partition}:${o.offset}`));
			if (failing) throw new Error('The coordinator is not aware of this member');
		},
	} as unknown as Consumer;
	const committer = committerWithoutBroker(consumer, assignment, { observer: { onCommitRequest: (_topic: string, partition: number, offset: string) => events.push(`request ${partition}:${offset}`) } });
	const settle = () => new Promise((resolve) => setImmediate(resolve));
	committer.request();
	await settle();
	failing = false;
	committer.request(); // the retry after the failed commit
	await settle();
	committer.cancelRetry();
	assert.deepEqual(events, ['request 0:10', 'kafkajs 0:10', 'request 0:10', 'kafkajs 0:10']);
});

// A request made after a commit round's last check and before its promise's finally cleared
// `committing` found a round running, folded into it, and was never served: the finished executions'
// offsets waited for the next request (none, at the end of a topic's traffic), and an n8n killed
// meanwhile delivered them again. Tried at every microtask of that gap.
test('a request made while a commit round is ending starts a new round', async () => {
	const missed: number[] = [];
	for (let ticks = 0; ticks < 12; ticks++) {
		const assignment = new Assignment();
		assignment.replace({ t: [0] }, 'member-1');
		const state = assignment.get('t', 0) as PartitionState;
		state.tracker.succeed(state.tracker.add(0n, 10n));
		const sent: string[] = [];
		let release = (): void => undefined;
		const consumer = {
			commitOffsets: (offsets: Array<{ partition: number; offset: string }>) => {
				sent.push(...offsets.map((o) => o.offset));
				return new Promise<void>((resolve) => {
					release = () => {
						for (const o of offsets) state.committed = BigInt(o.offset);
						resolve();
					};
				});
			},
		} as unknown as Consumer;
		const committer = committerWithoutBroker(consumer, assignment);
		const settle = () => new Promise((resolve) => setImmediate(resolve));
		committer.request();
		await settle();
		release();
		for (let i = 0; i < ticks; i++) await Promise.resolve();
		state.tracker.succeed(state.tracker.add(10n, 20n));
		committer.request();
		await settle();
		release();
		await settle();
		committer.cancelRetry();
		if (!sent.includes('20')) missed.push(ticks);
	}
	assert.deepEqual(missed, [], 'microtask delays after which the request was lost');
});
