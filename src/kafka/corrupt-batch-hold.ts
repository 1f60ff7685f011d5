/**
 * A partition of this consumer that continues at a corrupt record batch, held there and shown: the
 * kafkajs patch (corrupt-batch-watch.ts) tells the group member whose fetch met it, and the partition's
 * current state is held by the emit path (execution-emitter.ts holdCorrupt: an error naming topic,
 * partition, base offset and both CRCs, then the redelivery backoff, redelivery.ts). Kept out of
 * sinker-consumer.ts, which only composes it: told, joined at every group join, shown each fetched
 * batch, ended on close.
 *
 * Shown as kafka_corrupt_batch_held{workflow,group,topic,partition}: heartbeats go on while a partition is
 * held, so the stall watch (stall-watch.ts) rightly sees nothing, and before this gauge only the error
 * line and a growing lag told of a partition that never goes on by itself. 1 from the first report until
 * kafkajs processes a batch of the partition reaching the held batch's base offset (the bytes read cleanly
 * again: a replica with good data became leader, the segment was restored, a reset moved past it), 0 for
 * every other partition the consumer owns (so a dashboard has a line and an alert can tell 0 from
 * nothing), removed when the partition is given away or the consumer closes: its new owner shows it.
 *
 * kafkajs joins under a new member id after a restart, so the watch is registered again at each join
 * (group-member-listeners.ts MemberWatch); a partition told of that this member no longer owns (given
 * away by a rebalance meanwhile) is left to its new owner, which meets the same bytes.
 */
import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import type { SinkerConsumerOptions } from './consumer-options';
import { MemberCorruptBatchWatch, type CorruptBatchReport } from './corrupt-batch-watch';
import type { Assignment, PartitionState } from './partition-state';

/** The consumer's parts the hold works with. */
export interface CorruptBatchHoldContext {
	readonly options: Pick<SinkerConsumerOptions, 'groupId' | 'labels'>;
	readonly logger: SinkerLogger;
	readonly assignment: Pick<Assignment, 'get' | 'all'>;
	/** Holds the partition at the batch: the emit path's holdCorrupt (an error, the redelivery backoff). */
	hold(state: PartitionState, report: CorruptBatchReport): void;
}

/** What of kafkajs' START_BATCH_PROCESS payload (runner.js onBatch) is read: firstOffset is null when no record is at or past the fetch offset. */
export interface ProcessedBatch {
	topic: string;
	partition: number;
	firstOffset: string | null;
	lastOffset: string;
}

interface Series {
	labels: { workflow: string; group: string; topic: string; partition: string };
	/** The base offset of the corrupt batch the partition is held at; undefined while it is not held. */
	heldAt: bigint | undefined;
}

export class CorruptBatchHold {
	private readonly watch: MemberCorruptBatchWatch;
	/** The partitions with a series out, by topic and partition. */
	private readonly series = new Map<string, Series>();

	constructor(private readonly ctx: CorruptBatchHoldContext) {
		this.watch = new MemberCorruptBatchWatch(ctx.options.groupId, (report) => this.told(report));
	}

	/** The fetch of one of this member's partitions met a corrupt batch with nothing before it to hand out. */
	told(report: CorruptBatchReport): void {
		const state = this.ctx.assignment.get(report.topic, report.partition);
		if (!state) return;
		this.show(report.topic, report.partition, BigInt(report.baseOffset));
		this.ctx.hold(state, report);
	}

	/**
	 * kafkajs processes a fetched batch (START_BATCH_PROCESS, before eachBatch; never for the empty batch of
	 * a held partition's refused fetch): one with records reaching the held batch's base offset read it
	 * cleanly. A batch of the records before the corrupt one (a redelivery from before it) ends below it:
	 * still held.
	 */
	processed(batch: ProcessedBatch): void {
		const heldAt = this.series.get(key(batch.topic, batch.partition))?.heldAt;
		if (heldAt === undefined || batch.firstOffset === null || BigInt(batch.lastOffset) < heldAt) return;
		this.show(batch.topic, batch.partition, undefined);
		this.ctx.logger.info(`Kafka record batch at offset ${heldAt} of ${batch.topic}[${batch.partition}] reads cleanly now; the partition goes on`, {
			topic: batch.topic,
			partition: batch.partition,
		});
	}

	/**
	 * The consumer joined its group as `memberId` and took its new assignment: this member's fetches are
	 * watched from now on; partitions it owns have a series, those given away none. While closing none:
	 * a join then (a restart kafkajs began before close) would leave series after the close.
	 */
	joined(memberId: string, closing: boolean): void {
		this.watch.joined(memberId, closing);
		if (closing) return this.removeAll();
		const owned = new Set<string>();
		for (const state of this.ctx.assignment.all()) {
			owned.add(key(state.topic, state.partition));
			if (!this.series.has(key(state.topic, state.partition))) this.show(state.topic, state.partition, undefined);
		}
		for (const [at, series] of this.series) {
			if (owned.has(at)) continue;
			metrics.kafkaCorruptBatchHeld.remove(series.labels);
			this.series.delete(at);
		}
	}

	/** The consumer closed: its fetches are no longer watched, its series are removed. */
	end(): void {
		this.watch.end();
		this.removeAll();
	}

	private show(topic: string, partition: number, heldAt: bigint | undefined): void {
		const labels = { workflow: this.ctx.options.labels.workflow, group: this.ctx.options.groupId, topic, partition: String(partition) };
		this.series.set(key(topic, partition), { labels, heldAt });
		metrics.kafkaCorruptBatchHeld.set(labels, heldAt === undefined ? 0 : 1);
	}

	private removeAll(): void {
		for (const series of this.series.values()) metrics.kafkaCorruptBatchHeld.remove(series.labels);
		this.series.clear();
	}
}

function key(topic: string, partition: number): string {
	return `${topic}\u0000${partition}`;
}
