import type { Admin } from 'kafkajs';

import type { TopicSubscription } from './consumer-options';

/**
 * Where an editor test run starts each partition: `recent` messages before the end (never before
 * the earliest retained offset). A test event then arrives at once when the topic has data, and it
 * is recent data, the shape the workflow will see; an empty topic waits for the next message.
 * Keys are `topic:partition`.
 */
export async function findRecentOffsets(admin: Admin, topics: TopicSubscription, recent: number): Promise<Map<string, string>> {
	const names = 'names' in topics ? topics.names : (await admin.listTopics()).filter((name) => topics.pattern.test(name));
	const out = new Map<string, string>();
	for (const topic of names) {
		for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
			const start = BigInt(high) - BigInt(recent);
			out.set(`${topic}:${partition}`, (start > BigInt(low) ? start : BigInt(low)).toString());
		}
	}
	return out;
}
