/**
 * What the consumer does with a returning partition once decided (returning-partition-handlers.ts):
 * kept, it is fetched after its executions tracked (unless a redelivery is due); renewed, it is a new
 * state, re-seated, sought to the start given and, with Keep Order per Partition, fenced.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Admin } from 'kafkajs';

import { Assignment, PartitionState } from '../../../src/kafka/partition-state';
import { returningPartitionHandlers, type ReturningPartitionContext } from '../../../src/kafka/returning-partition-handlers';

/** t[0] returning under member-2: [0, 100) committed, [100, 200) running. */
function returning() {
	const assignment = new Assignment();
	assignment.replace({ t: [0] }, 'member-1');
	const state = assignment.get('t', 0) as PartitionState;
	state.tracker.succeed(state.tracker.add(0n, 100n));
	state.committed = 100n;
	state.tracker.add(100n, 200n);
	assignment.replace({ t: [0] }, 'member-2', true);
	return { assignment, state };
}

function context(assignment: Assignment, overrides: Partial<ReturningPartitionContext> = {}) {
	const seen: string[] = [];
	const ctx: ReturningPartitionContext = {
		groupId: 'g',
		assignment,
		admin: () => undefined,
		partitions: () => ({
			seek: (state: PartitionState, offset: bigint) => seen.push(`seek ${state.topic}[${state.partition}] ${offset}${state.revoked ? ' (revoked)' : ''}`) > 0,
			reseat: ({ revoked, added }) => void seen.push(`reseat -${revoked.length} +${added.length}`),
		}),
		fences: () => undefined,
		recentOffsets: () => undefined,
		isClosing: () => false,
		settled: () => void seen.push('settled'),
		...overrides,
	};
	return { handlers: returningPartitionHandlers(ctx), seen };
}

describe('returningPartitionHandlers', () => {
	it('keep: fetching goes on after the executions tracked; in backoff the redelivery seeks when due', () => {
		const { assignment, state } = returning();
		const { handlers, seen } = context(assignment);
		handlers.keep(state);
		assert.deepEqual(seen, ['seek t[0] 200']);
		state.backoffTimer = setTimeout(() => {}, 0);
		handlers.keep(state);
		clearTimeout(state.backoffTimer);
		assert.deepEqual(seen, ['seek t[0] 200'], 'no seek while in backoff');
	});

	it('renew: a new state in its place, re-seated and sought to the start; fenced when the order is kept', () => {
		const { assignment, state } = returning();
		const fenced: PartitionState[][] = [];
		const { handlers, seen } = context(assignment, { fences: () => ({ onAssignment: (added) => void fenced.push([...added]) }) });
		handlers.renew(state, 120n);
		const fresh = assignment.get('t', 0) as PartitionState;
		assert.notEqual(fresh, state);
		assert.equal(state.revoked, true);
		assert.deepEqual(seen, ['reseat -1 +1', 'seek t[0] 120']);
		assert.deepEqual(fenced, [[fresh]]);
		handlers.renew(state, 120n);
		assert.equal(seen.length, 2, 'no longer the current state: nothing');
	});

	// Late review session 20, H1: another member's compacted-hold mark at the same offset is what makes a
	// returning partition "moved"; renewed without the lookup, it was fetched at once with Skip and its next
	// commit dropped the mark for the whole group.
	it('renew: the new state waits for the compacted-hold lookup of the group\'s marks, as a newly assigned one', () => {
		const { assignment, state } = returning();
		const looked: PartitionState[][] = [];
		const { handlers } = context(assignment, { holdLookup: () => ({ onAssignment: (added) => void looked.push([...added]) }) });
		handlers.renew(state, 120n);
		assert.deepEqual(looked, [[assignment.get('t', 0)]]);
	});

	it('renew without a start known: where kafkajs starts it, no seek', () => {
		const { assignment, state } = returning();
		const { handlers, seen } = context(assignment);
		handlers.renew(state, undefined);
		assert.deepEqual(seen, ['reseat -1 +1']);
	});

	it('lookup reads the group\'s offsets through the admin client; without one it fails (the partition is renewed)', async () => {
		const { assignment, state } = returning();
		await assert.rejects(context(assignment).handlers.lookup([state]), /no admin client/);
		const admin = { fetchOffsets: async () => [{ topic: 't', partitions: [{ partition: 0, offset: '100', metadata: 'm' }] }] } as unknown as Admin;
		const found = await context(assignment, { admin: () => admin }).handlers.lookup([state]);
		assert.deepEqual(found.get(state), { offset: 100n, metadata: 'm' });
	});
});
