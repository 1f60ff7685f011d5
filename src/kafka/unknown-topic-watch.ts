/**
 * Tells the consumer at its first fetch that meets a deleted topic, not ~10 s later at the crash.
 *
 * kafkajs 2.2.4 (node_modules/kafkajs/src/consumer/consumerGroup.js fetch) hands a fetch's error to
 * recoverFromFetch, which answers UNKNOWN_TOPIC_OR_PARTITION by refreshing the metadata of every topic
 * the consumer ever subscribed, and that refresh fails over the deleted topic; the runner retries the
 * fetch five times with backoff, fetching nothing, and only then crashes (measured: the first crash
 * 9-12 s after the deletion). Meanwhile every offset commit that names a partition of the deleted topic
 * fails whole, after kafkajs' own retries (~6 s), other topics' offsets with it; and once the consumer
 * crashed it commits nothing at all (runner.js commitOffsets returns while not running), so a restart
 * that closes it then redelivers what finished since the deletion. Told at the first failed fetch,
 * following-consumer.ts forgets the topic and restarts while the runner still runs: the close commits
 * the other topics' finished executions, and nothing is delivered twice.
 *
 * Applied by wrapping ConsumerGroup.prototype.recoverFromFetch with kafkajsPatch (kafkajs-patch.ts),
 * only to 2.2.4; elsewhere the consumer's crash (sinker-consumer.ts CRASH) still tells, later. Listeners
 * are keyed by group and member (group-member-listeners.ts), as offset-reset-watch.ts's: kafkajs joins
 * under a new member id after a restart, so a consumer re-registers at each join (MemberUnknownTopicWatch).
 */
import { GroupMemberListeners, MemberWatch } from './group-member-listeners';
import { kafkajsPatch } from './kafkajs-patch';
import { isUnknownTopicError } from './topic-changes';

/** The fields of a kafkajs 2.2.4 ConsumerGroup the wrapper reads. */
interface ConsumerGroupState {
	groupId: string;
	memberId: string | null;
	recoverFromFetch(error: unknown): Promise<void>;
}

const listeners = new GroupMemberListeners<() => void>();

/** Calls `listener` when a fetch of this group member fails over a topic the broker does not know; returns the unsubscribe. */
export function watchUnknownTopics(groupId: string, memberId: string, listener: () => void): () => void {
	return listeners.watch(groupId, memberId, listener);
}

/** One consumer's watch on its fetches that meet a deleted topic, across its group joins; `end` on close. */
export class MemberUnknownTopicWatch extends MemberWatch<() => void> {
	constructor(groupId: string, listener: () => void) {
		super(listeners, groupId, listener);
	}
}

/** Installs the wrapper (idempotent); false when the kafkajs found is not the version it was written for. */
export const watchKafkajsUnknownTopics = kafkajsPatch<ConsumerGroupState, 'recoverFromFetch'>(
	'kafkajs/src/consumer/consumerGroup.js',
	'recoverFromFetch',
	(original) =>
		async function (this: ConsumerGroupState, error) {
			if (isUnknownTopicError(error)) listeners.of(this.groupId, this.memberId)?.();
			return original.call(this, error);
		},
);
