/**
 * kafkajs 2.2.4 has no "partitions revoked" callback: whichever heartbeat meets REBALANCE_IN_PROGRESS
 * throws, and the runner rejoins at once (runner.js scheduleFetchManager: REBALANCING, then
 * joinAndSync). The sinker's own heartbeats (inside eachBatch) can wait for its executions in flight
 * first, but a consumer with nothing to fetch meets the rebalance in kafkajs' fetch loop (runner.js
 * fetch and handleBatch call runner.heartbeat after an empty fetch or a batch), out of the sinker's
 * reach. It then rejoined without waiting: the partitions it gave up were fetched again by their
 * new owner from the committed offset while its own executions still loaded them, so a consumer
 * joining the group loaded those rows twice (a DUPLICATE KEY table kept both).
 *
 * This wraps Runner.prototype.heartbeat (node_modules/kafkajs/src/consumer/runner.js): when it throws
 * REBALANCE_IN_PROGRESS, the hook registered for the runner's eachBatch handler runs before the
 * error goes on, so every rebalance, wherever kafkajs meets it, is drained the same way. The hook
 * gets a heartbeat that bypasses the wrapper (to keep the session alive while it waits). Applied by
 * kafkajsPatch (kafkajs-patch.ts): once, to the kafkajs copy this package loads, and only to 2.2.4:
 * the method wrapped is that version's (elsewhere only the sinker's own heartbeats drain, as before).
 */
import { isRebalanceInProgress } from './group-join';
import { kafkajsPatch } from './kafkajs-patch';

/** Waits for what must finish before the group is rejoined; `heartbeat` keeps the session alive meanwhile. */
export type RebalanceHook = (heartbeat: () => Promise<void>) => Promise<void>;

/** The fields of kafkajs' Runner the wrapper reads. */
interface RunnerState {
	eachBatch: unknown;
	heartbeatInterval: number;
	consumerGroup: { heartbeat(options: { interval: number }): Promise<void> };
	heartbeat(): Promise<void>;
}

/** Keyed by the eachBatch handler given to consumer.run (kafkajs keeps it as runner.eachBatch). */
const hooks = new WeakMap<object, RebalanceHook>();

/** Wraps Runner.prototype.heartbeat (see the header); false when the installed kafkajs is not 2.2.4. */
const wrapHeartbeat = kafkajsPatch<RunnerState, 'heartbeat'>(
	'kafkajs/src/consumer/runner.js',
	'heartbeat',
	(heartbeat) =>
		async function (this: RunnerState): Promise<void> {
			try {
				await heartbeat.call(this);
			} catch (error) {
				const hook = typeof this.eachBatch === 'function' ? hooks.get(this.eachBatch) : undefined;
				// The hook's own failure must not replace the rebalance: kafkajs rejoins on that one.
				if (hook && isRebalanceInProgress(error)) await hook(() => this.consumerGroup.heartbeat({ interval: this.heartbeatInterval })).catch(() => {});
				throw error;
			}
		},
);

/**
 * Runs `hook` whenever the runner of the consumer run with `eachBatch` meets a rebalance in a
 * heartbeat, before kafkajs rejoins. False when the installed kafkajs is not the version wrapped.
 */
export function onRebalanceFound(eachBatch: object, hook: RebalanceHook): boolean {
	if (!wrapHeartbeat()) return false;
	hooks.set(eachBatch, hook);
	return true;
}
