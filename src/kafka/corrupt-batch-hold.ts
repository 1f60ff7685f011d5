/**
 * A partition of this consumer that continues at a corrupt record batch, held there: the kafkajs patch
 * (corrupt-batch-watch.ts) tells the group member whose fetch met it, and the partition's current state
 * is held by the emit path (execution-emitter.ts holdCorrupt: an error naming topic, partition, base
 * offset and both CRCs, then the redelivery backoff, redelivery.ts). Kept out of sinker-consumer.ts,
 * which only composes it: told, joined at every group join, ended on close.
 *
 * kafkajs joins under a new member id after a restart, so the watch is registered again at each join
 * (group-member-listeners.ts MemberWatch); a partition told of that this member no longer owns (given
 * away by a rebalance meanwhile) is left to its new owner, which meets the same bytes.
 */
import type { SinkerConsumerOptions } from './consumer-options';
import { MemberCorruptBatchWatch, type CorruptBatchReport } from './corrupt-batch-watch';
import type { Assignment, PartitionState } from './partition-state';

/** The consumer's parts the hold works with. */
export interface CorruptBatchHoldContext {
	readonly options: Pick<SinkerConsumerOptions, 'groupId'>;
	readonly assignment: Pick<Assignment, 'get'>;
	/** Holds the partition at the batch: the emit path's holdCorrupt (an error, the redelivery backoff). */
	hold(state: PartitionState, report: CorruptBatchReport): void;
}

export class CorruptBatchHold {
	private readonly watch: MemberCorruptBatchWatch;

	constructor(private readonly ctx: CorruptBatchHoldContext) {
		this.watch = new MemberCorruptBatchWatch(ctx.options.groupId, (report) => this.told(report));
	}

	/** The fetch of one of this member's partitions met a corrupt batch with nothing before it to hand out. */
	told(report: CorruptBatchReport): void {
		const state = this.ctx.assignment.get(report.topic, report.partition);
		if (state) this.ctx.hold(state, report);
	}

	/** The consumer joined its group as `memberId`: the fetches of this member are watched from now on, none while closing. */
	joined(memberId: string, closing: boolean): void {
		this.watch.joined(memberId, closing);
	}

	/** The consumer closed: its fetches are no longer watched. */
	end(): void {
		this.watch.end();
	}
}
