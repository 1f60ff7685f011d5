/**
 * Where a partition the group has no committed offset for starts. Read From Beginning off means
 * "do not replay the history of the topics that were there when the group started", not "skip the
 * first messages of a topic created later": a change stream creates a table's topic with the
 * table's first change and writes it at once, before any subscription can see the topic, so a new
 * topic started at its end loses its first rows (and commits past them).
 *
 * So the consumer subscribes every topic from its beginning (kafkajs resolves an uncommitted
 * partition to its earliest retained offset) and pins the partitions that must start at their end
 * instead: with Read From Beginning off, those of the topics present when the group starts. The pin
 * is the end offset read before subscribing; the consumer seeks there on its first assignment and
 * commits it at once, so the group remembers every topic it has met, also one that then stays quiet.
 * Topics and partitions start at their beginning when they are met later:
 * - a topic found by the New Topics Check while the workflow runs (`topicsFoundLater`);
 * - at an activation of a group that has committed before, a topic of the pattern or a partition
 *   with no offset committed: it appeared while the workflow was inactive (or has been quiet since a
 *   version that did not pin starts, and then replays once);
 * - a partition added while the consumer runs (never pinned).
 * A topic list names its topics: a name added to the list later is a choice, and starts at its end.
 *
 * kafkajs 2.2.4 (node_modules/kafkajs/src/consumer): subscribe keeps fromBeginning per topic, and
 * offsetManager resolveOffsets applies it only to a partition the group has no offset for, so the
 * subscription's "earliest" never moves a committed partition; an OffsetOutOfRange reset also goes
 * to the earliest offset, never past unread messages.
 */
import type { Admin } from 'kafkajs';

import type { SinkerConsumerOptions } from './consumer-options';

/** `topic:partition` → the offset an uncommitted partition starts at on the consumer's first assignment. */
export async function pinnedStartOffsets(admin: Admin, options: SinkerConsumerOptions): Promise<Map<string, bigint>> {
	const pins = new Map<string, bigint>();
	if (options.fromBeginning) return pins;
	const subscription = options.topics;
	const pattern = 'pattern' in subscription ? subscription.pattern : undefined;
	const names = 'names' in subscription ? subscription.names : (await admin.listTopics()).filter((t) => !t.startsWith('__') && subscription.pattern.test(t));
	if (names.length === 0) return pins;
	const foundLater = new Set(options.topicsFoundLater ?? []);
	const committed = await admin.fetchOffsets({ groupId: options.groupId, topics: names });
	const isCommitted = (offset: string) => BigInt(offset) >= 0n;
	const groupStarted = committed.some(({ partitions }) => partitions.some((p) => isCommitted(p.offset)));
	for (const { topic, partitions } of committed) {
		if (foundLater.has(topic)) continue;
		const uncommitted = partitions.filter((p) => !isCommitted(p.offset)).map((p) => p.partition);
		if (uncommitted.length === 0) continue;
		if (groupStarted && (pattern || uncommitted.length < partitions.length)) continue;
		for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
			if (uncommitted.includes(partition)) pins.set(`${topic}:${partition}`, BigInt(high));
		}
	}
	return pins;
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
