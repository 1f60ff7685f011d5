/**
 * What the sinker consumer does when kafkajs crashes its consumer (kafkajs 2.2.4 consumer/index.js
 * onCrash, the CRASH event): nothing while closing; a deleted subscribed topic told (kafkajs crashes over
 * it at every restart, following-consumer.ts); before the first join, a crash kafkajs will not restart
 * fails the activation (a restarted one leaves the join waiter waiting, bounded, group-join.ts); after it,
 * a restarted crash feeds the stall watch (consumer-stall-watch.ts) and one that is not restarted is
 * fatal, handed to n8n. Kept out of sinker-consumer.ts, which registers it.
 */
import { explainKafkaError, type SinkerLogger } from './client';
import type { SinkerConsumerOptions } from './consumer-options';
import type { JoinWaiter } from './group-join';
import { isUnknownTopicError } from './topic-changes';

/** The consumer's parts a crash reaches. */
export interface CrashContext {
	readonly options: Pick<SinkerConsumerOptions, 'groupId' | 'connection' | 'onUnknownTopic' | 'onFatalError'>;
	readonly logger: SinkerLogger;
	isClosing(): boolean;
	/** The first join is done: the consumer is active. */
	isStarted(): boolean;
	/** The wait for the first join, while activation waits on it. */
	join(): Pick<JoinWaiter, 'fail'> | undefined;
	/** A crash kafkajs restarts the consumer from, explained (the stall watch counts it). */
	restarting(error: Error): void;
}

/** kafkajs' CRASH event payload, as far as it is read here. */
export interface ConsumerCrash {
	error: Error;
	restart: boolean;
}

export function onConsumerCrash({ error, restart }: ConsumerCrash, ctx: CrashContext): void {
	const { options, logger } = ctx;
	if (ctx.isClosing()) return;
	// A subscribed topic deleted: kafkajs crashes over it at every restart (following-consumer.ts).
	if (isUnknownTopicError(error)) options.onUnknownTopic?.();
	// Before the first join a retriable crash is restarted by kafkajs and the join waiter keeps
	// waiting (bounded); a non-retriable one (authorisation, bad config) fails activation.
	if (!ctx.isStarted()) {
		if (!restart) ctx.join()?.fail(error);
		return;
	}
	if (restart) {
		logger.warn('Kafka consumer crashed; kafkajs restarts it', { error: error.message, groupId: options.groupId });
		ctx.restarting(explainKafkaError(error, options.connection));
	} else {
		logger.error('Kafka consumer crashed and will not restart', { error: error.message, groupId: options.groupId });
		options.onFatalError?.(explainKafkaError(error, options.connection));
	}
}
