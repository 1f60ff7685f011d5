/**
 * Which topics a running subscription consumes, and what changed since: the pure part of the topic
 * following (following-consumer.ts). kafkajs 2.2.4 never forgets a topic its consumer subscribed and
 * fails every metadata refresh over one the broker no longer knows (UNKNOWN_TOPIC_OR_PARTITION), so a
 * deleted topic must be left out of the next consumer's subscription; a listed topic created again
 * must be put back in it, or the trigger would consume it again only after the user reactivated.
 */
import type { TopicSubscription } from './consumer-options';

/** What the cluster's topics mean for a subscription that consumes `known`. */
export interface TopicChange {
	/** The subscription's topics that exist now: what the consumer subscribes to after a restart. */
	now: Set<string>;
	/** In `now`, not consumed yet: a new matching topic, or a listed topic created again. */
	added: string[];
	/** Consumed, gone from the cluster. */
	deleted: string[];
	/** Listed topics that do not exist (a pattern has none). */
	missing: string[];
}

/** The topics a subscription names among `clusterTopics` (internal `__` topics excluded, for a pattern). */
export function subscribedTopics(subscription: TopicSubscription, clusterTopics: Iterable<string>): Set<string> {
	const present = new Set(clusterTopics);
	if ('names' in subscription) return new Set(subscription.names.filter((name) => present.has(name)));
	return new Set([...present].filter((t) => !t.startsWith('__') && subscription.pattern.test(t)));
}

/**
 * `followNew` off (a pattern's New Topics Check at 0: "only the topics present at activation") leaves
 * a new matching topic out of `added`, so it alone does not restart the consumer; a restart for a
 * deletion subscribes the pattern again, and kafkajs then resolves it over every matching topic, so
 * `now` keeps them all. A listed topic created again always counts: the list names it.
 */
export function topicChange(subscription: TopicSubscription, known: ReadonlySet<string>, clusterTopics: Iterable<string>, followNew: boolean): TopicChange {
	const now = subscribedTopics(subscription, clusterTopics);
	const listed = 'names' in subscription;
	return {
		now,
		added: listed || followNew ? [...now].filter((t) => !known.has(t)) : [],
		deleted: [...known].filter((t) => !now.has(t)),
		missing: listed ? subscription.names.filter((name) => !now.has(name)) : [],
	};
}

/**
 * The error kafkajs fails a metadata refresh or an offset commit with when the broker does not know a
 * topic (KafkaJSProtocolError type UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this
 * topic-partition"), also wrapped as the cause of a KafkaJSNumberOfRetriesExceeded.
 */
export function isUnknownTopicError(error: unknown): boolean {
	for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
		if ((e as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
	}
	return false;
}

/** `a`, `a and b`, `a, b and c`, each quoted: topic names in a log line or an error. */
export function topicNames(topics: readonly string[]): string {
	const quoted = topics.map((t) => `"${t}"`);
	return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
