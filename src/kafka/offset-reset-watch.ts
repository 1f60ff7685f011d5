/**
 * Tells the sinker where kafkajs' own position reset after OffsetOutOfRange started from, so that
 * messages Kafka deleted before the sinker reached them (retention.ms / retention.bytes, DeleteRecords,
 * while the sinker was stopped or behind) are reported as lost instead of vanishing quietly.
 *
 * kafkajs 2.2.4 (node_modules/kafkajs/src/consumer/consumerGroup.js recoverFromOffsetOutOfRange)
 * answers a fetch refused with OFFSET_OUT_OF_RANGE by committing the default offset (earliest: the
 * sinker subscribes from the beginning) and fetching on from the log start, with only
 * "Offset out of range, resetting to default offset" at its own log level: neither the offset it
 * fetched from nor the new start. The offset it fetched from is gone from its offset manager once the
 * reset ran (setDefaultOffset clears it), so it is read here just before: the resolved fetch position,
 * else the committed offset (offsetManager nextOffset's own order). The new start is the next batch's
 * fetch offset (execution-emitter.ts), so only a real reset counts: a compacted topic's gaps and
 * transaction markers skip offsets without one, and lose nothing.
 *
 * Applied by wrapping ConsumerGroup.prototype.recoverFromOffsetOutOfRange with kafkajsPatch
 * (kafkajs-patch.ts): once, to the kafkajs copy this package loads, and only to 2.2.4, whose offset
 * manager fields this reads.
 */
import { GroupMemberListeners, MemberWatch } from './group-member-listeners';
import { kafkajsPatch } from './kafkajs-patch';

/** A reset kafkajs is about to make: the partition was fetched from `expected`, which the log no longer holds. */
export interface OutOfRangeReset {
	topic: string;
	partition: number;
	expected: bigint;
}

export type OutOfRangeListener = (reset: OutOfRangeReset) => void;

/** The fields of a kafkajs 2.2.4 ConsumerGroup the wrapper reads. */
interface ConsumerGroupState {
	groupId: string;
	memberId: string | null;
	preferredReadReplicasPerTopicPartition: Record<string, Record<number, number> | undefined>;
	offsetManager?: {
		resolvedOffsets: Record<string, Record<number, unknown> | undefined>;
		committedOffsets(): Record<string, Record<number, unknown> | undefined>;
	};
	recoverFromOffsetOutOfRange(error: { topic: string; partition: number }): Promise<void>;
}

const listeners = new GroupMemberListeners<OutOfRangeListener>();

/** Calls `listener` before kafkajs resets a position of this group member; returns the unsubscribe. */
export function watchOutOfRangeResets(groupId: string, memberId: string, listener: OutOfRangeListener): () => void {
	return listeners.watch(groupId, memberId, listener);
}

/** One consumer's watch on its position resets across its group joins (kafkajs joins anew after a restart); `end` on close. */
export class MemberResetWatch extends MemberWatch<OutOfRangeListener> {
	constructor(groupId: string, listener: OutOfRangeListener) {
		super(listeners, groupId, listener);
	}
}

/** How many group members are watched now: one per running consumer (a test's way to see a listener outlive its consumer). */
export function watchedMemberCount(): number {
	return listeners.size;
}

/** The offset the refused fetch started at, or undefined when kafkajs had none (no valid commit). */
export function fetchPosition(group: Pick<ConsumerGroupState, 'offsetManager'>, topic: string, partition: number): bigint | undefined {
	const manager = group.offsetManager;
	if (!manager) return undefined;
	const resolved = manager.resolvedOffsets[topic]?.[partition];
	const offset = resolved ? resolved : manager.committedOffsets()[topic]?.[partition];
	if (offset === undefined || offset === null) return undefined;
	const text = String(offset);
	if (!/^\d+$/.test(text)) return undefined;
	return BigInt(text);
}

/** Installs the wrapper (idempotent); false when the kafkajs found is not the version it was written for. */
export const watchKafkajsOutOfRange = kafkajsPatch<ConsumerGroupState, 'recoverFromOffsetOutOfRange'>(
	'kafkajs/src/consumer/consumerGroup.js',
	'recoverFromOffsetOutOfRange',
	(original) =>
		async function (this: ConsumerGroupState, error) {
			// From a follower kafkajs retries the leader first and resets nothing (the original's first branch).
			const fromFollower = typeof this.preferredReadReplicasPerTopicPartition[error.topic]?.[error.partition] === 'number';
			const listener = fromFollower ? undefined : listeners.of(this.groupId, this.memberId);
			const expected = listener ? fetchPosition(this, error.topic, error.partition) : undefined;
			if (listener && expected !== undefined) listener({ topic: error.topic, partition: error.partition, expected });
			return original.call(this, error);
		},
);
