/**
 * When and how a partition's failed range is fetched again: after a failed execution, or a chunk the
 * Schema Registry could not be asked about (hold), the partition waits out the capped exponential
 * backoff (longer with Keep Order per Partition, while the failed execution's rows may still load) and
 * is then sought back to its first failed offset. The emit path (execution-emitter.ts) cuts and runs
 * executions; this module owns the partition's attempt count, its failed range's start and its backoff
 * timer, so every way into a redelivery counts attempts and pauses the same way.
 *
 * kafkajs 2.2.4 behaviour relied on (node_modules/kafkajs/src): consumerGroup.js seekOffsets pops only
 * assigned partitions' seeks, and keeps one until the partition's next fetch, across a join.
 */
import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import type { FinishResult } from './commit-tracker';
import { redeliveryDelay, type ExecutionOutcome, type SinkExecution, type SinkerConsumerOptions, type SinkerStats } from './consumer-options';
import { FENCE_MARGIN_MS } from './partition-fence';
import type { PartitionControl } from './partition-control';
import type { PartitionState } from './partition-state';

/** A failure this close to its deadline may be the Stream Load node giving up at it (see afterFailure). */
const NEAR_DEADLINE_MS = 1_000;

/** The consumer's parts a redelivery works with (the emit path's context has them all). */
export interface RedeliveryContext {
	readonly options: Pick<SinkerConsumerOptions, 'redeliveryBackoff' | 'labels' | 'observer'>;
	readonly logger: SinkerLogger;
	readonly stats: Pick<SinkerStats, 'redeliveries'>;
	readonly partitions: Pick<PartitionControl, 'seek'>;
	isClosing(): boolean;
	/** A rebalance is being drained before the group is rejoined: no seek now (see redeliver). */
	isDraining(): boolean;
	/** Re-applies pause/resume: a partition in backoff is paused. */
	syncPaused(): void;
}

export class Redelivery {
	constructor(private readonly ctx: RedeliveryContext) {}

	/**
	 * The registry could not decode the chunk starting at `offset` for reasons that say nothing about
	 * the messages, or the batch at `offset` is corrupt (corrupt-batch-watch.ts): hand nothing out, leave kafkajs' position there (it was not resolved) and fetch
	 * again after the redelivery backoff, as for a failed execution.
	 */
	hold(state: PartitionState, offset: string, error: Error, level: 'warn' | 'error' = 'warn'): void {
		state.attempt++;
		state.failedFrom = BigInt(offset);
		const delay = redeliveryDelay(state.attempt, this.ctx.options.redeliveryBackoff);
		this.ctx.logger[level](`${error.message}; holding ${state.topic}[${state.partition}] at offset ${offset}, fetching it again in ${delay} ms (attempt ${state.attempt})`, {
			topic: state.topic,
			partition: state.partition,
		});
		state.backoffTimer = setTimeout(() => this.redeliver(state), delay);
		this.ctx.syncPaused();
	}

	/** An execution failed and the tracker has a range to deliver again (`result`): schedule it. */
	afterFailure(state: PartitionState, execution: SinkExecution, outcome: Extract<ExecutionOutcome, { ok: false }>, result: Extract<FinishResult, { kind: 'failed' }>): void {
		state.attempt++;
		state.failedFrom = result.redeliverFrom;
		let delay = redeliveryDelay(state.attempt, this.ctx.options.redeliveryBackoff);
		// Rows of an execution that did not fail on an error may still load until its deadline:
		// redelivered earlier, the newer rows of the redelivery could land before them. An error
		// close to the deadline is the Stream Load node giving up at it: its last attempt may commit
		// a moment later.
		const settled = outcome.settled === true && (execution.loadBy === undefined || Date.now() < execution.loadBy - NEAR_DEADLINE_MS);
		if (execution.loadBy !== undefined && !settled) delay = Math.max(delay, execution.loadBy + FENCE_MARGIN_MS - Date.now());
		this.ctx.logger.warn(
			`Execution for ${state.topic}[${state.partition}] offsets ${execution.firstOffset}..${execution.lastOffset} failed: ${outcome.reason}; redelivering offsets ${result.first} to ${result.end - 1n} in ${delay} ms (attempt ${state.attempt}; executions after them keep their outcome)`,
			{ topic: state.topic, partition: state.partition, redeliverFrom: String(result.redeliverFrom) },
		);
		if (!state.inBackoff) {
			state.backoffTimer = setTimeout(() => this.redeliver(state), delay);
			this.ctx.syncPaused();
		}
	}

	private redeliver(state: PartitionState): void {
		state.backoffTimer = undefined;
		if (state.revoked || this.ctx.isClosing()) return;
		const failedAt = state.tracker.failedAt;
		// After a hold nothing failed: continue where the sinker is, which a rebalance meanwhile may have
		// moved kafkajs away from (a new generation starts at the committed offset).
		const target = failedAt ?? state.tracker.nextOffset;
		// Returning (returning-partitions.ts): the partition may yet be newly assigned, from the group's
		// offset; a seek now would move its fetch past executions whose outcome would then be ignored.
		// Draining before a rejoin: the join may give the partition away, and kafkajs keeps a seek of a
		// partition it no longer has until the partition is assigned to it again (consumerGroup.js
		// seekOffsets pops only assigned partitions' seeks): back later as new, it started there, not at
		// the group's offset, past executions given up with it.
		if (state.returning || this.ctx.isDraining() || (target !== undefined && !this.ctx.partitions.seek(state, target))) {
			// No consumer group right now (kafkajs restarting after a crash), returning or rejoining: try again shortly.
			state.backoffTimer = setTimeout(() => this.redeliver(state), 1000);
			return;
		}
		if (failedAt !== undefined) {
			state.tracker.takeFailed();
			this.ctx.stats.redeliveries++;
			metrics.kafkaRedeliveries.inc({ workflow: this.ctx.options.labels.workflow, topic: state.topic, partition: String(state.partition) });
			this.ctx.options.observer?.onRedeliver?.(state.topic, state.partition, failedAt.toString(), state.attempt);
			this.ctx.logger.warn(`Redelivering ${state.topic}[${state.partition}] from offset ${failedAt} (attempt ${state.attempt})`);
		}
		this.ctx.syncPaused();
	}
}
