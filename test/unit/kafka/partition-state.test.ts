import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Assignment, PartitionState } from '../../../src/kafka/partition-state';

const key = (states: ReadonlyArray<{ topic: string; partition: number }>) => states.map((s) => `${s.topic}:${s.partition}`).sort();

describe('Assignment.replace', () => {
	it('keeps the partitions a rejoin of the same member gets again, drops and adds the others', () => {
		const assignment = new Assignment();
		const first = assignment.replace({ t: [0, 1] }, 'member-1');
		assert.deepEqual(key(first.added), ['t:0', 't:1']);
		const kept = assignment.get('t', 0);
		const change = assignment.replace({ t: [0, 2] }, 'member-1');
		assert.deepEqual(key(change.retained), ['t:0']);
		assert.deepEqual(key(change.added), ['t:2']);
		assert.deepEqual(key(change.revoked), ['t:1']);
		assert.equal(assignment.get('t', 0), kept, 'same ownership, same state: its executions in flight still count');
		assert.equal(kept?.revoked, false);
	});

	it('a new member id (the group forgot this consumer: session expired) makes every partition newly assigned, even one it had before', () => {
		const assignment = new Assignment();
		assignment.replace({ t: [0, 1] }, 'member-1');
		const before = assignment.get('t', 0);
		// Between the two joins another consumer may have owned t:0 and have rows of it still loading.
		const change = assignment.replace({ t: [0] }, 'member-2');
		assert.deepEqual(change.retained, []);
		assert.deepEqual(key(change.added), ['t:0'], 't:0 goes through the fence like any partition taken over');
		assert.deepEqual(key(change.revoked), ['t:0', 't:1']);
		assert.equal(before?.revoked, true, 'outcomes of the old ownership\'s executions are ignored');
		assert.notEqual(assignment.get('t', 0), before);
	});
});

describe('Assignment.dropTopics', () => {
	it('forgets the partitions of a deleted topic, revoked so their outcomes are ignored, and keeps the others', () => {
		const assignment = new Assignment();
		assignment.replace({ kept: [0, 1], dropped: [0] }, 'member-1');
		const dropped = assignment.get('dropped', 0);
		const kept = assignment.get('kept', 0);
		assignment.dropTopics(['dropped']);
		assert.deepEqual(key([...assignment.all()]), ['kept:0', 'kept:1'], 'nothing commits the deleted topic again');
		assert.equal(dropped?.revoked, true);
		assert.equal(kept?.revoked, false);
		assert.equal(assignment.get('dropped', 0), undefined);
	});
});

describe('PartitionState fence', () => {
	it('ends when its timer fires, even when the wall clock still reads a millisecond short of its end', (t) => {
		// Node runs timers on the monotonic clock in whole milliseconds: a timer of N ms can fire while
		// Date.now() reads its start + N - 1 (measured: 5 of 2,000 timers). A fence that outlived its
		// timer kept the partition paused with nothing left to resume it: never fetched again.
		t.mock.timers.enable({ apis: ['setTimeout'] });
		let wall = 1_800_000_000_000;
		t.mock.method(Date, 'now', () => wall);
		const state = new PartitionState('t', 0);
		const fencedAtEnd: boolean[] = [];
		state.fenceFor(5_000, () => fencedAtEnd.push(state.fenced));
		assert.equal(state.fenced, true);
		wall += 4_999;
		t.mock.timers.tick(5_000);
		assert.deepEqual(fencedAtEnd, [false], 'the fence is over when its end is announced');
		assert.equal(state.fenced, false);
	});

	it('a revoked partition\'s fence never ends into a resume', (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		const state = new PartitionState('t', 0);
		let ended = 0;
		state.fenceFor(5_000, () => ended++);
		state.revoke();
		t.mock.timers.tick(10_000);
		assert.equal(ended, 0);
	});
});
