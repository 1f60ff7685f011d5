/**
 * Keep Order per Partition when partitions are added to a topic (`kafka-topics --alter --partitions`; review
 * session 20, F3). Kafka's default partitioner sends a key to murmur2(key) % partitions (Kafka
 * BuiltInPartitioner.partitionForKey, kafkajs DefaultPartitioner), so after the growth many keys' next changes go
 * to other partitions, often the new ones, while their older changes may still wait unread in the old ones (any
 * lag). kafkajs 2.2.4 rebalances on the change (consumer/consumerGroup.js KafkaJSStaleTopicMetadataAssignment) and
 * a partition the group has no offset for starts at its first message (start-positions.ts), in parallel with the
 * old backlog: an older update of a key loaded after a newer one, or an upsert after the delete that followed it
 * (the row came back), and nothing told of it.
 *
 * So, with Keep Order per Partition, a partition given to this consumer that the group has no committed offset for,
 * in a topic whose other partitions it has committed, is held (paused, nothing of it handed out:
 * PartitionState.growthHold) until every one of those is committed up to the end offset it had when the hold
 * began (admin.fetchTopicOffsets, read once; the group's offsets then read every few seconds). A drained partition
 * reaches its end: transaction markers are committed past (execution-emitter.ts passFiltered). The decision is
 * taken from the group's offsets alone, read at each assignment by compacted-hold-lookup.ts, so any consumer of
 * the group that gets such a partition holds it the same, across rebalances and restarts; a partition released
 * starts, and its first commit (the HELD mark Keep Order commits before its first execution) ends the question.
 *
 * Held too, harmlessly: a partition of the topic that never had a message (nothing of it was ever committed) waits
 * for the others' backlog once. Not covered: a producer that still writes by the old partition count after the
 * targets were read (its metadata is up to metadata.max.age.ms old, 5 min by default), whose late writes to an old
 * partition are past its target; and a whole topic new to the group (nothing committed there: nothing to wait for).
 */
import type { Admin } from 'kafkajs';

import type { SinkerLogger } from './client';
import { groupHoldMarks } from './compacted-hold-mark';
import type { PartitionState } from './partition-state';

/** Between two reads of the group's offsets while a hold lasts. */
const POLL_MS = 3_000;
/** A hold lasting this long is told again, with where the old partitions are (never a silent stall). */
const REWARN_MS = 5 * 60_000;

export interface PartitionGrowthContext {
	admin(): Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'> | undefined;
	readonly groupId: string;
	readonly logger: Pick<SinkerLogger, 'warn' | 'info'>;
	isClosing(): boolean;
	/** Partitions were released: resume them (and commit). */
	released(): void;
	readonly pollMs?: number;
	readonly rewarnMs?: number;
}

/** One topic's partitions added, as decided from the group's committed offsets. */
export interface AddedPartitions {
	topic: string;
	added: PartitionState[];
	/** The topic's partitions the group has committed, with their committed offsets: what the added ones wait for. */
	old: Map<number, bigint>;
}

/**
 * Which of `states` are partitions added to a topic the group has consumed: no committed offset of their own,
 * some for other partitions of their topic. A partition pinned at its end (start-pins.ts: the group had no offset
 * at all) is not: what it skips is skipped by choice, and what comes later is newer than anything held.
 */
export function addedPartitions(states: readonly PartitionState[], committed: ReadonlyMap<string, { offset: bigint }>): AddedPartitions[] {
	const byTopic = new Map<string, AddedPartitions>();
	for (const state of states) {
		if (state.revoked || state.startPending || state.pinnedStart !== undefined || committed.has(`${state.topic}:${state.partition}`)) continue;
		const old = new Map<number, bigint>();
		for (const [key, { offset }] of committed) {
			const at = key.lastIndexOf(':');
			if (key.slice(0, at) === state.topic) old.set(Number(key.slice(at + 1)), offset);
		}
		if (old.size === 0) continue;
		const found = byTopic.get(state.topic);
		if (found) found.added.push(state);
		else byTopic.set(state.topic, { topic: state.topic, added: [state], old });
	}
	return [...byTopic.values()];
}

/** Old partitions not yet committed up to their targets: partition → committed offset (-1n: none read). */
export function behindTargets(targets: ReadonlyMap<number, bigint>, committed: ReadonlyMap<number, bigint>): Map<number, bigint> {
	const behind = new Map<number, bigint>();
	for (const [partition, target] of targets) {
		const offset = committed.get(partition) ?? -1n;
		if (offset < target) behind.set(partition, offset);
	}
	return behind;
}

interface Hold {
	topic: string;
	states: PartitionState[];
	/** Old partition → its end offset when the hold began; undefined until read. */
	targets: Map<number, bigint> | undefined;
	since: number;
	warnedAt: number;
	/** Where the old partitions were at the last warning: unchanged means they are not moving. */
	lastBehind: string;
	timer: NodeJS.Timeout | undefined;
	failed: boolean;
}

export class PartitionGrowthHold {
	private readonly holds = new Set<Hold>();

	constructor(private readonly ctx: PartitionGrowthContext) {}

	/**
	 * The group's committed offsets were read for an assignment (`live`: its partitions still this consumer's):
	 * the added partitions among them are held from now on, before they are resumed.
	 */
	onOffsets(live: readonly PartitionState[], committed: ReadonlyMap<string, { offset: bigint }>): void {
		for (const { topic, added, old } of addedPartitions(live, committed)) {
			for (const state of added) state.growthHold = true;
			const hold: Hold = { topic, states: added, targets: undefined, since: Date.now(), warnedAt: 0, lastBehind: '', timer: undefined, failed: false };
			this.holds.add(hold);
			void this.begin(hold, old);
		}
	}

	/** Stops the reads (close); held partitions stay paused. */
	end(): void {
		for (const hold of this.holds) clearTimeout(hold.timer);
		this.holds.clear();
	}

	private async begin(hold: Hold, old: ReadonlyMap<number, bigint>): Promise<void> {
		try {
			const admin = this.ctx.admin();
			if (!admin) throw new Error('no admin client');
			const ends = await admin.fetchTopicOffsets(hold.topic);
			hold.targets = new Map(ends.filter(({ partition }) => old.has(partition)).map(({ partition, high }) => [partition, BigInt(high)]));
			if (!this.holds.has(hold)) return;
			const behind = behindTargets(hold.targets, old);
			if (behind.size === 0) {
				this.release(hold, 'the partitions to wait for were already committed up to their ends');
				return;
			}
			this.warn(hold, behind, 'began');
		} catch (error) {
			this.failed(hold, error);
			if (this.holds.has(hold)) hold.timer = setTimeout(() => void this.begin(hold, old), this.ctx.pollMs ?? POLL_MS);
			return;
		}
		this.schedule(hold);
	}

	private schedule(hold: Hold): void {
		if (!this.holds.has(hold)) return;
		hold.timer = setTimeout(() => void this.poll(hold), this.ctx.pollMs ?? POLL_MS);
	}

	private async poll(hold: Hold): Promise<void> {
		hold.timer = undefined;
		hold.states = hold.states.filter((state) => !state.revoked);
		if (hold.states.length === 0 || this.ctx.isClosing()) {
			this.holds.delete(hold);
			return;
		}
		try {
			const admin = this.ctx.admin();
			if (!admin) throw new Error('no admin client');
			const { offsets } = await groupHoldMarks(admin, this.ctx.groupId, [hold.topic]);
			const committed = new Map<number, bigint>();
			for (const [partition] of hold.targets ?? []) {
				const found = offsets.get(`${hold.topic}:${partition}`);
				if (found) committed.set(partition, found.offset);
			}
			const behind = behindTargets(hold.targets ?? new Map(), committed);
			if (behind.size === 0) {
				this.release(hold, 'the partitions waited for are committed up to where they ended when the hold began');
				return;
			}
			if (Date.now() - hold.warnedAt >= (this.ctx.rewarnMs ?? REWARN_MS)) this.warn(hold, behind, 'lasts');
		} catch (error) {
			this.failed(hold, error);
		}
		this.schedule(hold);
	}

	private release(hold: Hold, why: string): void {
		this.holds.delete(hold);
		clearTimeout(hold.timer);
		const live = hold.states.filter((state) => !state.revoked);
		for (const state of live) state.growthHold = false;
		if (live.length === 0 || this.ctx.isClosing()) return;
		this.ctx.logger.info(`Kafka ${named(hold)} ${one(hold, 'starts', 'start')} now: ${why} (${targetsText(hold)}; held ${Math.round((Date.now() - hold.since) / 1000)} s)`, {
			groupId: this.ctx.groupId,
			topic: hold.topic,
			partitions: live.map((state) => state.partition),
		});
		this.ctx.released();
	}

	private warn(hold: Hold, behind: ReadonlyMap<number, bigint>, phase: 'began' | 'lasts'): void {
		const where = [...behind].map(([partition, offset]) => `${hold.topic}[${partition}] at ${offset < 0n ? 'no offset' : offset} of ${hold.targets?.get(partition)}`).join(', ');
		const fields = { groupId: this.ctx.groupId, topic: hold.topic, partitions: hold.states.map((state) => state.partition), waitingFor: Object.fromEntries([...behind].map(([p, o]) => [p, `${o}/${hold.targets?.get(p)}`])) };
		if (phase === 'began') {
			this.ctx.logger.warn(
				`Kafka ${named(hold)} ${one(hold, 'has', 'have')} no committed offset in group ${this.ctx.groupId} while other partitions of the topic have: partitions were added to ${hold.topic}. ` +
					`Kafka's default partitioner now sends many keys' changes to other partitions than before, while their older changes may still wait unread in the old ones, ` +
					`so with Keep Order per Partition ${one(hold, 'it is', 'they are')} held until those are committed up to where they end now (${where}): a key's older change never loads after its newer one`,
				fields,
			);
		} else {
			const stuck = hold.lastBehind === where;
			this.ctx.logger.warn(
				`Kafka ${named(hold)} ${one(hold, 'is', 'are')} still held after ${Math.round((Date.now() - hold.since) / 60_000)} min for the partitions added to ${hold.topic}, waiting for ${where}` +
					(stuck ? ': they have not moved since the last warning; is the consumer that owns them running, failing or held itself?' : ''),
				fields,
			);
		}
		hold.warnedAt = Date.now();
		hold.lastBehind = where;
	}

	/** A read failed: stay held (fail-closed), told once per hold. */
	private failed(hold: Hold, error: unknown): void {
		if (this.ctx.isClosing() || hold.failed) return;
		hold.failed = true;
		this.ctx.logger.warn(`Kafka ${named(hold)} (partitions added to its topic) ${one(hold, 'stays', 'stay')} held: could not read where the old partitions are (${(error as Error).message}); tried again every ${(this.ctx.pollMs ?? POLL_MS) / 1000} s`, {
			groupId: this.ctx.groupId,
			topic: hold.topic,
		});
	}
}

function named(hold: Hold): string {
	const list = hold.states.map((state) => `${hold.topic}[${state.partition}]`).join(', ');
	return hold.states.length === 1 ? `partition ${list}` : `partitions ${list}`;
}

/** The singular or plural form, as the hold names one partition or several. */
function one(hold: Hold, singular: string, plural: string): string {
	return hold.states.length === 1 ? singular : plural;
}

function targetsText(hold: Hold): string {
	return [...(hold.targets ?? [])].map(([partition, target]) => `${hold.topic}[${partition}] up to ${target}`).join(', ');
}
