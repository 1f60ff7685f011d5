/**
 * The consumer's side of the compacted-topic hold kept in Kafka (compacted-hold-mark.ts):
 *
 * - at each assignment, the partitions given to this consumer stay paused (`holdLookupPending`) until the
 *   group's committed offsets of their topics are read: a topic a partition's mark says is held is held
 *   again before anything of it is fetched, at an activation (an n8n restart included) and when a
 *   rebalance hands a marked partition to another consumer of the group alike. Before, a restart read on
 *   from the committed offset with Skip, whatever the cleaner had removed meanwhile;
 * - where a hold began (or was found, or released) for a partition this consumer has committed nothing
 *   of, it finds where to mark it (`markBase`): the group's committed offset, else the log's start, where
 *   any consumer of the group would start it (a partition with no committed offset would otherwise carry
 *   no mark, and be read from its start with Skip after a restart).
 *
 * With Keep Order per Partition the same read, at every assignment, finds the partitions added to a topic the
 * group consumed (no committed offset of their own, some for the topic's other partitions): they stay held
 * until the old partitions' backlog is committed (partition-growth-hold.ts), before anything of them is fetched.
 *
 * Fail-closed: a lookup that fails (brokers unreachable, no Describe on the group) keeps the partitions
 * paused and is tried again, with one warning; with the brokers down nothing is fetched anyway.
 *
 * Close waits for the seats under way (`seated`, bounded by the Close Timeout) and tries once more those
 * waiting for a retry: before, a hold that began for a partition this consumer had committed nothing of,
 * closed within its seat's OffsetFetch + ListOffsets (or while the brokers refused them), left no mark and no
 * word (late review session 20, H4); a partition still left without one is named (offset-committer.ts).
 */
import type { Admin } from 'kafkajs';

import { untilAborted } from '../common/abortable';
import type { SinkerLogger } from './client';
import { groupHoldMarks } from './compacted-hold-mark';
import type { SinkerConsumerOptions } from './consumer-options';
import { PartitionGrowthHold } from './partition-growth-hold';
import type { PartitionState } from './partition-state';

export interface CompactedHoldLookupContext {
	/** The consumer's admin client (undefined before it connected). */
	admin(): Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'> | undefined;
	/** onCompactedHolds: the trigger, told the holds the group's offsets carry, answers what to hold (again, or not where released). */
	readonly options: Pick<SinkerConsumerOptions, 'groupId' | 'onCompactedHolds'>;
	readonly logger: Pick<SinkerLogger, 'warn' | 'info'>;
	isClosing(): boolean;
	/** Holds exactly `topics` from now on (SinkerConsumer.holdTopics). */
	hold(topics: readonly string[], marks: ReadonlyMap<string, string>): void;
	/** Partitions may go on, or have a mark to commit: resume them and commit. */
	settled(): void;
	/** Between failed lookups (default 1 s). */
	readonly retryMs?: number;
	/** Keep Order per Partition: partitions added to a topic wait for the old partitions' backlog (partition-growth-hold.ts). */
	readonly keepsOrder?: boolean;
}

export class CompactedHoldLookup {
	private warned = false;
	private readonly retries = new Set<NodeJS.Timeout>();
	/** Partitions whose markBase is being looked up: asked once, however many holds name them meanwhile. */
	private readonly seating = new Set<PartitionState>();
	/** Seats under way, and those waiting for their retry (timer → the seat to try again): close waits for them (`seated`). */
	private readonly seats = new Set<Promise<void>>();
	private readonly seatRetries = new Map<NodeJS.Timeout, readonly PartitionState[]>();
	private readonly growth: PartitionGrowthHold | undefined;

	constructor(private readonly ctx: CompactedHoldLookupContext) {
		const { admin, logger, isClosing, settled } = ctx;
		this.growth = ctx.keepsOrder ? new PartitionGrowthHold({ admin, groupId: ctx.options.groupId, logger, isClosing, released: settled }) : undefined;
	}

	/**
	 * The partitions an assignment gave this consumer: paused until the group's offsets of their topics are read.
	 * Read only where a hold can follow (onCompactedHolds, set by following-consumer.ts at every activation, or
	 * Keep Order per Partition): nothing otherwise (an editor test run, a SinkerConsumer started on its own).
	 */
	onAssignment(added: readonly PartitionState[]): void {
		if (added.length === 0 || (!this.ctx.options.onCompactedHolds && !this.growth)) return;
		for (const state of added) state.holdLookupPending = true;
		void this.lookUp(added);
	}

	/** A hold began for `states` (compacted-topic-hold.ts): where those this consumer never committed are marked. */
	onHold(states: readonly PartitionState[]): void {
		const unmarked = states.filter((state) => needsBase(state) && !this.seating.has(state));
		if (unmarked.length === 0) return;
		for (const state of unmarked) this.seating.add(state);
		this.startSeat(unmarked);
	}

	/**
	 * Close, after committing what finished (close-sequence.ts): the seats under way end, and those waiting for
	 * a retry are tried once more now (no retry after that: closing), or `signal` aborts (the Close Timeout).
	 * True when there were seats: the marks they found need a commit of their own. What is left unseated has no
	 * mark this consumer can commit: the committer names it (offset-committer.ts tellUnconfirmed).
	 */
	async seated(signal: AbortSignal): Promise<boolean> {
		for (const [timer, states] of this.seatRetries) {
			clearTimeout(timer);
			this.startSeat(states);
		}
		this.seatRetries.clear();
		if (this.seats.size === 0) return false;
		await untilAborted(Promise.allSettled([...this.seats]), signal);
		return true;
	}

	/** Stops the retries (close). */
	end(): void {
		this.growth?.end();
		for (const timer of [...this.retries, ...this.seatRetries.keys()]) clearTimeout(timer);
		this.retries.clear();
		this.seatRetries.clear();
		this.seating.clear();
	}

	private startSeat(states: readonly PartitionState[]): void {
		const attempt: Promise<void> = this.seat(states).finally(() => this.seats.delete(attempt));
		this.seats.add(attempt);
	}

	private async lookUp(states: readonly PartitionState[]): Promise<void> {
		const admin = this.ctx.admin();
		try {
			if (!admin) throw new Error('no admin client');
			const marks = await groupHoldMarks(admin, this.ctx.options.groupId, [...new Set(states.map((state) => state.topic))]);
			// Closing: nothing more is fetched, and a mark found is still in the group's offsets.
			if (this.ctx.isClosing()) return;
			const live = states.filter((state) => !state.revoked);
			// Released or held again, a marked partition is committed at the group's offset: with the mark, or without it.
			for (const state of live) if (marks.held.has(state.topic)) state.markBase ??= marks.offsets.get(`${state.topic}:${state.partition}`)?.offset;
			const hold = marks.held.size > 0 ? this.ctx.options.onCompactedHolds?.(marks.held) : undefined;
			if (hold) this.ctx.hold(hold.topics, hold.marks);
			// Before they are resumed below: an added partition must not fetch a batch before its hold.
			this.growth?.onOffsets(live, marks.offsets);
			for (const state of live) state.holdLookupPending = false;
			this.ctx.settled();
			this.onHold(live.filter((state) => state.compactedHold !== null));
		} catch (error) {
			const timer = this.retry(error, () => void this.lookUp(states));
			if (timer) this.retries.add(timer);
		}
	}

	private async seat(states: readonly PartitionState[]): Promise<void> {
		const admin = this.ctx.admin();
		try {
			if (!admin) throw new Error('no admin client');
			const topics = [...new Set(states.map((state) => state.topic))];
			const { offsets } = await groupHoldMarks(admin, this.ctx.options.groupId, topics);
			const starts = new Map<string, bigint>();
			for (const topic of topics) {
				if (!states.some((state) => state.topic === topic && !offsets.has(`${topic}:${state.partition}`))) continue;
				for (const { partition, low } of await admin.fetchTopicOffsets(topic)) starts.set(`${topic}:${partition}`, BigInt(low));
			}
			for (const state of states) {
				if (state.revoked || !needsBase(state)) continue;
				const key = `${state.topic}:${state.partition}`;
				state.markBase = offsets.get(key)?.offset ?? starts.get(key);
			}
			for (const state of states) this.seating.delete(state);
			this.ctx.settled();
		} catch (error) {
			const timer = this.retry(error, () => this.startSeat(states));
			if (timer) this.seatRetries.set(timer, states);
		}
	}

	/** Schedules `again` (undefined while closing: close tries the seats once more itself, `seated`). */
	private retry(error: unknown, again: () => void): NodeJS.Timeout | undefined {
		if (this.ctx.isClosing()) return undefined;
		if (!this.warned) {
			this.warned = true;
			this.ctx.logger.warn(`Kafka: could not read group ${this.ctx.options.groupId}'s committed offsets for its new partitions (compacted-topic hold, partitions added; ${(error as Error).message}); its new partitions stay paused until they can be read, tried again every ${(this.ctx.retryMs ?? 1000) / 1000} s`);
		}
		const timer: NodeJS.Timeout = setTimeout(() => {
			this.retries.delete(timer);
			this.seatRetries.delete(timer);
			again();
		}, this.ctx.retryMs ?? 1000);
		return timer;
	}
}

/** Held for compacting with nothing this consumer could commit the mark at yet. */
function needsBase(state: PartitionState): boolean {
	return state.compactedHold !== null && state.committed === undefined && state.markBase === undefined && state.pinnedStart === undefined && state.tracker.committableOffset === undefined;
}
