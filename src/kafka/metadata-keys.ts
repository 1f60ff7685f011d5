/**
 * Whether the trigger sends a topic's keys to the Schema Registry only for `_kafka.decodedKey`
 * (registry-messages.ts). A key looks like the registry's wire format by its first five bytes alone
 * (tombstone-keys.ts isRegistryKey), and so does a LongSerializer key of 2^32 or more (its bytes 1-4
 * read as a schema id): sent to the registry, each such key cost two or three lookups and a second's
 * wait for a schema id the registry never had (schema-registry-errors.ts MissingSchemaRecheck), for every
 * message of a topic keyed by random longs. So a topic's keys are decoded for metadata once one of them
 * has decoded: until then each batch's first such key is tried alone, and the batch's other keys are
 * decoded only when it decodes. A key counts as decoded only with a schema id registered under the
 * topic's key subject (key-subjects.ts): a LongSerializer key can also decode with another topic's key
 * schema, and one such key "proved" the topic, after which every key was sent and trusted. After
 * MAX_FAILED_TRIES tries failed with none decoded, the topic's keys are no longer tried. `_kafka.keyError`
 * says which, with the reason. Add Kafka Fields' key and Tombstones "Delete the Row of Its Key" need the
 * key itself and always decode it.
 */
import type { KafkaMessage } from 'kafkajs';

import type { LineSchemas } from './packed-lines';
import type { SchemaRegistryDecoder } from './schema-registry';
import { SchemaRegistryUnavailableError } from './schema-registry-errors';
import { isRegistryKey } from './tombstone-keys';

export const MAX_FAILED_TRIES = 5;

export class MetadataKeyBudget {
	private readonly proven = new Set<string>();
	private readonly failures = new Map<string, { count: number; last: string }>();

	/** Whether a key of the topic has decoded: its keys are decoded for metadata. */
	decodes(topic: string): boolean {
		return this.proven.has(topic);
	}

	/** Whether another key of the topic may be tried. */
	mayTry(topic: string): boolean {
		return (this.failures.get(topic)?.count ?? 0) < MAX_FAILED_TRIES;
	}

	/** Why the topic's keys are not decoded for metadata (after a failed try). */
	reason(topic: string): string {
		const seen = this.failures.get(topic);
		if (seen === undefined) return 'the message key was not decoded';
		const stopped = seen.count >= MAX_FAILED_TRIES ? `, so its keys are no longer sent to the Schema Registry (a LongSerializer key of 2^32 or more starts like the wire format)` : '';
		return `the message key was not decoded: no key of topic "${topic}" has decoded yet (${seen.count} tried, the last: ${seen.last})${stopped}`;
	}

	decoded(topic: string): void {
		this.proven.add(topic);
		this.failures.delete(topic);
	}

	failed(topic: string, reason: string): void {
		const seen = this.failures.get(topic);
		this.failures.set(topic, { count: (seen?.count ?? 0) + 1, last: reason });
	}
}

/**
 * For `_kafka` (and a packed run's key schema, registry-messages.ts) only, a topic's keys go to the registry
 * once one of them decoded with a key schema of its own: until then the chunk's first key in the wire
 * format is tried alone. A registry that cannot be asked holds the partition, as for a value.
 */
export async function tryMetadataKey(registry: SchemaRegistryDecoder, budget: MetadataKeyBudget, messages: KafkaMessage[], from: number, to: number, topic: string): Promise<void> {
	if (budget.decodes(topic) || !budget.mayTry(topic)) return;
	let key: Buffer | undefined;
	for (let i = from; i < to && key === undefined; i++) {
		const candidate = messages[i].key;
		if (messages[i].value !== null && candidate && isRegistryKey(candidate)) key = candidate;
	}
	if (key === undefined) return;
	let untrusted: string | undefined;
	try {
		await registry.decode(key);
		untrusted = await untrustedKeyReason(registry, topic, key);
	} catch (error) {
		if (error instanceof SchemaRegistryUnavailableError) throw error;
		untrusted = `schema id ${key.readInt32BE(1)}: ${error instanceof Error ? error.message : String(error)}`;
	}
	if (untrusted === undefined) budget.decoded(topic);
	else budget.failed(topic, untrusted);
}

/** Why a key decoded is not trusted for `_kafka.decodedKey`: its schema id is not the topic's key subject's (key-subjects.ts); undefined when it is. */
export async function untrustedKeyReason(registry: SchemaRegistryDecoder, topic: string, key: Buffer): Promise<string | undefined> {
	if (registry.keySubject === undefined) return undefined;
	const answer = await registry.keySubject(topic, key.readInt32BE(1));
	return answer.registered ? undefined : answer.reason;
}

/**
 * The schema ids of the chunk's keys whose Connect schema is known (a key of the id decoded) and which are
 * registered under the topic's key subject: only those give a packed run its `keySchema` (key-subjects.ts),
 * else a LongSerializer key decoded with another topic's key schema named the table's key columns.
 */
export async function trustedKeySchemaIds(registry: SchemaRegistryDecoder, messages: KafkaMessage[], from: number, to: number, topic: string): Promise<Set<number>> {
	const known = new Set<number>();
	for (let i = from; i < to; i++) {
		const key = messages[i].key;
		if (messages[i].value !== null && key && isRegistryKey(key) && registry.connectSchema?.(key) !== undefined) known.add(key.readInt32BE(1));
	}
	const trusted = new Set<number>();
	for (const id of known) if (registry.keySubject === undefined || (await registry.keySubject(topic, id)).registered) trusted.add(id);
	return trusted;
}

/**
 * The Connect schemas of a packed line's value and key (one object per schema id, schema-registry.ts
 * connectSchema): a map lookup each. A key's is known once a key of its schema id was decoded, and given
 * only when that id is one of the topic's key schemas (`trustedKeys`, key-subjects.ts).
 */
export function lineSchemas(registry: SchemaRegistryDecoder, message: KafkaMessage, trustedKeys: ReadonlySet<number>): LineSchemas {
	const key = message.key && isRegistryKey(message.key) && trustedKeys.has(message.key.readInt32BE(1)) ? registry.connectSchema?.(message.key) : undefined;
	return { value: message.value === null ? undefined : registry.connectSchema?.(message.value), key };
}
