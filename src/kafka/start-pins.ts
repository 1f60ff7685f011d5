/**
 * The consumer's first assignment seats the partitions pinned before it joined (start-positions.ts)
 * at their pins, and commits them there; later assignments have no pins. Only a partition the group
 * still has no offset for: the pins were read before joining, and another consumer of the group may
 * have started the partition since (instances activating a new group together). Its commit then
 * wins; seeking to the pin would hand over again what it loaded, or skip what it had not. A pinned
 * partition stays paused (`startPending`) until that is known.
 */
import type { Admin } from 'kafkajs';

import type { SinkerLogger } from './client';
import type { PartitionState } from './partition-state';
import { uncommittedPartitions } from './start-positions';

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
	private pins: Map<string, bigint> | undefined;
	private seating: Promise<void> | undefined;

	constructor(
		pins: Map<string, bigint>,
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

	private async seat(states: PartitionState[], pins: Map<string, bigint>): Promise<void> {
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
		for (const state of states) {
			state.startPending = false;
			const key = `${state.topic}:${state.partition}`;
			const pin = pins.get(key) as bigint;
			if (state.revoked || (uncommitted !== undefined && !uncommitted.has(key))) continue;
			if (this.consumer.seek(state, pin)) state.pinnedStart = pin;
		}
		this.consumer.seated();
	}
}
