/**
 * Compacted topics, where Tombstones "Skip" can lose a delete that a Debezium stream makes. Debezium
 * writes a delete as an `op: d` event and then a tombstone with the same key; the Doris Schema node
 * deletes by the event, and the trigger skips the tombstone without a warning. On a topic whose
 * `cleanup.policy` holds `compact` (Debezium's topic-creation examples set it), Kafka's log cleaner
 * keeps only the latest message of each key in a cleaned segment: the tombstone, for
 * `delete.retention.ms` (24 h by default), not the event before it. A consumer behind the cleaner
 * (Doris down, the workflow inactive, a backlog) then reads the tombstone alone, skips it, commits its
 * offset, and the row stays in Doris for good (review session 18, F1; shown on the real broker).
 * With Tombstones "Delete the Row of Its Key" the tombstone deletes the row itself, which after its
 * event changes nothing.
 *
 * So where the tombstones are skipped and rows deleted by Debezium events, the trigger does not read
 * a compacted topic: activation is refused naming it, and a topic found later by a pattern is left
 * out with a warning (its messages stay unread and uncommitted until the setting changes).
 */
import { ConfigResourceTypes, type Admin } from 'kafkajs';

/** What to do, for the refusal and the warning. */
export const COMPACTED_TOPICS_FIX =
	'set the Kafka Trigger\'s Tombstones to "Delete the Row of Its Key" (after its op d event the tombstone deletes nothing more), or read a topic whose cleanup.policy is delete';

export function compactedTopicsMessage(topics: readonly string[]): string {
	const [is, its] = topics.length === 1 ? ['is', 'its'] : ['are', 'their'];
	return (
		`Kafka topic${topics.length === 1 ? '' : 's'} ${topics.join(', ')} ${is} compacted (cleanup.policy compact), and Tombstones is "Skip" while a Doris Schema node deletes rows by Debezium's op d events: ` +
		`Kafka's log cleaner removes an op d event and keeps only ${its} tombstone, which Skip drops, so a row deleted at the source would stay in Doris. To fix it, ${COMPACTED_TOPICS_FIX}`
	);
}

/** Whether a cleanup.policy value (a list: "compact,delete") compacts. */
export function compacts(cleanupPolicy: string | undefined): boolean {
	return (cleanupPolicy ?? '').split(',').some((policy) => policy.trim().toLowerCase() === 'compact');
}

/**
 * The compacted ones of `topics`, read from the brokers (DescribeConfigs). Throws when they cannot be
 * asked (no DescribeConfigs permission on a topic, the brokers down): the caller decides.
 */
export async function compactedTopics(admin: Pick<Admin, 'describeConfigs'>, topics: readonly string[]): Promise<string[]> {
	if (topics.length === 0) return [];
	const answer = await admin.describeConfigs({
		includeSynonyms: false,
		resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy'] })),
	});
	const compacted: string[] = [];
	for (const resource of answer.resources) {
		if (resource.errorCode !== 0) throw new Error(`Kafka: could not read the cleanup.policy of topic ${resource.resourceName}: ${resource.errorMessage ?? `error code ${resource.errorCode}`}`);
		const policy = resource.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue;
		if (compacts(policy)) compacted.push(resource.resourceName);
	}
	return compacted;
}
