/**
 * What the sinker consumer knows about one partition it owns: its commit tracker (which also knows
 * where fetching continues), what it committed, and its redelivery backoff. A PartitionState object
 * lives exactly as long as one ownership: when a rebalance takes the partition away the object is
 * marked revoked and dropped, so outcomes of executions that belonged to it are recognised and ignored.
 */
import { PartitionCommitTracker } from './commit-tracker';

export class PartitionState {
	readonly tracker = new PartitionCommitTracker();
	/** Last offset this consumer committed (next offset to consume). */
	committed: bigint | undefined;
	/** Redeliveries since the last commit past a failure. */
	attempt = 0;
	failedFrom: bigint | undefined;
	backoffTimer: NodeJS.Timeout | undefined;
	revoked = false;
	/**
	 * Moves each time the fetch position is moved under the emit path (a seek of ours, a reset):
	 * messages fetched before such a move must not be handed out, however long a parse awaited.
	 */
	positionEpoch = 0;
	/**
	 * Keep Order per Partition (partition-fence.ts): until when this ownership must not start an
	 * execution because a previous owner's rows may still load (Infinity while that is being looked
	 * up); whether HELD was committed for this ownership; the metadata of the last confirmed commit.
	 */
	fencedUntil = 0;
	fenceTimer: NodeJS.Timeout | undefined;
	announced = false;
	committedMetadata: string | null = null;
	/**
	 * The deadline every HELD mark of this ownership carries: raised before a renewal is sent, so no
	 * commit sent later carries less (and never below the previous owner's). Executions start only
	 * under `leaseCommitted`, the deadline of the last HELD mark the broker confirmed.
	 */
	heldUntil = 0;
	leaseCommitted = 0;
	/**
	 * Where this ownership started a partition the group had no offset for, at its end (Read From
	 * Beginning off, start-positions.ts): committed even before any execution, so that the group
	 * remembers the topic and a later activation does not take it for a new one.
	 */
	pinnedStart: bigint | undefined;
	/** Paused on the first assignment until the group's offsets tell whether the pinned start still holds (start-positions.ts). */
	startPending = false;
	/**
	 * kafkajs is resetting this partition's position after OffsetOutOfRange: the offset it fetched
	 * from, which the log no longer holds (offset-reset-watch.ts). The next batch's fetch offset is the
	 * new start, and the offsets between are reported as lost (execution-emitter.ts).
	 */
	outOfRangeFrom: bigint | undefined;
	/**
	 * Came back to this process under a new member id (kafkajs restarted the consumer after a crash)
	 * with executions of the previous membership tracked: paused and committing nothing until the
	 * group's committed offset says whether the partition is still where this process left it
	 * (returning-partitions.ts). `returnCheck` names the check under way: a later join under yet
	 * another member id starts a new one, and the answer of the old one is dropped.
	 */
	returning = false;
	returnCheck = 0;
	/**
	 * Its topic is held (compacted-topic-hold.ts: its cleanup.policy compacts now, or cannot be read): paused,
	 * nothing more of it handed out; executions in flight finish and commit. Set by the Assignment, for
	 * every state of the topic, new ones included (`topicHeld`); also while `holdLookupPending`.
	 */
	get held(): boolean {
		return this.topicHeld || this.holdLookupPending;
	}
	topicHeld = false;
	/**
	 * The mark of its topic's compacted-topic hold (compacted-hold-mark.ts) that every commit of it carries
	 * while held, null when not held for compacting. Set by the Assignment, as `held`. `markBase` is where a
	 * partition neither committed nor pinned by this consumer is marked: the group's offset, else the log's
	 * start (where a consumer of the group would start it). `holdLookupPending`: paused until the group's
	 * offsets say whether its topic is held (compacted-hold-lookup.ts).
	 */
	compactedHold: string | null = null;
	markBase: bigint | undefined;
	holdLookupPending = false;

	constructor(
		readonly topic: string,
		readonly partition: number,
	) {}

	get inBackoff(): boolean {
		return this.backoffTimer !== undefined;
	}

	get fenced(): boolean {
		return this.fencedUntil > Date.now();
	}

	/**
	 * Fenced for `waitMs` from now; `onEnd` runs when the fence ends, to resume the partition. The
	 * timer ends it, not the clock: Node runs timers on the monotonic clock in whole milliseconds, so
	 * a timer of N ms can fire while Date.now() still reads its start + N - 1. Judged by the clock
	 * then, the partition stayed fenced, paused, with no timer left to resume it: never fetched again.
	 */
	fenceFor(waitMs: number, onEnd: () => void): void {
		clearTimeout(this.fenceTimer);
		this.fencedUntil = Date.now() + waitMs;
		this.fenceTimer = setTimeout(() => {
			this.fenceTimer = undefined;
			this.fencedUntil = 0;
			onEnd();
		}, waitMs);
	}

	/**
	 * The log behind the tracked offsets is gone (kafkajs reset the position after OffsetOutOfRange):
	 * start over from the new position, with nothing committed and no redelivery pending. The start
	 * pinned on the old log goes with it: committed as the new log's floor (no execution succeeded yet
	 * there), that offset of the old log stood above the new log's rows still loading, and a restart
	 * skipped them (review session 18, F2).
	 */
	resetPosition(): void {
		this.tracker.reset();
		this.committed = undefined;
		this.pinnedStart = undefined;
		this.markBase = undefined;
		this.attempt = 0;
		this.failedFrom = undefined;
		clearTimeout(this.backoffTimer);
		this.backoffTimer = undefined;
		this.positionEpoch++;
	}

	revoke(): void {
		this.revoked = true;
		clearTimeout(this.backoffTimer);
		this.backoffTimer = undefined;
		clearTimeout(this.fenceTimer);
		this.fenceTimer = undefined;
	}
}

/** topic → partition → state; the consumer's current assignment. */
export class Assignment {
	private byTopic = new Map<string, Map<number, PartitionState>>();
	private memberId: string | undefined;
	private heldTopics: ReadonlySet<string> = new Set();
	/** Held topics' compacted-hold marks (compacted-hold-mark.ts), topic → mark. */
	private holdMarks: ReadonlyMap<string, string> = new Map();

	/** Holds exactly `topics` from now on (`marks` those held for compacting): their states, present and to come, are `held`. */
	holdTopics(topics: readonly string[], marks: ReadonlyMap<string, string> = new Map()): void {
		this.heldTopics = new Set(topics);
		this.holdMarks = marks;
		for (const state of this.all()) this.seatHold(state);
	}

	private seatHold(state: PartitionState): void {
		state.topicHeld = this.heldTopics.has(state.topic);
		state.compactedHold = this.holdMarks.get(state.topic) ?? null;
	}

	get(topic: string, partition: number): PartitionState | undefined {
		return this.byTopic.get(topic)?.get(partition);
	}

	*all(): IterableIterator<PartitionState> {
		for (const partitions of this.byTopic.values()) yield* partitions.values();
	}

	/**
	 * Forgets the partitions of topics deleted from the cluster: nothing commits them again (the
	 * broker refuses a commit for a deleted topic, and kafkajs fails the whole request over it) and
	 * outcomes of their executions still in flight are ignored.
	 */
	dropTopics(topics: readonly string[]): void {
		for (const topic of topics) {
			for (const state of this.byTopic.get(topic)?.values() ?? []) state.revoke();
			this.byTopic.delete(topic);
		}
	}

	/** topic → partitions, as kafkajs pause/resume and the lag monitor want them. */
	partitionsByTopic(filter: (state: PartitionState) => boolean = () => true): Map<string, number[]> {
		const out = new Map<string, number[]>();
		for (const [topic, partitions] of this.byTopic) {
			const list = [...partitions.values()].filter(filter).map((state) => state.partition);
			if (list.length > 0) out.set(topic, list);
		}
		return out;
	}

	/**
	 * Replaces the assignment with kafkajs' GROUP_JOIN memberAssignment. Returns the partitions kept
	 * (same state object, in-flight executions still valid), those given up (marked revoked), those new
	 * to this consumer, and those returning.
	 *
	 * A partition is kept only by the same member: a new member id means the group forgot this consumer
	 * (its session expired; kafkajs runner.js rejoins after UNKNOWN_MEMBER_ID with no member id) or
	 * kafkajs restarted it after a crash (consumer/index.js onCrash: a new ConsumerGroup, joined anew),
	 * so the generations between the two joins may have given its partitions to another consumer whose
	 * executions may still load. Such a partition is newly assigned: its old executions' outcomes are
	 * ignored, it restarts from the committed offset, and Keep Order per Partition fences it. With
	 * `keepReturning`, a partition this consumer had handed executions out for comes back `returning`
	 * instead: the same state, paused, until the group's committed offset tells whether anyone else
	 * moved it (returning-partitions.ts); `renew` then makes it newly assigned after all.
	 */
	replace(
		assignment: Record<string, number[]>,
		memberId: string,
		keepReturning = false,
	): { retained: PartitionState[]; revoked: PartitionState[]; added: PartitionState[]; returned: PartitionState[] } {
		const revoked: PartitionState[] = [];
		const newMember = memberId !== this.memberId;
		this.memberId = memberId;
		const next = new Map<string, Map<number, PartitionState>>();
		const retained: PartitionState[] = [];
		const added: PartitionState[] = [];
		const returned: PartitionState[] = [];
		for (const [topic, partitions] of Object.entries(assignment)) {
			const states = new Map<number, PartitionState>();
			for (const partition of partitions) {
				const existing = this.get(topic, partition);
				let state: PartitionState;
				if (existing && !newMember) {
					retained.push(existing);
					state = existing;
				} else if (existing && keepReturning && existing.tracker.nextOffset !== undefined) {
					existing.returning = true;
					existing.returnCheck++;
					returned.push(existing);
					state = existing;
				} else {
					state = new PartitionState(topic, partition);
					added.push(state);
				}
				this.seatHold(state);
				states.set(partition, state);
			}
			next.set(topic, states);
		}
		for (const state of this.all()) {
			if (next.get(state.topic)?.get(state.partition) !== state) {
				state.revoke();
				revoked.push(state);
			}
		}
		this.byTopic = next;
		return { retained, revoked, added, returned };
	}

	/**
	 * A returning partition someone else may have moved: revoked, and a new state in its place (newly
	 * assigned). Undefined when `state` is no longer the partition's current state.
	 */
	renew(state: PartitionState): PartitionState | undefined {
		const partitions = this.byTopic.get(state.topic);
		if (partitions?.get(state.partition) !== state) return undefined;
		state.revoke();
		const fresh = new PartitionState(state.topic, state.partition);
		this.seatHold(fresh);
		partitions.set(state.partition, fresh);
		return fresh;
	}
}
