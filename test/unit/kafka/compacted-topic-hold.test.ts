/**
 * A subscribed topic whose cleanup.policy is changed to compact while the consumer runs (compacted-topic-hold.ts):
 * before, nothing read the policy after activation, and the topic went on being read with Tombstones
 * "Skip", losing the deletes the log cleaner removed. Here, without a broker: the policy read topic by
 * topic, the hold's transitions (compact = held until reactivation, unreadable = held until read, delete
 * releases only an unreadable one) with their log lines and
 * kafka_compacted_topic_held, the pauses of the consumer, the emit path stopping mid-batch, and the
 * New Topics Check loop reading the policy between its listings. The broker test is
 * test/integration/kafka-compacted-topics.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Admin, Consumer, Kafka } from 'kafkajs';

import { CompactedTopicHold } from '../../../src/kafka/compacted-topic-hold';
import { cleanupPolicies } from '../../../src/kafka/compacted-topics';
import type { SinkerConsumerOptions } from '../../../src/kafka/consumer-options';
import { FollowingConsumer } from '../../../src/kafka/following-consumer';
import { SinkerConsumer } from '../../../src/kafka/sinker-consumer';
import { metrics } from '../../../src/metrics/metrics';
import { waitFor } from '../../support/wait-for';
import { emitterWorld, fetchOf } from './emitter-support';
import { sinkerWithoutBroker, testConsumerOptions } from './sinker-internals';

type Answer = Record<string, string | { errorCode: number; errorMessage: string }>;

/** An admin whose DescribeConfigs answers `answer()` per topic: a policy, or an error for that topic; a throw fails the whole request. */
function adminAnswering(answer: () => Answer): Pick<Admin, 'describeConfigs'> & { asked: string[][] } {
	const asked: string[][] = [];
	return {
		asked,
		describeConfigs: (async ({ resources }: { resources: Array<{ name: string }> }) => {
			asked.push(resources.map((r) => r.name));
			const entries = answer();
			return {
				throttleTime: 0,
				resources: resources
					.filter((r) => r.name in entries)
					.map((r) => {
						const entry = entries[r.name];
						if (typeof entry !== 'string') return { resourceName: r.name, resourceType: 2, ...entry, configEntries: [] };
						return { resourceName: r.name, resourceType: 2, errorCode: 0, errorMessage: null, configEntries: [{ configName: 'cleanup.policy', configValue: entry }] };
					}),
			};
		}) as unknown as Admin['describeConfigs'],
	};
}

function recordingLogger() {
	const lines: Array<[string, string]> = [];
	const at = (level: string) => (message: string) => void lines.push([level, message]);
	return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: () => {} } };
}

/** This group's kafka_compacted_topic_held series, topic → value. */
async function heldSeries(group: string): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const { labels, value } of (await metrics.kafkaCompactedTopicHeld.get()).values) if (labels.group === group) out[String(labels.topic)] = value;
	return out;
}

describe('cleanupPolicies', () => {
	it('reads topic by topic: an error for one topic, or no answer for it, makes that topic unreadable, not the others', async () => {
		const admin = adminAnswering(() => ({ a: 'delete', b: 'compact,delete', c: { errorCode: 29, errorMessage: 'Topic authorization failed.' } }));
		const found = await cleanupPolicies(admin, ['a', 'b', 'c', 'd']);
		assert.deepEqual(found.compacted, ['b']);
		assert.deepEqual([...found.unreadable], [
			['c', 'Topic authorization failed.'],
			['d', 'the brokers did not answer for it'],
		]);
	});
	it('as kafkajs fails a whole DescribeConfigs over one topic\'s error, asks each topic alone then: a deleted topic is missing, one without permission unreadable, the others read', async () => {
		const protocolError = (type: string, message: string) => Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type });
		const asked: string[][] = [];
		const admin = {
			describeConfigs: async ({ resources }: { resources: Array<{ name: string }> }) => {
				const names = resources.map((r) => r.name);
				asked.push(names);
				if (names.includes('gone')) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition');
				if (names.includes('secret')) throw protocolError('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics: [Topic authorization failed]');
				return { resources: names.map((resourceName) => ({ resourceName, errorCode: 0, configEntries: [{ configName: 'cleanup.policy', configValue: resourceName === 'b' ? 'compact' : 'delete' }] })) };
			},
		} as unknown as Pick<Admin, 'describeConfigs'>;
		const found = await cleanupPolicies(admin, ['a', 'gone', 'b', 'secret']);
		assert.deepEqual(found.compacted, ['b']);
		assert.deepEqual(found.missing, ['gone']);
		assert.deepEqual([...found.unreadable], [['secret', 'Not authorized to access topics: [Topic authorization failed]']]);
		assert.deepEqual(asked, [['a', 'gone', 'b', 'secret'], ['a'], ['gone'], ['b'], ['secret']]);

		// The brokers not asked at all (no broker's answer): the caller holds every topic.
		const down = { describeConfigs: async () => Promise.reject(new Error('Connection error: connect ECONNREFUSED')) } as unknown as Pick<Admin, 'describeConfigs'>;
		await assert.rejects(cleanupPolicies(down, ['a', 'b']), /ECONNREFUSED/);

		// Held by the hold: the unreadable one only; the deleted one is left to the restart without it.
		const hold = new CompactedTopicHold({ admin, options: { groupId: 'compacted-hold-0', labels: { workflow: 'w', node: 'n' } }, logger: undefined, everyMs: 60_000 });
		await hold.recheck(['a', 'gone', 'b', 'secret']);
		assert.deepEqual(hold.topics().sort(), ['b', 'secret']);
		hold.end();
	});
});

describe('CompactedTopicHold', () => {
	it('holds a topic that compacts now with an error naming topic, setting and fix; keeps it held once delete again (the cleaner may have run), with one warning; the gauge follows', async () => {
		let policies: Answer = { orders: 'delete', items: 'delete' };
		const { lines, logger } = recordingLogger();
		const group = 'compacted-hold-1';
		const hold = new CompactedTopicHold({ admin: adminAnswering(() => policies), options: { groupId: group, labels: { workflow: 'w', node: 'n' } }, logger, everyMs: 60_000 });

		assert.equal(await hold.recheck(['orders', 'items']), false, 'nothing compacts: nothing changes');
		assert.deepEqual(await heldSeries(group), { orders: 0, items: 0 });

		policies = { orders: 'compact', items: 'delete' };
		assert.equal(await hold.recheck(['orders', 'items']), true);
		assert.deepEqual(hold.topics(), ['orders']);
		assert.deepEqual(await heldSeries(group), { orders: 1, items: 0 });
		const [level, message] = lines.at(-1) ?? [];
		assert.equal(level, 'error');
		assert.match(message ?? '', /^Kafka topic orders is compacted \(cleanup.policy compact\), and Tombstones is "Skip"/);
		assert.match(message ?? '', /Delete the Row of Its Key/);
		// A tombstone has no Debezium source block: the fix says how tables must be named (review session 20, F7).
		assert.match(message ?? '', /Table From "Kafka Topic" or a Topic → Table Map, not "Debezium Source"/);
		assert.match(message ?? '', /changed to compact while the workflow ran: its partitions are paused, nothing more of it read or committed \(executions in flight finish and commit\), until the hold is released: it is kept in group compacted-hold-1's committed offsets \(hold orders@\d{4}-\d\d-\d\dT[\d:.]+Z\), across activations and n8n restarts\. Setting cleanup.policy back to delete does not release it/);
		assert.match(message ?? '', /"Release Compacted-Topic Holds"/);
		assert.match(message ?? '', /safe only if the log cleaner has not run over the unread messages$/);
		assert.doesNotMatch(message ?? '', /or read a topic whose cleanup.policy is delete/, 'the refusal\'s fix does not apply to a held topic');

		// Still compacted: no second error, nothing changes.
		const logged = lines.length;
		assert.equal(await hold.recheck(['orders', 'items']), false);
		assert.equal(lines.length, logged, 'one error per hold, not one per look');

		// Back to delete (before: released, and the tombstones of op d events the cleaner removed meanwhile were skipped).
		policies = { orders: 'delete', items: 'delete' };
		assert.equal(await hold.recheck(['orders', 'items']), false, 'still held: the consumer is not told');
		assert.deepEqual(hold.topics(), ['orders']);
		assert.deepEqual(await heldSeries(group), { orders: 1, items: 0 });
		const [warnLevel, warning] = lines.at(-1) ?? [];
		assert.equal(warnLevel, 'warn');
		assert.match(warning ?? '', /^Kafka: held topic orders no longer compacts \(cleanup.policy read again\), but stays held until the hold is released: .*log cleaner may have removed delete events \(op d, or flattened __deleted "true"\).*Delete the Row of Its Key/);
		assert.equal(await hold.recheck(['orders', 'items']), false);
		assert.equal(lines.length, logged + 1, 'one warning, not one per look');
		// Unreadable, compact, delete again: held throughout, warned again.
		for (const policy of [{ errorCode: 29, errorMessage: 'Topic authorization failed.' }, 'compact', 'delete']) {
			policies = { orders: policy, items: 'delete' };
			assert.equal(await hold.recheck(['orders', 'items']), false);
		}
		assert.deepEqual(hold.topics(), ['orders']);
		assert.deepEqual(lines.slice(logged + 1).map(([level]) => level), ['warn']);

		hold.forget(['items']);
		assert.deepEqual(await heldSeries(group), { orders: 1 }, 'a deleted topic has no series');
		hold.end();
		assert.deepEqual(await heldSeries(group), {}, 'none after the close');
		await hold.recheck(['orders']);
		assert.deepEqual(await heldSeries(group), {}, 'a read still under way at close shows nothing');
	});

	it('fail-closed: a topic whose policy cannot be read is held, every topic when the brokers cannot be asked; released once read as delete, unless read as compact meanwhile', async () => {
		let answer: () => Answer = () => ({ orders: 'delete', items: { errorCode: 29, errorMessage: 'Topic authorization failed.' } });
		const { lines, logger } = recordingLogger();
		const group = 'compacted-hold-2';
		const hold = new CompactedTopicHold({ admin: adminAnswering(() => answer()), options: { groupId: group, labels: { workflow: 'w', node: 'n' } }, logger, everyMs: 30_000 });

		assert.equal(await hold.recheck(['orders', 'items']), true);
		assert.deepEqual(hold.topics(), ['items']);
		assert.equal(lines.at(-1)?.[0], 'error');
		assert.match(lines.at(-1)?.[1] ?? '', /could not read whether subscribed topics items are compacted \(Topic authorization failed.\).*paused.*until it can be read \(looked at again every 30 s\).*DescribeConfigs.*Delete the Row of Its Key/);

		answer = () => {
			throw new Error('Connection timeout');
		};
		assert.equal(await hold.recheck(['orders', 'items']), true);
		assert.deepEqual(hold.topics().sort(), ['items', 'orders'], 'a lookup that fails whole holds every topic');
		assert.match(lines.at(-1)?.[1] ?? '', /could not read whether subscribed topics orders are compacted \(Connection timeout\)/);
		assert.deepEqual(await heldSeries(group), { orders: 1, items: 1 });

		answer = () => ({ orders: 'delete', items: 'compact' });
		assert.equal(await hold.recheck(['orders', 'items']), true);
		assert.deepEqual(hold.topics(), ['items']);
		assert.match(lines.at(-2)?.[1] ?? '', /^Kafka topic items is compacted/, 'unreadable, then read as compact: the compact error');
		assert.deepEqual(lines.at(-1), ['info', 'Kafka: the cleanup.policy of topics orders could be read again and does not compact: reading them on from where they were paused']);
		answer = () => ({ orders: 'delete', items: 'delete' });
		assert.equal(await hold.recheck(['orders', 'items']), false, 'items was read as compact: held until reactivation');
		assert.deepEqual(hold.topics(), ['items']);
		hold.end();
	});
});

describe('the consumer with held topics', () => {
	it('pauses every partition of a held topic, from the first join when the options name it and at every join after; resumes it once released', () => {
		// kafkajs' subscriptionState: pauses are kept per topic and partition.
		const paused = new Set<string>();
		type TopicPartitions = Array<{ topic: string; partitions: number[] }>;
		const each = (list: TopicPartitions, apply: (key: string) => void) => list.forEach(({ topic, partitions }) => partitions.forEach((p) => apply(`${topic}:${p}`)));
		const kafkajs = {
			seek: () => {},
			pause: (list: TopicPartitions) => each(list, (key) => paused.add(key)),
			resume: (list: TopicPartitions) => each(list, (key) => paused.delete(key)),
			commitOffsets: async () => {},
		} as unknown as Consumer;
		const sinker = sinkerWithoutBroker(kafkajs, {}, { topics: { names: ['t', 'u'] }, heldTopics: ['u'] });
		const holdTopics = (topics: string[]) => (sinker as unknown as SinkerConsumer).holdTopics(topics);
		sinker.onGroupJoin({ t: [0, 1], u: [0] }, 'member-1');
		assert.deepEqual([...paused], ['u:0'], 'held from the first join (a restart passes the held topics on)');

		holdTopics(['t']);
		assert.deepEqual([...paused].sort(), ['t:0', 't:1']);
		assert.equal(sinker.assignment.get('t', 1)?.held, true);

		// A rebalance gives t/2 to this member; kafkajs forgot the pauses (a new generation).
		paused.clear();
		sinker.onGroupJoin({ t: [0, 1, 2], u: [0] }, 'member-1');
		assert.deepEqual([...paused].sort(), ['t:0', 't:1', 't:2'], 'a partition new to the consumer is held too');

		holdTopics([]);
		assert.deepEqual([...paused], []);
		assert.equal(sinker.assignment.get('t', 2)?.held, false);
	});
});

describe('the emit path of a held topic', () => {
	it('hands nothing more out once its topic is held mid-batch, and leaves the rest unresolved; a batch of a held topic hands out nothing', async () => {
		const { emitter, state, executions } = emitterWorld();
		const world = emitter as unknown as { ctx: { options: { maxRecordsPerExecution: number }; parser: { parse: unknown } } };
		world.ctx.options.maxRecordsPerExecution = 2;
		// The second chunk's parse awaits (a registry lookup): the topic is held meanwhile.
		let parses = 0;
		world.ctx.parser.parse = (messages: Array<{ offset: string }>, from: number, to: number) => {
			const chunk = { items: messages.slice(from, to).map((m) => ({ json: { offset: m.offset } })), parseErrors: 0, tombstonesSkipped: 0 };
			if (++parses === 1) return chunk;
			state.topicHeld = true;
			return Promise.resolve(chunk);
		};
		const resolved: string[] = [];
		await emitter.emit(state, fetchOf('0', ['0', '1', '2', '3', '4', '5'], '5', resolved));
		assert.deepEqual(
			executions.map((e) => e.firstOffset),
			['0'],
			'only the chunk before the hold',
		);
		assert.deepEqual(resolved, ['1'], 'kafkajs fetches again from offset 2 once released');
		assert.equal(state.tracker.nextOffset, 2n);

		await emitter.emit(state, fetchOf('2', ['2', '3'], '3', resolved));
		assert.equal(executions.length, 1, 'a batch fetched for a held topic hands nothing out');
	});
});

describe('FollowingConsumer: the policy read while the consumer runs', () => {
	/** The trigger's consumer over a fake admin, started as FollowingConsumer.start leaves it, its consumer a fake that records holds. */
	function following(options: SinkerConsumerOptions, admin: object) {
		type Constructor = new (options: SinkerConsumerOptions, run: unknown, kafka: Kafka, admin: object) => FollowingConsumer;
		const consumer = new (FollowingConsumer as unknown as Constructor)(options, async () => ({ ok: true }), {} as Kafka, { ...admin, disconnect: async () => {} });
		const holds: string[][] = [];
		const internals = consumer as unknown as {
			known: Set<string>;
			started: boolean;
			current: unknown;
			setDueTimes(listed: boolean): void;
			schedule(): void;
			consumerOptions(): SinkerConsumerOptions;
		};
		internals.current = { holdTopics: (topics: string[]) => holds.push([...topics]), close: async () => ({ drained: true, abandoned: 0 }) };
		internals.known = new Set(['orders', 'items']);
		internals.started = true;
		return { consumer, internals, holds };
	}

	it('with New Topics Check at 0, reads the policy every compactedTopicCheckMs without listing the topics, holds the topic in the running consumer and in a restart\'s options, also once delete again', async () => {
		let policies: Answer = { orders: 'delete', items: 'delete' };
		let listings = 0;
		const admin = { ...adminAnswering(() => policies), listTopics: async () => (listings++, ['orders', 'items']) };
		const options = testConsumerOptions({ topics: { names: ['orders', 'items'] }, refuseCompactedTopics: true, topicCheckIntervalMs: 0, compactedTopicCheckMs: 20, logger: recordingLogger().logger });
		const { consumer, internals, holds } = following(options, admin);
		internals.setDueTimes(true);
		internals.schedule();
		try {
			await waitFor('two policy reads', () => admin.asked.length >= 2);
			assert.deepEqual(holds, [], 'nothing compacts: the consumer is not told');
			policies = { orders: 'compact', items: 'delete' };
			await waitFor('the compacted topic held', () => holds.length === 1);
			assert.deepEqual(holds, [['orders']]);
			assert.deepEqual(internals.consumerOptions().heldTopics, ['orders'], 'a restart starts the consumer with it held');
			assert.deepEqual(admin.asked.at(-1)?.sort(), ['items', 'orders'], 'every subscribed topic is read');
			policies = { orders: 'delete', items: 'delete' };
			const reads = admin.asked.length;
			await waitFor('two more policy reads', () => admin.asked.length >= reads + 2);
			assert.deepEqual(holds, [['orders']], 'not released: the consumer is not told');
			assert.deepEqual(internals.consumerOptions().heldTopics, ['orders'], 'a restart keeps it held');
			assert.equal(listings, 0, 'New Topics Check at 0 lists nothing');
		} finally {
			await consumer.close();
		}
	});

	it('with Tombstones "Skip" where compacted topics are not refused (Keep Order off under flattened deletes, __deleted mapped as data, the graph unreadable): no policy is read, but a hold the group\'s offsets carry is held again, the error naming it and its release (late review session 20, H2)', async () => {
		const since = Date.UTC(2026, 11, 7, 8, 4, 6, 123);
		let listings = 0;
		const admin = { ...adminAnswering(() => ({ orders: 'delete', items: 'delete' })), listTopics: async () => (listings++, ['orders', 'items']) };
		const { lines, logger } = recordingLogger();
		const options = testConsumerOptions({ groupId: 'kept-unrefused', topics: { names: ['orders', 'items'] }, refuseCompactedTopics: false, topicCheckIntervalMs: 10, compactedTopicCheckMs: 10, logger });
		const { consumer, internals } = following(options, admin);
		internals.setDueTimes(true);
		internals.schedule();
		try {
			await waitFor('two listings', () => listings >= 2);
			assert.deepEqual(admin.asked, [], 'no DescribeConfigs asked of a workflow that does not refuse compacted topics');
			const found = internals.consumerOptions().onCompactedHolds;
			assert.ok(found, 'the consumer reads the group\'s marks at each assignment (before: no lookup, and its first commit dropped the mark without a word)');
			assert.deepEqual(found(new Map([['orders', since]])), { topics: ['orders'], marks: new Map([['orders', `n8n-doris-sinker:compacted-hold:${since}`]]) }, 'held, its commits keeping the mark');
			assert.deepEqual(lines.map(([level]) => level), ['error']);
			assert.match(
				lines[0][1],
				/^Kafka topic orders was held for compacting while this workflow read it with Tombstones "Skip" .*The workflow does not refuse compacted topics now .*but a hold is released only on purpose, and its hold \(orders@2026-12-07T08:04:06\.123Z\) is kept in group kept-unrefused's committed offsets: its partitions are paused, nothing more of it read or committed, whatever its cleanup\.policy reads now, until the hold is released\. .*"Release Compacted-Topic Holds"/,
			);
			assert.deepEqual(internals.consumerOptions().heldTopics, ['orders'], 'a restart keeps it held');
			assert.deepEqual(await heldSeries('kept-unrefused'), { orders: 1, items: 0 });
		} finally {
			await consumer.close();
		}
	});

	it('with Tombstones "Delete the Row of Its Key" a hold the group\'s offsets carry is released with a warning naming it, once, not dropped unsaid', async () => {
		const since = Date.UTC(2026, 11, 7, 8, 4, 6, 123);
		const { lines, logger } = recordingLogger();
		const parser = { format: 'json' as const, includeMetadata: false, tombstones: 'delete' as const };
		const options = testConsumerOptions({ groupId: 'released-by-delete', refuseCompactedTopics: false, keepPartitionOrder: true, parser, topicCheckIntervalMs: 0, logger });
		const { consumer, internals } = following(options, adminAnswering(() => ({})));
		const found = internals.consumerOptions().onCompactedHolds;
		assert.ok(found);
		for (let i = 0; i < 2; i++) assert.deepEqual(found(new Map([['orders', since]])), { topics: [], marks: new Map() });
		assert.deepEqual(lines, [
			['warn', 'Kafka: compacted-topic hold orders@2026-12-07T08:04:06.123Z released (Tombstones is "Delete the Row of Its Key", which keeps no hold): reading orders on from its committed offset, each tombstone deleting the row of its key; its mark leaves the group\'s committed offsets with its partitions\' next commit'],
		]);
		await consumer.close();
	});

	it('without refuseCompactedTopics nothing is read and, with New Topics Check at 0, nothing is scheduled', async () => {
		const admin = adminAnswering(() => ({}));
		const options = testConsumerOptions({ refuseCompactedTopics: false, topicCheckIntervalMs: 0, compactedTopicCheckMs: 1 });
		const { consumer, internals } = following(options, admin);
		internals.setDueTimes(true);
		internals.schedule();
		assert.equal((consumer as unknown as { timer: NodeJS.Timeout | undefined }).timer, undefined);
		assert.equal(internals.consumerOptions().heldTopics?.length, 0);
		await consumer.close();
	});
});
