/**
 * A pattern subscription that follows new topics. kafkajs resolves a RegExp subscription once, when
 * the consumer subscribes (consumer/index.js subscribe: `topicRegExp.test` over the cluster's topics
 * at that moment); a topic created later is never consumed. A change stream creates a topic for
 * every table that gets its first change (Debezium's `<prefix>.<database>.<table>`), so a whole-database
 * workflow must see them: this wrapper lists the topics every `intervalMs` and, when one matching the
 * pattern appeared, restarts the sinker consumer: close (what is buffered for the executions in flight
 * loaded, they are drained, bounded; what finished committed; partitions released) and start again,
 * subscribed to the new set. A topic found this way starts at its earliest offset whatever Read From
 * Beginning says: the table's first changes were written before the check could see the topic
 * (start-positions.ts).
 *
 * Nothing is lost across a restart: close commits only what finished, and the new consumer starts
 * from the committed offsets; an execution close could not wait for is redelivered (and with Keep
 * Order per Partition fenced, partition-fence.ts).
 *
 * A matching topic deleted (a table dropped, its topic deleted) restarts the consumer too, subscribed
 * to the topics still there. kafkajs 2.2.4 never forgets a topic: the consumer's and the admin's
 * cluster keep every topic subscribed or read in their target set (cluster/index.js
 * addMultipleTargetTopics), every metadata refresh asks for all of them (cluster/index.js
 * REFRESH_METADATA, `Array.from(this.targetTopics)`) and fails whole on one the broker no longer
 * knows (UNKNOWN_TOPIC_OR_PARTITION). The consumer refreshes before each fetch round
 * (consumer/consumerGroup.js fetch, refreshMetadataIfNecessary): it crashed and restarted every
 * 300 ms and loaded no topic at all (measured: 144 crashes in 60 s, none of the other topic's new
 * messages loaded). The admin has no metadata max age (index.js admin() passes none, brokerPool.js
 * `metadataMaxAge || 0`), so its every read refreshed and failed: lag, and the fence lookup of a
 * partition newly assigned, which then waits Execution Timeout + margin. Only new clients forget.
 * A topic *list* naming a deleted topic, or the check at 0, still stalls so: nothing here restarts it.
 */
import type { Admin } from 'kafkajs';

import { createKafka } from './client';
import type { RunExecution, SinkerConsumerOptions } from './consumer-options';
import { SinkerConsumer, type CloseReport } from './sinker-consumer';

/** How often a pattern subscription looks for new topics, unless the options say otherwise. */
export const DEFAULT_TOPIC_CHECK_MS = 30_000;

/** The topics of the cluster a pattern matches (internal ones excluded, as kafkajs does not either). */
export async function matchingTopics(admin: Admin, pattern: RegExp): Promise<Set<string>> {
	const topics = await admin.listTopics();
	return new Set(topics.filter((t) => !t.startsWith('__') && pattern.test(t)));
}

export class FollowingConsumer {
	private current: SinkerConsumer;
	private closed = false;
	private restarting: Promise<void> | undefined;
	private timer: NodeJS.Timeout | undefined;
	private readonly foundLater = new Set<string>();

	private constructor(
		private readonly options: SinkerConsumerOptions,
		private readonly run: RunExecution,
		first: SinkerConsumer,
		private readonly admin: Admin,
		private known: Set<string>,
	) {
		this.current = first;
	}

	/**
	 * A consumer of `options`; with a pattern (and not an editor test run) one that follows new topics.
	 * The returned object has SinkerConsumer's face (assigned, inFlight, close).
	 */
	static async start(options: SinkerConsumerOptions, run: RunExecution): Promise<Pick<SinkerConsumer, 'assigned' | 'inFlight' | 'close'>> {
		if (!('pattern' in options.topics) || options.manual !== undefined || options.topicCheckIntervalMs === 0) return SinkerConsumer.start(options, run);
		const pattern = options.topics.pattern;
		const admin = createKafka(options.connection, { logger: options.logger }).admin();
		await admin.connect();
		let first: SinkerConsumer;
		let known: Set<string>;
		try {
			known = await matchingTopics(admin, pattern);
			first = await SinkerConsumer.start(options, run);
		} catch (error) {
			await admin.disconnect().catch(() => undefined);
			throw error;
		}
		const following = new FollowingConsumer(options, run, first, admin, known);
		following.schedule();
		return following;
	}

	assigned(): Map<string, number[]> {
		return this.current.assigned();
	}

	get inFlight(): number {
		return this.current.inFlight;
	}

	private schedule(): void {
		if (this.closed) return;
		this.timer = setTimeout(() => void this.check(), this.options.topicCheckIntervalMs ?? DEFAULT_TOPIC_CHECK_MS);
	}

	private async check(): Promise<void> {
		const pattern = (this.options.topics as { pattern: RegExp }).pattern;
		try {
			const now = await matchingTopics(this.admin, pattern);
			const added = [...now].filter((t) => !this.known.has(t));
			const deleted = [...this.known].filter((t) => !now.has(t));
			if ((added.length > 0 || deleted.length > 0) && !this.closed) {
				if (added.length > 0) this.options.logger?.info(`Kafka: new topics match ${pattern}: ${added.join(', ')}; restarting the consumer to subscribe to them`, { topics: added });
				if (deleted.length > 0) this.options.logger?.warn(`Kafka: topics matching ${pattern} were deleted: ${deleted.join(', ')}; restarting the consumer without them`, { topics: deleted });
				this.known = now;
				for (const topic of added) this.foundLater.add(topic);
				// Created again later, the check finds it again as a new topic.
				for (const topic of deleted) this.foundLater.delete(topic);
				// The close below would commit their partitions RELEASED: the broker refuses it, kafkajs fails
				// the whole commit and the close retried it ~30 s (measured) before the new consumer could start.
				if (deleted.length > 0) this.current.forgetTopics(deleted);
				this.restarting = this.restart();
				await this.restarting;
				this.restarting = undefined;
			}
		} catch (error) {
			this.options.logger?.warn(`Kafka: looking for new topics matching ${pattern} failed: ${(error as Error).message}`);
		}
		this.schedule();
	}

	private async restart(): Promise<void> {
		// Executions in flight may be waiting for a Stream Load batch to fill: load it now, so close can
		// commit them instead of giving them up at its timeout to the new consumer (which loads them again).
		const flushed = this.options.flushBuffered?.().catch((error: unknown) => {
			this.options.logger?.warn(`Kafka: loading what was buffered before the restart failed: ${(error as Error).message}`);
		});
		const [report] = await Promise.all([this.current.close(), flushed]);
		if (report.abandoned > 0) this.options.logger?.warn('Kafka: restarted for new topics with executions still in flight; they are redelivered', { abandoned: report.abandoned });
		if (this.closed) return;
		try {
			this.current = await SinkerConsumer.start({ ...this.options, topicsFoundLater: [...this.foundLater] }, this.run);
		} catch (error) {
			this.options.onFatalError?.(error instanceof Error ? error : new Error(String(error)));
		}
	}

	async close(): Promise<CloseReport> {
		this.closed = true;
		clearTimeout(this.timer);
		await this.restarting?.catch(() => undefined);
		try {
			return await this.current.close();
		} finally {
			await this.admin.disconnect().catch(() => undefined);
		}
	}
}
