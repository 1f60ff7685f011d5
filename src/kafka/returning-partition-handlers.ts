/**
 * What the sinker consumer does with a partition back after kafkajs restarted it, once
 * returning-partitions.ts decided: kept (nobody else moved it), fetching goes on after the executions
 * tracked; renewed (someone may have), it is newly assigned after all, sought to the group's offset and,
 * with Keep Order per Partition, fenced. returning-partitions.ts decides from the group's offsets alone;
 * this module is where that decision meets the consumer's partitions, seeks and fences, kept apart so
 * the decision stays testable without a consumer and the consumer without the decision's reasons.
 */
import type { Admin } from 'kafkajs';

import type { AssignmentFence } from './assignment-fence';
import type { CompactedHoldLookup } from './compacted-hold-lookup';
import type { PartitionControl } from './partition-control';
import type { Assignment, PartitionState } from './partition-state';
import { groupOffsets, type ReturnHandlers } from './returning-partitions';

/** The consumer's parts a returning partition's outcome touches; several exist only once it connected. */
export interface ReturningPartitionContext {
	readonly groupId: string;
	readonly assignment: Pick<Assignment, 'renew'>;
	/** The admin client the group's offsets are read with; none in an editor test run. */
	admin(): Admin | undefined;
	partitions(): Pick<PartitionControl, 'seek' | 'reseat'>;
	/** Keep Order per Partition's fences; undefined when the order is not kept. */
	fences(): Pick<AssignmentFence, 'onAssignment'> | undefined;
	/** The compacted-topic hold's lookup of the group's marks (compacted-hold-lookup.ts); undefined where no hold applies. */
	holdLookup?(): Pick<CompactedHoldLookup, 'onAssignment'> | undefined;
	/** An editor test run's starting points (none otherwise), as every re-seating takes them. */
	recentOffsets(): Map<string, string> | undefined;
	isClosing(): boolean;
	/** Every partition of a check is decided: resume and commit what may be. */
	settled(): void;
}

export function returningPartitionHandlers(ctx: ReturningPartitionContext): ReturnHandlers {
	return {
		lookup: (states) => {
			const admin = ctx.admin();
			return admin === undefined ? Promise.reject(new Error('no admin client')) : groupOffsets(admin, ctx.groupId, states);
		},
		keep: (state) => keepReturned(ctx, state),
		renew: (state, start) => renewReturned(ctx, state, start),
		isClosing: () => ctx.isClosing(),
		settled: () => ctx.settled(),
	};
}

/** A returning partition nobody else moved: fetching goes on after its executions tracked, as after a rejoin. */
function keepReturned(ctx: ReturningPartitionContext, state: PartitionState): void {
	const next = state.tracker.nextOffset;
	// In backoff, the redelivery seeks to the failed range when it is due.
	if (!state.inBackoff && next !== undefined) ctx.partitions().seek(state, next);
}

/**
 * A returning partition someone else may have moved: newly assigned after all, as before, fetched
 * from `start`. Sought there explicitly: a seek kafkajs still holds from before the join (a
 * redelivery due while it was joining) would start it above the group's offset (returning-partitions.ts).
 */
function renewReturned(ctx: ReturningPartitionContext, state: PartitionState, start: bigint | undefined): void {
	const fresh = ctx.assignment.renew(state);
	if (!fresh) return;
	const partitions = ctx.partitions();
	partitions.reseat({ retained: [], revoked: [state], added: [fresh], returned: [] }, ctx.recentOffsets());
	if (start !== undefined) partitions.seek(fresh, start);
	ctx.fences()?.onAssignment([fresh]);
	// As a newly assigned partition: paused until the group's offsets say whether its topic is held for
	// compacting. Another member's hold mark is what makes a returning partition "moved" in the first
	// place; fetched at once with Skip, its next commit also dropped the mark (late review session 20, H1).
	ctx.holdLookup?.()?.onAssignment([fresh]);
}
