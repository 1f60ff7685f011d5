/**
 * The kafkajs consumer events the sinker's consumer acts on, each handed to the part that owns it: a
 * group join, a rebalance starting (what finished committed while the old generation still accepts it),
 * commit confirmations, a batch starting (a corrupt batch held; a fetch kafkajs filtered whole passed
 * over, or its partition would never commit past it), and a crash (consumer-crash.ts). Kept out of
 * sinker-consumer.ts, which registers them once per kafkajs consumer.
 */
import type { Consumer } from 'kafkajs';

import type { SinkerLogger } from './client';
import { onConsumerCrash, type CrashContext } from './consumer-crash';
import type { CorruptBatchHold } from './corrupt-batch-hold';
import type { ExecutionEmitter } from './execution-emitter';
import type { OffsetCommitter } from './offset-committer';
import type { Assignment } from './partition-state';

/** The consumer's parts these events reach. */
export interface ConsumerEventParts {
	readonly groupId: string;
	readonly logger: SinkerLogger;
	readonly assignment: Pick<Assignment, 'get'>;
	readonly committer: Pick<OffsetCommitter, 'request' | 'confirm'>;
	readonly emitter: Pick<ExecutionEmitter, 'passFiltered'>;
	readonly corruptBatchHold: Pick<CorruptBatchHold, 'processed'>;
	readonly crash: CrashContext;
	isClosing(): boolean;
	/** The group joined: this member's assignment and member id. */
	joined(memberAssignment: Record<string, number[]>, memberId: string): void;
}

export function listenToConsumerEvents(consumer: Pick<Consumer, 'on' | 'events'>, parts: ConsumerEventParts): void {
	const { events } = consumer;
	const { committer } = parts;
	consumer.on(events.GROUP_JOIN, (event) => parts.joined(event.payload.memberAssignment, event.payload.memberId));
	consumer.on(events.REBALANCING, () => {
		// kafkajs rejoins right after this event (after the drain, rebalance-hook.ts): get what
		// finished committed while the old generation still accepts it, should the drain not have run.
		parts.logger.info('Kafka group is rebalancing', { groupId: parts.groupId });
		committer.request();
	});
	consumer.on(events.COMMIT_OFFSETS, (event) => {
		for (const { topic, partitions } of event.payload.topics) {
			// kafkajs passes each partition's commit as given, metadata included (its typings omit it).
			for (const entry of partitions) committer.confirm(topic, entry.partition, String(entry.offset), (entry as { metadata?: string | null }).metadata ?? null);
		}
	});
	consumer.on(events.START_BATCH_PROCESS, ({ payload }) => {
		parts.corruptBatchHold.processed(payload);
		// A fetch whose records kafkajs all filtered out (a transaction's marker, an aborted
		// transaction) never reaches eachBatch: kafkajs moves past it itself (runner.js handleBatch).
		if (payload.batchSize > 0 || payload.firstOffset === null) return;
		const state = parts.assignment.get(payload.topic, payload.partition);
		if (state && !parts.isClosing()) parts.emitter.passFiltered(state, BigInt(payload.firstOffset), BigInt(payload.lastOffset) + 1n);
	});
	consumer.on(events.CRASH, (event) => onConsumerCrash(event.payload, parts.crash));
}
