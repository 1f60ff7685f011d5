import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Assignment, PartitionState } from '../../../src/kafka/partition-state';
import { leftAsItWas, ReturningPartitions, type GroupOffset } from '../../../src/kafka/returning-partitions';

const quiet = { info: () => {} };

/** A partition this process handed executions out for: [0, 100) done and committed, [100, 200) running. */
function handedOut(assignment: Assignment): PartitionState {
	const state = assignment.get('t', 0) as PartitionState;
	const done = state.tracker.add(0n, 100n);
	state.tracker.succeed(done);
	state.committed = 100n;
	state.tracker.add(100n, 200n);
	return state;
}

describe('Assignment.replace with returning partitions', () => {
	it('a partition back under a new member id keeps its state, returning, when it had handed executions out', () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0, 1, 2] }, 'member-1');
		const state = handedOut(assignment);
		const change = assignment.replace({ t: [0, 1] }, 'member-2', true);
		assert.deepEqual(change.returned, [state]);
		assert.equal(state.returning, true);
		assert.equal(state.revoked, false, 'its executions in flight still count until the group\'s offset is read');
		// t:1 had handed nothing out: nothing to keep, newly assigned; t:2 went elsewhere.
		assert.deepEqual(change.added.map((s) => s.partition), [1]);
		assert.deepEqual(change.revoked.map((s) => s.partition).sort(), [1, 2]);
		assert.deepEqual(change.retained, []);
	});

	it('without keepReturning (an editor test run) a new member id still makes every partition new', () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0] }, 'member-1');
		const state = handedOut(assignment);
		const change = assignment.replace({ t: [0] }, 'member-2');
		assert.deepEqual(change.returned, []);
		assert.equal(state.revoked, true);
	});

	it('renew revokes the returning state and puts a new one in its place', () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0] }, 'member-1');
		const state = handedOut(assignment);
		assignment.replace({ t: [0] }, 'member-2', true);
		const fresh = assignment.renew(state);
		assert.ok(fresh);
		assert.equal(state.revoked, true, 'outcomes of the old executions are ignored from now on');
		assert.equal(assignment.get('t', 0), fresh);
		assert.equal(fresh.tracker.nextOffset, undefined);
		assert.equal(assignment.renew(state), undefined, 'no longer the current state');
	});

	it('a join under yet another member id starts a new check', () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0] }, 'member-1');
		const state = handedOut(assignment);
		assignment.replace({ t: [0] }, 'member-2', true);
		const first = state.returnCheck;
		assignment.replace({ t: [0] }, 'member-3', true);
		assert.equal(state.returnCheck, first + 1);
		assert.equal(assignment.get('t', 0), state);
	});
});

describe('leftAsItWas', () => {
	const state = (committed: bigint | undefined, committedMetadata: string | null) => ({ committed, committedMetadata });
	it('holds only for the offset and metadata this process last saw confirmed', () => {
		assert.equal(leftAsItWas(state(100n, null), { offset: 100n, metadata: '' }), true, 'Kafka stores no metadata as an empty string');
		assert.equal(leftAsItWas(state(100n, null), { offset: 100n, metadata: null }), true);
		assert.equal(leftAsItWas(state(undefined, null), { offset: undefined, metadata: '' }), true, 'nobody committed, this process neither');
		assert.equal(leftAsItWas(state(100n, null), { offset: 150n, metadata: '' }), false, 'another consumer committed past it');
		assert.equal(leftAsItWas(state(100n, null), { offset: 50n, metadata: '' }), false);
		assert.equal(leftAsItWas(state(undefined, null), { offset: 0n, metadata: '' }), false);
		assert.equal(leftAsItWas(state(100n, 'n8n-doris-sinker:held:1000'), { offset: 100n, metadata: 'n8n-doris-sinker:held:2000' }), false, 'another owner marked it HELD (Keep Order)');
		assert.equal(leftAsItWas(state(100n, null), undefined), false, 'not read: newly assigned');
	});
});

describe('ReturningPartitions', () => {
	function setup(answer: (states: readonly PartitionState[]) => Promise<Map<PartitionState, GroupOffset>>, boundMs?: number) {
		const kept: PartitionState[] = [];
		const renewed: PartitionState[] = [];
		let settled = 0;
		const returning = new ReturningPartitions(
			quiet,
			{ lookup: answer, keep: (s) => kept.push(s), renew: (s) => renewed.push(s), isClosing: () => false, settled: () => settled++ },
			boundMs,
		);
		return { returning, kept, renewed, settled: () => settled };
	}

	it('keeps a partition whose group offset is where this process left it, renews the others', async () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0, 1] }, 'member-1');
		const mine = handedOut(assignment);
		const other = assignment.get('t', 1) as PartitionState;
		other.tracker.add(0n, 50n);
		const change = assignment.replace({ t: [0, 1] }, 'member-2', true);
		const { returning, kept, renewed, settled } = setup(async (states) => new Map(states.map((s) => [s, { offset: s === mine ? 100n : 30n, metadata: '' }])));
		await returning.onReturn(change.returned);
		assert.deepEqual(kept, [mine]);
		assert.equal(mine.returning, false);
		assert.deepEqual(renewed, [other], 'another consumer committed 30 where this process had none');
		assert.equal(settled(), 1);
	});

	it('renews every partition when the offsets cannot be read, or not within the bound', async () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0] }, 'member-1');
		const state = handedOut(assignment);
		assignment.replace({ t: [0] }, 'member-2', true);
		const failing = setup(async () => Promise.reject(new Error('coordinator not available')));
		await failing.returning.onReturn([state]);
		assert.deepEqual(failing.renewed, [state]);
		const silent = setup(() => new Promise(() => {}), 20);
		await silent.returning.onReturn([state]);
		assert.deepEqual(silent.renewed, [state]);
	});

	it('drops the answer of a check a later join replaced, or for a partition given up since', async () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0, 1] }, 'member-1');
		const state = handedOut(assignment);
		const other = assignment.get('t', 1) as PartitionState;
		other.tracker.add(0n, 50n);
		assignment.replace({ t: [0, 1] }, 'member-2', true);
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const { returning, kept, renewed } = setup(async (states) => {
			await gate;
			return new Map(states.map((s) => [s, { offset: s.committed, metadata: '' }]));
		});
		const check = returning.onReturn([state, other]);
		assignment.replace({ t: [0] }, 'member-3', true); // t:0 returning again (a new check), t:1 given up
		release();
		await check;
		assert.deepEqual(kept, []);
		assert.deepEqual(renewed, []);
		assert.equal(state.returning, true, 'the later check decides');
	});
});
