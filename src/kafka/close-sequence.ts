/**
 * What a sinker consumer's close does once it stopped fetching (sinker-consumer.ts close), in this order,
 * every wait bounded by the one deadline (Close Timeout, close-deadline.ts):
 * 1. the executions in flight drained until the last fifth of the deadline; those still running are given
 *    up (their offsets stay uncommitted, redelivered at the next start) and the n8n side stops waiting;
 * 2. what finished committed, first: a seat below may wait until the deadline, and a commit begun after it
 *    would be sent with the deadline passed and not waited for (its rows read and loaded again at the next
 *    start: late review session 21, C1);
 * 3. the seats of compacted-topic holds under way ended (compacted-hold-lookup.ts seated), within what is
 *    left of the deadline, and committed again for their marks: a hold that began for a partition this
 *    consumer never committed gets its mark committed by this close. Before, a close within the seat's
 *    OffsetFetch + ListOffsets left the partition unmarked without a word (late review session 20, H4);
 *    then the commit requests settled, and what stays uncommitted, or held without its mark, named
 *    (offset-committer.ts tellUnconfirmed);
 * 4. the lag measurement stopped, the group left, the clients disconnected: the disconnect is begun even
 *    past the deadline, as it stops kafkajs' runner.
 */
import { untilAborted } from '../common/abortable';
import type { SinkerLogger } from './client';
import type { CloseDeadline, CloseReport } from './close-deadline';
import type { CompactedHoldLookup } from './compacted-hold-lookup';
import type { ExecutionWindow } from './execution-window';
import type { OffsetCommitter } from './offset-committer';

/** The parts of a consumer its close goes through. */
export interface ClosingConsumer {
	readonly groupId: string;
	readonly logger: Pick<SinkerLogger, 'warn'>;
	readonly window: Pick<ExecutionWindow, 'drain' | 'inFlight'>;
	readonly holdLookup: Pick<CompactedHoldLookup, 'seated'>;
	readonly committer: Pick<OffsetCommitter, 'settled' | 'tellUnconfirmed'>;
	/** What finished, committed (fence marks released where nothing is left running). */
	commitFinished(signal: AbortSignal): Promise<void>;
	/** The executions still running are given up: the n8n side stops waiting for them. */
	abandon(): void;
	/** Stops the lag measurement; undefined without one. */
	stopLag(): Promise<void> | undefined;
	/** Leaves the group and disconnects the consumer and its admin client. */
	disconnect(): Promise<unknown>;
}

/** Steps 1-4 above; the caller stopped fetching before and ends what is left after (sockets, watches, gauges). */
export async function closeAfterFetching(consumer: ClosingConsumer, deadline: CloseDeadline): Promise<CloseReport> {
	const { signal } = deadline;
	const { window, logger, committer } = consumer;
	const drained = await window.drain(deadline.drainLeftMs, signal);
	const abandoned = window.inFlight;
	if (!drained) {
		logger.warn('Kafka consumer closing with executions still in flight; their offsets stay uncommitted', { abandoned });
		consumer.abandon();
	}
	// The seats' retries begin now, beside the commit: what finished is not kept waiting for them (C1).
	const seats = consumer.holdLookup.seated(signal);
	await consumer.commitFinished(signal);
	if (await seats) await consumer.commitFinished(signal);
	await committer.settled(signal);
	committer.tellUnconfirmed();
	const lag = consumer.stopLag();
	if (lag) await untilAborted(lag, signal);
	const disconnected = await untilAborted(consumer.disconnect(), signal);
	if (!disconnected) logger.warn('Kafka consumer did not leave its group within Close Timeout; its connections are closed, the group reassigns its partitions after the session timeout', { groupId: consumer.groupId });
	return { drained, abandoned };
}
