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
 * Fail-closed: a lookup that fails (brokers unreachable, no Describe on the group) keeps the partitions
 * paused and is tried again, with one warning; with the brokers down nothing is fetched anyway.
 */
import type { Admin } from 'kafkajs';

import type { SinkerLogger } from './client';
import { groupHoldMarks } from './compacted-hold-mark';
import type { SinkerConsumerOptions } from './consumer-options';
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
}

export class CompactedHoldLookup {
	private warned = false;
	private readonly retries = new Set<NodeJS.Timeout>();
	/** Partitions whose markBase is being looked up: asked once, however many holds name them meanwhile. */
	private readonly seating = new Set<PartitionState>();

	constructor(private readonly ctx: CompactedHoldLookupContext) {}

	/** The partitions an assignment gave this consumer: paused until the group's offsets of their topics are read. */
	onAssignment(added: readonly PartitionState[]): void {
		if (added.length === 0) return;
		for (const state of added) state.holdLookupPending = true;
		void this.lookUp(added);
	}

	/** A hold began for `states` (compacted-topic-hold.ts): where those this consumer never committed are marked. */
	onHold(states: readonly PartitionState[]): void {
		const unmarked = states.filter((state) => needsBase(state) && !this.seating.has(state));
		if (unmarked.length === 0) return;
		for (const state of unmarked) this.seating.add(state);
		void this.seat(unmarked);
	}

	/** Stops the retries (close). */
	end(): void {
		for (const timer of this.retries) clearTimeout(timer);
		this.retries.clear();
		this.seating.clear();
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
			for (const state of live) state.holdLookupPending = false;
			this.ctx.settled();
			this.onHold(live.filter((state) => state.compactedHold !== null));
		} catch (error) {
			this.retry(error, () => this.lookUp(states));
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
			this.retry(error, () => this.seat(states));
		}
	}

	private retry(error: unknown, again: () => Promise<void>): void {
		if (this.ctx.isClosing()) return;
		if (!this.warned) {
			this.warned = true;
			this.ctx.logger.warn(`Kafka: could not read group ${this.ctx.options.groupId}'s committed offsets for the compacted-topic hold (${(error as Error).message}); its new partitions stay paused until they can be read, tried again every ${(this.ctx.retryMs ?? 1000) / 1000} s`);
		}
		const timer = setTimeout(() => {
			this.retries.delete(timer);
			void again();
		}, this.ctx.retryMs ?? 1000);
		this.retries.add(timer);
	}
}

/** Held for compacting with nothing this consumer could commit the mark at yet. */
function needsBase(state: PartitionState): boolean {
	return state.compactedHold !== null && state.committed === undefined && state.markBase === undefined && state.pinnedStart === undefined && state.tracker.committableOffset === undefined;
}
