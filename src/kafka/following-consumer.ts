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
			if (added.length > 0 && !this.closed) {
				this.options.logger?.info(`Kafka: new topics match ${pattern}: ${added.join(', ')}; restarting the consumer to subscribe to them`, { topics: added });
				this.known = now;
				for (const topic of added) this.foundLater.add(topic);
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
