/**
 * The sinker's commit loop: each owned partition is committed up to the longest prefix of
 * executions that finished successfully (its tracker's committableOffset), never further.
 *
 * kafkajs 2.2.4 behaviour relied on (node_modules/kafkajs/src): with autoCommit false
 * (runner.autoCommitOffsets) kafkajs never commits, so every commit is ours; runner.js commitOffsets
 * returns without committing when the runner is not running, so a commit is only believed when the
 * COMMIT_OFFSETS instrumentation event confirms it (confirm below) and is retried until then.
 */
import type { Consumer } from 'kafkajs';

import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import type { SinkerConsumerOptions, SinkerStats } from './consumer-options';
import type { Assignment, PartitionState } from './partition-state';

/** Labels of the committed-offset gauge; removed again when the partition is given up. */
export function committedOffsetLabels(options: SinkerConsumerOptions, state: PartitionState) {
	return { workflow: options.labels.workflow, group: options.groupId, topic: state.topic, partition: String(state.partition) };
}

export class OffsetCommitter {
	private wanted = false;
	private committing: Promise<void> | undefined;
	private retry: NodeJS.Timeout | undefined;

	constructor(
		private readonly consumer: Consumer,
		private readonly assignment: Assignment,
		private readonly options: SinkerConsumerOptions,
		private readonly logger: SinkerLogger,
		private readonly stats: SinkerStats,
		private readonly isClosing: () => boolean,
	) {}

	/** Asks for a commit round; requests made while one runs fold into the next round. */
	request(): void {
		// An editor test run must leave the group's position where the real workflow will find it.
		if (this.options.manual) return;
		this.wanted = true;
		if (!this.committing) this.committing = this.loop().finally(() => (this.committing = undefined));
	}

	private async loop(): Promise<void> {
		while (this.wanted) {
			this.wanted = false;
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
			if (unconfirmed && !this.isClosing() && !this.retry) {
				this.retry = setTimeout(() => {
					this.retry = undefined;
					this.request();
				}, 1000);
			}
			if (unconfirmed) return;
		}
	}

	/** The broker accepted a commit (kafkajs COMMIT_OFFSETS event). */
	confirm(topic: string, partition: number, offset: string): void {
		const state = this.assignment.get(topic, partition);
		if (!state) return;
		const value = BigInt(offset);
		if (state.committed === undefined || value > state.committed) state.committed = value;
		this.stats.commits++;
		metrics.kafkaCommittedOffset.set(committedOffsetLabels(this.options, state), Number(value));
		this.options.observer?.onCommit?.(topic, partition, offset);
	}

	/** Commits what finished and waits for the confirmation, a few rounds at most (rebalance, close). */
	async flush(attempts = 3): Promise<void> {
		for (let i = 0; i < attempts; i++) {
			this.request();
			await this.committing;
			const pending = [...this.assignment.all()].some((s) => {
				const c = s.tracker.committableOffset;
				return c !== undefined && (s.committed === undefined || s.committed < c);
			});
			if (!pending) return;
			await new Promise((resolve) => setTimeout(resolve, 300));
		}
	}

	/** Drops a pending retry; used by close, after which no retry is scheduled any more. */
	cancelRetry(): void {
		clearTimeout(this.retry);
	}
}
