/**
 * The sinker's Kafka consumer: kafkajs eachBatch, cut into executions of at most N records / B bytes,
 * up to W executions in flight, offsets committed per partition only up to the longest prefix of
 * executions that finished successfully. Guarantees (the "why" of each is next to its code):
 * - at-least-once: nothing is committed past an execution that did not succeed; a failed or
 *   timed-out execution is redelivered from its first offset after an exponential, capped backoff;
 * - bounded memory: while the window is full eachBatch waits (kafkajs fetches nothing meanwhile) and
 *   every partition is paused, so a 1M-message backlog costs W executions + one fetch;
 * - heartbeats continue while executions run, and a rebalance found by our heartbeat first waits
 *   (bounded) for executions in flight and commits what finished before the group is rejoined;
 * - close stops fetching, waits (bounded) for executions in flight, commits, disconnects, and
 *   vetoes kafkajs' restart-on-failure so no ghost consumer outlives it.
 *
 * kafkajs 2.2.4 behaviour relied on (node_modules/kafkajs/src):
 * - consumer/runner.js processEachBatch: with eachBatchAutoResolve false only our resolveOffset
 *   moves the fetch position; with autoCommit false (runner.autoCommitOffsets) kafkajs never commits,
 *   and offsetManager.seek only resolves locally (no commit) — every commit is ours;
 * - runner.js commitOffsets returns without committing when the runner is not running, so a commit
 *   is only believed when the COMMIT_OFFSETS instrumentation event confirms it;
 * - consumerGroup.js fetch skips partitions that are paused or have a pending seek, and isStale()
 *   in the eachBatch payload is exactly "a seek is pending" (hasSeekOffset): a batch fetched before
 *   our seek is recognised and dropped;
 * - consumerGroup.js joinAndSync emits GROUP_JOIN with the new assignment synchronously after
 *   SyncGroup, before the next fetch: the place to re-seat retained partitions and drop revoked ones.
 *   kafkajs has no revoke callback; REBALANCING is emitted but not awaited (consumer/index.js `on`).
 */
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';

import { metrics } from '../metrics/metrics';
import { createKafka, explainKafkaError, silentLogger, type SinkerLogger } from './client';
import type { TrackedExecution } from './commit-tracker';
import {
	redeliveryDelay,
	validateConsumerOptions,
	type ExecutionOutcome,
	type RunExecution,
	type SinkExecution,
	type SinkerConsumerOptions,
} from './consumer-options';
import { ExecutionWindow } from './execution-window';
import { LagMonitor } from './lag-monitor';
import { createMessageParser, type MessageParser, type ParsedChunk } from './message-parser';
import { Assignment, type PartitionState } from './partition-state';
import { findRecentOffsets, isRebalanceInProgress, kafkaEvent, type JoinWaiter } from './consumer-support';

export interface SinkerStats {
	executionsStarted: number;
	executionsSucceeded: number;
	executionsFailed: number;
	messages: number;
	parseErrors: number;
	tombstonesSkipped: number;
	redeliveries: number;
	commits: number;
	maxInFlight: number;
}

export interface CloseReport {
	/** All executions in flight finished within the close bound. */
	drained: boolean;
	/** Executions still running when the consumer disconnected (their offsets stay uncommitted). */
	abandoned: number;
}

export class SinkerConsumer {
	readonly stats: SinkerStats = {
		executionsStarted: 0,
		executionsSucceeded: 0,
		executionsFailed: 0,
		messages: 0,
		parseErrors: 0,
		tombstonesSkipped: 0,
		redeliveries: 0,
		commits: 0,
		maxInFlight: 0,
	};
	private readonly logger: SinkerLogger;
	private readonly parser: MessageParser;
	private readonly window: ExecutionWindow;
	private readonly assignment = new Assignment();
	private readonly closeController = new AbortController();
	/** Aborted when close stops waiting: tells the n8n side to stop waiting for those executions. */
	private readonly executionsController = new AbortController();
	private readonly pollMs: number;
	private consumer!: Consumer;
	private lagMonitor: LagMonitor | undefined;
	private admin: Admin | undefined;
	private started = false;
	private closing = false;
	private manualDone = false;
	private pausedNow = new Set<PartitionState>();
	private lastFull = false;
	private commitWanted = false;
	private committing: Promise<void> | undefined;
	private commitRetry: NodeJS.Timeout | undefined;
	private closePromise: Promise<CloseReport> | undefined;
	private recentOffsets: Map<string, string> | undefined;
	private join: JoinWaiter | undefined;

	private constructor(
		private readonly options: SinkerConsumerOptions,
		private readonly runExecution: RunExecution,
	) {
		validateConsumerOptions(options);
		this.logger = options.logger ?? silentLogger;
		this.parser = createMessageParser(options.parser);
		this.window = new ExecutionWindow(options.executionsInFlight, (inFlight, full) => this.onWindowChange(inFlight, full));
		this.pollMs = Math.min(options.heartbeatIntervalMs, 1000);
	}

	/** Connects, subscribes and resolves once the group is joined; rejects with an explained error otherwise. */
	static async start(options: SinkerConsumerOptions, runExecution: RunExecution): Promise<SinkerConsumer> {
		const consumer = new SinkerConsumer(options, runExecution);
		await consumer.begin();
		return consumer;
	}

	private async begin(): Promise<void> {
		const { options } = this;
		const kafka = createKafka(options.connection, { logger: this.logger });
		this.consumer = kafka.consumer({
			groupId: options.groupId,
			sessionTimeout: options.sessionTimeoutMs,
			heartbeatInterval: options.heartbeatIntervalMs,
			rebalanceTimeout: options.rebalanceTimeoutMs,
			maxBytesPerPartition: options.fetchMaxBytesPerPartition,
			maxBytes: Math.max(options.fetchMaxBytes, options.fetchMaxBytesPerPartition),
			maxWaitTimeInMs: options.fetchMaxWaitMs,
			allowAutoTopicCreation: false,
			// kafkajs notices added partitions only on a metadata refresh (default every 300 s); until then
			// their messages wait, and a group reading new data only would skip what was written meanwhile.
			metadataMaxAge: 30_000,
			// consumer/index.js onCrash consults this only for retriable errors (e.g. the coordinator
			// still loading the group); never restart after close: no restart loop, no ghost member.
			retry: { restartOnFailure: async () => !this.closing },
		});
		this.listen();
		const admin = options.lagIntervalMs > 0 || options.manual ? kafka.admin() : undefined;
		try {
			await this.consumer.connect();
			if (admin) await admin.connect();
			if (options.manual && admin) {
				this.recentOffsets = await findRecentOffsets(admin, options.topics, options.manual.recentMessages);
			}
			const topics = 'names' in options.topics ? options.topics.names : [options.topics.pattern];
			await this.consumer.subscribe({ topics, fromBeginning: options.fromBeginning });
			const joinBound = options.rebalanceTimeoutMs + options.sessionTimeoutMs + 30_000;
			this.join = kafkaEvent.joinWaiter(joinBound, options.groupId);
			await this.consumer.run({
				autoCommit: false,
				eachBatchAutoResolve: false,
				partitionsConsumedConcurrently: 1,
				eachBatch: (payload) => this.onBatch(payload),
			});
			await this.join.promise;
			this.started = true;
			if (admin && options.lagIntervalMs > 0) {
				this.lagMonitor = new LagMonitor(admin, options.groupId, options.labels.workflow, () => this.assignment.partitionsByTopic(), this.logger);
				this.lagMonitor.start(options.lagIntervalMs);
				this.admin = admin;
			} else if (admin) {
				await admin.disconnect();
			}
		} catch (error) {
			this.closing = true;
			await this.consumer.disconnect().catch(() => {});
			await admin?.disconnect().catch(() => {});
			throw explainKafkaError(error, options.connection);
		}
	}

	private listen(): void {
		const { events } = this.consumer;
		this.consumer.on(events.GROUP_JOIN, (event) => this.onGroupJoin(event.payload.memberAssignment));
		this.consumer.on(events.REBALANCING, () => {
			// Found by kafkajs' own heartbeat (fetch loop): it rejoins without waiting for us, so at
			// least get what already finished committed while the old generation still accepts it.
			this.logger.info('Kafka group is rebalancing', { groupId: this.options.groupId });
			this.requestCommit();
		});
		this.consumer.on(events.COMMIT_OFFSETS, (event) => {
			for (const { topic, partitions } of event.payload.topics) {
				for (const { partition, offset } of partitions) this.onCommitted(topic, partition, String(offset));
			}
		});
		this.consumer.on(events.CRASH, (event) => {
			const error = event.payload.error;
			if (this.closing) return;
			// Before the first join a retriable crash is restarted by kafkajs and the join waiter keeps
			// waiting (bounded); a non-retriable one (authorisation, bad config) fails activation.
			if (!this.started) {
				if (!event.payload.restart) this.join?.fail(error);
				return;
			}
			if (event.payload.restart) {
				this.logger.warn('Kafka consumer crashed; kafkajs restarts it', { error: error.message, groupId: this.options.groupId });
			} else {
				this.logger.error('Kafka consumer crashed and will not restart', { error: error.message, groupId: this.options.groupId });
				this.options.onFatalError?.(explainKafkaError(error, this.options.connection));
			}
		});
	}

	private onGroupJoin(memberAssignment: Record<string, number[]>): void {
		const { retained, revoked, added } = this.assignment.replace(memberAssignment);
		for (const state of retained) {
			// The new generation's offset manager restarts from the committed offset; executions in
			// flight already cover [committed, nextOffset), so continue after them instead of twice.
			const next = state.tracker.nextOffset;
			if (!state.inBackoff && next !== undefined) this.seek(state, next);
		}
		for (const state of added) {
			const recent = this.recentOffsets?.get(`${state.topic}:${state.partition}`);
			if (recent !== undefined) this.seek(state, BigInt(recent));
		}
		for (const state of revoked) {
			metrics.kafkaCommittedOffset.remove(this.partitionLabels(state));
			if (state.tracker.running > 0) {
				this.logger.info('Kafka partition given up with executions in flight; their offsets will not be committed by this consumer', {
					topic: state.topic,
					partition: state.partition,
					running: state.tracker.running,
				});
			}
		}
		this.logger.info('Kafka consumer joined the group', { groupId: this.options.groupId, assignment: memberAssignment });
		this.syncPaused(true);
		this.options.observer?.onAssignment?.(memberAssignment);
		this.requestCommit();
		this.join?.done();
	}

	private async onBatch(payload: EachBatchPayload): Promise<void> {
		const { batch } = payload;
		const state = this.assignment.get(batch.topic, batch.partition);
		if (!state || this.closing || this.manualDone || !payload.isRunning()) return;
		// A pending seek (redelivery, or re-seating after a rebalance) means this batch was fetched
		// from the old position: emitting it would skip or duplicate. kafkajs refetches after the seek.
		if (payload.isStale() || state.inBackoff) return;
		try {
			await this.emitBatch(state, payload);
			await payload.heartbeat();
		} catch (error) {
			if (isRebalanceInProgress(error)) await this.drainBeforeRejoin(payload);
			throw error;
		}
	}

	private async emitBatch(state: PartitionState, payload: EachBatchPayload): Promise<void> {
		const messages = payload.batch.messages;
		const { maxRecordsPerExecution, maxBytesPerExecution } = this.options;
		let from = 0;
		// Defensive: never hand out an offset twice (kafkajs refetching from an older position than
		// ours, e.g. a seek it dropped); those messages are already in flight or committed.
		const floor = state.tracker.nextOffset;
		if (floor !== undefined) while (from < messages.length && BigInt(messages[from].offset) < floor) from++;
		while (from < messages.length) {
			if (!this.window.hasRoom && !(await this.waitForRoom(payload))) return;
			if (state.revoked || state.inBackoff || this.closing || payload.isStale()) return;
			let to = from;
			let bytes = 0;
			while (to < messages.length && to - from < maxRecordsPerExecution) {
				const size = messageSize(messages[to]);
				if (to > from && bytes + size > maxBytesPerExecution) break;
				bytes += size;
				to++;
			}
			const parsed = this.parser.parse(messages, from, to, state.topic, state.partition);
			const chunk = parsed instanceof Promise ? await parsed : parsed;
			if (state.revoked || state.inBackoff || this.closing) return;
			this.launch(state, messages, from, to, chunk, bytes);
			// Moves kafkajs' fetch position only (autoCommit is off): the commit waits for the outcome.
			payload.resolveOffset(messages[to - 1].offset);
			from = to;
			if (this.options.manual) {
				this.manualDone = true;
				this.syncPaused();
				return;
			}
		}
		// Return only with room, so the next fetch is not made just to wait here again (and while we
		// wait, kafkajs fetches nothing: that is the backpressure).
		if (!this.window.hasRoom) await this.waitForRoom(payload);
	}

	/** Waits for a free slot, sending heartbeats meanwhile; false when the consumer is stopping. */
	private async waitForRoom(payload: EachBatchPayload): Promise<boolean> {
		while (!this.window.hasRoom) {
			if (this.closing || !payload.isRunning()) return false;
			await this.window.waitForChange(this.pollMs, this.closeController.signal);
			if (this.closing || !payload.isRunning()) return false;
			// Rate-limited by kafkajs to one request per heartbeatInterval; throws when the group rebalances.
			await payload.heartbeat();
		}
		return true;
	}

	/**
	 * kafkajs' closest thing to "partitions revoked": our heartbeat saw REBALANCE_IN_PROGRESS and the
	 * group waits (up to the rebalance timeout) for us to rejoin. Use that time to let executions in
	 * flight finish and commit them under the old generation, so the next owner does not redo them.
	 */
	private async drainBeforeRejoin(payload: EachBatchPayload): Promise<void> {
		const inFlight = this.window.inFlight;
		this.logger.info('Kafka group is rebalancing: waiting for executions in flight before rejoining', {
			groupId: this.options.groupId,
			inFlight,
			boundMs: this.options.rebalanceDrainMs,
		});
		const deadline = Date.now() + this.options.rebalanceDrainMs;
		while (this.window.inFlight > 0 && !this.closing && Date.now() < deadline) {
			await this.window.waitForChange(Math.min(this.pollMs, Math.max(deadline - Date.now(), 1)), this.closeController.signal);
			// REBALANCE_IN_PROGRESS again, expected; the request still keeps our session alive.
			await payload.heartbeat().catch(() => {});
		}
		await this.flushCommits();
	}

	private launch(state: PartitionState, messages: KafkaMessage[], from: number, to: number, chunk: ParsedChunk, bytes: number): void {
		const firstOffset = messages[from].offset;
		const lastOffset = messages[to - 1].offset;
		const entry = state.tracker.add(BigInt(firstOffset), BigInt(lastOffset) + 1n);
		const count = to - from;
		const { workflow, node } = this.options.labels;
		metrics.kafkaMessagesConsumed.inc({ workflow, topic: state.topic, partition: String(state.partition) }, count);
		if (chunk.parseErrors > 0) metrics.jsonParseErrors.inc({ workflow, node, topic: state.topic }, chunk.parseErrors);
		if (chunk.tombstonesSkipped > 0) metrics.kafkaTombstonesSkipped.inc({ workflow, topic: state.topic }, chunk.tombstonesSkipped);
		this.stats.messages += count;
		this.stats.parseErrors += chunk.parseErrors;
		this.stats.tombstonesSkipped += chunk.tombstonesSkipped;
		this.stats.executionsStarted++;
		const execution: SinkExecution = {
			topic: state.topic,
			partition: state.partition,
			firstOffset,
			lastOffset,
			items: chunk.items,
			bytes,
			messages: count,
			attempt: state.attempt,
		};
		this.window.acquire();
		metrics.executionsInFlight.inc({ workflow });
		this.options.observer?.onExecution?.(execution);
		// Only skipped tombstones: nothing to run, and their offsets may still be committed.
		const outcome = chunk.items.length === 0 ? Promise.resolve<ExecutionOutcome>({ ok: true }) : this.runWithDeadline(execution);
		void outcome.then((result) => this.finish(state, entry, execution, result));
	}

	private async runWithDeadline(execution: SinkExecution): Promise<ExecutionOutcome> {
		const timeoutMs = this.options.executionTimeoutMs;
		let timer: NodeJS.Timeout | undefined;
		try {
			const run = this.runExecution(execution, this.executionsController.signal);
			if (timeoutMs <= 0) return await run;
			const timeout = new Promise<ExecutionOutcome>((resolve) => {
				timer = setTimeout(() => resolve({ ok: false, reason: `execution did not finish within ${timeoutMs} ms` }), timeoutMs);
			});
			return await Promise.race([run, timeout]);
		} catch (error) {
			return { ok: false, reason: error instanceof Error ? error.message : String(error) };
		} finally {
			clearTimeout(timer);
		}
	}

	private finish(state: PartitionState, entry: TrackedExecution, execution: SinkExecution, outcome: ExecutionOutcome): void {
		try {
			if (outcome.ok) this.stats.executionsSucceeded++;
			else this.stats.executionsFailed++;
			if (this.options.manual || state.revoked) return;
			if (outcome.ok) {
				const result = state.tracker.succeed(entry);
				if (result.kind === 'done' && result.commitTo !== undefined) {
					if (state.failedFrom !== undefined && result.commitTo > state.failedFrom) {
						state.attempt = 0;
						state.failedFrom = undefined;
					}
					this.requestCommit();
				}
				return;
			}
			const result = state.tracker.fail(entry);
			if (result.kind !== 'failed') return;
			state.attempt++;
			state.failedFrom = result.redeliverFrom;
			const delay = redeliveryDelay(state.attempt, this.options.redeliveryBackoff);
			this.logger.warn(
				`Execution for ${state.topic}[${state.partition}] offsets ${execution.firstOffset}..${execution.lastOffset} failed: ${outcome.reason}; redelivering from offset ${result.redeliverFrom} in ${delay} ms (attempt ${state.attempt})`,
				{ topic: state.topic, partition: state.partition, superseded: result.superseded },
			);
			if (!state.inBackoff) {
				state.backoffTimer = setTimeout(() => this.redeliver(state), delay);
				this.syncPaused();
			}
		} catch (error) {
			this.logger.error('Kafka sinker: failed to record an execution outcome', { error: (error as Error).message });
		} finally {
			metrics.executionsInFlight.dec({ workflow: this.options.labels.workflow });
			this.window.release();
		}
	}

	private redeliver(state: PartitionState): void {
		state.backoffTimer = undefined;
		if (state.revoked || this.closing) return;
		const failedAt = state.tracker.failedAt;
		if (failedAt !== undefined) {
			if (!this.seek(state, failedAt)) {
				// No consumer group right now (kafkajs restarting after a crash): try again shortly.
				state.backoffTimer = setTimeout(() => this.redeliver(state), 1000);
				return;
			}
			state.tracker.takeFailed();
			this.stats.redeliveries++;
			metrics.kafkaRedeliveries.inc({ workflow: this.options.labels.workflow, topic: state.topic, partition: String(state.partition) });
			this.options.observer?.onRedeliver?.(state.topic, state.partition, failedAt.toString(), state.attempt);
			this.logger.warn(`Redelivering ${state.topic}[${state.partition}] from offset ${failedAt} (attempt ${state.attempt})`);
		}
		this.syncPaused();
	}

	private seek(state: PartitionState, offset: bigint): boolean {
		try {
			this.consumer.seek({ topic: state.topic, partition: state.partition, offset: offset.toString() });
			return true;
		} catch (error) {
			this.logger.warn('Kafka seek failed', { topic: state.topic, partition: state.partition, error: (error as Error).message });
			return false;
		}
	}

	private onWindowChange(inFlight: number, full: boolean): void {
		if (inFlight > this.stats.maxInFlight) this.stats.maxInFlight = inFlight;
		if (full !== this.lastFull) {
			this.lastFull = full;
			this.syncPaused();
		}
	}

	/** Pauses what must not be fetched (all when the window is full or closing; partitions in backoff) and resumes the rest. */
	private syncPaused(force = false): void {
		const pauseAll = this.closing || this.manualDone || !this.window.hasRoom;
		const want = new Set<PartitionState>();
		for (const state of this.assignment.all()) if (pauseAll || state.inBackoff) want.add(state);
		const toPause = new Map<string, number[]>();
		const toResume = new Map<string, number[]>();
		for (const state of this.assignment.all()) {
			const wanted = want.has(state);
			const was = this.pausedNow.has(state);
			if (wanted && (force || !was)) push(toPause, state);
			if (!wanted && (force || was)) push(toResume, state);
		}
		this.pausedNow = want;
		try {
			if (toPause.size > 0) this.consumer.pause([...toPause].map(([topic, partitions]) => ({ topic, partitions })));
			if (toResume.size > 0) this.consumer.resume([...toResume].map(([topic, partitions]) => ({ topic, partitions })));
		} catch {
			// No consumer group yet or any more (kafkajs throws then); the next GROUP_JOIN re-applies.
		}
		if (toPause.size > 0 || toResume.size > 0) this.options.observer?.onPauseChange?.(pauseAll);
	}

	private requestCommit(): void {
		if (this.options.manual) return;
		this.commitWanted = true;
		if (!this.committing) this.committing = this.commitLoop().finally(() => (this.committing = undefined));
	}

	private async commitLoop(): Promise<void> {
		while (this.commitWanted) {
			this.commitWanted = false;
			const offsets: Array<{ topic: string; partition: number; offset: string }> = [];
			for (const state of this.assignment.all()) {
				const offset = state.tracker.committableOffset;
				if (offset !== undefined && (state.committed === undefined || offset > state.committed)) {
					offsets.push({ topic: state.topic, partition: state.partition, offset: offset.toString() });
				}
			}
			if (offsets.length === 0) return;
			try {
				await this.consumer.commitOffsets(offsets);
			} catch (error) {
				this.logger.warn('Kafka offset commit failed; will retry', { error: (error as Error).message, groupId: this.options.groupId });
			}
			const unconfirmed = offsets.some(({ topic, partition, offset }) => {
				const state = this.assignment.get(topic, partition);
				return state !== undefined && (state.committed === undefined || state.committed < BigInt(offset));
			});
			if (unconfirmed && !this.closing && !this.commitRetry) {
				this.commitRetry = setTimeout(() => {
					this.commitRetry = undefined;
					this.requestCommit();
				}, 1000);
			}
			if (unconfirmed) return;
		}
	}

	private onCommitted(topic: string, partition: number, offset: string): void {
		const state = this.assignment.get(topic, partition);
		if (!state) return;
		const value = BigInt(offset);
		if (state.committed === undefined || value > state.committed) state.committed = value;
		this.stats.commits++;
		metrics.kafkaCommittedOffset.set(this.partitionLabels(state), Number(value));
		this.options.observer?.onCommit?.(topic, partition, offset);
	}

	private async flushCommits(attempts = 3): Promise<void> {
		for (let i = 0; i < attempts; i++) {
			this.requestCommit();
			await this.committing;
			const pending = [...this.assignment.all()].some((s) => {
				const c = s.tracker.committableOffset;
				return c !== undefined && (s.committed === undefined || s.committed < c);
			});
			if (!pending) return;
			await new Promise((resolve) => setTimeout(resolve, 300));
		}
	}

	private partitionLabels(state: PartitionState) {
		return { workflow: this.options.labels.workflow, group: this.options.groupId, topic: state.topic, partition: String(state.partition) };
	}

	/** Partitions currently owned, topic → partitions. */
	assigned(): Map<string, number[]> {
		return this.assignment.partitionsByTopic();
	}

	get inFlight(): number {
		return this.window.inFlight;
	}

	/** Measures lag once (when lag measurement is on); for tests and on-demand reporting. */
	async measureLag() {
		return this.lagMonitor ? this.lagMonitor.measure() : [];
	}

	/** Stops fetching, waits up to closeTimeoutMs for executions in flight, commits, disconnects. Idempotent. */
	close(): Promise<CloseReport> {
		this.closePromise ??= this.shutdown();
		return this.closePromise;
	}

	private async shutdown(): Promise<CloseReport> {
		this.closing = true;
		this.closeController.abort();
		for (const state of this.assignment.all()) clearTimeout(state.backoffTimer);
		clearTimeout(this.commitRetry);
		this.syncPaused();
		const drained = await this.window.drain(this.options.closeTimeoutMs);
		const abandoned = this.window.inFlight;
		if (!drained) {
			this.logger.warn('Kafka consumer closing with executions still in flight; their offsets stay uncommitted', { abandoned });
			this.executionsController.abort();
		}
		await this.flushCommits();
		await this.lagMonitor?.stop();
		try {
			await this.consumer.disconnect();
			await this.admin?.disconnect();
		} finally {
			for (const state of this.assignment.all()) metrics.kafkaCommittedOffset.remove(this.partitionLabels(state));
		}
		return { drained, abandoned };
	}
}

function messageSize(message: KafkaMessage): number {
	return (message.value?.length ?? 0) + (message.key?.length ?? 0);
}

function push(map: Map<string, number[]>, state: PartitionState): void {
	const list = map.get(state.topic);
	if (list) list.push(state.partition);
	else map.set(state.topic, [state.partition]);
}
