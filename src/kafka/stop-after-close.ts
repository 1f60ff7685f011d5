/**
 * kafkajs 2.2.4 leaves a consumer in its group when it is disconnected while a restart after a crash
 * is under way (tulios/kafkajs#1639). Its crash handler (consumer/index.js onCrash) restarts the
 * consumer with a new Runner whose start() joins the group; consumer.disconnect() stops the runner
 * only when it is already running (runner.js stop: `if (!this.running) return`), then forgets it. A
 * start() still joining at that moment joins afterwards, reconnecting the cluster on its own, and
 * fetches and heartbeats for good: a member nobody can stop. For the trigger that is a deactivated
 * workflow whose ghost member keeps its partitions (paused, since the trigger is closed) until n8n
 * restarts: the reactivated trigger of the same group never gets them, and their rows wait unread
 * with no error anywhere. coordinator-lookup.ts makes such restarts common during a broker restart
 * (a deactivation while kafkajs rejoins); any retriable crash opens the same window.
 *
 * This wraps Runner.prototype.start (node_modules/kafkajs/src/consumer/runner.js): when the start
 * ends with the runner running but its consumer was closed meanwhile (markClosed, keyed by the
 * eachBatch handler given to consumer.run, which kafkajs keeps as runner.eachBatch), the runner is
 * stopped (it leaves the group) and its cluster disconnected. Applied through kafkajsPatch, only to
 * kafkajs 2.2.4 (kafkajs-patch.ts).
 */
import { kafkajsPatch } from './kafkajs-patch';

/** The fields of kafkajs' Runner the wrapper reads. */
interface RunnerState {
	eachBatch: unknown;
	running: boolean;
	consumerGroup: { cluster?: { disconnect(): Promise<void> } };
	start(): Promise<void>;
	stop(): Promise<void>;
}

/** The eachBatch handlers of consumers that were closed. */
const closed = new WeakSet<object>();

const wrapStart = kafkajsPatch<RunnerState, 'start'>('kafkajs/src/consumer/runner.js', 'start', (start) =>
	async function (this: RunnerState): Promise<void> {
		await start.call(this);
		if (!this.running || typeof this.eachBatch !== 'function' || !closed.has(this.eachBatch)) return;
		// A start that outlived its consumer's close: leave the group and drop the connections it reopened.
		await this.stop();
		await this.consumerGroup.cluster?.disconnect().catch(() => {});
	},
);

/** Installs the wrapper (idempotent); false when the installed kafkajs is not the version wrapped. */
export function stopRunnersStartedAfterClose(): boolean {
	return wrapStart();
}

/** Says that the consumer run with `eachBatch` is closed: a runner of it that starts from now on stops at once. */
export function markClosed(eachBatch: object): void {
	closed.add(eachBatch);
}
