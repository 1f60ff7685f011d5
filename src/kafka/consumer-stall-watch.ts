/**
 * The sinker consumer's stall watch (stall-watch.ts): which settings make one, where its reports and
 * recoveries go, and which of kafkajs' events count as an answer of the group coordinator. Kept apart
 * from the watch itself (a clock and a threshold, nothing of kafkajs) and from sinker-consumer.ts (its
 * offsets and assignments), so that what counts as contact is listed in one place: an event left out
 * makes a live member look cut off once the threshold passes (a false report to n8n), and an event
 * counted that is no answer of the coordinator hides a real stall.
 */
import type { Consumer } from 'kafkajs';

import type { SinkerLogger } from './client';
import { SINKER_DEFAULTS, type SinkerConsumerOptions } from './consumer-options';
import { StallWatch } from './stall-watch';

/** What of the consumer's options the watch reads. */
export type StallWatchSettings = Pick<SinkerConsumerOptions, 'stallReportMs' | 'manual' | 'groupId' | 'onStall'> & { connection: { brokers: readonly string[] } };

/**
 * The consumer's watch, started (none in an editor test run or with the setting at 0). kafkajs restarts
 * a consumer whose brokers went away without limit and says so only in its log: the watch reports a
 * silence of Report Stalled Consumer After once (n8n: a failed execution and the Error Workflow), and
 * logs the first answer afterwards. Offsets are untouched either way.
 */
export function watchForStalls(options: StallWatchSettings, logger: SinkerLogger): StallWatch | undefined {
	const thresholdMs = options.stallReportMs ?? SINKER_DEFAULTS.stallReportMs;
	if (options.manual || thresholdMs <= 0) return undefined;
	const { groupId, connection } = options;
	const watch = new StallWatch({
		thresholdMs,
		groupId,
		brokers: connection.brokers,
		onStall: (report) => {
			logger.error(report.message, { groupId, silentMs: report.silentMs, crashes: report.crashes });
			options.onStall?.(report);
		},
		onRecover: ({ silentMs }) => {
			logger.warn('Kafka consumer reached its group coordinator again after a reported stall; consumption goes on from the committed offsets', { groupId, silentMs });
		},
	});
	watch.start();
	return watch;
}

/**
 * One consumer's watch. Its contact events are registered on construction, before the consumer's own
 * handlers: kafkajs calls an event's listeners in turn and a listener that throws ends the turn, so an
 * answer still counts when a later handler fails. The watch itself starts once the group is joined
 * (start); until then, and without one, every call is a no-op.
 */
export class ConsumerStallWatch {
	private watch: StallWatch | undefined;

	constructor(
		consumer: Pick<Consumer, 'on' | 'events'>,
		private readonly settings: StallWatchSettings,
		private readonly logger: SinkerLogger,
	) {
		// The group coordinator's answers: what a member cut off from its group stops getting. A live member
		// sends a heartbeat every Heartbeat Interval, fetching, idle or paused.
		const contact = () => this.watch?.contact();
		consumer.on(consumer.events.HEARTBEAT, contact);
		consumer.on(consumer.events.GROUP_JOIN, contact);
		consumer.on(consumer.events.COMMIT_OFFSETS, contact);
	}

	/** After the first join: the consumer is active, a silence from now on is a stall. */
	start(): void {
		this.watch = watchForStalls(this.settings, this.logger);
	}

	/** A crash kafkajs restarts the consumer from, after the start and before close, explained. */
	crash(error: Error): void {
		this.watch?.crash(error);
	}

	stop(): void {
		this.watch?.stop();
	}
}
