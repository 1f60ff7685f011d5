/**
 * kafkajs' own moves of a partition's position, told apart from the sinker's seeks and reported.
 *
 * kafkajs 2.2.4 resets the position itself after OffsetOutOfRange and commits the reset
 * (consumerGroup.js recoverFromOffsetOutOfRange, offsetManager setDefaultOffset). Left unnoticed:
 * - below the floor (topic deleted and recreated, unclean leader election, log truncated), keeping
 *   the tracked offsets would skip every message below the floor, for ever;
 * - above the point a redelivery rewound to (retention or DeleteRecords removed the messages while
 *   the partition waited, e.g. Doris down longer than retention.ms), the tracker refused every
 *   execution from the new start, so the partition fetched the same batch in a loop for ever, and
 *   nothing said which messages were gone;
 * - above where the sinker merely continues (behind, or stopped over the weekend), the deleted
 *   messages were skipped with nothing but kafkajs' own "resetting to default offset".
 * kafka_messages_lost_total counts the offsets gone, so an alert can fire (a transaction marker among
 * them counts too).
 */
import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import type { PartitionState } from './partition-state';

/**
 * Where the sinker expected the fetch of this partition to start, when a batch fetched from
 * `fetchedFrom` shows kafkajs moved the position itself; undefined when only the sinker's own seeks
 * did. After a rewind the fetch starts where we sought, and our seeks move the floor with them. The
 * offset kafkajs reset from (offset-reset-watch.ts) covers a partition the sinker was merely behind
 * on, or had not fetched yet in this ownership, where no floor tells.
 *
 * A fetch above the floor, or above where a seek of ours went, is a reset only with that evidence:
 * kafkajs also moves forward itself without calling eachBatch (consumer/batch.js
 * isEmptyDueToLogCompactedMessages: the seek landed in a record batch whose tail compaction removed;
 * a fetch of filtered records only), over offsets that held nothing to hand out. Taken for a reset,
 * that forgot executions still running (a false "removed by retention ... messages lost"), and the
 * group committed past them when they failed (review session 18, F8); the caller lets the tracker
 * accept the gap instead (PartitionCommitTracker.passedAfterRewind). The caller must not ask for a
 * stale batch (fetched before our seek, it waited in kafkajs' queue): it starts above the rewound
 * offset too but moved nothing, and taken for a reset it made the tracker forget earlier executions
 * still in flight, so a commit passed their rows when they failed.
 */
export function offsetBeforeKafkaReset(state: PartitionState, fetchedFrom: bigint): { expected: bigint | undefined } | undefined {
	const floor = state.tracker.nextOffset;
	const outOfRangeFrom = state.outOfRangeFrom;
	const reset = outOfRangeFrom !== undefined || (floor !== undefined && fetchedFrom < floor);
	return reset ? { expected: outOfRangeFrom ?? floor } : undefined;
}

/**
 * Logs kafkajs' reset of the partition to `fetchedFrom` (naming the offsets gone, counted in
 * kafka_messages_lost_total) and makes the partition start over there.
 */
export function startOverAfterKafkaReset(logger: SinkerLogger, workflow: string, state: PartitionState, fetchedFrom: bigint, expected: bigint | undefined): void {
	state.outOfRangeFrom = undefined;
	const { topic, partition } = state;
	const running = state.tracker.running;
	const where = { topic, partition, resetTo: String(fetchedFrom), expected: String(expected), running };
	if (expected !== undefined && fetchedFrom > expected) {
		const lost = fetchedFrom - expected;
		const rewound = state.tracker.rewoundTo === expected;
		logger.error(
			`Kafka position of ${topic}[${partition}] was reset to offset ${fetchedFrom}, above offset ${expected} where the sinker was to ${rewound ? 'redeliver from' : 'continue'} (the broker answered offset out of range: the log no longer holds offsets ${expected} to ${fetchedFrom - 1n}, removed by retention or DeleteRecords before the sinker loaded them${rewound ? ' all' : ''}); ${rewound ? `those of the ${lost} messages not loaded yet are lost` : `${lost} messages lost`}${running > 0 ? `, and so are the rows of the ${running} execution(s) still running for offsets below ${expected} should they fail (their messages are gone too)` : ''}; consuming from offset ${fetchedFrom}`,
			{ ...where, lost: String(lost) },
		);
		metrics.kafkaMessagesLost.inc({ workflow, topic, partition: String(partition) }, Number(lost));
	} else if (expected !== undefined && fetchedFrom < expected) {
		logger.error(
			`Kafka position of ${topic}[${partition}] was reset to offset ${fetchedFrom}, below offset ${expected} where the sinker continues (the broker answered offset out of range: topic recreated or log truncated?); consuming from offset ${fetchedFrom}, executions still in flight for the old offsets no longer count for commits`,
			where,
		);
	}
	state.resetPosition();
}
