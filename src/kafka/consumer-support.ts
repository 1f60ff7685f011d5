/**
 * Small pieces the sinker consumer needs around kafkajs: waiting for the first group join, telling a
 * rebalance from other errors, and the start offsets of an editor test run.
 */
import type { Admin } from 'kafkajs';

import type { TopicSubscription } from './consumer-options';

export interface JoinWaiter {
	promise: Promise<void>;
	done(): void;
	fail(error: Error): void;
}

export const kafkaEvent = {
	/**
	 * consumer.run() resolves even when the first join fails: runner.js start() hands the error to
	 * onCrash, which emits CRASH. So activation waits for GROUP_JOIN (done) or CRASH (fail), bounded
	 * because a JoinGroup never legitimately takes longer than the rebalance timeout.
	 */
	joinWaiter(boundMs: number, groupId: string): JoinWaiter {
		let settle!: (error?: Error) => void;
		const promise = new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => settle(new Error(`Kafka consumer group "${groupId}" was not joined within ${boundMs} ms`)), boundMs);
			let settled = false;
			settle = (error?: Error) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				if (error) reject(error);
				else resolve();
			};
		});
		// The waiter may be failed before anyone awaits it (a crash inside consumer.run()).
		promise.catch(() => {});
		return { promise, done: () => settle(), fail: (error) => settle(error) };
	},
};

/** kafkajs errors.js isRebalancing, minus the coordinator moves: only a rebalance is worth draining for. */
export function isRebalanceInProgress(error: unknown): boolean {
	return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'REBALANCE_IN_PROGRESS';
}

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
