/**
 * The sinker's emit path: one fetched batch of a partition is cut into executions of at most N
 * records / B bytes, each handed to n8n once the execution window has room, and each outcome is
 * recorded (success feeds the commit loop, failure schedules a redelivery from its first offset).
 * Nothing fetched from a position that no longer holds is handed out: after every await before a
 * launch (room in the window, a Schema Registry parse) the partition's position epoch is checked
 * again. A registry that cannot be asked holds the partition like a failed execution; a fetch that no
 * seek of ours explains is kafkajs' own reset, and the partition starts over there (position-reset.ts).
 *
 * With Keep Order per Partition a partition has at most one execution in flight: a batch is handed
 * out one execution at a time, the rest left unresolved (kafkajs fetches it again from there) and the
 * partition paused until that execution finished; every execution's items carry its deadline
 * (`loadBy`), and a partition is marked HELD before its first execution (partition-fence.ts). When a
 * failed range is fetched again, and after what wait, is redelivery.ts.
 *
 * kafkajs 2.2.4 behaviour relied on (node_modules/kafkajs/src): consumer/runner.js processEachBatch,
 * with eachBatchAutoResolve false only our resolveOffset moves the fetch position, and
 * offsetManager.seek only resolves locally (no commit); consumerGroup.js recoverFromOffsetOutOfRange
 * resets the position to the default offset and commits it (offsetManager setDefaultOffset).
 */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';

import { DORIS_FIELD, PACKED_ROWS_FIELD } from '../common/item-contract';
import { metrics } from '../metrics/metrics';
import { ChunkWarnings } from './chunk-warnings';
import type { SinkerLogger } from './client';
import type { TrackedExecution } from './commit-tracker';
import { KafkaCorruptBatchError, type CorruptBatchReport } from './corrupt-batch-watch';
import type { ExecutionOutcome, RunExecution, SinkExecution, SinkerConsumerOptions, SinkerStats } from './consumer-options';
import type { ExecutionWindow } from './execution-window';
import { executionEnd, fetchedOffset, messageSize, resolveThrough } from './fetched-batch';
import type { MessageParser, ParsedChunk } from './message-parser';
import type { OffsetCommitter } from './offset-committer';
import type { PartitionControl } from './partition-control';
import { offsetBeforeKafkaReset, startOverAfterKafkaReset } from './position-reset';
import { leaseCovers, leaseUntil } from './partition-fence';
import type { PartitionState } from './partition-state';
import { Redelivery } from './redelivery';
import { SchemaRegistryUnavailableError } from './schema-registry-errors';
import { unfinishedExecutionWarning, unfinishedWarningEvery, warnWhileUnfinished } from './unfinished-watch';

/** The consumer's parts the emit path works with; the consumer owns them all. */
export interface EmitterContext {
	readonly options: SinkerConsumerOptions;
	readonly runExecution: RunExecution;
	readonly logger: SinkerLogger;
	readonly stats: SinkerStats;
	readonly parser: MessageParser;
	readonly window: ExecutionWindow;
	readonly partitions: PartitionControl;
	readonly committer: OffsetCommitter;
	/** How long to wait for room between two heartbeats. */
	readonly pollMs: number;
	/** Aborted by close: stop waiting for room. */
	readonly closeSignal: AbortSignal;
	/** Aborted when close stops waiting: tells the n8n side to stop waiting for those executions. */
	readonly executionsSignal: AbortSignal;
	isClosing(): boolean;
	/** A rebalance is being drained before the group is rejoined: nothing new is handed out. */
	isDraining(): boolean;
	/** Re-applies pause/resume after the window filled, emptied or a partition entered backoff. */
	syncPaused(): void;
}

export class ExecutionEmitter {
	private done = false;
	private readonly warnings: ChunkWarnings;
	/** Failed ranges (and chunks held for the registry) fetched again after their backoff. */
	private readonly redelivery: Redelivery;

	constructor(private readonly ctx: EmitterContext) {
		this.redelivery = new Redelivery(ctx);
		this.warnings = new ChunkWarnings(ctx.logger);
	}

	/** An editor test run has emitted its one execution: nothing more is fetched or emitted. */
	get manualDone(): boolean {
		return this.done;
	}

	async emit(state: PartitionState, payload: EachBatchPayload): Promise<void> {
		const { options, window } = this.ctx;
		const messages = payload.batch.messages;
		if (messages.length === 0) return;
		const fetchedFrom = fetchedOffset(payload);
		// kafkajs may have moved the position itself (position-reset.ts); a stale batch moved nothing.
		const reset = payload.isStale() ? undefined : offsetBeforeKafkaReset(state, fetchedFrom);
		if (reset !== undefined) startOverAfterKafkaReset(this.ctx.logger, this.ctx.options.labels.workflow, state, fetchedFrom, reset.expected);
		else if (!payload.isStale()) state.tracker.passedAfterRewind(fetchedFrom);
		// Every await below may outlive the position this batch was fetched from (a failed execution's
		// redelivery rewinds it, a rebalance re-seats it): after each, a moved epoch means stop.
		const epoch = state.positionEpoch;
		// A held topic (compacted-topic-hold.ts) stops here too: the rest of the batch stays unresolved, fetched again once released.
		const moved = () => state.revoked || state.inBackoff || state.held || this.ctx.isClosing() || this.ctx.isDraining() || payload.isStale() || state.positionEpoch !== epoch;
		const { maxRecordsPerExecution, maxBytesPerExecution } = options;
		const ordered = options.keepPartitionOrder === true;
		let from = 0;
		while (from < messages.length) {
			// Keep Order: the lease is checked (and renewed) only once there is room, as the execution is about to
			// start: committed before a wait for a slot, it lost that wait from the execution's deadline
			// (loadBy = min(now + Execution Timeout, lease)), and loads longer than ~0.63 × the timeout failed
			// every execution that had waited.
			if (ordered && this.mayNotStart(state)) return;
			if (!window.hasRoom && !(await this.waitForRoom(payload))) return;
			if (moved()) return;
			if (ordered && !(await this.mayStart(state, from === 0 ? fetchedFrom : BigInt(messages[from].offset), moved))) return;
			// Another partition may have taken the slot while the lease was committed: wait again.
			if (!window.hasRoom) continue;
			// A failed range delivered again ends where executions still tracked begin (commit-tracker.ts).
			const limit = state.tracker.fillLimit;
			if (limit !== undefined && BigInt(messages[from].offset) >= limit) {
				// The log no longer holds a message of that range (compaction): nothing to deliver again.
				if (!this.passEmptyRange(state, limit, from === 0 ? fetchedFrom : undefined) || moved()) return;
				continue;
			}
			let to = from;
			let bytes = 0;
			while (to < messages.length && to - from < maxRecordsPerExecution) {
				if (limit !== undefined && to > from && BigInt(messages[to].offset) >= limit) break;
				const size = messageSize(messages[to]);
				if (to > from && bytes + size > maxBytesPerExecution) break;
				bytes += size;
				to++;
			}
			const parsed = this.ctx.parser.parse(messages, from, to, state.topic, state.partition);
			let chunk: ParsedChunk;
			try {
				chunk = parsed instanceof Promise ? await this.whileHeartbeating(parsed, payload) : parsed;
			} catch (error) {
				if (!(error instanceof SchemaRegistryUnavailableError)) throw error;
				if (!moved()) this.redelivery.hold(state, messages[from].offset, error);
				return;
			}
			if (moved()) return;
			// A Schema Registry parse that waited on the registry came out of the lease too: renewed when it no longer covers the deadline.
			if (ordered && parsed instanceof Promise && !(await this.mayStart(state, BigInt(messages[from].offset), moved))) return;
			let entry: TrackedExecution;
			try {
				entry = state.tracker.add(BigInt(messages[from].offset), executionEnd(payload, to, limit), from === 0 ? fetchedFrom : undefined);
			} catch (error) {
				// Never expected: the checks above stop every chunk fetched before a rewind. Refusing keeps
				// the commit from passing offsets that are being redelivered.
				this.ctx.logger.error(`Kafka sinker refused an execution for ${state.topic}[${state.partition}]: ${(error as Error).message}`, {
					topic: state.topic,
					partition: state.partition,
				});
				return;
			}
			this.launch(state, entry, messages, from, to, chunk, bytes);
			// Moves kafkajs' fetch position only (autoCommit is off): the commit waits for the outcome.
			payload.resolveOffset(resolveThrough(payload, to, entry.end));
			from = to;
			// A failed range was delivered again up to where executions still tracked begin: what follows
			// is theirs (running or done). Continue after them, or at the next failed range.
			if (this.skipTracked(state, entry)) return;
			if (options.manual) {
				this.done = true;
				this.ctx.syncPaused();
				return;
			}
			if (ordered) {
				// The rest of the batch is fetched again once this execution finished.
				this.ctx.syncPaused();
				return;
			}
		}
		// Return only with room, so the next fetch is not made just to wait here again (and while we
		// wait, kafkajs fetches nothing: that is the backpressure).
		if (!window.hasRoom) await this.waitForRoom(payload);
	}

	/**
	 * The partition continues at a corrupt batch (corrupt-batch-watch.ts): held like a chunk the registry
	 * could not be asked about, with an error each time; the broker answers the same bytes again, so it
	 * stays held, fetched again once per redelivery backoff, and nothing past it is committed.
	 */
	holdCorrupt(state: PartitionState, report: CorruptBatchReport): void {
		if (state.inBackoff || state.revoked || this.ctx.isClosing()) return;
		this.redelivery.hold(state, report.baseOffset, new KafkaCorruptBatchError(report), 'error');
	}

	/**
	 * A fetch held only records kafkajs hands out to nobody, [first, end): commit past them once every
	 * execution before them finished, as past an execution with nothing to run. Only when they start
	 * exactly where the partition continues: the records between a floor and `first` were not seen,
	 * and a fetch from before a rewind may start anywhere. Without this the group stayed behind the
	 * end of a topic whose last transaction was aborted (or whose last marker came in a fetch of its
	 * own) until the next message: a lag that never went away on a quiet topic.
	 */
	passFiltered(state: PartitionState, first: bigint, end: bigint): void {
		const { tracker } = state;
		// While a failed range is delivered again, only up to its end (executions still tracked follow).
		const limit = tracker.fillLimit;
		if (this.ctx.options.manual || state.revoked || state.returning || state.held || tracker.nextOffset !== first || (tracker.failedAt !== undefined && limit === undefined)) return;
		const entry = tracker.add(first, limit !== undefined && end > limit ? limit : end);
		const result = tracker.succeed(entry);
		if (result.kind === 'done' && result.commitTo !== undefined) this.ctx.committer.request();
		if (limit !== undefined) this.skipTracked(state, entry);
	}

	/** A failed range whose messages the log no longer holds: done, as an execution with nothing to run. */
	private passEmptyRange(state: PartitionState, limit: bigint, fetchedFrom: bigint | undefined): boolean {
		let entry: TrackedExecution;
		try {
			entry = state.tracker.add(state.tracker.nextOffset as bigint, limit, fetchedFrom);
		} catch (error) {
			this.ctx.logger.error(`Kafka sinker refused an execution for ${state.topic}[${state.partition}]: ${(error as Error).message}`, { topic: state.topic, partition: state.partition });
			return false;
		}
		const result = state.tracker.succeed(entry);
		if (result.kind === 'done' && result.commitTo !== undefined) this.ctx.committer.request();
		this.skipTracked(state, entry);
		return true;
	}

	/**
	 * After an execution that closed a failed range: when the next offset to hand out is not where it
	 * ended (executions still tracked come between), seeks there. True when it sought.
	 */
	private skipTracked(state: PartitionState, entry: TrackedExecution): boolean {
		const next = state.tracker.nextOffset;
		if (next === undefined || next === entry.end) return false;
		if (!this.ctx.partitions.seek(state, next)) return false;
		state.tracker.takeFailed();
		return true;
	}

	/**
	 * Keep Order per Partition, the refusals that need no await: one of its executions is in flight, a
	 * redelivery waits or a previous owner's deadline has not passed.
	 */
	private mayNotStart(state: PartitionState): boolean {
		if (state.tracker.running === 0 && !state.inBackoff && !state.fenced) return false;
		this.ctx.syncPaused();
		return true;
	}

	/**
	 * Keep Order per Partition: whether the partition may start an execution now (asked once there is
	 * room in the window). Not when mayNotStart refuses; the first time in this ownership, and whenever
	 * the committed lease would not cover the execution's deadline, only once HELD with a new lease is
	 * committed at `startOffset`.
	 */
	private async mayStart(state: PartitionState, startOffset: bigint, moved: () => boolean): Promise<boolean> {
		if (this.mayNotStart(state)) return false;
		if (this.ctx.options.manual) return true;
		const now = Date.now();
		const timeoutMs = this.ctx.options.executionTimeoutMs;
		if (state.announced && leaseCovers(state.leaseCommitted, now, timeoutMs)) return true;
		const committed = await this.ctx.committer.announce(state, state.tracker.committableOffset ?? startOffset, leaseUntil(now, timeoutMs));
		return committed && !moved();
	}

	/** Waits for a parse that may ask the registry, sending heartbeats meanwhile so the group keeps us. */
	private async whileHeartbeating<T>(work: Promise<T>, payload: EachBatchPayload): Promise<T> {
		let settled = false;
		const done = work.then(
			() => (settled = true),
			() => (settled = true),
		);
		while (!settled) {
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, this.ctx.pollMs)))]);
			clearTimeout(timer);
			// Rate-limited by kafkajs to one request per heartbeatInterval; throws when the group rebalances.
			if (!settled && payload.isRunning()) await payload.heartbeat();
		}
		return await work;
	}

	/** Waits for a free slot, sending heartbeats meanwhile; false when the consumer is stopping. */
	private async waitForRoom(payload: EachBatchPayload): Promise<boolean> {
		const { window } = this.ctx;
		while (!window.hasRoom) {
			if (this.ctx.isClosing() || !payload.isRunning()) return false;
			await window.waitForChange(this.ctx.pollMs, this.ctx.closeSignal);
			if (this.ctx.isClosing() || !payload.isRunning()) return false;
			// Rate-limited by kafkajs to one request per heartbeatInterval; throws when the group rebalances.
			await payload.heartbeat();
		}
		return true;
	}

	private launch(state: PartitionState, entry: TrackedExecution, messages: KafkaMessage[], from: number, to: number, chunk: ParsedChunk, bytes: number): void {
		const { options, stats } = this.ctx;
		const firstOffset = messages[from].offset;
		const lastOffset = messages[to - 1].offset;
		const count = to - from;
		const { workflow, node } = options.labels;
		metrics.kafkaMessagesConsumed.inc({ workflow, topic: state.topic, partition: String(state.partition) }, count);
		if (chunk.parseErrors > 0) metrics.jsonParseErrors.inc({ workflow, node, topic: state.topic }, chunk.parseErrors);
		if (chunk.tombstonesSkipped > 0) metrics.kafkaTombstonesSkipped.inc({ workflow, topic: state.topic }, chunk.tombstonesSkipped);
		if (chunk.skippedTombstone !== undefined && options.warnSkippedTombstones !== false) this.warnings.skippedTombstone(state.topic, state.partition, chunk.skippedTombstone);
		if (chunk.itemOwnFields !== undefined) this.warnings.itemOwnFields(state.topic, state.partition, chunk.itemOwnFields);
		stats.messages += count;
		stats.parseErrors += chunk.parseErrors;
		stats.tombstonesSkipped += chunk.tombstonesSkipped;
		stats.executionsStarted++;
		// Keep Order per Partition: the rows must not start loading after the execution's deadline.
		// Never past the committed lease: a next owner waits for that one (partition-fence.ts).
		const loadBy = options.keepPartitionOrder === true ? Math.min(Date.now() + options.executionTimeoutMs, state.leaseCommitted) : undefined;
		if (loadBy !== undefined) stampDeadline(chunk.items, loadBy);
		const execution: SinkExecution = {
			topic: state.topic,
			partition: state.partition,
			firstOffset,
			lastOffset,
			items: chunk.items,
			bytes,
			messages: count,
			attempt: state.attempt,
			loadBy,
		};
		this.ctx.window.acquire();
		metrics.executionsInFlight.inc({ workflow });
		options.observer?.onExecution?.(execution);
		// Only skipped tombstones: nothing to run, and their offsets may still be committed.
		const outcome = chunk.items.length === 0 ? Promise.resolve<ExecutionOutcome>({ ok: true }) : this.runWithDeadline(execution);
		void outcome.then((result) => this.finish(state, entry, execution, result));
	}

	private async runWithDeadline(execution: SinkExecution): Promise<ExecutionOutcome> {
		const timeoutMs = execution.loadBy !== undefined ? Math.max(execution.loadBy - Date.now(), 1) : this.ctx.options.executionTimeoutMs;
		let timer: NodeJS.Timeout | undefined;
		try {
			const run = warnWhileUnfinished(this.ctx.runExecution(execution, this.ctx.executionsSignal), unfinishedWarningEvery(timeoutMs), (waited) =>
				this.ctx.logger.warn(unfinishedExecutionWarning(execution, waited, timeoutMs), { topic: execution.topic, partition: execution.partition, offset: execution.firstOffset }),
			);
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
		const { options, stats } = this.ctx;
		try {
			if (outcome.ok) stats.executionsSucceeded++;
			else stats.executionsFailed++;
			if (options.manual || state.revoked) return;
			if (outcome.ok) {
				const result = state.tracker.succeed(entry);
				if (result.kind === 'done' && result.commitTo !== undefined) {
					if (state.failedFrom !== undefined && result.commitTo > state.failedFrom) {
						state.attempt = 0;
						state.failedFrom = undefined;
					}
					this.ctx.committer.request();
				}
				// Keep Order per Partition: the partition was paused while this execution ran.
				if (options.keepPartitionOrder === true) this.ctx.syncPaused();
				return;
			}
			const result = state.tracker.fail(entry);
			if (result.kind === 'failed') this.redelivery.afterFailure(state, execution, outcome, result);
		} catch (error) {
			this.ctx.logger.error('Kafka sinker: failed to record an execution outcome', { error: (error as Error).message });
		} finally {
			metrics.executionsInFlight.dec({ workflow: options.labels.workflow });
			this.ctx.window.release();
		}
	}
}

/**
 * Writes the execution's deadline into its items (DorisItemInfo.loadBy): on a packed item into
 * `packedRows.doris`, on any other item into `_doris`, keeping what is there.
 */
function stampDeadline(items: ReadonlyArray<{ json: Record<string, unknown> }>, loadBy: number): void {
	for (const item of items) {
		const packed = item.json[PACKED_ROWS_FIELD];
		const holder = typeof packed === 'object' && packed !== null && !Array.isArray(packed) ? (packed as Record<string, unknown>) : item.json;
		const key = holder === item.json ? DORIS_FIELD : 'doris';
		const current = holder[key];
		holder[key] = typeof current === 'object' && current !== null && !Array.isArray(current) ? { ...current, loadBy } : { loadBy };
	}
}
