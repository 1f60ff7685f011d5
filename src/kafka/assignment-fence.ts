/**
 * Keep Order per Partition at each assignment (partition-fence.ts): partitions just given to this
 * consumer wait until their previous owner's rows can no longer load, when it left them HELD. Paused
 * while the mark is looked up; a lookup that fails counts as HELD without a deadline (waiting is
 * safe, loading early is not).
 */
import type { SinkerLogger } from './client';
import { fenceWait, type FenceMark } from './partition-fence';
import type { PartitionState } from './partition-state';

/** The previous owner's mark of each partition (previousOwnerMarks, through the consumer's admin client). */
export type FenceLookup = (added: readonly PartitionState[]) => Promise<Map<PartitionState, FenceMark>>;

export class AssignmentFence {
	constructor(
		private readonly lookup: FenceLookup,
		private readonly own: { executionTimeoutMs: number; heartbeatIntervalMs: number },
		private readonly logger: Pick<SinkerLogger, 'info' | 'warn'>,
		/** A partition's fence changed: pause or resume partitions to match. */
		private readonly onChange: () => void,
	) {}

	/** Fences the partitions just assigned until their previous owner's marks say they may start. */
	onAssignment(added: readonly PartitionState[]): void {
		if (added.length === 0) return;
		for (const state of added) state.fencedUntil = Number.POSITIVE_INFINITY;
		void this.lookup(added).then(
			(marks) => {
				for (const [state, mark] of marks) this.start(state, mark);
			},
			(error: unknown) => {
				this.logger.warn('Kafka: could not read the previous owner\'s fence mark; waiting as if it had executions out', { error: (error as Error).message });
				for (const state of added) this.start(state, { held: true, until: undefined });
			},
		);
	}

	private start(state: PartitionState, mark: FenceMark): void {
		if (state.revoked) return;
		clearTimeout(state.fenceTimer);
		const { waitMs, until, capped } = fenceWait(mark, Date.now(), this.own);
		if (waitMs === 0) {
			state.fencedUntil = 0;
			this.onChange();
			return;
		}
		state.fenceFor(waitMs, this.onChange);
		// This ownership's own marks never promise less than the previous owner's.
		state.heldUntil = Math.max(state.heldUntil, until ?? state.fencedUntil);
		const where = `Kafka partition ${state.topic}[${state.partition}] was held by a consumer that may still have rows on their way to Doris`;
		const fields = { topic: state.topic, partition: state.partition, waitMs, previousDeadline: until === undefined ? undefined : new Date(until).toISOString() };
		if (capped) {
			this.logger.warn(`${where} until ${fields.previousDeadline}, more than ${Math.round(waitMs / 60_000)} min away (clocks apart?); starting it in ${Math.round(waitMs / 60_000)} min`, fields);
		} else if (until === undefined) {
			this.logger.info(`${where} (its mark has no deadline); starting it in ${Math.round(waitMs / 1000)} s (this trigger's Execution Timeout + margin), so they cannot land after this consumer's`, fields);
		} else {
			this.logger.info(`${where} until ${fields.previousDeadline} (its last deadline); starting it in ${Math.round(waitMs / 1000)} s (deadline + margin), so they cannot land after this consumer's`, fields);
		}
		this.onChange();
	}
}
