/**
 * Which offset of one partition may be committed. Executions are handed out in offset order and may
 * finish in any order; the committable offset is the end of the longest prefix of executions that
 * finished successfully. Guarantees:
 * - never past an execution that is still running or failed;
 * - a failure holds commits at the failed execution's first offset, and every later execution of
 *   the partition is superseded (its outcome is ignored: the redelivery will carry those messages
 *   again), so nothing after a failure is ever committed from the old attempt;
 * - outcomes of executions that are no longer tracked (superseded, or the partition was revoked and
 *   its tracker dropped) are reported as `ignored`;
 * - after a rewind (takeFailed) the next execution must come from the rewound position: one that
 *   starts elsewhere was fetched before the rewind, and accepting it would let a commit pass the
 *   messages being redelivered.
 *
 * Pure bookkeeping: no Kafka, no timers. Offsets are bigint (Kafka offsets are int64).
 */

export type ExecutionState = 'running' | 'done' | 'failed';

export interface TrackedExecution {
	readonly first: bigint;
	/** One past the last offset of the execution: the offset to commit once it is done. */
	readonly end: bigint;
	state: ExecutionState;
}

export type FinishResult =
	| { kind: 'ignored' }
	/** `commitTo` is set when the committable offset moved. */
	| { kind: 'done'; commitTo?: bigint }
	/** The partition must be sought back to `redeliverFrom`; `superseded` later executions were dropped. */
	| { kind: 'failed'; redeliverFrom: bigint; superseded: number };

export class PartitionCommitTracker {
	/** Executions not yet committable, in offset order. */
	private readonly queue: TrackedExecution[] = [];
	/** The highest offset the prefix rule allows to commit (next offset to consume), if any. */
	private committable: bigint | undefined;
	/** Where the next execution may start: the end of the last one handed out (or a redelivery point). */
	private floor: bigint | undefined;
	/** Set by a rewind until the redelivery's first execution is added. */
	private rewound = false;

	/**
	 * Registers an execution for messages [first, end). `fetchedFrom` is the offset the fetch holding
	 * it started at (default `first`): after a rewind, an execution is accepted only when it starts at
	 * the rewound position, or when its fetch did and the log simply holds no message there any more
	 * (compaction, a transaction marker). Throws if it overlaps the previous one or comes from before
	 * a rewind.
	 */
	add(first: bigint, end: bigint, fetchedFrom: bigint = first): TrackedExecution {
		if (end <= first) throw new Error(`Execution range [${first}, ${end}) is empty`);
		if (this.floor !== undefined && first < this.floor) {
			throw new Error(`Execution starting at offset ${first} overlaps the one ending at ${this.floor}`);
		}
		const last = this.queue[this.queue.length - 1];
		if (last?.state === 'failed') {
			throw new Error(`Execution starting at offset ${first} added while offset ${last.first} awaits redelivery`);
		}
		if (this.rewound && first !== this.floor && fetchedFrom !== this.floor) {
			throw new Error(`Execution starting at offset ${first} does not start at offset ${this.floor}, where the partition was rewound: it was fetched before the rewind`);
		}
		const entry: TrackedExecution = { first, end, state: 'running' };
		this.queue.push(entry);
		this.floor = end;
		this.rewound = false;
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
		const index = entry.state === 'running' ? this.queue.indexOf(entry) : -1;
		if (index < 0) return { kind: 'ignored' };
		entry.state = 'failed';
		const superseded = this.queue.splice(index + 1);
		for (const later of superseded) later.state = 'failed';
		return { kind: 'failed', redeliverFrom: entry.first, superseded: superseded.length };
	}

	/**
	 * The failed execution to redeliver from (the partition is about to be sought back to its first
	 * offset): removes it so the redelivered executions can be added. Undefined if none failed.
	 */
	takeFailed(): TrackedExecution | undefined {
		const last = this.queue[this.queue.length - 1];
		if (last?.state !== 'failed') return undefined;
		this.queue.pop();
		this.floor = last.first;
		this.rewound = true;
		return last;
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
		this.rewound = false;
	}

	get failedAt(): bigint | undefined {
		const last = this.queue[this.queue.length - 1];
		return last?.state === 'failed' ? last.first : undefined;
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

	/** The offset the partition was rewound to, until the redelivery's first execution is added. */
	get rewoundTo(): bigint | undefined {
		return this.rewound ? this.floor : undefined;
	}

	/** One past the last offset handed out (or the redelivery point); undefined before the first. */
	get nextOffset(): bigint | undefined {
		return this.floor;
	}
}
