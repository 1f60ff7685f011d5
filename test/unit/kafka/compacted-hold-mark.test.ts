/**
 * The compacted-topic hold kept in the group's committed offsets (compacted-hold-mark.ts): before, it lived
 * in the running trigger only, and after an n8n restart with the topic's cleanup.policy back to delete the
 * trigger read on from the committed offset with Tombstones "Skip", losing the deletes the log cleaner had
 * removed. Without a broker: the mark's format beside the Keep Order fence mark, the release option, the
 * group's offsets read back, the commits that carry (or drop) the mark, the consumer holding a topic its
 * partitions' marks name at an assignment, and the hold restored, or released by name. The broker test is
 * test/reliability/compacted-hold-restart.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Admin, Consumer } from 'kafkajs';

import { COMPACTED_HOLD, compactedHoldMark, groupHoldMarks, holdName, isReleased, joinMarks, parseReleasedHolds, readCompactedHold } from '../../../src/kafka/compacted-hold-mark';
import { CompactedTopicHold } from '../../../src/kafka/compacted-topic-hold';
import type { SinkerConsumerOptions, SinkerStats } from '../../../src/kafka/consumer-options';
import { OffsetCommitter } from '../../../src/kafka/offset-committer';
import { heldMark, parseMark, RELEASED } from '../../../src/kafka/partition-fence';
import { Assignment, type PartitionState } from '../../../src/kafka/partition-state';
import type { SinkerConsumer } from '../../../src/kafka/sinker-consumer';
import { metrics } from '../../../src/metrics/metrics';
import { waitFor } from '../../support/wait-for';
import { committerWithoutBroker, sinkerWithoutBroker, testConsumerOptions, type SinkerInternals } from './sinker-internals';

const SINCE = Date.UTC(2026, 11, 7, 8, 4, 6, 123);
const MARK = compactedHoldMark(SINCE);

type Partitions = Array<{ partition: number; offset: string; metadata: string | null }>;

/** An admin whose fetchOffsets answers `offsets()` (topic → partitions) and whose log starts at `low`. */
function groupAdmin(offsets: () => Record<string, Partitions>, low = '2') {
	const asked: string[][] = [];
	return {
		asked,
		fetchOffsets: (async ({ topics }: { topics: string[] }) => {
			asked.push(topics);
			return topics.map((topic) => ({ topic, partitions: offsets()[topic] ?? [] }));
		}) as unknown as Admin['fetchOffsets'],
		fetchTopicOffsets: (async () => [0, 1, 2].map((partition) => ({ partition, offset: '99', high: '99', low }))) as unknown as Admin['fetchTopicOffsets'],
	};
}

/** A kafkajs consumer whose commits the broker confirms at once (the COMMIT_OFFSETS event), recorded as `partition:offset:metadata`. */
function confirmingConsumer(committer: () => OffsetCommitter) {
	const sent: string[] = [];
	const paused = new Set<string>();
	type TopicPartitions = Array<{ topic: string; partitions: number[] }>;
	const each = (list: TopicPartitions, apply: (key: string) => void) => list.forEach(({ topic, partitions }) => partitions.forEach((p) => apply(`${topic}:${p}`)));
	const consumer = {
		seek: () => {},
		pause: (list: TopicPartitions) => each(list, (key) => paused.add(key)),
		resume: (list: TopicPartitions) => each(list, (key) => paused.delete(key)),
		commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string; metadata: string | null }>) => {
			for (const { topic, partition, offset, metadata } of offsets) {
				sent.push(`${topic}:${partition}:${offset}:${metadata}`);
				committer().confirm(topic, partition, offset, metadata);
			}
		},
	} as unknown as Consumer;
	return { consumer, sent, paused };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The trigger's answer to the holds found (following-consumer.ts, nothing released): every one held again, with its mark. */
const holdingEvery = (held: ReadonlyMap<string, number>) => ({ topics: [...held.keys()], marks: new Map([...held].map(([topic, since]) => [topic, compactedHoldMark(since)])) });

describe('the hold\'s mark in a commit\'s metadata', () => {
	it('names when the hold began; beside a Keep Order fence mark both travel in one string and each is read back; anything else carries no hold', () => {
		assert.equal(MARK, `${COMPACTED_HOLD}:${SINCE}`);
		assert.equal(readCompactedHold(MARK), SINCE);
		assert.equal(joinMarks(null, null), null, 'no hold, no fence: no metadata, as before');
		assert.equal(joinMarks(RELEASED, null), RELEASED);
		assert.equal(joinMarks(null, MARK), MARK);
		const both = joinMarks(heldMark(SINCE + 60_000), MARK);
		assert.equal(both, `${heldMark(SINCE + 60_000)};${MARK}`, 'the fence mark first: an older version waits its own Execution Timeout on it');
		assert.equal(readCompactedHold(both), SINCE);
		assert.deepEqual(parseMark(both), { held: true, until: SINCE + 60_000 }, 'the fence deadline is still read');
		assert.deepEqual(parseMark(joinMarks(RELEASED, MARK)), { held: false });
		for (const other of [null, undefined, '', RELEASED, heldMark(SINCE), 'another tool']) assert.equal(readCompactedHold(other), undefined, String(other));
		assert.equal(readCompactedHold(`${COMPACTED_HOLD}:soon`), 0, 'a mark whose time cannot be read still holds');
	});

	it('names a hold <topic>@<time>, as the release option takes it; a value that is not one is refused naming it and the rule', () => {
		assert.equal(holdName('shop.orders', SINCE), 'shop.orders@2026-12-07T08:04:06.123Z');
		const released = parseReleasedHolds(` ${holdName('shop.orders', SINCE)},\n${holdName('a@b', SINCE + 1)} `);
		assert.deepEqual(released, [
			{ topic: 'shop.orders', since: SINCE },
			{ topic: 'a@b', since: SINCE + 1 },
		]);
		assert.equal(isReleased(released, 'shop.orders', SINCE), true);
		assert.equal(isReleased(released, 'shop.orders', SINCE + 1), false, 'a later hold of the same topic is not released by a value left in place');
		assert.deepEqual(parseReleasedHolds(''), []);
		for (const bad of ['shop.orders', 'shop.orders@yesterday', '@2026-12-07T08:04:06.123Z']) {
			assert.throws(() => parseReleasedHolds(bad), new RegExp(`^Error: Release Compacted-Topic Holds: "${bad.replace(/[.]/g, '\\.')}" is not a hold's name: give it as the hold's error names it, <topic>@<time the hold began>`));
		}
	});

	it('reads the group\'s offsets back: each partition\'s offset and metadata, and per topic the earliest hold its partitions carry', async () => {
		const admin = groupAdmin(() => ({
			t: [
				{ partition: 0, offset: '5', metadata: joinMarks(RELEASED, compactedHoldMark(SINCE + 5)) },
				{ partition: 1, offset: '7', metadata: MARK },
				{ partition: 2, offset: '-1', metadata: null },
			],
			u: [{ partition: 0, offset: '3', metadata: null }],
		}));
		const found = await groupHoldMarks(admin, 'g', ['t', 'u']);
		assert.deepEqual([...found.held], [['t', SINCE]]);
		assert.deepEqual(
			[...found.offsets].map(([key, { offset, metadata }]) => `${key}=${offset}/${metadata}`),
			[`t:0=5/${RELEASED};${compactedHoldMark(SINCE + 5)}`, `t:1=7/${MARK}`, 'u:0=3/null'],
			'no offset for a partition the group never committed',
		);
	});
});

describe('commits of a held partition', () => {
	function world(overrides: Partial<SinkerConsumerOptions> = {}) {
		const assignment = new Assignment();
		assignment.replace({ t: [0], u: [0] }, 'member-1');
		const box: { committer?: OffsetCommitter } = {};
		const kafkajs = confirmingConsumer(() => box.committer as OffsetCommitter);
		const committer = (box.committer = committerWithoutBroker(kafkajs.consumer, assignment, overrides));
		const t = assignment.get('t', 0) as PartitionState;
		const u = assignment.get('u', 0) as PartitionState;
		return { assignment, committer, sent: kafkajs.sent, t, u };
	}

	it('a hold commits the committed offset again with its mark, and every later commit keeps it; a topic not held commits no metadata and nothing at the same offset', async () => {
		const { assignment, committer, sent, t, u } = world();
		for (const state of [t, u]) state.tracker.succeed(state.tracker.add(0n, 5n));
		committer.request();
		await settle();
		assert.deepEqual(sent, ['t:0:5:null', 'u:0:5:null'], 'no hold: no metadata, as before');

		assignment.holdTopics(['t'], new Map([['t', MARK]]));
		committer.request();
		await settle();
		assert.deepEqual(sent.slice(2), [`t:0:5:${MARK}`], 'the hold marked at the committed offset (before: nothing was committed)');

		// The execution in flight when the hold began finishes: its commit keeps the mark.
		t.tracker.succeed(t.tracker.add(5n, 8n));
		u.tracker.succeed(u.tracker.add(5n, 9n));
		committer.request();
		await settle();
		assert.deepEqual(sent.slice(3), [`t:0:8:${MARK}`, 'u:0:9:null']);
		committer.request();
		await settle();
		assert.equal(sent.length, 5, 'nothing more to commit');
	});

	it('with Keep Order per Partition the mark follows the fence mark, in the lease announcements too', async () => {
		const { assignment, committer, sent, t } = world({ keepPartitionOrder: true });
		assignment.holdTopics(['t'], new Map([['t', MARK]]));
		assert.equal(await committer.announce(t, 0n, SINCE + 60_000), true);
		assert.deepEqual(sent, [`t:0:0:${heldMark(SINCE + 60_000)};${MARK}`]);
		t.tracker.succeed(t.tracker.add(0n, 4n));
		committer.request();
		await settle();
		assert.deepEqual(sent.slice(1), [`t:0:4:${heldMark(SINCE + 60_000)};${MARK}`]);
	});

	it('a partition this consumer committed nothing of is marked at its markBase; a released hold\'s mark is dropped at the same offset', async () => {
		const { assignment, committer, sent, t, u } = world();
		assignment.holdTopics(['t'], new Map([['t', MARK]]));
		committer.request();
		await settle();
		assert.deepEqual(sent, [], 'nowhere to mark it yet');
		t.markBase = 3n;
		// u: the group's offset carries a hold the user released.
		u.markBase = 6n;
		committer.request();
		await settle();
		assert.deepEqual(sent, [`t:0:3:${MARK}`, 'u:0:6:null']);
	});
});

describe('the consumer at an assignment', () => {
	it('keeps new partitions paused until the group\'s offsets are read; a marked one holds its topic again and is committed with the mark; an unmarked partition of it is marked at the log\'s start', async () => {
		let offsets: Record<string, Partitions> = {};
		let failing = true;
		const admin = groupAdmin(() => {
			if (failing) throw new Error('Connection error: ECONNREFUSED');
			return offsets;
		});
		const told: Array<Array<[string, number]>> = [];
		const onCompactedHolds = (held: ReadonlyMap<string, number>) => {
			told.push([...held]);
			return { topics: [...held.keys()], marks: new Map([...held].map(([topic, since]) => [topic, compactedHoldMark(since)])) };
		};
		const box: { committer?: OffsetCommitter } = {};
		const kafkajs = confirmingConsumer(() => box.committer as OffsetCommitter);
		const warnings: string[] = [];
		const logger = { error: () => {}, info: () => {}, debug: () => {}, warn: (message: string) => void warnings.push(message) };
		const sinker = sinkerWithoutBroker(kafkajs.consumer, admin, { topics: { names: ['t', 'u'] }, onCompactedHolds, logger });
		box.committer = sinker.committer;
		(sinker as unknown as { holdLookup: { ctx: { retryMs: number } } }).holdLookup.ctx.retryMs = 5;
		sinker.onGroupJoin({ t: [0, 1], u: [0] }, 'member-1');
		assert.deepEqual([...kafkajs.paused].sort(), ['t:0', 't:1', 'u:0'], 'paused until the group\'s offsets are read (before: read on at once)');
		await waitFor('a failed lookup tried again', () => admin.asked.length >= 2);
		assert.deepEqual([...kafkajs.paused].sort(), ['t:0', 't:1', 'u:0'], 'fail-closed: still paused');
		assert.equal(warnings.length, 1, warnings.join('\n'));
		assert.match(warnings[0], /could not read group g's committed offsets for its new partitions \(compacted-topic hold, partitions added; Connection error: ECONNREFUSED\); its new partitions stay paused/);

		offsets = { t: [{ partition: 0, offset: '5', metadata: MARK }], u: [{ partition: 0, offset: '4', metadata: null }] };
		failing = false;
		await waitFor('t held again, u resumed', () => kafkajs.paused.size === 2 && !kafkajs.paused.has('u:0'));
		assert.deepEqual([...kafkajs.paused].sort(), ['t:0', 't:1']);
		assert.deepEqual(told, [[['t', SINCE]]]);
		await waitFor('both partitions of t marked', () => kafkajs.sent.length === 2);
		assert.deepEqual(kafkajs.sent.sort(), [`t:0:5:${MARK}`, `t:1:2:${MARK}`], 't/1 has no offset in the group: marked where a consumer of the group starts it, the log\'s start');
		assert.equal(sinker.assignment.get('u', 0)?.held, false);
	});

	it('with Keep Order per Partition commits nothing of a new partition while the previous owner\'s fence mark is being read: its HELD deadline is not overwritten with RELEASED (late review session 20, H3)', async () => {
		const until = Date.now() + 60_000;
		const offsets: Record<string, Partitions> = { t: [{ partition: 0, offset: '5', metadata: joinMarks(heldMark(until), MARK) }] };
		let calls = 0;
		let answerFence = () => {};
		const admin = {
			// The fence's lookup is asked first (onGroupJoin) and answers after the hold's.
			fetchOffsets: (async ({ topics }: { topics: string[] }) => {
				if (calls++ === 0) await new Promise<void>((resolve) => (answerFence = resolve));
				return topics.map((topic) => ({ topic, partitions: offsets[topic] ?? [] }));
			}) as unknown as Admin['fetchOffsets'],
		};
		const box: { committer?: OffsetCommitter } = {};
		const kafkajs = confirmingConsumer(() => box.committer as OffsetCommitter);
		const sinker = sinkerWithoutBroker(kafkajs.consumer, admin, { keepPartitionOrder: true, onCompactedHolds: holdingEvery });
		box.committer = sinker.committer = committerWithoutBroker(kafkajs.consumer, sinker.assignment, { keepPartitionOrder: true });
		sinker.onGroupJoin({ t: [0] }, 'member-1');
		const state = sinker.assignment.get('t', 0) as PartitionState;
		await waitFor('the hold found in the group\'s offsets', () => state.compactedHold === MARK && state.markBase === 5n);
		await settle();
		assert.deepEqual(kafkajs.sent, [], 'nothing committed before the fence answered (before: t:0:5 with RELEASED, the previous owner\'s HELD deadline gone from the group)');
		answerFence();
		await waitFor('the partition committed once the fence answered', () => kafkajs.sent.length > 0);
		clearTimeout(state.fenceTimer);
		assert.deepEqual(kafkajs.sent, [`t:0:5:${heldMark(until)};${MARK}`], 'HELD until the previous owner\'s deadline, beside the hold\'s mark');
	});

	it('reads nothing where compacted topics are not held (no onCompactedHolds): no lookup, no pause, no cost', () => {
		const admin = groupAdmin(() => ({}));
		const kafkajs = confirmingConsumer(() => undefined as unknown as OffsetCommitter);
		const sinker = sinkerWithoutBroker(kafkajs.consumer, admin, { topics: { names: ['t'] } });
		sinker.onGroupJoin({ t: [0] }, 'member-1');
		assert.deepEqual(admin.asked, []);
		assert.deepEqual([...kafkajs.paused], []);
	});
});

describe('CompactedTopicHold: a hold found in the group\'s offsets', () => {
	async function heldSeries(group: string): Promise<Record<string, number>> {
		const out: Record<string, number> = {};
		for (const { labels, value } of (await metrics.kafkaCompactedTopicHeld.get()).values) if (labels.group === group) out[String(labels.topic)] = value;
		return out;
	}
	function hold(group: string, released: string) {
		const lines: Array<[string, string]> = [];
		const at = (level: string) => (message: string) => void lines.push([level, message]);
		const logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: () => {} };
		const admin = { describeConfigs: async () => ({ throttleTime: 0, resources: [] }) } as unknown as Admin;
		const options = { groupId: group, labels: { workflow: 'w', node: 'n' }, releasedCompactedHolds: parseReleasedHolds(released), refuseCompactedTopics: true };
		return { lines, hold: new CompactedTopicHold({ admin, options, logger, everyMs: 60_000 }) };
	}

	it('is held again, whatever the policy reads now, with the error naming the hold and how to release it; the gauge is 1', async () => {
		const { lines, hold: h } = hold('restored-1', '');
		assert.equal(h.restore(new Map([['orders', SINCE], ['not-subscribed', SINCE]]), ['orders', 'items']), true);
		assert.deepEqual(h.topics(), ['orders']);
		assert.deepEqual([...h.marks()], [['orders', MARK]], 'the same mark: its commits keep it');
		assert.deepEqual(await heldSeries('restored-1'), { orders: 1, items: 0 });
		const [level, message] = lines.at(-1) ?? [];
		assert.equal(level, 'error');
		assert.match(message ?? '', /^Kafka topic orders is compacted .*Its cleanup.policy changed to compact while the workflow ran, and its hold \(orders@2026-12-07T08:04:06.123Z\) is kept in group restored-1's committed offsets: its partitions are paused, nothing more of it read or committed, whatever its cleanup.policy reads now, until the hold is released\. .*"Release Compacted-Topic Holds"/);
		assert.equal(h.restore(new Map([['orders', SINCE]]), ['orders', 'items']), false, 'found again at the next assignment: nothing changes');
		assert.equal(lines.length, 1, 'one error');
		h.end();
	});

	it('released by its name is not held, with one warning; a name of another time releases nothing, and the error says so', async () => {
		const { lines, hold: h } = hold('restored-2', holdName('orders', SINCE));
		assert.equal(h.restore(new Map([['orders', SINCE]]), ['orders']), false);
		assert.deepEqual(h.topics(), []);
		assert.equal(h.restore(new Map([['orders', SINCE]]), ['orders']), false);
		assert.deepEqual(lines, [['warn', `Kafka: compacted-topic hold orders@2026-12-07T08:04:06.123Z released ("Release Compacted-Topic Holds"): reading orders on from its committed offset with Tombstones "Skip"; its mark leaves the group's committed offsets with its partitions' next commit`]]);
		h.end();

		const later = hold('restored-3', holdName('orders', SINCE));
		assert.equal(later.hold.restore(new Map([['orders', SINCE + 1000]]), ['orders']), true, 'a later hold of the topic');
		assert.match(later.lines.at(-1)?.[1] ?? '', /\("Release Compacted-Topic Holds" names orders@2026-12-07T08:04:06.123Z, not this hold\)/);
		later.hold.end();
	});
});

describe('close while a hold\'s seat is under way (late review session 20, H4)', () => {
	/**
	 * A consumer of `t` whose group has no offset for t/0: a hold that begins must read the group's offsets and the
	 * log's start (its seat) before it can mark it. `seatAnswer` answers the seat's read of the group's offsets.
	 */
	function holdBegunUnseated(seatAnswer: () => Promise<Record<string, Partitions>>, closeTimeoutMs = 5_000) {
		let calls = 0;
		const admin = {
			...groupAdmin(() => ({})),
			// The assignment's lookup first (nothing held), then the seat's.
			fetchOffsets: (async ({ topics }: { topics: string[] }) => {
				const answer = calls++ === 0 ? {} : await seatAnswer();
				return topics.map((topic) => ({ topic, partitions: answer[topic] ?? [] }));
			}) as unknown as Admin['fetchOffsets'],
			disconnect: async () => {},
		};
		const warnings: string[] = [];
		const logger = { error: () => {}, info: () => {}, debug: () => {}, warn: (message: string) => void warnings.push(message) };
		const box: { committer?: OffsetCommitter } = {};
		const kafkajs = confirmingConsumer(() => box.committer as OffsetCommitter);
		Object.assign(kafkajs.consumer, { disconnect: async () => {} });
		const overrides: Partial<SinkerConsumerOptions> = { onCompactedHolds: holdingEvery, closeTimeoutMs, logger };
		const sinker = sinkerWithoutBroker(kafkajs.consumer, admin, overrides) as SinkerInternals & Pick<SinkerConsumer, 'close' | 'holdTopics'>;
		const closing = () => (sinker as unknown as { closing: boolean }).closing;
		box.committer = sinker.committer = new OffsetCommitter(kafkajs.consumer, sinker.assignment, testConsumerOptions(overrides), logger, { commits: 0 } as SinkerStats, closing);
		(sinker as unknown as { holdLookup: { ctx: { retryMs: number } } }).holdLookup.ctx.retryMs = 60_000;
		return { sinker, consumer: kafkajs.consumer, sent: kafkajs.sent, warnings, seatAsked: () => calls > 1 };
	}

	it('waits for the seat under way and commits the hold\'s mark at the log\'s start before leaving (before: closed with nothing marked, the hold not kept)', async () => {
		let answerSeat = () => {};
		const world = holdBegunUnseated(() => new Promise((resolve) => (answerSeat = () => resolve({}))));
		world.sinker.onGroupJoin({ t: [0] }, 'member-1');
		await waitFor('the assignment\'s lookup answered', () => world.sinker.assignment.get('t', 0)?.holdLookupPending === false);
		world.sinker.holdTopics(['t'], new Map([['t', MARK]]));
		await waitFor('the seat asked', world.seatAsked);
		const closed = world.sinker.close();
		await settle();
		answerSeat();
		assert.deepEqual(await closed, { drained: true, abandoned: 0 });
		assert.deepEqual(world.sent, [`t:0:2:${MARK}`], 'marked where a consumer of the group would start it');
		assert.deepEqual(world.warnings, []);
	});

	it('a seat that hangs until Close Timeout does not keep the finished executions of another partition from being committed and confirmed first (before: committed only at the deadline, not waited for, read and loaded again)', async () => {
		// The seat's ListOffsets asks every partition's leader; one of them is down: it answers no more before the deadline.
		const world = holdBegunUnseated(() => new Promise(() => {}), 1_000);
		// The broker confirms a commit a moment after it is sent, as a real one does.
		const confirmAtOnce = world.consumer.commitOffsets.bind(world.consumer);
		world.consumer.commitOffsets = async (offsets) => {
			await settle();
			return confirmAtOnce(offsets);
		};
		world.sinker.onGroupJoin({ t: [0, 1] }, 'member-1');
		await waitFor('the assignment\'s lookup answered', () => world.sinker.assignment.get('t', 1)?.holdLookupPending === false);
		world.sinker.holdTopics(['t'], new Map([['t', MARK]]));
		await waitFor('the seat asked', world.seatAsked);
		// An execution of t/1 finishes as the workflow is deactivated: close's own commit is the one that carries it.
		const finished = world.sinker.assignment.get('t', 1) as PartitionState;
		finished.tracker.succeed(finished.tracker.add(0n, 5n));
		assert.deepEqual(await world.sinker.close(), { drained: true, abandoned: 0 });
		assert.equal(finished.committed, 5n, 'the finished executions confirmed committed before close returned');
		assert.deepEqual(world.sent, [`t:1:5:${MARK}`]);
		assert.equal(world.warnings.filter((line) => /read again at the next start/.test(line)).length, 0, world.warnings.join('\n'));
		assert.match(world.warnings[0], /^Kafka consumer closing before it marked the compacted-topic hold in group g's committed offsets for t\[0\] /, 'the partition left unmarked is still named');
		// The seat took the whole Close Timeout: leaving the group is begun, not waited for (close-sequence.ts step 4).
		assert.match(world.warnings[1], /^Kafka consumer did not leave its group within Close Timeout/);
	});

	it('a seat that still fails at close is tried once more, and the partition left unmarked is named with its hold', async () => {
		const world = holdBegunUnseated(() => Promise.reject(new Error('Connection error: ECONNREFUSED')));
		world.sinker.onGroupJoin({ t: [0] }, 'member-1');
		await waitFor('the assignment\'s lookup answered', () => world.sinker.assignment.get('t', 0)?.holdLookupPending === false);
		world.sinker.holdTopics(['t'], new Map([['t', MARK]]));
		await waitFor('the seat failed once', () => world.warnings.length === 1);
		assert.deepEqual(await world.sinker.close(), { drained: true, abandoned: 0 });
		assert.deepEqual(world.sent, [], 'nowhere to mark it');
		assert.equal(world.warnings.length, 2, world.warnings.join('\n'));
		assert.match(
			world.warnings[1],
			/^Kafka consumer closing before it marked the compacted-topic hold in group g's committed offsets for t\[0\] \(hold t@2026-12-07T08:04:06\.123Z\) .*Where none does, the hold is not kept: set Tombstones to "Delete the Row of Its Key" before the topic's cleanup\.policy is set back to delete/,
		);
	});
});
