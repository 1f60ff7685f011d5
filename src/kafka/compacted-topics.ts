/**
 * Compacted topics, where Tombstones "Skip" can lose a delete that a Debezium stream makes. Debezium
 * writes a delete as a delete event and then a tombstone with the same key; the Doris Schema node
 * deletes by the event, and the trigger skips the tombstone. The event is an `op: d` envelope (Debezium
 * Envelopes on), or a record flattened by ExtractNewRecordState with `__deleted: "true"` (Envelopes off,
 * with `delete.tombstone.handling.mode=rewrite-with-tombstone`, or 1.x/2.x `delete.handling.mode=rewrite`
 * and `drop.tombstones=false`: src/common/event-deletes.ts). On a topic whose `cleanup.policy` holds
 * `compact` (Debezium's topic-creation examples set it), Kafka's log cleaner keeps only the latest
 * message of each key in a cleaned segment: the tombstone, for `delete.retention.ms` (24 h by default),
 * not the event before it. A consumer behind the cleaner (Doris down, the workflow inactive, a backlog)
 * then reads the tombstone alone, skips it, commits its offset, and the row stays in Doris for good
 * (review session 18, F1; shown on the real broker; the flattened form: review session 20, F4).
 * With Tombstones "Delete the Row of Its Key" the tombstone deletes the row itself, which after its
 * event changes nothing.
 *
 * So where the tombstones are skipped and rows deleted by Debezium's delete events, the trigger does not read
 * a compacted topic: activation is refused naming it, and a topic found later by a pattern is left
 * out with a warning (its messages stay unread and uncommitted until the setting changes). A subscribed
 * topic whose cleanup.policy is changed to compact while the workflow runs is held, its partitions
 * paused, until the user releases it, across activations (compacted-topic-hold.ts, compacted-hold-mark.ts).
 */
import { ConfigResourceTypes, type Admin, type DescribeConfigResponse } from 'kafkajs';

import { isUnknownTopicError } from './topic-changes';

/** What to do, for the refusal and the warning. */
export const COMPACTED_TOPICS_FIX =
	'set the Kafka Trigger\'s Tombstones to "Delete the Row of Its Key", which on a compacted topic is what Kafka\'s tombstones mean (after its delete event the tombstone deletes nothing more; on a table with a sequence column Doris ignores a delete without its value, so there each tombstone goes to Invalid naming its key instead, for a delete by hand; a tombstone has no Debezium source block, so the Doris Schema node must take tables from the topic: Table From "Kafka Topic" or a Topic → Table Map, Database From not "Debezium Source", which activation refuses with it), or read a topic whose cleanup.policy is delete. ' +
	'A Doris Schema node with Debezium Envelopes off whose table keeps "__deleted" as a column of its own (soft deletes, no delete) says so with a Field Mapping from the field "__deleted" to that column';

/** The two forms of a Debezium delete event that a Doris Schema node deletes by, for the messages. */
export const DELETE_EVENT_FORMS =
	'an op d event (Debezium Envelopes on) or a record flattened by ExtractNewRecordState with __deleted "true" (Envelopes off, behind Keep Order per Partition; rewrite-with-tombstone, or delete.handling.mode=rewrite with drop.tombstones=false, writes a tombstone after it)';

/** Why `topics` are not read: the setting and what the log cleaner does, without the fix. */
export function compactedTopicsReason(topics: readonly string[]): string {
	const [is, its] = topics.length === 1 ? ['is', 'its'] : ['are', 'their'];
	return (
		`Kafka topic${topics.length === 1 ? '' : 's'} ${topics.join(', ')} ${is} compacted (cleanup.policy compact), and Tombstones is "Skip" while a Doris Schema node deletes rows by Debezium's delete events, ${DELETE_EVENT_FORMS}: ` +
		`Kafka's log cleaner removes such an event and keeps only ${its} tombstone, which Skip drops, so a row deleted at the source would stay in Doris`
	);
}

export function compactedTopicsMessage(topics: readonly string[]): string {
	return `${compactedTopicsReason(topics)}. To fix it, ${COMPACTED_TOPICS_FIX}`;
}

/** Whether a cleanup.policy value (a list: "compact,delete") compacts. */
export function compacts(cleanupPolicy: string | undefined): boolean {
	return (cleanupPolicy ?? '').split(',').some((policy) => policy.trim().toLowerCase() === 'compact');
}

/**
 * What the brokers said of each topic's cleanup.policy: the compacted ones, the ones they could not tell
 * (with their error), and the ones they do not know (deleted meanwhile).
 */
export interface CleanupPolicies {
	compacted: string[];
	unreadable: Map<string, string>;
	missing: string[];
}

/**
 * The cleanup.policy of each of `topics`, read from the brokers (DescribeConfigs), topic by topic: one
 * topic the credential may not describe, or deleted meanwhile, is unreadable (or missing) alone. kafkajs
 * 2.2.4 fails the whole request over one resource's error (protocol/requests/describeConfigs/v0/response.js
 * parse), so then each topic is asked alone. Throws when the brokers cannot be asked at all (down,
 * unreachable: an error that is no broker's answer).
 */
export async function cleanupPolicies(admin: Pick<Admin, 'describeConfigs'>, topics: readonly string[]): Promise<CleanupPolicies> {
	const found: CleanupPolicies = { compacted: [], unreadable: new Map(), missing: [] };
	if (topics.length === 0) return found;
	/** The topics whose policy the brokers told. */
	const told = new Set<string>();
	const take = (answer: DescribeConfigResponse) => {
		for (const resource of answer.resources) {
			// Never with kafkajs 2.2.4 (it throws instead, above); kept for a client that answers per resource.
			if (resource.errorCode !== 0) {
				found.unreadable.set(resource.resourceName, resource.errorMessage ?? `error code ${resource.errorCode}`);
				continue;
			}
			told.add(resource.resourceName);
			const policy = resource.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue;
			if (compacts(policy)) found.compacted.push(resource.resourceName);
		}
	};
	try {
		take(await describePolicies(admin, topics));
	} catch (error) {
		if (!isBrokerAnswer(error)) throw error;
		for (const topic of topics) {
			try {
				take(await describePolicies(admin, [topic]));
			} catch (alone) {
				if (!isBrokerAnswer(alone)) throw alone;
				if (isUnknownTopicError(alone)) found.missing.push(topic);
				else found.unreadable.set(topic, (alone as Error).message);
			}
		}
	}
	// A topic the answer leaves out was not told about: as unreadable as one answered with an error.
	for (const topic of topics) {
		if (!told.has(topic) && !found.unreadable.has(topic) && !found.missing.includes(topic)) found.unreadable.set(topic, 'the brokers did not answer for it');
	}
	return found;
}

function describePolicies(admin: Pick<Admin, 'describeConfigs'>, topics: readonly string[]): Promise<DescribeConfigResponse> {
	return admin.describeConfigs({
		includeSynonyms: false,
		resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy'] })),
	});
}

/** An error the brokers answered (a KafkaJSProtocolError: no permission, unknown topic), not a failure to ask them. */
function isBrokerAnswer(error: unknown): boolean {
	return typeof (error as { type?: unknown } | null)?.type === 'string';
}

/**
 * The compacted ones of `topics`, read from the brokers (DescribeConfigs). Throws when they cannot be
 * asked (no DescribeConfigs permission on a topic, the brokers down): the caller decides.
 */
export async function compactedTopics(admin: Pick<Admin, 'describeConfigs'>, topics: readonly string[]): Promise<string[]> {
	const { compacted, unreadable, missing } = await cleanupPolicies(admin, topics);
	for (const topic of missing) unreadable.set(topic, 'This server does not host this topic-partition');
	const [first] = unreadable;
	if (first) throw new Error(`Kafka: could not read the cleanup.policy of topic ${first[0]}: ${first[1]}`);
	return compacted;
}
