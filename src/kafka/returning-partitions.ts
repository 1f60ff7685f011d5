/**
 * Partitions that come back to this process after kafkajs restarted its consumer. kafkajs 2.2.4
 * restarts a consumer after a retriable crash under a new member id (consumer/index.js onCrash: the
 * runner leaves the group, and a new ConsumerGroup joins it anew). A clean broker shutdown causes such
 * a crash: it moves the group coordinator away, commits are answered NOT_COORDINATOR, and what loaded
 * after that could not be committed. Taken as newly assigned, the partition started again from the
 * group's committed offset, and everything loaded since, plus the executions still in flight, was
 * delivered and loaded again (600-2,200 of 4,000-5,000 messages in test/reliability/broker-restart.test.ts;
 * a DUPLICATE KEY table held those rows twice).
 *
 * A new member id only says that the group may have given the partition to another consumer between
 * the two joins, not that it did. The group's committed offset tells: it is read once the new member
 * has joined, and when it is exactly what this process last saw confirmed (offset and metadata), no
 * other consumer committed the partition since. The partition then keeps its state: its executions
 * in flight keep their outcome, what finished is committed, failed ranges are delivered again, and
 * fetching goes on after the executions tracked. Otherwise (another consumer committed, the offset
 * cannot be read) it is newly assigned, as before: it starts from the committed offset, and Keep
 * Order per Partition fences it.
 *
 * Why that is safe:
 * - the answer cannot change before this consumer commits: the new member holds the partition in the
 *   group's current generation, and the broker refuses commits of older generations
 *   (ILLEGAL_GENERATION), so no other member can commit it meanwhile;
 * - another consumer that held the partition between the joins and loaded nothing committed nothing;
 *   with Keep Order per Partition it marked the partition HELD in a commit before its first
 *   execution (partition-fence.ts), which changes the metadata, so the partition is newly assigned and
 *   fenced; without it, its executions in flight load what this process loaded too (as they would
 *   have anyway) and their commits are refused (older generation);
 * - this process commits only up to executions that finished successfully (commit-tracker.ts), from
 *   the offset the group holds upwards, never below it (offset-committer.ts);
 * - until the answer is in, the partition is paused and nothing of it is committed or delivered again.
 *
 * A commit whose answer was lost (the broker took it, kafkajs saw an error) leaves the group's offset
 * above what this process saw confirmed: the partition is then newly assigned (safe, as before).
 */
import type { Admin } from 'kafkajs';

import type { SinkerLogger } from './client';
import type { PartitionState } from './partition-state';

/** What the group holds for a partition: its committed offset (undefined: none) and that commit's metadata. */
export interface GroupOffset {
	offset: bigint | undefined;
	metadata: string | null;
}

/** The group's committed offset of each state's partition (admin.fetchOffsets). */
export async function groupOffsets(admin: Admin, groupId: string, states: readonly PartitionState[]): Promise<Map<PartitionState, GroupOffset>> {
	const topics = [...new Set(states.map((s) => s.topic))];
	const answer = await admin.fetchOffsets({ groupId, topics });
	const found = new Map<string, GroupOffset>();
	for (const { topic, partitions } of answer) {
		for (const { partition, offset, metadata } of partitions) {
			// kafkajs answers "-1" for a partition the group has no offset for.
			const value = /^\d+$/.test(offset) ? BigInt(offset) : undefined;
			found.set(`${topic}:${partition}`, { offset: value, metadata: metadata ?? null });
		}
	}
	const out = new Map<PartitionState, GroupOffset>();
	for (const state of states) {
		const entry = found.get(`${state.topic}:${state.partition}`);
		if (entry) out.set(state, entry);
	}
	return out;
}

/**
 * Whether the group's offset is exactly where this process left the partition: the offset and the
 * metadata of its last confirmed commit (none and none included). Kafka stores a commit without
 * metadata as an empty string.
 */
export function leftAsItWas(state: Pick<PartitionState, 'committed' | 'committedMetadata'>, found: GroupOffset | undefined): boolean {
	if (found === undefined) return false;
	return found.offset === state.committed && (found.metadata ?? '') === (state.committedMetadata ?? '');
}

/** How long the group's offsets are waited for; without an answer the partitions are newly assigned. */
export const RETURN_CHECK_BOUND_MS = 15_000;

export interface ReturnHandlers {
	/** The group's offsets of these partitions (groupOffsets, through the consumer's admin client). */
	lookup(states: readonly PartitionState[]): Promise<Map<PartitionState, GroupOffset>>;
	/** Nobody else moved it: go on with the tracked executions (fetch after them, commit what finished). */
	keep(state: PartitionState): void;
	/** It may have moved: newly assigned after all. */
	renew(state: PartitionState): void;
	isClosing(): boolean;
	/** Called once every partition of a check is decided: resume and commit what may be. */
	settled(): void;
}

/** Decides the partitions of each join that came back `returning` (Assignment.replace). */
export class ReturningPartitions {
	constructor(
		private readonly logger: Pick<SinkerLogger, 'info'>,
		private readonly handlers: ReturnHandlers,
		private readonly boundMs = RETURN_CHECK_BOUND_MS,
	) {}

	onReturn(states: readonly PartitionState[]): Promise<void> {
		if (states.length === 0) return Promise.resolve();
		const checks = new Map(states.map((state) => [state, state.returnCheck]));
		return this.lookup(states).then((found) => {
			if (this.handlers.isClosing()) return;
			for (const [state, check] of checks) {
				// Given up or returning again (another join) since: that join decides.
				if (state.revoked || !state.returning || state.returnCheck !== check) continue;
				const offset = found?.get(state);
				const where = { topic: state.topic, partition: state.partition, left: state.committed?.toString() ?? 'none' };
				if (leftAsItWas(state, offset)) {
					state.returning = false;
					this.handlers.keep(state);
					this.logger.info(
						`Kafka partition ${state.topic}[${state.partition}] came back to this process after kafkajs restarted the consumer, with the group's offset where it left it: its ${state.tracker.running} executions in flight keep their outcome, fetching goes on at offset ${state.tracker.nextOffset}`,
						where,
					);
				} else {
					this.handlers.renew(state);
					const group = found === undefined ? 'could not be read' : `is ${offset?.offset ?? 'none'}`;
					this.logger.info(
						`Kafka partition ${state.topic}[${state.partition}] came back after kafkajs restarted the consumer, but the group's offset ${group}, not where this process left it: starting again from the group's offset`,
						where,
					);
				}
			}
			this.handlers.settled();
		});
	}

	/** The group's offsets, or undefined when they cannot be read within the bound. */
	private async lookup(states: readonly PartitionState[]): Promise<Map<PartitionState, GroupOffset> | undefined> {
		let timer: NodeJS.Timeout | undefined;
		const bound = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.boundMs)));
		try {
			return await Promise.race([this.handlers.lookup(states).catch(() => undefined), bound]);
		} finally {
			clearTimeout(timer);
		}
	}
}
