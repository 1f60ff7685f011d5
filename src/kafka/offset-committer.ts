/**
 * The sinker's commit loop: each owned partition is committed up to the longest prefix of
 * executions that finished successfully (its tracker's committableOffset), never further.
 *
 * kafkajs 2.2.4 behaviour relied on (node_modules/kafkajs/src): with autoCommit false
 * (runner.autoCommitOffsets) kafkajs never commits, so every commit is ours; runner.js commitOffsets
 * returns without committing when the runner is not running, so a commit is only believed when the
 * COMMIT_OFFSETS instrumentation event confirms it (confirm below) and is retried until then.
 *
 * With Keep Order per Partition every commit carries the partition's fence mark (partition-fence.ts):
 * HELD while this consumer may have executions out, RELEASED once a drain (close, rebalance) left
 * none; a changed mark is committed at the same offset. A topic held for compacting adds its hold's mark
 * to every commit (compacted-hold-mark.ts); without either, commits carry no metadata, as before.
 */
import type { Consumer } from 'kafkajs';

import { pause, untilAborted } from '../common/abortable';
import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import type { SinkerConsumerOptions, SinkerStats } from './consumer-options';
import { holdName, joinMarks, markParts, readCompactedHold } from './compacted-hold-mark';
import { heldMark, parseMark, RELEASED } from './partition-fence';
import type { Assignment, PartitionState } from './partition-state';
import { isUnknownTopicError } from './topic-changes';

type CommitEntry = { topic: string; partition: number; offset: string; metadata: string | null };

/** A partition close leaves with offsets not confirmed: read again from `committed` at the next start. */
export interface Unconfirmed {
	topic: string;
	partition: number;
	/** The offset the broker last confirmed (undefined: none in this process). */
	committed: bigint | undefined;
	/** Where the executions that finished reach. */
	committable: bigint | undefined;
}

/** Labels of the committed-offset gauge; removed again when the partition is given up. */
export function committedOffsetLabels(options: SinkerConsumerOptions, state: PartitionState) {
	return { workflow: options.labels.workflow, group: options.groupId, topic: state.topic, partition: String(state.partition) };
}

export class OffsetCommitter {
	private wanted = false;
	private committing: Promise<void> | undefined;
	/** Whether the last commit round ended with a commit the broker had not confirmed. */
	private endedUnconfirmed = false;
	private retry: NodeJS.Timeout | undefined;
	/** Set by release() (after a drain) until the next group join. */
	private releasing = false;
	/** Commit requests kafkajs has not answered yet (close waits for them: settled). */
	private readonly requests = new Set<Promise<void>>();
	/** topic → what commit rounds wait on beside its request, settled when the topic is forgotten. */
	private readonly forgetWaiters = new Map<string, { promise: Promise<void>; release: () => void }>();

	constructor(
		private readonly consumer: Consumer,
		private readonly assignment: Assignment,
		private readonly options: SinkerConsumerOptions,
		private readonly logger: SinkerLogger,
		private readonly stats: SinkerStats,
		private readonly isClosing: () => boolean,
	) {}

	/** Asks for a commit round; requests made while one runs fold into the next round. */
	request(): void {
		// An editor test run must leave the group's position where the real workflow will find it.
		if (this.options.manual) return;
		this.wanted = true;
		if (this.committing) return;
		this.committing = this.loop().finally(() => {
			this.committing = undefined;
			// A request made after the round's last look at `wanted` and before this ran found the round
			// still set and folded into it: served by nobody, the finished executions' offsets waited for
			// the next request (none at the end of a topic's traffic), and an n8n killed meanwhile delivered
			// them again. A round that ended unconfirmed is left to its retry timer (none while closing).
			if (this.wanted && !this.endedUnconfirmed) this.request();
		});
	}

	private get ordered(): boolean {
		return this.options.keepPartitionOrder === true && !this.options.manual;
	}

	/**
	 * The fence mark a commit of this partition carries; null without Keep Order per Partition. An
	 * ownership that has not handed out a deadline (nor inherited one) has nothing to hold: a start
	 * position committed before its first execution says RELEASED.
	 */
	private metadataFor(state: PartitionState): string | null {
		// A topic held for compacting: every commit carries the hold's mark (compacted-hold-mark.ts), or one
		// commit without it would release the hold at the next activation. Null without either: no cost.
		return state.compactedHold === null ? this.fenceMark(state) : joinMarks(this.fenceMark(state), state.compactedHold);
	}

	private fenceMark(state: PartitionState): string | null {
		if (!this.ordered) return null;
		if (state.heldUntil === 0) return RELEASED;
		return this.releasing && state.tracker.running === 0 && state.tracker.failedAt === undefined ? RELEASED : heldMark(state.heldUntil);
	}

	/** Where the partition is committed now: what finished, a pinned start, or where a hold marks it (markBase). */
	private offsetFor(state: PartitionState): bigint | undefined {
		return state.tracker.committableOffset ?? state.pinnedStart ?? state.markBase;
	}

	/**
	 * Keep Order per Partition: the previous owner's fence mark is still being looked up (assignment-fence.ts,
	 * fencedUntil Infinity until it answers). Nothing of the partition is committed meanwhile: a commit at its
	 * markBase or pinned start would say RELEASED (heldUntil 0) over the previous owner's HELD:until, and a third
	 * consumer given the partition in that window started at once while the previous owner's rows could still
	 * land after its own (late review session 20, H3). The fence's answer asks for a commit (sinker-consumer.ts).
	 */
	private fenceLookupPending(state: PartitionState): boolean {
		return this.ordered && state.fencedUntil === Number.POSITIVE_INFINITY;
	}

	private async loop(): Promise<void> {
		this.endedUnconfirmed = false;
		while (this.wanted) {
			this.wanted = false;
			const byTopic = new Map<string, CommitEntry[]>();
			for (const state of this.assignment.all()) {
				// Not before the group's offset says nobody else moved it (returning-partitions.ts), nor before the
				// previous owner's fence mark is known.
				if (state.returning || this.fenceLookupPending(state)) continue;
				const offset = this.offsetFor(state);
				const metadata = this.metadataFor(state);
				let entry: CommitEntry | undefined;
				if (offset !== undefined && (state.committed === undefined || offset > state.committed)) {
					entry = { topic: state.topic, partition: state.partition, offset: offset.toString(), metadata };
				} else if (metadata !== state.committedMetadata && state.committed !== undefined) {
					// A changed mark at the same offset: a fence mark, a hold's mark added, or one dropped on release.
					entry = { topic: state.topic, partition: state.partition, offset: state.committed.toString(), metadata };
				}
				if (entry) byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), entry]);
			}
			if (byTopic.size === 0) return;
			// One request per topic: kafkajs fails a whole commit over one refused partition (a deleted
			// topic's: UNKNOWN_TOPIC_OR_PARTITION) and retries it all for ~6 s, while the broker applies every
			// other partition of each try: the other topics' offsets were not confirmed, and each retry
			// committed them again at the older offsets it carried, possibly after a newer commit. A forgotten
			// topic's request is not waited for (forget): its retries hold nothing of the other topics.
			await Promise.all([...byTopic].map(([topic, offsets]) => Promise.race([this.commitTopic(offsets), this.forgotten(topic)])));
			const unconfirmed = [...byTopic.values()].flat().some(({ topic, partition, offset, metadata }) => {
				const state = this.assignment.get(topic, partition);
				return state !== undefined && (state.committed === undefined || state.committed < BigInt(offset) || state.committedMetadata !== metadata);
			});
			if (unconfirmed && !this.isClosing() && !this.retry) {
				this.retry = setTimeout(() => {
					this.retry = undefined;
					this.request();
				}, 1000);
			}
			if (unconfirmed) {
				this.endedUnconfirmed = true;
				return;
			}
		}
	}

	private commitTopic(offsets: CommitEntry[]): Promise<void> {
		const request = this.sendTopic(offsets);
		this.requests.add(request);
		void request.finally(() => this.requests.delete(request));
		return request;
	}

	private async sendTopic(offsets: CommitEntry[]): Promise<void> {
		this.requested(offsets);
		try {
			await this.consumer.commitOffsets(offsets);
		} catch (error) {
			this.logger.warn('Kafka offset commit failed; will retry', { error: (error as Error).message, groupId: this.options.groupId, topic: offsets[0]?.topic });
			// A deleted topic: once it is forgotten (following-consumer.ts) it is no longer committed.
			if (isUnknownTopicError(error)) this.options.onUnknownTopic?.();
		}
	}

	/** Settles when `topic` is forgotten (forget): its commit request in flight is no longer waited for. One per topic, shared by every round. */
	private forgotten(topic: string): Promise<void> {
		let waiter = this.forgetWaiters.get(topic);
		if (!waiter) {
			let release = () => {};
			const promise = new Promise<void>((resolve) => (release = resolve));
			waiter = { promise, release };
			this.forgetWaiters.set(topic, waiter);
		}
		return waiter.promise;
	}

	/** The topics were deleted and their partitions dropped from the assignment: stop waiting for their commits. */
	forget(topics: readonly string[]): void {
		for (const topic of topics) {
			this.forgetWaiters.get(topic)?.release();
			this.forgetWaiters.delete(topic);
		}
	}

	/** Tells the observer what is about to be committed (before kafkajs sends it). */
	private requested(offsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>): void {
		for (const { topic, partition, offset } of offsets) this.options.observer?.onCommitRequest?.(topic, partition, offset);
	}

	/** The broker accepted a commit (kafkajs COMMIT_OFFSETS event). */
	confirm(topic: string, partition: number, offset: string, metadata: string | null = null): void {
		const state = this.assignment.get(topic, partition);
		if (!state) return;
		const value = BigInt(offset);
		if (state.committed === undefined || value > state.committed) state.committed = value;
		state.committedMetadata = metadata;
		const mark = parseMark(metadata);
		if (mark.held && mark.until !== undefined && mark.until > state.leaseCommitted) state.leaseCommitted = mark.until;
		this.stats.commits++;
		metrics.kafkaCommittedOffset.set(committedOffsetLabels(this.options, state), Number(value));
		this.options.observer?.onCommit?.(topic, partition, offset);
	}

	/**
	 * Marks the partition HELD until `until` at `offset` (where this ownership continues consuming)
	 * before its first execution, and again when the lease runs short; true once the broker confirmed
	 * it. False leaves the partition unstarted: the caller tries again with the next fetch.
	 */
	async announce(state: PartitionState, offset: bigint, until: number): Promise<boolean> {
		state.heldUntil = Math.max(state.heldUntil, until);
		const metadata = joinMarks(heldMark(state.heldUntil), state.compactedHold);
		const offsets = [{ topic: state.topic, partition: state.partition, offset: offset.toString(), metadata }];
		this.requested(offsets);
		try {
			await this.consumer.commitOffsets(offsets);
		} catch (error) {
			this.logger.warn('Kafka commit marking the partition held failed; will retry', { topic: state.topic, partition: state.partition, error: (error as Error).message });
			if (isUnknownTopicError(error)) this.options.onUnknownTopic?.();
			return false;
		}
		state.announced = state.committedMetadata === metadata;
		return state.announced;
	}

	/**
	 * After a drain: the next commits mark every partition without executions out RELEASED, so the
	 * next owner starts at once; a partition kept across the rebalance is marked HELD again before
	 * its next execution.
	 */
	release(): void {
		if (!this.ordered) return;
		this.releasing = true;
		for (const state of this.assignment.all()) state.announced = false;
	}

	/** A new group generation: partitions kept are ours again (HELD on their next commit). */
	rejoined(): void {
		this.releasing = false;
	}

	/**
	 * Commits what finished and waits for the confirmation, a few rounds at most (rebalance, close), or
	 * until `signal` aborts (close's deadline, close-deadline.ts): a commit kafkajs still retries (a deleted
	 * topic's, for seconds) is then no longer waited for.
	 */
	async flush(attempts = 3, signal?: AbortSignal): Promise<void> {
		for (let i = 0; i < attempts; i++) {
			this.request();
			if (!(await untilAborted(this.committing ?? Promise.resolve(), signal))) return;
			if (this.unconfirmed().length === 0) return;
			if (!(await pause(300, signal))) return;
		}
	}

	/** Partitions whose finished executions (or fence mark) the broker has not confirmed as committed. */
	unconfirmed(): Unconfirmed[] {
		const left: Unconfirmed[] = [];
		for (const s of this.assignment.all()) {
			if (s.returning || this.fenceLookupPending(s)) continue;
			const committable = this.offsetFor(s);
			const metadata = this.metadataFor(s);
			if ((committable !== undefined && (s.committed === undefined || s.committed < committable)) || (s.committed !== undefined && metadata !== s.committedMetadata)) {
				left.push({ topic: s.topic, partition: s.partition, committed: s.committed, committable: committable ?? s.committed });
			}
		}
		return left;
	}

	/** Close ends: names what stays uncommitted, read again from its committed offset at the next start, and the holds left unmarked. */
	tellUnconfirmed(): void {
		const left = this.unconfirmed();
		if (left.length > 0) {
			const partitions = left.map(({ topic, partition, committed, committable }) => `${topic}[${partition}] at ${committed ?? 'its start'} (finished up to ${committable})`);
			this.logger.warn(`Kafka consumer closing before the broker confirmed its last commit; read again at the next start: ${partitions.join(', ')}`, { groupId: this.options.groupId });
		}
		this.tellUnmarkedHolds();
	}

	/**
	 * Partitions held for compacting whose hold's mark this consumer could not commit before close: nowhere to
	 * commit it (compacted-hold-lookup.ts: the group's offset or the log's start not read in time), or the
	 * previous owner's fence mark still being read (Keep Order). Named, not left to vanish (late review session 20, H4).
	 */
	private tellUnmarkedHolds(): void {
		const unmarked = [...this.assignment.all()].filter(
			(s) => s.compactedHold !== null && !s.returning && !markParts(s.committedMetadata).includes(s.compactedHold) && (this.offsetFor(s) === undefined || this.fenceLookupPending(s)),
		);
		if (unmarked.length === 0) return;
		const partitions = unmarked.map((s) => `${s.topic}[${s.partition}] (hold ${holdName(s.topic, readCompactedHold(s.compactedHold) ?? 0)})`);
		this.logger.warn(
			`Kafka consumer closing before it marked the compacted-topic hold in group ${this.options.groupId}'s committed offsets for ${partitions.join(', ')} (the group's offset, the log's start or the previous owner's fence mark not read in time): ` +
				'such a partition is held at the next start only where its committed offset already carries the mark or another partition of its topic does. Where none does, the hold is not kept: ' +
				'set Tombstones to "Delete the Row of Its Key" before the topic\'s cleanup.policy is set back to delete, as read with "Skip" the delete events the log cleaner removed meanwhile would be lost',
			{ groupId: this.options.groupId, topics: [...new Set(unmarked.map((s) => s.topic))] },
		);
	}

	/**
	 * Every commit request sent has ended, or `signal` aborted (close's deadline). Close waits for them
	 * before the consumer disconnects: a forgotten topic's request no round waits for may still be in
	 * kafkajs' retries, and a retry after the disconnect reopened a connection (client.ts now ends it at once).
	 */
	async settled(signal: AbortSignal): Promise<void> {
		await untilAborted(Promise.allSettled([...this.requests]), signal);
	}

	/** Drops a pending retry; used by close, after which no retry is scheduled any more. */
	cancelRetry(): void {
		clearTimeout(this.retry);
	}
}
