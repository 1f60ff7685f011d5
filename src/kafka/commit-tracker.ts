/**
 * Which offset of one partition may be committed, and which ranges must be delivered again.
 * Executions are handed out in offset order and may finish in any order; the committable offset is
 * the end of the longest prefix of executions that finished successfully. Guarantees:
 * - never past an execution that is still running or failed;
 * - a failure holds commits at the failed execution's first offset, and only that execution's
 *   range is delivered again: executions after it keep running and keep their outcome. Superseding
 *   them (redelivering everything from the failure on, as before) delivered executions that had
 *   succeeded a second time: their rows loaded twice (a DUPLICATE KEY table held them twice; seen
 *   in the refused-rows reliability case, where an execution of 8 messages mapped faster than the
 *   one of 200 before it, loaded first, and came again when that one failed);
 * - the failed ranges are delivered again lowest first, each cut to its own range (`fillLimit`),
 *   and the partition skips what executions still tracked cover (`nextOffset` jumps over them: the
 *   emitter seeks there);
 * - outcomes of executions that are no longer tracked (the partition was revoked and its tracker
 *   dropped, or reset) are reported as `ignored`;
 * - after a seek of ours (`rewind`) the next execution must come from the position sought: one that
 *   starts elsewhere was fetched before the seek, and accepting it would let a commit pass the
 *   messages being redelivered.
 *
 * Pure bookkeeping: no Kafka, no timers. Offsets are bigint (Kafka offsets are int64).
 */

export type ExecutionState = 'running' | 'done' | 'failed';

export interface TrackedExecution {
	/** First offset; a failed range waiting for redelivery moves it up as redelivered executions cover it. */
	first: bigint;
	/** One past the last offset of the execution: the offset to commit once it is done. */
	readonly end: bigint;
	state: ExecutionState;
}

export type FinishResult =
	| { kind: 'ignored' }
	/** `commitTo` is set when the committable offset moved. */
	| { kind: 'done'; commitTo?: bigint }
	/** [first, end) must be delivered again; the partition is sought back to `redeliverFrom` (the lowest range waiting). */
	| { kind: 'failed'; first: bigint; end: bigint; redeliverFrom: bigint };

export class PartitionCommitTracker {
	/** Executions not yet committable, in offset order; failed ones are ranges waiting to be delivered again. */
	private readonly queue: TrackedExecution[] = [];
	/** The highest offset the prefix rule allows to commit (next offset to consume), if any. */
	private committable: bigint | undefined;
	/** The end of the highest execution handed out (or where a reset left the partition). */
	private floor: bigint | undefined;
	/** The position of our last seek, until the first execution from there is added. */
	private rewound: bigint | undefined;
	/** A failure since the last seek: nothing may be added until the partition is sought back. */
	private awaitingRewind = false;

	/**
	 * Registers an execution for messages [first, end). `fetchedFrom` is the offset the fetch holding
	 * it started at (default `first`): after a seek, an execution is accepted only when it starts at
	 * the position sought, or when its fetch did and the log simply holds no message there any more
	 * (compaction, a transaction marker). While a failed range is delivered again the execution must
	 * lie inside it (see `fillLimit`); it then covers the range from where the range still starts, so
	 * offsets the log no longer holds are not left uncovered. Throws if it overlaps an execution still
	 * tracked or comes from before a seek.
	 */
	add(first: bigint, end: bigint, fetchedFrom: bigint = first): TrackedExecution {
		if (end <= first) throw new Error(`Execution range [${first}, ${end}) is empty`);
		const gap = this.firstFailed();
		if (this.awaitingRewind && gap !== undefined) {
			throw new Error(`Execution starting at offset ${first} added while offset ${gap.first} awaits redelivery`);
		}
		const expected = gap?.first ?? this.floor;
		if (expected !== undefined && first < expected) {
			throw new Error(`Execution starting at offset ${first} overlaps the one ending at ${expected}`);
		}
		if (this.rewound !== undefined && first !== this.rewound && fetchedFrom !== this.rewound) {
			throw new Error(`Execution starting at offset ${first} does not start at offset ${this.rewound}, where the partition was rewound: it was fetched before the rewind`);
		}
		this.rewound = undefined;
		if (gap === undefined) {
			const entry: TrackedExecution = { first, end, state: 'running' };
			this.queue.push(entry);
			this.floor = end;
			return entry;
		}
		if (end > gap.end) {
			throw new Error(`Execution [${first}, ${end}) delivered again runs past offset ${gap.end}, where executions still tracked begin`);
		}
		const entry: TrackedExecution = { first: gap.first, end, state: 'running' };
		const index = this.queue.indexOf(gap);
		if (end === gap.end) this.queue.splice(index, 1, entry);
		else {
			gap.first = end;
			this.queue.splice(index, 0, entry);
		}
		return entry;
	}

	succeed(entry: TrackedExecution): FinishResult {
		if (entry.state !== 'running' || !this.queue.includes(entry)) return { kind: 'ignored' };
		entry.state = 'done';
		let advanced: bigint | undefined;
		while (this.queue.length > 0 && this.queue[0].state === 'done') {
			advanced = (this.queue.shift() as TrackedExecution).end;
		}
		if (advanced === undefined) return { kind: 'done' };
		this.committable = advanced;
		return { kind: 'done', commitTo: advanced };
	}

	fail(entry: TrackedExecution): FinishResult {
		if (entry.state !== 'running' || !this.queue.includes(entry)) return { kind: 'ignored' };
		entry.state = 'failed';
		this.awaitingRewind = true;
		this.rewound = undefined;
		return { kind: 'failed', first: entry.first, end: entry.end, redeliverFrom: (this.firstFailed() as TrackedExecution).first };
	}

	/**
	 * The partition was sought to `nextOffset` (a redelivery, or past executions still tracked): the
	 * next execution must come from there. Returns the failed range to deliver again, if any.
	 */
	takeFailed(): TrackedExecution | undefined {
		const gap = this.firstFailed();
		this.awaitingRewind = false;
		this.rewound = this.nextOffset;
		return gap;
	}

	/**
	 * The fetch after our seek starts at `fetchedFrom`, above the position sought, and kafkajs did not
	 * reset the position (no OffsetOutOfRange, position-reset.ts): kafkajs moved past offsets that held
	 * nothing to hand out without calling eachBatch (consumer/batch.js: a fetch whose records all lie
	 * below the fetch offset, a compacted record batch's tail; a fetch of filtered records only). The
	 * fetch counts as starting where we sought, the offsets between as a gap that held nothing: taken
	 * for kafkajs' own reset instead, the tracker forgot executions still running and the group
	 * committed past them when they failed (review session 18, F8). No effect without a rewind pending
	 * or for a fetch below it.
	 */
	passedAfterRewind(fetchedFrom: bigint): void {
		if (this.rewound !== undefined && fetchedFrom > this.rewound) this.rewound = fetchedFrom;
	}

	/**
	 * Forgets everything: the partition's position moved below the floor without a rewind of ours
	 * (kafkajs reset it after OffsetOutOfRange), so the offsets tracked so far describe a log that
	 * is gone. Outcomes of executions handed out before are `ignored` from now on.
	 */
	reset(): void {
		for (const entry of this.queue) if (entry.state === 'running') entry.state = 'failed';
		this.queue.length = 0;
		this.committable = undefined;
		this.floor = undefined;
		this.rewound = undefined;
		this.awaitingRewind = false;
	}

	private firstFailed(): TrackedExecution | undefined {
		return this.queue.find((entry) => entry.state === 'failed');
	}

	/** The first offset of the lowest range waiting to be delivered again, if any. */
	get failedAt(): bigint | undefined {
		return this.firstFailed()?.first;
	}

	/**
	 * While a failed range is delivered again: one past its last offset, which the execution
	 * delivering it must not pass (executions still tracked cover what follows).
	 */
	get fillLimit(): bigint | undefined {
		return this.awaitingRewind ? undefined : this.firstFailed()?.end;
	}

	/** The offset the prefix rule allows to commit, or undefined before the first success. */
	get committableOffset(): bigint | undefined {
		return this.committable;
	}

	get running(): number {
		let count = 0;
		for (const entry of this.queue) if (entry.state === 'running') count++;
		return count;
	}

	/** The offset the partition was sought to, until the first execution from there is added. */
	get rewoundTo(): bigint | undefined {
		return this.rewound;
	}

	/**
	 * Where the next execution must start: the lowest range waiting to be delivered again, else one
	 * past the last offset handed out; undefined before the first.
	 */
	get nextOffset(): bigint | undefined {
		return this.firstFailed()?.first ?? this.floor;
	}
}
