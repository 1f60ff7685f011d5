// Keep Order per Partition and partitions added to a topic (review session 20, F3): which partitions wait for
// the old partitions' backlog, and when they go on. The real-broker proof is test/reliability/partition-growth.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Admin } from 'kafkajs';

import { CompactedHoldLookup } from '../../../src/kafka/compacted-hold-lookup';
import { addedPartitions, behindTargets, PartitionGrowthHold } from '../../../src/kafka/partition-growth-hold';
import { PartitionState } from '../../../src/kafka/partition-state';

const committed = (entries: Record<string, bigint>) => new Map(Object.entries(entries).map(([key, offset]) => [key, { offset }]));

/** A fake admin: the topic's ends, and the group's offsets as `offsets()` gives them now (-1 = none); `fail` makes reads throw. */
function fakeAdmin(ends: Record<number, string>, offsets: () => Record<string, string>, fail = { reads: 0 }) {
	const calls = { topicOffsets: 0, fetchOffsets: 0 };
	const admin = {
		fetchTopicOffsets: async (topic: string) => {
			calls.topicOffsets++;
			if (fail.reads > 0 && fail.reads--) throw new Error('broker unreachable');
			return Object.entries(ends).map(([partition, high]) => ({ partition: Number(partition), high, low: '0', offset: high, topic }));
		},
		fetchOffsets: async ({ topics }: { topics: string[] }) => {
			calls.fetchOffsets++;
			return topics.map((topic) => ({
				topic,
				partitions: Object.entries(offsets())
					.filter(([key]) => key.startsWith(`${topic}:`))
					.map(([key, offset]) => ({ partition: Number(key.split(':')[1]), offset, metadata: null })),
			}));
		},
	};
	return { admin: admin as unknown as Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>, calls };
}

function logs() {
	const lines: Array<{ level: string; message: string }> = [];
	return { lines, logger: { warn: (message: string) => void lines.push({ level: 'warn', message }), info: (message: string) => void lines.push({ level: 'info', message }) } };
}

describe('addedPartitions: which partitions are added to a topic the group consumed', () => {
	it('a partition without a committed offset, in a topic whose other partitions are committed, waits for them', () => {
		const states = [new PartitionState('t', 0), new PartitionState('t', 3), new PartitionState('t', 4)];
		const found = addedPartitions(states, committed({ 't:0': 10n, 't:1': 20n, 't:2': 0n }));
		assert.deepEqual(
			found.map(({ topic, added, old }) => ({ topic, added: added.map((s) => s.partition), old: [...old] })),
			[{ topic: 't', added: [3, 4], old: [[0, 10n], [1, 20n], [2, 0n]] }],
		);
	});

	it('not: a topic the group never committed (new to it), a committed partition, a pinned or revoked one, another topic\'s offsets', () => {
		const pinned = new PartitionState('t', 1);
		pinned.pinnedStart = 50n;
		const seating = new PartitionState('t', 2);
		seating.startPending = true;
		const revoked = new PartitionState('t', 3);
		revoked.revoke();
		const states = [new PartitionState('new', 0), new PartitionState('t', 0), pinned, seating, revoked, new PartitionState('u', 1)];
		assert.deepEqual(addedPartitions(states, committed({ 't:0': 5n, 'other:1': 7n, 'other:0': 1n })), []);
	});

	it('a topic name with colons is matched whole', () => {
		const found = addedPartitions([new PartitionState('a:b', 1)], committed({ 'a:b:0': 3n, 'a:1': 9n }));
		assert.deepEqual([...found[0].old], [[0, 3n]]);
	});
});

describe('behindTargets', () => {
	it('names the old partitions below their end, an unread one as -1', () => {
		assert.deepEqual([...behindTargets(new Map([[0, 100n], [1, 50n], [2, 7n]]), new Map([[0, 100n], [1, 49n]]))], [[1, 49n], [2, -1n]]);
		assert.equal(behindTargets(new Map([[0, 100n]]), new Map([[0, 120n]])).size, 0);
	});
});

describe('PartitionGrowthHold', () => {
	it('holds an added partition until the old ones are committed up to their ends when the hold began, then releases it', async (t) => {
		let p0 = '40';
		const { admin, calls } = fakeAdmin({ 0: '100', 1: '3' }, () => ({ 't:0': p0, 't:1': '-1' }));
		const { lines, logger } = logs();
		let released!: () => void;
		const done = new Promise<void>((resolve) => (released = resolve));
		const hold = new PartitionGrowthHold({ admin: () => admin, groupId: 'g', logger, isClosing: () => false, released: () => released(), pollMs: 1 });
		t.after(() => hold.end());
		const added = new PartitionState('t', 1);
		hold.onOffsets([added], committed({ 't:0': 40n }));
		assert.equal(added.held, true, 'held at once, before it is resumed');
		// The end is read once: a later end (new messages in the old partition) is not waited for.
		while (calls.fetchOffsets < 2) await new Promise((resolve) => setImmediate(resolve));
		assert.equal(added.held, true, 'still held while the old partition is behind');
		p0 = '100';
		await done;
		assert.equal(added.held, false);
		assert.equal(calls.topicOffsets, 1);
		assert.equal(lines[0].level, 'warn');
		assert.match(lines[0].message, /partition t\[1\] has no committed offset in group g .*partitions were added to t.*held until .*t\[0\] at 40 of 100/);
		assert.equal(lines.at(-1)?.level, 'info');
		assert.match(lines.at(-1)?.message ?? '', /partition t\[1\] starts now: .*t\[0\] up to 100/);
	});

	it('an old partition already drained: no hold, one info line', async () => {
		const { admin } = fakeAdmin({ 0: '100' }, () => ({ 't:0': '100' }));
		const { lines, logger } = logs();
		let released!: () => void;
		const done = new Promise<void>((resolve) => (released = resolve));
		const hold = new PartitionGrowthHold({ admin: () => admin, groupId: 'g', logger, isClosing: () => false, released: () => released(), pollMs: 1 });
		const added = new PartitionState('t', 1);
		hold.onOffsets([added], committed({ 't:0': 100n }));
		await done;
		assert.equal(added.held, false);
		assert.deepEqual(lines.map((line) => line.level), ['info']);
	});

	it('a hold that lasts is told again, saying the old partitions did not move; a failed read keeps it held', async (t) => {
		const fail = { reads: 1 };
		const { admin } = fakeAdmin({ 0: '100', 1: '50' }, () => ({ 't:0': '10', 't:1': '50' }), fail);
		const { lines, logger } = logs();
		const hold = new PartitionGrowthHold({ admin: () => admin, groupId: 'g', logger, isClosing: () => false, released: () => assert.fail('released'), pollMs: 1, rewarnMs: 0 });
		t.after(() => hold.end());
		const a = new PartitionState('t', 2);
		const b = new PartitionState('t', 3);
		hold.onOffsets([a, b], committed({ 't:0': 10n, 't:1': 50n }));
		while (!lines.some((line) => /have not moved/.test(line.message))) await new Promise((resolve) => setImmediate(resolve));
		assert.match(lines[0].message, /partitions t\[2\], t\[3\] \(partitions added to its topic\) stay held: could not read .*broker unreachable/);
		assert.match(lines[1].message, /partitions t\[2\], t\[3\] have no committed offset .*they are held until .*t\[0\] at 10 of 100/);
		assert.doesNotMatch(lines[1].message, /t\[1\] at/, 'a partition at its end is not waited for');
		assert.match(lines[2].message, /are still held after .*waiting for t\[0\] at 10 of 100: they have not moved/);
		assert.equal(a.held && b.held, true);
	});
});

describe('CompactedHoldLookup with Keep Order per Partition', () => {
	const lookup = (keepsOrder: boolean, admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>, settled: () => void) =>
		new CompactedHoldLookup({ admin: () => admin, options: { groupId: 'g' }, logger: logs().logger, isClosing: () => false, hold: () => assert.fail('no compacted hold'), settled, keepsOrder, retryMs: 1 });

	it('reads the group\'s offsets at the assignment and holds an added partition before resuming it', async (t) => {
		const { admin } = fakeAdmin({ 0: '100' }, () => ({ 't:0': '10', 't:1': '-1' }));
		let settled!: () => void;
		const done = new Promise<void>((resolve) => (settled = resolve));
		const holds = lookup(true, admin, () => settled());
		t.after(() => holds.end());
		const added = [new PartitionState('t', 1)];
		holds.onAssignment(added);
		assert.equal(added[0].held, true, 'paused while the offsets are read');
		await done;
		assert.equal(added[0].holdLookupPending, false);
		assert.equal(added[0].growthHold, true, 'held when its lookup settles');
	});

	it('without Keep Order (and no compacted-topic guard) nothing is read and nothing waits', () => {
		const { admin, calls } = fakeAdmin({ 0: '100' }, () => ({ 't:0': '10' }));
		const added = [new PartitionState('t', 1)];
		lookup(false, admin, () => assert.fail('nothing to settle')).onAssignment(added);
		assert.equal(added[0].held, false);
		assert.deepEqual(calls, { topicOffsets: 0, fetchOffsets: 0 });
	});
});
