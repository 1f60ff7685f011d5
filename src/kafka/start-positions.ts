/**
 * Where a partition the group has no committed offset for starts. Read From Beginning off means
 * "do not replay the history of the topics that were there when the group started", not "skip the
 * first messages of a topic created later": a change stream creates a table's topic with the
 * table's first change and writes it at once, before any subscription can see the topic, so a new
 * topic started at its end loses its first rows (and commits past them).
 *
 * So the consumer subscribes every topic from its beginning (kafkajs resolves an uncommitted
 * partition to its earliest retained offset) and pins the partitions that must start at their end
 * instead: with Read From Beginning off, at the activation of a group without any committed offset,
 * those of the topics present then. The pin is the end offset read before subscribing; the consumer
 * seeks there on its first assignment and commits it at once, so the group remembers every topic it
 * has met, also one that then stays quiet. The messages a pin skips are named in a warning (start-pins.ts).
 * Once the group has committed any offset, nothing is pinned: a topic or partition without a committed
 * offset starts at its first message, pattern or list alike:
 * - a topic found by the New Topics Check while the workflow runs (`topicsFoundLater`, also on the
 *   group's first activation);
 * - at a later activation, a topic or partition that appeared while the workflow was inactive, a name
 *   added to the topic list, and a topic deleted and created again meanwhile: Kafka drops a deleted
 *   topic's committed offsets with it, and a listed one started at its end (as before) skipped the
 *   messages written to it in between without a trace. A topic quiet since a version that did not pin
 *   starts replays once;
 * - a partition added while the consumer runs.
 * "Has committed" is read from all the group's offsets, not only those of the topics subscribed now: a
 * list "a,b" whose a was created again still has b's. What remains pinned at a later activation is a
 * group left with no offset at all, which Kafka cannot tell from a new one: its only topic deleted and
 * created again, or its offsets expired (offsets.retention.minutes, 7 days by default, after its last
 * consumer left); the warning is what tells of it.
 *
 * kafkajs 2.2.4 (node_modules/kafkajs/src): admin fetchOffsets without topics sends OffsetFetch with
 * the topics array empty, which requests v3 and up encode as null (protocol/requests/offsetFetch/v3,
 * encoder.js writeNullableArray): the broker then answers every topic the group has committed offsets
 * for. consumer: subscribe keeps fromBeginning per topic, and offsetManager resolveOffsets applies it
 * only to a partition the group has no offset for, so the subscription's "earliest" never moves a
 * committed partition; an OffsetOutOfRange reset also goes to the earliest offset, never past unread messages.
 */
import type { Admin } from 'kafkajs';

import type { SinkerConsumerOptions } from './consumer-options';

/** Where a pinned partition starts (its end when the pins were read) and how many messages that skips. */
export interface PinnedStart {
	offset: bigint;
	/** End minus earliest retained offset: a compacted topic's gaps and transaction markers count too. */
	skipped: bigint;
}

/** `topic:partition` → where an uncommitted partition starts on the consumer's first assignment. */
export async function pinnedStartOffsets(
	admin: Admin,
	options: Pick<SinkerConsumerOptions, 'groupId' | 'topics' | 'fromBeginning' | 'topicsFoundLater'>,
): Promise<Map<string, PinnedStart>> {
	const pins = new Map<string, PinnedStart>();
	if (options.fromBeginning || (await groupHasCommitted(admin, options.groupId))) return pins;
	const subscription = options.topics;
	const names = 'names' in subscription ? subscription.names : (await admin.listTopics()).filter((t) => !t.startsWith('__') && subscription.pattern.test(t));
	const foundLater = new Set(options.topicsFoundLater ?? []);
	for (const topic of names) {
		if (foundLater.has(topic)) continue;
		for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
			pins.set(`${topic}:${partition}`, { offset: BigInt(high), skipped: BigInt(high) - BigInt(low) });
		}
	}
	return pins;
}

/** Whether the group has a committed offset for any topic (fetchOffsets without topics: all of them). */
async function groupHasCommitted(admin: Admin, groupId: string): Promise<boolean> {
	const committed = await admin.fetchOffsets({ groupId });
	return committed.some(({ partitions }) => partitions.some((p) => BigInt(p.offset) >= 0n));
}

/**
 * Which of `partitions` (`topic:partition` keys) the group still has no offset for. The pins are read
 * before the consumer joins; another consumer of the group may have started and committed those
 * partitions meanwhile (instances activating a new group together). Its commit then wins: seeking to
 * the pin would hand over again what it loaded, or skip what it had not.
 */
export async function uncommittedPartitions(admin: Admin, groupId: string, partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<Set<string>> {
	const topics = [...new Set(partitions.map((p) => p.topic))];
	const uncommitted = new Set<string>();
	for (const { topic, partitions: offsets } of await admin.fetchOffsets({ groupId, topics })) {
		for (const { partition, offset } of offsets) if (BigInt(offset) < 0n) uncommitted.add(`${topic}:${partition}`);
	}
	return uncommitted;
}
