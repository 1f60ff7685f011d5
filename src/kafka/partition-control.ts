/**
 * What the sinker tells kafkajs about single partitions: where fetching continues (seek), which
 * partitions are fetched at all (pause/resume), and how both are re-applied after a group join.
 *
 * kafkajs 2.2.4 behaviour relied on (node_modules/kafkajs/src):
 * - consumerGroup.js fetch skips partitions that are paused or have a pending seek;
 * - consumerGroup.js joinAndSync emits GROUP_JOIN with the new assignment synchronously after
 *   SyncGroup, before the next fetch: the place to re-seat retained partitions and drop revoked ones.
 *   kafkajs has no revoke callback; REBALANCING is emitted but not awaited (consumer/index.js `on`).
 */
import type { Consumer } from 'kafkajs';

import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import type { SinkerConsumerOptions } from './consumer-options';
import { committedOffsetLabels } from './offset-committer';
import type { Assignment, PartitionState } from './partition-state';

export interface AssignmentChange {
	retained: PartitionState[];
	revoked: PartitionState[];
	added: PartitionState[];
	/** Back under a new member id, paused until the group's offset is read (returning-partitions.ts): not sought here. */
	returned: PartitionState[];
}

export class PartitionControl {
	/**
	 * Partitions paused in kafkajs, keyed by topic and partition as kafkajs keeps them, not by state
	 * object: a returning partition renewed (returning-partition-handlers.ts) was paused by the join under
	 * its old state and gets a new one; counted per object, the new state was "never paused", settling
	 * resumed nothing and the partition stayed paused for good with nothing in flight (broker restart
	 * with another member's commit in between: 800 and 1,000 of 2,000 rows, then no fetch for 120 s).
	 */
	private pausedNow = new Set<string>();

	constructor(
		private readonly consumer: Consumer,
		private readonly assignment: Assignment,
		private readonly options: SinkerConsumerOptions,
		private readonly logger: SinkerLogger,
	) {}

	/** False when kafkajs refuses (no consumer group right now); the caller decides whether to retry. */
	seek(state: PartitionState, offset: bigint): boolean {
		try {
			this.consumer.seek({ topic: state.topic, partition: state.partition, offset: offset.toString() });
			state.positionEpoch++;
			return true;
		} catch (error) {
			this.logger.warn('Kafka seek failed', { topic: state.topic, partition: state.partition, error: (error as Error).message });
			return false;
		}
	}

	/**
	 * Seats the partitions of a new assignment: `recentOffsets` (an editor test run's start points,
	 * keys `topic:partition`) for the added ones.
	 */
	reseat({ retained, revoked, added }: AssignmentChange, recentOffsets: Map<string, string> | undefined): void {
		for (const state of retained) {
			// The new generation's offset manager restarts from the committed offset; executions in
			// flight already cover [committed, nextOffset), so continue after them instead of twice.
			const next = state.tracker.nextOffset;
			// Still returning (a rejoin before the group's offset was read): it may yet be newly assigned and
			// start from the group's offset, which a seek past its executions would skip.
			if (!state.inBackoff && !state.returning && next !== undefined) this.seek(state, next);
		}
		for (const state of added) {
			const recent = recentOffsets?.get(`${state.topic}:${state.partition}`);
			if (recent !== undefined) this.seek(state, BigInt(recent));
		}
		for (const state of revoked) {
			metrics.kafkaCommittedOffset.remove(committedOffsetLabels(this.options, state));
			if (state.tracker.running > 0) {
				this.logger.info('Kafka partition given up with executions in flight; their offsets will not be committed by this consumer', {
					topic: state.topic,
					partition: state.partition,
					running: state.tracker.running,
				});
			}
		}
	}

	/**
	 * Pauses what must not be fetched (every partition when `pauseAll`, else those of a held topic, in
	 * redelivery backoff, whose start is being looked up or that are returning, and with Keep Order per
	 * Partition those with an execution in flight or fenced) and
	 * resumes the rest. `force` re-applies everything: a new generation forgets pauses.
	 */
	syncPaused(pauseAll: boolean, force = false): void {
		const ordered = this.options.keepPartitionOrder === true;
		const want = new Set<string>();
		for (const state of this.assignment.all()) {
			if (pauseAll || state.held || state.inBackoff || state.startPending || state.returning || (ordered && (state.tracker.running > 0 || state.fenced))) want.add(key(state));
		}
		const toPause = new Map<string, number[]>();
		const toResume = new Map<string, number[]>();
		for (const state of this.assignment.all()) {
			const wanted = want.has(key(state));
			const was = this.pausedNow.has(key(state));
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
}

function key(state: PartitionState): string {
	return `${state.topic}:${state.partition}`;
}

function push(map: Map<string, number[]>, state: PartitionState): void {
	const list = map.get(state.topic);
	if (list) list.push(state.partition);
	else map.set(state.topic, [state.partition]);
}
