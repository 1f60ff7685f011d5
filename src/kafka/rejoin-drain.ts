/**
 * The drain before a rejoin: kafkajs' closest thing to "partitions revoked" is a heartbeat that met
 * REBALANCE_IN_PROGRESS, after which the group waits (up to the rebalance timeout) for this member to
 * rejoin. That time lets executions in flight finish and be committed under the old generation, so the
 * next owner of a partition given up does not load their rows again. Nothing new is launched
 * meanwhile. Met in eachBatch or in kafkajs' fetch loop (rebalance-hook.ts), one drain serves both
 * until the next join.
 *
 * A module of its own because its state, "a drain is under way", is read by the emit path (nothing is
 * handed out), the redelivery (no seek a join could strand) and pause/resume, and must end at exactly
 * one place, the next group join: a drain that outlived its join would pause the consumer for good.
 */
import type { SinkerLogger } from './client';
import type { SinkerConsumerOptions } from './consumer-options';
import type { ExecutionWindow } from './execution-window';

/** The consumer's parts a drain works with. */
export interface RejoinDrainContext {
	/** rebalanceDrainMs: how long to wait for executions in flight. */
	readonly options: Pick<SinkerConsumerOptions, 'groupId' | 'rebalanceDrainMs'>;
	readonly logger: Pick<SinkerLogger, 'info'>;
	readonly window: Pick<ExecutionWindow, 'inFlight' | 'waitForChange'>;
	/** How long to wait for an execution to finish between two heartbeats. */
	readonly pollMs: number;
	/** Aborted by close: stop waiting. */
	readonly closeSignal: AbortSignal;
	isClosing(): boolean;
	/** Re-applies pause/resume: everything is paused while a drain is under way. */
	syncPaused(): void;
	/** Commits what finished (offset-committer.ts release, then flush). */
	commitFinished(): Promise<void>;
}

export class RejoinDrain {
	private current: Promise<void> | undefined;

	constructor(private readonly ctx: RejoinDrainContext) {}

	/** A rebalance is being drained: true from the first heartbeat that met it until the next group join. */
	get active(): boolean {
		return this.current !== undefined;
	}

	/** The drain of the rebalance under way, begun by the first caller; `heartbeat` keeps the session alive. */
	drainBeforeRejoin(heartbeat: () => Promise<void>): Promise<void> {
		if (!this.current) {
			this.current = this.drain(heartbeat);
			this.ctx.syncPaused();
		}
		return this.current;
	}

	/** The group is joined again: the next rebalance gets a drain of its own. */
	joined(): void {
		this.current = undefined;
	}

	private async drain(heartbeat: () => Promise<void>): Promise<void> {
		const { ctx } = this;
		ctx.logger.info('Kafka group is rebalancing: waiting for executions in flight before rejoining', {
			groupId: ctx.options.groupId,
			inFlight: ctx.window.inFlight,
			boundMs: ctx.options.rebalanceDrainMs,
		});
		const deadline = Date.now() + ctx.options.rebalanceDrainMs;
		while (ctx.window.inFlight > 0 && !ctx.isClosing() && Date.now() < deadline) {
			await ctx.window.waitForChange(Math.min(ctx.pollMs, Math.max(deadline - Date.now(), 1)), ctx.closeSignal);
			// REBALANCE_IN_PROGRESS again, expected; the request still keeps our session alive.
			await heartbeat().catch(() => {});
		}
		await ctx.commitFinished();
	}
}
