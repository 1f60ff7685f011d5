/**
 * A SinkerConsumer whose group-join handling tests drive without a broker: begin() would connect, so the
 * parts it would build are set here around a fake kafkajs consumer and admin. Shared by the returning
 * partition tests (returning-renew-seek, returning-renew-resume); its options also serve consumer-options.test.ts.
 */
import type { Admin, Consumer } from 'kafkajs';

import { SINKER_DEFAULTS, type RunExecution, type SinkerConsumerOptions, type SinkerStats } from '../../../src/kafka/consumer-options';
import { OffsetCommitter } from '../../../src/kafka/offset-committer';
import { PartitionControl } from '../../../src/kafka/partition-control';
import type { Assignment } from '../../../src/kafka/partition-state';
import { SinkerConsumer } from '../../../src/kafka/sinker-consumer';

/** The parts of SinkerConsumer these tests set and drive. */
export interface SinkerInternals {
	consumer: Consumer;
	partitions: PartitionControl;
	committer: OffsetCommitter;
	emitter: { manualDone: boolean };
	stallWatch: { stop(): void };
	admin: Admin;
	assignment: Assignment;
	inFlight: number;
	onGroupJoin(assignment: Record<string, number[]>, memberId: string): void;
}

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** The defaults' options for a consumer of topic `t` in group `g` (no broker is asked), with `overrides`. */
export function testConsumerOptions(overrides: Partial<SinkerConsumerOptions> = {}): SinkerConsumerOptions {
	return {
		...SINKER_DEFAULTS,
		redeliveryBackoff: { ...SINKER_DEFAULTS.redeliveryBackoff },
		connection: { brokers: ['127.0.0.1:9092'], clientId: 'x' },
		groupId: 'g',
		topics: { names: ['t'] },
		parser: { format: 'json', includeMetadata: false, tombstones: 'skip' },
		labels: { workflow: 'w', node: 'n' },
		...overrides,
	};
}

/** A consumer of topic `t` in group `g`, every execution succeeding, wired to `kafkajs` and `admin`; `overrides` as in testConsumerOptions. */
export function sinkerWithoutBroker(kafkajs: Consumer, admin: Partial<Admin>, overrides: Partial<SinkerConsumerOptions> = {}): SinkerInternals {
	const options = testConsumerOptions({ logger: quiet, ...overrides });
	const Construct = SinkerConsumer as unknown as new (options: SinkerConsumerOptions, run: RunExecution) => SinkerConsumer;
	const sinker = new Construct(options, async () => ({ ok: true })) as unknown as SinkerInternals;
	sinker.consumer = kafkajs;
	sinker.partitions = new PartitionControl(kafkajs, sinker.assignment, options, quiet);
	sinker.committer = committerWithoutBroker(kafkajs, sinker.assignment, options);
	// begin() starts it; close() stops it.
	sinker.stallWatch = { stop: () => {} };
	sinker.emitter = { manualDone: false };
	sinker.admin = admin as Admin;
	return sinker;
}

/** An OffsetCommitter of group `g` over a fake kafkajs consumer and `assignment`; `overrides` as in testConsumerOptions. */
export function committerWithoutBroker(kafkajs: Consumer, assignment: Assignment, overrides: Partial<SinkerConsumerOptions> = {}): OffsetCommitter {
	return new OffsetCommitter(kafkajs, assignment, testConsumerOptions({ logger: quiet, ...overrides }), quiet, { commits: 0 } as SinkerStats, () => false);
}
