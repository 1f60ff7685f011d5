/**
 * The consumer's first assignment seats the partitions pinned before it joined (start-positions.ts)
 * at their pins, and commits them there; later assignments have no pins. Only a partition the group
 * still has no offset for: the pins were read before joining, and another consumer of the group may
 * have started the partition since (instances activating a new group together). Its commit then
 * wins; seeking to the pin would hand over again what it loaded, or skip what it had not. A pinned
 * partition stays paused (`startPending`) until that is known.
 *
 * The messages the seated pins skip are named in one warning: the group, each topic and how many. A
 * group's first activation skips them by choice (Read From Beginning off), but a group that lost its
 * offsets (its only topic deleted and created again while the workflow was inactive, or its offsets
 * expired) looks the same to Kafka, and its messages would otherwise be skipped without a trace.
 */
import type { Admin } from 'kafkajs';

import type { SinkerLogger } from './client';
import type { PartitionState } from './partition-state';
import { uncommittedPartitions, type PinnedStart } from './start-positions';

/** What seating a pin needs from the consumer. */
export interface PinSeating {
	/** Moves the partition's position; false when it could not (no longer this consumer's). */
	seek(state: PartitionState, offset: bigint): boolean;
	isClosing(): boolean;
	/** The pins are seated: resume the partitions that waited and commit where they start. */
	seated(): void;
}

/** Looking up the group's offsets, tried this many times before the pins are taken as read. */
const LOOKUPS = 3;

export class StartPins {
	private pins: Map<string, PinnedStart> | undefined;
	private seating: Promise<void> | undefined;

	constructor(
		pins: Map<string, PinnedStart>,
		private readonly admin: Admin,
		private readonly groupId: string,
		private readonly consumer: PinSeating,
		private readonly logger: Pick<SinkerLogger, 'warn'>,
		private readonly backoffMs = 500,
	) {
		this.pins = pins;
	}

	/** Settles once the first assignment's pins are seated; at once when it had none. */
	get seated(): Promise<void> {
		return this.seating ?? Promise.resolve();
	}

	/** The partitions an assignment added: on the first one, the pinned among them wait to be seated. */
	onAssignment(added: readonly PartitionState[]): void {
		const pins = this.pins;
		this.pins = undefined;
		if (!pins) return;
		const pinned = added.filter((state) => pins.has(`${state.topic}:${state.partition}`));
		if (pinned.length === 0) return;
		for (const state of pinned) state.startPending = true;
		this.seating = this.seat(pinned, pins);
	}

	private async seat(states: PartitionState[], pins: Map<string, PinnedStart>): Promise<void> {
		let uncommitted: Set<string> | undefined;
		for (let attempt = 1; attempt <= LOOKUPS && uncommitted === undefined && !this.consumer.isClosing(); attempt++) {
			try {
				uncommitted = await uncommittedPartitions(this.admin, this.groupId, states);
			} catch (error) {
				// Given up, the pins hold as read: right unless another consumer started the group meanwhile.
				this.logger.warn(`Kafka: could not read the group's offsets to check where its partitions start (attempt ${attempt} of ${LOOKUPS})`, { error: (error as Error).message });
				await new Promise((resolve) => setTimeout(resolve, this.backoffMs * attempt));
			}
		}
		const skippedByTopic = new Map<string, bigint>();
		for (const state of states) {
			state.startPending = false;
			const key = `${state.topic}:${state.partition}`;
			const pin = pins.get(key) as PinnedStart;
			if (state.revoked || (uncommitted !== undefined && !uncommitted.has(key))) continue;
			if (!this.consumer.seek(state, pin.offset)) continue;
			state.pinnedStart = pin.offset;
			if (pin.skipped > 0n) skippedByTopic.set(state.topic, (skippedByTopic.get(state.topic) ?? 0n) + pin.skipped);
		}
		this.warnSkipped(skippedByTopic);
		this.consumer.seated();
	}

	private warnSkipped(skippedByTopic: Map<string, bigint>): void {
		if (skippedByTopic.size === 0) return;
		const topics = [...skippedByTopic].map(([topic, skipped]) => `${topic} (${skipped} messages)`).join(', ');
		this.logger.warn(
			`Kafka: Read From Beginning is off and group ${this.groupId} has no committed offsets, so these topics start at their end and the messages already in them are skipped: ${topics}. ` +
				'Right for a new group that is not to load the history; if the group consumed before (its only topic deleted and created again, or its offsets expired while the workflow was inactive), those messages are not loaded',
			{ groupId: this.groupId, skipped: Object.fromEntries([...skippedByTopic].map(([topic, skipped]) => [topic, String(skipped)])) },
		);
	}
}
