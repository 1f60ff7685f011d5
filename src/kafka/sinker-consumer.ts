/**
 * The sinker's Kafka consumer: kafkajs eachBatch, cut into executions of at most N records / B bytes,
 * up to W executions in flight, offsets committed per partition only up to the longest prefix of
 * executions that finished successfully. Guarantees (the "why" of each is next to its code):
 * - at-least-once: nothing is committed past an execution that did not succeed; a failed or
 *   timed-out execution is redelivered from its first offset after an exponential, capped backoff;
 * - bounded memory: while the window is full eachBatch waits (kafkajs fetches nothing meanwhile) and
 *   every partition is paused, so a 1M-message backlog costs W executions + one fetch;
 * - heartbeats continue while executions run, and a rebalance, whichever heartbeat meets it (ours in
 *   eachBatch or kafkajs' own in its fetch loop, rebalance-hook.ts), first waits (bounded) for
 *   executions in flight and commits what finished before the group is rejoined;
 * - close stops fetching, waits for executions in flight, commits and disconnects within one deadline
 *   (Close Timeout, close-deadline.ts), and vetoes kafkajs' restart-on-failure so no ghost consumer outlives it.
 * The parts live next door: execution-emitter.ts (cutting and running executions), offset-committer.ts
 * (the commit loop), partition-control.ts (seek, pause/resume, re-seating after a group join),
 * start-positions.ts (where a partition without a committed offset starts), start-pins.ts (seating
 * those starts), assignment-fence.ts (new partitions waiting for their previous owner's rows),
 * returning-partitions.ts (partitions back under a new member id after kafkajs restarted the consumer)
 * and returning-partition-handlers.ts (what is done with them), rejoin-drain.ts (the wait before a
 * rejoin), consumer-stall-watch.ts (brokers unreachable for good reported), consumer-crash.ts (what a
 * kafkajs crash means), corrupt-batch-hold.ts (a partition held at a corrupt record batch),
 * consumer-events.ts (which part each kafkajs consumer event goes to), close-sequence.ts (close's steps).
 *
 * kafkajs 2.2.4 behaviour relied on here (node_modules/kafkajs/src): consumerGroup.js isStale() in
 * the eachBatch payload is exactly "a seek is pending" (hasSeekOffset), so a batch fetched before
 * our seek is recognised and dropped.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';

import { metrics } from '../metrics/metrics';
import { AssignmentFence } from './assignment-fence';
import { CloseDeadline, type CloseReport } from './close-deadline';
import { closeAfterFetching } from './close-sequence';
import { CompactedHoldLookup } from './compacted-hold-lookup';
import { CorruptBatchHold } from './corrupt-batch-hold';
import { ExecutionEmitter } from './execution-emitter';
import { MemberResetWatch } from './offset-reset-watch';
import { createKafka, endLeftoverSockets, explainKafkaError, silentLogger, type SinkerLogger } from './client';
import { kafkajsConsumerConfig, validateConsumerOptions, zeroSinkerStats, type RunExecution, type SinkerConsumerOptions, type SinkerStats } from './consumer-options';
import { listenToConsumerEvents } from './consumer-events';
import { ConsumerStallWatch } from './consumer-stall-watch';
import { isRebalanceInProgress, joinWaiter, type JoinWaiter } from './group-join';
import { findRecentOffsets } from './recent-offsets';
import { ExecutionWindow } from './execution-window';
import { LagMonitor } from './lag-monitor';
import { createMessageParser, type MessageParser } from './message-parser';
import { committedOffsetLabels, OffsetCommitter } from './offset-committer';
import { PartitionControl } from './partition-control';
import { previousOwnerMarks } from './partition-fence';
import { Assignment, type PartitionState } from './partition-state';
import { onRebalanceFound } from './rebalance-hook';
import { RejoinDrain } from './rejoin-drain';
import { returningPartitionHandlers } from './returning-partition-handlers';
import { ReturningPartitions } from './returning-partitions';
import { markClosed } from './stop-after-close';
import { StartPins } from './start-pins';
import { pinnedStartOffsets } from './start-positions';
import { MemberUnknownTopicWatch } from './unknown-topic-watch';

export type { CloseReport, SinkerStats };

export class SinkerConsumer {
	readonly stats: SinkerStats = zeroSinkerStats();
	private readonly logger: SinkerLogger;
	private readonly parser: MessageParser;
	private readonly window: ExecutionWindow;
	private readonly assignment = new Assignment();
	private readonly closeController = new AbortController();
	/** Aborted when close stops waiting: tells the n8n side to stop waiting for those executions. */
	private readonly executionsController = new AbortController();
	private readonly pollMs: number;
	/** Keep Order per Partition: new partitions wait for their previous owner's rows (assignment-fence.ts). */
	private readonly fences: AssignmentFence;
	/** Partitions back after kafkajs restarted the consumer: kept when nobody else moved them (returning-partitions.ts). */
	private readonly returning: ReturningPartitions;
	// Set by begin() together with the consumer they drive; nothing reaches them before.
	private kafka!: Kafka;
	private consumer!: Consumer;
	private partitions!: PartitionControl;
	private committer!: OffsetCommitter;
	private emitter!: ExecutionEmitter;
	/** Reports brokers unreachable for good after the start (consumer-stall-watch.ts); none in an editor test run or at 0. */
	private stallWatch!: ConsumerStallWatch;
	private lagMonitor: LagMonitor | undefined;
	private admin: Admin | undefined;
	private started = false;
	private closing = false;
	/** The handler given to consumer.run: it names this consumer's kafkajs runners (stop-after-close.ts). */
	private eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
	private lastFull = false;
	private closePromise: Promise<CloseReport> | undefined;
	private recentOffsets: Map<string, string> | undefined;
	/** Where uncommitted partitions start on the first assignment instead of their beginning (start-pins.ts). */
	private startPins: StartPins | undefined;
	private join: JoinWaiter | undefined;
	/** The drain of the rebalance under way, until the group is joined again: one per rebalance, wherever it was met. */
	private readonly rejoinDrain: RejoinDrain;
	/** This member's watch on kafkajs' position resets (offset-reset-watch.ts). */
	private readonly resetWatch: MemberResetWatch;
	/** This member's fetches that meet a deleted topic (unknown-topic-watch.ts). */
	private readonly unknownTopicWatch: MemberUnknownTopicWatch;
	/** This member's partitions that continue at a corrupt batch, held (corrupt-batch-hold.ts). */
	private readonly corruptBatchHold: CorruptBatchHold;
	/** The compacted-topic holds the group's offsets carry, and partitions added (Keep Order), read at each assignment (compacted-hold-lookup.ts). */
	private readonly holdLookup: CompactedHoldLookup;

	private constructor(
		private readonly options: SinkerConsumerOptions,
		private readonly runExecution: RunExecution,
	) {
		validateConsumerOptions(options);
		// Before the first join: a held topic's partitions are paused from their first assignment.
		this.assignment.holdTopics(options.heldTopics ?? [], options.heldMarks);
		this.logger = options.logger ?? silentLogger;
		this.parser = createMessageParser(options.parser);
		this.window = new ExecutionWindow(options.executionsInFlight, (inFlight, full) => this.onWindowChange(inFlight, full));
		this.pollMs = Math.min(options.heartbeatIntervalMs, 1000);
		const lookup = (added: readonly PartitionState[]) =>
			this.admin === undefined ? Promise.reject(new Error('no admin client')) : previousOwnerMarks(this.admin, options.groupId, added);
		// A fence decided may also commit: nothing of the partition is committed while its lookup is pending (offset-committer.ts; close's flush asks itself).
		this.fences = new AssignmentFence(lookup, options, this.logger, () => (this.closing ? this.syncPaused() : this.resumeAndCommit()));
		this.resetWatch = new MemberResetWatch(options.groupId, (reset) => {
			const state = this.assignment.get(reset.topic, reset.partition);
			if (state) state.outOfRangeFrom = reset.expected;
		});
		this.unknownTopicWatch = new MemberUnknownTopicWatch(options.groupId, () => this.closing || options.onUnknownTopic?.());
		const hold = (topics: readonly string[], marks: ReadonlyMap<string, string>) => this.holdTopics(topics, marks);
		this.holdLookup = new CompactedHoldLookup({ admin: () => this.admin, options, logger: this.logger, isClosing: () => this.closing, hold, settled: () => this.resumeAndCommit(), keepsOrder: this.ordered });
		this.corruptBatchHold = new CorruptBatchHold({ options, logger: this.logger, assignment: this.assignment, hold: (state, report) => this.emitter.holdCorrupt(state, report) });
		this.returning = new ReturningPartitions(
			this.logger,
			returningPartitionHandlers({
				groupId: options.groupId,
				assignment: this.assignment,
				admin: () => this.admin,
				partitions: () => this.partitions,
				fences: () => (this.ordered ? this.fences : undefined),
				holdLookup: () => (this.closing ? undefined : this.holdLookup),
				recentOffsets: () => this.recentOffsets,
				isClosing: () => this.closing,
				settled: () => this.resumeAndCommit(),
			}),
		);
		this.rejoinDrain = new RejoinDrain({
			options,
			logger: this.logger,
			window: this.window,
			pollMs: this.pollMs,
			closeSignal: this.closeController.signal,
			isClosing: () => this.closing,
			syncPaused: () => this.syncPaused(),
			commitFinished: () => this.commitFinished(),
		});
	}

	/** Connects, subscribes and resolves once the group is joined; rejects with an explained error otherwise. */
	static async start(options: SinkerConsumerOptions, runExecution: RunExecution): Promise<SinkerConsumer> {
		const consumer = new SinkerConsumer(options, runExecution);
		await consumer.begin();
		return consumer;
	}

	private async begin(): Promise<void> {
		const { options } = this;
		const kafka = (this.kafka = createKafka(options.connection, { logger: this.logger }));
		this.consumer = kafka.consumer(kafkajsConsumerConfig(options, () => this.closing));
		// Its contact events before the consumer's own handlers (consumer-stall-watch.ts).
		this.stallWatch = new ConsumerStallWatch(this.consumer, options, this.logger);
		this.partitions = new PartitionControl(this.consumer, this.assignment, options, this.logger);
		this.committer = new OffsetCommitter(this.consumer, this.assignment, options, this.logger, this.stats, () => this.closing);
		this.emitter = new ExecutionEmitter({
			options,
			runExecution: this.runExecution,
			logger: this.logger,
			stats: this.stats,
			parser: this.parser,
			window: this.window,
			partitions: this.partitions,
			committer: this.committer,
			pollMs: this.pollMs,
			closeSignal: this.closeController.signal,
			executionsSignal: this.executionsController.signal,
			isClosing: () => this.closing,
			isDraining: () => this.rejoinDrain.active,
			syncPaused: () => this.syncPaused(),
		});
		listenToConsumerEvents(this.consumer, {
			groupId: options.groupId,
			logger: this.logger,
			assignment: this.assignment,
			committer: this.committer,
			emitter: this.emitter,
			corruptBatchHold: this.corruptBatchHold,
			crash: { options, logger: this.logger, isClosing: () => this.closing, isStarted: () => this.started, join: () => this.join, restarting: (error: Error) => this.stallWatch.crash(error) },
			isClosing: () => this.closing,
			joined: (memberAssignment, memberId) => this.onGroupJoin(memberAssignment, memberId),
		});
		// Keep Order per Partition reads the previous owner's fence mark at every assignment (partition-fence.ts),
		// and partitions back after kafkajs restarted the consumer the group's offsets (returning-partitions.ts).
		// Read From Beginning off reads the group's offsets and the topics' ends before subscribing.
		const admin = kafka.admin();
		try {
			await this.consumer.connect();
			await admin.connect();
			// Set before the group is joined: an assignment's lookups need it. An editor test run commits nothing.
			if (!options.manual) this.admin = admin;
			if (options.manual) {
				this.recentOffsets = await findRecentOffsets(admin, options.topics, options.manual.recentMessages);
			}
			if (!options.manual) {
				const seating = { seek: (state: PartitionState, offset: bigint) => this.partitions.seek(state, offset), isClosing: () => this.closing, seated: () => this.resumeAndCommit() };
				this.startPins = new StartPins(await pinnedStartOffsets(admin, options), admin, options.groupId, seating, this.logger);
			}
			const topics = 'names' in options.topics ? options.topics.names : [options.topics.pattern];
			// Everything not pinned starts at its beginning: a topic created after the pins were read included.
			await this.consumer.subscribe({ topics, fromBeginning: options.manual ? options.fromBeginning : true });
			const joinBound = options.rebalanceTimeoutMs + options.sessionTimeoutMs + 30_000;
			this.join = joinWaiter(joinBound, options.groupId);
			const eachBatch = (payload: EachBatchPayload) => this.onBatch(payload);
			this.eachBatch = eachBatch;
			// A rebalance met by kafkajs' own heartbeat (nothing to fetch) is drained too, not only one met in eachBatch.
			onRebalanceFound(eachBatch, (heartbeat) => this.rejoinDrain.drainBeforeRejoin(heartbeat));
			await this.consumer.run({
				autoCommit: false,
				eachBatchAutoResolve: false,
				partitionsConsumedConcurrently: 1,
				eachBatch,
			});
			await this.join.promise;
			// The admin client may be disconnected below: not before the pins were checked with it.
			await this.startPins?.seated;
			this.started = true;
			this.stallWatch.start();
			if (options.lagIntervalMs > 0) {
				this.lagMonitor = new LagMonitor(admin, options.groupId, options.labels.workflow, () => this.assignment.partitionsByTopic(), this.logger);
				this.lagMonitor.start(options.lagIntervalMs);
				this.admin = admin;
			} else if (options.manual) {
				await admin.disconnect();
			}
		} catch (error) {
			this.closing = true;
			this.stallWatch.stop();
			if (this.eachBatch) markClosed(this.eachBatch);
			await this.consumer.disconnect().catch(() => {});
			await admin.disconnect().catch(() => {});
			this.endLeftoverSockets();
			throw explainKafkaError(error, options.connection);
		}
	}

	private get ordered(): boolean {
		return this.options.keepPartitionOrder === true && !this.options.manual;
	}

	private onGroupJoin(memberAssignment: Record<string, number[]>, memberId: string): void {
		this.rejoinDrain.joined();
		this.resetWatch.joined(memberId, this.closing);
		this.unknownTopicWatch.joined(memberId, this.closing);
		// Taken while closing too: a join while close() drains must drop what was given away, or close() would commit it.
		// An editor test run commits nothing: nothing to gain from keeping a returning partition.
		const change = this.assignment.replace(memberAssignment, memberId, !this.options.manual);
		this.corruptBatchHold.joined(memberId, this.closing);
		this.partitions.reseat(change, this.recentOffsets);
		this.startPins?.onAssignment(change.added);
		this.committer.rejoined();
		if (this.ordered) this.fences.onAssignment(change.added);
		if (!this.closing) this.holdLookup.onAssignment(change.added);
		if (!this.closing) void this.returning.onReturn(change.returned);
		this.logger.info('Kafka consumer joined the group', { groupId: this.options.groupId, assignment: memberAssignment });
		this.syncPaused(true);
		this.options.observer?.onAssignment?.(memberAssignment);
		this.committer.request();
		this.join?.done();
	}

	/** Partitions held until now may go on (the first assignment's pins seated, returning ones decided): resume them and commit that. */
	private resumeAndCommit(): void {
		this.syncPaused();
		this.committer.request();
	}

	private async onBatch(payload: EachBatchPayload): Promise<void> {
		const { batch } = payload;
		const state = this.assignment.get(batch.topic, batch.partition);
		if (!state || this.closing || this.emitter.manualDone || !payload.isRunning()) return;
		// A pending seek (redelivery, or re-seating after a rebalance) means this batch was fetched
		// from the old position: emitting it would skip or duplicate. kafkajs refetches after the seek.
		if (payload.isStale() || state.inBackoff || state.startPending || state.returning || state.held) return;
		try {
			await this.emitter.emit(state, payload);
			await payload.heartbeat();
		} catch (error) {
			if (isRebalanceInProgress(error)) await this.rejoinDrain.drainBeforeRejoin(() => payload.heartbeat());
			throw error;
		}
	}

	/** What finished, committed: before a rejoin and on close. */
	private commitFinished(signal?: AbortSignal): Promise<void> {
		this.committer.release();
		return this.committer.flush(undefined, signal);
	}

	private onWindowChange(inFlight: number, full: boolean): void {
		if (inFlight > this.stats.maxInFlight) this.stats.maxInFlight = inFlight;
		if (full !== this.lastFull) {
			this.lastFull = full;
			this.syncPaused();
		}
	}

	/** Everything is paused while the window is full, during a rebalance's drain, after an editor test run's one execution, and on close. */
	private syncPaused(force = false): void {
		this.partitions.syncPaused(this.closing || this.rejoinDrain.active || this.emitter.manualDone || !this.window.hasRoom, force);
	}

	/** Partitions currently owned, topic → partitions. */
	assigned(): Map<string, number[]> {
		return this.assignment.partitionsByTopic();
	}

	/** Topics deleted from the cluster: their partitions are given up before a close would commit them (following-consumer.ts). */
	forgetTopics(topics: readonly string[]): void {
		for (const state of this.assignment.all()) {
			if (topics.includes(state.topic)) metrics.kafkaCommittedOffset.remove(committedOffsetLabels(this.options, state));
		}
		this.assignment.dropTopics(topics);
		this.committer.forget(topics);
	}

	/**
	 * Holds exactly `topics` from now on (compacted-topic-hold.ts): their partitions paused, nothing more of
	 * them handed out, their executions in flight finishing and committing as usual; the others resumed.
	 */
	holdTopics(topics: readonly string[], marks?: ReadonlyMap<string, string>): void {
		this.assignment.holdTopics(topics, marks);
		this.syncPaused();
		// Marked in the group's offsets where it survives this consumer (compacted-hold-mark.ts): every held partition's next commit carries it.
		this.holdLookup.onHold([...this.assignment.all()]);
		this.committer.request();
	}

	get inFlight(): number {
		return this.window.inFlight;
	}

	/** Measures lag once (when lag measurement is on); for tests and on-demand reporting. */
	async measureLag() {
		return this.lagMonitor ? this.lagMonitor.measure() : [];
	}

	/**
	 * Stops fetching, waits for executions in flight, commits, disconnects, all within one deadline
	 * (Close Timeout, close-deadline.ts), `deadline` when the caller's close began earlier. Idempotent.
	 */
	close(deadline?: CloseDeadline): Promise<CloseReport> {
		this.closePromise ??= this.shutdown(deadline);
		return this.closePromise;
	}

	private async shutdown(given: CloseDeadline | undefined): Promise<CloseReport> {
		const deadline = given ?? new CloseDeadline(this.options.closeTimeoutMs);
		this.closing = true;
		this.stallWatch.stop();
		// A restart kafkajs is running now (after a retriable crash) would join after disconnect() and stay.
		if (this.eachBatch) markClosed(this.eachBatch);
		this.closeController.abort();
		for (const state of this.assignment.all()) {
			clearTimeout(state.backoffTimer);
			clearTimeout(state.fenceTimer);
		}
		this.committer.cancelRetry();
		this.syncPaused();
		try {
			const stopLag = () => this.lagMonitor?.stop();
			const disconnect = () => this.consumer.disconnect().then(() => this.admin?.disconnect());
			const { groupId } = this.options;
			return await closeAfterFetching({ groupId, logger: this.logger, window: this.window, holdLookup: this.holdLookup, committer: this.committer, commitFinished: (signal) => this.commitFinished(signal), abandon: () => this.executionsController.abort(), stopLag, disconnect }, deadline);
		} finally {
			// A caller's deadline goes on bounding its own waits after this one.
			if (!given) deadline.end();
			this.endLeftoverSockets();
			this.resetWatch.end();
			this.unknownTopicWatch.end();
			this.corruptBatchHold.end();
			this.holdLookup.end();
			for (const state of this.assignment.all()) metrics.kafkaCommittedOffset.remove(committedOffsetLabels(this.options, state));
		}
	}

	/** A connection kafkajs reopened outside its broker pool would outlive the close by 10 minutes (client.ts). */
	private endLeftoverSockets(): void {
		const ended = endLeftoverSockets(this.kafka);
		if (ended > 0) this.logger.debug('Kafka consumer closed connections kafkajs left open after disconnecting', { ended });
	}
}
